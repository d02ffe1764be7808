using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Storage;

/// <summary>
/// An optional capability of an <see cref="ICampaignBudgetStore"/> for stores that cannot make a
/// call's steps atomic: each reservation is recorded with its member and instant until it is settled,
/// so that maintenance can give back, after a grace period, what a call reserved before it was
/// interrupted and never wrote its order or activity (and settle what one that was written holds).
/// </summary>
/// <remarks>
/// The programme reserves through <see cref="ReserveRecordedAsync"/> when the store offers it, and
/// <see cref="ICampaignBudgetStore.SettleAsync"/> ends the record (whatever the grants). Implementations
/// must be thread-safe; every operation is atomic. The in-memory store implements it.
/// </remarks>
public interface ICampaignReservationRecovery
{
    /// <summary>
    /// <see cref="ICampaignBudgetStore.ReserveAsync"/>, also recording <paramref name="key"/> as
    /// unsettled (with its member and the instant of its first reservation) while it holds points.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="ruleId">The rule with the budget.</param>
    /// <param name="key">The ledger transaction of the order or activity.</param>
    /// <param name="points">The points evaluated for the rule; greater than 0.</param>
    /// <param name="budget">The rule's budget; greater than 0.</param>
    /// <param name="memberId">The member whose order or activity reserves.</param>
    /// <param name="reservedAt">The instant of the reservation (the programme's clock).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>What <paramref name="key"/> now holds, as <see cref="ICampaignBudgetStore.ReserveAsync"/> returns it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="points"/> or <paramref name="budget"/> is not positive.</exception>
    ValueTask<Points> ReserveRecordedAsync(ProgramId programId, RuleId ruleId, TransactionId key, Points points, Points budget, MemberId memberId, Instant reservedAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// The reservations never settled, first reserved before <paramref name="reservedBefore"/>, in the
    /// order of (first reservation instant, key), after <paramref name="after"/>.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="reservedBefore">Only reservations first made before this instant.</param>
    /// <param name="after">The last reservation of the previous page, or null for the first page.</param>
    /// <param name="limit">The most to return; 1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The unsettled reservations.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is outside 1 to 10,000.</exception>
    ValueTask<IReadOnlyList<UnsettledReservation>> ListUnsettledAsync(ProgramId programId, Instant reservedBefore, UnsettledReservation? after, int limit, CancellationToken cancellationToken = default);
}

/// <summary>A campaign-budget reservation not settled yet: the order's or activity's ledger transaction, its member, and when it first reserved.</summary>
/// <param name="Key">The ledger transaction of the order or activity.</param>
/// <param name="MemberId">The member.</param>
/// <param name="ReservedAt">The instant of the key's first reservation.</param>
public sealed record UnsettledReservation(TransactionId Key, MemberId MemberId, Instant ReservedAt);
