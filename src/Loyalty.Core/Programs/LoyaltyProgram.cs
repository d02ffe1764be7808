using System.Diagnostics.Metrics;
using System.Globalization;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Internal;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Referrals;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.Options;
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
{
    private const int MaxUpdateAttempts = 16;

    private readonly IClock clock;
    private readonly PointsLedger ledger;
    private readonly IMemberStore members;
    private readonly IRuleSetStore ruleSets;
    private readonly IRewardCatalogStore rewards;
    private readonly ICampaignBudgetStore budgets;
    private readonly ILedgerStore ledgerStore;
    private readonly IRewardCodeGenerator rewardCodes;
    private readonly IReferralCodeGenerator referralCodes;
    private readonly ReferralPolicy referral;
    private readonly Duration returnWindow;
    private readonly TierEvaluator tierEvaluator;
    private readonly LoyaltyMetrics metrics;
    private readonly ProgramId programId;
    private readonly Currency currency;
    private readonly DateTimeZone zone;
    private readonly MaintenanceRunner maintenance;

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
    /// <param name="options">The programme options (referral policy).</param>
    /// <param name="meterFactory">The host's meter factory, or null to record no metrics.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
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
        IOptions<LoyaltyOptions> options,
        IMeterFactory? meterFactory = null)
    {
        this.clock = Preconditions.CheckNotNull(clock);
        Settings = Preconditions.CheckNotNull(settings);
        this.ledger = Preconditions.CheckNotNull(ledger);
        this.ledgerStore = Preconditions.CheckNotNull(ledgerStore);
        this.members = Preconditions.CheckNotNull(members);
        this.ruleSets = Preconditions.CheckNotNull(ruleSets);
        this.rewards = Preconditions.CheckNotNull(rewards);
        this.budgets = Preconditions.CheckNotNull(budgets);
        Tiers = Preconditions.CheckNotNull(tiers);
        this.rewardCodes = Preconditions.CheckNotNull(rewardCodes);
        this.referralCodes = Preconditions.CheckNotNull(referralCodes);
        referral = Preconditions.CheckNotNull(options).Value.Referral ?? new ReferralPolicy();
        returnWindow = Duration.FromTimeSpan(options.Value.Ledger?.PendingPeriod ?? TimeSpan.Zero);
        tierEvaluator = new TierEvaluator(tiers);
        programId = settings.ProgramId;
        currency = settings.Currency;
        zone = settings.TimeZone;
        metrics = new LoyaltyMetrics(meterFactory, programId);
        maintenance = new MaintenanceRunner(clock, settings, ledger, ledgerStore, members, tiers, metrics, RecordBirthdayAsync);
    }

    /// <summary>The programme's settings.</summary>
    public ProgramSettings Settings { get; }

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
    /// <exception cref="ArgumentException">The rule set is in another currency, or another version has the same version string or effective instant.</exception>
    public async Task<bool> PublishRuleSetAsync(EarningRuleSet ruleSet, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(ruleSet);
        if (ruleSet.Currency != currency)
        {
            throw new ArgumentException($"Rule set {ruleSet.Version} is in {ruleSet.Currency.Code} but the programme's currency is {currency.Code}; build it in {currency.Code}.", nameof(ruleSet));
        }

        return await ruleSets.AddAsync(programId, ruleSet, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds a reward to the catalogue, or replaces the one with the same id.</summary>
    /// <param name="reward">The reward.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The catalogue after the change.</returns>
    /// <exception cref="ArgumentException">The reward's money is in another currency, or it requires a tier that is not in the ladder.</exception>
    public async Task<RewardCatalog> PublishRewardAsync(RewardDefinition reward, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(reward);
        var rewardCurrency = reward.AmountOff?.Currency ?? reward.PayWithPointsTerms?.RateWorth.Currency;
        if (rewardCurrency is { } c && c != currency)
        {
            throw new ArgumentException($"Reward '{reward.Id}' is in {c.Code} but the programme's currency is {currency.Code}.", nameof(reward));
        }

        if (reward.RequiredTier is { } tier && !Tiers.Contains(tier))
        {
            throw new ArgumentException($"Reward '{reward.Id}' requires tier '{tier}', which is not in the ladder; known tiers are {string.Join(", ", Tiers.Tiers.Select(t => $"'{t.Id}'"))}.", nameof(reward));
        }

        var catalog = (await rewards.GetCatalogAsync(programId, cancellationToken).ConfigureAwait(false)).WithReward(reward);
        await rewards.SaveCatalogAsync(programId, catalog, cancellationToken).ConfigureAwait(false);
        return catalog;
    }

    /// <summary>Reads the rewards catalogue.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The catalogue.</returns>
    public async Task<RewardCatalog> GetCatalogAsync(CancellationToken cancellationToken = default) =>
        await rewards.GetCatalogAsync(programId, cancellationToken).ConfigureAwait(false);

    // ---------------------------------------------------------------- members

    /// <summary>
    /// Enrols a member: a profile with a new referral code, the referrer linked when a code is
    /// given, and the rule set's sign-up activity rules applied (a welcome bonus). Enrolling the
    /// same member again with the same details is a repeat.
    /// </summary>
    /// <param name="enrolment">The member, enrolment instant, birth date and referral code.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The profile, or <see cref="LoyaltyErrorCode.MemberAlreadyEnrolled"/> or <see cref="LoyaltyErrorCode.ReferralCodeUnknown"/>.</returns>
    /// <exception cref="ArgumentException">The member id is default.</exception>
    public async Task<LoyaltyResult<MemberProfile>> EnrolAsync(Enrolment enrolment, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(enrolment);
        Preconditions.CheckNotDefault(enrolment.MemberId.IsDefault, nameof(MemberId), nameof(enrolment));
        if (enrolment.ReferralCode is { IsDefault: true })
        {
            throw new ArgumentException("Enrolment.ReferralCode must not be default(ReferralCode); pass null when the member gave no code.", nameof(enrolment));
        }

        var memberId = enrolment.MemberId;
        var existing = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        MemberId? referrer = null;
        if (enrolment.ReferralCode is { } code)
        {
            var owner = await members.FindByReferralCodeAsync(programId, code, cancellationToken).ConfigureAwait(false);
            if (owner is null)
            {
                return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.ReferralCodeUnknown, $"No member of the programme has the referral code {code}.");
            }

            if (owner.MemberId == memberId)
            {
                return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.SelfReferral, $"Member '{memberId}' cannot use their own referral code {code}.");
            }

            referrer = owner.MemberId;
        }

        if (existing is not null)
        {
            return await RepeatEnrolmentAsync(existing, enrolment, referrer, cancellationToken).ConfigureAwait(false);
        }

        var enrolledAt = enrolment.EnrolledAt ?? clock.GetCurrentInstant();
        for (var attempt = 0; attempt < IReferralCodeGenerator.MaxAttempts; attempt++)
        {
            var record = new MemberRecord
            {
                ProgramId = programId,
                MemberId = memberId,
                EnrolledAt = enrolledAt,
                BirthDate = enrolment.BirthDate,
                ReferralCode = referralCodes.Generate(memberId, attempt),
                ReferredBy = referrer,
            };
            var status = await members.AddMemberAsync(record, cancellationToken).ConfigureAwait(false);
            switch (status)
            {
                case MemberAddStatus.Added:
                    var welcome = await ApplySignUpAsync(record, cancellationToken).ConfigureAwait(false);
                    return LoyaltyResult<MemberProfile>.Success(ToProfile(record, welcome));
                case MemberAddStatus.MemberExists:
                    var winner = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
                    return await RepeatEnrolmentAsync(winner!, enrolment, referrer, cancellationToken).ConfigureAwait(false);
                default:
                    continue;
            }
        }

        throw new InvalidOperationException($"The referral code generator returned taken codes {IReferralCodeGenerator.MaxAttempts} times for member '{memberId}'; make it produce more distinct codes.");
    }

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
    public async Task<LoyaltyResult<MemberProfile>> ApplyReferralCodeAsync(MemberId memberId, ReferralCode code, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        if (code.IsDefault)
        {
            throw new ArgumentException("code must not be default(ReferralCode); create one with ReferralCode.From(...).", nameof(code));
        }

        var member = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return NotEnrolled<MemberProfile>(memberId);
        }

        var owner = await members.FindByReferralCodeAsync(programId, code, cancellationToken).ConfigureAwait(false);
        if (owner is null)
        {
            return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.ReferralCodeUnknown, $"No member of the programme has the referral code {code}.");
        }

        if (owner.MemberId == memberId)
        {
            return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.SelfReferral, $"Member '{memberId}' cannot use their own referral code {code}.");
        }

        if (member.ReferredBy is { } current)
        {
            return current == owner.MemberId
                ? LoyaltyResult<MemberProfile>.Success(ToProfile(member, await WelcomePointsAsync(member, cancellationToken).ConfigureAwait(false)), isRepeat: true)
                : LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.AlreadyReferred, $"Member '{memberId}' was already referred by '{current}'; a second referrer is refused.");
        }

        // Walk up the referrer's chain: reaching the member would make a loop.
        var seen = new HashSet<MemberId> { owner.MemberId };
        for (var up = owner.ReferredBy; up is { } next; )
        {
            if (next == memberId)
            {
                return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.ReferralLoop, $"Member '{owner.MemberId}' was referred (directly or not) by '{memberId}'; referring back would make a loop.");
            }

            if (!seen.Add(next))
            {
                break;
            }

            up = (await members.GetMemberAsync(programId, next, cancellationToken).ConfigureAwait(false))?.ReferredBy;
        }

        var history = await members.GetHistoryAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        if (member.ReferralCompletedBy is not null || history.Orders.Any(IsQualifyingForReferral))
        {
            return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.ReferralTooLate, $"Member '{memberId}' already placed a qualifying order; a referral can only be linked before the first one.");
        }

        var updated = await UpdateMemberAsync(memberId, m => m.ReferredBy is null ? m with { ReferredBy = owner.MemberId } : null, cancellationToken).ConfigureAwait(false);
        if (updated.ReferredBy != owner.MemberId)
        {
            return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.AlreadyReferred, $"Member '{memberId}' was already referred by '{updated.ReferredBy}'; a second referrer is refused.");
        }

        return LoyaltyResult<MemberProfile>.Success(ToProfile(updated, await WelcomePointsAsync(updated, cancellationToken).ConfigureAwait(false)));
    }

    // ---------------------------------------------------------------- orders, refunds, activities

    /// <summary>
    /// Records an order: earned under the rule set in force when it was placed, with the member's
    /// tier multiplier at that instant; credited as points pending until the return window ends;
    /// counted towards tier qualification; completing the member's referral if it is their first
    /// qualifying order. Recording the same order again is a repeat and earns nothing more.
    /// </summary>
    /// <param name="order">The order, in the programme's currency.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The receipt, or <see cref="LoyaltyErrorCode.MemberNotFound"/>, <see cref="LoyaltyErrorCode.NoRuleSetInForce"/> or <see cref="LoyaltyErrorCode.IdempotencyConflict"/>.</returns>
    /// <exception cref="ArgumentException">The order is in another currency than the programme's.</exception>
    public async Task<LoyaltyResult<OrderReceipt>> RecordOrderAsync(EarningOrder order, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(order);
        CheckCurrency(order, nameof(order));
        var fingerprint = Fingerprint.Of(order);

        var existing = await members.GetOrderAsync(programId, order.Id, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return await CompleteOrderAsync(existing, fingerprint, isNew: false, cancellationToken).ConfigureAwait(false);
        }

        var member = await members.GetMemberAsync(programId, order.Member, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return NotEnrolled<OrderReceipt>(order.Member);
        }

        var history = await ruleSets.GetHistoryAsync(programId, cancellationToken).ConfigureAwait(false);
        if (history.InForceAt(order.PlacedAt) is not { } ruleSet)
        {
            return NoRules<OrderReceipt>(order.PlacedAt);
        }

        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            // The order is evaluated from the member's history and written only if that history has
            // not changed since (another order, refund or activity of the member): otherwise it is
            // re-read and re-evaluated, so first-order rules and per-member caps see every order.
            var memberHistory = await members.GetHistoryAsync(programId, order.Member, cancellationToken).ConfigureAwait(false);
            var (context, tierAtOrder) = Context(member, memberHistory, order.PlacedAt, order.Id);
            var key = DerivedIds.Order(order.Id);
            var usage = await UsageAsync(ruleSet, memberHistory, key, cancellationToken).ConfigureAwait(false);
            var earning = await EvaluateWithinBudgetsAsync(ruleSet, usage, key, u => EarningEngine.Instance.Evaluate(ruleSet, order, context, u), cancellationToken).ConfigureAwait(false);
            var record = new OrderRecord
            {
                ProgramId = programId,
                MemberId = order.Member,
                OrderId = order.Id,
                Fingerprint = fingerprint,
                Order = order,
                Earning = earning,
                Tier = tierAtOrder,
                TransactionId = key,
                RecordedAt = clock.GetCurrentInstant(),
            };
            var added = await members.AddOrderAsync(record, memberHistory.Version, cancellationToken).ConfigureAwait(false);
            switch (added.Status)
            {
                case HistoryAddStatus.Added:
                    return await CompleteOrderAsync(record, fingerprint, isNew: true, cancellationToken).ConfigureAwait(false);
                case HistoryAddStatus.Exists:
                    return await CompleteOrderAsync(added.Existing!, fingerprint, isNew: false, cancellationToken).ConfigureAwait(false);
                default:
                    await PauseAsync(attempt, cancellationToken).ConfigureAwait(false);
                    continue;
            }
        }

        throw HistoryKeptChanging($"Order '{order.Id}'", order.Member);
    }

    /// <summary>
    /// Records a refund of all or part of a recorded order: takes back exactly what the refunded
    /// part earned (from the order's own lot first, then under the programme's shortfall policy)
    /// and reduces tier qualification. Recording the same refund again is a repeat.
    /// </summary>
    /// <param name="refund">The refund.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The receipt, or <see cref="LoyaltyErrorCode.OrderNotFound"/>, <see cref="LoyaltyErrorCode.RefundExceedsOrder"/> or <see cref="LoyaltyErrorCode.IdempotencyConflict"/>.</returns>
    /// <exception cref="ArgumentException">The refund names a line the order does not have.</exception>
    public async Task<LoyaltyResult<RefundReceipt>> RecordRefundAsync(RefundRequest refund, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(refund);
        Preconditions.CheckNotDefault(refund.RefundId.IsDefault, nameof(RefundId), nameof(refund));
        Preconditions.CheckNotDefault(refund.OrderId.IsDefault, nameof(OrderId), nameof(refund));
        Preconditions.CheckNotNull(refund.Refund, nameof(refund));
        var refundedAt = refund.RefundedAt ?? clock.GetCurrentInstant();

        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            var existing = await members.GetRefundAsync(programId, refund.RefundId, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                var same = refund.RefundedAt is null
                    ? existing.Fingerprint == Fingerprint.Of(refund, existing.RefundedAt)
                    : existing.Fingerprint == Fingerprint.Of(refund, refundedAt);
                return same
                    ? await CompleteRefundAsync(existing, isRepeat: true, cancellationToken).ConfigureAwait(false)
                    : Conflict<RefundReceipt>($"Refund '{refund.RefundId}' was recorded with other content; use a new refund id for another refund.");
            }

            var order = await members.GetOrderAsync(programId, refund.OrderId, cancellationToken).ConfigureAwait(false);
            if (order is null)
            {
                return LoyaltyResult<RefundReceipt>.Failure(LoyaltyErrorCode.OrderNotFound, $"Order '{refund.OrderId}' was never recorded; record it before refunding it.");
            }

            var previous = await members.ListRefundsAsync(programId, refund.OrderId, cancellationToken).ConfigureAwait(false);
            if (RefundExcess(order.Order, previous, refund.Refund) is { } excess)
            {
                return LoyaltyResult<RefundReceipt>.Failure(LoyaltyErrorCode.RefundExceedsOrder, excess);
            }

            var result = EarningEngine.Instance.ComputeRefund(order.Order, order.Earning, previous.Select(p => p.Refund).ToArray(), refund.Refund);
            var record = new RefundRecord
            {
                ProgramId = programId,
                MemberId = order.MemberId,
                RefundId = refund.RefundId,
                OrderId = refund.OrderId,
                Fingerprint = Fingerprint.Of(refund, refundedAt),
                Refund = refund.Refund,
                Result = result,
                Amount = Money.FromDecimal(RefundedValue(order.Order, refund.Refund), currency),
                RefundedAt = refundedAt,
                TransactionId = result.Total.IsPositive && order.Earning.Total.IsPositive ? DerivedIds.Refund(refund.RefundId) : null,
                RecordedAt = clock.GetCurrentInstant(),
            };
            var added = await members.AddRefundAsync(record, previous.Count, cancellationToken).ConfigureAwait(false);
            switch (added.Status)
            {
                case RefundAddStatus.Added:
                    return await CompleteRefundAsync(record, isRepeat: false, cancellationToken).ConfigureAwait(false);
                case RefundAddStatus.Exists:
                    continue;
                default:
                    continue; // another refund of the order was written meanwhile: recompute from the new state
            }
        }

        throw new LoyaltyStoreException($"Refund '{refund.RefundId}' could not be written after {MaxUpdateAttempts} attempts because other refunds of order '{refund.OrderId}' kept being written; retry it.", isTransient: true);
    }

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
    public async Task<LoyaltyResult<ActivityReceipt>> RecordActivityAsync(ActivityId activityId, ActivityInput activity, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(activityId.IsDefault, nameof(ActivityId), nameof(activityId));
        Preconditions.CheckNotNull(activity);
        return await RecordActivityCoreAsync(activityId, activity, skipWhenNothingEarned: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What a cart would earn for a member, under the rules in force at the cart's instant. Writes nothing.</summary>
    /// <param name="cart">The cart, as an order; an unknown member is quoted as a new member with no tier.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The quote, or <see cref="LoyaltyErrorCode.NoRuleSetInForce"/>.</returns>
    /// <exception cref="ArgumentException">The cart is in another currency than the programme's.</exception>
    public async Task<LoyaltyResult<EarningQuote>> QuoteAsync(EarningOrder cart, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(cart);
        CheckCurrency(cart, nameof(cart));
        var history = await ruleSets.GetHistoryAsync(programId, cancellationToken).ConfigureAwait(false);
        if (history.InForceAt(cart.PlacedAt) is not { } ruleSet)
        {
            return NoRules<EarningQuote>(cart.PlacedAt);
        }

        var member = await members.GetMemberAsync(programId, cart.Member, cancellationToken).ConfigureAwait(false);
        var context = MemberContext.Default;
        var usage = EarningUsage.Empty;
        if (member is not null)
        {
            var memberHistory = await members.GetHistoryAsync(programId, cart.Member, cancellationToken).ConfigureAwait(false);
            context = Context(member, memberHistory, cart.PlacedAt, cart.Id).Context;
            usage = Usage(memberHistory);
        }

        usage = await WithCampaignUsageAsync(ruleSet, usage, DerivedIds.Order(cart.Id), cancellationToken).ConfigureAwait(false);

        var quote = EarningEngine.Instance.Quote(ruleSet, cart, context, usage);
        return LoyaltyResult<EarningQuote>.Success(new EarningQuote(quote.Total, ruleSet.Version, Explanations.For(quote, ruleSet), quote));
    }

    /// <summary>A member's summary: balances, points expiring soon, tier and progress, perks, redemptions.</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="expiringWithinDays">The horizon for points expiring soon, 1 to 3,660 days. Default 30.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The summary, or <see cref="LoyaltyErrorCode.MemberNotFound"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default or <paramref name="expiringWithinDays"/> is out of range.</exception>
    public async Task<LoyaltyResult<MemberSummary>> GetMemberSummaryAsync(MemberId memberId, int expiringWithinDays = 30, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        Preconditions.CheckInRange(expiringWithinDays, 1, 3660);
        var member = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return NotEnrolled<MemberSummary>(memberId);
        }

        var now = clock.GetCurrentInstant();
        var history = await members.GetHistoryAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        var summary = new MemberSummary
        {
            Profile = ToProfile(member, WelcomePoints(member, history)),
            AsOf = now,
            Balance = await ledger.GetBalanceAsync(memberId, cancellationToken).ConfigureAwait(false),
            ExpiringSoon = await ledger.GetExpiryScheduleAsync(memberId, expiringWithinDays, cancellationToken).ConfigureAwait(false),
            Tier = EvaluateTier(member, history, now),
            Redemptions = await rewards.ListRedemptionsAsync(programId, memberId, cancellationToken).ConfigureAwait(false),
        };
        return LoyaltyResult<MemberSummary>.Success(summary);
    }

    // ---------------------------------------------------------------- rewards

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
    public async Task<LoyaltyResult<RewardRedemption>> RedeemRewardAsync(MemberId memberId, RewardId rewardId, RedemptionId redemptionId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        Preconditions.CheckNotDefault(rewardId.IsDefault, nameof(RewardId), nameof(rewardId));
        Preconditions.CheckNotDefault(redemptionId.IsDefault, nameof(RedemptionId), nameof(redemptionId));

        var existing = await rewards.GetRedemptionAsync(programId, redemptionId, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing.MemberId == memberId && existing.RewardId == rewardId
                ? LoyaltyResult<RewardRedemption>.Success(existing, isRepeat: true)
                : Conflict<RewardRedemption>($"Redemption '{redemptionId}' was made for member '{existing.MemberId}' and reward '{existing.RewardId}'; use a new redemption id.");
        }

        var member = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return NotEnrolled<RewardRedemption>(memberId);
        }

        var now = clock.GetCurrentInstant();
        var (reward, refusal) = await FindOfferedRewardAsync(member, rewardId, expectPayWithPoints: false, now, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return LoyaltyResult<RewardRedemption>.Failure(refusal.Code, refusal.Message);
        }

        var balance = await ledger.GetBalanceAsync(memberId, cancellationToken).ConfigureAwait(false);
        var transactionId = DerivedIds.Redemption(redemptionId);
        var alreadySpent = await ledger.FindTransactionAsync(transactionId, cancellationToken).ConfigureAwait(false) is not null;
        if (!alreadySpent && balance.Available < reward!.Cost)
        {
            return Insufficient<RewardRedemption>(memberId, reward.Cost, balance.Available);
        }

        if (reward!.Stock is { } stock)
        {
            var claim = await rewards.ClaimStockAsync(programId, rewardId, redemptionId, stock, cancellationToken).ConfigureAwait(false);
            if (claim == StockClaimStatus.OutOfStock)
            {
                return LoyaltyResult<RewardRedemption>.Failure(LoyaltyErrorCode.RewardOutOfStock, $"Reward '{rewardId}' is out of stock: all {stock} units are redeemed.");
            }
        }

        var spent = await ledger.RedeemAsync(new RedeemPoints(transactionId, memberId, reward.Cost), cancellationToken).ConfigureAwait(false);
        if (!spent.Succeeded)
        {
            if (reward.Stock is not null)
            {
                await rewards.ReturnStockAsync(programId, rewardId, redemptionId, cancellationToken).ConfigureAwait(false);
            }

            return spent.ErrorCode == LedgerErrorCode.InsufficientPoints
                ? Insufficient<RewardRedemption>(memberId, reward.Cost, (await ledger.GetBalanceAsync(memberId, cancellationToken).ConfigureAwait(false)).Available)
                : FromLedger<RewardRedemption>(spent);
        }

        var code = rewardCodes.Generate(reward, memberId, redemptionId);
        CheckCode(code);
        var redemption = new RewardRedemption
        {
            ProgramId = programId,
            Id = redemptionId,
            MemberId = memberId,
            RewardId = rewardId,
            RewardName = reward.Name,
            Kind = reward.Kind,
            Benefit = reward.DescribeBenefit(),
            PointsSpent = reward.Cost,
            Code = code,
            RedeemedAt = spent.Transaction!.RecordedAt,
            LedgerTransactionId = transactionId,
        };
        var stored = await rewards.AddRedemptionAsync(redemption, cancellationToken).ConfigureAwait(false);
        var isNew = ReferenceEquals(stored, redemption);
        if (isNew && !spent.IsRepeat)
        {
            metrics.Redeemed(reward.Cost);
        }

        return LoyaltyResult<RewardRedemption>.Success(stored, isRepeat: !isNew);
    }

    /// <summary>
    /// Cancels a redemption: the points go back into the lots they came from (with their original
    /// expiry) and the unit back to stock. Cancelling again is a repeat.
    /// </summary>
    /// <param name="redemptionId">The redemption.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The cancelled receipt, or <see cref="LoyaltyErrorCode.RedemptionNotFound"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="redemptionId"/> is default.</exception>
    public async Task<LoyaltyResult<RewardRedemption>> CancelRedemptionAsync(RedemptionId redemptionId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(redemptionId.IsDefault, nameof(RedemptionId), nameof(redemptionId));
        var redemption = await rewards.GetRedemptionAsync(programId, redemptionId, cancellationToken).ConfigureAwait(false);
        if (redemption is null)
        {
            return LoyaltyResult<RewardRedemption>.Failure(LoyaltyErrorCode.RedemptionNotFound, $"Redemption '{redemptionId}' was never made.");
        }

        var wasCancelled = redemption.Status == RedemptionStatus.Cancelled;
        var reversal = await ledger.ReverseAsync(
            new ReversePoints(DerivedIds.RedemptionCancel(redemptionId), redemption.MemberId, redemption.LedgerTransactionId, redemption.PointsSpent) { Reason = "redemption cancelled" },
            cancellationToken).ConfigureAwait(false);
        if (!reversal.Succeeded)
        {
            return FromLedger<RewardRedemption>(reversal);
        }

        await rewards.ReturnStockAsync(programId, redemption.RewardId, redemptionId, cancellationToken).ConfigureAwait(false);
        var cancelled = await rewards.MarkCancelledAsync(programId, redemptionId, reversal.Transaction!.RecordedAt, cancellationToken).ConfigureAwait(false);
        return LoyaltyResult<RewardRedemption>.Success(cancelled!, isRepeat: wasCancelled);
    }

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
    public async Task<LoyaltyResult<PointsHold>> HoldPointsAsync(MemberId memberId, RewardId rewardId, OrderId orderId, Money orderTotal, Points points, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        Preconditions.CheckNotDefault(rewardId.IsDefault, nameof(RewardId), nameof(rewardId));
        Preconditions.CheckNotDefault(orderId.IsDefault, nameof(OrderId), nameof(orderId));
        Preconditions.CheckPositive(points.Value, nameof(points));
        if (orderTotal.Currency != currency || orderTotal.IsNegative)
        {
            throw new ArgumentException($"orderTotal must be 0 or more in {currency.Code}, the programme's currency (was {orderTotal}).", nameof(orderTotal));
        }

        var member = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return NotEnrolled<PointsHold>(memberId);
        }

        var now = clock.GetCurrentInstant();
        var (reward, refusal) = await FindOfferedRewardAsync(member, rewardId, expectPayWithPoints: true, now, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return LoyaltyResult<PointsHold>.Failure(refusal.Code, refusal.Message);
        }

        var terms = reward!.PayWithPointsTerms!;
        if (points < terms.MinimumPoints)
        {
            return LoyaltyResult<PointsHold>.Failure(LoyaltyErrorCode.BelowMinimumPoints, $"At least {terms.MinimumPoints} points must be used at once (asked {points}).");
        }

        var maximum = terms.MaximumPointsFor(orderTotal);
        if (points > maximum)
        {
            return LoyaltyResult<PointsHold>.Failure(LoyaltyErrorCode.AboveMaximumShare, string.Create(CultureInfo.InvariantCulture, $"Points may pay at most {terms.MaximumShareOfOrder * 100m:0.##}% of a {orderTotal} order, that is {maximum} points (asked {points})."));
        }

        var held = await ledger.HoldAsync(new HoldPoints(DerivedIds.Hold(orderId), memberId, points), cancellationToken).ConfigureAwait(false);
        if (!held.Succeeded)
        {
            return held.ErrorCode == LedgerErrorCode.InsufficientPoints
                ? Insufficient<PointsHold>(memberId, points, (await ledger.GetBalanceAsync(memberId, cancellationToken).ConfigureAwait(false)).Available)
                : FromLedger<PointsHold>(held);
        }

        var transaction = held.Transaction!;
        return LoyaltyResult<PointsHold>.Success(
            new PointsHold
            {
                OrderId = orderId,
                MemberId = memberId,
                HoldId = transaction.Id,
                Points = points,
                Value = terms.ValueOf(points),
                ExpiresAt = transaction.ExpiresAt ?? transaction.RecordedAt,
            },
            held.IsRepeat);
    }

    /// <summary>Pay with points, step 2: spends all (or part) of the order's hold when the order is placed; any rest is given back. Capturing again is a repeat.</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="orderId">The order the hold was placed for.</param>
    /// <param name="points">The points to spend, or null for the whole hold.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The settlement, or <see cref="LoyaltyErrorCode.HoldNotFound"/>, <see cref="LoyaltyErrorCode.HoldLapsed"/>, <see cref="LoyaltyErrorCode.HoldAlreadyReleased"/>, <see cref="LoyaltyErrorCode.CaptureExceedsHold"/>.</returns>
    /// <exception cref="ArgumentException">An id is default, or <paramref name="points"/> is not positive.</exception>
    public async Task<LoyaltyResult<HoldSettlement>> CaptureHeldPointsAsync(MemberId memberId, OrderId orderId, Points? points = null, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        Preconditions.CheckNotDefault(orderId.IsDefault, nameof(OrderId), nameof(orderId));
        if (points is { } p)
        {
            Preconditions.CheckPositive(p.Value, nameof(points));
        }

        var captured = await ledger.CaptureAsync(new CaptureHold(DerivedIds.Capture(orderId), memberId, DerivedIds.Hold(orderId), points), cancellationToken).ConfigureAwait(false);
        if (!captured.Succeeded)
        {
            return FromLedger<HoldSettlement>(captured);
        }

        var hold = await ledgerStore.GetHoldAsync(new LedgerAccountKey(programId, memberId), DerivedIds.Hold(orderId), cancellationToken).ConfigureAwait(false);
        var spent = Points.FromInt64(hold?.Captured ?? captured.Transaction!.Amount);
        var returned = Points.FromInt64(hold?.Amount ?? spent.Value) - spent;
        if (!captured.IsRepeat)
        {
            metrics.Redeemed(spent);
        }

        return LoyaltyResult<HoldSettlement>.Success(new HoldSettlement(orderId, memberId, captured.Transaction!.Id, spent, returned), captured.IsRepeat);
    }

    /// <summary>Pay with points, step 2 (abandoned checkout): gives the order's hold back. Releasing again is a repeat.</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="orderId">The order the hold was placed for.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The settlement, or <see cref="LoyaltyErrorCode.HoldNotFound"/>, <see cref="LoyaltyErrorCode.HoldAlreadyCaptured"/>, <see cref="LoyaltyErrorCode.HoldLapsed"/>.</returns>
    /// <exception cref="ArgumentException">An id is default.</exception>
    public async Task<LoyaltyResult<HoldSettlement>> ReleaseHeldPointsAsync(MemberId memberId, OrderId orderId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        Preconditions.CheckNotDefault(orderId.IsDefault, nameof(OrderId), nameof(orderId));
        var released = await ledger.ReleaseAsync(new ReleaseHold(DerivedIds.Release(orderId), memberId, DerivedIds.Hold(orderId)), cancellationToken).ConfigureAwait(false);
        if (!released.Succeeded)
        {
            return FromLedger<HoldSettlement>(released);
        }

        var transaction = released.Transaction!;
        return LoyaltyResult<HoldSettlement>.Success(new HoldSettlement(orderId, memberId, transaction.Id, Points.Zero, Points.FromInt64(Math.Abs(transaction.Amount))), released.IsRepeat);
    }

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
        return maintenance.RunAsync(asOf, MaintenanceScope.Whole with { ExpiryWarningDays = expiryWarningDays }, null, cancellationToken);
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
        => maintenance.RunAsync(asOf, Preconditions.CheckNotNull(scope), progress, cancellationToken);

    // ---------------------------------------------------------------- internals

    private static LoyaltyResult<T> NotEnrolled<T>(MemberId memberId)
        where T : class =>
        LoyaltyResult<T>.Failure(LoyaltyErrorCode.MemberNotFound, $"Member '{memberId}' is not enrolled in the programme; enrol them first.");

    private static LoyaltyResult<T> NoRules<T>(Instant at)
        where T : class =>
        LoyaltyResult<T>.Failure(LoyaltyErrorCode.NoRuleSetInForce, $"No earning rule set is in force at {at}; publish one whose effective instant is at or before it.");

    private static LoyaltyResult<T> Conflict<T>(string message)
        where T : class =>
        LoyaltyResult<T>.Failure(LoyaltyErrorCode.IdempotencyConflict, message);

    /// <summary>A short random pause before retrying after a conflict (longer as attempts add up), so racing writers spread out.</summary>
    private static Task PauseAsync(int attempt, CancellationToken cancellationToken) =>
        attempt == 0 ? Task.CompletedTask : Task.Delay(Random.Shared.Next(1, 2 << Math.Min(attempt, 6)), cancellationToken);

    private static LoyaltyStoreException HistoryKeptChanging(string what, MemberId memberId) =>
        new($"{what} could not be written after {MaxUpdateAttempts} attempts because the history of member '{memberId}' kept changing (other orders, refunds or activities being recorded); retry it.", isTransient: true);

    private static LoyaltyResult<T> Insufficient<T>(MemberId memberId, Points needed, Points available)
        where T : class =>
        LoyaltyResult<T>.Failure(LoyaltyErrorCode.InsufficientPoints, $"Member '{memberId}' has {available} points available; {needed} are needed.");

    private static LoyaltyResult<T> FromLedger<T>(LedgerResult result)
        where T : class
    {
        var code = result.ErrorCode switch
        {
            LedgerErrorCode.InsufficientPoints => LoyaltyErrorCode.InsufficientPoints,
            LedgerErrorCode.IdempotencyConflict => LoyaltyErrorCode.IdempotencyConflict,
            LedgerErrorCode.HoldNotFound => LoyaltyErrorCode.HoldNotFound,
            LedgerErrorCode.HoldAlreadyCaptured => LoyaltyErrorCode.HoldAlreadyCaptured,
            LedgerErrorCode.HoldAlreadyReleased => LoyaltyErrorCode.HoldAlreadyReleased,
            LedgerErrorCode.HoldLapsed => LoyaltyErrorCode.HoldLapsed,
            LedgerErrorCode.CaptureExceedsHold => LoyaltyErrorCode.CaptureExceedsHold,
            _ => throw new InvalidOperationException($"The ledger refused a write the programme derived itself: {result}."),
        };
        return LoyaltyResult<T>.Failure(code, result.Error!.Message);
    }

    private static void CheckCode(string code)
    {
        if (string.IsNullOrWhiteSpace(code) || code.Length > 64 || code.Any(char.IsControl))
        {
            throw new InvalidOperationException($"The reward code generator returned \"{code}\"; a code must be 1 to 64 characters without control characters.");
        }
    }

    private static decimal RefundedValue(EarningOrder order, OrderRefund refund)
    {
        if (refund.Lines.Count == 0)
        {
            return refund.Amount;
        }

        decimal total = 0m;
        foreach (var line in refund.Lines)
        {
            if (line.LineIndex >= order.Lines.Count)
            {
                throw new ArgumentException($"Refund line {line.LineIndex} does not exist; order '{order.Id}' has {order.Lines.Count} lines (0 to {order.Lines.Count - 1}).", nameof(refund));
            }

            var ordered = order.Lines[line.LineIndex];
            total += ordered.NetAmount * line.Quantity / ordered.Quantity;
        }

        return total;
    }

    private static string? RefundExcess(EarningOrder order, IReadOnlyList<RefundRecord> previous, OrderRefund refund)
    {
        var value = RefundedValue(order, refund);
        if (refund.Lines.Count > 0)
        {
            foreach (var group in refund.Lines.GroupBy(l => l.LineIndex))
            {
                var before = previous.SelectMany(p => p.Refund.Lines).Where(l => l.LineIndex == group.Key).Sum(l => l.Quantity);
                var ordered = order.Lines[group.Key].Quantity;
                if (before + group.Sum(l => l.Quantity) > ordered)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"Line {group.Key} of order '{order.Id}' has {ordered} units, {before} already refunded; {group.Sum(l => l.Quantity)} more cannot be refunded.");
                }
            }
        }

        var refunded = previous.Sum(p => p.Amount.Amount);
        if (refunded + value > order.NetSubtotal)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Order '{order.Id}' has a net subtotal of {order.NetSubtotal:0.00##} with {refunded:0.00##} already refunded; {value:0.00##} more cannot be refunded.");
        }

        return null;
    }

    private static bool SameEnrolment(MemberRecord existing, Enrolment enrolment, MemberId? referrer) =>
        (enrolment.EnrolledAt is null || enrolment.EnrolledAt == existing.EnrolledAt)
        && enrolment.BirthDate == existing.BirthDate
        && (referrer is null || referrer == existing.ReferredBy);

    private void CheckCurrency(EarningOrder order, string paramName)
    {
        if (order.Currency != currency)
        {
            throw new ArgumentException($"Order '{order.Id}' is in {order.Currency.Code} but the programme's currency is {currency.Code}; no conversion is made, convert it before recording.", paramName);
        }
    }

    private async Task<LoyaltyResult<MemberProfile>> RepeatEnrolmentAsync(MemberRecord existing, Enrolment enrolment, MemberId? referrer, CancellationToken cancellationToken)
    {
        if (!SameEnrolment(existing, enrolment, referrer))
        {
            return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.MemberAlreadyEnrolled, $"Member '{existing.MemberId}' is already enrolled (since {existing.EnrolledAt}) with other details.");
        }

        // A retry completes what an interrupted enrolment left undone (the welcome bonus).
        var welcome = await ApplySignUpAsync(existing, cancellationToken).ConfigureAwait(false);
        return LoyaltyResult<MemberProfile>.Success(ToProfile(existing, welcome), isRepeat: true);
    }

    private async Task<Points> ApplySignUpAsync(MemberRecord member, CancellationToken cancellationToken)
    {
        var result = await RecordActivityCoreAsync(DerivedIds.SignUp(member.MemberId), new ActivityInput(ActivityKind.SignUp, member.MemberId, member.EnrolledAt), skipWhenNothingEarned: true, cancellationToken).ConfigureAwait(false);
        return result.Value?.Points ?? Points.Zero;
    }

    private async Task<Points> WelcomePointsAsync(MemberRecord member, CancellationToken cancellationToken) =>
        (await members.GetActivityAsync(programId, DerivedIds.SignUp(member.MemberId), cancellationToken).ConfigureAwait(false))?.Earning.Total ?? Points.Zero;

    private Points WelcomePoints(MemberRecord member, MemberHistory history)
    {
        var signUp = DerivedIds.SignUp(member.MemberId);
        return history.Activities.FirstOrDefault(a => a.ActivityId == signUp)?.Earning.Total ?? Points.Zero;
    }

    private MemberProfile ToProfile(MemberRecord member, Points welcome) =>
        new(member.MemberId, member.EnrolledAt, member.BirthDate, member.ReferralCode, member.ReferredBy, welcome);

    private bool IsQualifyingForReferral(OrderRecord order) => order.Order.NetSubtotal >= referral.MinimumOrderAmount;

    private async Task<LoyaltyResult<OrderReceipt>> CompleteOrderAsync(OrderRecord record, string fingerprint, bool isNew, CancellationToken cancellationToken)
    {
        var history = await ruleSets.GetHistoryAsync(programId, cancellationToken).ConfigureAwait(false);
        var ruleSet = history.Versions.FirstOrDefault(v => v.Version == record.Earning.RuleSetVersion);
        await SettleBudgetsAsync(ruleSet, record.TransactionId, record.Earning, cancellationToken).ConfigureAwait(false);
        if (record.Fingerprint != fingerprint)
        {
            return Conflict<OrderReceipt>($"Order '{record.OrderId}' was recorded with other content (member '{record.MemberId}', placed at {record.Order.PlacedAt}); use a new order id for another order.");
        }

        // Every step below is idempotent, so a retry completes what an interrupted call left undone.
        Instant? availableAt = null;
        if (record.Earning.Total.IsPositive)
        {
            var earned = await ledger.EarnAsync(OrderEarn(record), cancellationToken).ConfigureAwait(false);
            if (!earned.Succeeded)
            {
                return FromLedger<OrderReceipt>(earned);
            }

            availableAt = earned.Transaction!.AvailableAt;
            if (!earned.IsRepeat)
            {
                metrics.Earned(record.Earning.Total);
            }
        }

        if (isNew)
        {
            metrics.OrderRecorded();
        }

        var completedReferral = await CompleteReferralAsync(record, cancellationToken).ConfigureAwait(false);
        var tier = await RefreshTierAsync(record.MemberId, cancellationToken).ConfigureAwait(false);
        return LoyaltyResult<OrderReceipt>.Success(
            new OrderReceipt
            {
                OrderId = record.OrderId,
                MemberId = record.MemberId,
                Points = record.Earning.Total,
                AvailableAt = availableAt,
                RuleSetVersion = record.Earning.RuleSetVersion,
                Explanation = Explanations.For(record.Earning, ruleSet),
                Earning = record.Earning,
                TierAtOrder = record.Tier,
                Tier = tier,
                CompletedReferral = completedReferral,
            },
            isRepeat: !isNew);
    }

    /// <summary>
    /// The earn of an order: pending until the return window counted from the order's placement
    /// ends (an order recorded late is pending for less). Computed from the stored record, so a
    /// retry sends the ledger the very same request.
    /// </summary>
    private EarnPoints OrderEarn(OrderRecord order)
    {
        var pending = order.Order.PlacedAt + returnWindow - order.RecordedAt;
        return new EarnPoints(order.TransactionId, order.MemberId, order.Earning.Total) { PendingPeriod = pending < Duration.Zero ? Duration.Zero : pending };
    }

    private async Task<bool> CompleteReferralAsync(OrderRecord order, CancellationToken cancellationToken)
    {
        var member = await members.GetMemberAsync(programId, order.MemberId, cancellationToken).ConfigureAwait(false);
        if (member?.ReferredBy is not { } referrer
            || (member.ReferralCompletedBy is { } completedBy && completedBy != order.OrderId)
            || !IsQualifyingForReferral(order))
        {
            return false;
        }

        if (member.ReferralCompletedBy is null)
        {
            // Only the member's first qualifying order completes the referral.
            var history = await members.GetHistoryAsync(programId, order.MemberId, cancellationToken).ConfigureAwait(false);
            var first = history.Orders.Where(IsQualifyingForReferral).OrderBy(o => o.Order.PlacedAt).ThenBy(o => o.RecordedAt).FirstOrDefault();
            if (first is not null && first.OrderId != order.OrderId)
            {
                return false;
            }
        }

        // The referrer earns what the rule set's ReferralCompleted activity rules say; the referee the policy's bonus.
        if (await members.GetMemberAsync(programId, referrer, cancellationToken).ConfigureAwait(false) is not null)
        {
            await RecordActivityCoreAsync(DerivedIds.ReferralCompleted(order.MemberId), new ActivityInput(ActivityKind.ReferralCompleted, referrer, order.Order.PlacedAt), skipWhenNothingEarned: true, cancellationToken, tolerateExisting: true).ConfigureAwait(false);
        }

        if (referral.RefereePoints > 0)
        {
            var bonus = Points.FromInt64(referral.RefereePoints);
            var earned = await ledger.EarnAsync(new EarnPoints(DerivedIds.RefereeBonus(order.MemberId), order.MemberId, bonus), cancellationToken).ConfigureAwait(false);
            if (earned.Succeeded && !earned.IsRepeat)
            {
                metrics.Earned(bonus);
            }
        }

        var updated = await UpdateMemberAsync(order.MemberId, m => m.ReferralCompletedBy is null ? m with { ReferralCompletedBy = order.OrderId } : null, cancellationToken).ConfigureAwait(false);
        return updated.ReferralCompletedBy == order.OrderId;
    }

    private async Task<LoyaltyResult<RefundReceipt>> CompleteRefundAsync(RefundRecord record, bool isRepeat, CancellationToken cancellationToken)
    {
        var order = await members.GetOrderAsync(programId, record.OrderId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Refund '{record.RefundId}' names order '{record.OrderId}', which is not in the member store.");
        long applied = 0, writtenOff = 0, debt = 0;
        if (record.TransactionId is { } transactionId)
        {
            // The order's own earn may be missing if its recording was interrupted; it is written
            // (idempotently) first, so that the reversal always has something to reverse.
            var earned = await ledger.EarnAsync(OrderEarn(order), cancellationToken).ConfigureAwait(false);
            if (!earned.Succeeded)
            {
                return FromLedger<RefundReceipt>(earned);
            }

            if (!earned.IsRepeat)
            {
                metrics.Earned(order.Earning.Total);
            }

            var reversed = await ledger.ReverseAsync(
                new ReversePoints(transactionId, record.MemberId, order.TransactionId, record.Result.Total) { Reason = $"refund {record.RefundId} of order {record.OrderId}" },
                cancellationToken).ConfigureAwait(false);
            if (!reversed.Succeeded)
            {
                return FromLedger<RefundReceipt>(reversed);
            }

            applied = reversed.Transaction!.Applied;
            writtenOff = reversed.Transaction.WrittenOff;
            debt = Math.Max(0, reversed.Transaction.DebtChange);
        }

        var tier = await RefreshTierAsync(record.MemberId, cancellationToken).ConfigureAwait(false);
        return LoyaltyResult<RefundReceipt>.Success(
            new RefundReceipt
            {
                RefundId = record.RefundId,
                OrderId = record.OrderId,
                MemberId = record.MemberId,
                Amount = record.Amount,
                PointsReversed = record.Result.Total,
                PointsTakenBack = Points.FromInt64(applied),
                PointsWrittenOff = Points.FromInt64(writtenOff),
                DebtAdded = Points.FromInt64(debt),
                IsFullRefund = record.Result.IsFullRefund,
                Tier = tier,
            },
            isRepeat);
    }

    private async Task<LoyaltyResult<ActivityReceipt>> RecordActivityCoreAsync(ActivityId activityId, ActivityInput activity, bool skipWhenNothingEarned, CancellationToken cancellationToken, bool tolerateExisting = false)
    {
        var fingerprint = Fingerprint.Of(activityId, activity);
        var existing = await members.GetActivityAsync(programId, activityId, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing.Fingerprint == fingerprint || tolerateExisting
                ? await CompleteActivityAsync(existing, isRepeat: true, cancellationToken).ConfigureAwait(false)
                : Conflict<ActivityReceipt>($"Activity '{activityId}' was recorded with other content; use a new activity id for another activity.");
        }

        var member = await members.GetMemberAsync(programId, activity.Member, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return NotEnrolled<ActivityReceipt>(activity.Member);
        }

        var history = await ruleSets.GetHistoryAsync(programId, cancellationToken).ConfigureAwait(false);
        if (history.InForceAt(activity.OccurredAt) is not { } ruleSet)
        {
            return NoRules<ActivityReceipt>(activity.OccurredAt);
        }

        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            // Written only if the member's history has not changed since it was read (see RecordOrderAsync).
            var memberHistory = await members.GetHistoryAsync(programId, activity.Member, cancellationToken).ConfigureAwait(false);
            var context = Context(member, memberHistory, activity.OccurredAt, null).Context;
            var key = DerivedIds.Activity(activityId);
            var usage = await UsageAsync(ruleSet, memberHistory, key, cancellationToken).ConfigureAwait(false);
            var earning = await EvaluateWithinBudgetsAsync(ruleSet, usage, key, u => EarningEngine.Instance.Evaluate(ruleSet, activity, context, u), cancellationToken).ConfigureAwait(false);
            if (skipWhenNothingEarned && earning.Total.IsZero)
            {
                return LoyaltyResult<ActivityReceipt>.Success(ToReceipt(activityId, activity, earning, ruleSet));
            }

            var record = new ActivityRecord
            {
                ProgramId = programId,
                MemberId = activity.Member,
                ActivityId = activityId,
                Fingerprint = fingerprint,
                Activity = activity,
                Earning = earning,
                TransactionId = earning.Total.IsPositive ? key : null,
                RecordedAt = clock.GetCurrentInstant(),
            };
            var added = await members.AddActivityAsync(record, memberHistory.Version, cancellationToken).ConfigureAwait(false);
            switch (added.Status)
            {
                case HistoryAddStatus.Added:
                    return await CompleteActivityAsync(record, isRepeat: false, cancellationToken).ConfigureAwait(false);
                case HistoryAddStatus.Exists:
                    var stored = added.Existing!;
                    return stored.Fingerprint == fingerprint || tolerateExisting
                        ? await CompleteActivityAsync(stored, isRepeat: true, cancellationToken).ConfigureAwait(false)
                        : Conflict<ActivityReceipt>($"Activity '{activityId}' was recorded with other content; use a new activity id for another activity.");
                default:
                    await PauseAsync(attempt, cancellationToken).ConfigureAwait(false);
                    continue;
            }
        }

        throw HistoryKeptChanging($"Activity '{activityId}'", activity.Member);
    }

    private async Task<LoyaltyResult<ActivityReceipt>> CompleteActivityAsync(ActivityRecord record, bool isRepeat, CancellationToken cancellationToken)
    {
        var history = await ruleSets.GetHistoryAsync(programId, cancellationToken).ConfigureAwait(false);
        var ruleSet = history.Versions.FirstOrDefault(v => v.Version == record.Earning.RuleSetVersion);
        await SettleBudgetsAsync(ruleSet, DerivedIds.Activity(record.ActivityId), record.Earning, cancellationToken).ConfigureAwait(false);
        if (record.TransactionId is { } transactionId)
        {
            // Activities have no return window: their points are spendable at once.
            var earned = await ledger.EarnAsync(new EarnPoints(transactionId, record.MemberId, record.Earning.Total) { PendingPeriod = Duration.Zero }, cancellationToken).ConfigureAwait(false);
            if (!earned.Succeeded)
            {
                return FromLedger<ActivityReceipt>(earned);
            }

            if (!earned.IsRepeat)
            {
                metrics.Earned(record.Earning.Total);
            }

            await RefreshTierAsync(record.MemberId, cancellationToken).ConfigureAwait(false);
        }

        return LoyaltyResult<ActivityReceipt>.Success(ToReceipt(record.ActivityId, record.Activity, record.Earning, ruleSet), isRepeat);
    }

    private static ActivityReceipt ToReceipt(ActivityId id, ActivityInput activity, EarningResult earning, EarningRuleSet? ruleSet) => new()
    {
        ActivityId = id,
        MemberId = activity.Member,
        Kind = activity.Kind,
        Points = earning.Total,
        Explanation = Explanations.For(earning, ruleSet),
    };

    /// <summary>Records a birthday activity for maintenance; returns the points it earned.</summary>
    private async Task<Points> RecordBirthdayAsync(ActivityId activityId, ActivityInput activity, CancellationToken cancellationToken)
    {
        var result = await RecordActivityCoreAsync(activityId, activity, skipWhenNothingEarned: true, cancellationToken).ConfigureAwait(false);
        return result.Value is { Points.IsPositive: true } receipt ? receipt.Points : Points.Zero;
    }

    private (MemberContext Context, TierId Tier) Context(MemberRecord member, MemberHistory history, Instant at, OrderId? excluding)
    {
        var evaluation = EvaluateTier(member, history, at);
        // Every order already recorded counts as previous, whatever its placement instant: orders are
        // numbered in the order they are recorded (serialised by the history version), so a first-order
        // or Nth-order bonus goes to exactly one order, also when two orders share an instant or an
        // older order is recorded late.
        var previous = history.Orders.Where(o => o.OrderId != excluding).ToList();
        var context = new MemberContext(
            tier: evaluation.Tier.Id,
            tierEarnMultiplier: evaluation.Benefits.EarnMultiplier,
            previousOrderCount: previous.Count,
            firstOrderAt: previous.Count > 0 ? previous.Min(o => o.Order.PlacedAt) : null,
            enrolledAt: member.EnrolledAt,
            birthday: member.BirthDate is { } b ? new AnnualDate(b.Month, b.Day) : null);
        return (context, evaluation.Tier.Id);
    }

    /// <summary>The member's usage of per-member caps from their history, with the programme-wide usage of every campaign budget.</summary>
    private async Task<EarningUsage> UsageAsync(EarningRuleSet ruleSet, MemberHistory history, TransactionId key, CancellationToken cancellationToken) =>
        await WithCampaignUsageAsync(ruleSet, Usage(history), key, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Sets each campaign budget's usage to what all orders and activities hold, except what
    /// <paramref name="key"/> holds itself (an earlier attempt of the same call), which the
    /// evaluation may use again.
    /// </summary>
    private async Task<EarningUsage> WithCampaignUsageAsync(EarningRuleSet ruleSet, EarningUsage usage, TransactionId key, CancellationToken cancellationToken)
    {
        foreach (var rule in ruleSet.OrderedRules)
        {
            if (rule.Caps?.CampaignBudget is not null)
            {
                var used = await budgets.GetUsageAsync(programId, rule.Id, key, cancellationToken).ConfigureAwait(false);
                usage = usage.WithCampaign(rule.Id, used.Used - used.HeldByKey);
            }
        }

        return usage;
    }

    /// <summary>
    /// Evaluates, then reserves what each budgeted rule awarded before anything is written. When a
    /// budget grants less (another member's order took it meanwhile), evaluates again with that rule
    /// limited to its grant, until every award is covered by a reservation.
    /// </summary>
    private async Task<EarningResult> EvaluateWithinBudgetsAsync(EarningRuleSet ruleSet, EarningUsage usage, TransactionId key, Func<EarningUsage, EarningResult> evaluate, CancellationToken cancellationToken)
    {
        while (true)
        {
            var earning = evaluate(usage);
            var covered = true;
            foreach (var delta in earning.UsageDeltas)
            {
                if (delta.Period is not null || !delta.Points.IsPositive || ruleSet.Find(delta.RuleId)?.Caps?.CampaignBudget is not { } budget)
                {
                    continue;
                }

                var granted = await budgets.ReserveAsync(programId, delta.RuleId, key, delta.Points, budget, cancellationToken).ConfigureAwait(false);
                if (granted < delta.Points)
                {
                    // A rule is limited at most once (its next award is within what the key holds), so this ends.
                    usage = usage.WithCampaign(delta.RuleId, budget - granted);
                    covered = false;
                }
            }

            if (covered)
            {
                return earning;
            }
        }
    }

    /// <summary>Settles what the order or activity holds of each campaign budget to what its written record awarded (idempotent).</summary>
    private async Task SettleBudgetsAsync(EarningRuleSet? ruleSet, TransactionId key, EarningResult earning, CancellationToken cancellationToken)
    {
        if (ruleSet is null || !ruleSet.OrderedRules.Any(r => r.Caps?.CampaignBudget is not null))
        {
            return;
        }

        var grants = earning.UsageDeltas.Where(d => d.Period is null).Select(d => new CampaignGrant(d.RuleId, d.Points)).ToArray();
        await budgets.SettleAsync(programId, key, grants, cancellationToken).ConfigureAwait(false);
    }

    private static EarningUsage Usage(MemberHistory history) =>
        EarningUsage.Empty.Apply(history.Orders.SelectMany(o => o.Earning.UsageDeltas).Concat(history.Activities.SelectMany(a => a.Earning.UsageDeltas)));

    private TierEvaluation EvaluateTier(MemberRecord member, MemberHistory history, Instant asOf)
    {
        var entries = new List<QualificationEntry>(history.Orders.Count + history.Refunds.Count + history.Activities.Count);
        foreach (var order in history.Orders)
        {
            entries.Add(QualificationEntry.FromOrder(order.Order.PlacedAt, Money.FromDecimal(order.Order.NetSubtotal, currency), order.Earning.Total));
        }

        foreach (var refund in history.Refunds)
        {
            entries.Add(QualificationEntry.FromRefund(refund.RefundedAt, refund.Amount, refund.Result.Total, refund.Result.IsFullRefund));
        }

        foreach (var activity in history.Activities)
        {
            if (activity.Earning.Total.IsPositive)
            {
                entries.Add(QualificationEntry.FromPoints(activity.Activity.OccurredAt, activity.Earning.Total, EarnKind.Activity));
            }
        }

        var at = asOf < member.EnrolledAt ? member.EnrolledAt : asOf;
        return tierEvaluator.Evaluate(new TierMember { MemberId = member.MemberId, EnrolledAt = member.EnrolledAt, History = entries.ToArray() }, at);
    }

    private async Task<TierId> RefreshTierAsync(MemberId memberId, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            // Member and history are re-read on each attempt, so the stored status is never older than what it replaced.
            var member = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Member '{memberId}' disappeared from the member store while being updated.");
            var history = await members.GetHistoryAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
            var evaluation = EvaluateTier(member, history, now);
            if (member.TierStatus is { } stored && stored.EvaluatedAt > now)
            {
                return evaluation.Tier.Id;
            }

            var next = member with { TierStatus = evaluation.Status, Version = member.Version + 1 };
            if (await members.UpdateMemberAsync(next, member.Version, cancellationToken).ConfigureAwait(false))
            {
                return evaluation.Tier.Id;
            }
        }

        throw new LoyaltyStoreException($"Member '{memberId}' could not be updated after {MaxUpdateAttempts} attempts because of concurrent updates; retry the call.", isTransient: true);
    }

    private async Task<MemberRecord> UpdateMemberAsync(MemberId memberId, Func<MemberRecord, MemberRecord?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            var current = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Member '{memberId}' disappeared from the member store while being updated.");
            if (change(current) is not { } next)
            {
                return current;
            }

            next = next with { Version = current.Version + 1 };
            if (await members.UpdateMemberAsync(next, current.Version, cancellationToken).ConfigureAwait(false))
            {
                return next;
            }
        }

        throw new LoyaltyStoreException($"Member '{memberId}' could not be updated after {MaxUpdateAttempts} attempts because of concurrent updates; retry the call.", isTransient: true);
    }

    private async Task<(RewardDefinition? Reward, LoyaltyError? Refusal)> FindOfferedRewardAsync(MemberRecord member, RewardId rewardId, bool expectPayWithPoints, Instant now, CancellationToken cancellationToken)
    {
        var catalog = await rewards.GetCatalogAsync(programId, cancellationToken).ConfigureAwait(false);
        if (catalog.Find(rewardId) is not { } reward)
        {
            return (null, new LoyaltyError(LoyaltyErrorCode.RewardNotFound, $"Reward '{rewardId}' is not in the catalogue."));
        }

        if ((reward.Kind == RewardKind.PayWithPoints) != expectPayWithPoints)
        {
            return (null, new LoyaltyError(
                LoyaltyErrorCode.RewardKindMismatch,
                expectPayWithPoints
                    ? $"Reward '{rewardId}' is {reward.Kind}; redeem it with RedeemRewardAsync."
                    : $"Reward '{rewardId}' is PayWithPoints; hold points at checkout with HoldPointsAsync."));
        }

        if (!reward.IsOfferedAt(now))
        {
            return (null, new LoyaltyError(LoyaltyErrorCode.RewardNotOffered, $"Reward '{rewardId}' is offered from {reward.ValidFrom?.ToString() ?? "always"} until {reward.ValidUntil?.ToString() ?? "ever"}, not at {now}."));
        }

        if (reward.RequiredTier is { } required)
        {
            var history = await members.GetHistoryAsync(programId, member.MemberId, cancellationToken).ConfigureAwait(false);
            var evaluation = EvaluateTier(member, history, now);
            if (!evaluation.CanAccess(required))
            {
                return (null, new LoyaltyError(LoyaltyErrorCode.RewardRequiresHigherTier, $"Reward '{rewardId}' is for tier '{required}' and above; member '{member.MemberId}' is '{evaluation.Tier.Id}'."));
            }
        }

        return (reward, null);
    }
}
