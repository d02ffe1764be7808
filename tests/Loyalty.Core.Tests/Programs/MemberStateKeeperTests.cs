using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using Loyalty.Core.Storage;
using Loyalty.Core.Tests.Tiers;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

/// <summary>
/// The member's kept evaluation state, moved forward by every order, refund and activity, equals
/// the state a replay of the full history gives; the tier it evaluates equals the replay's, now and
/// later, whatever the tier policy, with orders recorded late, refunds and activities in between.
/// </summary>
public class MemberStateKeeperTests
{
    public enum StepKind
    {
        Order,
        LateOrder,
        Refund,
        Review,
    }

    public sealed record Step(StepKind Kind, int AdvanceHours, int Cents, int LateDays, int Pick);

    public sealed record Scenario(TierPolicy Policy, Step[] Steps)
    {
        public override string ToString() =>
            $"{Policy.Window} {Policy.Validity} {Policy.Downgrade} grace={Policy.GracePeriod} {Policy.Refunds} steps=[{string.Join(", ", Steps.Select(s => $"{s.Kind}+{s.AdvanceHours}h:{s.Cents / 100m}{(s.Kind == StepKind.LateOrder ? $"-{s.LateDays}d" : "")}"))}]";
    }

    public static class Arbitraries
    {
        public static Arbitrary<Scenario> Scenarios() =>
            (from policy in TierArbitraries.Policies()
             from steps in Gen.ListOf(Steps()).Select(l => l.Take(14).ToArray())
             select new Scenario(policy, steps)).ToArbitrary();

        private static Gen<Step> Steps() =>
            from kind in Gen.Frequency((6, Gen.Constant(StepKind.Order)), (2, Gen.Constant(StepKind.LateOrder)), (2, Gen.Constant(StepKind.Refund)), (1, Gen.Constant(StepKind.Review)))
            from advance in Gen.Frequency((3, Gen.Constant(0)), (4, Gen.Choose(1, 24 * 40)), (1, Gen.Choose(24 * 100, 24 * 400)))
            from cents in Gen.Choose(100, 90_000)
            from late in Gen.Choose(1, 55)
            from pick in Gen.Choose(0, 1_000)
            select new Step(kind, advance, cents, late, pick);
    }

    [Property(MaxTest = 80 / PropertyRuns.Divisor, Arbitrary = [typeof(Arbitraries)])]
    public Property The_kept_state_equals_a_replay_of_the_history(Scenario scenario)
    {
        var ladder = TierLadder.Create(Ladder.Tiers.ToArray(), scenario.Policy);
        using var h = new ProgramHarness(replace: s =>
        {
            s.RemoveAll<TierLadder>();
            s.AddSingleton(ladder);
        });
        h.ConfigureAsync().GetAwaiter().GetResult();
        h.EnrolAsync(Alice).GetAwaiter().GetResult();
        var keeper = new MemberStateKeeper(new TierEvaluator(ladder), Currency.EUR, new ReferralPolicy { MinimumOrderAmount = 20m }, new Loyalty.Core.Programs.QualificationWeights());
        var orders = new List<string>();
        var n = 0;
        foreach (var step in scenario.Steps)
        {
            h.Advance(Duration.FromHours(step.AdvanceHours));
            n++;
            switch (step.Kind)
            {
                case StepKind.Order:
                case StepKind.LateOrder:
                    var placedAt = step.Kind == StepKind.LateOrder ? h.Now - Duration.FromDays(step.LateDays) : h.Now;
                    var id = "O-" + n;
                    h.Program.RecordOrderAsync(Order(id, Alice, placedAt, Line("SKU", 1, step.Cents / 100m))).GetAwaiter().GetResult().GetValueOrThrow();
                    orders.Add(id);
                    break;
                case StepKind.Refund when orders.Count > 0:
                    var order = orders[step.Pick % orders.Count];
                    var refund = new RefundRequest(RefundId.From("R-" + n), OrderId.From(order), OrderRefund.ForLines(new LineRefund(0, 1)));
                    var result = h.Program.RecordRefundAsync(refund).GetAwaiter().GetResult();
                    (result.Succeeded || result.ErrorCode == LoyaltyErrorCode.RefundExceedsOrder).Should().BeTrue(result.Error?.Message);
                    break;
                case StepKind.Review:
                    h.Program.RecordActivityAsync(ActivityId.From("A-" + n), new ActivityInput(ActivityKind.Review, Alice, h.Now)).GetAwaiter().GetResult().GetValueOrThrow();
                    break;
            }

            if (Mismatch(h, keeper) is { } mismatch)
            {
                return false.Label($"after step {n} ({step}): {mismatch}");
            }
        }

        return true.ToProperty();
    }

    /// <summary>
    /// The end of grace reads the window that ended with the validity again, so a checkpoint taken
    /// during grace keeps that window's entries even though they are before its own window.
    /// </summary>
    /// <remarks>
    /// Calendar year (Paris), validity to the end of the current period, downgrade to the computed
    /// tier, two months of grace, refunds keep the status; Silver at 500 points, Gold at 1,500; one
    /// point per euro times the tier's multiplier (Silver 1.25, Gold 1.5).
    /// <list type="bullet">
    /// <item>10 March 2026, order O-1, 1,000 € as Bronze: 1,000 points, Silver until 1 January 2027.</item>
    /// <item>10 April 2026, order O-2, 600 € as Silver: 750 points, 1,750 in 2026, Gold until 1 January 2027.</item>
    /// <item>20 April 2026, O-2 refunded in full: −750 points, 1,000 in 2026 (Silver's value); Gold holds.</item>
    /// <item>1 January 2027, Gold's validity ends: 2026 holds 1,000 points, below Gold, so grace until 1 March 2027.</item>
    /// <item>1 February 2027, order O-3, 10 € as Gold: 15 points. The checkpoint moves to just before it, in grace.</item>
    /// <item>1 March 2027 00:00 Paris (28 February 23:00 UTC), grace ends without requalification: the
    /// computed tier is the better of 2026 (1,000 points: Silver) and 2027 so far (15 points: Bronze),
    /// so Silver from then, for one period: until 1 January 2028 00:00 Paris (31 December 2027 23:00 UTC).</item>
    /// </list>
    /// Dropping the 2026 entries at the checkpoint in grace (its own window starts 1 January 2027) read
    /// 2026 as empty and landed the member on Bronze.
    /// </remarks>
    [Fact]
    public async Task A_checkpoint_in_grace_keeps_the_window_that_ended_with_the_validity()
    {
        var policy = new TierPolicy
        {
            Window = QualificationWindow.CalendarYear,
            Validity = StatusValidity.EndOfCurrentPeriod,
            Downgrade = DowngradePolicy.ToComputed,
            GracePeriod = Period.FromMonths(2),
            Refunds = RefundPolicy.KeepStatus,
            TimeZone = Paris,
        };
        var ladder = TierLadder.Create(Ladder.Tiers.ToArray(), policy);
        using var h = new ProgramHarness(replace: s =>
        {
            s.RemoveAll<TierLadder>();
            s.AddSingleton(ladder);
        });
        await h.ConfigureAsync();
        await h.EnrolAsync(Alice);

        h.Advance(At(2026, 3, 10) - h.Now);
        (await h.Program.RecordOrderAsync(Order("O-1", Alice, h.Now, Line("SKU", 1, 1_000m)))).GetValueOrThrow().Points.Should().Be(Points.FromInt64(1_000));
        h.Advance(At(2026, 4, 10) - h.Now);
        (await h.Program.RecordOrderAsync(Order("O-2", Alice, h.Now, Line("SKU", 1, 600m)))).GetValueOrThrow().Points.Should().Be(Points.FromInt64(750));
        h.Advance(At(2026, 4, 20) - h.Now);
        (await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-2"), OrderId.From("O-2"), OrderRefund.ForLines(new LineRefund(0, 1))))).GetValueOrThrow();
        h.Advance(At(2027, 2, 1) - h.Now);
        (await h.Program.RecordOrderAsync(Order("O-3", Alice, h.Now, Line("SKU", 1, 10m)))).GetValueOrThrow().Points.Should().Be(Points.FromInt64(15));

        h.Advance(At(2027, 3, 15) - h.Now);
        var tier = (await h.Program.GetMemberSummaryAsync(Alice)).GetValueOrThrow().Tier;
        tier.Tier.Id.Should().Be(TierId.From("silver"));
        tier.Status.Since.Should().Be(Instant.FromUtc(2027, 2, 28, 23, 0));
        tier.Status.ValidUntil.Should().Be(Instant.FromUtc(2027, 12, 31, 23, 0));
        tier.QualifyingValue.Should().Be(new QualifyingTotals(15, 10m, 1));
        tier.Changes.Should().ContainSingle().Which.Should().Be(new TierChange(Instant.FromUtc(2027, 2, 28, 23, 0), TierId.From("gold"), TierId.From("silver"), TierChangeReason.DowngradedAfterGrace));

        var member = (await h.Members.GetMemberAsync(ProgramId.From("club"), Alice))!;
        member.Evaluation!.TierCheckpoint!.GraceUntil.Should().Be(Instant.FromUtc(2027, 2, 28, 23, 0), "the checkpoint is in Gold's grace");
        member.Evaluation.Qualification.Should().HaveCount(5, "the sign-up bonus, O-1, O-2 and its refund in 2026 still count when grace ends, and O-3");
        var history = await h.Members.GetHistoryAsync(ProgramId.From("club"), Alice);
        var keeper = new MemberStateKeeper(new TierEvaluator(ladder), Currency.EUR, new ReferralPolicy { MinimumOrderAmount = 20m }, new Loyalty.Core.Programs.QualificationWeights());
        keeper.EvaluateByReplay(member, history, h.Now).Status.Should().Be(tier.Status with { EvaluatedAt = h.Now });
    }

    [Fact]
    public async Task A_member_with_a_thousand_orders_keeps_a_state_of_a_few_entries()
    {
        using var h = new ProgramHarness();
        await h.ConfigureAsync();
        await h.EnrolAsync(Alice);
        for (var i = 0; i < 1_000; i++)
        {
            h.Advance(Duration.FromHours(1));
            (await h.Program.RecordOrderAsync(Order("O-" + i, Alice, h.Now, Line("SKU", 1, 10m)))).GetValueOrThrow();
        }

        h.Advance(Duration.FromDays(400));
        (await h.Program.RecordOrderAsync(Order("O-last", Alice, h.Now, Line("SKU", 1, 10m)))).GetValueOrThrow();

        var member = (await h.Members.GetMemberAsync(ProgramId.From("club"), Alice))!;
        member.Evaluation!.OrderCount.Should().Be(1_001);
        member.Evaluation.HistoryVersion.Should().Be(1_002, "the sign-up activity and 1,001 orders");
        member.Evaluation.Qualification.Should().HaveCount(1, "only the last order is inside the 12-month window");
    }

    private static string? Mismatch(ProgramHarness h, MemberStateKeeper keeper)
    {
        var member = h.Members.GetMemberAsync(ProgramId.From("club"), Alice).GetAwaiter().GetResult()!;
        var history = h.Members.GetHistoryAsync(ProgramId.From("club"), Alice).GetAwaiter().GetResult();
        var kept = member.Evaluation!;
        var replayed = keeper.Replay(member, history, h.Now);
        if (kept.HistoryVersion != history.Version)
        {
            return $"history version {kept.HistoryVersion} kept, {history.Version} stored";
        }

        if (kept.OrderCount != replayed.OrderCount || kept.FirstOrderAt != replayed.FirstOrderAt || kept.FirstQualifyingOrder != replayed.FirstQualifyingOrder || kept.WelcomePoints != replayed.WelcomePoints)
        {
            return $"counters differ: kept {kept.OrderCount}/{kept.FirstOrderAt}/{kept.FirstQualifyingOrder}/{kept.WelcomePoints}, replayed {replayed.OrderCount}/{replayed.FirstOrderAt}/{replayed.FirstQualifyingOrder}/{replayed.WelcomePoints}";
        }

        if (!kept.Usage.ToHashSet().SetEquals(replayed.Usage))
        {
            return "cap usage differs";
        }

        foreach (var days in new[] { 0, 1, 45, 200, 400, 800 })
        {
            var at = h.Now + Duration.FromDays(days);
            var fromKept = keeper.Evaluate(member, kept, at);
            var fromReplay = keeper.EvaluateByReplay(member, history, at);
            if (fromKept is null)
            {
                return $"the kept state cannot evaluate {at}";
            }

            if (fromKept.Status with { EvaluatedAt = at } != fromReplay.Status || fromKept.QualifyingValue != fromReplay.QualifyingValue || fromKept.ProjectedTier.Id != fromReplay.ProjectedTier.Id)
            {
                return $"tier at +{days}d: kept {fromKept.Status} {fromKept.QualifyingValue}, replayed {fromReplay.Status} {fromReplay.QualifyingValue}";
            }
        }

        return null;
    }
}
