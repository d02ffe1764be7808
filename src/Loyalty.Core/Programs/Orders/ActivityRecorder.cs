using Loyalty.Core.Configuration;
using Loyalty.Core.Earning;
using Loyalty.Core.Internal;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using NodaTime;
using static Loyalty.Core.Programs.ProgramResults;

namespace Loyalty.Core.Programs;

/// <summary>
/// Records member activities (sign-up, review, birthday, referral…) under the activity rules in
/// force when they happened: one write of the activity with the member's next state, then the earn.
/// </summary>
internal sealed class ActivityRecorder
{
    private readonly ProgramContext program;
    private readonly IClock clock;
    private readonly PointsLedger ledger;
    private readonly IMemberStore members;
    private readonly MemberStateKeeper keeper;
    private readonly LoyaltyMetrics metrics;
    private readonly ProgramId programId;
    private readonly CampaignBudgets campaigns;

    /// <summary>Creates the capability over the programme's shared context (the facade does this).</summary>
    public ActivityRecorder(ProgramContext program, CampaignBudgets campaigns)
    {
        this.program = program;
        clock = program.Clock;
        ledger = program.Ledger;
        members = program.Members;
        keeper = program.Keeper;
        metrics = program.Metrics;
        programId = program.ProgramId;
        this.campaigns = campaigns;
    }

    /// <summary>The work behind <see cref="LoyaltyProgram.RecordActivityAsync"/>.</summary>
    public async Task<LoyaltyResult<ActivityReceipt>> RecordActivityAsync(ActivityId activityId, ActivityInput activity, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(activityId.IsDefault, nameof(ActivityId), nameof(activityId));
        Preconditions.CheckNotNull(activity);
        return await RecordActivityCoreAsync(activityId, activity, skipWhenNothingEarned: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The points an activity not yet recorded would earn now, without writing anything: the rule set in
    /// force, the member's tier at the activity and the member's cap usage; campaign budgets are not
    /// reserved, so the quote is an upper bound when a budget would cut it. Zero when the member is not
    /// enrolled or no rule set is in force (recording it is then refused).
    /// </summary>
    internal async Task<Points> QuoteActivityAsync(ActivityInput activity, CancellationToken cancellationToken)
    {
        var member = await members.GetMemberAsync(programId, activity.Member, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return Points.Zero;
        }

        var rules = await program.RuleSetsAsync(cancellationToken).ConfigureAwait(false);
        if (rules.InForceAt(activity.OccurredAt) is not { } ruleSet)
        {
            return Points.Zero;
        }

        var earningRules = await program.RulesAtAsync(ruleSet, activity.Merchant, activity.OccurredAt, cancellationToken).ConfigureAwait(false);
        var (state, history) = await program.StateAsync(member, rebuild: false, clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false);
        var tierAt = await program.TierAtAsync(member, state, history, activity.OccurredAt, cancellationToken).ConfigureAwait(false);
        return earningRules.Evaluate(activity, ProgramContext.EarningContext(member, state, tierAt), MemberStateKeeper.Usage(state)).Total;
    }

    internal async Task<LoyaltyResult<ActivityReceipt>> RecordActivityCoreAsync(ActivityId activityId, ActivityInput activity, bool skipWhenNothingEarned, CancellationToken cancellationToken, bool tolerateExisting = false)
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

        var rules = await program.RuleSetsAsync(cancellationToken).ConfigureAwait(false);
        if (rules.InForceAt(activity.OccurredAt) is not { } ruleSet)
        {
            return NoRules<ActivityReceipt>(activity.OccurredAt);
        }

        var earningRules = await program.RulesAtAsync(ruleSet, activity.Merchant, activity.OccurredAt, cancellationToken).ConfigureAwait(false);
        var key = DerivedIds.Activity(activityId);
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            // Written only if the member and its history have not changed since they were read (see RecordOrderAsync).
            var now = clock.GetCurrentInstant();
            var (state, history) = await program.StateAsync(member, rebuild: attempt >= 2, now, cancellationToken).ConfigureAwait(false);
            var tierAt = await program.TierAtAsync(member, state, history, activity.OccurredAt, cancellationToken).ConfigureAwait(false);
            var context = ProgramContext.EarningContext(member, state, tierAt);
            var current = member;

            // The budget reservations, the activity with the member's state, the budget settlement
            // and the earn are one unit of work (see RecordOrderAsync).
            LoyaltyResult<ActivityReceipt>? outcome;
            try
            {
                outcome = await program.AtomicallyAsync<LoyaltyResult<ActivityReceipt>?>(
                    async ct =>
                    {
                        var usage = await campaigns.WithCampaignUsageAsync(earningRules, MemberStateKeeper.Usage(state), key, ct).ConfigureAwait(false);
                        var earning = await campaigns.EvaluateWithinBudgetsAsync(earningRules, usage, key, activity.Member, u => earningRules.Evaluate(activity, context, u), ct).ConfigureAwait(false);
                        if (skipWhenNothingEarned && earning.Total.IsZero)
                        {
                            return LoyaltyResult<ActivityReceipt>.Success(ToReceipt(activityId, activity, earning, earningRules));
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
                        var next = keeper.WithActivity(current, state, record, now, out var evaluated)
                            ?? await program.ReplayWithAsync(current, state, history, h => h with { Activities = [.. h.Activities, record] }, now, ct).ConfigureAwait(false);
                        var (written, _) = await program.PooledAsync(current, program.Advance(current, next, now, evaluated), history, h => h with { Activities = [.. h.Activities, record] }, now, ct).ConfigureAwait(false);

                        var added = await members.AddActivityWithStateAsync(record, written, ct).ConfigureAwait(false);
                        switch (added.Status)
                        {
                            case HistoryAddStatus.Added:
                                if (program.Achievements is { } achievements)
                                {
                                    await achievements.OnActivityAsync(record, ct).ConfigureAwait(false);
                                }

                                return await CompleteActivityAsync(record, isRepeat: false, ct).ConfigureAwait(false);
                            case HistoryAddStatus.Exists:
                                var stored = added.Existing!;
                                return stored.Fingerprint == fingerprint || tolerateExisting
                                    ? await CompleteActivityAsync(stored, isRepeat: true, ct).ConfigureAwait(false)
                                    : Conflict<ActivityReceipt>(ActivityConflict(stored, activity), FieldOf(Fingerprint.FirstDifference(stored.Activity, activity)));
                            default:
                                // The member moved on (or was erased) since it was read: keep none of this run's writes.
                                throw new ActivityWriteRefusedException();
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (ActivityWriteRefusedException)
            {
                outcome = null;
            }

            if (outcome is not null)
            {
                return outcome;
            }

            await PauseAsync(attempt, cancellationToken).ConfigureAwait(false);
            member = await members.GetMemberAsync(programId, activity.Member, cancellationToken).ConfigureAwait(false);
            if (member is null)
            {
                // Erased meanwhile: give back what a run without a shared unit of work kept reserved.
                await campaigns.ReleaseBudgetsAsync(earningRules, key, cancellationToken).ConfigureAwait(false);
                return NotEnrolled<ActivityReceipt>(activity.Member);
            }
        }

        throw HistoryKeptChanging($"Activity '{activityId}'", activity.Member);
    }

    internal async Task<LoyaltyResult<ActivityReceipt>> CompleteActivityAsync(ActivityRecord record, bool isRepeat, CancellationToken cancellationToken)
    {
        var ruleSet = await program.RulesOfAsync(record.Earning, record.Activity.Merchant, cancellationToken).ConfigureAwait(false);
        await campaigns.SettleBudgetsAsync(ruleSet, DerivedIds.Activity(record.ActivityId), record.Earning, cancellationToken).ConfigureAwait(false);
        if (record.TransactionId is { } transactionId)
        {
            // Activities have no return window: their points are spendable at once.
            var earned = await ledger.EarnAsync(new EarnPoints(transactionId, record.MemberId, record.Earning.Total) { PendingPeriod = Duration.Zero, Merchant = record.Activity.Merchant }, cancellationToken).ConfigureAwait(false);
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

    private static ActivityReceipt ToReceipt(ActivityId id, ActivityInput activity, EarningResult earning, EarningRules? ruleSet) => new()
    {
        ActivityId = id,
        MemberId = activity.Member,
        Kind = activity.Kind,
        Points = earning.Total,
        Explanation = Explanations.For(earning, ruleSet),
    };

    /// <summary>Records a birthday activity for maintenance; returns the points it earned.</summary>
    internal async Task<Points> RecordBirthdayAsync(ActivityId activityId, ActivityInput activity, CancellationToken cancellationToken)
    {
        var result = await RecordActivityCoreAsync(activityId, activity, skipWhenNothingEarned: true, cancellationToken).ConfigureAwait(false);
        return result.Value is { Points.IsPositive: true } receipt ? receipt.Points : Points.Zero;
    }

    private static string ActivityConflict(ActivityRecord stored, ActivityInput incoming) =>
        $"Activity '{stored.ActivityId}' was recorded with other content: {Fingerprint.FirstDifference(stored.Activity, incoming) ?? "its content"} differs; use a new activity id for another activity.";

    /// <summary>Leaves an activity's unit of work whose member write was refused, so that none of its writes is kept.</summary>
    private sealed class ActivityWriteRefusedException : Exception
    {
    }
}
