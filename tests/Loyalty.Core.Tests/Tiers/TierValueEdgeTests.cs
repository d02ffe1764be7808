using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using NodaTime;
using static Loyalty.Core.Tests.Tiers.TierFixtures;

namespace Loyalty.Core.Tests.Tiers;

/// <summary>
/// The small values of the tier engine at their edges: qualification entries and their sums, totals,
/// progress, thresholds, definitions, manual assignments, changes and batch results.
/// </summary>
public class TierValueEdgeTests
{
    private static readonly Instant At = InParis(2025, 3, 1);

    [Fact]
    public void A_points_entry_keeps_its_amount_kind_and_instant_and_nothing_else()
    {
        var entry = QualificationEntry.FromPoints(At, Points.FromInt64(250), EarnKind.Bonus);

        entry.At.Should().Be(At);
        entry.Since.Should().Be(At);
        entry.IsSum.Should().BeFalse();
        entry.Points.Should().Be(250);
        entry.Kind.Should().Be(EarnKind.Bonus);
        entry.Spend.Should().Be(0m);
        entry.SpendCurrency.IsDefault.Should().BeTrue();
        entry.Orders.Should().Be(0);
        entry.IsReduction.Should().BeFalse();
        QualificationEntry.FromPoints(At, Points.FromInt64(250)).Kind.Should().Be(EarnKind.Purchase);
    }

    [Fact]
    public void An_order_counts_one_order_its_spend_its_currency_and_its_points()
    {
        var entry = QualificationEntry.FromOrder(At, Money.FromDecimal(80.5m, "EUR"), Points.FromInt64(80));

        entry.Points.Should().Be(80);
        entry.Kind.Should().Be(EarnKind.Purchase);
        entry.Spend.Should().Be(80.5m);
        entry.SpendCurrency.Should().Be(Currency.EUR);
        entry.Orders.Should().Be(1);
        entry.IsReduction.Should().BeFalse();
        QualificationEntry.FromOrder(At, Money.FromDecimal(10m, "EUR")).Points.Should().Be(0);
    }

    [Fact]
    public void A_refund_subtracts_spend_and_points_and_removes_the_order_only_when_cancelled()
    {
        var partial = QualificationEntry.FromRefund(At, Money.FromDecimal(30m, "USD"), Points.FromInt64(30));
        var cancelled = QualificationEntry.FromRefund(At, Money.FromDecimal(30m, "USD"), Points.FromInt64(30), cancelsOrder: true);

        partial.Spend.Should().Be(-30m);
        partial.Points.Should().Be(-30);
        partial.Orders.Should().Be(0);
        partial.SpendCurrency.Should().Be(Currency.USD);
        partial.Kind.Should().Be(EarnKind.Purchase);
        partial.IsReduction.Should().BeTrue();
        cancelled.Orders.Should().Be(-1);
        cancelled.IsReduction.Should().BeTrue();
    }

    [Fact]
    public void A_refund_of_nothing_is_accepted_and_is_no_reduction()
    {
        var nothing = QualificationEntry.FromRefund(At, Money.FromDecimal(0m, "EUR"));

        nothing.Spend.Should().Be(0m);
        nothing.Points.Should().Be(0);
        nothing.Orders.Should().Be(0);
        nothing.IsReduction.Should().BeFalse();
    }

    [Fact]
    public void Negative_reversed_points_are_refused()
    {
        var act = () => QualificationEntry.FromRefund(At, Money.FromDecimal(10m, "EUR"), Points.FromInt64(-5));

        act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .Be($"pointsReversed must be 0 or greater (was -5); give the points taken back, they are subtracted. (Parameter 'pointsReversed'){Environment.NewLine}Actual value was -5.");
    }

    [Fact]
    public void Money_without_a_currency_is_refused_for_orders_and_refunds()
    {
        var order = () => QualificationEntry.FromOrder(At, default);
        var refund = () => QualificationEntry.FromRefund(At, default);

        order.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Money must have a currency; create it with Money.FromDecimal(amount, currency). (Parameter 'money')");
        refund.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Money must have a currency; create it with Money.FromDecimal(amount, currency). (Parameter 'money')");
    }

    [Theory]
    [InlineData(-1, 0, 0, true)]
    [InlineData(0, -0.01, 0, true)]
    [InlineData(0, 0, -1, true)]
    [InlineData(0, 0, 0, false)]
    [InlineData(1, 0.01, 1, false)]
    public void Any_negative_amount_makes_a_reduction(long points, double spend, int orders, bool reduction)
    {
        var entry = QualificationEntry.FromAmounts(At, points, EarnKind.Activity, (decimal)spend, orders);

        entry.IsReduction.Should().Be(reduction);
        entry.Points.Should().Be(points);
        entry.Spend.Should().Be((decimal)spend);
        entry.Orders.Should().Be(orders);
        entry.Kind.Should().Be(EarnKind.Activity);
        entry.SpendCurrency.IsDefault.Should().BeTrue();
    }

    [Fact]
    public void An_undefined_kind_is_refused_by_every_factory_that_takes_one()
    {
        var amounts = () => QualificationEntry.FromAmounts(At, 1, (EarnKind)4, 0m, 0);
        var sums = () => QualificationEntry.FromSums(At, At, 1, (EarnKind)(-1), 0m, 0);

        amounts.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .Be($"kind must be Purchase, Activity, Bonus or Adjustment (was 4). (Parameter 'kind'){Environment.NewLine}Actual value was 4.");
        sums.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .Be($"kind must be Purchase, Activity, Bonus or Adjustment (was -1). (Parameter 'kind'){Environment.NewLine}Actual value was -1.");
    }

    [Fact]
    public void A_sum_spans_from_its_earliest_to_its_latest_entry()
    {
        var since = InParis(2025, 1, 5, 9);
        var sum = QualificationEntry.FromSums(since, At, 1_200, EarnKind.Bonus, 45.5m, 3);

        sum.At.Should().Be(At);
        sum.Since.Should().Be(since);
        sum.IsSum.Should().BeTrue();
        sum.Points.Should().Be(1_200);
        sum.Kind.Should().Be(EarnKind.Bonus);
        sum.Spend.Should().Be(45.5m);
        sum.Orders.Should().Be(3);
        sum.SpendCurrency.IsDefault.Should().BeTrue();
        sum.Should().NotBe(QualificationEntry.FromAmounts(At, 1_200, EarnKind.Bonus, 45.5m, 3), "the span is part of the entry");
    }

    [Fact]
    public void A_sum_of_one_instant_is_a_plain_entry()
    {
        var sum = QualificationEntry.FromSums(At, At, 7, EarnKind.Purchase, 1m, 1);

        sum.IsSum.Should().BeFalse();
        sum.Since.Should().Be(At);
        sum.Should().Be(QualificationEntry.FromAmounts(At, 7, EarnKind.Purchase, 1m, 1));
    }

    [Fact]
    public void A_sum_one_nanosecond_long_is_a_sum()
    {
        var since = At - Duration.Epsilon;
        var sum = QualificationEntry.FromSums(since, At, 7, EarnKind.Purchase, 0m, 0);

        sum.IsSum.Should().BeTrue();
        sum.Since.Should().Be(since);
    }

    [Fact]
    public void A_sum_starting_after_its_end_is_refused()
    {
        var act = () => QualificationEntry.FromSums(At + Duration.Epsilon, At, 1, EarnKind.Purchase, 0m, 0);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .Be($"since must not be after at (2025-03-01T11:00:00Z); it is when the earliest summed entry happened. (Parameter 'since'){Environment.NewLine}Actual value was 2025-03-01T11:00:00Z.");
    }

    [Fact]
    public void A_sum_may_span_exactly_100_years_and_no_more()
    {
        var at = Utc(2100, 1, 1);
        var hundredYears = at - Duration.FromDays(36_525);

        QualificationEntry.FromSums(hundredYears, at, 1, EarnKind.Purchase, 0m, 0).Since.Should().Be(hundredYears);
        var act = () => QualificationEntry.FromSums(hundredYears - Duration.Epsilon, at, 1, EarnKind.Purchase, 0m, 0);
        act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .StartWith("since must be at most 100 years before at (2100-01-01T00:00:00Z). (Parameter 'since')");
    }

    [Fact]
    public void The_default_entry_is_an_empty_entry_at_the_epoch()
    {
        var entry = default(QualificationEntry);

        entry.At.Should().Be(NodaConstants.UnixEpoch);
        entry.Since.Should().Be(NodaConstants.UnixEpoch);
        entry.IsSum.Should().BeFalse();
        entry.IsReduction.Should().BeFalse();
    }

    [Fact]
    public void Totals_give_the_value_of_each_metric()
    {
        var totals = new QualifyingTotals(1_500, 320.75m, 4);

        totals.ValueOf(QualifyingMetric.Points).Should().Be(1_500m);
        totals.ValueOf(QualifyingMetric.Spend).Should().Be(320.75m);
        totals.ValueOf(QualifyingMetric.Orders).Should().Be(4m);
        default(QualifyingTotals).ValueOf(QualifyingMetric.Spend).Should().Be(0m);
    }

    [Fact]
    public void An_undefined_metric_has_no_value()
    {
        var act = () => new QualifyingTotals(1, 1m, 1).ValueOf((QualifyingMetric)3);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .Be($"metric must be Points, Spend or Orders (was 3). (Parameter 'metric'){Environment.NewLine}Actual value was 3.");
    }

    [Fact]
    public void Threshold_progress_counts_what_remains_down_to_zero()
    {
        var below = new ThresholdProgress(QualifyingMetric.Points, 1_000m, 400m);
        var exactly = new ThresholdProgress(QualifyingMetric.Points, 1_000m, 1_000m);
        var above = new ThresholdProgress(QualifyingMetric.Points, 1_000m, 1_250m);

        below.Remaining.Should().Be(600m);
        below.IsMet.Should().BeFalse();
        exactly.Remaining.Should().Be(0m);
        exactly.IsMet.Should().BeTrue();
        above.Remaining.Should().Be(0m);
        above.IsMet.Should().BeTrue();
        new ThresholdProgress(QualifyingMetric.Spend, 500m, 499.99m).Remaining.Should().Be(0.01m);
    }

    [Fact]
    public void Progress_lists_every_threshold_of_the_tier_in_order_with_the_combination()
    {
        var gold = TierDefinition.Create(Gold, "Gold", ThresholdCombination.AnyOf, [TierThreshold.FromSpend(1_000m), TierThreshold.FromOrders(10), TierThreshold.FromPoints(2_000)]);
        var evaluation = EvaluateWithTiers([TierDefinition.Entry(Bronze, "Bronze"), gold], QualificationEntry.FromAmounts(At, 2_000, EarnKind.Purchase, 250m, 3), InParis(2025, 3, 2));

        evaluation.Tier.Id.Should().Be(Gold, "any one threshold is enough");
        evaluation.NextTierProgress.Should().BeNull();
        var progress = evaluation.RequalificationProgress!;
        progress.Tier.Should().BeSameAs(gold);
        progress.Combination.Should().Be(ThresholdCombination.AnyOf);
        progress.IsMet.Should().BeTrue();
        progress.Thresholds.Should().Equal(
            new ThresholdProgress(QualifyingMetric.Spend, 1_000m, 250m),
            new ThresholdProgress(QualifyingMetric.Orders, 10m, 3m),
            new ThresholdProgress(QualifyingMetric.Points, 2_000m, 2_000m));
        progress.Thresholds.Select(t => t.Remaining).Should().Equal(750m, 7m, 0m);
    }

    [Fact]
    public void Progress_toward_an_all_of_tier_is_met_only_when_every_threshold_is()
    {
        var gold = TierDefinition.Create(Gold, "Gold", ThresholdCombination.AllOf, [TierThreshold.FromSpend(100m), TierThreshold.FromOrders(2)]);
        var evaluation = EvaluateWithTiers([TierDefinition.Entry(Bronze, "Bronze"), gold], QualificationEntry.FromAmounts(At, 0, EarnKind.Purchase, 150m, 1), InParis(2025, 3, 2));

        evaluation.Tier.Id.Should().Be(Bronze);
        evaluation.RequalificationProgress.Should().BeNull("the entry tier needs no requalification");
        var next = evaluation.NextTierProgress!;
        next.Tier.Should().BeSameAs(gold);
        next.Combination.Should().Be(ThresholdCombination.AllOf);
        next.IsMet.Should().BeFalse();
        next.Thresholds.Select(t => t.IsMet).Should().Equal(true, false);
    }

    [Fact]
    public void A_definition_meets_its_thresholds_all_of_or_any_of()
    {
        var allOf = TierDefinition.Create(Gold, "Gold", ThresholdCombination.AllOf, [TierThreshold.FromPoints(100), TierThreshold.FromOrders(2)]);
        var anyOf = TierDefinition.Create(Gold, "Gold", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(100), TierThreshold.FromOrders(2)]);
        var entry = TierDefinition.Entry(Bronze, "Bronze");

        allOf.IsMetBy(new QualifyingTotals(100, 0m, 2)).Should().BeTrue();
        allOf.IsMetBy(new QualifyingTotals(100, 0m, 1)).Should().BeFalse();
        allOf.IsMetBy(new QualifyingTotals(99, 0m, 2)).Should().BeFalse();
        anyOf.IsMetBy(new QualifyingTotals(100, 0m, 0)).Should().BeTrue();
        anyOf.IsMetBy(new QualifyingTotals(0, 0m, 2)).Should().BeTrue();
        anyOf.IsMetBy(new QualifyingTotals(99, 1_000m, 1)).Should().BeFalse();
        entry.IsMetBy(new QualifyingTotals(-5, -1m, -1)).Should().BeTrue();
    }

    [Fact]
    public void A_definition_describes_itself_and_defaults_to_no_benefits()
    {
        var silver = TierDefinition.Create(Silver, "Silver", ThresholdCombination.AllOf, [TierThreshold.FromPoints(500)]);
        var bronze = TierDefinition.Entry(Bronze, "Bronze", TierBenefits.Create(1.1m, "newsletter"));

        silver.ToString().Should().Be("Silver (silver)");
        silver.Benefits.Should().BeSameAs(TierBenefits.None);
        silver.Combination.Should().Be(ThresholdCombination.AllOf);
        silver.Name.Should().Be("Silver");
        bronze.Thresholds.Should().BeEmpty();
        bronze.Benefits.EarnMultiplier.Should().Be(1.1m);
        bronze.Benefits.HasPerk("newsletter").Should().BeTrue();
    }

    [Fact]
    public void An_undefined_combination_and_null_thresholds_are_refused()
    {
        var combination = () => TierDefinition.Create(Gold, "Gold", (ThresholdCombination)2, [TierThreshold.FromPoints(1)]);
        var nothing = () => TierDefinition.Create(Gold, "Gold", ThresholdCombination.AnyOf, null!);

        combination.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .Be($"Tier 'gold' has combination 2; use AllOf or AnyOf. (Parameter 'combination'){Environment.NewLine}Actual value was 2.");
        nothing.Should().Throw<ArgumentNullException>().WithParameterName("thresholds");
    }

    [Fact]
    public void Thresholds_describe_themselves_in_invariant_form()
    {
        TierThreshold.FromPoints(1_000).ToString().Should().Be("Points >= 1000");
        TierThreshold.FromOrders(3).ToString().Should().Be("Orders >= 3");
        TierThreshold.FromSpend(99.5m).ToString().Should().Be("Spend >= 99.5");
        TierThreshold.FromOrders(3).Should().Be(TierThreshold.FromOrders(3));
        TierThreshold.FromOrders(3).Should().NotBe(TierThreshold.FromPoints(3));
        TierThreshold.FromPoints(1).Minimum.Should().Be(1m);
        TierThreshold.FromOrders(1).Metric.Should().Be(QualifyingMetric.Orders);
    }

    [Fact]
    public void A_null_perk_is_refused()
    {
        var act = () => TierBenefits.Create(1m, "free-shipping", null!);

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("A perk key must not be null, empty or whitespace; use a key such as \"free-shipping\". (Parameter 'perks')");
    }

    [Fact]
    public void A_negative_earn_multiplier_is_refused_with_its_value()
    {
        var act = () => TierBenefits.Create(-0.5m);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .Be($"earnMultiplier must be greater than 0 (was -0.5); use 1 for no bonus. (Parameter 'earnMultiplier'){Environment.NewLine}Actual value was -0.5.");
    }

    [Fact]
    public void A_manual_assignment_holds_from_its_start_until_just_before_its_end()
    {
        var from = InParis(2025, 4, 1, 0);
        var until = InParis(2025, 7, 1, 0);
        var assignment = new ManualTierAssignment(Gold, from, until);

        assignment.Tier.Should().Be(Gold);
        assignment.From.Should().Be(from);
        assignment.Until.Should().Be(until);
        assignment.IsActiveAt(from - Duration.Epsilon).Should().BeFalse();
        assignment.IsActiveAt(from).Should().BeTrue();
        assignment.IsActiveAt(until - Duration.Epsilon).Should().BeTrue();
        assignment.IsActiveAt(until).Should().BeFalse();
    }

    [Fact]
    public void A_manual_assignment_without_end_holds_forever_once_started()
    {
        var from = InParis(2025, 4, 1, 0);
        var assignment = new ManualTierAssignment(Vip, from, null);

        assignment.Until.Should().BeNull();
        assignment.IsActiveAt(from - Duration.Epsilon).Should().BeFalse();
        assignment.IsActiveAt(from).Should().BeTrue();
        assignment.IsActiveAt(Instant.MaxValue).Should().BeTrue();
    }

    [Fact]
    public void A_manual_assignment_ending_when_it_starts_or_naming_no_tier_is_refused()
    {
        var from = InParis(2025, 4, 1, 0);
        var empty = () => new ManualTierAssignment(Gold, from, from);
        var noTier = () => new ManualTierAssignment(default, from, null);

        empty.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("A manual assignment must end after it starts (from 2025-03-31T22:00:00Z, until 2025-03-31T22:00:00Z). (Parameter 'until')");
        noTier.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("TierId must not be default; create one with TierId.From(...). (Parameter 'tier')");
        new ManualTierAssignment(Gold, from, from + Duration.Epsilon).Until.Should().Be(from + Duration.Epsilon);
    }

    [Fact]
    public void A_change_is_a_value_with_its_reason()
    {
        var change = new TierChange(At, Silver, Gold, TierChangeReason.Upgraded);

        change.Should().Be(new TierChange(At, Silver, Gold, TierChangeReason.Upgraded));
        change.Should().NotBe(change with { Reason = TierChangeReason.ManualAssignmentStarted });
        change.Should().NotBe(change with { From = Bronze });
        change.At.Should().Be(At);
        change.From.Should().Be(Silver);
        change.To.Should().Be(Gold);
    }

    [Fact]
    public void Windows_and_validities_describe_every_kind()
    {
        QualificationWindow.CalendarYear.ToString().Should().Be("CalendarYear");
        QualificationWindow.CalendarYear.Months.Should().Be(0);
        QualificationWindow.Lifetime.Kind.Should().Be(QualificationWindowKind.Lifetime);
        QualificationWindow.AnniversaryYear.Kind.Should().Be(QualificationWindowKind.AnniversaryYear);
        QualificationWindow.RollingMonths(1).ToString().Should().Be("RollingMonths(1)");
        StatusValidity.EndOfFollowingPeriod.ToString().Should().Be("EndOfFollowingPeriod");
        StatusValidity.EndOfFollowingPeriod.Months.Should().Be(0);
        StatusValidity.EndOfCurrentPeriod.Kind.Should().Be(StatusValidityKind.EndOfCurrentPeriod);
        StatusValidity.FixedMonths(120).ToString().Should().Be("FixedMonths(120)");
        StatusValidity.FixedMonths(6).Should().NotBe(StatusValidity.FixedMonths(7));
        QualificationWindow.RollingMonths(6).Should().NotBe(QualificationWindow.RollingMonths(7));
    }

    [Fact]
    public void A_policy_has_documented_defaults()
    {
        var policy = new TierPolicy();

        policy.Window.Should().Be(QualificationWindow.CalendarYear);
        policy.Validity.Should().Be(StatusValidity.EndOfFollowingPeriod);
        policy.Downgrade.Should().Be(DowngradePolicy.OneLevel);
        policy.GracePeriod.Should().Be(Period.Zero);
        policy.Refunds.Should().Be(RefundPolicy.RevokeUpgrade);
        policy.QualifyingEarnKinds.Should().Equal(EarnKind.Purchase);
        policy.TimeZone.Should().Be(DateTimeZone.Utc);
        policy.Currency.Should().BeNull();
    }

    [Fact]
    public void A_batch_result_describes_an_unchanged_member_and_several_changes()
    {
        var evaluator = Evaluator();
        var enrolled = InParis(2025, 1, 10);
        var member = Member(enrolled, Earn(InParis(2025, 3, 1), 600), Earn(InParis(2025, 3, 2), 600));
        var results = new TierBatchResult[2];
        var night = InParis(2025, 6, 1, 3);
        var stored = evaluator.Evaluate(member, night).Status;

        evaluator.EvaluateInto([member, member with { PriorStatus = stored }], results, night + Duration.FromDays(1));

        results[0].ToString().Should().Be("alice: gold (changed, 2 changes)");
        results[0].Changes.Should().HaveCount(2);
        results[1].ToString().Should().Be("alice: gold (unchanged)");
        results[1].StatusChanged.Should().BeFalse();
        results[1].IsDefault.Should().BeFalse();
        results[1].Status.EvaluatedAt.Should().Be(night + Duration.FromDays(1));
        results[1].Status.Should().NotBeSameAs(results[1].Status, "an unchanged status is copied at each read");
    }

    [Fact]
    public void Every_member_of_a_default_batch_result_refuses_to_be_read()
    {
        var result = default(TierBatchResult);
        var message = "This TierBatchResult is default: no member was evaluated into it. Fill results with TierEvaluator.EvaluateInto and read only the first members.Length of them.";

        result.IsDefault.Should().BeTrue();
        result.ToString().Should().Be("default");
        FluentActions.Invoking(() => result.MemberId).Should().Throw<InvalidOperationException>().WithMessage(message);
        FluentActions.Invoking(() => result.AsOf).Should().Throw<InvalidOperationException>().WithMessage(message);
        FluentActions.Invoking(() => result.ProjectedTier).Should().Throw<InvalidOperationException>().WithMessage(message);
        FluentActions.Invoking(() => result.DowngradeWarning).Should().Throw<InvalidOperationException>().WithMessage(message);
        FluentActions.Invoking(() => result.InGrace).Should().Throw<InvalidOperationException>().WithMessage(message);
        FluentActions.Invoking(() => result.StatusChanged).Should().Throw<InvalidOperationException>().WithMessage(message);
        FluentActions.Invoking(() => result.Status).Should().Throw<InvalidOperationException>().WithMessage(message);
        FluentActions.Invoking(() => result.Changes).Should().Throw<InvalidOperationException>().WithMessage(message);
    }

    [Fact]
    public void Ladder_exceptions_list_their_problems()
    {
        new TierLadderException().Message.Should().Be("The tier ladder is invalid: The tier ladder is invalid.");
        new TierLadderException().Errors.Should().Equal("The tier ladder is invalid.");
        new TierLadderException("tiers[0] must not be null.").Errors.Should().Equal("tiers[0] must not be null.");
        var inner = new InvalidOperationException("cause");
        var withCause = new TierLadderException("bad", inner);
        withCause.Message.Should().Be("The tier ladder is invalid: bad");
        withCause.Errors.Should().Equal("bad");
        withCause.InnerException.Should().BeSameAs(inner);
        new TierLadderException(["a", "b"]).Message.Should().Be($"The tier ladder is invalid (2 problems):{Environment.NewLine}- a{Environment.NewLine}- b");
    }

    private static TierEvaluation EvaluateWithTiers(TierDefinition[] tiers, QualificationEntry entry, Instant asOf) =>
        new TierEvaluator(TierLadder.Create(tiers, new TierPolicy { TimeZone = Paris })).Evaluate(Member(InParis(2025, 1, 1), entry), asOf);
}
