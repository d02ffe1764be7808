using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using static Loyalty.Core.Tests.Tiers.TierFixtures;

namespace Loyalty.Core.Tests.Tiers;

public class TierEvaluatorTests
{
    private static readonly NodaTime.Instant Enrolled = InParis(2025, 1, 10);

    [Fact]
    public void A_new_member_holds_the_entry_tier_since_enrolment()
    {
        var result = Evaluator().Evaluate(Member(Enrolled), InParis(2025, 2, 1));

        result.Tier.Id.Should().Be(Bronze);
        result.Since.Should().Be(Enrolled);
        result.ValidUntil.Should().BeNull();
        result.Changes.Should().BeEmpty();
        result.DowngradeWarning.Should().BeFalse();
        result.RequalificationProgress.Should().BeNull();
        result.NextTierProgress!.Tier.Id.Should().Be(Silver);
        result.Status.EvaluatedAt.Should().Be(InParis(2025, 2, 1));
    }

    [Fact]
    public void History_before_enrolment_counts_from_the_enrolment_instant()
    {
        var result = Evaluator().Evaluate(Member(Enrolled, Earn(InParis(2025, 1, 2), 600)), InParis(2025, 2, 1));

        result.Tier.Id.Should().Be(Silver);
        result.Since.Should().Be(Enrolled);
    }

    [Fact]
    public void History_after_the_evaluation_instant_is_ignored()
    {
        var result = Evaluator().Evaluate(Member(Enrolled, Earn(InParis(2025, 5, 1), 5_000)), InParis(2025, 4, 30));

        result.Tier.Id.Should().Be(Bronze);
        result.QualifyingValue.Points.Should().Be(0);
    }

    [Fact]
    public void The_top_tier_has_no_next_tier_progress()
    {
        var result = Evaluator().Evaluate(Member(Enrolled, Earn(InParis(2025, 5, 1), 5_000)), InParis(2025, 6, 1));

        result.Tier.Id.Should().Be(Vip);
        result.NextTierProgress.Should().BeNull();
    }

    [Fact]
    public void Evaluating_before_enrolment_is_refused()
    {
        var act = () => Evaluator().Evaluate(Member(Enrolled), InParis(2025, 1, 1));

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Cannot evaluate member 'alice' as of 2025-01-01T11:00:00Z: it is before the member's enrolment at 2025-01-10T11:00:00Z. (Parameter 'asOf')");
    }

    [Fact]
    public void Evaluating_before_the_prior_status_is_refused()
    {
        var evaluator = Evaluator();
        var prior = evaluator.Evaluate(Member(Enrolled), InParis(2025, 6, 1)).Status;

        var act = () => evaluator.Evaluate(Member(Enrolled) with { PriorStatus = prior }, InParis(2025, 5, 1));

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Cannot evaluate member 'alice' as of 2025-05-01T10:00:00Z: the prior status was evaluated later, at 2025-06-01T10:00:00Z; evaluate without the prior status to look at the past. (Parameter 'asOf')");
    }

    [Fact]
    public void A_manual_assignment_to_an_unknown_tier_is_refused()
    {
        var member = Member(Enrolled) with { ManualAssignment = new ManualTierAssignment(TierId.From("diamond"), Enrolled, null) };

        var act = () => Evaluator().Evaluate(member, InParis(2025, 2, 1));

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("The manual assignment of member 'alice' names tier 'diamond', which is not in the ladder; known tiers are 'bronze', 'silver', 'gold', 'vip'. (Parameter 'member')");
    }

    [Fact]
    public void Spend_in_another_currency_is_refused()
    {
        var evaluator = Evaluator(new TierPolicy { TimeZone = Paris, Currency = Currency.EUR });
        var member = Member(Enrolled, QualificationEntry.FromOrder(InParis(2025, 2, 1), Money.FromDecimal(50m, "USD")));

        var act = () => evaluator.Evaluate(member, InParis(2025, 3, 1));

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Member 'alice' has spend in USD at 2025-02-01T11:00:00Z but the programme currency is EUR; convert it before recording. (Parameter 'member')");
    }

    [Fact]
    public void A_null_member_in_a_batch_is_refused_when_reached()
    {
        var results = Evaluator().EvaluateMany([Member(Enrolled), null!], InParis(2025, 2, 1));

        var act = () => results.ToList();

        act.Should().Throw<ArgumentException>().Which.Message.Should().Be("members must not contain null. (Parameter 'members')");
    }

    [Fact]
    public void A_default_member_id_is_refused()
    {
        var act = () => Evaluator().Evaluate(new TierMember { MemberId = default, EnrolledAt = Enrolled }, InParis(2025, 2, 1));

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("TierMember.MemberId must not be default; create one with MemberId.From(...). (Parameter 'member')");
    }

    [Fact]
    public void The_parallel_batch_gives_the_same_results_in_the_same_order()
    {
        var evaluator = Evaluator();
        var members = Enumerable.Range(0, 1_000).Select(i => new TierMember
        {
            MemberId = MemberId.From(i),
            EnrolledAt = Enrolled,
            History = new[] { Earn(InParis(2025, 2, 1 + (i % 27)), (i * 37) % 1_400), Refund(InParis(2025, 3, 1), i % 300) },
        }).ToList();

        var sequential = evaluator.EvaluateMany(members, InParis(2026, 6, 1)).Select(r => r.Status).ToList();
        var parallel = evaluator.EvaluateMany(members, InParis(2026, 6, 1), maxDegreeOfParallelism: 2, chunkSize: 64).Select(r => r.Status).ToList();

        parallel.Should().Equal(sequential);
    }

    [Fact]
    public void A_parallel_batch_needs_at_least_one_thread()
    {
        var act = () => Evaluator().EvaluateMany([], InParis(2025, 2, 1), maxDegreeOfParallelism: 0);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .Be($"maxDegreeOfParallelism must be between 1 and 1024 inclusive (was 0). (Parameter 'maxDegreeOfParallelism'){Environment.NewLine}Actual value was 0.");
    }

    [Fact]
    public void A_bad_member_in_a_parallel_batch_surfaces_its_own_exception()
    {
        var members = new[] { Member(Enrolled), new TierMember { MemberId = default, EnrolledAt = Enrolled } };

        var act = () => Evaluator().EvaluateMany(members, InParis(2025, 2, 1), maxDegreeOfParallelism: 2).ToList();

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("TierMember.MemberId must not be default; create one with MemberId.From(...). (Parameter 'member')");
    }
}
