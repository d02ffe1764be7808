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

    /// <summary>The achievements moved forward in the same unit of work as orders, refunds and activities, or null when none are registered.</summary>
    public Achievements.AchievementTracker? Achievements { get; set; }

    /// <summary>
    /// Runs the steps of one call as the stores' unit of work (one transaction where they share a
    /// database), or one after the other when the stores have none (then each call's record is the
    /// record of its pending steps, completed by maintenance). When the work throws, the ledger
    /// forgets the account states it cached, which the rollback may have made stale.
    /// </summary>
    public async Task<T> AtomicallyAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (unitOfWork is null)
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await unitOfWork.RunAsync(work, cancellationToken).ConfigureAwait(false);
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

        var added = await ruleSets.AddAsync(programId, ruleSet, cancellationToken).ConfigureAwait(false);
        ruleSetCache.Invalidate(programId);
        return added;
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
    public static MemberContext EarningContext(MemberRecord member, MemberEvaluationState state, TierEvaluation tier) => new(
        tier: tier.Tier.Id,
        tierEarnMultiplier: tier.Benefits.EarnMultiplier,
        previousOrderCount: state.OrderCount,
        firstOrderAt: state.FirstOrderAt,
        enrolledAt: member.EnrolledAt,
        birthday: member.BirthDate is { } b ? new AnnualDate(b.Month, b.Day) : null);

    /// <summary>The member's tier as of an instant: from the kept state, or by replaying the history when the instant is before the state's checkpoint.</summary>
    public async ValueTask<TierEvaluation> TierAsync(MemberRecord member, MemberEvaluationState state, MemberHistory? history, Instant asOf, CancellationToken cancellationToken)
    {
        if (keeper.Evaluate(member, state, asOf) is { } evaluation)
        {
            return evaluation;
        }

        history ??= await members.GetHistoryAsync(programId, member.MemberId, cancellationToken).ConfigureAwait(false);
        return keeper.EvaluateByReplay(member, history, asOf);
    }

    /// <summary>The state after a record dated before the kept checkpoint (recorded late): a replay of the history with the record added.</summary>
    public async Task<MemberEvaluationState> ReplayWithAsync(MemberRecord member, MemberEvaluationState state, MemberHistory? history, Func<MemberHistory, MemberHistory> add, Instant now, CancellationToken cancellationToken)
    {
        history ??= await members.GetHistoryAsync(programId, member.MemberId, cancellationToken).ConfigureAwait(false);
        var with = add(history);
        return keeper.Replay(member, with with { Version = history.Version + 1 }, now);
    }

    /// <summary>The member's next record, with its kept state and its tier status as of <paramref name="now"/> (a newer stored status is kept), and that tier.</summary>
    public (MemberRecord Written, TierEvaluation Tier) Advance(MemberRecord member, MemberEvaluationState next, Instant now)
    {
        var at = next.TierCheckpoint is { } checkpoint && checkpoint.EvaluatedAt > now ? checkpoint.EvaluatedAt : now;
        var tier = keeper.Evaluate(member, next, at)!;
        var status = member.TierStatus is { } stored && stored.EvaluatedAt > now ? stored : tier.Status;
        return (member with { Evaluation = next, TierStatus = status, Version = member.Version + 1 }, tier);
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
