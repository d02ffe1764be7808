using System.Collections;
using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using NodaTime;
using static Loyalty.Core.Tests.Tiers.TierFixtures;

namespace Loyalty.Core.Tests.Tiers;

/// <summary>
/// The kept timeline at its edges: ties, bounds at an entry's own instant, views after dropping, running
/// totals per kind, and evaluations from it that a sum of several entries makes inexact.
/// </summary>
public class QualificationTimelineEdgeTests
{
    private static readonly Instant EnrolledAt = InParis(2024, 12, 1, 0);

    [Fact]
    public void Entries_of_one_instant_are_in_time_order()
    {
        var evaluator = Evaluator();
        var t = Utc(2025, 1, 2);

        var timeline = QualificationTimeline.From([Earn(t, 10), Earn(t, 20), Earn(t + Duration.Epsilon, 5)], Mask(evaluator));

        timeline.Count.Should().Be(3);
        timeline.Select(e => e.Points).Should().Equal(10, 20, 5);
        timeline.Newest.Should().Be(t + Duration.Epsilon);
        (timeline.Points[timeline.End] - timeline.Points[timeline.First]).Should().Be(35);
    }

    [Fact]
    public void An_empty_timeline_takes_its_first_entry_and_then_only_later_ones()
    {
        var evaluator = Evaluator();
        var empty = QualificationTimeline.From([], Mask(evaluator));

        empty.Count.Should().Be(0);
        empty.Should().BeEmpty();
        var one = empty.Append(Earn(Utc(2025, 1, 1), 7))!;
        one.Count.Should().Be(1);
        one.Newest.Should().Be(Utc(2025, 1, 1));
        one.Append(Earn(Utc(2025, 1, 1) + Duration.Epsilon, 3))!.Select(e => e.Points).Should().Equal(7, 3);
        QualificationTimeline.Empty(Mask(evaluator)).Append(Earn(Utc(2025, 1, 1), 9))!.Select(e => e.Points).Should().Equal(9);
    }

    [Fact]
    public void Dropping_keeps_the_entries_at_the_instant_itself()
    {
        var evaluator = Evaluator();
        var timeline = QualificationTimeline.From([Earn(Utc(2025, 1, 1), 1), Earn(Utc(2025, 1, 2), 2), Earn(Utc(2025, 1, 2), 3), Earn(Utc(2025, 1, 3), 4)], Mask(evaluator));

        var dropped = timeline.DropBefore(Utc(2025, 1, 2));

        dropped.Select(e => e.Points).Should().Equal(2, 3, 4);
        dropped.Count.Should().Be(3);
        dropped[0].Points.Should().Be(2);
        dropped[2].Points.Should().Be(4);
        (dropped.Points[dropped.End] - dropped.Points[dropped.First]).Should().Be(9);
        timeline.DropBefore(Utc(2025, 1, 2) + Duration.Epsilon).Select(e => e.Points).Should().Equal(4);
        timeline.DropBefore(Utc(2025, 1, 4)).Should().BeEmpty();
        timeline.DropBefore(Utc(2024, 1, 1)).Select(e => e.Points).Should().Equal(1, 2, 3, 4);
        timeline.Select(e => e.Points).Should().Equal(1, 2, 3, 4);
        var act = () => dropped[3];
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("index must be between 0 and 2.*");
        var negative = () => dropped[-1];
        negative.Should().Throw<ArgumentOutOfRangeException>().WithMessage("index must be between 0 and 2.*");
    }

    [Fact]
    public void Bounds_find_the_first_entry_at_and_after_an_instant()
    {
        var evaluator = Evaluator();
        var timeline = QualificationTimeline.From([Earn(Utc(2025, 1, 1), 1), Earn(Utc(2025, 1, 2), 2), Earn(Utc(2025, 1, 2), 3), Earn(Utc(2025, 1, 3), 4)], Mask(evaluator));
        var dropped = timeline.DropBefore(Utc(2025, 1, 2));

        timeline.LowerBound(Utc(2025, 1, 2)).Should().Be(1);
        timeline.UpperBound(Utc(2025, 1, 2)).Should().Be(3);
        timeline.LowerBound(Utc(2025, 1, 1)).Should().Be(0);
        timeline.UpperBound(Utc(2025, 1, 1)).Should().Be(1);
        timeline.LowerBound(Utc(2025, 1, 3)).Should().Be(3);
        timeline.UpperBound(Utc(2025, 1, 3)).Should().Be(4);
        timeline.LowerBound(Utc(2026, 1, 1)).Should().Be(4);
        timeline.UpperBound(Utc(2024, 1, 1)).Should().Be(0);
        dropped.First.Should().Be(1);
        dropped.End.Should().Be(4);
        dropped.LowerBound(Utc(2024, 1, 1)).Should().Be(1);
        dropped.UpperBound(Utc(2024, 1, 1)).Should().Be(1);
    }

    [Fact]
    public void Running_totals_count_the_points_of_the_qualifying_kinds_and_every_spend_and_order()
    {
        var evaluator = Evaluator();
        var timeline = QualificationTimeline.From(
        [
            QualificationEntry.FromAmounts(Utc(2025, 1, 1), 100, EarnKind.Purchase, 20.5m, 1),
            QualificationEntry.FromAmounts(Utc(2025, 1, 2), 1_000, EarnKind.Bonus, 4m, 0),
            QualificationEntry.FromAmounts(Utc(2025, 1, 3), -30, EarnKind.Purchase, -5.5m, -1),
        ], Mask(evaluator));

        timeline.KindMask.Should().Be(Mask(evaluator));
        timeline.Points.AsSpan(0, 4).ToArray().Should().Equal(0, 100, 100, 70);
        timeline.Spend.AsSpan(0, 4).ToArray().Should().Equal(0m, 20.5m, 24.5m, 19m);
        timeline.Orders.AsSpan(0, 4).ToArray().Should().Equal(0, 1, 1, 0);
        timeline.Reductions.AsSpan(0, 3).ToArray().Should().Equal(false, false, true);
        timeline.Times.AsSpan(0, 3).ToArray().Should().Equal(Utc(2025, 1, 1), Utc(2025, 1, 2), Utc(2025, 1, 3));
    }

    [Fact]
    public void Appended_entries_carry_their_running_totals_and_their_earliest_instant()
    {
        var evaluator = Evaluator();
        var since = Utc(2025, 1, 5);
        var timeline = QualificationTimeline.Empty(Mask(evaluator))
            .Append(QualificationEntry.FromAmounts(Utc(2025, 1, 1), 50, EarnKind.Purchase, 10m, 2))!
            .Append(QualificationEntry.FromSums(since, Utc(2025, 1, 9), 70, EarnKind.Purchase, 3m, 1))!
            .Append(QualificationEntry.FromAmounts(Utc(2025, 1, 10), 5, EarnKind.Activity, -1m, 0))!;

        timeline.Points[timeline.End].Should().Be(120);
        timeline.Spend[timeline.End].Should().Be(12m);
        timeline.Orders[timeline.End].Should().Be(3);
        timeline.Sinces.AsSpan(0, 3).ToArray().Should().Equal(Utc(2025, 1, 1), since, Utc(2025, 1, 10));
        timeline.Reductions.AsSpan(0, 3).ToArray().Should().Equal(false, false, true);
    }

    [Fact]
    public void A_timeline_enumerates_as_a_plain_sequence_too()
    {
        var evaluator = Evaluator();
        var timeline = QualificationTimeline.From([Earn(Utc(2025, 1, 1), 1), Earn(Utc(2025, 1, 2), 2)], Mask(evaluator)).DropBefore(Utc(2025, 1, 2));

        var plain = ((IEnumerable)timeline).GetEnumerator();
        var points = new List<long>();
        while (plain.MoveNext())
        {
            points.Add(((QualificationEntry)plain.Current!).Points);
        }

        points.Should().Equal(2);
    }

    [Fact]
    public void A_kept_timeline_of_the_same_kinds_is_reused_and_one_of_other_kinds_is_summed_again()
    {
        var evaluator = Evaluator();
        var bonusToo = Evaluator(new TierPolicy { TimeZone = Paris, QualifyingEarnKinds = [EarnKind.Purchase, EarnKind.Bonus] });
        var kept = evaluator.Timeline([Earn(Utc(2025, 1, 1), 100), Earn(Utc(2025, 1, 2), 50, EarnKind.Bonus)], Alice);

        evaluator.Timeline(kept, Alice).Should().BeSameAs(kept);
        var resummed = bonusToo.Timeline(kept, Alice);
        resummed.KindMask.Should().NotBe(kept.KindMask);
        resummed.Points[resummed.End].Should().Be(150);
        kept.Points[kept.End].Should().Be(100);
        evaluator.Counts(EarnKind.Purchase).Should().BeTrue();
        evaluator.Counts(EarnKind.Bonus).Should().BeFalse();
        bonusToo.Counts(EarnKind.Bonus).Should().BeTrue();
        bonusToo.Counts(EarnKind.Activity).Should().BeFalse();
    }

    [Fact]
    public void Spend_in_another_currency_is_refused_when_a_timeline_is_built_or_appended_to()
    {
        var evaluator = Evaluator(new TierPolicy { TimeZone = Paris, Currency = Currency.EUR });
        var usd = QualificationEntry.FromOrder(InParis(2025, 2, 1), Money.FromDecimal(50m, "USD"));
        var eur = QualificationEntry.FromOrder(InParis(2025, 1, 1), Money.FromDecimal(50m, "EUR"));
        const string message = "Member 'alice' has spend in USD at 2025-02-01T11:00:00Z but the programme currency is EUR; convert it before recording. (Parameter 'member')";

        var build = () => evaluator.Timeline([eur, usd], Alice);
        var append = () => evaluator.Append(evaluator.Timeline([eur], Alice), usd, Alice);

        build.Should().Throw<ArgumentException>().Which.Message.Should().Be(message);
        append.Should().Throw<ArgumentException>().Which.Message.Should().Be(message);
        evaluator.Append(evaluator.Timeline([eur], Alice), QualificationEntry.FromOrder(InParis(2025, 3, 1), Money.FromDecimal(5m, "EUR")), Alice)!.Count.Should().Be(2);
    }

    [Fact]
    public void An_evaluation_from_a_timeline_refuses_what_an_evaluation_of_the_member_refuses()
    {
        var evaluator = Evaluator();
        var timeline = evaluator.Timeline([], Alice);
        var prior = evaluator.Evaluate(Member(EnrolledAt), InParis(2025, 2, 1)).Status;

        FluentActions.Invoking(() => evaluator.EvaluateKept(default, EnrolledAt, null, timeline, InParis(2025, 2, 1))).Should().Throw<ArgumentException>()
            .Which.Message.Should().Be("TierMember.MemberId must not be default; create one with MemberId.From(...). (Parameter 'memberId')");
        FluentActions.Invoking(() => evaluator.EvaluateKept(Alice, EnrolledAt, null, timeline, EnrolledAt - Duration.Epsilon)).Should().Throw<ArgumentException>()
            .Which.Message.Should().Be("Cannot evaluate member 'alice' as of 2024-11-30T22:59:59Z: it is before the member's enrolment at 2024-11-30T23:00:00Z. (Parameter 'asOf')");
        FluentActions.Invoking(() => evaluator.EvaluateKept(Alice, EnrolledAt, prior, timeline, InParis(2025, 1, 31))).Should().Throw<ArgumentException>()
            .Which.Message.Should().Be("Cannot evaluate member 'alice' as of 2025-01-31T11:00:00Z: the prior status was evaluated later, at 2025-02-01T11:00:00Z; evaluate without the prior status to look at the past. (Parameter 'asOf')");
        FluentActions.Invoking(() => evaluator.EvaluateKept(Alice, InParis(2025, 3, 1), prior, timeline, InParis(2025, 4, 1))).Should().Throw<ArgumentException>()
            .Which.Message.Should().Be("The prior status of member 'alice' was evaluated at 2025-02-01T11:00:00Z, before the member's enrolment at 2025-03-01T11:00:00Z. (Parameter 'member')");
        evaluator.EvaluateKept(Alice, EnrolledAt, null, timeline, EnrolledAt)!.Tier.Id.Should().Be(Bronze);
        evaluator.EvaluateKept(Alice, EnrolledAt, prior, timeline, prior.EvaluatedAt)!.Status.Should().Be(prior);
    }

    [Fact]
    public void The_tier_alone_from_a_timeline_refuses_what_the_evaluation_from_it_refuses()
    {
        var evaluator = Evaluator();
        var timeline = evaluator.Timeline([], Alice);
        var prior = evaluator.Evaluate(Member(EnrolledAt), InParis(2025, 2, 1)).Status;

        FluentActions.Invoking(() => evaluator.KeptTierAt(default, EnrolledAt, null, timeline, InParis(2025, 2, 1))).Should().Throw<ArgumentException>()
            .Which.Message.Should().Be("TierMember.MemberId must not be default; create one with MemberId.From(...). (Parameter 'memberId')");
        FluentActions.Invoking(() => evaluator.KeptTierAt(Alice, EnrolledAt, null, timeline, EnrolledAt - Duration.Epsilon)).Should().Throw<ArgumentException>()
            .Which.Message.Should().Be("Cannot evaluate member 'alice' as of 2024-11-30T22:59:59Z: it is before the member's enrolment at 2024-11-30T23:00:00Z. (Parameter 'asOf')");
        FluentActions.Invoking(() => evaluator.KeptTierAt(Alice, EnrolledAt, prior, timeline, InParis(2025, 1, 31))).Should().Throw<ArgumentException>()
            .Which.Message.Should().Be("Cannot evaluate member 'alice' as of 2025-01-31T11:00:00Z: the prior status was evaluated later, at 2025-02-01T11:00:00Z; evaluate without the prior status to look at the past. (Parameter 'asOf')");
        FluentActions.Invoking(() => evaluator.KeptStatusAt(Alice, EnrolledAt, prior, timeline, InParis(2025, 1, 31))).Should().Throw<ArgumentException>()
            .Which.Message.Should().Be("Cannot evaluate member 'alice' as of 2025-01-31T11:00:00Z: the prior status was evaluated later, at 2025-02-01T11:00:00Z; evaluate without the prior status to look at the past. (Parameter 'asOf')");
        FluentActions.Invoking(() => evaluator.KeptStatusAt(Alice, InParis(2025, 3, 1), prior, timeline, InParis(2025, 4, 1))).Should().Throw<ArgumentException>()
            .Which.Message.Should().Be("The prior status of member 'alice' was evaluated at 2025-02-01T11:00:00Z, before the member's enrolment at 2025-03-01T11:00:00Z. (Parameter 'member')");
        evaluator.KeptTierAt(Alice, EnrolledAt, prior, timeline, prior.EvaluatedAt)!.Id.Should().Be(Bronze);
        evaluator.KeptStatusAt(Alice, EnrolledAt, prior, timeline, prior.EvaluatedAt).Should().Be(prior);
    }

    [Fact]
    public void The_tier_alone_is_refused_where_its_replay_reads_a_window_inside_a_sum_and_given_where_only_the_totals_would()
    {
        var evaluator = Evaluator();
        var upgradeInsideSum = QualificationEntry.FromSums(InParis(2024, 12, 20), InParis(2025, 1, 10), 600, EarnKind.Purchase, 0m, 0);

        // The upgrade at the sum reads the window of 2025, which starts inside it: the tier itself is not exact.
        evaluator.KeptTierAt(Alice, EnrolledAt, null, evaluator.Timeline([upgradeInsideSum], Alice), InParis(2026, 2, 1)).Should().BeNull();

        // Only the evaluation instant's window totals start inside the sum: the full evaluation cannot be
        // exact, the tier can, and it is the tier of a replay of the entries the sum stands for.
        var counted = QualificationEntry.FromSums(InParis(2024, 12, 20), InParis(2025, 1, 10), 100, EarnKind.Purchase, 0m, 0);
        var prior = evaluator.Evaluate(Member(EnrolledAt), InParis(2025, 1, 15)).Status;
        var timeline = evaluator.Timeline([counted], Alice);
        evaluator.EvaluateKept(Alice, EnrolledAt, prior, timeline, InParis(2025, 2, 1)).Should().BeNull();
        var tier = evaluator.KeptTierAt(Alice, EnrolledAt, prior, timeline, InParis(2025, 2, 1));
        tier.Should().NotBeNull();
        tier!.Id.Should().Be(evaluator.Evaluate(Member(EnrolledAt, Earn(InParis(2024, 12, 20), 50), Earn(InParis(2025, 1, 10), 50)), InParis(2025, 2, 1)).Tier.Id);

        // The status alone (a kept state's next checkpoint) is exact there too: the replay from the prior status.
        evaluator.KeptStatusAt(Alice, EnrolledAt, prior, timeline, InParis(2025, 2, 1)).Should().Be(
            evaluator.Evaluate(Member(EnrolledAt) with { PriorStatus = prior }, InParis(2025, 2, 1)).Status);
        evaluator.KeptStatusAt(Alice, EnrolledAt, null, evaluator.Timeline([upgradeInsideSum], Alice), InParis(2026, 2, 1)).Should().BeNull();
    }

    [Fact]
    public void A_sum_that_lies_inside_the_windows_evaluates_like_its_single_entry()
    {
        var evaluator = Evaluator();
        var sum = QualificationEntry.FromSums(InParis(2025, 1, 1, 0), InParis(2025, 1, 10), 600, EarnKind.Purchase, 0m, 0);
        var asOf = InParis(2025, 2, 1);

        var kept = evaluator.EvaluateKept(Alice, EnrolledAt, null, evaluator.Timeline([sum], Alice), asOf);
        var direct = evaluator.Evaluate(Member(EnrolledAt, Earn(InParis(2025, 1, 10), 600)), asOf);

        kept.Should().NotBeNull("the window starts exactly where the sum starts");
        kept!.Status.Should().Be(direct.Status);
        kept.Tier.Id.Should().Be(Silver);
        kept.QualifyingValue.Should().Be(new QualifyingTotals(600, 0m, 0));
        kept.Changes.Should().Equal(direct.Changes);
    }

    [Fact]
    public void A_window_starting_inside_a_sum_at_an_earlier_event_makes_the_evaluation_inexact()
    {
        var evaluator = Evaluator();
        var sum = QualificationEntry.FromSums(InParis(2024, 12, 20), InParis(2025, 1, 10), 600, EarnKind.Purchase, 0m, 0);

        // The upgrade at the sum reads the window of 2025, which starts inside it; the window read at
        // the evaluation instant (2026) does not.
        evaluator.EvaluateKept(Alice, EnrolledAt, null, evaluator.Timeline([sum], Alice), InParis(2026, 2, 1)).Should().BeNull();
    }

    [Fact]
    public void A_window_starting_inside_a_sum_at_the_evaluation_instant_makes_the_evaluation_inexact()
    {
        var evaluator = Evaluator();
        var sum = QualificationEntry.FromSums(InParis(2024, 12, 20), InParis(2025, 1, 10), 100, EarnKind.Purchase, 0m, 0);
        var prior = evaluator.Evaluate(Member(EnrolledAt), InParis(2025, 1, 15)).Status;

        // The prior status already counted the sum: only the window of the evaluation instant reads it.
        evaluator.EvaluateKept(Alice, EnrolledAt, prior, evaluator.Timeline([sum], Alice), InParis(2025, 2, 1)).Should().BeNull();
        evaluator.EvaluateKept(Alice, EnrolledAt, prior, evaluator.Timeline([sum], Alice), InParis(2026, 2, 1))!.QualifyingValue.Should().Be(default(QualifyingTotals));
    }

    [Fact]
    public void A_validity_ending_inside_a_sum_makes_the_evaluation_inexact()
    {
        var evaluator = Evaluator(new TierPolicy { TimeZone = Paris, Window = QualificationWindow.RollingMonths(12) });
        var earn = Earn(InParis(2025, 3, 1), 600);
        var sum = QualificationEntry.FromSums(InParis(2027, 2, 20), InParis(2027, 3, 10), 10, EarnKind.Purchase, 0m, 0);
        var plain = Earn(InParis(2027, 3, 10), 10);

        // Silver holds until 1 March 2027, inside the sum: the requalification check at that instant cannot be exact.
        evaluator.EvaluateKept(Alice, EnrolledAt, null, evaluator.Timeline([earn, sum], Alice), InParis(2027, 4, 1)).Should().BeNull();
        var exact = evaluator.EvaluateKept(Alice, EnrolledAt, null, evaluator.Timeline([earn, plain], Alice), InParis(2027, 4, 1))!;
        exact.Status.Should().Be(evaluator.Evaluate(Member(EnrolledAt, earn, plain), InParis(2027, 4, 1)).Status);
        exact.Changes.Should().Equal(
            new TierChange(InParis(2025, 3, 1), Bronze, Silver, TierChangeReason.Upgraded),
            new TierChange(InParis(2027, 3, 1), Silver, Bronze, TierChangeReason.DowngradedAtValidityEnd));
    }

    private static int Mask(TierEvaluator evaluator) => evaluator.Timeline([], Alice).KindMask;
}
