using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using NodaTime;
using static Loyalty.Core.Tests.Tiers.TierFixtures;

namespace Loyalty.Core.Tests.Tiers;

/// <summary>The nightly batch: <see cref="TierEvaluator.EvaluateInto(ReadOnlySpan{TierMember}, Span{TierBatchResult}, Instant)"/> and its result.</summary>
public class TierBatchResultTests
{
    private static readonly Instant Enrolled = InParis(2025, 1, 10);
    private static readonly Instant Night1 = InParis(2025, 6, 1, 3);
    private static readonly Instant Night2 = InParis(2025, 6, 2, 3);

    [Fact]
    public void The_first_night_stores_a_new_status_for_every_member()
    {
        var evaluator = Evaluator();
        var results = new TierBatchResult[1];

        evaluator.EvaluateInto([Member(Enrolled, Earn(InParis(2025, 3, 1), 600))], results, Night1);

        var result = results[0];
        result.MemberId.Should().Be(Alice);
        result.AsOf.Should().Be(Night1);
        result.Tier.Id.Should().Be(Silver);
        result.StatusChanged.Should().BeTrue();
        result.Status.Should().Be(evaluator.Evaluate(Member(Enrolled, Earn(InParis(2025, 3, 1), 600)), Night1).Status);
        result.Changes.Should().Equal(new TierChange(InParis(2025, 3, 1), Bronze, Silver, TierChangeReason.Upgraded));
        result.DowngradeWarning.Should().BeFalse();
        result.InGrace.Should().BeFalse();
    }

    [Fact]
    public void A_quiet_night_leaves_the_status_unchanged_but_moves_its_evaluation_instant()
    {
        var evaluator = Evaluator();
        var member = Member(Enrolled, Earn(InParis(2025, 3, 1), 600));
        var stored = evaluator.Evaluate(member, Night1).Status;
        var results = new TierBatchResult[1];

        evaluator.EvaluateInto([member with { PriorStatus = stored }], results, Night2);

        var result = results[0];
        result.StatusChanged.Should().BeFalse();
        result.Changes.Should().BeEmpty();
        result.Status.Should().Be(stored with { EvaluatedAt = Night2 });
        result.Status.Should().Be(evaluator.Evaluate(member with { PriorStatus = stored }, Night2).Status);
        result.Tier.Id.Should().Be(Silver);
    }

    [Fact]
    public void An_upgrade_overnight_changes_the_status_and_reports_why()
    {
        var evaluator = Evaluator();
        var member = Member(Enrolled, Earn(InParis(2025, 3, 1), 600));
        var stored = evaluator.Evaluate(member, Night1).Status;
        var upgraded = member with { History = new[] { Earn(InParis(2025, 3, 1), 600), Earn(InParis(2025, 6, 1, 20), 500) }, PriorStatus = stored };
        var results = new TierBatchResult[1];

        evaluator.EvaluateInto([upgraded], results, Night2);

        results[0].StatusChanged.Should().BeTrue();
        results[0].Tier.Id.Should().Be(Gold);
        results[0].Changes.Should().Equal(new TierChange(InParis(2025, 6, 1, 20), Silver, Gold, TierChangeReason.Upgraded));
        results[0].Status.Should().BeSameAs(results[0].Status, "a changed status is built once, during the batch");
    }

    [Fact]
    public void A_member_not_requalified_carries_the_downgrade_warning()
    {
        var evaluator = Evaluator();
        var member = Member(Enrolled, Earn(InParis(2025, 3, 1), 1_200));
        var asOf = InParis(2026, 11, 25, 3);
        var results = new TierBatchResult[1];

        evaluator.EvaluateInto([member], results, asOf);

        results[0].Tier.Id.Should().Be(Gold);
        results[0].ProjectedTier.Id.Should().Be(Silver);
        results[0].DowngradeWarning.Should().BeTrue();
        results[0].ToString().Should().Be("alice: gold (changed, 1 change, downgrade warning)");
    }

    [Fact]
    public void A_member_in_grace_is_flagged()
    {
        var evaluator = Evaluator(new TierPolicy { TimeZone = Paris, GracePeriod = Period.FromMonths(2) });
        var member = Member(Enrolled, Earn(InParis(2025, 3, 1), 1_200));
        var results = new TierBatchResult[1];

        evaluator.EvaluateInto([member], results, InParis(2027, 1, 15));

        results[0].InGrace.Should().BeTrue();
        results[0].Status.GraceUntil.Should().Be(InParis(2027, 3, 1, 0));
        results[0].ToString().Should().Be("alice: gold (changed, 1 change, downgrade warning, in grace)");
    }

    [Fact]
    public void Results_beyond_the_members_are_left_untouched()
    {
        var results = new TierBatchResult[3];

        Evaluator().EvaluateInto([Member(Enrolled)], results, Night1);

        results[0].IsDefault.Should().BeFalse();
        results[1].IsDefault.Should().BeTrue();
        results[2].ToString().Should().Be("default");
    }

    [Fact]
    public void A_quiet_night_allocates_nothing()
    {
        var evaluator = Evaluator();
        var members = Enumerable.Range(0, 200).Select(i => new TierMember
        {
            MemberId = MemberId.From(i),
            EnrolledAt = Enrolled,
            History = new[] { Earn(InParis(2025, 2, 1 + (i % 27)), (i * 37) % 1_400), Refund(InParis(2025, 3, 1), i % 300) },
        }).ToArray();
        var continuing = members.Select(m => m with { PriorStatus = evaluator.Evaluate(m, Night1).Status }).ToArray();
        var results = new TierBatchResult[continuing.Length];
        evaluator.EvaluateInto(continuing, results, Night2);

        var before = GC.GetAllocatedBytesForCurrentThread();
        evaluator.EvaluateInto(continuing, results, Night2);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        results.Should().OnlyContain(r => !r.StatusChanged);
        allocated.Should().Be(0);
    }

    [Fact]
    public void Two_threads_fill_the_buffer_like_one()
    {
        var evaluator = Evaluator();
        var members = Enumerable.Range(0, 1_001).Select(i => new TierMember
        {
            MemberId = MemberId.From(i),
            EnrolledAt = Enrolled,
            History = new[] { Earn(InParis(2025, 2, 1 + (i % 27)), (i * 37) % 1_400), Refund(InParis(2025, 3, 1), i % 300) },
        }).ToArray();
        var one = new TierBatchResult[members.Length];
        var two = new TierBatchResult[members.Length];

        evaluator.EvaluateInto(members, one, InParis(2026, 6, 1));
        evaluator.EvaluateInto(members, two, InParis(2026, 6, 1), maxDegreeOfParallelism: 2);

        two.Select(r => (r.MemberId, r.Status)).Should().Equal(one.Select(r => (r.MemberId, r.Status)));
    }

    [Fact]
    public void A_buffer_shorter_than_the_members_is_refused()
    {
        var act = () => Evaluator().EvaluateInto([Member(Enrolled), Member(Enrolled)], new TierBatchResult[1], Night1);

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("results has room for 1 results but there are 2 members; pass a buffer at least as long as members. (Parameter 'results')");
    }

    [Fact]
    public void A_buffer_shorter_than_the_members_is_refused_on_two_threads()
    {
        var act = () => Evaluator().EvaluateInto(new[] { Member(Enrolled), Member(Enrolled) }, new TierBatchResult[1], Night1, maxDegreeOfParallelism: 2);

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("results has room for 1 results but there are 2 members; pass a buffer at least as long as members. (Parameter 'results')");
    }

    [Fact]
    public void A_null_member_is_refused_with_its_index()
    {
        var results = new TierBatchResult[2];

        var act = () => Evaluator().EvaluateInto([Member(Enrolled), null!], results, Night1);

        act.Should().Throw<ArgumentException>().Which.Message.Should().Be("members must not contain null; members[1] is null. (Parameter 'members')");
        results[0].IsDefault.Should().BeFalse("members before the failing one are evaluated");
    }

    [Fact]
    public void A_batch_needs_at_least_one_thread()
    {
        var act = () => Evaluator().EvaluateInto(Array.Empty<TierMember>(), Array.Empty<TierBatchResult>(), Night1, maxDegreeOfParallelism: 0);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .Be($"maxDegreeOfParallelism must be between 1 and 1024 inclusive (was 0). (Parameter 'maxDegreeOfParallelism'){Environment.NewLine}Actual value was 0.");
    }

    [Fact]
    public void On_two_threads_the_first_failing_member_in_input_order_is_reported()
    {
        TierMember[] members =
        [
            Member(Enrolled),
            Member(Enrolled) with { MemberId = MemberId.From("early") },
            Member(Enrolled),
            Member(Enrolled) with { MemberId = MemberId.From("late"), EnrolledAt = InParis(2025, 7, 1) },
        ];
        members[1] = members[1] with { EnrolledAt = InParis(2025, 7, 1) };

        var act = () => Evaluator().EvaluateInto(members, new TierBatchResult[4], Night1, maxDegreeOfParallelism: 2);

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Cannot evaluate member 'early' as of 2025-06-01T01:00:00Z: it is before the member's enrolment at 2025-07-01T10:00:00Z. (Parameter 'asOf')");
    }

    [Fact]
    public void Amounts_too_large_to_sum_are_refused_as_a_single_evaluation_refuses_them()
    {
        var evaluator = Evaluator();
        var member = Member(Enrolled, QualificationEntry.FromAmounts(InParis(2025, 2, 1), long.MaxValue / 2 + 1, EarnKind.Purchase, 0m, 0));
        var stored = evaluator.Evaluate(member, Night1).Status;
        var overflowing = member with
        {
            History = new[] { member.History.Span[0], QualificationEntry.FromAmounts(InParis(2025, 3, 1), long.MaxValue / 2 + 1, EarnKind.Purchase, 0m, 0) },
            PriorStatus = stored,
        };
        var single = () => evaluator.Evaluate(overflowing, Night2);
        var batch = () => evaluator.EvaluateInto([overflowing], new TierBatchResult[1], Night2);

        var expected = single.Should().Throw<OverflowException>().Which.Message;
        batch.Should().Throw<OverflowException>().Which.Message.Should().Be(expected);
    }

    [Fact]
    public void A_manual_tier_withdrawn_since_the_last_night_is_reported_as_ended()
    {
        var evaluator = Evaluator();
        var vip = Member(Enrolled, Earn(InParis(2025, 3, 1), 600)) with { ManualAssignment = new ManualTierAssignment(Gold, Enrolled, null) };
        var stored = evaluator.Evaluate(vip, Night1).Status;
        var results = new TierBatchResult[1];

        evaluator.EvaluateInto([vip with { ManualAssignment = null, PriorStatus = stored }], results, Night2);

        results[0].Tier.Id.Should().Be(Silver);
        results[0].StatusChanged.Should().BeTrue();
        results[0].Changes.Should().Equal(new TierChange(Night1, Gold, Silver, TierChangeReason.ManualAssignmentEnded));
    }

    [Fact]
    public void A_default_result_describes_no_member()
    {
        var act = () => default(TierBatchResult).Tier;

        act.Should().Throw<InvalidOperationException>().Which.Message.Should()
            .Be("This TierBatchResult is default: no member was evaluated into it. Fill results with TierEvaluator.EvaluateInto and read only the first members.Length of them.");
    }
}
