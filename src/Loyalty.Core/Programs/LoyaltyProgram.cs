using System.Diagnostics.Metrics;
using Loyalty.Core.Configuration;
using Loyalty.Core.Diagnostics;
using Loyalty.Core.Earning;
using Loyalty.Core.Internal;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Referrals;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.Programs;

/// <summary>
/// The loyalty programme a shop calls: enrol members, record orders, refunds and activities,
/// quote carts, show a member's summary, redeem rewards, pay with points at checkout, and run
/// maintenance. Resolve it from DI after <c>services.AddLoyalty(…)</c>.
/// </summary>
/// <remarks>
/// <para>Thread-safe; register as a singleton. Every write is keyed by the shop's own id (order,
/// refund, activity, redemption), from which the ledger transaction ids are derived, so a webhook
/// delivered twice has its effect once, and a call interrupted half-way (a crash between two
/// writes) is completed by calling it again with the same id. The same id with other content is
/// refused with <see cref="LoyaltyErrorCode.IdempotencyConflict"/>.</para>
/// <para>Bad arguments throw <see cref="ArgumentException"/>s; business outcomes come back as
/// <see cref="LoyaltyResult{T}"/> errors with a stable <see cref="LoyaltyErrorCode"/>; store
/// faults surface as <see cref="LoyaltyStoreException"/>.</para>
/// </remarks>
public sealed class LoyaltyProgram
{    private readonly ProgramContext context;
    private readonly OrderRecorder orders;
    private readonly RefundRecorder refunds;
    private readonly ActivityRecorder activities;
    private readonly Enrolments enrolments;
    private readonly RewardDesk rewardDesk;
    private readonly ProgramQueries queries;
    private readonly MaintenanceRunner maintenance;
    private readonly ProgramDiagnostics diagnostics;

    /// <summary>Creates the programme service (DI does this).</summary>
    /// <param name="clock">The clock every write is timed with.</param>
    /// <param name="settings">The programme's validated settings.</param>
    /// <param name="ledger">The points ledger.</param>
    /// <param name="ledgerStore">The ledger store (read for pending lots during maintenance).</param>
    /// <param name="members">The member store.</param>
    /// <param name="ruleSets">The rule set store.</param>
    /// <param name="rewards">The rewards catalogue store.</param>
    /// <param name="budgets">The campaign budget store (programme-wide budget usage).</param>
    /// <param name="tiers">The tier ladder.</param>
    /// <param name="rewardCodes">Makes reward codes.</param>
    /// <param name="referralCodes">Makes referral codes.</param>
    /// <param name="meterFactory">The host's meter factory, or null to record no metrics.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException">The tier ladder is in another currency or time zone than the programme.</exception>
    public LoyaltyProgram(
        IClock clock,
        ProgramSettings settings,
        PointsLedger ledger,
        ILedgerStore ledgerStore,
        IMemberStore members,
        IRuleSetStore ruleSets,
        IRewardCatalogStore rewards,
        ICampaignBudgetStore budgets,
        TierLadder tiers,
        IRewardCodeGenerator rewardCodes,
        IReferralCodeGenerator referralCodes,
        IMeterFactory? meterFactory = null)
        : this(clock, settings, ledger, ledgerStore, members, ruleSets, rewards, budgets, tiers, rewardCodes, referralCodes, meterFactory, null, null, null)
    {
    }

    /// <summary>Creates the programme service with the rule set cache shared by every instance of one registration and the stores' unit of work, if any (DI does this).</summary>
    internal LoyaltyProgram(
        IClock clock,
        ProgramSettings settings,
        PointsLedger ledger,
        ILedgerStore ledgerStore,
        IMemberStore members,
        IRuleSetStore ruleSets,
        IRewardCatalogStore rewards,
        ICampaignBudgetStore budgets,
        TierLadder tiers,
        IRewardCodeGenerator rewardCodes,
        IReferralCodeGenerator referralCodes,
        IMeterFactory? meterFactory,
        RuleSetCache? ruleSetCache,
        ILoyaltyUnitOfWork? unitOfWork,
        ProgramDiagnostics? diagnostics = null)
    {
        Preconditions.CheckNotNull(clock);
        Settings = Preconditions.CheckNotNull(settings);
        Preconditions.CheckNotNull(ledger);
        Preconditions.CheckNotNull(ledgerStore);
        Preconditions.CheckNotNull(members);
        Preconditions.CheckNotNull(ruleSets);
        Preconditions.CheckNotNull(rewards);
        Preconditions.CheckNotNull(budgets);
        Tiers = Preconditions.CheckNotNull(tiers);
        ConfigurationChecks.CheckTiers(settings, tiers);
        Preconditions.CheckNotNull(rewardCodes);
        Preconditions.CheckNotNull(referralCodes);
        var metrics = new LoyaltyMetrics(meterFactory, settings.ProgramId);
        this.diagnostics = diagnostics ?? ProgramDiagnostics.None(settings.ProgramId);
        context = new ProgramContext(clock, settings, ledger, ledgerStore, members, ruleSets, rewards, budgets, tiers, rewardCodes, referralCodes, metrics, ruleSetCache ?? new RuleSetCache(), unitOfWork) { Diagnostics = this.diagnostics };
        var campaigns = new CampaignBudgets(context);
        activities = new ActivityRecorder(context, campaigns);
        enrolments = new Enrolments(context, activities);
        rewardDesk = new RewardDesk(context);
        orders = new OrderRecorder(context, enrolments, rewardDesk, campaigns);
        refunds = new RefundRecorder(context);
        queries = new ProgramQueries(context, campaigns);
        var recovery = new PendingStepsRecovery(context, enrolments, campaigns, refunds, activities)
        {
            CompleteRedemption = (member, reward, redemption, ct) => rewardDesk.RedeemRewardAsync(member, reward, redemption, null, ct),
        };
        maintenance = new MaintenanceRunner(clock, settings, ledger, ledgerStore, members, tiers, metrics, activities.RecordBirthdayAsync, recovery.CompletePendingAsync, recovery.CompletePageAsync, context.AtomicallyAsync, context.Keeper.Weights)
        {
            ExpireCodes = (asOf, partition, ct) => rewardDesk.Codes.ExpireAsync(asOf, partition, ct),
        };
    }

    /// <summary>The programme's settings.</summary>
    public ProgramSettings Settings { get; }

    /// <summary>Sets how much each merchant's orders, refunds and activities count towards tier qualification (DI does this for a coalition).</summary>
    /// <summary>The coalition's per-merchant qualification weights this programme counts tiers with.</summary>
    internal QualificationWeights QualificationWeights => context.Keeper.Weights;

    internal LoyaltyProgram WithQualificationWeights(IReadOnlyDictionary<MerchantId, decimal>? weights)
    {
        if (weights is not null)
        {
            context.Keeper.Weights.Set(weights);
        }

        return this;
    }

    /// <summary>
    /// Evaluates the tiers of household members on the household's pooled qualification (DI does this when
    /// <see cref="Households.HouseholdOptions.PooledTierQualification"/> is true); null keeps tiers per member.
    /// </summary>
    internal LoyaltyProgram WithPooledQualification(IHouseholdStore? households)
    {
        var pooled = households is null
            ? null
            : new PooledQualification(households, context.Members, context.ProgramId, context.Currency, context.Keeper.Weights, context.Keeper.Evaluator);
        context.Pooled = pooled;
        maintenance.Pooled = pooled;
        return this;
    }

    /// <summary>The household's pooled tier qualification, or null when tiers qualify per member.</summary>
    internal PooledQualification? PooledQualification => context.Pooled;

    /// <summary>Evaluates a member's tier again as of now and stores its status (after a household change); null when not enrolled.</summary>
    internal Task<TierEvaluation?> RefreshTierAsync(MemberId memberId, CancellationToken cancellationToken) => context.RefreshTierAsync(memberId, cancellationToken);

    /// <summary>Moves the registered achievements forward in the same unit of work as each order, refund and activity (DI does this).</summary>
    internal LoyaltyProgram WithAchievements(Achievements.AchievementTracker? tracker)
    {
        context.Achievements = tracker;
        return this;
    }

    /// <summary>The tier ladder.</summary>
    public TierLadder Tiers { get; }

    // ---------------------------------------------------------------- configuration

    /// <summary>
    /// Publishes an earning rule set. Orders and activities are earned under the version in force
    /// at their own instant, so a new version changes nothing already recorded. Publishing the same
    /// rule set again changes nothing.
    /// </summary>
    /// <param name="ruleSet">The rule set, in the programme's currency.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when added; false when it was already published.</returns>
    /// <exception cref="ArgumentException">The rule set is in another currency or time zone than the programme, or another version has the same version string or effective instant.</exception>
    public Task<bool> PublishRuleSetAsync(EarningRuleSet ruleSet, CancellationToken cancellationToken = default) =>
        diagnostics.CallPlainAsync("publish_rule_set", (context, ruleSet), static (s, ct) => s.context.PublishRuleSetAsync(s.ruleSet, ct), cancellationToken);

    /// <summary>Redeems a reward at a merchant (the coalition checks the merchant first).</summary>
    internal Task<LoyaltyResult<RewardRedemption>> RedeemRewardAtAsync(MerchantId merchant, MemberId memberId, RewardId rewardId, RedemptionId redemptionId, CancellationToken cancellationToken) =>
        diagnostics.CallAsync("redeem_reward", memberId, (rewardDesk, memberId, rewardId, redemptionId, merchant), static (s, ct) => s.rewardDesk.RedeemRewardAsync(s.memberId, s.rewardId, s.redemptionId, s.merchant, ct), cancellationToken);

    /// <summary>Holds points for an order paid at a merchant (the coalition checks the merchant first).</summary>
    internal Task<LoyaltyResult<PointsHold>> HoldPointsAtAsync(MerchantId merchant, MemberId memberId, RewardId rewardId, OrderId orderId, Money orderTotal, Points points, CancellationToken cancellationToken) =>
        diagnostics.CallAsync("hold_points", memberId, (rewardDesk, memberId, rewardId, orderId, orderTotal, points, merchant), static (s, ct) => s.rewardDesk.HoldPointsAsync(s.memberId, s.rewardId, s.orderId, s.orderTotal, s.points, s.merchant, ct), cancellationToken);

    /// <summary>Publishes a merchant's own rule set (the coalition checks the merchant first).</summary>
    internal Task<bool> PublishMerchantRuleSetAsync(MerchantId merchant, EarningRuleSet ruleSet, CancellationToken cancellationToken) =>
        diagnostics.CallPlainAsync("publish_merchant_rule_set", (context, merchant, ruleSet), static (s, ct) => s.context.PublishMerchantRuleSetAsync(s.merchant, s.ruleSet, ct), cancellationToken);

    /// <summary>A merchant's own rule-set history (empty when the store keeps none).</summary>
    internal async Task<EarningRuleSetHistory> GetMerchantRuleSetsAsync(MerchantId merchant, CancellationToken cancellationToken) =>
        context.RuleSets is Storage.IMerchantRuleSetStore store
            ? await store.GetMerchantHistoryAsync(context.ProgramId, merchant, cancellationToken).ConfigureAwait(false)
            : EarningRuleSetHistory.Empty;

    /// <summary>Adds a reward to the catalogue, or replaces the one with the same id.</summary>
    /// <param name="reward">The reward.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The catalogue after the change.</returns>
    /// <exception cref="ArgumentException">The reward's money is in another currency, or it requires a tier that is not in the ladder.</exception>
    public Task<RewardCatalog> PublishRewardAsync(RewardDefinition reward, CancellationToken cancellationToken = default) =>
        diagnostics.CallPlainAsync("publish_reward", (rewardDesk, reward), static (s, ct) => s.rewardDesk.PublishRewardAsync(s.reward, ct), cancellationToken);

    /// <summary>Reads the rewards catalogue.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The catalogue.</returns>
    public Task<RewardCatalog> GetCatalogAsync(CancellationToken cancellationToken = default) =>
        diagnostics.CallPlainAsync("get_catalog", rewardDesk, static (s, ct) => s.GetCatalogAsync(ct), cancellationToken);

    // ---------------------------------------------------------------- enrolment and referral

    /// <summary>
    /// Enrols a member: a profile with a new referral code, the referrer linked when a code is
    /// given, and the rule set's sign-up activity rules applied (a welcome bonus). Enrolling the
    /// same member again with the same details is a repeat.
    /// </summary>
    /// <param name="enrolment">The member, enrolment instant, birth date and referral code.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The profile, or <see cref="LoyaltyErrorCode.MemberAlreadyEnrolled"/> or <see cref="LoyaltyErrorCode.ReferralCodeUnknown"/>.</returns>
    /// <exception cref="ArgumentException">The member id is default.</exception>
    public Task<LoyaltyResult<MemberProfile>> EnrolAsync(Enrolment enrolment, CancellationToken cancellationToken = default) =>
        diagnostics.CallAsync("enrol", enrolment?.MemberId, (enrolments, enrolment), static (s, ct) => s.enrolments.EnrolAsync(s.enrolment!, ct), cancellationToken);

    /// <summary>
    /// Links a member to the friend who referred them, after enrolment. Refused when the code is the
    /// member's own, when the member already has a referrer, when it would close a loop, or when the
    /// member already placed a qualifying order.
    /// </summary>
    /// <param name="memberId">The referee.</param>
    /// <param name="code">The referrer's code.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The profile, or an error with its own code.</returns>
    /// <exception cref="ArgumentException">An argument is default.</exception>
    public Task<LoyaltyResult<MemberProfile>> ApplyReferralCodeAsync(MemberId memberId, ReferralCode code, CancellationToken cancellationToken = default) =>
        diagnostics.CallAsync("apply_referral_code", memberId, (enrolments, memberId, code), static (s, ct) => s.enrolments.ApplyReferralCodeAsync(s.memberId, s.code, ct), cancellationToken);

    // ---------------------------------------------------------------- orders, refunds, activities

    /// <summary>
    /// Records an order: earned under the rule set in force when it was placed, with the member's
    /// tier multiplier at that instant; credited as points pending until the return window ends;
    /// counted towards tier qualification; completing the member's referral if it is their first
    /// qualifying order. Recording the same order again is a repeat and earns nothing more.
    /// </summary>
    /// <param name="order">The order, in the programme's currency.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The receipt, or <see cref="LoyaltyErrorCode.MemberNotFound"/>, <see cref="LoyaltyErrorCode.NoRuleSetInForce"/>, <see cref="LoyaltyErrorCode.IdempotencyConflict"/> or <see cref="LoyaltyErrorCode.PaymentDoesNotMatchHold"/>.</returns>
    /// <remarks>An order with <see cref="EarningOrder.PaidWithPoints"/> is tied to the points held for it at checkout (<see cref="HoldPointsAsync"/> with the same order id): an open hold is captured, and the captured points must be worth what the order says was paid with them.</remarks>
    /// <exception cref="ArgumentException">The order is in another currency than the programme's.</exception>
    public Task<LoyaltyResult<OrderReceipt>> RecordOrderAsync(EarningOrder order, CancellationToken cancellationToken = default) =>
        diagnostics.CallAsync("record_order", order?.Member, (orders, order), static (s, ct) => s.orders.RecordOrderAsync(s.order!, ct), cancellationToken);

    /// <summary>
    /// Records a refund of all or part of a recorded order: takes back exactly what the refunded
    /// part earned (from the order's own lot first, then under the programme's shortfall policy)
    /// and reduces tier qualification. Recording the same refund again is a repeat.
    /// </summary>
    /// <param name="refund">The refund.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The receipt, or <see cref="LoyaltyErrorCode.OrderNotFound"/>, <see cref="LoyaltyErrorCode.RefundExceedsOrder"/> or <see cref="LoyaltyErrorCode.IdempotencyConflict"/>.</returns>
    /// <exception cref="ArgumentException">The refund names a line the order does not have.</exception>
    public Task<LoyaltyResult<RefundReceipt>> RecordRefundAsync(RefundRequest refund, CancellationToken cancellationToken = default) =>
        diagnostics.CallAsync("record_refund", null, (refunds, refund), static (s, ct) => s.refunds.RecordRefundAsync(s.refund, ct), cancellationToken);

    /// <summary>
    /// Records a member activity (sign-up, review, survey, birthday, referral, custom event),
    /// earned under the activity rules in force when it happened. Recording the same activity
    /// again is a repeat.
    /// </summary>
    /// <param name="activityId">The shop's id for the activity, also its idempotency key.</param>
    /// <param name="activity">The activity.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The receipt, or <see cref="LoyaltyErrorCode.MemberNotFound"/>, <see cref="LoyaltyErrorCode.NoRuleSetInForce"/> or <see cref="LoyaltyErrorCode.IdempotencyConflict"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="activityId"/> is default.</exception>
    public Task<LoyaltyResult<ActivityReceipt>> RecordActivityAsync(ActivityId activityId, ActivityInput activity, CancellationToken cancellationToken = default) =>
        diagnostics.CallAsync("record_activity", activity?.Member, (activities, activityId, activity), static (s, ct) => s.activities.RecordActivityAsync(s.activityId, s.activity!, ct), cancellationToken);

    /// <summary>The points an activity not yet recorded would earn now, without writing (an upper bound when a campaign budget would cut it).</summary>
    internal Task<Points> QuoteActivityAsync(ActivityInput activity, CancellationToken cancellationToken) => activities.QuoteActivityAsync(activity, cancellationToken);

    /// <summary>The programme's member store (the coalition reads orders, refunds and activities from it).</summary>
    internal IMemberStore Members => context.Members;

    // ---------------------------------------------------------------- queries

    /// <summary>What a cart would earn for a member, under the rules in force at the cart's instant. Writes nothing.</summary>
    /// <param name="cart">The cart, as an order; an unknown member is quoted as a new member with no tier.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The quote, or <see cref="LoyaltyErrorCode.NoRuleSetInForce"/>.</returns>
    /// <exception cref="ArgumentException">The cart is in another currency than the programme's.</exception>
    public Task<LoyaltyResult<EarningQuote>> QuoteAsync(EarningOrder cart, CancellationToken cancellationToken = default) =>
        diagnostics.CallAsync("quote", cart?.Member, (queries, cart), static (s, ct) => s.queries.QuoteAsync(s.cart!, ct), cancellationToken);

    /// <summary>A member's summary: balances, points expiring soon, tier and progress, perks, redemptions.</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="expiringWithinDays">The horizon for points expiring soon, 1 to 3,660 days. Default 30.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The summary, or <see cref="LoyaltyErrorCode.MemberNotFound"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default or <paramref name="expiringWithinDays"/> is out of range.</exception>
    public Task<LoyaltyResult<MemberSummary>> GetMemberSummaryAsync(MemberId memberId, int expiringWithinDays = 30, CancellationToken cancellationToken = default) =>
        diagnostics.CallAsync("get_member_summary", memberId, (queries, memberId, expiringWithinDays), static (s, ct) => s.queries.GetMemberSummaryAsync(s.memberId, s.expiringWithinDays, ct), cancellationToken);

    // ---------------------------------------------------------------- rewards and holds

    /// <summary>
    /// Redeems a reward from the catalogue: checks its window, tier and stock and the member's
    /// available points, spends the points (soonest-expiring first) and returns a receipt with a
    /// code. Redeeming again with the same redemption id returns the same receipt.
    /// </summary>
    /// <param name="memberId">The member.</param>
    /// <param name="rewardId">The reward.</param>
    /// <param name="redemptionId">The shop's id for this redemption, also its idempotency key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The receipt, or one of <see cref="LoyaltyErrorCode.MemberNotFound"/>, <see cref="LoyaltyErrorCode.RewardNotFound"/>,
    /// <see cref="LoyaltyErrorCode.RewardKindMismatch"/>, <see cref="LoyaltyErrorCode.RewardNotOffered"/>,
    /// <see cref="LoyaltyErrorCode.RewardRequiresHigherTier"/>, <see cref="LoyaltyErrorCode.InsufficientPoints"/>,
    /// <see cref="LoyaltyErrorCode.RewardOutOfStock"/>, <see cref="LoyaltyErrorCode.IdempotencyConflict"/>.
    /// </returns>
    /// <exception cref="ArgumentException">An id is default.</exception>
    public Task<LoyaltyResult<RewardRedemption>> RedeemRewardAsync(MemberId memberId, RewardId rewardId, RedemptionId redemptionId, CancellationToken cancellationToken = default) =>
        diagnostics.CallAsync("redeem_reward", memberId, (rewardDesk, memberId, rewardId, redemptionId), static (s, ct) => s.rewardDesk.RedeemRewardAsync(s.memberId, s.rewardId, s.redemptionId, null, ct), cancellationToken);

    /// <summary>
    /// Cancels a redemption: the points go back into the lots they came from (with their original
    /// expiry) and the unit back to stock. Cancelling again is a repeat.
    /// </summary>
    /// <param name="redemptionId">The redemption.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The cancelled receipt, or <see cref="LoyaltyErrorCode.RedemptionNotFound"/>, or <see cref="LoyaltyErrorCode.RewardCodeUsed"/> when an order used its code (<see cref="LoyaltyErrorCode.RewardCodeExpired"/> when its code expired and gave the points back). Its code is voided.</returns>
    /// <exception cref="ArgumentException"><paramref name="redemptionId"/> is default.</exception>
    public Task<LoyaltyResult<RewardRedemption>> CancelRedemptionAsync(RedemptionId redemptionId, CancellationToken cancellationToken = default) =>
        diagnostics.CallAsync("cancel_redemption", null, (rewardDesk, redemptionId), static (s, ct) => s.rewardDesk.CancelRedemptionAsync(s.redemptionId, ct), cancellationToken);

    /// <summary>
    /// Pay with points, step 1: reserves points at checkout for an order, under a
    /// <see cref="RewardKind.PayWithPoints"/> reward's terms (minimum points, maximum share of the
    /// order). The hold lapses after the ledger's hold lifetime unless captured or released.
    /// Holding again for the same order is a repeat.
    /// </summary>
    /// <param name="memberId">The member.</param>
    /// <param name="rewardId">The pay-with-points reward whose terms apply.</param>
    /// <param name="orderId">The order being paid (one hold per order).</param>
    /// <param name="orderTotal">The order total, in the programme's currency.</param>
    /// <param name="points">The points to use; greater than 0.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hold with its money value, or an error (<see cref="LoyaltyErrorCode.BelowMinimumPoints"/>, <see cref="LoyaltyErrorCode.AboveMaximumShare"/>, <see cref="LoyaltyErrorCode.InsufficientPoints"/>, …).</returns>
    /// <exception cref="ArgumentException">An id is default, <paramref name="points"/> is not positive, or <paramref name="orderTotal"/> is negative or in another currency.</exception>
    public Task<LoyaltyResult<PointsHold>> HoldPointsAsync(MemberId memberId, RewardId rewardId, OrderId orderId, Money orderTotal, Points points, CancellationToken cancellationToken = default) =>
        diagnostics.CallAsync("hold_points", memberId, (rewardDesk, memberId, rewardId, orderId, orderTotal, points), static (s, ct) => s.rewardDesk.HoldPointsAsync(s.memberId, s.rewardId, s.orderId, s.orderTotal, s.points, null, ct), cancellationToken);

    /// <summary>Pay with points, step 2: spends all (or part) of the order's hold when the order is placed; any rest is given back. Capturing again is a repeat.</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="orderId">The order the hold was placed for.</param>
    /// <param name="points">The points to spend, or null for the whole hold.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The settlement, or <see cref="LoyaltyErrorCode.HoldNotFound"/>, <see cref="LoyaltyErrorCode.HoldLapsed"/>, <see cref="LoyaltyErrorCode.HoldAlreadyReleased"/>, <see cref="LoyaltyErrorCode.CaptureExceedsHold"/>.</returns>
    /// <exception cref="ArgumentException">An id is default, or <paramref name="points"/> is not positive.</exception>
    public Task<LoyaltyResult<HoldSettlement>> CaptureHeldPointsAsync(MemberId memberId, OrderId orderId, Points? points = null, CancellationToken cancellationToken = default) =>
        diagnostics.CallAsync("capture_held_points", memberId, (rewardDesk, memberId, orderId, points), static (s, ct) => s.rewardDesk.CaptureHeldPointsAsync(s.memberId, s.orderId, s.points, null, ct), cancellationToken);

    /// <summary>Pay with points, step 2 (abandoned checkout): gives the order's hold back. Releasing again is a repeat.</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="orderId">The order the hold was placed for.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The settlement, or <see cref="LoyaltyErrorCode.HoldNotFound"/>, <see cref="LoyaltyErrorCode.HoldAlreadyCaptured"/>, <see cref="LoyaltyErrorCode.HoldLapsed"/>.</returns>
    /// <exception cref="ArgumentException">An id is default.</exception>
    public Task<LoyaltyResult<HoldSettlement>> ReleaseHeldPointsAsync(MemberId memberId, OrderId orderId, CancellationToken cancellationToken = default) =>
        diagnostics.CallAsync("release_held_points", memberId, (rewardDesk, memberId, orderId), static (s, ct) => s.rewardDesk.ReleaseHeldPointsAsync(s.memberId, s.orderId, ct), cancellationToken);

    // ---------------------------------------------------------------- reward codes

    /// <summary>
    /// Whether a reward code can be used by a member for an order (the checkout's check before
    /// payment): the code must be the member's, issued, before its expiry and with a use left; a code
    /// the order already used is valid for that order. Writes nothing.
    /// </summary>
    /// <param name="code">The code the member typed, as printed on the redemption receipt.</param>
    /// <param name="memberId">The member at checkout.</param>
    /// <param name="orderId">The order being paid.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The code with its benefit, expiry and uses left, or <see cref="LoyaltyErrorCode.RewardCodeNotFound"/>, <see cref="LoyaltyErrorCode.RewardCodeNotForMember"/>, <see cref="LoyaltyErrorCode.RewardCodeExpired"/>, <see cref="LoyaltyErrorCode.RewardCodeUsed"/> or <see cref="LoyaltyErrorCode.RewardCodeCancelled"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="code"/> is empty or an id is default.</exception>
    /// <exception cref="NotSupportedException">The catalogue store keeps no codes (it is not an <see cref="IRewardCodeStore"/>).</exception>
    public Task<LoyaltyResult<RewardCodeCheck>> ValidateCodeAsync(string code, MemberId memberId, OrderId orderId, CancellationToken cancellationToken = default) =>
        diagnostics.CallAsync("validate_code", memberId, (rewardDesk, code, memberId, orderId), static (s, ct) => s.rewardDesk.Codes.ValidateAsync(s.code, s.memberId, s.orderId, ct), cancellationToken);

    /// <summary>
    /// Uses a reward code for an order (when the order is placed): one use is recorded, atomically,
    /// so a single-use code is used by exactly one of several racing checkouts. Consuming again for the
    /// same order is a repeat.
    /// </summary>
    /// <param name="code">The code.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="orderId">The order, the use's idempotency key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The code after the use and the use, or the refusals of <see cref="ValidateCodeAsync"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="code"/> is empty or an id is default.</exception>
    /// <exception cref="NotSupportedException">The catalogue store keeps no codes.</exception>
    public Task<LoyaltyResult<RewardCodeCheck>> ConsumeCodeAsync(string code, MemberId memberId, OrderId orderId, CancellationToken cancellationToken = default) =>
        diagnostics.CallAsync("consume_code", memberId, (rewardDesk, code, memberId, orderId), static (s, ct) => s.rewardDesk.Codes.ConsumeAsync(s.code, s.memberId, s.orderId, ct), cancellationToken);

    /// <summary>
    /// Reward code maintenance as of an instant (run it with the nightly maintenance): every issued code
    /// past its expiry turns expired; one never used whose reward returns points on expiry first gives
    /// its points back into the lots they came from (with their expiry). Safe to re-run: a code expires,
    /// and its points come back, exactly once.
    /// </summary>
    /// <param name="asOf">The instant; not after the clock's current instant.</param>
    /// <param name="cancellationToken">Cancels the run between codes.</param>
    /// <returns>What the run did.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="asOf"/> is in the future.</exception>
    public Task<RewardCodeExpiryReport> ExpireRewardCodesAsync(Instant asOf, CancellationToken cancellationToken = default) =>
        diagnostics.CallPlainAsync("expire_reward_codes", (rewardDesk, asOf), static (s, ct) => s.rewardDesk.Codes.ExpireAsync(s.asOf, ct), cancellationToken);

    // ---------------------------------------------------------------- maintenance

    /// <summary>
    /// Maintenance of the whole programme as of an instant (run it daily): expires due lots, grants
    /// birthday points, re-evaluates every member's tier, and reports what changed — points that
    /// became spendable, points expiring within <paramref name="expiryWarningDays"/>, tier changes
    /// and downgrade warnings — so the shop can send its e-mails. Safe to re-run: nothing is done
    /// twice. The same as <see cref="RunMaintenanceAsync(Instant, MaintenanceScope, IProgress{MaintenanceProgress}?, CancellationToken)"/>
    /// with <see cref="MaintenanceScope.Whole"/>.
    /// </summary>
    /// <param name="asOf">The instant; not after the clock's current instant.</param>
    /// <param name="expiryWarningDays">The horizon of the expiry warnings, 1 to 3,660 days. Default 30.</param>
    /// <param name="cancellationToken">Cancels the run between members.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="asOf"/> is in the future, or <paramref name="expiryWarningDays"/> is out of range.</exception>
#pragma warning disable RS0027 // The shipped whole-programme overload keeps its optional parameters; the scoped overload has none.
    public Task<MaintenanceReport> RunMaintenanceAsync(Instant asOf, int expiryWarningDays = 30, CancellationToken cancellationToken = default)
#pragma warning restore RS0027
    {
        Preconditions.CheckInRange(expiryWarningDays, 1, 3660);
        var scope = MaintenanceScope.Whole with { ExpiryWarningDays = expiryWarningDays };
        return diagnostics.MaintenanceAsync(asOf, scope, null, pages => maintenance.RunAsync(asOf, scope, pages, cancellationToken));
    }

    /// <summary>
    /// Maintenance of one scope as of an instant: the members of one partition (so several workers
    /// split a night between them, each member maintained by exactly one), page by page, with
    /// progress reported after each page. Each page expires its members' due points, grants their
    /// birthday points, re-evaluates their tiers in one batch and writes them back; the cost of a page
    /// does not depend on its position, so a run is linear in the members. Safe to re-run, a page,
    /// a partition or the whole night: nothing is done twice.
    /// </summary>
    /// <param name="asOf">The instant; not after the clock's current instant. Workers splitting a night pass the same instant.</param>
    /// <param name="scope">The partition, page size, expiry warning horizon and resume point.</param>
    /// <param name="progress">Receives the progress after each page, or null.</param>
    /// <param name="cancellationToken">Cancels the run between members; the pages reported are done.</param>
    /// <returns>The report of the scope's members.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scope"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="asOf"/> is in the future, or a value of <paramref name="scope"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="scope"/>'s resume point is a default member id.</exception>
    public Task<MaintenanceReport> RunMaintenanceAsync(Instant asOf, MaintenanceScope scope, IProgress<MaintenanceProgress>? progress, CancellationToken cancellationToken)
    {
        Preconditions.CheckNotNull(scope);
        return diagnostics.MaintenanceAsync(asOf, scope, progress, pages => maintenance.RunAsync(asOf, scope, pages, cancellationToken));
    }
}
