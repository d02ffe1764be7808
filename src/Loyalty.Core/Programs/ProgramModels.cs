using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Referrals;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.Programs;

/// <summary>A member joining the programme.</summary>
/// <param name="MemberId">The shop's customer key.</param>
/// <remarks>Immutable. Enrolling the same member again with the same details is a harmless repeat.</remarks>
public sealed record Enrolment(MemberId MemberId)
{
    /// <summary>When the member joined; null for the clock's current instant (a retry then matches on the other details).</summary>
    public Instant? EnrolledAt { get; init; }

    /// <summary>The member's birth date, for birthday points; null when unknown.</summary>
    public LocalDate? BirthDate { get; init; }

    /// <summary>The referral code a friend gave, or null.</summary>
    public ReferralCode? ReferralCode { get; init; }
}

/// <summary>A member's profile as the shop sees it.</summary>
/// <param name="MemberId">The member.</param>
/// <param name="EnrolledAt">When the member joined.</param>
/// <param name="BirthDate">The birth date, if known.</param>
/// <param name="ReferralCode">The member's own code, to share with friends.</param>
/// <param name="ReferredBy">Who referred the member, or null.</param>
/// <param name="WelcomePoints">The points the sign-up earned (the rule set's sign-up activity rules).</param>
public sealed record MemberProfile(MemberId MemberId, Instant EnrolledAt, LocalDate? BirthDate, ReferralCode ReferralCode, MemberId? ReferredBy, Points WelcomePoints);

/// <summary>A refund of all or part of a recorded order.</summary>
/// <param name="RefundId">The shop's refund key, also its idempotency key.</param>
/// <param name="OrderId">The refunded order.</param>
/// <param name="Refund">What is refunded: lines and quantities, or an amount.</param>
/// <remarks>Immutable.</remarks>
public sealed record RefundRequest(RefundId RefundId, OrderId OrderId, OrderRefund Refund)
{
    /// <summary>When the refund happened; null for the clock's current instant.</summary>
    public Instant? RefundedAt { get; init; }
}

/// <summary>One line of an earning explanation, e.g. <c>+40  base: 1 point per EUR</c>.</summary>
/// <param name="RuleId">The rule.</param>
/// <param name="Outcome">Fired, or why not.</param>
/// <param name="Points">The points the rule awarded.</param>
/// <param name="Text">The line, ready to print.</param>
public sealed record ExplanationLine(RuleId RuleId, RuleOutcome Outcome, Points Points, string Text)
{
    /// <summary>
    /// The version of the rule set the line's rule came from: the programme-wide set's, or (when
    /// <see cref="Merchant"/> is set) the merchant's own set's. Null on lines built without it.
    /// </summary>
    public string? RuleSetVersion { get; init; }

    /// <summary>The merchant whose own rule set the line's rule came from; null for a programme-wide rule.</summary>
    public MerchantId? Merchant { get; init; }

    /// <summary>The rule as it was in the applied rule set, for texts in other languages (<see cref="Texts.LoyaltyTexts.ExplainLine"/>); null when the rule set no longer had it.</summary>
    public EarningRule? Rule { get; init; }

    /// <summary>The applied rule set's currency, in which the rule's amounts are; default when <see cref="Rule"/> is null.</summary>
    public Currency Currency { get; init; }

    /// <summary>The line's text.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Text;
}

/// <summary>What recording an order did.</summary>
/// <remarks>Immutable. A retried call returns the same receipt.</remarks>
public sealed record OrderReceipt
{
    /// <summary>The order.</summary>
    public required OrderId OrderId { get; init; }

    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>The points earned (pending until <see cref="AvailableAt"/>).</summary>
    public required Points Points { get; init; }

    /// <summary>When the points become spendable (the end of the return window), or null when nothing was earned.</summary>
    public Instant? AvailableAt { get; init; }

    /// <summary>
    /// When the points expire: the expiry of the order's lot in the ledger, under the programme's expiry
    /// policy (rolling or calendar) when the order was recorded; null when nothing was earned or the lot
    /// has no fixed expiry (no expiry, or the inactivity policy, where the member's next activity moves it).
    /// </summary>
    public Instant? ExpiresAt { get; init; }

    /// <summary>The rule set version applied (the one in force when the order was placed).</summary>
    public required string RuleSetVersion { get; init; }

    /// <summary>The version of the merchant's own rule set applied on top (in a coalition, at a merchant with rules of its own in force), or null.</summary>
    public string? MerchantRuleSetVersion { get; init; }

    /// <summary>Every rule: what it awarded, or why not.</summary>
    public required IReadOnlyList<ExplanationLine> Explanation { get; init; }

    /// <summary>The full engine result.</summary>
    public required EarningResult Earning { get; init; }

    /// <summary>The member's tier when the order was placed (its multiplier applied).</summary>
    public TierId? TierAtOrder { get; init; }

    /// <summary>The member's tier after the order counted towards qualification.</summary>
    public required TierId Tier { get; init; }

    /// <summary>True when this order completed the member's referral.</summary>
    public bool CompletedReferral { get; init; }
}

/// <summary>What recording a refund did.</summary>
/// <remarks>Immutable. A retried call returns the same receipt.</remarks>
public sealed record RefundReceipt
{
    /// <summary>The refund.</summary>
    public required RefundId RefundId { get; init; }

    /// <summary>The refunded order.</summary>
    public required OrderId OrderId { get; init; }

    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>The money refunded.</summary>
    public required Money Amount { get; init; }

    /// <summary>The points the refund reverses (what the refunded part earned).</summary>
    public required Points PointsReversed { get; init; }

    /// <summary>The points actually taken from the member's balance (pending or available).</summary>
    public required Points PointsTakenBack { get; init; }

    /// <summary>Points that could not be taken back and were written off under the shortfall policy.</summary>
    public required Points PointsWrittenOff { get; init; }

    /// <summary>Points that became a debt (allow-negative policy), repaid by later earnings.</summary>
    public required Points DebtAdded { get; init; }

    /// <summary>True when the order is now fully refunded.</summary>
    public required bool IsFullRefund { get; init; }

    /// <summary>The member's tier after the refund reduced qualification.</summary>
    public required TierId Tier { get; init; }

    /// <summary>
    /// The points reversed, rule by rule (each rule's share of what the refunded part earned); they
    /// add up to <see cref="PointsReversed"/>, which equals <see cref="PointsTakenBack"/> +
    /// <see cref="PointsWrittenOff"/> + <see cref="DebtAdded"/>.
    /// </summary>
    public IReadOnlyList<Earning.RuleRefund> Rules { get; init; } = [];
}

/// <summary>What recording an activity did.</summary>
/// <remarks>Immutable. A retried call returns the same receipt.</remarks>
public sealed record ActivityReceipt
{
    /// <summary>The activity.</summary>
    public required ActivityId ActivityId { get; init; }

    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>The kind of activity.</summary>
    public required ActivityKind Kind { get; init; }

    /// <summary>The points earned.</summary>
    public required Points Points { get; init; }

    /// <summary>Every rule: what it awarded, or why not.</summary>
    public required IReadOnlyList<ExplanationLine> Explanation { get; init; }
}

/// <summary>What a cart would earn, without anything written.</summary>
/// <param name="Points">The points the cart would earn.</param>
/// <param name="RuleSetVersion">The rule set used.</param>
/// <param name="Explanation">Every rule: what it would award, or why not.</param>
/// <param name="Earning">The full engine result (a quote).</param>
public sealed record EarningQuote(Points Points, string RuleSetVersion, IReadOnlyList<ExplanationLine> Explanation, EarningResult Earning);

/// <summary>A member's status at a glance: balances, points expiring soon, tier, progress, perks.</summary>
/// <remarks>Immutable; a snapshot at <see cref="AsOf"/>.</remarks>
public sealed record MemberSummary
{
    /// <summary>The member's profile.</summary>
    public required MemberProfile Profile { get; init; }

    /// <summary>When the summary was taken.</summary>
    public required Instant AsOf { get; init; }

    /// <summary>The balances: available, pending, held, debt and lifetime figures.</summary>
    public required LedgerBalance Balance { get; init; }

    /// <summary>Points expiring within the requested number of days, per local date.</summary>
    public required IReadOnlyList<ExpiringPoints> ExpiringSoon { get; init; }

    /// <summary>The tier evaluation: tier, validity, progress to the next tier, projected tier.</summary>
    public required TierEvaluation Tier { get; init; }

    /// <summary>The perks of the member's tier.</summary>
    public IReadOnlySet<string> Perks => Tier.Benefits.Perks;

    /// <summary>The member's redemptions, oldest first.</summary>
    public required IReadOnlyList<RewardRedemption> Redemptions { get; init; }

    /// <summary>The member's achievements and progress towards each (empty when the programme has none).</summary>
    public IReadOnlyList<Achievements.AchievementStatus> Achievements { get; init; } = [];
}

/// <summary>Points reserved at checkout to pay part of an order.</summary>
/// <remarks>Immutable. A retried call returns the same hold.</remarks>
public sealed record PointsHold
{
    /// <summary>The order being paid.</summary>
    public required OrderId OrderId { get; init; }

    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>The ledger hold's id.</summary>
    public required TransactionId HoldId { get; init; }

    /// <summary>The points reserved.</summary>
    public required Points Points { get; init; }

    /// <summary>What the points pay, at the reward's exchange rate.</summary>
    public required Money Value { get; init; }

    /// <summary>When the hold lapses if neither captured nor released.</summary>
    public required Instant ExpiresAt { get; init; }
}

/// <summary>The end of a hold: captured (spent) or released (given back).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="MemberId">The member.</param>
/// <param name="TransactionId">The capture or release transaction.</param>
/// <param name="PointsSpent">The points spent (0 for a release).</param>
/// <param name="PointsReturned">The points given back to the balance.</param>
public sealed record HoldSettlement(OrderId OrderId, MemberId MemberId, TransactionId TransactionId, Points PointsSpent, Points PointsReturned);

/// <summary>A member's tier changed.</summary>
/// <param name="MemberId">The member.</param>
/// <param name="From">The tier before.</param>
/// <param name="To">The tier after.</param>
/// <param name="Reason">Why, as the evaluator reports it.</param>
public sealed record MemberTierChange(MemberId MemberId, TierId From, TierId To, TierChangeReason Reason);

/// <summary>A member will drop a tier unless they requalify.</summary>
/// <param name="MemberId">The member.</param>
/// <param name="Current">The current tier.</param>
/// <param name="Projected">The tier the member will drop to if nothing more is earned.</param>
/// <param name="At">When the current status ends (its validity), or the end of the projection period when it has none.</param>
/// <param name="Requalification">What is left to requalify for the current tier, or null.</param>
public sealed record DowngradeWarning(MemberId MemberId, TierId Current, TierId Projected, Instant? At, TierProgress? Requalification);

/// <summary>A member's points that will expire soon.</summary>
/// <param name="MemberId">The member.</param>
/// <param name="Schedule">Points per last day they can be spent.</param>
public sealed record ExpiryWarning(MemberId MemberId, IReadOnlyList<ExpiringPoints> Schedule)
{
    /// <summary>The total points expiring.</summary>
    public Points Total => Schedule.Aggregate(Points.Zero, (sum, e) => sum + e.Amount);
}

/// <summary>Points that became spendable (the return window of their order ended).</summary>
/// <param name="MemberId">The member.</param>
/// <param name="Points">The points.</param>
public sealed record PointsActivated(MemberId MemberId, Points Points);

/// <summary>Birthday points granted.</summary>
/// <param name="MemberId">The member.</param>
/// <param name="Date">The birthday (in the programme's time zone).</param>
/// <param name="Points">The points.</param>
public sealed record BirthdayGrant(MemberId MemberId, LocalDate Date, Points Points);

/// <summary>What a maintenance run changed, for the shop's e-mails. A re-run reports what is still true and changes nothing twice.</summary>
/// <remarks>Immutable.</remarks>
public sealed record MaintenanceReport
{
    /// <summary>The instant maintenance ran as of.</summary>
    public required Instant AsOf { get; init; }

    /// <summary>The members examined.</summary>
    public required int MembersExamined { get; init; }

    /// <summary>The points expired by this run.</summary>
    public required Points PointsExpired { get; init; }

    /// <summary>
    /// Accounts whose due points were left unexpired because other writers kept changing them
    /// through every retry; zero on a normal run. Run maintenance again for the same instant to
    /// finish them (a re-run never expires twice).
    /// </summary>
    public int ExpiryAccountsSkipped { get; init; }

    /// <summary>Pending points that became spendable since the member's previous maintenance.</summary>
    public required IReadOnlyList<PointsActivated> Activated { get; init; }

    /// <summary>Points expiring within the warning horizon, per member.</summary>
    public required IReadOnlyList<ExpiryWarning> ExpiringSoon { get; init; }

    /// <summary>Tier changes since the member's previous evaluation.</summary>
    public required IReadOnlyList<MemberTierChange> TierChanges { get; init; }

    /// <summary>Members who will drop a tier unless they requalify.</summary>
    public required IReadOnlyList<DowngradeWarning> DowngradeWarnings { get; init; }

    /// <summary>Birthday points granted by this run.</summary>
    public required IReadOnlyList<BirthdayGrant> Birthdays { get; init; }

    /// <summary>Orders recorded but left without their points, budget settlement or referral bonuses by an interrupted call, which this run completed.</summary>
    public int PendingOrdersCompleted { get; init; }

    /// <summary>Orders the pending-steps recovery looked at (those recorded within its look-back, past the grace period).</summary>
    public int PendingOrdersChecked { get; init; }

    /// <summary>Refunds recorded but left without their reversal of points by an interrupted call, which this run completed.</summary>
    public int PendingRefundsCompleted { get; init; }

    /// <summary>Activities recorded but left without their points (or budget settlement) by an interrupted call, which this run completed.</summary>
    public int PendingActivitiesCompleted { get; init; }

    /// <summary>
    /// Campaign-budget reservations of calls that never wrote their order or activity (interrupted, or
    /// given up after conflicts) which this run gave back to their budgets, past the grace period; only
    /// with a budget store that records reservations (<see cref="Storage.ICampaignReservationRecovery"/>).
    /// </summary>
    public int PendingReservationsReleased { get; init; }

    /// <summary>
    /// Reward codes of the scope's members that were past their expiry unused (status issued) and this
    /// run turned expired (see <see cref="LoyaltyProgram.ExpireRewardCodesAsync"/>); zero when the
    /// catalogue store keeps no codes. A re-run finds them expired and counts none.
    /// </summary>
    public int RewardCodesExpired { get; init; }

    /// <summary>
    /// Reward stock units claimed by redemptions that never wrote their record nor spent their points
    /// (interrupted between the claim and the spend) which this run gave back, past the grace period;
    /// only with a catalogue store that records its claims (<see cref="Storage.IStockClaimRecovery"/>).
    /// </summary>
    public int PendingStockClaimsReleased { get; init; }

    /// <summary>
    /// Redemptions that claimed their unit and spent their points but never wrote their record
    /// (interrupted before the write) which this run completed by writing the record, past the grace
    /// period; only with a catalogue store that records its claims.
    /// </summary>
    public int PendingRedemptionsCompleted { get; init; }

    /// <summary>The points the expired codes gave back to their members (rewards that return points on expiry, codes never used), each exactly once.</summary>
    public Points RewardCodePointsReturned { get; init; }
}
