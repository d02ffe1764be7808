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
using static Loyalty.Core.Programs.ProgramResults;

namespace Loyalty.Core.Programs;

/// <summary>
/// What every capability of one programme shares: its settings, clock, stores, ledger, kept member
/// state, rule set cache and metrics, with the reads and writes of a member's kept state that
/// orders, refunds, activities, rewards and queries all need. Built once per facade.
/// </summary>
internal sealed class ProgramContext
{
    private static readonly MerchantRuleSets NoMerchantRuleSets = new([]);
    private readonly IClock clock;
    private readonly IMemberStore members;
    private readonly IRuleSetStore ruleSets;
    private readonly MemberStateKeeper keeper;
    private readonly RuleSetCache ruleSetCache;
    private readonly ProgramId programId;
    private readonly Currency currency;
    private readonly Duration returnWindow;
    private readonly ILoyaltyUnitOfWork? unitOfWork;
    private readonly Action<EarningRuleSet> checkPublished;
    private EarningRules? programmeRules;

    /// <summary>Creates the context (the facade does this).</summary>
    public ProgramContext(
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
        LoyaltyMetrics metrics,
        RuleSetCache ruleSetCache,
        ILoyaltyUnitOfWork? unitOfWork)
    {
        this.unitOfWork = unitOfWork;
        this.clock = Clock = clock;
        Settings = settings;
        Ledger = ledger;
        LedgerStore = ledgerStore;
        this.members = Members = members;
        this.ruleSets = RuleSets = ruleSets;
        Rewards = rewards;
        Budgets = budgets;
        Tiers = tiers;
        RewardCodes = rewardCodes;
        ReferralCodes = referralCodes;
        Metrics = metrics;
        this.ruleSetCache = ruleSetCache;
        programId = ProgramId = settings.ProgramId;
        currency = Currency = settings.Currency;
        returnWindow = Duration.FromTimeSpan(ledger.Options.PendingPeriod);
        checkPublished = r => ConfigurationChecks.CheckPublished(Settings, r);
        this.keeper = Keeper = new MemberStateKeeper(new TierEvaluator(tiers), settings.Currency, settings.Referral, new QualificationWeights());
    }

    public IClock Clock { get; }

    public ProgramSettings Settings { get; }

    public PointsLedger Ledger { get; }

    public ILedgerStore LedgerStore { get; }

    public IMemberStore Members { get; }

    public IRuleSetStore RuleSets { get; }

    public IRewardCatalogStore Rewards { get; }

    public ICampaignBudgetStore Budgets { get; }

    public TierLadder Tiers { get; }

    public IRewardCodeGenerator RewardCodes { get; }

    public IReferralCodeGenerator ReferralCodes { get; }

    public LoyaltyMetrics Metrics { get; }

    /// <summary>The facade's logs and spans (retries on version conflicts are logged here).</summary>
    public ProgramDiagnostics? Diagnostics { get; init; }

    public MemberStateKeeper Keeper { get; }

    public ProgramId ProgramId { get; }

    public Currency Currency { get; }

    /// <summary>The household's pooled tier qualification, or null when tiers qualify per member (the default).</summary>
    public PooledQualification? Pooled { get; set; }

    /// <summary>The achievements moved forward in the same unit of work as orders, refunds and activities, or null when none are registered.</summary>
    public Achievements.AchievementTracker? Achievements { get; set; }

    /// <summary>
    /// Runs the steps of one call as the stores' unit of work (one transaction where they share a
    /// database), or one after the other when the stores have none (then each call's record is the
    /// record of its pending steps, completed by maintenance). When the work throws, the ledger
    /// forgets the account states it cached, which the rollback may have made stale.
    /// </summary>
    public Task<T> AtomicallyAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        InUnitAsync(work, static (w, ct) => new ValueTask<T>(w(ct)), cancellationToken).AsTask();

    /// <summary>Runs the work through the stores' unit of work, its counts held until the unit is kept.</summary>
    private async Task<T> RunInUnitAsync<T>(ILoyaltyUnitOfWork unitOfWork, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        // Without instruments there is nothing to hold back until the unit is kept.
        using var counted = Metrics.HasInstruments ? Metrics.BeginUnit() : null;
        var runs = 0;
        try
        {
            var result = await unitOfWork.RunAsync(
                ct =>
                {
                    if (runs++ > 0)
                    {
                        // The store runs the unit again (its first writes were refused and not kept):
                        // what the first run cached and counted did not happen.
                        Ledger.ForgetCachedAccounts();
                        counted?.Restart();
                    }

                    return work(ct);
                },
                cancellationToken).ConfigureAwait(false);
            counted?.Complete();
            return result;
        }
        catch
        {
            Ledger.ForgetCachedAccounts();
            throw;
        }
    }

    /// <summary>
    /// <see cref="AtomicallyAsync"/> with the work's state as an argument (a static lambda allocates no closure)
    /// and a <see cref="ValueTask{TResult}"/>: the order path, which runs once per order, calls it directly, so
    /// that with an inline unit of work (the in-memory stores') and no instruments an order allocates nothing
    /// for its unit.
    /// </summary>
    public ValueTask<T> InUnitAsync<TState, T>(TState state, Func<TState, CancellationToken, ValueTask<T>> work, CancellationToken cancellationToken)
    {
        if (unitOfWork is null)
        {
            return work(state, cancellationToken);
        }

        if (RunsInline)
        {
            // What the inline unit of work does: once started, the work runs to its end without observing cancellation.
            cancellationToken.ThrowIfCancellationRequested();
            return RunInlineAsync(state, work);
        }

        return new(RunInUnitAsync(unitOfWork, Unwrapped(state, work), cancellationToken));
    }

    /// <summary>
    /// Whether a unit's work is called directly: an inline unit of work (the in-memory stores') runs it at once,
    /// and without instruments there are no counts to hold back until the unit is kept.
    /// </summary>
    private bool RunsInline => unitOfWork is IInlineUnitOfWork && !Metrics.HasInstruments;

    // Made apart, so that the inline path above allocates no closure over its arguments.
    private static Func<CancellationToken, Task<T>> Unwrapped<TState, T>(TState state, Func<TState, CancellationToken, ValueTask<T>> work) =>
        ct => work(state, ct).AsTask();

    /// <summary>Runs a unit's work directly (see <see cref="RunsInline"/>), with <see cref="CancellationToken.None"/>; when it throws, the ledger forgets the account states it cached.</summary>
    private async ValueTask<T> RunInlineAsync<TState, T>(TState state, Func<TState, CancellationToken, ValueTask<T>> work)
    {
        try
        {
            return await work(state, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            Ledger.ForgetCachedAccounts();
            throw;
        }
    }

    /// <summary>Publishes a rule set after checking it against the programme, and drops the cached versions.</summary>
    public async Task<bool> PublishRuleSetAsync(EarningRuleSet ruleSet, CancellationToken cancellationToken)
    {
        Preconditions.CheckNotNull(ruleSet);
        ConfigurationChecks.CheckRuleSet(Settings, ruleSet, nameof(ruleSet));

        if (ruleSets is IMerchantRuleSetStore merchantStore)
        {
            // A programme-wide rule may not take the id a merchant's rule is recorded under.
            foreach (var rule in ruleSet.OrderedRules)
            {
                if (MerchantRuleNames.Split(rule.Id) is not { } split)
                {
                    continue;
                }

                var merchantHistory = await merchantStore.GetMerchantHistoryAsync(programId, split.Merchant, cancellationToken).ConfigureAwait(false);
                if (merchantHistory.Versions.FirstOrDefault(v => v.Find(split.Rule) is not null) is { } clash)
                {
                    throw new ArgumentException($"Rule \"{rule.Id}\" of rule set {ruleSet.Version} has the id merchant '{split.Merchant}''s own rule \"{split.Rule}\" (its rule set {clash.Version}) is recorded under; give the programme's rule another id.", nameof(ruleSet));
                }
            }
        }

        var added = await ruleSets.AddAsync(programId, ruleSet, cancellationToken).ConfigureAwait(false);
        ruleSetCache.Invalidate(programId);
        return added;
    }

    /// <summary>
    /// Publishes a merchant's own rule set after checking it against the programme (currency, time
    /// zone), that its rules can be namespaced, and that no programme-wide version has a rule under one
    /// of its namespaced ids; drops the merchant's cached versions. The caller checks the merchant.
    /// </summary>
    /// <exception cref="ArgumentException">A check fails, or the version clashes with another of the merchant's; nothing is written.</exception>
    /// <exception cref="InvalidOperationException">The rule-set store does not keep merchant rule sets.</exception>
    public async Task<bool> PublishMerchantRuleSetAsync(MerchantId merchant, EarningRuleSet ruleSet, CancellationToken cancellationToken)
    {
        Preconditions.CheckNotNull(ruleSet);
        if (ruleSets is not IMerchantRuleSetStore merchantStore)
        {
            throw new InvalidOperationException($"The rule-set store ({ruleSets.GetType().Name}) does not keep merchant rule sets (it does not implement IMerchantRuleSetStore); use a store that does, like the in-memory and EF Core stores.");
        }

        ConfigurationChecks.CheckRuleSet(Settings, ruleSet, nameof(ruleSet));
        var namespaced = MerchantRuleNames.Namespace(merchant, ruleSet, nameof(ruleSet));
        var programme = await ruleSets.GetHistoryAsync(programId, cancellationToken).ConfigureAwait(false);
        foreach (var version in programme.Versions)
        {
            foreach (var id in namespaced.RuleIds)
            {
                if (version.Find(id) is not null)
                {
                    throw new ArgumentException($"Rule \"{MerchantRuleNames.Local(id)}\" of merchant '{merchant}' is recorded as \"{id}\", the id of a rule of the programme's rule set {version.Version}; give the merchant's rule another id.", nameof(ruleSet));
                }
            }
        }

        var added = await merchantStore.AddMerchantAsync(programId, merchant, ruleSet, cancellationToken).ConfigureAwait(false);
        ruleSetCache.Invalidate(programId, merchant);
        return added;
    }

    /// <summary>A merchant's own rule sets, read through the shared cache (none when the store keeps none).</summary>
    public async ValueTask<MerchantRuleSets> MerchantRuleSetsAsync(MerchantId merchant, CancellationToken cancellationToken) =>
        ruleSets is IMerchantRuleSetStore merchantStore
            ? await ruleSetCache.GetMerchantAsync(merchantStore, programId, merchant, clock.GetCurrentInstant(), r => ConfigurationChecks.CheckPublished(Settings, r), cancellationToken).ConfigureAwait(false)
            : NoMerchantRuleSets;

    /// <summary>The rules an order or activity at <paramref name="merchant"/> (null: the programme's own shop) is evaluated with at an instant.</summary>
    public async ValueTask<EarningRules> RulesAtAsync(EarningRuleSet ruleSet, MerchantId? merchant, Instant at, CancellationToken cancellationToken)
    {
        if (merchant is not { } m || ruleSets is not IMerchantRuleSetStore)
        {
            return ProgrammeRules(ruleSet);
        }

        var own = await MerchantRuleSetsAsync(m, cancellationToken).ConfigureAwait(false);
        return EarningRules.Of(ruleSet, m, own.InForceAt(at));
    }

    /// <summary>The rules a recorded result was evaluated with, by its versions; null when the programme-wide version is no longer in the store.</summary>
    public async ValueTask<EarningRules?> RulesOfAsync(EarningResult earning, MerchantId? merchant, CancellationToken cancellationToken)
    {
        if (await RuleSetAsync(earning.RuleSetVersion, cancellationToken).ConfigureAwait(false) is not { } ruleSet)
        {
            return null;
        }

        if (earning.MerchantRuleSetVersion is not { } version || merchant is not { } m)
        {
            return ProgrammeRules(ruleSet);
        }

        var own = (await MerchantRuleSetsAsync(m, cancellationToken).ConfigureAwait(false)).ByVersion(version);
        if (own is null)
        {
            // Published by another instance since the cache read it.
            ruleSetCache.Invalidate(programId, m);
            own = (await MerchantRuleSetsAsync(m, cancellationToken).ConfigureAwait(false)).ByVersion(version);
        }

        return EarningRules.Of(ruleSet, m, own);
    }

    /// <summary>The programme-wide rules of <paramref name="ruleSet"/> alone: made once per rule set in force, not once per order.</summary>
    private EarningRules ProgrammeRules(EarningRuleSet ruleSet)
    {
        var cached = Volatile.Read(ref programmeRules);
        if (cached is null || !ReferenceEquals(cached.Coalition, ruleSet))
        {
            cached = EarningRules.Of(ruleSet);
            Volatile.Write(ref programmeRules, cached);
        }

        return cached;
    }

    /// <summary>The kept state of a member, or (when asked, or when none is kept yet) the state a replay of its history gives, with that history.</summary>
    public async ValueTask<(MemberEvaluationState State, MemberHistory? History)> StateAsync(MemberRecord member, bool rebuild, Instant now, CancellationToken cancellationToken)
    {
        if (!rebuild && member.Evaluation is { } kept)
        {
            return (kept, null);
        }

        var history = await members.GetHistoryAsync(programId, member.MemberId, cancellationToken).ConfigureAwait(false);
        return (keeper.Replay(member, history, now), history);
    }

    /// <summary>What the earning engine needs of a member: the tier at the evaluated instant, the kept order count and first order, enrolment and birthday.</summary>
    public static MemberContext EarningContext(MemberRecord member, MemberEvaluationState state, TierDefinition tier) => new(
        tier: tier.Id,
        tierEarnMultiplier: tier.Benefits.EarnMultiplier,
        previousOrderCount: state.OrderCount,
        firstOrderAt: state.FirstOrderAt,
        enrolledAt: member.EnrolledAt,
        birthday: member.BirthDate is { } b ? new AnnualDate(b.Month, b.Day) : null);

    /// <summary>The member's tier as of an instant: from the kept state, or by replaying the history when the instant is before the state's checkpoint.</summary>
    public async ValueTask<TierEvaluation> TierAsync(MemberRecord member, MemberEvaluationState state, MemberHistory? history, Instant asOf, CancellationToken cancellationToken)
    {
        if (Pooled is { } pooled && await pooled.EvaluateAsync(member, history, asOf, cancellationToken).ConfigureAwait(false) is { } shared)
        {
            return shared;
        }

        if (keeper.Evaluate(member, state, asOf) is { } evaluation)
        {
            return evaluation;
        }

        history ??= await members.GetHistoryAsync(programId, member.MemberId, cancellationToken).ConfigureAwait(false);
        return keeper.EvaluateByReplay(member, history, asOf);
    }

    /// <summary>
    /// The member's tier as of an instant, for evaluating an order, activity or quote dated then: the tier
    /// <see cref="TierAsync"/> reports, read from the kept state without building the evaluation around it.
    /// </summary>
    public async ValueTask<TierDefinition> TierAtAsync(MemberRecord member, MemberEvaluationState state, MemberHistory? history, Instant asOf, CancellationToken cancellationToken)
    {
        if (Pooled is { } pooled && await pooled.EvaluateAsync(member, history, asOf, cancellationToken).ConfigureAwait(false) is { } shared)
        {
            return shared.Tier;
        }

        if (keeper.TierAt(member, state, asOf) is { } tier)
        {
            return tier;
        }

        history ??= await members.GetHistoryAsync(programId, member.MemberId, cancellationToken).ConfigureAwait(false);
        return keeper.EvaluateByReplay(member, history, asOf).Tier;
    }

    /// <summary>The state after a record dated before the kept checkpoint (recorded late): a replay of the history with the record added.</summary>
    public async Task<MemberEvaluationState> ReplayWithAsync(MemberRecord member, MemberEvaluationState state, MemberHistory? history, Func<MemberHistory, MemberHistory> add, Instant now, CancellationToken cancellationToken)
    {
        history ??= await members.GetHistoryAsync(programId, member.MemberId, cancellationToken).ConfigureAwait(false);
        var with = add(history);
        return keeper.Replay(member, with with { Version = history.Version + 1 }, now);
    }

    /// <summary>The member's next record, with its kept state and its tier status as of <paramref name="now"/> (a newer stored status is kept), and that tier.</summary>
    /// <param name="member">The member, as read.</param>
    /// <param name="next">The member's kept state after the write.</param>
    /// <param name="now">The instant of the write.</param>
    /// <param name="evaluated">The keeper's evaluation of <paramref name="next"/> as of the same instant, when it made one while moving the state on (the <c>evaluation</c> of <see cref="MemberStateKeeper.WithOrder"/>); null to evaluate here.</param>
    public (MemberRecord Written, TierEvaluation Tier) Advance(MemberRecord member, MemberEvaluationState next, Instant now, TierEvaluation? evaluated = null)
    {
        var at = next.TierCheckpoint is { } checkpoint && checkpoint.EvaluatedAt > now ? checkpoint.EvaluatedAt : now;
        var tier = evaluated ?? keeper.Evaluate(member, next, at)!;
        var status = member.TierStatus is { } stored && stored.EvaluatedAt > now ? stored : tier.Status;
        return (member with { Evaluation = next, TierStatus = status, Version = member.Version + 1 }, tier);
    }

    /// <summary>
    /// With pooled qualification, the member's next record and tier of <see cref="Advance"/> with the tier
    /// evaluated on the household's pooled qualification (the member's history after the write is
    /// <paramref name="add"/> applied to what the store holds); otherwise (or in no shared household) unchanged.
    /// </summary>
    public async ValueTask<(MemberRecord Written, TierEvaluation Tier)> PooledAsync(MemberRecord member, (MemberRecord Written, TierEvaluation Tier) advanced, MemberHistory? history, Func<MemberHistory, MemberHistory> add, Instant now, CancellationToken cancellationToken)
    {
        if (Pooled is not { } pooled || await pooled.SharedHouseholdAsync(member.MemberId, cancellationToken).ConfigureAwait(false) is null)
        {
            return advanced;
        }

        history ??= await members.GetHistoryAsync(programId, member.MemberId, cancellationToken).ConfigureAwait(false);
        if (await pooled.EvaluateAsync(member, add(history), now, cancellationToken).ConfigureAwait(false) is not { } tier)
        {
            return advanced;
        }

        var status = member.TierStatus is { } stored && stored.EvaluatedAt > now ? stored : tier.Status;
        return (advanced.Written with { TierStatus = status }, tier);
    }

    /// <summary>
    /// Evaluates a member's tier again as of now and stores its status (a household joined or left changes
    /// the pooled qualification without a write of the member's own); null when the member is not enrolled.
    /// </summary>
    public async Task<TierEvaluation?> RefreshTierAsync(MemberId memberId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            var member = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
            if (member is null)
            {
                return null;
            }

            var now = clock.GetCurrentInstant();
            var (state, history) = await StateAsync(member, rebuild: false, now, cancellationToken).ConfigureAwait(false);
            var tier = await TierAsync(member, state, history, now, cancellationToken).ConfigureAwait(false);
            var status = member.TierStatus is { } stored && stored.EvaluatedAt > now ? stored : tier.Status;
            if (status == member.TierStatus
                || await members.UpdateMemberAsync(member with { TierStatus = status, Version = member.Version + 1 }, member.Version, cancellationToken).ConfigureAwait(false))
            {
                return tier;
            }
        }

        throw new LoyaltyStoreException($"Member '{memberId}' could not be updated after {MaxUpdateAttempts} attempts because of concurrent updates; retry the call.", isTransient: true);
    }

    /// <summary>The published rule sets, read through the shared cache.</summary>
    public ValueTask<EarningRuleSetHistory> RuleSetsAsync(CancellationToken cancellationToken) =>
        ruleSetCache.GetAsync(ruleSets, programId, clock.GetCurrentInstant(), checkPublished, cancellationToken);

    /// <summary>A rule set by version: from the cache, or from the store when the cache has not seen it yet (published by another instance).</summary>
    public async ValueTask<EarningRuleSet?> RuleSetAsync(string version, CancellationToken cancellationToken)
    {
        var cached = await RuleSetsAsync(cancellationToken).ConfigureAwait(false);
        var versions = cached.Versions;
        for (var i = 0; i < versions.Count; i++)
        {
            // An index loop, not a lambda: this runs once per order.
            if (versions[i].Version == version)
            {
                return versions[i];
            }
        }

        ruleSetCache.Invalidate(programId);
        return (await RuleSetsAsync(cancellationToken).ConfigureAwait(false)).Versions.FirstOrDefault(v => v.Version == version);
    }

    /// <summary>
    /// The earn of an order: pending until the return window counted from the order's placement
    /// ends (an order recorded late is pending for less). Computed from the stored record, so a
    /// retry sends the ledger the very same request.
    /// </summary>
    public EarnPoints OrderEarn(OrderRecord order)
    {
        var pending = order.Order.PlacedAt + returnWindow - order.RecordedAt;
        return new EarnPoints(order.TransactionId, order.MemberId, order.Earning.Total) { PendingPeriod = pending < Duration.Zero ? Duration.Zero : pending, Merchant = order.Order.Store };
    }

    /// <summary>Applies a change to a member under optimistic concurrency; null when the member is not (or no longer) in the store.</summary>
    public async Task<MemberRecord?> UpdateMemberAsync(MemberId memberId, Func<MemberRecord, MemberRecord?> change, CancellationToken cancellationToken)
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

            if (Diagnostics is { } diagnostics)
            {
                Loyalty.Core.Diagnostics.LoyaltyLog.VersionConflictRetry(diagnostics.Logger, attempt + 1, MaxUpdateAttempts, diagnostics.Member(memberId));
            }
        }

        throw new LoyaltyStoreException($"Member '{memberId}' could not be updated after {MaxUpdateAttempts} attempts because of concurrent updates; retry the call.", isTransient: true);
    }

    public MemberProfile ToProfile(MemberRecord member, Points welcome) =>
        new(member.MemberId, member.EnrolledAt, member.BirthDate, member.ReferralCode, member.ReferredBy, welcome);

    public void CheckCurrency(EarningOrder order, string paramName)
    {
        if (order.Currency != currency)
        {
            throw new ArgumentException($"Order '{order.Id}' is in {order.Currency.Code} but the programme's currency is {currency.Code}; no conversion is made, convert it before recording.", paramName);
        }
    }
}
