using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using NodaTime;
using static Loyalty.Core.Tests.Tiers.TierFixtures;

namespace Loyalty.Core.Tests.Tiers;

/// <summary>The shop's examples, calendar year in Europe/Paris unless a test says otherwise.</summary>
public class TierEvaluatorScenarioTests
{
    private static readonly Instant Enrolled = InParis(2025, 1, 10);

    [Fact]
    public void Qualifying_for_gold_in_march_holds_gold_until_31_december_of_the_next_year()
    {
        var member = Member(Enrolled, Earn(InParis(2025, 3, 15), 1_200));

        var result = Evaluator().Evaluate(member, InParis(2025, 6, 1));

        result.Tier.Id.Should().Be(Gold);
        result.Since.Should().Be(InParis(2025, 3, 15));
        result.ValidUntil.Should().Be(InParis(2027, 1, 1, 0)); // the end of 31 December 2026 in Paris
        result.QualifyingValue.Should().Be(new QualifyingTotals(1_200, 0m, 0));
        result.WindowStart.Should().Be(InParis(2025, 1, 1, 0));
        result.Benefits.EarnMultiplier.Should().Be(1.5m);
        result.ProjectedTier.Id.Should().Be(Gold);
        result.DowngradeWarning.Should().BeFalse();
        result.Changes.Should().Equal(new TierChange(InParis(2025, 3, 15), Bronze, Gold, TierChangeReason.Upgraded));
    }

    [Fact]
    public void Gold_not_requalified_in_the_following_year_warns_then_drops_one_level_on_1_january()
    {
        var member = Member(Enrolled, Earn(InParis(2025, 3, 15), 1_200), Earn(InParis(2026, 5, 1), 300));
        var evaluator = Evaluator();

        var during = evaluator.Evaluate(member, InParis(2026, 6, 1));
        during.Tier.Id.Should().Be(Gold);
        during.DowngradeWarning.Should().BeTrue();
        during.ProjectedTier.Id.Should().Be(Silver);
        during.ProjectedAt.Should().Be(InParis(2027, 1, 1, 0));
        during.RequalificationProgress!.Thresholds.Should().Equal(new ThresholdProgress(QualifyingMetric.Points, 1_000m, 300m));
        during.RequalificationProgress.Thresholds[0].Remaining.Should().Be(700m);

        var after = evaluator.Evaluate(member, InParis(2027, 1, 2));
        after.Tier.Id.Should().Be(Silver);
        after.Since.Should().Be(InParis(2027, 1, 1, 0));
        after.ValidUntil.Should().Be(InParis(2028, 1, 1, 0));
        after.Changes.Should().Equal(
            new TierChange(InParis(2025, 3, 15), Bronze, Gold, TierChangeReason.Upgraded),
            new TierChange(InParis(2027, 1, 1, 0), Gold, Silver, TierChangeReason.DowngradedAtValidityEnd));
    }

    [Fact]
    public void Requalifying_during_the_following_year_extends_gold_by_a_year()
    {
        var member = Member(Enrolled, Earn(InParis(2025, 3, 15), 1_200), Earn(InParis(2026, 9, 1), 1_000));

        var result = Evaluator().Evaluate(member, InParis(2026, 12, 1));

        result.Tier.Id.Should().Be(Gold);
        result.Since.Should().Be(InParis(2025, 3, 15));
        result.ValidUntil.Should().Be(InParis(2028, 1, 1, 0));
        result.DowngradeWarning.Should().BeFalse();
    }

    [Fact]
    public void A_refund_before_the_period_ends_takes_the_member_back_under_the_threshold()
    {
        var member = Member(Enrolled, Earn(InParis(2025, 2, 1), 600), Earn(InParis(2025, 3, 15), 600), Refund(InParis(2025, 4, 2), 400));

        var result = Evaluator().Evaluate(member, InParis(2025, 5, 1));

        result.QualifyingValue.Points.Should().Be(800);
        result.Tier.Id.Should().Be(Silver);
        result.ValidUntil.Should().Be(InParis(2027, 1, 1, 0));
        result.NextTierProgress!.Thresholds.Single().Remaining.Should().Be(200m);
        result.Changes.Should().Equal(
            new TierChange(InParis(2025, 2, 1), Bronze, Silver, TierChangeReason.Upgraded),
            new TierChange(InParis(2025, 3, 15), Silver, Gold, TierChangeReason.Upgraded),
            new TierChange(InParis(2025, 4, 2), Gold, Silver, TierChangeReason.UpgradeRevokedByRefund));
    }

    [Fact]
    public void With_keep_status_a_refund_only_counts_when_the_tier_is_re_evaluated()
    {
        var member = Member(Enrolled, Earn(InParis(2025, 3, 15), 1_200), Refund(InParis(2025, 4, 2), 400));
        var evaluator = Evaluator(new TierPolicy { TimeZone = Paris, Refunds = RefundPolicy.KeepStatus });

        var result = evaluator.Evaluate(member, InParis(2025, 5, 1));

        result.Tier.Id.Should().Be(Gold);
        result.QualifyingValue.Points.Should().Be(800);
        result.ValidUntil.Should().Be(InParis(2027, 1, 1, 0));
    }

    [Fact]
    public void A_refund_that_takes_back_a_requalification_takes_back_the_extra_year()
    {
        var member = Member(Enrolled, Earn(InParis(2025, 3, 15), 1_200), Earn(InParis(2026, 2, 1), 1_100), Refund(InParis(2026, 2, 20), 600));

        var result = Evaluator().Evaluate(member, InParis(2026, 3, 1));

        result.Tier.Id.Should().Be(Gold);
        result.ValidUntil.Should().Be(InParis(2027, 1, 1, 0));
        result.DowngradeWarning.Should().BeTrue();
    }

    [Fact]
    public void A_refund_in_a_later_year_does_not_revoke_a_tier_earned_earlier()
    {
        var member = Member(Enrolled, Earn(InParis(2025, 3, 15), 1_200), Earn(InParis(2026, 2, 1), 100), Refund(InParis(2026, 2, 3), 100));

        var result = Evaluator().Evaluate(member, InParis(2026, 3, 1));

        result.Tier.Id.Should().Be(Gold);
        result.Changes.Should().ContainSingle();
    }

    [Fact]
    public void The_calendar_year_boundary_is_taken_in_the_programme_zone_not_in_utc()
    {
        // 31 December 2025 23:30 UTC is already 1 January 2026 00:30 in Paris.
        var newYearsEve = Utc(2025, 12, 31, 23, 30);
        var member = Member(Enrolled, Earn(InParis(2025, 6, 1), 600), Earn(newYearsEve, 500));

        var utc = Evaluator(new TierPolicy { TimeZone = DateTimeZone.Utc }).Evaluate(member, Utc(2026, 1, 15));
        var paris = Evaluator(new TierPolicy { TimeZone = Paris }).Evaluate(member, Utc(2026, 1, 15));

        utc.Tier.Id.Should().Be(Gold);
        utc.ValidUntil.Should().Be(Utc(2027, 1, 1));
        utc.QualifyingValue.Points.Should().Be(0);

        paris.Tier.Id.Should().Be(Silver);
        paris.QualifyingValue.Points.Should().Be(500);
        paris.WindowStart.Should().Be(Utc(2025, 12, 31, 23));
        paris.ValidUntil.Should().Be(Utc(2027, 12, 31, 23)); // requalified in 2026: until the end of 2027 in Paris
    }

    [Fact]
    public void A_grace_period_keeps_the_tier_and_lets_the_member_requalify()
    {
        var policy = new TierPolicy { TimeZone = Paris, GracePeriod = Period.FromMonths(3) };
        var history = new[] { Earn(InParis(2025, 3, 15), 1_200), Earn(InParis(2027, 2, 10), 1_000) };
        var evaluator = Evaluator(policy);

        var inGrace = evaluator.Evaluate(Member(Enrolled, history), InParis(2027, 2, 1));
        inGrace.Tier.Id.Should().Be(Gold);
        inGrace.ValidUntil.Should().Be(InParis(2027, 1, 1, 0));
        inGrace.Status.GraceUntil.Should().Be(InParis(2027, 4, 1, 0));
        inGrace.DowngradeWarning.Should().BeTrue();

        var requalified = evaluator.Evaluate(Member(Enrolled, history), InParis(2027, 6, 1));
        requalified.Tier.Id.Should().Be(Gold);
        requalified.Status.GraceUntil.Should().BeNull();
        requalified.ValidUntil.Should().Be(InParis(2029, 1, 1, 0));
        requalified.Changes.Should().ContainSingle();
    }

    [Fact]
    public void When_grace_ends_without_requalification_the_member_drops_with_the_grace_reason()
    {
        var policy = new TierPolicy { TimeZone = Paris, GracePeriod = Period.FromMonths(3) };

        var result = Evaluator(policy).Evaluate(Member(Enrolled, Earn(InParis(2025, 3, 15), 1_200)), InParis(2027, 6, 1));

        result.Tier.Id.Should().Be(Silver);
        result.Since.Should().Be(InParis(2027, 4, 1, 0));
        result.Changes.Last().Should().Be(new TierChange(InParis(2027, 4, 1, 0), Gold, Silver, TierChangeReason.DowngradedAfterGrace));
    }

    [Fact]
    public void A_manual_vip_holds_until_its_end_date_then_the_earned_tier_applies()
    {
        var manual = new ManualTierAssignment(Vip, InParis(2025, 2, 1), InParis(2026, 2, 1));
        var member = Member(Enrolled, Earn(InParis(2025, 3, 15), 1_200)) with { ManualAssignment = manual };
        var evaluator = Evaluator();

        var vip = evaluator.Evaluate(member, InParis(2025, 6, 1));
        vip.Tier.Id.Should().Be(Vip);
        vip.ValidUntil.Should().Be(InParis(2026, 2, 1));
        vip.Status.AutomaticTier.Should().Be(Gold);
        vip.CanAccess(Vip).Should().BeTrue();
        vip.Benefits.HasPerk("early-access").Should().BeTrue();

        var after = evaluator.Evaluate(member, InParis(2026, 3, 1));
        after.Tier.Id.Should().Be(Gold);
        after.Since.Should().Be(InParis(2026, 2, 1));
        after.CanAccess(Vip).Should().BeFalse();
        after.Changes.Should().Equal(
            new TierChange(InParis(2025, 2, 1), Bronze, Vip, TierChangeReason.ManualAssignmentStarted),
            new TierChange(InParis(2026, 2, 1), Vip, Gold, TierChangeReason.ManualAssignmentEnded));
    }

    [Fact]
    public void A_manual_assignment_is_never_lowered_by_automatic_evaluation_before_its_end()
    {
        var manual = new ManualTierAssignment(Gold, InParis(2025, 2, 1), InParis(2028, 6, 1));
        var member = Member(Enrolled, Earn(InParis(2025, 3, 15), 600)) with { ManualAssignment = manual };
        var evaluator = Evaluator();

        evaluator.Evaluate(member, InParis(2028, 5, 31)).Tier.Id.Should().Be(Gold);
        var after = evaluator.Evaluate(member, InParis(2028, 6, 2));
        after.Tier.Id.Should().Be(Bronze);
        after.Changes.Last().Reason.Should().Be(TierChangeReason.ManualAssignmentEnded);
    }

    [Fact]
    public void A_manual_assignment_recorded_after_the_last_run_applies_at_the_next_run()
    {
        var evaluator = Evaluator();
        var member = Member(Enrolled, Earn(InParis(2025, 3, 15), 600));
        var stored = evaluator.Evaluate(member, InParis(2025, 6, 1)).Status;
        var invited = member with { PriorStatus = stored, ManualAssignment = new ManualTierAssignment(Vip, InParis(2025, 5, 1), InParis(2026, 5, 1)) };

        var result = evaluator.Evaluate(invited, InParis(2025, 6, 2));

        result.Tier.Id.Should().Be(Vip);
        result.Changes.Should().Equal(new TierChange(InParis(2025, 6, 1), Silver, Vip, TierChangeReason.ManualAssignmentStarted));
    }

    [Fact]
    public void A_higher_earned_tier_wins_over_a_manual_assignment()
    {
        var manual = new ManualTierAssignment(Silver, InParis(2025, 2, 1), null);
        var member = Member(Enrolled, Earn(InParis(2025, 3, 15), 1_500)) with { ManualAssignment = manual };

        var result = Evaluator().Evaluate(member, InParis(2025, 6, 1));

        result.Tier.Id.Should().Be(Gold);
        result.ValidUntil.Should().Be(InParis(2027, 1, 1, 0));
    }

    [Theory]
    [InlineData(DowngradePolicy.OneLevel, "gold")]
    [InlineData(DowngradePolicy.ToComputed, "silver")]
    [InlineData(DowngradePolicy.Never, "vip")]
    public void The_downgrade_policy_decides_where_an_unrequalified_vip_lands(DowngradePolicy downgrade, string expected)
    {
        var member = Member(Enrolled, Earn(InParis(2025, 3, 15), 5_000), Earn(InParis(2026, 4, 1), 700));

        var result = Evaluator(new TierPolicy { TimeZone = Paris, Downgrade = downgrade }).Evaluate(member, InParis(2027, 2, 1));

        result.Tier.Id.Should().Be(TierId.From(expected));
        if (downgrade == DowngradePolicy.Never)
        {
            result.ValidUntil.Should().BeNull();
            result.DowngradeWarning.Should().BeFalse();
        }
    }

    [Fact]
    public void A_lower_tier_qualified_while_holding_a_higher_one_is_the_floor_of_the_downgrade()
    {
        var policy = new TierPolicy { TimeZone = Paris, Window = QualificationWindow.RollingMonths(12), Downgrade = DowngradePolicy.ToComputed };
        var member = Member(Enrolled, Earn(InParis(2025, 3, 15), 1_200), Earn(InParis(2026, 10, 1), 600));

        // Gold reached 15 March 2025 holds 24 months; Silver qualified on 1 October 2026 holds until 1 October 2028.
        var result = Evaluator(policy).Evaluate(member, InParis(2027, 6, 1));

        result.Tier.Id.Should().Be(Silver);
        result.Since.Should().Be(InParis(2027, 3, 15));
        result.ValidUntil.Should().Be(InParis(2028, 10, 1));
    }

    [Fact]
    public void A_rolling_window_counts_the_last_n_months()
    {
        var policy = new TierPolicy { TimeZone = Paris, Window = QualificationWindow.RollingMonths(12), Validity = StatusValidity.EndOfCurrentPeriod };
        var member = Member(Enrolled, Earn(InParis(2025, 3, 15), 600), Earn(InParis(2025, 11, 1), 500));
        var evaluator = Evaluator(policy);

        var gold = evaluator.Evaluate(member, InParis(2026, 1, 1));
        gold.Tier.Id.Should().Be(Gold);
        gold.ValidUntil.Should().Be(InParis(2026, 11, 1));
        gold.WindowStart.Should().Be(InParis(2025, 1, 1)); // the same local time twelve months earlier

        var later = evaluator.Evaluate(member, InParis(2026, 4, 1));
        later.QualifyingValue.Points.Should().Be(500);
        later.Tier.Id.Should().Be(Gold);
        later.DowngradeWarning.Should().BeTrue();
    }

    [Fact]
    public void An_anniversary_year_starts_on_the_enrolment_date()
    {
        var policy = new TierPolicy { TimeZone = Paris, Window = QualificationWindow.AnniversaryYear };
        var member = Member(InParis(2025, 6, 20), Earn(InParis(2025, 7, 1), 600), Earn(InParis(2026, 6, 25), 600));

        var result = Evaluator(policy).Evaluate(member, InParis(2026, 7, 1));

        result.WindowStart.Should().Be(InParis(2026, 6, 20, 0));
        result.QualifyingValue.Points.Should().Be(600);
        result.Tier.Id.Should().Be(Silver);
        result.ValidUntil.Should().Be(InParis(2028, 6, 20, 0));
    }

    [Fact]
    public void A_lifetime_window_never_expires()
    {
        var policy = new TierPolicy { TimeZone = Paris, Window = QualificationWindow.Lifetime };
        var member = Member(Enrolled, Earn(InParis(2025, 3, 15), 600), Earn(InParis(2029, 3, 15), 600));

        var result = Evaluator(policy).Evaluate(member, InParis(2035, 1, 1));

        result.Tier.Id.Should().Be(Gold);
        result.ValidUntil.Should().BeNull();
        result.WindowStart.Should().BeNull();
        result.ProjectedTier.Id.Should().Be(Gold);
        result.ProjectedAt.Should().BeNull();
    }

    [Fact]
    public void Only_the_configured_earn_kinds_count_as_qualifying_points()
    {
        var member = Member(Enrolled, Earn(InParis(2025, 3, 15), 400), Earn(InParis(2025, 3, 16), 700, EarnKind.Bonus));

        Evaluator().Evaluate(member, InParis(2025, 4, 1)).Tier.Id.Should().Be(Bronze);
        Evaluator(new TierPolicy { TimeZone = Paris, QualifyingEarnKinds = [EarnKind.Purchase, EarnKind.Bonus] })
            .Evaluate(member, InParis(2025, 4, 1)).Tier.Id.Should().Be(Gold);
    }

    [Fact]
    public void Spend_and_order_thresholds_combine_with_all_of_and_any_of()
    {
        TierDefinition[] tiers =
        [
            TierDefinition.Entry(Bronze, "Bronze"),
            TierDefinition.Create(Silver, "Silver", ThresholdCombination.AnyOf, [TierThreshold.FromSpend(300m), TierThreshold.FromOrders(5)]),
            TierDefinition.Create(Gold, "Gold", ThresholdCombination.AllOf, [TierThreshold.FromSpend(1_000m), TierThreshold.FromOrders(10)]),
        ];
        var evaluator = new TierEvaluator(TierLadder.Create(tiers, new TierPolicy { TimeZone = Paris, Currency = Currency.EUR }));
        var orders = Enumerable.Range(1, 6).Select(d => QualificationEntry.FromOrder(InParis(2025, 3, d), Money.FromDecimal(200m, "EUR"))).ToArray();

        var result = evaluator.Evaluate(Member(Enrolled, orders), InParis(2025, 4, 1));

        result.Tier.Id.Should().Be(Silver);
        result.QualifyingValue.Should().Be(new QualifyingTotals(0, 1_200m, 6));
        result.NextTierProgress!.Thresholds.Should().Equal(
            new ThresholdProgress(QualifyingMetric.Spend, 1_000m, 1_200m),
            new ThresholdProgress(QualifyingMetric.Orders, 10m, 6m));
        result.NextTierProgress.IsMet.Should().BeFalse();
        result.NextTierProgress.Thresholds[1].Remaining.Should().Be(4m);

        var cancelled = orders.Append(QualificationEntry.FromRefund(InParis(2025, 3, 20), Money.FromDecimal(200m, "EUR"), cancelsOrder: true)).ToArray();
        evaluator.Evaluate(Member(Enrolled, cancelled), InParis(2025, 4, 1)).QualifyingValue.Should().Be(new QualifyingTotals(0, 1_000m, 5));
    }

    [Fact]
    public void Continuing_from_a_stored_status_gives_the_same_result_as_replaying_from_enrolment()
    {
        var history = new[] { Earn(InParis(2025, 3, 15), 1_200), Earn(InParis(2026, 4, 1), 600), Refund(InParis(2027, 2, 1), 100) };
        var evaluator = Evaluator();
        var first = evaluator.Evaluate(Member(Enrolled, history), InParis(2025, 12, 31));

        var next = evaluator.Evaluate(Member(Enrolled, history) with { PriorStatus = first.Status }, InParis(2027, 3, 1));
        var replayed = evaluator.Evaluate(Member(Enrolled, history), InParis(2027, 3, 1));

        next.Status.Should().Be(replayed.Status);
        next.Changes.Should().Equal(replayed.Changes.Skip(1));
    }

    [Fact]
    public void The_batch_entry_point_streams_one_result_per_member_in_order()
    {
        var evaluator = Evaluator();
        var members = Enumerable.Range(0, 50).Select(i => new TierMember
        {
            MemberId = MemberId.From(i),
            EnrolledAt = Enrolled,
            History = new[] { Earn(InParis(2025, 3, 15), i * 30) },
        });

        var results = evaluator.EvaluateMany(members, InParis(2025, 6, 1)).ToList();

        results.Select(r => r.MemberId).Should().Equal(Enumerable.Range(0, 50).Select(i => MemberId.From(i)));
        results.Count(r => r.Tier.Id == Gold).Should().Be(16);
        results.Count(r => r.Tier.Id == Silver).Should().Be(17);
    }
}
