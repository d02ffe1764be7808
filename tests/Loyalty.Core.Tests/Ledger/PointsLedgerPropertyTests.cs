using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;
using static Loyalty.Core.Tests.Ledger.LedgerHarness;

namespace Loyalty.Core.Tests.Ledger;

/// <summary>One scripted step: a kind and two small numbers whose meaning depends on the kind.</summary>
public sealed record LedgerStep(string Kind, int A, int B)
{
    public override string ToString() => $"{Kind}({A},{B})";
}

/// <summary>A random command sequence and the shortfall policy it runs under.</summary>
public sealed record LedgerScript(ShortfallPolicy Shortfall, IReadOnlyList<LedgerStep> Steps)
{
    public override string ToString() => $"{Shortfall}: {string.Join(" ", Steps)}";
}

/// <summary>Named arbitraries for the ledger properties.</summary>
public static class LedgerArbitraries
{
    private static readonly Gen<LedgerStep> Step = Gen.Frequency(
        (6, from a in Gen.Choose(1, 200) from b in Gen.Choose(0, 2) select new LedgerStep("earn", a, b)),
        (5, from a in Gen.Choose(1, 150) select new LedgerStep("redeem", a, 0)),
        (2, from a in Gen.Choose(1, 100) select new LedgerStep("hold", a, 0)),
        (2, from a in Gen.Choose(0, 30) from b in Gen.Choose(0, 100) select new LedgerStep("capture", a, b)),
        (1, from a in Gen.Choose(0, 30) select new LedgerStep("release", a, 0)),
        (3, from a in Gen.Choose(0, 60) from b in Gen.Choose(1, 120) select new LedgerStep("reverse", a, b)),
        (1, from a in Gen.Choose(-60, 60) where a != 0 select new LedgerStep("adjust", a, 0)),
        (4, from a in Gen.Choose(1, 24 * 20) select new LedgerStep("advance", a, 0)),
        (1, Gen.Constant(new LedgerStep("expire", 0, 0))),
        (1, Gen.Constant(new LedgerStep("repeat", 0, 0))),
        (1, from a in Gen.Choose(0, 60) select new LedgerStep("conflict", a, 0)));

    public static Arbitrary<LedgerScript> Scripts() => Arb.From(
        from policy in Gen.Elements(ShortfallPolicy.OnlyPending, ShortfallPolicy.WithinBalance, ShortfallPolicy.AllowNegative)
        from steps in Gen.ListOf(Step).Select(s => s.Take(60).ToList())
        select new LedgerScript(policy, steps));
}

/// <summary>What happened at one step.</summary>
internal sealed record StepOutcome(
    LedgerStep Step, string Id, Instant At, LedgerResult? Result, LedgerErrorCode? Expected,
    LedgerBalance Before, LedgerBalance After, LedgerBalance Model, IReadOnlyList<(string Lot, long Amount)> ModelAllocation);

/// <summary>Drives a script through the ledger and the reference model side by side.</summary>
internal static class ScriptRunner
{
    public static async Task<(LedgerHarness Harness, List<StepOutcome> Outcomes)> RunAsync(LedgerScript script, int repeatEachCommand = 1, int? cacheSlots = null, int instances = 1)
    {
        var h = new LedgerHarness(
            o =>
            {
                o.ShortfallPolicy = script.Shortfall;
                o.HoldLifetime = ReferenceLedger.HoldLifetime.ToTimeSpan();
                o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = ReferenceLedger.ExpiryDays };
            },
            cacheSlots: cacheSlots,
            instances: instances);
        var model = new ReferenceLedger(script.Shortfall);
        var outcomes = new List<StepOutcome>();
        var ids = new List<string>();
        var holdIds = new List<string>();
        Func<Task<LedgerResult>>? lastCommand = null;
        Func<Instant, LedgerErrorCode?>? lastModel = null;

        for (var i = 0; i < script.Steps.Count; i++)
        {
            var step = script.Steps[i];
            var id = "s" + i;
            var now = h.Clock.GetCurrentInstant();
            Func<Task<LedgerResult>>? command = null;
            Func<Instant, LedgerErrorCode?>? expected = null;
            switch (step.Kind)
            {
                case "earn":
                    var pending = step.B == 1 ? Duration.FromDays(3) : Duration.Zero;
                    command = () => h.Ledger.EarnAsync(new EarnPoints(Id(id), Alice, P(step.A)) { PendingPeriod = pending });
                    expected = at => model.Earn(id, step.A, pending, at);
                    break;
                case "redeem":
                    command = () => h.Ledger.RedeemAsync(new RedeemPoints(Id(id), Alice, P(step.A)));
                    expected = at => model.Redeem(id, step.A, at);
                    break;
                case "hold":
                    holdIds.Add(id);
                    command = () => h.Ledger.HoldAsync(new HoldPoints(Id(id), Alice, P(step.A)));
                    expected = at => model.Hold(id, step.A, at);
                    break;
                case "capture" or "release" when holdIds.Count > 0:
                    var hold = holdIds[step.A % holdIds.Count];
                    long? amount = step.B == 0 ? null : step.B;
                    if (step.Kind == "capture")
                    {
                        command = () => h.Ledger.CaptureAsync(new CaptureHold(Id(id), Alice, Id(hold), amount is { } x ? P(x) : null));
                        expected = at => model.Capture(id, hold, amount, at);
                    }
                    else
                    {
                        command = () => h.Ledger.ReleaseAsync(new ReleaseHold(Id(id), Alice, Id(hold)));
                        expected = at => model.Release(id, hold, at);
                    }

                    break;
                case "reverse" when ids.Count > 0:
                    var original = ids[step.A % ids.Count];
                    command = () => h.Ledger.ReverseAsync(new ReversePoints(Id(id), Alice, Id(original), P(step.B)));
                    expected = at => model.Reverse(id, original, step.B, at);
                    break;
                case "adjust":
                    var direction = step.A > 0 ? AdjustmentDirection.Credit : AdjustmentDirection.Debit;
                    command = () => h.Ledger.AdjustAsync(new AdjustPoints(Id(id), Alice, direction, P(Math.Abs(step.A)), "test", "property"));
                    expected = at => model.Adjust(id, step.A, at);
                    break;
                case "conflict" when ids.Count > 0:
                    var reused = ids[step.A % ids.Count];
                    command = () => h.Ledger.EarnAsync(new EarnPoints(Id(reused), Alice, P(999)));
                    expected = at => model.Earn(reused, 999, Duration.Zero, at);
                    break;
                case "repeat" when lastCommand is not null:
                    command = lastCommand;
                    expected = lastModel;
                    break;
                case "advance":
                    h.Advance(Duration.FromHours(step.A));
                    break;
                case "expire":
                    var before = await h.BalanceAsync();
                    await h.Ledger.ExpireDueAsync(now);
                    model.ExpireDue(now);
                    outcomes.Add(new StepOutcome(step, id, now, null, null, before, await h.BalanceAsync(), model.Balance(now), []));
                    break;
            }

            if (command is null)
            {
                continue;
            }

            for (var k = 0; k < repeatEachCommand; k++)
            {
                var before = await h.BalanceAsync();
                var result = await command();
                var code = expected!(now);
                outcomes.Add(new StepOutcome(step, id, now, result, code, before, await h.BalanceAsync(), model.Balance(now), model.LastAllocation));
            }

            ids.Add(id);
            lastCommand = command;
            lastModel = expected;
        }

        return (h, outcomes);
    }

    public static async Task<List<LedgerTransactionRecord>> HistoryAsync(LedgerHarness h)
    {
        var all = new List<LedgerTransactionRecord>();
        long after = 0;
        while (true)
        {
            var page = await h.Ledger.GetHistoryAsync(Alice, after, 7);
            all.AddRange(page.Transactions);
            if (page.ContinueAfter is not { } next)
            {
                return all;
            }

            after = next;
        }
    }
}

[Properties(Arbitrary = [typeof(LedgerArbitraries)], MaxTest = 120 / PropertyRuns.Divisor)]
public class PointsLedgerPropertyTests
{
    private static LedgerBalance Comparable(LedgerBalance b) => b with { AsOf = default, Version = 0 };

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public async Task Outcomes_and_balances_match_the_reference_model(LedgerScript script)
    {
        var (_, outcomes) = await ScriptRunner.RunAsync(script);
        foreach (var o in outcomes)
        {
            (o.Result?.ErrorCode).Should().Be(o.Expected, o.Step.ToString());
            Comparable(o.After).Should().Be(Comparable(o.Model), o.Step.ToString());
        }
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public async Task P1_balances_equal_a_fold_of_the_log(LedgerScript script)
    {
        var (h, _) = await ScriptRunner.RunAsync(script);
        var log = await ScriptRunner.HistoryAsync(h);
        long earned = 0, redeemed = 0, expired = 0, reversed = 0, adjusted = 0, lots = 0, debt = 0;
        foreach (var t in log)
        {
            var moved = t.Movements.Sum(m => m.Delta);
            lots += moved;
            debt += t.DebtChange;
            switch (t.Kind)
            {
                case LedgerTransactionKind.Earn: earned += t.Amount; break;
                case LedgerTransactionKind.Redeem or LedgerTransactionKind.Capture: redeemed += t.Amount; break;
                case LedgerTransactionKind.Expire: expired -= moved; break;
                case LedgerTransactionKind.Reverse when moved > 0: redeemed -= t.Amount; break;
                case LedgerTransactionKind.Reverse: reversed += t.Applied; break;
                case LedgerTransactionKind.Adjust: adjusted += t.Amount; break;
            }
        }

        var b = await h.BalanceAsync();
        (b.Earned.Value, b.Redeemed.Value, b.Reversed.Value, b.Adjusted.Value, b.Debt.Value).Should().Be((earned, redeemed, reversed, adjusted, debt));
        (b.Available + b.Pending + b.Held + b.Debt).Value.Should().Be(lots - (b.Expired.Value - expired));
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public async Task P2_available_is_never_negative_unless_the_policy_allows(LedgerScript script)
    {
        var (_, outcomes) = await ScriptRunner.RunAsync(script);
        foreach (var o in outcomes)
        {
            if (script.Shortfall != ShortfallPolicy.AllowNegative)
            {
                o.After.Available.IsNegative.Should().BeFalse(o.Step.ToString());
                o.After.Debt.Should().Be(Points.Zero);
            }
            else
            {
                o.After.Available.Value.Should().BeGreaterThanOrEqualTo(-o.After.Debt.Value, o.Step.ToString());
            }
        }
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public async Task P3_lots_are_consumed_soonest_expiry_first_and_allocations_sum_to_the_amount(LedgerScript script)
    {
        var (_, outcomes) = await ScriptRunner.RunAsync(script);
        foreach (var o in outcomes.Where(o => o.Result is { Succeeded: true, IsRepeat: false, Transaction.Kind: LedgerTransactionKind.Redeem or LedgerTransactionKind.Capture }))
        {
            var tx = o.Result!.Transaction!;
            tx.Movements.Sum(m => m.Delta).Should().Be(-tx.Amount);
            tx.Movements.Select(m => (m.LotId.Value, -m.Delta)).Should().Equal(o.ModelAllocation);
        }
    }

    [Property(MaxTest = 60 / PropertyRuns.Divisor)]
    public async Task P4_any_command_applied_k_times_has_the_effect_of_once(LedgerScript script)
    {
        var (once, _) = await ScriptRunner.RunAsync(script);
        var (thrice, outcomes) = await ScriptRunner.RunAsync(script, repeatEachCommand: 3);
        Comparable(await thrice.BalanceAsync()).Should().Be(Comparable(await once.BalanceAsync()));
        (await ScriptRunner.HistoryAsync(thrice)).Select(t => t.Id).Should().Equal((await ScriptRunner.HistoryAsync(once)).Select(t => t.Id));
        foreach (var o in outcomes.Where(o => o.Result is { IsRepeat: true }))
        {
            o.After.Should().Be(o.Before);
        }
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public async Task P5_conflicting_reuse_of_an_id_changes_nothing(LedgerScript script)
    {
        var (_, outcomes) = await ScriptRunner.RunAsync(script);
        foreach (var o in outcomes.Where(o => o.Result?.ErrorCode == LedgerErrorCode.IdempotencyConflict))
        {
            o.After.Should().Be(o.Before);
            o.Result!.Error!.Field.Should().NotBeNullOrEmpty();
        }
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public async Task P6_cumulative_reversals_never_exceed_the_original(LedgerScript script)
    {
        var (h, _) = await ScriptRunner.RunAsync(script);
        var log = await ScriptRunner.HistoryAsync(h);
        var byId = log.ToDictionary(t => t.Id);
        foreach (var group in log.Where(t => t.Kind == LedgerTransactionKind.Reverse).GroupBy(t => t.RelatedId!.Value))
        {
            group.Sum(t => t.Amount).Should().BeLessThanOrEqualTo(byId[group.Key].Amount);
        }
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public async Task P7_earned_minus_redeemed_expired_reversed_plus_adjusted_is_the_balance(LedgerScript script)
    {
        var (_, outcomes) = await ScriptRunner.RunAsync(script);
        foreach (var o in outcomes)
        {
            (o.After.Earned - o.After.Redeemed - o.After.Expired - o.After.Reversed + o.After.Adjusted)
                .Should().Be(o.After.Available + o.After.Pending + o.After.Held, o.Step.ToString());
        }
    }

    [Property(MaxTest = 80 / PropertyRuns.Divisor)]
    public async Task P8_as_of_balances_equal_the_reference_model_at_every_instant(LedgerScript script)
    {
        var (h, outcomes) = await ScriptRunner.RunAsync(script);
        foreach (var last in outcomes.GroupBy(o => o.At).Select(g => g.Last()))
        {
            Comparable(await h.Ledger.GetBalanceAsOfAsync(Alice, last.At)).Should().Be(Comparable(last.Model));
        }
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public async Task P9_nothing_expires_a_tick_early_and_expire_due_reruns_are_no_ops(PositiveInt amount, byte days, byte pendingDays)
    {
        var h = new LedgerHarness(o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = 1 + (days % 60) });
        var pending = Duration.FromDays(pendingDays % (1 + (days % 60)));
        var earn = await h.EarnAsync(amount.Get, pending: pending);
        var expiresAt = earn.ExpiresAt!.Value;

        h.Clock.Reset(expiresAt - Duration.Epsilon);
        (await h.Ledger.ExpireDueAsync(h.Clock.GetCurrentInstant())).TransactionsWritten.Should().Be(0);
        (await h.BalanceAsync()).Available.Should().Be(P(amount.Get));

        h.Clock.Reset(expiresAt);
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Available == P(0) && b.Expired == P(amount.Get));
        (await h.Ledger.ExpireDueAsync(expiresAt)).TransactionsWritten.Should().Be(1);
        (await h.Ledger.ExpireDueAsync(expiresAt)).TransactionsWritten.Should().Be(0);
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Available == P(0) && b.Expired == P(amount.Get) && b.Version == 2);
    }

    [Property(MaxTest = 25 / PropertyRuns.Divisor)]
    public async Task P10_concurrent_redemptions_never_overspend_and_each_gets_a_clean_result(PositiveInt balance, NonEmptyArray<PositiveInt> amounts)
    {
        var h = new LedgerHarness(o => o.MaxConcurrencyRetries = 3);
        var initial = balance.Get % 2000 + 1;
        await h.EarnAsync(initial);
        var requests = amounts.Get.Take(40).Select((a, i) => (Id: $"r{i}", Amount: a.Get % 300 + 1)).ToList();
        var results = await Task.WhenAll(requests.Select(r => Task.Run(() => h.RedeemAsync(r.Amount, r.Id))));

        results.Should().OnlyContain(r => r.Succeeded || r.ErrorCode == LedgerErrorCode.InsufficientPoints || r.ErrorCode == LedgerErrorCode.ConcurrencyConflict);
        var spent = results.Zip(requests).Where(p => p.First.Succeeded).Sum(p => (long)p.Second.Amount);
        spent.Should().BeLessThanOrEqualTo(initial);
        var b = await h.BalanceAsync();
        b.Available.Should().Be(P(initial - spent));
        b.Redeemed.Should().Be(P(spent));
    }
}
