using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using NodaTime;
using static Loyalty.Core.Tests.Tiers.TierFixtures;

namespace Loyalty.Core.Tests.Tiers;

/// <summary>
/// The evaluator at its edges: values exactly at a threshold, events exactly at the evaluation instant,
/// manual assignments around enrolment, long unsorted histories, and the batch entry points agreeing
/// with the evaluation of one member.
/// </summary>
public class TierEvaluatorEdgeTests
{
    private static readonly Instant Enrolled = InParis(2025, 1, 10);
    private static readonly Instant Day = InParis(2025, 3, 1);
    private static readonly Instant Next = InParis(2025, 3, 2);

    /// <summary>Silver on spend or orders, Gold on points and spend, VIP on orders or points.</summary>
    private static TierDefinition[] MixedTiers() =>
    [
        TierDefinition.Entry(Bronze, "Bronze"),
        TierDefinition.Create(Silver, "Silver", ThresholdCombination.AnyOf, [TierThreshold.FromSpend(300m), TierThreshold.FromOrders(3)]),
        TierDefinition.Create(Gold, "Gold", ThresholdCombination.AllOf, [TierThreshold.FromPoints(800), TierThreshold.FromSpend(900.5m)]),
        TierDefinition.Create(Vip, "VIP", ThresholdCombination.AnyOf, [TierThreshold.FromOrders(12), TierThreshold.FromPoints(3_000)]),
    ];

    /// <summary>Gold on spend and orders together, no points threshold anywhere.</summary>
    private static TierDefinition[] SpendAndOrdersTiers() =>
    [
        TierDefinition.Entry(Bronze, "Bronze"),
        TierDefinition.Create(Gold, "Gold", ThresholdCombination.AllOf, [TierThreshold.FromSpend(1_000m), TierThreshold.FromOrders(10)]),
    ];

    private static TierEvaluator EvaluatorOf(TierDefinition[] tiers, TierPolicy? policy = null) =>
        new(TierLadder.Create(tiers, policy ?? new TierPolicy { TimeZone = Paris }));

    [Theory]
    [InlineData(0, "300", 0, "silver")]
    [InlineData(0, "299.99", 2, "bronze")]
    [InlineData(0, "0", 3, "silver")]
    [InlineData(2_000, "0", 0, "bronze")]
    [InlineData(800, "900.5", -5, "gold")]
    [InlineData(799, "900.5", 0, "silver")]
    [InlineData(800, "900.49", 2, "silver")]
    [InlineData(3_000, "0", 0, "vip")]
    [InlineData(2_999, "0", 11, "silver")]
    [InlineData(0, "0", 12, "vip")]
    [InlineData(5_000, "-10", -1, "vip")]
    public void Each_metric_counts_from_its_minimum_on_in_all_of_and_any_of_tiers(long points, string spend, int orders, string tier)
    {
        var evaluator = EvaluatorOf(MixedTiers());
        var entry = QualificationEntry.FromAmounts(Day, points, EarnKind.Purchase, decimal.Parse(spend, System.Globalization.CultureInfo.InvariantCulture), orders);

        var result = evaluator.Evaluate(Member(Enrolled, entry), Next);

        result.Tier.Id.Should().Be(TierId.From(tier));
        result.QualifyingValue.Should().Be(new QualifyingTotals(points, entry.Spend, orders));
        result.Tier.IsMetBy(result.QualifyingValue).Should().BeTrue();
        var batch = new TierBatchResult[1];
        evaluator.EvaluateInto([Member(Enrolled, entry)], batch, Next);
        batch[0].Tier.Id.Should().Be(TierId.From(tier));
    }

    [Theory]
    [InlineData(-100, "1000", 10, "gold")]
    [InlineData(0, "1000", 9, "bronze")]
    [InlineData(0, "999.99", 10, "bronze")]
    [InlineData(0, "1000", 10, "gold")]
    public void A_tier_without_a_points_threshold_ignores_points_even_negative_ones(long points, string spend, int orders, string tier)
    {
        var entry = QualificationEntry.FromAmounts(Day, points, EarnKind.Purchase, decimal.Parse(spend, System.Globalization.CultureInfo.InvariantCulture), orders);

        EvaluatorOf(SpendAndOrdersTiers()).Evaluate(Member(Enrolled, entry), Next).Tier.Id.Should().Be(TierId.From(tier));
    }

    [Fact]
    public void A_tier_without_an_orders_or_spend_threshold_ignores_cancelled_orders_and_refunded_spend()
    {
        TierDefinition[] tiers =
        [
            TierDefinition.Entry(Bronze, "Bronze"),
            TierDefinition.Create(Silver, "Silver", ThresholdCombination.AllOf, [TierThreshold.FromPoints(500)]),
            TierDefinition.Create(Gold, "Gold", ThresholdCombination.AllOf, [TierThreshold.FromPoints(1_000), TierThreshold.FromSpend(100m)]),
        ];

        var result = EvaluatorOf(tiers).Evaluate(Member(Enrolled, QualificationEntry.FromAmounts(Day, 500, EarnKind.Purchase, -20m, -3)), Next);

        result.Tier.Id.Should().Be(Silver);
        result.QualifyingValue.Should().Be(new QualifyingTotals(500, -20m, -3));
    }

    [Fact]
    public void Exactly_the_threshold_upgrades_and_one_point_less_does_not()
    {
        var evaluator = Evaluator();

        evaluator.Evaluate(Member(Enrolled, Earn(Day, 500)), Next).Tier.Id.Should().Be(Silver);
        evaluator.Evaluate(Member(Enrolled, Earn(Day, 499)), Next).Tier.Id.Should().Be(Bronze);
        evaluator.Evaluate(Member(Enrolled, Earn(Day, 999), Earn(Day, 1)), Next).Tier.Id.Should().Be(Gold);
        evaluator.Evaluate(Member(Enrolled, Earn(Day, 4_999)), Next).Tier.Id.Should().Be(Gold);
        evaluator.Evaluate(Member(Enrolled, Earn(Day, 5_000)), Next).Tier.Id.Should().Be(Vip);
    }

    [Fact]
    public void An_entry_at_the_evaluation_instant_counts()
    {
        var evaluator = Evaluator();
        var member = Member(Enrolled, Earn(Day, 300), Earn(Next, 200));

        var at = evaluator.Evaluate(member, Next);
        var before = evaluator.Evaluate(member, Next - Duration.Epsilon);

        at.Tier.Id.Should().Be(Silver);
        at.QualifyingValue.Points.Should().Be(500);
        at.Changes.Should().Equal(new TierChange(Next, Bronze, Silver, TierChangeReason.Upgraded));
        before.Tier.Id.Should().Be(Bronze);
        before.QualifyingValue.Points.Should().Be(300);
        var batch = new TierBatchResult[2];
        evaluator.EvaluateInto([member, member with { PriorStatus = before.Status }], batch, Next);
        batch[0].Tier.Id.Should().Be(Silver);
        batch[1].Tier.Id.Should().Be(Silver);
        batch[1].Changes.Should().Equal(new TierChange(Next, Bronze, Silver, TierChangeReason.Upgraded));
    }

    [Fact]
    public void A_validity_ending_at_the_evaluation_instant_has_ended()
    {
        var evaluator = Evaluator();
        var member = Member(Enrolled, Earn(Day, 1_200));
        var end = InParis(2027, 1, 1, 0);

        var justBefore = evaluator.Evaluate(member, end - Duration.Epsilon);
        var atEnd = evaluator.Evaluate(member, end);

        justBefore.Tier.Id.Should().Be(Gold);
        justBefore.ValidUntil.Should().Be(end);
        justBefore.DowngradeWarning.Should().BeTrue();
        justBefore.ProjectedTier.Id.Should().Be(Silver);
        justBefore.ProjectedAt.Should().Be(end);
        atEnd.Tier.Id.Should().Be(Silver);
        atEnd.Since.Should().Be(end);
        atEnd.ValidUntil.Should().Be(InParis(2028, 1, 1, 0));
        atEnd.Changes.Last().Should().Be(new TierChange(end, Gold, Silver, TierChangeReason.DowngradedAtValidityEnd));
        atEnd.WindowStart.Should().Be(end);
        atEnd.QualifyingValue.Should().Be(default(QualifyingTotals));
    }

    [Fact]
    public void An_entry_at_the_instant_validity_ends_requalifies_after_the_downgrade()
    {
        var end = InParis(2027, 1, 1, 0);

        var result = Evaluator().Evaluate(Member(Enrolled, Earn(Day, 1_200), Earn(end, 1_000)), InParis(2027, 1, 2));

        result.Tier.Id.Should().Be(Gold);
        result.Changes.Should().Equal(
            new TierChange(Day, Bronze, Gold, TierChangeReason.Upgraded),
            new TierChange(end, Gold, Silver, TierChangeReason.DowngradedAtValidityEnd),
            new TierChange(end, Silver, Gold, TierChangeReason.Upgraded));
        result.ValidUntil.Should().Be(InParis(2029, 1, 1, 0));
    }

    [Fact]
    public void Grace_ending_at_the_evaluation_instant_has_ended()
    {
        var evaluator = Evaluator(new TierPolicy { TimeZone = Paris, GracePeriod = Period.FromMonths(1) });
        var member = Member(Enrolled, Earn(Day, 1_200));
        var graceEnd = InParis(2027, 2, 1, 0);

        var inGrace = evaluator.Evaluate(member, graceEnd - Duration.Epsilon);
        var after = evaluator.Evaluate(member, graceEnd);

        inGrace.Tier.Id.Should().Be(Gold);
        inGrace.Status.GraceUntil.Should().Be(graceEnd);
        inGrace.Status.AutomaticValidUntil.Should().Be(InParis(2027, 1, 1, 0));
        after.Tier.Id.Should().Be(Silver);
        after.Status.GraceUntil.Should().BeNull();
        after.Changes.Should().Equal(
            new TierChange(Day, Bronze, Gold, TierChangeReason.Upgraded),
            new TierChange(graceEnd, Gold, Silver, TierChangeReason.DowngradedAfterGrace));
        var batch = new TierBatchResult[1];
        evaluator.EvaluateInto([member with { PriorStatus = inGrace.Status }], batch, graceEnd);
        batch[0].InGrace.Should().BeFalse();
        batch[0].Status.Should().Be(evaluator.Evaluate(member with { PriorStatus = inGrace.Status }, graceEnd).Status);
        batch[0].Changes.Should().Equal(new TierChange(graceEnd, Gold, Silver, TierChangeReason.DowngradedAfterGrace));
    }

    [Fact]
    public void Requalifying_in_grace_gives_a_fresh_validity_that_a_refund_does_not_undo()
    {
        var evaluator = Evaluator(new TierPolicy { TimeZone = Paris, GracePeriod = Period.FromMonths(2) });
        var requalified = InParis(2027, 1, 20);
        var member = Member(Enrolled, Earn(Day, 1_200), Earn(requalified, 1_100), Refund(InParis(2027, 1, 25), 500));

        var result = evaluator.Evaluate(member, InParis(2027, 4, 1));

        result.Tier.Id.Should().Be(Gold);
        result.Status.GraceUntil.Should().BeNull();
        result.Status.AutomaticValidUntil.Should().Be(InParis(2029, 1, 1, 0));
        result.Status.LastQualifiedAt.Should().BeNull();
        result.Changes.Should().Equal(new TierChange(Day, Bronze, Gold, TierChangeReason.Upgraded));
    }

    [Fact]
    public void At_the_end_of_grace_an_entry_recorded_late_in_the_window_that_ended_with_validity_requalifies()
    {
        var evaluator = Evaluator(new TierPolicy { TimeZone = Paris, GracePeriod = Period.FromMonths(2) });
        var member = Member(Enrolled, Earn(Day, 1_200));
        var inGrace = evaluator.Evaluate(member, InParis(2027, 1, 15)).Status;
        // Recorded after the stored evaluation, dated in 2026: it counts in the window that ended with validity.
        var late = member with { History = new[] { Earn(Day, 1_200), Earn(InParis(2026, 12, 20), 1_000) }, PriorStatus = inGrace };

        var result = evaluator.Evaluate(late, InParis(2027, 3, 2));

        inGrace.GraceUntil.Should().Be(InParis(2027, 3, 1, 0));
        result.Tier.Id.Should().Be(Gold);
        result.Changes.Should().BeEmpty();
        result.Status.GraceUntil.Should().BeNull();
        result.Status.AutomaticValidUntil.Should().Be(InParis(2029, 1, 1, 0));
        evaluator.Evaluate(member with { PriorStatus = inGrace }, InParis(2027, 3, 2)).Changes.Should().Equal(
            new TierChange(InParis(2027, 3, 1, 0), Gold, Silver, TierChangeReason.DowngradedAfterGrace));
    }

    [Fact]
    public void The_window_kept_for_a_status_in_grace_reaches_back_to_the_window_that_ended_with_validity()
    {
        var evaluator = Evaluator(new TierPolicy { TimeZone = Paris, GracePeriod = Period.FromMonths(2) });
        var member = Member(Enrolled, Earn(Day, 1_200));
        var inGrace = evaluator.Evaluate(member, InParis(2027, 1, 15)).Status;
        var valid = evaluator.Evaluate(member, InParis(2026, 6, 1)).Status;

        inGrace.GraceUntil.Should().NotBeNull();
        evaluator.RetainFrom(inGrace, Enrolled).Should().Be(InParis(2026, 1, 1, 0));
        evaluator.RetainFrom(valid, Enrolled).Should().Be(InParis(2026, 1, 1, 0));
        evaluator.RetainFrom(evaluator.Evaluate(member, InParis(2027, 6, 1)).Status, Enrolled).Should().Be(InParis(2027, 1, 1, 0));
        evaluator.WindowStart(InParis(2027, 1, 15), Enrolled).Should().Be(InParis(2027, 1, 1, 0));
        evaluator.FoldPeriod(InParis(2027, 1, 15), Enrolled).Should().Be(2027);
    }

    [Fact]
    public void The_downgrade_lands_on_a_lower_tier_qualified_for_meanwhile_and_keeps_its_validity()
    {
        var evaluator = Evaluator(new TierPolicy { TimeZone = Paris, Validity = StatusValidity.FixedMonths(24), Downgrade = DowngradePolicy.ToComputed });
        // VIP in March 2025 for 24 months; Silver qualified for in May 2026, for 24 months from then.
        var member = Member(Enrolled, Earn(Day, 5_000), Earn(InParis(2026, 5, 1), 600));

        var result = evaluator.Evaluate(member, InParis(2027, 3, 2));

        result.Tier.Id.Should().Be(Silver);
        result.Changes.Should().Equal(
            new TierChange(Day, Bronze, Vip, TierChangeReason.Upgraded),
            new TierChange(InParis(2027, 3, 1), Vip, Silver, TierChangeReason.DowngradedAtValidityEnd));
        result.ValidUntil.Should().Be(InParis(2028, 5, 1));
        result.Status.FallbackTier.Should().BeNull();
    }

    [Fact]
    public void A_manual_assignment_starting_before_enrolment_starts_at_enrolment()
    {
        var member = Member(Enrolled) with { ManualAssignment = new ManualTierAssignment(Gold, InParis(2024, 1, 1), InParis(2025, 6, 1)) };

        var result = Evaluator().Evaluate(member, InParis(2025, 7, 1));

        result.Tier.Id.Should().Be(Bronze);
        result.Changes.Should().Equal(
            new TierChange(Enrolled, Bronze, Gold, TierChangeReason.ManualAssignmentStarted),
            new TierChange(InParis(2025, 6, 1), Gold, Bronze, TierChangeReason.ManualAssignmentEnded));
    }

    [Fact]
    public void A_manual_assignment_ended_by_the_enrolment_is_ignored()
    {
        var evaluator = Evaluator();
        var endedBefore = Member(Enrolled) with { ManualAssignment = new ManualTierAssignment(Gold, InParis(2024, 1, 1), InParis(2024, 6, 1)) };
        var endingAtEnrolment = Member(Enrolled) with { ManualAssignment = new ManualTierAssignment(Gold, InParis(2024, 1, 1), Enrolled) };

        evaluator.Evaluate(endedBefore, InParis(2025, 2, 1)).Changes.Should().BeEmpty();
        var result = evaluator.Evaluate(endingAtEnrolment, InParis(2025, 2, 1));
        result.Tier.Id.Should().Be(Bronze);
        result.Changes.Should().BeEmpty();
        result.Since.Should().Be(Enrolled);
    }

    [Fact]
    public void The_reported_validity_is_the_manual_end_when_the_manual_tier_is_higher()
    {
        var evaluator = Evaluator();
        var until = InParis(2025, 9, 1);
        var member = Member(Enrolled, Earn(Day, 600)) with { ManualAssignment = new ManualTierAssignment(Gold, Enrolled, until) };

        var result = evaluator.Evaluate(member, InParis(2025, 4, 1));

        result.Tier.Id.Should().Be(Gold);
        result.ValidUntil.Should().Be(until);
        result.Status.AutomaticTier.Should().Be(Silver);
        result.Status.AutomaticValidUntil.Should().Be(InParis(2027, 1, 1, 0));
        evaluator.Evaluate(member with { ManualAssignment = new ManualTierAssignment(Gold, Enrolled, null) }, InParis(2025, 4, 1)).ValidUntil.Should().BeNull();
    }

    [Fact]
    public void The_reported_validity_of_a_manual_tier_equal_to_the_earned_one_is_the_later_end()
    {
        var evaluator = Evaluator();
        var member = Member(Enrolled, Earn(Day, 600));
        var automaticEnd = InParis(2027, 1, 1, 0);

        evaluator.Evaluate(member with { ManualAssignment = new ManualTierAssignment(Silver, Enrolled, InParis(2030, 1, 1)) }, InParis(2025, 4, 1)).ValidUntil.Should().Be(InParis(2030, 1, 1));
        evaluator.Evaluate(member with { ManualAssignment = new ManualTierAssignment(Silver, Enrolled, InParis(2025, 9, 1)) }, InParis(2025, 4, 1)).ValidUntil.Should().Be(automaticEnd);
        evaluator.Evaluate(member with { ManualAssignment = new ManualTierAssignment(Silver, Enrolled, null) }, InParis(2025, 4, 1)).ValidUntil.Should().BeNull();
        evaluator.Evaluate(member with { ManualAssignment = new ManualTierAssignment(Bronze, Enrolled, InParis(2030, 1, 1)) }, InParis(2025, 4, 1)).ValidUntil.Should().Be(automaticEnd);
    }

    [Fact]
    public void A_manual_assignment_starting_after_the_stored_status_starts_at_its_own_instant()
    {
        var evaluator = Evaluator();
        var member = Member(Enrolled, Earn(Day, 600));
        var stored = evaluator.Evaluate(member, InParis(2025, 4, 1)).Status;
        var from = InParis(2025, 5, 1);
        var until = InParis(2025, 8, 1);
        var assigned = member with { PriorStatus = stored, ManualAssignment = new ManualTierAssignment(Vip, from, until) };

        var during = evaluator.Evaluate(assigned, InParis(2025, 6, 1));
        var after = evaluator.Evaluate(assigned, InParis(2025, 9, 1));

        during.Tier.Id.Should().Be(Vip);
        during.Changes.Should().Equal(new TierChange(from, Silver, Vip, TierChangeReason.ManualAssignmentStarted));
        after.Tier.Id.Should().Be(Silver);
        after.Changes.Should().Equal(
            new TierChange(from, Silver, Vip, TierChangeReason.ManualAssignmentStarted),
            new TierChange(until, Vip, Silver, TierChangeReason.ManualAssignmentEnded));
        after.Since.Should().Be(until);
        var continued = evaluator.Evaluate(assigned with { PriorStatus = during.Status }, InParis(2025, 9, 1));
        continued.Status.Should().Be(after.Status);
        continued.Changes.Should().Equal(new TierChange(until, Vip, Silver, TierChangeReason.ManualAssignmentEnded));
    }

    [Fact]
    public void A_stored_status_whose_ids_are_other_strings_is_read_by_value()
    {
        var evaluator = Evaluator();
        var member = Member(Enrolled, Earn(Day, 1_200), Earn(InParis(2025, 4, 1), 100));
        var stored = evaluator.Evaluate(member, InParis(2025, 3, 15)).Status;
        var copy = stored with
        {
            Tier = TierId.From(new string(stored.Tier.Value.ToCharArray())),
            AutomaticTier = TierId.From(new string(stored.AutomaticTier.Value.ToCharArray())),
            FallbackTier = TierId.From(new string(stored.FallbackTier!.Value.Value.ToCharArray())),
        };

        var result = evaluator.Evaluate(member with { PriorStatus = copy }, InParis(2025, 5, 1));

        copy.Tier.Value.Should().NotBeSameAs(stored.Tier.Value);
        result.Status.Should().Be(evaluator.Evaluate(member with { PriorStatus = stored }, InParis(2025, 5, 1)).Status);
        result.Tier.Id.Should().Be(Gold);
        result.Status.FallbackTier.Should().Be(Bronze);
    }

    [Fact]
    public void A_stored_status_naming_an_unknown_tier_is_refused()
    {
        var evaluator = Evaluator();
        var stored = evaluator.Evaluate(Member(Enrolled), InParis(2025, 2, 1)).Status;

        var automatic = () => evaluator.Evaluate(Member(Enrolled) with { PriorStatus = stored with { AutomaticTier = TierId.From("diamond") } }, InParis(2025, 3, 1));
        var fallback = () => evaluator.Evaluate(Member(Enrolled) with { PriorStatus = stored with { FallbackTier = TierId.From("platinum") } }, InParis(2025, 3, 1));

        automatic.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("The prior status of member 'alice' names tier 'diamond', which is not in the ladder; known tiers are 'bronze', 'silver', 'gold', 'vip'. (Parameter 'member')");
        fallback.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("The prior status fallback of member 'alice' names tier 'platinum', which is not in the ladder; known tiers are 'bronze', 'silver', 'gold', 'vip'. (Parameter 'member')");
    }

    [Fact]
    public void A_stored_status_naming_an_unknown_tier_is_refused_by_the_kept_evaluations_too()
    {
        var evaluator = Evaluator();
        var stored = evaluator.Evaluate(Member(Enrolled), InParis(2025, 2, 1)).Status;
        var timeline = evaluator.Timeline([], Alice);
        var asOf = InParis(2025, 3, 1);
        var unknown = new (TierStatus Prior, string Message)[]
        {
            (stored with { AutomaticTier = TierId.From("diamond") }, "The prior status of member 'alice' names tier 'diamond', which is not in the ladder; known tiers are 'bronze', 'silver', 'gold', 'vip'. (Parameter 'member')"),
            (stored with { FallbackTier = TierId.From("platinum") }, "The prior status fallback of member 'alice' names tier 'platinum', which is not in the ladder; known tiers are 'bronze', 'silver', 'gold', 'vip'. (Parameter 'member')"),
            (stored with { Tier = TierId.From("diamond") }, "The prior status of member 'alice' names tier 'diamond', which is not in the ladder; known tiers are 'bronze', 'silver', 'gold', 'vip'. (Parameter 'member')"),
        };

        foreach (var (prior, message) in unknown)
        {
            FluentActions.Invoking(() => evaluator.EvaluateKept(Alice, Enrolled, prior, timeline, asOf)).Should().Throw<ArgumentException>().Which.Message.Should().Be(message);
            FluentActions.Invoking(() => evaluator.KeptTierAt(Alice, Enrolled, prior, timeline, asOf)).Should().Throw<ArgumentException>().Which.Message.Should().Be(message);
            FluentActions.Invoking(() => evaluator.KeptStatusAt(Alice, Enrolled, prior, timeline, asOf)).Should().Throw<ArgumentException>().Which.Message.Should().Be(message);
        }
    }

    [Fact]
    public void A_stored_status_from_before_the_enrolment_is_refused()
    {
        var evaluator = Evaluator();
        var stored = evaluator.Evaluate(Member(Enrolled), InParis(2025, 2, 1)).Status;
        var member = Member(InParis(2025, 3, 1)) with { PriorStatus = stored };

        var single = () => evaluator.Evaluate(member, InParis(2025, 4, 1));
        var batch = () => evaluator.EvaluateInto([member], new TierBatchResult[1], InParis(2025, 4, 1));

        single.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("The prior status of member 'alice' was evaluated at 2025-02-01T11:00:00Z, before the member's enrolment at 2025-03-01T11:00:00Z. (Parameter 'member')");
        batch.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("The prior status of member 'alice' was evaluated at 2025-02-01T11:00:00Z, before the member's enrolment at 2025-03-01T11:00:00Z. (Parameter 'member')");
        evaluator.Evaluate(Member(InParis(2025, 2, 1)) with { PriorStatus = stored }, InParis(2025, 4, 1)).Status.Should().Be(stored with { EvaluatedAt = InParis(2025, 4, 1) });
    }

    [Fact]
    public void A_quiet_night_still_refuses_spend_in_another_currency()
    {
        var evaluator = Evaluator(new TierPolicy { TimeZone = Paris, Currency = Currency.EUR });
        var member = Member(Enrolled, Earn(Day, 600));
        var stored = evaluator.Evaluate(member, InParis(2025, 4, 1)).Status;
        var foreign = member with
        {
            History = new[] { Earn(Day, 600), QualificationEntry.FromOrder(InParis(2025, 3, 5), Money.FromDecimal(10m, "USD")) },
            PriorStatus = stored,
        };

        var batch = () => evaluator.EvaluateInto([foreign], new TierBatchResult[1], InParis(2025, 4, 2));

        batch.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Member 'alice' has spend in USD at 2025-03-05T11:00:00Z but the programme currency is EUR; convert it before recording. (Parameter 'member')");
        var same = member with
        {
            History = new[] { Earn(Day, 600), QualificationEntry.FromOrder(InParis(2025, 3, 5), Money.FromDecimal(10m, "EUR")), QualificationEntry.FromOrder(InParis(2025, 5, 5), Money.FromDecimal(10m, "USD")) },
            PriorStatus = stored,
        };
        var results = new TierBatchResult[1];
        evaluator.EvaluateInto([same], results, InParis(2025, 4, 2));
        results[0].StatusChanged.Should().BeFalse("spend after the evaluation instant is not read");
    }

    [Fact]
    public void Spend_too_large_to_sum_is_refused_by_the_batch_as_by_a_single_evaluation()
    {
        var evaluator = EvaluatorOf(SpendAndOrdersTiers());
        var big = 6e28m;
        var member = Member(Enrolled, QualificationEntry.FromAmounts(InParis(2025, 2, 1), 0, EarnKind.Purchase, big, 1));
        var stored = evaluator.Evaluate(member, InParis(2025, 2, 2)).Status;
        var overflowing = member with
        {
            History = new[] { member.History.Span[0], QualificationEntry.FromAmounts(InParis(2025, 2, 1, 13), 0, EarnKind.Purchase, big, 1) },
            PriorStatus = stored,
        };

        var single = () => evaluator.Evaluate(overflowing, InParis(2025, 3, 1));
        var batch = () => evaluator.EvaluateInto([overflowing], new TierBatchResult[1], InParis(2025, 3, 1));

        single.Should().Throw<OverflowException>();
        batch.Should().Throw<OverflowException>();
    }

    [Fact]
    public void Long_unsorted_histories_evaluate_like_their_sorted_order_on_a_fresh_thread()
    {
        // A thread's first evaluations: its working buffers start small and must grow with the history.
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                LongHistories();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        thread.Join();

        failure.Should().BeNull();
        LongHistories();
    }

    [Fact]
    public void The_spend_of_the_window_is_summed_when_no_threshold_needs_it()
    {
        var entries = Enumerable.Range(0, 30)
            .Select(i => QualificationEntry.FromAmounts(InParis(2024, 12, 20) + Duration.FromDays(i), 10, EarnKind.Purchase, 1.25m + i, 1))
            .Reverse()
            .ToArray();

        var result = Evaluator().Evaluate(Member(InParis(2024, 12, 1), entries), InParis(2025, 1, 15, 13));

        // 2025 starts with entry 12 (1 January) and the evaluation instant takes entries up to 15 January (entry 26).
        result.QualifyingValue.Should().Be(new QualifyingTotals(150, Enumerable.Range(12, 15).Sum(i => 1.25m + i), 15));
    }

    [Fact]
    public void Streaming_on_one_thread_or_in_small_chunks_keeps_every_member_in_order()
    {
        var evaluator = Evaluator();
        var members = Enumerable.Range(0, 5).Select(i => new TierMember { MemberId = MemberId.From(i + 1), EnrolledAt = Enrolled, History = new[] { Earn(Day, 300 * i) } }).ToArray();
        var asOf = InParis(2025, 6, 1);
        var expected = members.Select(m => evaluator.Evaluate(m, asOf).Status).ToList();

        evaluator.EvaluateMany(members, asOf, maxDegreeOfParallelism: 1, chunkSize: 2).Select(r => r.Status).Should().Equal(expected);
        evaluator.EvaluateMany(members, asOf, maxDegreeOfParallelism: 2, chunkSize: 2).Select(r => r.Status).Should().Equal(expected);
        evaluator.EvaluateMany(members[..4], asOf, maxDegreeOfParallelism: 2, chunkSize: 2).Select(r => r.Status).Should().Equal(expected.Take(4));
        evaluator.EvaluateMany(members, asOf, maxDegreeOfParallelism: 3, chunkSize: 1).Select(r => r.MemberId).Should().Equal(members.Select(m => m.MemberId));
        evaluator.EvaluateMany([], asOf, maxDegreeOfParallelism: 2).Should().BeEmpty();
        evaluator.EvaluateMany(members, asOf, maxDegreeOfParallelism: 2, chunkSize: 1_048_576).Should().HaveCount(5);
    }

    [Fact]
    public void A_null_or_bad_member_in_a_parallel_stream_is_refused_with_its_own_message()
    {
        var evaluator = Evaluator();
        var asOf = InParis(2025, 6, 1);

        var nulls = () => evaluator.EvaluateMany([Member(Enrolled), null!, Member(Enrolled)], asOf, maxDegreeOfParallelism: 2).ToList();
        var early = () => evaluator.EvaluateMany([Member(Enrolled), Member(InParis(2025, 7, 1))], asOf, maxDegreeOfParallelism: 2, chunkSize: 2).ToList();

        nulls.Should().Throw<ArgumentException>().Which.Message.Should().Be("members must not contain null. (Parameter 'members')");
        early.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Cannot evaluate member 'alice' as of 2025-06-01T10:00:00Z: it is before the member's enrolment at 2025-07-01T10:00:00Z. (Parameter 'asOf')");
        FluentActions.Invoking(() => evaluator.EvaluateMany(null!, asOf, 2)).Should().Throw<ArgumentNullException>().WithParameterName("members");
        FluentActions.Invoking(() => evaluator.EvaluateMany(null!, asOf)).Should().Throw<ArgumentNullException>().WithParameterName("members");
        FluentActions.Invoking(() => evaluator.EvaluateMany([], asOf, 2, chunkSize: 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("chunkSize");
        FluentActions.Invoking(() => evaluator.Evaluate(null!, asOf)).Should().Throw<ArgumentNullException>().WithParameterName("member");
        FluentActions.Invoking(() => new TierEvaluator(null!)).Should().Throw<ArgumentNullException>().WithParameterName("ladder");
    }

    [Fact]
    public void The_nightly_batch_on_more_threads_than_members_fills_every_result()
    {
        var evaluator = Evaluator();
        var members = new[] { Member(Enrolled, Earn(Day, 600)), Member(Enrolled, Earn(Day, 1_200)), Member(Enrolled) };
        var results = new TierBatchResult[4];
        var asOf = InParis(2025, 6, 1);

        evaluator.EvaluateInto(members, results, asOf, maxDegreeOfParallelism: 8);

        results.Take(3).Select(r => r.Tier.Id).Should().Equal(Silver, Gold, Bronze);
        results[3].IsDefault.Should().BeTrue();
        evaluator.EvaluateInto(members[..1], results.AsMemory(3), asOf, maxDegreeOfParallelism: 8);
        results[3].Tier.Id.Should().Be(Silver);
    }

    [Fact]
    public void A_lifetime_evaluation_has_no_window_start_and_no_projection_instant()
    {
        var evaluator = Evaluator(new TierPolicy { TimeZone = Paris, Window = QualificationWindow.Lifetime });
        var member = Member(Enrolled, Earn(Day, 1_200), Earn(InParis(2030, 3, 1), 100));

        var result = evaluator.Evaluate(member, InParis(2031, 1, 1));

        result.Tier.Id.Should().Be(Gold);
        result.WindowStart.Should().BeNull();
        result.ProjectedAt.Should().BeNull();
        result.ProjectedTier.Id.Should().Be(Gold);
        result.DowngradeWarning.Should().BeFalse();
        result.ValidUntil.Should().BeNull();
        result.QualifyingValue.Points.Should().Be(1_300);
        result.MemberId.Should().Be(Alice);
        result.AsOf.Should().Be(InParis(2031, 1, 1));
        result.Benefits.Should().BeSameAs(result.Tier.Benefits);
        result.CanAccess(Silver).Should().BeTrue();
        result.CanAccess(Gold).Should().BeTrue();
        result.CanAccess(Vip).Should().BeFalse();
        FluentActions.Invoking(() => result.CanAccess(TierId.From("diamond"))).Should().Throw<ArgumentException>();
        var batch = new TierBatchResult[2];
        evaluator.EvaluateInto([member, member with { PriorStatus = result.Status }], batch, InParis(2031, 1, 2));
        batch[0].ProjectedTier.Id.Should().Be(Gold);
        batch[1].ProjectedTier.Id.Should().Be(Gold);
        batch[1].StatusChanged.Should().BeFalse();
    }

    [Fact]
    public void A_quiet_night_still_warns_of_a_validity_ending_with_the_period()
    {
        var evaluator = Evaluator();
        var member = Member(Enrolled, Earn(Day, 1_200));
        var stored = evaluator.Evaluate(member, InParis(2026, 11, 24, 3)).Status;
        var results = new TierBatchResult[1];

        evaluator.EvaluateInto([member with { PriorStatus = stored }], results, InParis(2026, 11, 25, 3));

        stored.AutomaticValidUntil.Should().Be(InParis(2027, 1, 1, 0), "validity ends exactly when the current period does");
        results[0].StatusChanged.Should().BeFalse();
        results[0].Tier.Id.Should().Be(Gold);
        results[0].DowngradeWarning.Should().BeTrue();
        results[0].ProjectedTier.Id.Should().Be(Silver);
    }

    [Fact]
    public void An_unchanged_night_in_grace_projects_the_end_of_grace()
    {
        var evaluator = Evaluator(new TierPolicy { TimeZone = Paris, GracePeriod = Period.FromMonths(1) });
        var member = Member(Enrolled, Earn(Day, 1_200));
        var stored = evaluator.Evaluate(member, InParis(2027, 1, 10, 3)).Status;
        var results = new TierBatchResult[1];

        evaluator.EvaluateInto([member with { PriorStatus = stored }], results, InParis(2027, 1, 11, 3));

        results[0].InGrace.Should().BeTrue();
        results[0].StatusChanged.Should().BeFalse();
        results[0].DowngradeWarning.Should().BeTrue();
        results[0].ProjectedTier.Id.Should().Be(Silver);
        results[0].ToString().Should().Be("alice: gold (unchanged, downgrade warning, in grace)");
    }

    private static void LongHistories()
    {
        var start = InParis(2025, 1, 5);
        var points = Enumerable.Range(0, 40).Select(i => Earn(start + Duration.FromHours(i), 30)).Reverse().ToArray();
        var result = Evaluator().Evaluate(Member(Enrolled - Duration.FromDays(10), points), InParis(2025, 2, 1));

        result.QualifyingValue.Should().Be(new QualifyingTotals(1_200, 0m, 0));
        result.Changes.Should().Equal(
            new TierChange(start + Duration.FromHours(16), Bronze, Silver, TierChangeReason.Upgraded),
            new TierChange(start + Duration.FromHours(33), Silver, Gold, TierChangeReason.Upgraded));

        var orders = Enumerable.Range(0, 60)
            .Select(i => QualificationEntry.FromAmounts(start + Duration.FromHours(i), 0, EarnKind.Purchase, 50m, 1))
            .OrderBy(e => (e.At.ToUnixTimeTicks() / NodaConstants.TicksPerHour * 7) % 60)
            .ToArray();
        var spend = EvaluatorOf(SpendAndOrdersTiers()).Evaluate(Member(Enrolled - Duration.FromDays(10), orders), InParis(2025, 2, 1));

        spend.QualifyingValue.Should().Be(new QualifyingTotals(0, 3_000m, 60));
        spend.Changes.Should().Equal(new TierChange(start + Duration.FromHours(19), Bronze, Gold, TierChangeReason.Upgraded));

        // Six purchases each refunded the next hour: twelve changes, more than a thread's first buffer holds.
        var returns = Enumerable.Range(0, 12).Select(i => i % 2 == 0 ? Earn(start + Duration.FromHours(i), 500) : Refund(start + Duration.FromHours(i), 500)).ToArray();
        var changes = Evaluator().Evaluate(Member(Enrolled - Duration.FromDays(10), returns), InParis(2025, 2, 1)).Changes;

        changes.Should().HaveCount(12);
        changes.Select(c => c.Reason).Should().Equal(Enumerable.Range(0, 12).Select(i => i % 2 == 0 ? TierChangeReason.Upgraded : TierChangeReason.UpgradeRevokedByRefund));
        changes[11].Should().Be(new TierChange(start + Duration.FromHours(11), Silver, Bronze, TierChangeReason.UpgradeRevokedByRefund));
    }
}
