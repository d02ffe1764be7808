using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Coalition;

/// <summary>The outcome of <see cref="IPartnerStore.AddAgreementAsync"/>.</summary>
public enum AgreementAddStatus
{
    /// <summary>Written.</summary>
    Added = 1,

    /// <summary>The same version with the same content is already stored: nothing changed.</summary>
    Repeat = 2,

    /// <summary>Nothing written: the partner already has that version number with other content.</summary>
    VersionTaken = 3,

    /// <summary>Nothing written: the version's days overlap another version's (named in the result).</summary>
    Overlaps = 4,
}

/// <summary>The result of <see cref="IPartnerStore.AddAgreementAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Conflicting">For <see cref="AgreementAddStatus.VersionTaken"/> and <see cref="AgreementAddStatus.Overlaps"/>, the stored version in the way.</param>
public readonly record struct AgreementAddResult(AgreementAddStatus Status, PartnerAgreement? Conflicting = null);

/// <summary>
/// Persists a coalition's partners, their agreement versions and their prepaid point blocks, with
/// the draws earns make on the blocks. Small and dumb like every store: the coalition service
/// decides, the store keeps writes atomic (an agreement never overlaps another, a draw never takes
/// more than the blocks hold, even when earns race).
/// </summary>
/// <remarks>
/// <para>Implementations must be thread-safe (or, like EF Core stores, one instance per scope).
/// Infrastructure faults throw <see cref="LoyaltyStoreException"/>. No row is keyed by member: the
/// store holds no personal data (draws are keyed by ledger transaction).</para>
/// </remarks>
public interface IPartnerStore
{
    /// <summary>Registers a partner (its <see cref="Partner.Version"/> becomes 1).</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="partner">The partner, validated by the caller.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored partner: the new one, or the one already registered with that id (compare to tell a repeat).</returns>
    ValueTask<Partner> AddPartnerAsync(ProgramId programId, Partner partner, CancellationToken cancellationToken = default);

    /// <summary>Replaces a partner if its stored version is still <paramref name="expectedVersion"/>; the new version is one more.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="partner">The new content.</param>
    /// <param name="expectedVersion">The version read.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when written; false when the partner is unknown or changed since.</returns>
    ValueTask<bool> UpdatePartnerAsync(ProgramId programId, Partner partner, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Reads a partner.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="merchant">The partner's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The partner, or null.</returns>
    ValueTask<Partner?> GetPartnerAsync(ProgramId programId, MerchantId merchant, CancellationToken cancellationToken = default);

    /// <summary>Reads every partner of a programme, ordered by id (ordinal).</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The partners.</returns>
    ValueTask<IReadOnlyList<Partner>> ListPartnersAsync(ProgramId programId, CancellationToken cancellationToken = default);

    /// <summary>Adds an agreement version unless it takes another's number or overlaps another's days (checked atomically with the write).</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="agreement">The version, validated by the caller.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Added, repeat, version taken or overlaps (with the version in the way); nothing is written unless added.</returns>
    ValueTask<AgreementAddResult> AddAgreementAsync(ProgramId programId, PartnerAgreement agreement, CancellationToken cancellationToken = default);

    /// <summary>Reads a partner's agreement versions, ordered by <see cref="PartnerAgreement.EffectiveFrom"/>.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="merchant">The partner.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The versions.</returns>
    ValueTask<IReadOnlyList<PartnerAgreement>> GetAgreementsAsync(ProgramId programId, MerchantId merchant, CancellationToken cancellationToken = default);

    /// <summary>Adds a prepaid block.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="block">The block, validated by the caller.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored block: the new one, or the one already stored with that partner and id (compare to tell a repeat).</returns>
    ValueTask<PrepaidPointBlock> AddBlockAsync(ProgramId programId, PrepaidPointBlock block, CancellationToken cancellationToken = default);

    /// <summary>Reads a partner's prepaid blocks, ordered by purchase instant then id.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="merchant">The partner.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The blocks.</returns>
    ValueTask<IReadOnlyList<PrepaidPointBlock>> GetBlocksAsync(ProgramId programId, MerchantId merchant, CancellationToken cancellationToken = default);

    /// <summary>
    /// Draws <paramref name="points"/> from a partner's prepaid blocks for one earn, all or nothing:
    /// ordinary blocks purchased by <paramref name="asOf"/> and not expired at it, oldest purchase
    /// first, then reserve blocks the same way. Racing draws of one partner are serialised, so the
    /// draws never add up to more than the blocks hold. When <paramref name="key"/> already drew,
    /// nothing changes and that draw is returned.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="merchant">The partner.</param>
    /// <param name="key">The earn's ledger transaction id.</param>
    /// <param name="points">The points, more than 0.</param>
    /// <param name="asOf">The earn's instant.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The draw, or null when the blocks do not hold enough (nothing was drawn).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="points"/> is not positive.</exception>
    ValueTask<PrepaidDraw?> DrawAsync(ProgramId programId, MerchantId merchant, TransactionId key, long points, Instant asOf, CancellationToken cancellationToken = default);

    /// <summary>
    /// Shrinks a draw to <paramref name="keep"/> points (the earn was refused, or earned less than
    /// drawn): the difference goes back to the blocks, latest-drawn part first. Never grows a draw;
    /// settling again changes nothing.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="key">The earn's ledger transaction id.</param>
    /// <param name="keep">The points to keep drawn, 0 or more.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The draw after the change, or null when the key never drew.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keep"/> is negative.</exception>
    ValueTask<PrepaidDraw?> SettleDrawAsync(ProgramId programId, TransactionId key, long keep, CancellationToken cancellationToken = default);

    /// <summary>Reads what a partner's blocks hold at an instant.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="merchant">The partner.</param>
    /// <param name="asOf">The instant (blocks purchased later are not counted; expired blocks are not available).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The balance.</returns>
    ValueTask<PrepaidBalance> GetPrepaidBalanceAsync(ProgramId programId, MerchantId merchant, Instant asOf, CancellationToken cancellationToken = default);
}
