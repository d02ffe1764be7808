using Loyalty.Core.Primitives;

namespace Loyalty.Core.Cards;

/// <summary>
/// Persists a programme's card ranges and cards. Small and atomic: every decision is
/// <see cref="LoyaltyCards"/>'. Card numbers are personal data: <see cref="ExportMemberAsync"/> and
/// <see cref="EraseMemberAsync"/> serve a member's data-rights requests.
/// </summary>
/// <remarks>Implementations must be thread-safe (or, like an EF Core context, one per scope); every operation is atomic. Infrastructure faults throw <see cref="Storage.LoyaltyStoreException"/>.</remarks>
public interface ICardStore
{
    /// <summary>Adds a range unless it shares a serial with another range of the programme (of either kind) or its id is taken; the same range again is a repeat.</summary>
    /// <param name="range">The range, with <see cref="CardRange.Taken"/> 0.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Added, exists or overlaps (with the range in the way).</returns>
    ValueTask<CardRangeImportResult> ImportRangeAsync(CardRange range, CancellationToken cancellationToken = default);

    /// <summary>Lists the programme's ranges by first serial.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The ranges.</returns>
    ValueTask<IReadOnlyList<CardRange>> ListRangesAsync(ProgramId programId, CancellationToken cancellationToken = default);

    /// <summary>Takes the next serial of a virtual range (each serial is taken once, even by racing callers).</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="rangeId">The virtual range.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The serial, or null when the range is used up or unknown.</returns>
    ValueTask<long?> TakeNextSerialAsync(ProgramId programId, string rangeId, CancellationToken cancellationToken = default);

    /// <summary>Reads a card by number.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="number">The number.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The card, or null.</returns>
    ValueTask<CardRecord?> FindCardAsync(ProgramId programId, CardNumber number, CancellationToken cancellationToken = default);

    /// <summary>Lists a member's cards (active and blocked), oldest first.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The cards.</returns>
    ValueTask<IReadOnlyList<CardRecord>> ListMemberCardsAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);

    /// <summary>Adds a card (version 1) unless its number is taken.</summary>
    /// <param name="card">The card.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see cref="CardWriteStatus.Written"/> or <see cref="CardWriteStatus.NumberTaken"/>.</returns>
    ValueTask<CardWriteStatus> AddCardAsync(CardRecord card, CancellationToken cancellationToken = default);

    /// <summary>Replaces a card if its stored version is still <paramref name="expectedVersion"/>.</summary>
    /// <param name="card">The new record, version <paramref name="expectedVersion"/> + 1.</param>
    /// <param name="expectedVersion">The version read.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see cref="CardWriteStatus.Written"/> or <see cref="CardWriteStatus.VersionConflict"/>.</returns>
    ValueTask<CardWriteStatus> UpdateCardAsync(CardRecord card, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically blocks a card and adds its replacement: both written, or neither. Refused when the old
    /// card's version moved on (another replacement or block won) or the new number is taken.
    /// </summary>
    /// <param name="blocked">The old card, blocked, version <paramref name="expectedVersion"/> + 1.</param>
    /// <param name="expectedVersion">The old card's version read.</param>
    /// <param name="replacement">The new card, version 1.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Written, version conflict or number taken.</returns>
    ValueTask<CardWriteStatus> ReplaceCardAsync(CardRecord blocked, long expectedVersion, CardRecord replacement, CancellationToken cancellationToken = default);

    /// <summary>Data rights: every card of a member with its status history.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The cards, oldest first.</returns>
    ValueTask<IReadOnlyList<CardRecord>> ExportMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Data rights: erases a member's cards — the link to the member and the status histories. Each number
    /// stays behind as a blocked card of no member (default <see cref="CardRecord.MemberId"/>) with one
    /// <see cref="CardEvent.Blocked"/> entry, so a later scan is refused and the plastic cannot be linked again.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="erasedAt">The instant recorded on what stays behind.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The number of cards erased.</returns>
    ValueTask<int> EraseMemberAsync(ProgramId programId, MemberId memberId, NodaTime.Instant erasedAt, CancellationToken cancellationToken = default);
}
