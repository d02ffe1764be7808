using System.Diagnostics.Metrics;
using System.Globalization;
using Loyalty.Core.Configuration;
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
    private readonly MemberStateKeeper keeper;
    private readonly RuleSetCache ruleSetCache;
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
        : this(clock, settings, ledger, ledgerStore, members, ruleSets, rewards, budgets, tiers, rewardCodes, referralCodes, meterFactory, null)
    {
    }

    /// <summary>Creates the programme service with the rule set cache shared by every instance of one registration (DI does this).</summary>
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
        RuleSetCache? ruleSetCache)
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
        ConfigurationChecks.CheckTiers(settings, tiers);
        this.rewardCodes = Preconditions.CheckNotNull(rewardCodes);
        this.referralCodes = Preconditions.CheckNotNull(referralCodes);
        referral = settings.Referral;
        returnWindow = Duration.FromTimeSpan(ledger.Options.PendingPeriod);
        tierEvaluator = new TierEvaluator(tiers);
        keeper = new MemberStateKeeper(tierEvaluator, settings.Currency, referral);
        this.ruleSetCache = ruleSetCache ?? new RuleSetCache();
        programId = settings.ProgramId;
        currency = settings.Currency;
        zone = settings.TimeZone;
        metrics = new LoyaltyMetrics(meterFactory, programId);
        maintenance = new MaintenanceRunner(clock, settings, ledger, ledgerStore, members, tiers, metrics, RecordBirthdayAsync, CompletePendingAsync);
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
    /// <exception cref="ArgumentException">The rule set is in another currency or time zone than the programme, or another version has the same version string or effective instant.</exception>
    public async Task<bool> PublishRuleSetAsync(EarningRuleSet ruleSet, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(ruleSet);
        ConfigurationChecks.CheckRuleSet(Settings, ruleSet, nameof(ruleSet));

        var added = await ruleSets.AddAsync(programId, ruleSet, cancellationToken).ConfigureAwait(false);
        ruleSetCache.Invalidate(programId);
        return added;
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
                Evaluation = MemberEvaluationState.Empty,
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

        var (state, _) = await StateAsync(member, rebuild: false, clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false);
        if (member.ReferralCompletedBy is not null || state.FirstQualifyingOrder is not null)
        {
            return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.ReferralTooLate, $"Member '{memberId}' already placed a qualifying order; a referral can only be linked before the first one.");
        }

        var updated = await UpdateMemberAsync(memberId, m => m.ReferredBy is null ? m with { ReferredBy = owner.MemberId } : null, cancellationToken).ConfigureAwait(false);
        if (updated is null)
        {
            return NotEnrolled<MemberProfile>(memberId);
        }

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
    /// <returns>The receipt, or <see cref="LoyaltyErrorCode.MemberNotFound"/>, <see cref="LoyaltyErrorCode.NoRuleSetInForce"/>, <see cref="LoyaltyErrorCode.IdempotencyConflict"/> or <see cref="LoyaltyErrorCode.PaymentDoesNotMatchHold"/>.</returns>
    /// <remarks>An order with <see cref="EarningOrder.PaidWithPoints"/> is tied to the points held for it at checkout (<see cref="HoldPointsAsync"/> with the same order id): an open hold is captured, and the captured points must be worth what the order says was paid with them.</remarks>
    /// <exception cref="ArgumentException">The order is in another currency than the programme's.</exception>
    public async Task<LoyaltyResult<OrderReceipt>> RecordOrderAsync(EarningOrder order, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(order);
        CheckCurrency(order, nameof(order));
        var fingerprint = Fingerprint.Of(order);

        // The common case is one read (the member, with its kept evaluation state) and one atomic
        // write (the order with the member's state moved past it), then the ledger's earn.
        var member = await members.GetMemberAsync(programId, order.Member, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            // An order recorded before its member vanished is still completed by a retry.
            var recorded = await members.GetOrderAsync(programId, order.Id, cancellationToken).ConfigureAwait(false);
            return recorded is not null
                ? await CompleteOrderAsync(recorded, order, fingerprint, null, null, cancellationToken).ConfigureAwait(false)
                : NotEnrolled<OrderReceipt>(order.Member);
        }

        var rules = await RuleSetsAsync(cancellationToken).ConfigureAwait(false);
        if (rules.InForceAt(order.PlacedAt) is not { } ruleSet)
        {
            var recorded = await members.GetOrderAsync(programId, order.Id, cancellationToken).ConfigureAwait(false);
            return recorded is not null
                ? await CompleteOrderAsync(recorded, order, fingerprint, null, null, cancellationToken).ConfigureAwait(false)
                : NoRules<OrderReceipt>(order.PlacedAt);
        }

        if (order.PaidWithPoints > 0m && await CheckPaidWithPointsAsync(order, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            return LoyaltyResult<OrderReceipt>.Failure(refusal.Code, refusal.Message);
        }

        var key = DerivedIds.Order(order.Id);
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            // The order is evaluated from the member's kept state and written only if the member and
            // its history have not moved since (another order, refund or activity of the member):
            // otherwise both are re-read and the order re-evaluated, so first-order rules and
            // per-member caps see every order. After repeated conflicts the state is rebuilt from the
            // history, which also repairs a state left behind by a write that did not keep it.
            var now = clock.GetCurrentInstant();
            var (state, history) = await StateAsync(member, rebuild: attempt >= 2, now, cancellationToken).ConfigureAwait(false);
            var tierAtOrder = await TierAsync(member, state, history, order.PlacedAt, cancellationToken).ConfigureAwait(false);
            var context = new MemberContext(
                tier: tierAtOrder.Tier.Id,
                tierEarnMultiplier: tierAtOrder.Benefits.EarnMultiplier,
                previousOrderCount: state.OrderCount,
                firstOrderAt: state.FirstOrderAt,
                enrolledAt: member.EnrolledAt,
                birthday: member.BirthDate is { } b ? new AnnualDate(b.Month, b.Day) : null);
            var usage = await WithCampaignUsageAsync(ruleSet, MemberStateKeeper.Usage(state), key, cancellationToken).ConfigureAwait(false);
            var earning = await EvaluateWithinBudgetsAsync(ruleSet, usage, key, u => EarningEngine.Instance.Evaluate(ruleSet, order, context, u), cancellationToken).ConfigureAwait(false);
            var record = new OrderRecord
            {
                ProgramId = programId,
                MemberId = order.Member,
                OrderId = order.Id,
                Fingerprint = fingerprint,
                Order = order,
                Earning = earning,
                Tier = tierAtOrder.Tier.Id,
                TransactionId = key,
                RecordedAt = now,
            };
            var next = keeper.WithOrder(member, state, record, now)
                ?? await ReplayWithAsync(member, state, history, h => h with { Orders = [.. h.Orders, record] }, now, cancellationToken).ConfigureAwait(false);
            var (written, tier) = Advance(member, next, now);
            if (member.ReferredBy is not null && member.ReferralCompletedBy is null && next.FirstQualifyingOrder == order.Id)
            {
                // The referral is marked completed in the same write; its bonuses follow, idempotently.
                written = written with { ReferralCompletedBy = order.Id };
            }

            var added = await members.AddOrderWithStateAsync(record, written, cancellationToken).ConfigureAwait(false);
            switch (added.Status)
            {
                case HistoryAddStatus.Added:
                    return await CompleteOrderAsync(record, order, fingerprint, written, tier, cancellationToken).ConfigureAwait(false);
                case HistoryAddStatus.Exists:
                    return await CompleteOrderAsync(added.Existing!, order, fingerprint, null, null, cancellationToken).ConfigureAwait(false);
                default:
                    await PauseAsync(attempt, cancellationToken).ConfigureAwait(false);
                    member = await members.GetMemberAsync(programId, order.Member, cancellationToken).ConfigureAwait(false);
                    if (member is null)
                    {
                        return NotEnrolled<OrderReceipt>(order.Member);
                    }

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
                    ? await CompleteRefundAsync(existing, null, cancellationToken).ConfigureAwait(false)
                    : Conflict<RefundReceipt>($"Refund '{refund.RefundId}' was recorded with other content; use a new refund id for another refund.", RefundDifference(existing, refund, refundedAt));
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

            var member = await members.GetMemberAsync(programId, order.MemberId, cancellationToken).ConfigureAwait(false);
            if (member is null)
            {
                return NotEnrolled<RefundReceipt>(order.MemberId);
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
            var now = record.RecordedAt;
            var (state, history) = await StateAsync(member, rebuild: attempt >= 2, now, cancellationToken).ConfigureAwait(false);
            var next = keeper.WithRefund(member, state, record, now)
                ?? await ReplayWithAsync(member, state, history, h => h with { Refunds = [.. h.Refunds, record] }, now, cancellationToken).ConfigureAwait(false);
            var (written, tier) = Advance(member, next, now);
            var added = await members.AddRefundWithStateAsync(record, previous.Count, written, cancellationToken).ConfigureAwait(false);
            switch (added.Status)
            {
                case RefundAddStatus.Added:
                    return await CompleteRefundAsync(record, tier, cancellationToken).ConfigureAwait(false);
                case RefundAddStatus.Exists:
                    continue;
                default:
                    // Another refund of the order, or another write for the member, landed meanwhile: recompute from the new state.
                    await PauseAsync(attempt, cancellationToken).ConfigureAwait(false);
                    continue;
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
        var rules = await RuleSetsAsync(cancellationToken).ConfigureAwait(false);
        if (rules.InForceAt(cart.PlacedAt) is not { } ruleSet)
        {
            return NoRules<EarningQuote>(cart.PlacedAt);
        }

        var member = await members.GetMemberAsync(programId, cart.Member, cancellationToken).ConfigureAwait(false);
        var context = MemberContext.Default;
        var usage = EarningUsage.Empty;
        if (member is not null)
        {
            var (state, history) = await StateAsync(member, rebuild: false, clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false);
            var tier = await TierAsync(member, state, history, cart.PlacedAt, cancellationToken).ConfigureAwait(false);
            context = new MemberContext(
                tier: tier.Tier.Id,
                tierEarnMultiplier: tier.Benefits.EarnMultiplier,
                previousOrderCount: state.OrderCount,
                firstOrderAt: state.FirstOrderAt,
                enrolledAt: member.EnrolledAt,
                birthday: member.BirthDate is { } b ? new AnnualDate(b.Month, b.Day) : null);
            usage = MemberStateKeeper.Usage(state);
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
        var (state, history) = await StateAsync(member, rebuild: false, now, cancellationToken).ConfigureAwait(false);
        var summary = new MemberSummary
        {
            Profile = ToProfile(member, state.WelcomePoints),
            AsOf = now,
            Balance = await ledger.GetBalanceAsync(memberId, cancellationToken).ConfigureAwait(false),
            ExpiringSoon = await ledger.GetExpiryScheduleAsync(memberId, expiringWithinDays, cancellationToken).ConfigureAwait(false),
            Tier = await TierAsync(member, state, history, now, cancellationToken).ConfigureAwait(false),
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
                : Conflict<RewardRedemption>($"Redemption '{redemptionId}' was made for member '{existing.MemberId}' and reward '{existing.RewardId}'; use a new redemption id.", existing.MemberId != memberId ? "MemberId" : "RewardId");
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

    /// <summary>How long a call has to finish its own steps before the recovery completes them.</summary>
    /// <summary>How many recorded orders the recovery reads at once.</summary>
    private const int PendingPageSize = 500;

    internal static readonly Duration PendingGracePeriod = Duration.FromMinutes(5);

    /// <summary>How far back the recovery looks for interrupted calls (a week of missed nightly runs).</summary>
    internal static readonly Duration PendingLookBack = Duration.FromDays(7);

    /// <summary>
    /// Completes the steps that interrupted calls left undone, so recovery never depends on the
    /// caller retrying: every order recorded between <see cref="PendingLookBack"/> and
    /// <see cref="PendingGracePeriod"/> before <paramref name="asOf"/> gets its budget settlement, its
    /// points (when the ledger has no transaction for it) and its referral bonuses, each step
    /// idempotent. The order record written with the member's state is the record of the pending
    /// steps: nothing extra is written on the order path.
    /// </summary>
    /// <param name="asOf">The instant of the run.</param>
    /// <param name="partition">The members whose orders this run completes (the maintenance worker's partition).</param>
    /// <param name="cancellationToken">Cancels the run between orders.</param>
    /// <returns>The orders checked and those completed.</returns>
    internal async Task<(int Checked, int Completed)> CompletePendingAsync(Instant asOf, MemberPartition partition, CancellationToken cancellationToken)
    {
        var until = asOf - PendingGracePeriod;
        var from = asOf - PendingLookBack;
        (Instant, OrderId)? after = null;
        int seen = 0, completed = 0;
        while (true)
        {
            var page = await members.ListOrdersRecordedAsync(programId, from, until, after, PendingPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var order in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!partition.Contains(order.MemberId))
                {
                    continue; // another worker's member
                }

                seen++;
                var ruleSet = await RuleSetAsync(order.Earning.RuleSetVersion, cancellationToken).ConfigureAwait(false);
                await SettleBudgetsAsync(ruleSet, order.TransactionId, order.Earning, cancellationToken).ConfigureAwait(false);
                var repaired = false;
                if (order.Earning.Total.IsPositive && await ledger.FindTransactionAsync(order.TransactionId, cancellationToken).ConfigureAwait(false) is null)
                {
                    var earned = await ledger.EarnAsync(OrderEarn(order), cancellationToken).ConfigureAwait(false);
                    if (earned.Succeeded && !earned.IsRepeat)
                    {
                        metrics.Earned(order.Earning.Total);
                        repaired = true;
                    }
                }

                // A referral marked completed with the order gets its bonuses (each idempotent).
                if (await members.GetMemberAsync(programId, order.MemberId, cancellationToken).ConfigureAwait(false) is { ReferralCompletedBy: { } by } member && by == order.OrderId)
                {
                    repaired |= await ReferralBonusesMissingAsync(order, cancellationToken).ConfigureAwait(false);
                    await CompleteReferralAsync(order, member, cancellationToken).ConfigureAwait(false);
                }

                completed += repaired ? 1 : 0;
            }

            if (page.Count < PendingPageSize)
            {
                return (seen, completed);
            }

            after = (page[^1].RecordedAt, page[^1].OrderId);
        }
    }

    /// <summary>Whether the referee's bonus of a completed referral is missing from the ledger.</summary>
    private async Task<bool> ReferralBonusesMissingAsync(OrderRecord order, CancellationToken cancellationToken) =>
        referral.RefereePoints > 0 && await ledger.FindTransactionAsync(DerivedIds.RefereeBonus(order.MemberId), cancellationToken).ConfigureAwait(false) is null;

    // ---------------------------------------------------------------- internals

    private static LoyaltyResult<T> NotEnrolled<T>(MemberId memberId)
        where T : class =>
        LoyaltyResult<T>.Failure(LoyaltyErrorCode.MemberNotFound, $"Member '{memberId}' is not enrolled in the programme; enrol them first.");

    private static LoyaltyResult<T> NoRules<T>(Instant at)
        where T : class =>
        LoyaltyResult<T>.Failure(LoyaltyErrorCode.NoRuleSetInForce, $"No earning rule set is in force at {at}; publish one whose effective instant is at or before it.");

    private static LoyaltyResult<T> Conflict<T>(string message, string? field = null)
        where T : class =>
        LoyaltyResult<T>.Failure(LoyaltyErrorCode.IdempotencyConflict, message, field);

    /// <summary>A short random pause before retrying after a conflict (longer as attempts add up), so racing writers spread out.</summary>
    private static Task PauseAsync(int attempt, CancellationToken cancellationToken) =>
        attempt == 0 ? Task.CompletedTask : Task.Delay(Random.Shared.Next(1, 2 << Math.Min(attempt, 6)), cancellationToken);

    private static LoyaltyStoreException HistoryKeptChanging(string what, MemberId memberId) =>
        new($"{what} could not be written after {MaxUpdateAttempts} attempts because the history of member '{memberId}' kept changing (other orders, refunds or activities being recorded); retry it.", isTransient: true);

    private static string RefundDifference(RefundRecord stored, RefundRequest incoming, Instant refundedAt) =>
        stored.OrderId != incoming.OrderId ? "OrderId"
        : incoming.RefundedAt is not null && stored.RefundedAt != refundedAt ? "RefundedAt"
        : stored.Refund.Lines.Count != incoming.Refund.Lines.Count || !stored.Refund.Lines.SequenceEqual(incoming.Refund.Lines) ? "Refund.Lines"
        : "Refund.Amount";

    /// <summary>The field's name in a difference such as <c>PlacedAt (… recorded, … now)</c>.</summary>
    private static string? FieldOf(string? difference) => difference is null ? null : difference.Split(" (")[0];

    private static string OrderConflict(OrderRecord stored, EarningOrder incoming) =>
        $"Order '{stored.OrderId}' was recorded with other content: {Fingerprint.FirstDifference(stored.Order, incoming) ?? "its content"} differs (member '{stored.MemberId}', placed at {stored.Order.PlacedAt}); use a new order id for another order.";

    private static string ActivityConflict(ActivityRecord stored, ActivityInput incoming) =>
        $"Activity '{stored.ActivityId}' was recorded with other content: {Fingerprint.FirstDifference(stored.Activity, incoming) ?? "its content"} differs; use a new activity id for another activity.";

    private static LoyaltyResult<T> Insufficient<T>(MemberId memberId, Points needed, Points available)
        where T : class =>
        LoyaltyResult<T>.Failure(LoyaltyErrorCode.InsufficientPoints, $"Member '{memberId}' has {available} points available; {needed} are needed.");

    /// <summary>
    /// A ledger refusal as the programme's result: every business code has its own
    /// <see cref="LoyaltyErrorCode"/> (an idempotency conflict keeps the differing field); an account
    /// still busy after the ledger's retries is a transient <see cref="LoyaltyStoreException"/>.
    /// </summary>
    private static LoyaltyResult<T> FromLedger<T>(LedgerResult result)
        where T : class
    {
        var error = result.Error!;
        var code = error.Code switch
        {
            LedgerErrorCode.InsufficientPoints => LoyaltyErrorCode.InsufficientPoints,
            LedgerErrorCode.IdempotencyConflict => LoyaltyErrorCode.IdempotencyConflict,
            LedgerErrorCode.HoldNotFound => LoyaltyErrorCode.HoldNotFound,
            LedgerErrorCode.HoldAlreadyCaptured => LoyaltyErrorCode.HoldAlreadyCaptured,
            LedgerErrorCode.HoldAlreadyReleased => LoyaltyErrorCode.HoldAlreadyReleased,
            LedgerErrorCode.HoldLapsed => LoyaltyErrorCode.HoldLapsed,
            LedgerErrorCode.CaptureExceedsHold => LoyaltyErrorCode.CaptureExceedsHold,
            LedgerErrorCode.ReversalExceedsOriginal => LoyaltyErrorCode.ReversalExceedsOriginal,
            LedgerErrorCode.UnknownTransaction => LoyaltyErrorCode.TransactionNotFound,
            LedgerErrorCode.NotReversible => LoyaltyErrorCode.NotReversible,
            LedgerErrorCode.ConcurrencyConflict => throw new LoyaltyStoreException($"The points account stayed busy with concurrent writes after the ledger's retries; nothing was written, retry the call. ({error.Message})", isTransient: true),
            _ => throw new LoyaltyStoreException($"The ledger answered with an unknown code {(int)error.Code}: {error.Message}", isTransient: false),
        };
        return LoyaltyResult<T>.Failure(code, error.Message, error.Field);
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
        member.Evaluation is { } state
            ? state.WelcomePoints
            : (await members.GetActivityAsync(programId, DerivedIds.SignUp(member.MemberId), cancellationToken).ConfigureAwait(false))?.Earning.Total ?? Points.Zero;

    private MemberProfile ToProfile(MemberRecord member, Points welcome) =>
        new(member.MemberId, member.EnrolledAt, member.BirthDate, member.ReferralCode, member.ReferredBy, welcome);

    /// <summary>
    /// Completes an order from its stored record: settles its budget reservations, earns its points,
    /// completes the member's referral. Every step is idempotent, so a retry (or the pending-steps
    /// recovery) completes what an interrupted call left undone.
    /// </summary>
    /// <param name="record">The stored order.</param>
    /// <param name="incoming">The caller's order.</param>
    /// <param name="fingerprint">The caller's content, to tell a repeat from a conflict.</param>
    /// <param name="written">The member record written with the order by this call; null for a repeat.</param>
    /// <param name="tier">The member's tier after the order, evaluated by this call; null for a repeat.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    private async Task<LoyaltyResult<OrderReceipt>> CompleteOrderAsync(OrderRecord record, EarningOrder incoming, string fingerprint, MemberRecord? written, TierEvaluation? tier, CancellationToken cancellationToken)
    {
        var isNew = written is not null;
        var ruleSet = await RuleSetAsync(record.Earning.RuleSetVersion, cancellationToken).ConfigureAwait(false);
        await SettleBudgetsAsync(ruleSet, record.TransactionId, record.Earning, cancellationToken).ConfigureAwait(false);
        if (record.Fingerprint != fingerprint)
        {
            return Conflict<OrderReceipt>(OrderConflict(record, incoming), FieldOf(Fingerprint.FirstDifference(record.Order, incoming)));
        }

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

        var member = written ?? await members.GetMemberAsync(programId, record.MemberId, cancellationToken).ConfigureAwait(false);
        var completedReferral = member is not null && await CompleteReferralAsync(record, member, cancellationToken).ConfigureAwait(false);
        if (tier is null && member is not null)
        {
            var now = clock.GetCurrentInstant();
            var (state, history) = await StateAsync(member, rebuild: false, now, cancellationToken).ConfigureAwait(false);
            tier = await TierAsync(member, state, history, now, cancellationToken).ConfigureAwait(false);
        }

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
                Tier = tier?.Tier.Id ?? record.Tier ?? Tiers.EntryTier.Id,
                CompletedReferral = completedReferral,
            },
            isRepeat: !isNew);
    }

    /// <summary>
    /// An order paid partly with points is tied to the points held for it at checkout: the hold is
    /// captured now if it is still open (the whole hold), and the money the captured points are worth
    /// under a pay-with-points reward of the catalogue must be what the order says was paid with points.
    /// Runs before anything about the order is written.
    /// </summary>
    private async Task<LoyaltyError?> CheckPaidWithPointsAsync(EarningOrder order, CancellationToken cancellationToken)
    {
        var paid = order.PaidWithPoints.ToString("0.00##", CultureInfo.InvariantCulture);
        var hold = await ledgerStore.GetHoldAsync(new LedgerAccountKey(programId, order.Member), DerivedIds.Hold(order.Id), cancellationToken).ConfigureAwait(false);
        if (hold is null)
        {
            return new LoyaltyError(LoyaltyErrorCode.PaymentDoesNotMatchHold, $"Order '{order.Id}' says {paid} {currency.Code} was paid with points, but no points were held for it; hold them with HoldPointsAsync for this order id before recording the order.");
        }

        if (hold.Status == LedgerHoldStatus.Open)
        {
            var captured = await CaptureHeldPointsAsync(order.Member, order.Id, null, cancellationToken).ConfigureAwait(false);
            if (!captured.Succeeded)
            {
                return captured.Error;
            }

            hold = await ledgerStore.GetHoldAsync(new LedgerAccountKey(programId, order.Member), DerivedIds.Hold(order.Id), cancellationToken).ConfigureAwait(false) ?? hold;
        }

        if (hold.Status != LedgerHoldStatus.Captured)
        {
            return new LoyaltyError(LoyaltyErrorCode.PaymentDoesNotMatchHold, $"Order '{order.Id}' says {paid} {currency.Code} was paid with points, but its hold of {hold.Amount} points was {hold.Status.ToString().ToLowerInvariant()}; hold points again for the order, or record it without the points payment.");
        }

        var catalog = await rewards.GetCatalogAsync(programId, cancellationToken).ConfigureAwait(false);
        var worth = catalog.Rewards
            .Where(r => r.Kind == RewardKind.PayWithPoints && r.PayWithPointsTerms is not null)
            .Select(r => r.PayWithPointsTerms!.ValueOf(Points.FromInt64(hold.Captured)).Amount)
            .Distinct()
            .ToList();
        if (!worth.Contains(order.PaidWithPoints))
        {
            var values = worth.Count == 0 ? "nothing (the catalogue has no pay-with-points reward)" : string.Join(" or ", worth.Select(w => w.ToString("0.00##", CultureInfo.InvariantCulture) + " " + currency.Code));
            return new LoyaltyError(LoyaltyErrorCode.PaymentDoesNotMatchHold, $"Order '{order.Id}' says {paid} {currency.Code} was paid with points, but the {hold.Captured} points captured for it are worth {values}; record what the captured points paid.");
        }

        return null;
    }

    /// <summary>The kept state of a member, or (when asked, or when none is kept yet) the state a replay of its history gives, with that history.</summary>
    private async Task<(MemberEvaluationState State, MemberHistory? History)> StateAsync(MemberRecord member, bool rebuild, Instant now, CancellationToken cancellationToken)
    {
        if (!rebuild && member.Evaluation is { } kept)
        {
            return (kept, null);
        }

        var history = await members.GetHistoryAsync(programId, member.MemberId, cancellationToken).ConfigureAwait(false);
        return (keeper.Replay(member, history, now), history);
    }

    /// <summary>The member's tier as of an instant: from the kept state, or by replaying the history when the instant is before the state's checkpoint.</summary>
    private async Task<TierEvaluation> TierAsync(MemberRecord member, MemberEvaluationState state, MemberHistory? history, Instant asOf, CancellationToken cancellationToken)
    {
        if (keeper.Evaluate(member, state, asOf) is { } evaluation)
        {
            return evaluation;
        }

        history ??= await members.GetHistoryAsync(programId, member.MemberId, cancellationToken).ConfigureAwait(false);
        return keeper.EvaluateByReplay(member, history, asOf);
    }

    /// <summary>The state after a record dated before the kept checkpoint (recorded late): a replay of the history with the record added.</summary>
    private async Task<MemberEvaluationState> ReplayWithAsync(MemberRecord member, MemberEvaluationState state, MemberHistory? history, Func<MemberHistory, MemberHistory> add, Instant now, CancellationToken cancellationToken)
    {
        history ??= await members.GetHistoryAsync(programId, member.MemberId, cancellationToken).ConfigureAwait(false);
        var with = add(history);
        return keeper.Replay(member, with with { Version = history.Version + 1 }, now);
    }

    /// <summary>The member's next record, with its kept state and its tier status as of <paramref name="now"/> (a newer stored status is kept), and that tier.</summary>
    private (MemberRecord Written, TierEvaluation Tier) Advance(MemberRecord member, MemberEvaluationState next, Instant now)
    {
        var at = next.TierCheckpoint is { } checkpoint && checkpoint.EvaluatedAt > now ? checkpoint.EvaluatedAt : now;
        var tier = keeper.Evaluate(member, next, at)!;
        var status = member.TierStatus is { } stored && stored.EvaluatedAt > now ? stored : tier.Status;
        return (member with { Evaluation = next, TierStatus = status, Version = member.Version + 1 }, tier);
    }

    /// <summary>The published rule sets, read through the shared cache.</summary>
    private ValueTask<EarningRuleSetHistory> RuleSetsAsync(CancellationToken cancellationToken) =>
        ruleSetCache.GetAsync(ruleSets, programId, clock.GetCurrentInstant(), r => ConfigurationChecks.CheckPublished(Settings, r), cancellationToken);

    /// <summary>A rule set by version: from the cache, or from the store when the cache has not seen it yet (published by another instance).</summary>
    private async ValueTask<EarningRuleSet?> RuleSetAsync(string version, CancellationToken cancellationToken)
    {
        var cached = await RuleSetsAsync(cancellationToken).ConfigureAwait(false);
        if (cached.Versions.FirstOrDefault(v => v.Version == version) is { } found)
        {
            return found;
        }

        ruleSetCache.Invalidate(programId);
        return (await RuleSetsAsync(cancellationToken).ConfigureAwait(false)).Versions.FirstOrDefault(v => v.Version == version);
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

    private async Task<bool> CompleteReferralAsync(OrderRecord order, MemberRecord member, CancellationToken cancellationToken)
    {
        if (member.ReferredBy is not { } referrer
            || (member.ReferralCompletedBy is { } completedBy && completedBy != order.OrderId)
            || !keeper.IsQualifyingForReferral(order))
        {
            return false;
        }

        if (member.ReferralCompletedBy is null)
        {
            // Only the member's first qualifying order completes the referral.
            var (state, _) = await StateAsync(member, rebuild: false, clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false);
            if (state.FirstQualifyingOrder is { } first && first != order.OrderId)
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

        if (member.ReferralCompletedBy == order.OrderId)
        {
            return true;
        }

        var updated = await UpdateMemberAsync(order.MemberId, m => m.ReferralCompletedBy is null ? m with { ReferralCompletedBy = order.OrderId } : null, cancellationToken).ConfigureAwait(false);
        return updated?.ReferralCompletedBy == order.OrderId;
    }

    private async Task<LoyaltyResult<RefundReceipt>> CompleteRefundAsync(RefundRecord record, TierEvaluation? tier, CancellationToken cancellationToken)
    {
        var isRepeat = tier is null;
        var order = await members.GetOrderAsync(programId, record.OrderId, cancellationToken).ConfigureAwait(false);
        if (order is null)
        {
            return LoyaltyResult<RefundReceipt>.Failure(LoyaltyErrorCode.OrderNotFound, $"Refund '{record.RefundId}' names order '{record.OrderId}', which is no longer in the member store; restore the order's record before completing the refund.");
        }

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

        if (tier is null && await members.GetMemberAsync(programId, record.MemberId, cancellationToken).ConfigureAwait(false) is { } member)
        {
            var now = clock.GetCurrentInstant();
            var (state, history) = await StateAsync(member, rebuild: false, now, cancellationToken).ConfigureAwait(false);
            tier = await TierAsync(member, state, history, now, cancellationToken).ConfigureAwait(false);
        }

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
                Tier = tier?.Tier.Id ?? Tiers.EntryTier.Id,
                Rules = record.Result.Rules,
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
                : Conflict<ActivityReceipt>(ActivityConflict(existing, activity), FieldOf(Fingerprint.FirstDifference(existing.Activity, activity)));
        }

        var member = await members.GetMemberAsync(programId, activity.Member, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return NotEnrolled<ActivityReceipt>(activity.Member);
        }

        var rules = await RuleSetsAsync(cancellationToken).ConfigureAwait(false);
        if (rules.InForceAt(activity.OccurredAt) is not { } ruleSet)
        {
            return NoRules<ActivityReceipt>(activity.OccurredAt);
        }

        var key = DerivedIds.Activity(activityId);
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            // Written only if the member and its history have not changed since they were read (see RecordOrderAsync).
            var now = clock.GetCurrentInstant();
            var (state, history) = await StateAsync(member, rebuild: attempt >= 2, now, cancellationToken).ConfigureAwait(false);
            var tierAt = await TierAsync(member, state, history, activity.OccurredAt, cancellationToken).ConfigureAwait(false);
            var context = new MemberContext(
                tier: tierAt.Tier.Id,
                tierEarnMultiplier: tierAt.Benefits.EarnMultiplier,
                previousOrderCount: state.OrderCount,
                firstOrderAt: state.FirstOrderAt,
                enrolledAt: member.EnrolledAt,
                birthday: member.BirthDate is { } b ? new AnnualDate(b.Month, b.Day) : null);
            var usage = await WithCampaignUsageAsync(ruleSet, MemberStateKeeper.Usage(state), key, cancellationToken).ConfigureAwait(false);
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
                RecordedAt = now,
            };
            var next = keeper.WithActivity(member, state, record, now)
                ?? await ReplayWithAsync(member, state, history, h => h with { Activities = [.. h.Activities, record] }, now, cancellationToken).ConfigureAwait(false);
            var (written, _) = Advance(member, next, now);
            var added = await members.AddActivityWithStateAsync(record, written, cancellationToken).ConfigureAwait(false);
            switch (added.Status)
            {
                case HistoryAddStatus.Added:
                    return await CompleteActivityAsync(record, isRepeat: false, cancellationToken).ConfigureAwait(false);
                case HistoryAddStatus.Exists:
                    var stored = added.Existing!;
                    return stored.Fingerprint == fingerprint || tolerateExisting
                        ? await CompleteActivityAsync(stored, isRepeat: true, cancellationToken).ConfigureAwait(false)
                        : Conflict<ActivityReceipt>(ActivityConflict(stored, activity), FieldOf(Fingerprint.FirstDifference(stored.Activity, activity)));
                default:
                    await PauseAsync(attempt, cancellationToken).ConfigureAwait(false);
                    member = await members.GetMemberAsync(programId, activity.Member, cancellationToken).ConfigureAwait(false);
                    if (member is null)
                    {
                        return NotEnrolled<ActivityReceipt>(activity.Member);
                    }

                    continue;
            }
        }

        throw HistoryKeptChanging($"Activity '{activityId}'", activity.Member);
    }

    private async Task<LoyaltyResult<ActivityReceipt>> CompleteActivityAsync(ActivityRecord record, bool isRepeat, CancellationToken cancellationToken)
    {
        var ruleSet = await RuleSetAsync(record.Earning.RuleSetVersion, cancellationToken).ConfigureAwait(false);
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

    /// <summary>The member's tier as of an instant, by replaying its full history (maintenance, as-of questions).</summary>
    private TierEvaluation EvaluateTier(MemberRecord member, MemberHistory history, Instant asOf) => keeper.EvaluateByReplay(member, history, asOf);

    /// <summary>Applies a change to a member under optimistic concurrency; null when the member is not (or no longer) in the store.</summary>
    private async Task<MemberRecord?> UpdateMemberAsync(MemberId memberId, Func<MemberRecord, MemberRecord?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            var current = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return null;
            }

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
            var (state, history) = await StateAsync(member, rebuild: false, now, cancellationToken).ConfigureAwait(false);
            var evaluation = await TierAsync(member, state, history, now, cancellationToken).ConfigureAwait(false);
            if (!evaluation.CanAccess(required))
            {
                return (null, new LoyaltyError(LoyaltyErrorCode.RewardRequiresHigherTier, $"Reward '{rewardId}' is for tier '{required}' and above; member '{member.MemberId}' is '{evaluation.Tier.Id}'."));
            }
        }

        return (reward, null);
    }
}
