using FluentAssertions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Tiers;
using NodaTime;
using static Loyalty.Core.Tests.Tiers.TierFixtures;

namespace Loyalty.Core.Tests.Tiers;

/// <summary>
/// The kept timeline (entries in time order with running totals, shared between versions) and the
/// evaluation from it, which must equal the evaluation of the same entries through
/// <see cref="TierEvaluator.Evaluate"/>, from enrolment and from any prior status.
/// </summary>
public class QualificationTimelineTests
{
    private static readonly Instant EnrolledAt = InParis(2024, 12, 1, 0);

    [Property(MaxTest = 200 / PropertyRuns.Divisor)]
    public Property Evaluating_from_the_timeline_equals_evaluating_the_entries() =>
        Prop.ForAll(TierArbitraries.Cases(), TierArbitraries.Days(), (c, days) =>
        {
            var evaluator = Evaluator(c.Policy);
            var timeline = Build(evaluator, c.History);
            var direct = evaluator.Evaluate(Member(EnrolledAt, c.History), c.AsOf);
            var kept = evaluator.EvaluateKept(Alice, EnrolledAt, null, timeline, c.AsOf)!; // no sums: never null
            if (!Same(direct, kept))
            {
                return false.Label($"from enrolment: {direct.Status} {direct.QualifyingValue} vs {kept.Status} {kept.QualifyingValue}");
            }

            if (evaluator.KeptTierAt(Alice, EnrolledAt, null, timeline, c.AsOf) != direct.Tier)
            {
                return false.Label($"the tier alone from enrolment: {evaluator.KeptTierAt(Alice, EnrolledAt, null, timeline, c.AsOf)?.Id} vs {direct.Tier.Id}");
            }

            if (evaluator.KeptStatusAt(Alice, EnrolledAt, null, timeline, c.AsOf) != direct.Status)
            {
                return false.Label($"the status alone from enrolment: {evaluator.KeptStatusAt(Alice, EnrolledAt, null, timeline, c.AsOf)} vs {direct.Status}");
            }

            // Continue from the status at AsOf, with the entries before what it retains dropped.
            var later = c.AsOf + Duration.FromDays(days);
            var prior = direct.Status;
            var retained = timeline.DropBefore(evaluator.RetainFrom(prior, EnrolledAt));
            var fromPrior = evaluator.Evaluate(Member(EnrolledAt, c.History) with { PriorStatus = prior }, later);
            var keptFromPrior = evaluator.EvaluateKept(Alice, EnrolledAt, prior, retained, later)!;
            var tierFromPrior = evaluator.KeptTierAt(Alice, EnrolledAt, prior, retained, later);
            var statusFromPrior = evaluator.KeptStatusAt(Alice, EnrolledAt, prior, retained, later);
            return (Same(fromPrior, keptFromPrior) && tierFromPrior == fromPrior.Tier && statusFromPrior == fromPrior.Status)
                .Label($"from the prior status to +{days}d: {fromPrior.Status} {fromPrior.QualifyingValue} vs {keptFromPrior.Status} {keptFromPrior.QualifyingValue}, tier alone {tierFromPrior?.Id}, status alone {statusFromPrior}");
        });

    [Fact]
    public void Versions_share_the_buffer_and_an_older_version_forks_when_appended_to()
    {
        var evaluator = Evaluator();
        var v1 = QualificationTimeline.Empty(Mask(evaluator)).Append(Earn(Utc(2025, 1, 1), 100))!;
        var v2 = v1.Append(Earn(Utc(2025, 1, 2), 200))!;
        var v3 = v2.Append(Earn(Utc(2025, 1, 3), 300))!;
        var fork = v2.Append(Earn(Utc(2025, 1, 4), 1))!;

        v1.Select(e => e.Points).Should().Equal(100);
        v2.Select(e => e.Points).Should().Equal(100, 200);
        v3.Select(e => e.Points).Should().Equal(100, 200, 300);
        fork.Select(e => e.Points).Should().Equal(100, 200, 1);
        fork.Points[fork.End].Should().Be(301, "the fork's running total is its own");
        v3.Points[v3.End].Should().Be(600);
    }

    [Fact]
    public void Members_without_entries_share_one_empty_timeline_and_each_append_gets_its_own_buffer()
    {
        // A new member's first order reads the tier from an empty state, then appends to it: nothing is built for the read.
        var evaluator = Evaluator();
        var empty = evaluator.Timeline([], Alice);
        evaluator.Timeline(Array.Empty<QualificationEntry>(), Alice).Should().BeSameAs(empty);
        empty.Should().BeEmpty();

        var alice = evaluator.Append(empty, Earn(Utc(2025, 1, 1), 100), Alice)!;
        var bob = evaluator.Append(empty, Earn(Utc(2025, 1, 2), 7), Alice)!;
        var alicesNext = alice.Append(Earn(Utc(2025, 1, 3), 20))!;

        empty.Should().BeEmpty("appending never writes into the shared timeline");
        alice.Select(e => e.Points).Should().Equal(100);
        bob.Select(e => e.Points).Should().Equal(7);
        alicesNext.Select(e => e.Points).Should().Equal(100, 20);
        alicesNext.Points[alicesNext.End].Should().Be(120);
        bob.Points[bob.End].Should().Be(7, "the two members' buffers are apart");
        evaluator.KeptTierAt(Alice, EnrolledAt, null, empty, Utc(2025, 6, 1)).Should().Be(evaluator.Evaluate(Member(EnrolledAt, []), Utc(2025, 6, 1)).Tier);
    }

    [Fact]
    public void Many_appends_copy_only_when_the_buffer_is_full_and_keep_the_running_totals()
    {
        var evaluator = Evaluator();
        var timeline = QualificationTimeline.Empty(Mask(evaluator));
        for (var day = 0; day < 1_000; day++)
        {
            timeline = timeline.Append(Earn(Utc(2025, 1, 1) + Duration.FromDays(day), day + 1))!.DropBefore(Utc(2025, 1, 1) + Duration.FromDays(day - 364));
        }

        timeline.Should().HaveCount(365);
        timeline[0].Points.Should().Be(636);
        (timeline.Points[timeline.End] - timeline.Points[timeline.First]).Should().Be(Enumerable.Range(636, 365).Sum());
        timeline.Times.Length.Should().BeLessThanOrEqualTo(4 * 365, "a copy keeps twice the live entries, and dropped ones are left behind at the next copy");
    }

    [Fact]
    public void Concurrent_appends_to_one_version_each_keep_their_own_entry()
    {
        var evaluator = Evaluator();
        var start = QualificationTimeline.From([Earn(Utc(2025, 1, 1), 10)], Mask(evaluator));
        var results = new QualificationTimeline[64];
        Parallel.For(0, results.Length, i => results[i] = start.Append(Earn(Utc(2025, 2, 1), i + 1))!);
        for (var i = 0; i < results.Length; i++)
        {
            results[i].Select(e => e.Points).Should().Equal(10, i + 1);
            (results[i].Points[results[i].End] - results[i].Points[results[i].First]).Should().Be(11 + i);
        }
    }

    [Fact]
    public void A_capacity_given_is_the_room_appends_use_before_a_copy()
    {
        var mask = Mask(Evaluator());
        var timeline = QualificationTimeline.From([Earn(Utc(2025, 1, 1), 10), Earn(Utc(2025, 1, 2), 20), Earn(Utc(2025, 1, 3), 30)], mask, capacity: 5);
        timeline.Times.Length.Should().Be(5, "a folded timeline gets the room asked for, below the default minimum of 16");
        var buffer = timeline.Times;
        timeline = timeline.Append(Earn(Utc(2025, 1, 4), 40))!.Append(Earn(Utc(2025, 1, 5), 50))!;
        timeline.Times.Should().BeSameAs(buffer, "two appends fit the room given");
        timeline = timeline.Append(Earn(Utc(2025, 1, 6), 60))!;
        timeline.Times.Should().NotBeSameAs(buffer, "the sixth entry does not fit: the entries are copied");
        timeline.Select(e => e.Points).Should().Equal(10, 20, 30, 40, 50, 60);
        (timeline.Points[timeline.End] - timeline.Points[timeline.First]).Should().Be(210);

        QualificationTimeline.From([Earn(Utc(2025, 1, 1), 10), Earn(Utc(2025, 1, 2), 20)], mask, capacity: 1).Times.Length.Should().Be(2, "the room is never less than the entries");
        QualificationTimeline.From([Earn(Utc(2025, 1, 1), 10)], mask).Times.Length.Should().Be(16, "without a capacity, twice the entries and at least 16");
    }

    [Fact]
    public void An_entry_not_later_than_the_newest_is_not_appended()
    {
        var evaluator = Evaluator();
        var timeline = QualificationTimeline.From([Earn(Utc(2025, 1, 2), 10)], Mask(evaluator));
        timeline.Append(Earn(Utc(2025, 1, 2), 5)).Should().BeNull("an entry of the same instant is merged by the owner");
        timeline.Append(Earn(Utc(2025, 1, 1), 5)).Should().BeNull("an earlier entry is inserted by the owner");
        timeline.Should().ContainSingle();
    }

    [Fact]
    public void Entries_out_of_time_order_are_refused()
    {
        var act = () => QualificationTimeline.From([Earn(Utc(2025, 1, 2), 10), Earn(Utc(2025, 1, 1), 5)], 1);
        act.Should().Throw<ArgumentException>()
            .WithMessage("The qualification entries must be in time order; entry 1 at 2025-01-01T00:00:00Z is before entry 0 at 2025-01-02T00:00:00Z. (Parameter 'sorted')");
    }

    [Fact]
    public void The_index_is_checked()
    {
        var timeline = QualificationTimeline.From([Earn(Utc(2025, 1, 2), 10)], 1);
        var act = () => timeline[1];
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("index must be between 0 and 0.*");
    }

    [Fact]
    public void A_timeline_summed_for_other_kinds_is_refused()
    {
        var evaluator = Evaluator();
        var timeline = QualificationTimeline.From([Earn(Utc(2025, 1, 2), 10)], Mask(evaluator) ^ 0b10);
        var act = () => evaluator.EvaluateKept(Alice, EnrolledAt, null, timeline, Utc(2025, 2, 1));
        act.Should().Throw<ArgumentException>()
            .WithMessage("The timeline was summed for another ladder's qualifying kinds; build it with this evaluator's Timeline. (Parameter 'timeline')");
    }

    private static int Mask(TierEvaluator evaluator) => evaluator.Timeline([], Alice).KindMask;

    /// <summary>Appends in time order; entries of one instant go through a rebuilt timeline, as the keeper does.</summary>
    private static QualificationTimeline Build(TierEvaluator evaluator, QualificationEntry[] history)
    {
        var timeline = evaluator.Timeline([], Alice);
        foreach (var e in history.OrderBy(e => e.At))
        {
            timeline = evaluator.Append(timeline, e, Alice) ?? evaluator.Timeline([.. timeline, e], Alice);
        }

        return timeline;
    }

    private static bool Same(TierEvaluation a, TierEvaluation b) =>
        a.Status == b.Status && a.Changes.SequenceEqual(b.Changes) && a.QualifyingValue == b.QualifyingValue && a.ProjectedTier == b.ProjectedTier && a.Tier == b.Tier;
}
