using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage;

/// <summary>
/// Counts what each rule's campaign budget (<c>RuleCaps.CampaignBudget</c>, the most points a rule
/// may give out across all members) has given out, programme-wide, as reservations keyed by the
/// ledger transaction that credits the points (one per order or activity), so that racing orders of
/// different members never give out more than the budget and a retried order never counts twice.
/// </summary>
/// <remarks>
/// <para>The programme reads the usage, evaluates, reserves what it evaluated before writing the
/// order, and settles the reservation to what the written order awarded. A reservation only grows
/// by <see cref="ReserveAsync"/> (within the budget) and only shrinks by <see cref="SettleAsync"/>,
/// so the reservations of a rule never add up to more than its budget.</para>
/// <para>Implementations must be thread-safe; every operation is atomic. Infrastructure faults
/// throw <see cref="LoyaltyStoreException"/>.</para>
/// </remarks>
public interface ICampaignBudgetStore
{
    /// <summary>Reads what a rule's budget has given out, and how much of it one key holds.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="ruleId">The rule with the budget.</param>
    /// <param name="key">The ledger transaction of the order or activity being evaluated.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The points reserved by all keys together, and by <paramref name="key"/>.</returns>
    ValueTask<CampaignBudgetUsage> GetUsageAsync(ProgramId programId, RuleId ruleId, TransactionId key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes <paramref name="key"/> hold at least <paramref name="points"/> of the rule's budget, as
    /// far as the budget allows: when the key already holds that much nothing changes; otherwise it
    /// takes the difference, or what is left of <paramref name="budget"/> if that is less. Calling
    /// again with the same arguments returns the same grant (or more, if budget was settled back since).
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="ruleId">The rule with the budget.</param>
    /// <param name="key">The ledger transaction of the order or activity.</param>
    /// <param name="points">The points evaluated for the rule; greater than 0.</param>
    /// <param name="budget">The rule's budget; greater than 0.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>What <paramref name="key"/> now holds: <paramref name="points"/> or more when granted in full, less when the budget ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="points"/> or <paramref name="budget"/> is not positive.</exception>
    ValueTask<Points> ReserveAsync(ProgramId programId, RuleId ruleId, TransactionId key, Points points, Points budget, CancellationToken cancellationToken = default);

    /// <summary>
    /// Settles what <paramref name="key"/> holds to what its written order or activity awarded: each
    /// of its reservations shrinks to the grant for that rule (to 0 for a rule not listed), and the
    /// difference goes back to the budget. Never grows a reservation; settling again changes nothing.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="key">The ledger transaction of the written order or activity.</param>
    /// <param name="grants">The points each budgeted rule awarded; 0 or more each.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="grants"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A grant is negative.</exception>
    ValueTask SettleAsync(ProgramId programId, TransactionId key, IReadOnlyCollection<CampaignGrant> grants, CancellationToken cancellationToken = default);
}

/// <summary>What a rule's campaign budget has given out.</summary>
/// <param name="Used">The points reserved by all orders and activities together.</param>
/// <param name="HeldByKey">The part of <paramref name="Used"/> the key asked about holds (0 when none).</param>
public readonly record struct CampaignBudgetUsage(Points Used, Points HeldByKey);

/// <summary>The points one budgeted rule awarded an order or activity.</summary>
/// <param name="RuleId">The rule.</param>
/// <param name="Points">The points awarded; 0 or more.</param>
public readonly record struct CampaignGrant(RuleId RuleId, Points Points);
