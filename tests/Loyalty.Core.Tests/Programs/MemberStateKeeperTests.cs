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
        LateRefund,
        Review,
    }

    public sealed record Step(StepKind Kind, int AdvanceHours, int Cents, int LateDays, int Pick);

    public sealed record Scenario(TierPolicy Policy, Step[] Steps)
    {
        public override string ToString() =>
            $"{Policy.Window} {Policy.Validity} {Policy.Downgrade} grace={Policy.GracePeriod} {Policy.Refunds} steps=[{string.Join(", ", Steps.Select(s => $"{s.Kind}+{s.AdvanceHours}h:{s.Cents / 100m}{(s.Kind is StepKind.LateOrder or StepKind.LateRefund ? $"-{s.LateDays}d" : "")}"))}]";
    }

    public static class Arbitraries
    {
        public static Arbitrary<Scenario> Scenarios() =>
            (from policy in TierArbitraries.Policies()
             from steps in Gen.ListOf(Steps()).Select(l => l.Take(14).ToArray())
             select new Scenario(policy, steps)).ToArbitrary();

        private static Gen<Step> Steps() =>
            from kind in Gen.Frequency((6, Gen.Constant(StepKind.Order)), (2, Gen.Constant(StepKind.LateOrder)), (2, Gen.Constant(StepKind.Refund)), (1, Gen.Constant(StepKind.LateRefund)), (1, Gen.Constant(StepKind.Review)))
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
        var orders = new List<(string Id, Instant PlacedAt)>();
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
                    orders.Add((id, placedAt));
                    break;
                case StepKind.Refund or StepKind.LateRefund when orders.Count > 0:
                    var order = orders[step.Pick % orders.Count];
                    // A late refund is dated back (never before its order): behind the checkpoint when that has moved past it.
                    var late = h.Now - Duration.FromDays(step.LateDays);
                    var refund = new RefundRequest(RefundId.From("R-" + n), OrderId.From(order.Id), OrderRefund.ForLines(new LineRefund(0, 1)))
                    {
                        RefundedAt = step.Kind == StepKind.LateRefund ? (late < order.PlacedAt ? order.PlacedAt : late) : null,
                    };
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
    /// A-1 (30 €, at or above the referral minimum of 20 €) is the first qualifying order; A-2 (5 €,
    /// below it) is newer and does not move that instant; A-3 (40 €) is placed at A-1's instant but
    /// recorded an hour later, late enough that the state is rebuilt by replay, where a tie of placing
    /// instants goes to the order recorded first.
    /// </summary>
    [Fact]
    public async Task The_first_qualifying_order_is_the_earliest_placed_and_on_a_tie_the_first_recorded()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        var keeper = new MemberStateKeeper(new TierEvaluator(Ladder), Currency.EUR, new ReferralPolicy { MinimumOrderAmount = 20m }, new Loyalty.Core.Programs.QualificationWeights());
        var placed = h.Now;
        (await h.Program.RecordOrderAsync(Order("A-1", Alice, placed, Line("SKU", 1, 30m)))).GetValueOrThrow();
        h.Advance(Duration.FromDays(1));
        (await h.Program.RecordOrderAsync(Order("A-2", Alice, h.Now, Line("SKU", 1, 5m)))).GetValueOrThrow();

        var kept = (await h.Members.GetMemberAsync(ProgramId.From("club"), Alice))!.Evaluation!;
        kept.FirstQualifyingOrder.Should().Be(OrderId.From("A-1"));
        kept.FirstQualifyingOrderPlacedAt.Should().Be(placed, "an order below the minimum does not move the first qualifying instant");
        kept.FirstOrderAt.Should().Be(placed);

        h.Advance(Duration.FromHours(1));
        (await h.Program.RecordOrderAsync(Order("A-3", Alice, placed, Line("SKU", 1, 40m)))).GetValueOrThrow();

        var member = (await h.Members.GetMemberAsync(ProgramId.From("club"), Alice))!;
        var replayed = keeper.Replay(member, await h.Members.GetHistoryAsync(ProgramId.From("club"), Alice), h.Now);
        member.Evaluation!.FirstQualifyingOrder.Should().Be(OrderId.From("A-1"), "A-3 was placed at the same instant but recorded later");
        replayed.FirstQualifyingOrder.Should().Be(OrderId.From("A-1"));
        replayed.FirstQualifyingOrderPlacedAt.Should().Be(placed);
        replayed.OrderCount.Should().Be(3);
    }

    /// <summary>
    /// Base points capped at 100 a month and reviews at 2 a month: A-1 earns 60, a review earns 10, A-2
    /// (placed before A-1, so the state is rebuilt by replay) earns 30; the replay keeps that usage, so A-3
    /// earns the 10 left under the cap and a third review nothing.
    /// </summary>
    [Fact]
    public async Task Cap_usage_of_orders_and_activities_survives_a_rebuild_by_replay()
    {
        using var h = new ProgramHarness(o => o.Ledger.PendingPeriod = TimeSpan.Zero);
        await h.Program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-03", At(2026, 3, 1, 0), Currency.EUR, "Europe/Paris")
            .EarnPerUnit("base", 1m, r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Month, MaxPoints = P(100) } } })
            .Activity("review", ActivityKind.Review, 10, r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Month, MaxAwards = 2 } } })
            .Build());
        await h.EnrolAsync(Alice);
        h.Advance(Duration.FromDays(1)); // so that the checkpoint can move to just before A-1, after enrolment
        var placed = h.Now;
        (await h.Program.RecordOrderAsync(Order("A-1", Alice, placed, Line("SKU", 1, 60m)))).GetValueOrThrow().Points.Should().Be(P(60));
        (await h.Program.RecordActivityAsync(ActivityId.From("review-1"), new ActivityInput(ActivityKind.Review, Alice, h.Now))).GetValueOrThrow().Points.Should().Be(P(10));
        h.Advance(Duration.FromHours(2));
        (await h.Program.RecordOrderAsync(Order("A-2", Alice, placed - Duration.FromHours(1), Line("SKU", 1, 30m)))).GetValueOrThrow().Points.Should().Be(P(30));
        (await h.Program.RecordActivityAsync(ActivityId.From("review-2"), new ActivityInput(ActivityKind.Review, Alice, placed - Duration.FromMinutes(30)))).GetValueOrThrow().Points.Should().Be(P(10));

        (await h.Members.GetMemberAsync(ProgramId.From("club"), Alice))!.Evaluation!.TierCheckpoint!.EvaluatedAt.Should().BeGreaterThan(placed - Duration.FromHours(1), "A-2 was behind the checkpoint, so the state was rebuilt by replay");
        (await h.Program.RecordOrderAsync(Order("A-3", Alice, h.Now, Line("SKU", 1, 30m)))).GetValueOrThrow().Points.Should().Be(P(10));
        (await h.Program.RecordActivityAsync(ActivityId.From("review-3"), new ActivityInput(ActivityKind.Review, Alice, h.Now))).GetValueOrThrow().Points.Should().Be(P(0));
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
        member.Evaluation.Qualification.Should().HaveCount(3, "2026 still counts when grace ends, summed per kind (the sign-up bonus; O-1, O-2 and its refund), and O-3");
        member.Evaluation.Qualification.Take(2).Should().OnlyContain(e => e.IsSum && e.Since == At(2026, 3, 2) && e.At == At(2026, 4, 20));
        member.Evaluation.Qualification.Single(e => e.Kind == EarnKind.Purchase && e.IsSum).Should().Be(QualificationEntry.FromSums(At(2026, 3, 2), At(2026, 4, 20), 1_000, EarnKind.Purchase, 1_000m, 1));
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

    /// <summary>
    /// The benchmark's pattern: a member who orders forty times in one day keeps the entries of the
    /// newest period apart only up to a bound (they are summed in batches, not at every order); with a
    /// rolling window, once an order of the next day comes, the day is summed per earn kind (split where a
    /// window the tier's validity reads starts). The tier read from either state is the replay's, now and later.
    /// </summary>
    [Fact]
    public async Task A_summed_timeline_has_room_for_the_orders_until_the_next_sum()
    {
        // A sum builds a new buffer sized for the entries appended until the next sum: between two sums the
        // day's orders are appended in place, never copied into a buffer of their own.
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        h.AdvanceDays(1);
        var buffers = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var sums = 0;
        var apart = 0;
        for (var i = 0; i < 40; i++)
        {
            h.Advance(Duration.FromMinutes(7));
            (await h.Program.RecordOrderAsync(Order("O-" + i, Alice, h.Now, Line("SKU", 1, 10m)))).GetValueOrThrow();
            var timeline = (QualificationTimeline)(await h.Members.GetMemberAsync(ProgramId.From("club"), Alice))!.Evaluation!.Qualification;
            var nowApart = timeline.Count(e => !e.IsSum);
            sums += nowApart < apart ? 1 : 0;
            apart = nowApart;
            buffers.Add(timeline.Times);
        }

        sums.Should().BeGreaterThan(5, "the day's orders are summed in batches");
        buffers.Count.Should().BeLessThanOrEqualTo(sums + 1, "one buffer per sum, and the one the first orders were appended to");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Forty_orders_in_a_day_are_summed_once_the_day_is_over(bool calendarYear)
    {
        var ladder = calendarYear ? TierLadder.Create(Ladder.Tiers.ToArray(), Ladder.Policy with { Window = QualificationWindow.CalendarYear, Validity = StatusValidity.EndOfFollowingPeriod }) : Ladder;
        using var h = new ProgramHarness(replace: s =>
        {
            s.RemoveAll<TierLadder>();
            s.AddSingleton(ladder);
        });
        await h.ConfigureAsync();
        await h.EnrolAsync(Alice);
        h.AdvanceDays(1);
        for (var i = 0; i < 40; i++)
        {
            h.Advance(Duration.FromMinutes(7));
            (await h.Program.RecordOrderAsync(Order("O-" + i, Alice, h.Now, Line("SKU", 1, 10m + i)))).GetValueOrThrow();
        }

        var keeper = new MemberStateKeeper(new TierEvaluator(ladder), Currency.EUR, new ReferralPolicy { MinimumOrderAmount = 20m }, new Loyalty.Core.Programs.QualificationWeights());
        var member = (await h.Members.GetMemberAsync(ProgramId.From("club"), Alice))!;
        var kept = member.Evaluation!;
        kept.OrderCount.Should().Be(40);
        var purchases = kept.Qualification.Where(e => e.Kind == EarnKind.Purchase).ToArray();
        purchases.Sum(e => e.Orders).Should().Be(40);
        purchases.Should().Contain(e => e.IsSum, "the day's entries are summed in batches");
        purchases.Count(e => !e.IsSum).Should().BeLessThanOrEqualTo(MemberStateKeeper.FoldBatch + 1, "at most a batch of the day's orders is left apart, and the last order");
        purchases[^1].Should().Be(QualificationEntry.FromOrder(At(2026, 3, 3) + Duration.FromMinutes(7 * 40), Money.FromDecimal(49m, Currency.EUR), Points.FromInt64(purchases[^1].Points)), "the last order is after the checkpoint");
        await AssertAsReplayedAsync(h, keeper, member, kept);

        h.AdvanceDays(1);
        (await h.Program.RecordOrderAsync(Order("O-next", Alice, h.Now, Line("SKU", 1, 5m)))).GetValueOrThrow();
        member = (await h.Members.GetMemberAsync(ProgramId.From("club"), Alice))!;
        kept = member.Evaluation!;
        purchases = kept.Qualification.Where(e => e.Kind == EarnKind.Purchase).ToArray();
        purchases[^1].Should().Be(QualificationEntry.FromOrder(h.Now, Money.FromDecimal(5m, Currency.EUR), Points.FromInt64(purchases[^1].Points)), "the next day's order is after the checkpoint");
        purchases.Sum(e => e.Orders).Should().Be(41);
        if (calendarYear)
        {
            // The year is not over: its entries are still summed in batches.
            purchases.Should().Contain(e => e.IsSum && e.Since == At(2026, 3, 2), "the sums of the year start with the sign-up a day earlier");
            purchases.Count(e => !e.IsSum).Should().BeLessThanOrEqualTo(MemberStateKeeper.FoldBatch + 1);
        }
        else
        {
            // Silver (500 points) is reached, then held, by the last orders of the day: the validity the 40th
            // order extends ends with a window that starts at that order, so no sum spans it.
            purchases.Should().HaveCount(3, "the first 39 orders summed, the 40th, and the next day's");
            purchases[0].Should().Be(QualificationEntry.FromSums(At(2026, 3, 3) + Duration.FromMinutes(7), At(2026, 3, 3) + Duration.FromMinutes(7 * 39), purchases[0].Points, EarnKind.Purchase, Enumerable.Range(0, 39).Sum(i => 10m + i), 39));
            purchases[1].Should().Be(QualificationEntry.FromOrder(At(2026, 3, 3) + Duration.FromMinutes(7 * 40), Money.FromDecimal(49m, Currency.EUR), Points.FromInt64(purchases[1].Points)));
            kept.Qualification.Should().HaveCount(4, "with the sign-up bonus of the day before");
        }

        await AssertAsReplayedAsync(h, keeper, member, kept);
    }

    /// <summary>
    /// A-1 (600 €) makes Alice Silver; two days later A-2 (10 €) moves the checkpoint to just before it,
    /// holding Silver. A refund of 300 € of A-1, dated between the two orders, is behind that checkpoint:
    /// it revokes the upgrade it paid for (310 points), which the checkpoint's Silver does not know. The
    /// kept state cannot take an entry behind its checkpoint, so the refund rebuilds it by replay, and
    /// every later evaluation is the replay's.
    /// </summary>
    [Fact]
    public async Task A_refund_dated_before_the_checkpoint_rebuilds_the_state_as_a_replay_gives_it()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        var keeper = new MemberStateKeeper(new TierEvaluator(Ladder), Currency.EUR, new ReferralPolicy { MinimumOrderAmount = 20m }, new Loyalty.Core.Programs.QualificationWeights());
        h.AdvanceDays(1);
        (await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 600m)))).GetValueOrThrow().Tier.Should().Be(TierId.From("silver"));
        var refundedAt = h.Now + Duration.FromDays(1);
        h.AdvanceDays(2);
        (await h.Program.RecordOrderAsync(Order("A-2", Alice, h.Now, Line("SKU", 1, 10m)))).GetValueOrThrow().Tier.Should().Be(TierId.From("silver"));
        h.Advance(Duration.FromHours(1));

        var refund = (await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForAmount(300m)) { RefundedAt = refundedAt })).GetValueOrThrow();

        var member = (await h.Members.GetMemberAsync(ProgramId.From("club"), Alice))!;
        member.Evaluation!.TierCheckpoint!.EvaluatedAt.Should().BeGreaterThan(refundedAt, "the refund is behind the checkpoint");
        refund.Tier.Should().Be(TierId.From("bronze"), "the refund revokes the upgrade it paid for");
        (await h.Program.GetMemberSummaryAsync(Alice)).Value!.Tier.QualifyingValue.Points.Should().Be(600 + 12 - 300);
        await AssertAsReplayedAsync(h, keeper, member, member.Evaluation);
    }

    private static async Task AssertAsReplayedAsync(ProgramHarness h, MemberStateKeeper keeper, MemberRecord member, MemberEvaluationState kept)
    {
        var history = await h.Members.GetHistoryAsync(ProgramId.From("club"), Alice);
        foreach (var days in new[] { 0, 30, 364, 365, 366, 500 })
        {
            var at = h.Now + Duration.FromDays(days);
            var fromReplay = keeper.EvaluateByReplay(member, history, at);
            var fromKept = keeper.Evaluate(member, kept, at);
            fromKept.Should().NotBeNull($"no window as of +{days} days starts inside the day of the orders");
            (fromKept!.Status with { EvaluatedAt = at }).Should().Be(fromReplay.Status);
            fromKept.QualifyingValue.Should().Be(fromReplay.QualifyingValue);
        }
    }

    /// <summary>
    /// A rolling window can start inside a day whose entries the state sums: twelve months after a day with
    /// orders at 10:00 and 18:00, the window as of 14:00 counts the second and not the first. The kept
    /// state does not answer that; the programme replays the history, and the next order rebuilds the state
    /// (keeping the entries apart while such a window is read), so every answer is the replay's. (The
    /// amounts stay under Silver: a qualification inside the day would keep the orders from it apart.)
    /// </summary>
    [Fact]
    public async Task A_rolling_window_starting_inside_a_summed_day_is_answered_by_the_replay()
    {
        using var h = new ProgramHarness();
        await h.ConfigureAsync();
        await h.EnrolAsync(Alice);
        h.Advance(At(2026, 4, 1, 10) - h.Now);
        (await h.Program.RecordOrderAsync(Order("O-1", Alice, h.Now, Line("SKU", 1, 200m)))).GetValueOrThrow();
        h.Advance(Duration.FromHours(8));
        (await h.Program.RecordOrderAsync(Order("O-2", Alice, h.Now, Line("SKU", 1, 150m)))).GetValueOrThrow();
        h.Advance(At(2026, 4, 2, 9) - h.Now);
        (await h.Program.RecordOrderAsync(Order("O-3", Alice, h.Now, Line("SKU", 1, 5m)))).GetValueOrThrow();

        var member = (await h.Members.GetMemberAsync(ProgramId.From("club"), Alice))!;
        member.Evaluation!.Qualification.Should().Contain(e => e.IsSum && e.Since == At(2026, 4, 1, 10) && e.At == At(2026, 4, 1, 18) && e.Spend == 350m);
        var keeper = new MemberStateKeeper(new TierEvaluator(Ladder), Currency.EUR, new ReferralPolicy { MinimumOrderAmount = 20m }, new Loyalty.Core.Programs.QualificationWeights());
        var inside = At(2027, 4, 1, 14);
        keeper.Evaluate(member, member.Evaluation, inside).Should().BeNull("the window as of then starts at 14:00 on 1 April 2026, inside the day's sum");
        keeper.Evaluate(member, member.Evaluation, At(2027, 4, 1, 9)).Should().NotBeNull("the window as of 09:00 holds the whole day");

        h.Advance(inside - h.Now);
        var summary = (await h.Program.GetMemberSummaryAsync(Alice)).GetValueOrThrow();
        var history = await h.Members.GetHistoryAsync(ProgramId.From("club"), Alice);
        summary.Tier.QualifyingValue.Should().Be(keeper.EvaluateByReplay(member, history, inside).QualifyingValue);
        summary.Tier.QualifyingValue.Spend.Should().Be(155m, "O-2 and O-3 are in the window, O-1 is not");

        (await h.Program.RecordOrderAsync(Order("O-4", Alice, h.Now, Line("SKU", 1, 20m)))).GetValueOrThrow();
        member = (await h.Members.GetMemberAsync(ProgramId.From("club"), Alice))!;
        history = await h.Members.GetHistoryAsync(ProgramId.From("club"), Alice);
        var fromKept = keeper.Evaluate(member, member.Evaluation!, h.Now);
        fromKept.Should().NotBeNull("the state rebuilt by the order keeps the day's entries apart");
        fromKept!.QualifyingValue.Should().Be(new QualifyingTotals(fromKept.QualifyingValue.Points, 175m, 3));
        (fromKept.Status with { EvaluatedAt = h.Now }).Should().Be(keeper.EvaluateByReplay(member, history, h.Now).Status);
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
                if (!kept.Qualification.Any(e => e.IsSum))
                {
                    return $"the kept state cannot evaluate {at}";
                }

                // A window of that evaluation starts inside a sum of one day's entries: the programme replays the history.
                continue;
            }

            if (fromKept.Status with { EvaluatedAt = at } != fromReplay.Status || fromKept.QualifyingValue != fromReplay.QualifyingValue || fromKept.ProjectedTier.Id != fromReplay.ProjectedTier.Id)
            {
                return $"tier at +{days}d: kept {fromKept.Status} {fromKept.QualifyingValue}, replayed {fromReplay.Status} {fromReplay.QualifyingValue}";
            }

            // The tier alone (what an order is evaluated under) is read from the kept state wherever the evaluation is.
            if (keeper.TierAt(member, kept, at) != fromReplay.Tier)
            {
                return $"tier alone at +{days}d: kept {keeper.TierAt(member, kept, at)?.Id}, replayed {fromReplay.Tier.Id}";
            }
        }

        // At the checkpoint's own instant the kept state answers; before it, it cannot (the history is replayed);
        // before enrolment the tier is the one at enrolment.
        if (kept.TierCheckpoint is { } checkpoint)
        {
            var atCheckpoint = keeper.TierAt(member, kept, checkpoint.EvaluatedAt);
            if (keeper.Evaluate(member, kept, checkpoint.EvaluatedAt) is { } there && atCheckpoint != there.Tier)
            {
                return $"tier alone at the checkpoint ({checkpoint.EvaluatedAt}): {atCheckpoint?.Id}, evaluation {there.Tier.Id}";
            }

            if (checkpoint.EvaluatedAt > member.EnrolledAt && keeper.TierAt(member, kept, checkpoint.EvaluatedAt - Duration.Epsilon) is { } early)
            {
                return $"tier alone before the checkpoint ({checkpoint.EvaluatedAt}) read from the kept state: {early.Id}";
            }
        }
        else if (keeper.TierAt(member, kept, member.EnrolledAt - Duration.FromDays(1)) != keeper.EvaluateByReplay(member, history, member.EnrolledAt).Tier)
        {
            return "tier alone before enrolment is not the tier at enrolment";
        }

        return null;
    }
}
