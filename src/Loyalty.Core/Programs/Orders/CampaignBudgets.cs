using Loyalty.Core.Configuration;
using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using NodaTime;
using static Loyalty.Core.Programs.ProgramResults;

namespace Loyalty.Core.Programs;

/// <summary>Campaign budgets shared by every member: usage read before an evaluation, reservations before a write, settlement after it.</summary>
internal sealed class CampaignBudgets
{
    private readonly ProgramContext program;
    private readonly ICampaignBudgetStore budgets;
    private readonly ProgramId programId;

    /// <summary>Creates the capability over the programme's shared context (the facade does this).</summary>
    public CampaignBudgets(ProgramContext program)
    {
        this.program = program;
        budgets = program.Budgets;
        programId = program.ProgramId;
    }

    /// <summary>
    /// Sets each campaign budget's usage to what all orders and activities hold, except what
    /// <paramref name="key"/> holds itself (an earlier attempt of the same call), which the
    /// evaluation may use again.
    /// </summary>
    internal async ValueTask<EarningUsage> WithCampaignUsageAsync(EarningRules rules, EarningUsage usage, TransactionId key, CancellationToken cancellationToken)
    {
        if (!rules.HasCampaignBudgets)
        {
            return usage;
        }

        foreach (var rule in rules.Rules)
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
    /// <remarks>With a store that records reservations (<see cref="ICampaignReservationRecovery"/>), each is
    /// recorded with <paramref name="member"/> and the clock's instant until it is settled, so that
    /// maintenance gives back what an interrupted call reserved and never wrote.</remarks>
    internal async ValueTask<EarningResult> EvaluateWithinBudgetsAsync(EarningRules rules, EarningUsage usage, TransactionId key, MemberId member, Func<EarningUsage, EarningResult> evaluate, CancellationToken cancellationToken)
    {
        while (true)
        {
            var earning = evaluate(usage);
            var covered = true;
            foreach (var delta in earning.UsageDeltas)
            {
                if (delta.Period is not null || !delta.Points.IsPositive || rules.Find(delta.RuleId)?.Caps?.CampaignBudget is not { } budget)
                {
                    continue;
                }

                var granted = budgets is ICampaignReservationRecovery recorded
                    ? await recorded.ReserveRecordedAsync(programId, delta.RuleId, key, delta.Points, budget, member, program.Clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false)
                    : await budgets.ReserveAsync(programId, delta.RuleId, key, delta.Points, budget, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Gives back every campaign budget reservation held under <paramref name="key"/> (a refused order or activity; idempotent).</summary>
    internal async ValueTask ReleaseBudgetsAsync(EarningRules rules, TransactionId key, CancellationToken cancellationToken)
    {
        if (!rules.HasCampaignBudgets)
        {
            return;
        }

        await budgets.SettleAsync(programId, key, [], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Settles what the order or activity holds of each campaign budget to what its written record awarded (idempotent).</summary>
    internal async ValueTask SettleBudgetsAsync(EarningRules? rules, TransactionId key, EarningResult earning, CancellationToken cancellationToken)
    {
        if (rules is null || !rules.HasCampaignBudgets)
        {
            return;
        }

        var grants = earning.UsageDeltas.Where(d => d.Period is null).Select(d => new CampaignGrant(d.RuleId, d.Points)).ToArray();
        await budgets.SettleAsync(programId, key, grants, cancellationToken).ConfigureAwait(false);
    }
}
