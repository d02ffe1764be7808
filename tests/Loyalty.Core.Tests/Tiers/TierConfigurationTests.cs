using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using static Loyalty.Core.Tests.Tiers.TierFixtures;

namespace Loyalty.Core.Tests.Tiers;

/// <summary>The value types of a tier configuration: thresholds, windows, validity, benefits, definitions.</summary>
public class TierConfigurationTests
{
    [Fact]
    public void A_negative_rolling_window_is_refused()
    {
        var act = () => QualificationWindow.RollingMonths(-3);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .Be($"months must be between 1 and 120 inclusive (was -3). (Parameter 'months'){Environment.NewLine}Actual value was -3.");
    }

    [Fact]
    public void A_fixed_validity_of_zero_months_is_refused()
    {
        var act = () => StatusValidity.FixedMonths(0);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .Be($"months must be between 1 and 120 inclusive (was 0). (Parameter 'months'){Environment.NewLine}Actual value was 0.");
    }

    [Fact]
    public void Defaults_are_calendar_year_and_end_of_following_period()
    {
        default(QualificationWindow).Should().Be(QualificationWindow.CalendarYear);
        default(StatusValidity).Should().Be(StatusValidity.EndOfFollowingPeriod);
        QualificationWindow.RollingMonths(12).ToString().Should().Be("RollingMonths(12)");
        StatusValidity.FixedMonths(18).ToString().Should().Be("FixedMonths(18)");
    }

    [Fact]
    public void A_threshold_of_zero_points_is_refused()
    {
        var act = () => TierThreshold.FromPoints(0);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .Be($"minimum must be greater than 0 (was 0). (Parameter 'minimum'){Environment.NewLine}Actual value was 0.");
    }

    [Fact]
    public void A_negative_spend_threshold_is_refused()
    {
        var act = () => TierThreshold.FromSpend(-5m);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .Be($"minimum must be greater than 0 (was -5). (Parameter 'minimum'){Environment.NewLine}Actual value was -5.");
    }

    [Fact]
    public void Two_thresholds_on_one_metric_are_refused()
    {
        var act = () => TierDefinition.Create(Gold, "Gold", ThresholdCombination.AnyOf, [TierThreshold.FromOrders(3), TierThreshold.FromOrders(5)]);

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Tier 'gold' has more than one Orders threshold; give at most one threshold per metric. (Parameter 'thresholds')");
    }

    [Fact]
    public void A_default_threshold_is_refused()
    {
        var act = () => TierDefinition.Create(Gold, "Gold", ThresholdCombination.AllOf, [default(TierThreshold)]);

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Tier 'gold' has a threshold with no minimum; create thresholds with TierThreshold.FromPoints, FromSpend or FromOrders. (Parameter 'thresholds')");
    }

    [Fact]
    public void A_tier_without_a_name_is_refused()
    {
        var act = () => TierDefinition.Entry(Bronze, " ");

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Tier 'bronze' needs a display name; give a name such as \"Gold\". (Parameter 'name')");
    }

    [Fact]
    public void A_default_tier_id_is_refused()
    {
        var act = () => TierDefinition.Entry(default, "Bronze");

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("TierId must not be default; create one with TierId.From(...). (Parameter 'id')");
    }

    [Fact]
    public void A_zero_earn_multiplier_is_refused()
    {
        var act = () => TierBenefits.Create(0m);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .Be($"earnMultiplier must be greater than 0 (was 0); use 1 for no bonus. (Parameter 'earnMultiplier'){Environment.NewLine}Actual value was 0.");
    }

    [Fact]
    public void A_repeated_perk_is_refused()
    {
        var act = () => TierBenefits.Create(1m, "free-shipping", "free-shipping");

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Perk key \"free-shipping\" is listed more than once; list each perk once. (Parameter 'perks')");
    }

    [Fact]
    public void An_empty_perk_is_refused()
    {
        var act = () => TierBenefits.Create(1m, "");

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("A perk key must not be null, empty or whitespace; use a key such as \"free-shipping\". (Parameter 'perks')");
    }

    [Fact]
    public void A_padded_perk_is_refused()
    {
        var act = () => TierBenefits.Create(1m, " early-access");

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Perk key \" early-access\" must not start or end with whitespace; trim it first. (Parameter 'perks')");
    }

    [Fact]
    public void Benefits_answer_perk_checks()
    {
        var benefits = TierBenefits.Create(1.5m, "free-shipping", "private-sales");

        benefits.EarnMultiplier.Should().Be(1.5m);
        benefits.HasPerk("private-sales").Should().BeTrue();
        benefits.HasPerk("early-access").Should().BeFalse();
        TierBenefits.None.EarnMultiplier.Should().Be(1m);
        TierBenefits.None.Perks.Should().BeEmpty();
    }

    [Fact]
    public void A_manual_assignment_ending_before_it_starts_is_refused()
    {
        var act = () => new ManualTierAssignment(Gold, InParis(2025, 3, 1), InParis(2025, 2, 1));

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("A manual assignment must end after it starts (from 2025-03-01T11:00:00Z, until 2025-02-01T11:00:00Z). (Parameter 'until')");
    }

    [Fact]
    public void A_negative_refund_is_refused()
    {
        var act = () => QualificationEntry.FromRefund(InParis(2025, 3, 1), Money.FromDecimal(-10m, "EUR"));

        act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .Be($"refunded must be 0 or greater (was -10); give the refunded amount, it is subtracted. (Parameter 'refunded'){Environment.NewLine}Actual value was -10.");
    }

    [Fact]
    public void An_undefined_earn_kind_is_refused()
    {
        var act = () => QualificationEntry.FromPoints(InParis(2025, 3, 1), Points.FromInt64(5), (EarnKind)9);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should()
            .Be($"kind must be Purchase, Activity, Bonus or Adjustment (was 9). (Parameter 'kind'){Environment.NewLine}Actual value was 9.");
    }

    [Fact]
    public void A_refund_is_a_reduction_and_an_order_is_not()
    {
        QualificationEntry.FromRefund(InParis(2025, 3, 1), Money.FromDecimal(10m, "EUR")).IsReduction.Should().BeTrue();
        QualificationEntry.FromOrder(InParis(2025, 3, 1), Money.FromDecimal(10m, "EUR"), Points.FromInt64(10)).IsReduction.Should().BeFalse();
    }

    [Fact]
    public void Windows_and_validities_accept_one_to_120_months()
    {
        QualificationWindow.RollingMonths(1).Months.Should().Be(1);
        QualificationWindow.RollingMonths(120).Months.Should().Be(120);
        QualificationWindow.RollingMonths(120).Kind.Should().Be(QualificationWindowKind.RollingMonths);
        StatusValidity.FixedMonths(1).Months.Should().Be(1);
        StatusValidity.FixedMonths(120).Kind.Should().Be(StatusValidityKind.FixedMonths);
        FluentActions.Invoking(() => QualificationWindow.RollingMonths(121)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("months");
        FluentActions.Invoking(() => StatusValidity.FixedMonths(121)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("months");
        QualificationWindow.Lifetime.ToString().Should().Be("Lifetime");
        QualificationWindow.AnniversaryYear.ToString().Should().Be("AnniversaryYear");
        StatusValidity.EndOfCurrentPeriod.ToString().Should().Be("EndOfCurrentPeriod");
        StatusValidity.EndOfCurrentPeriod.Should().NotBe(StatusValidity.EndOfFollowingPeriod);
    }

    [Fact]
    public void A_threshold_is_met_from_its_minimum_on()
    {
        var spend = TierThreshold.FromSpend(500m);
        var points = TierThreshold.FromPoints(1_000);
        var orders = TierThreshold.FromOrders(3);

        spend.IsMetBy(new QualifyingTotals(0, 500m, 0)).Should().BeTrue();
        spend.IsMetBy(new QualifyingTotals(10_000, 499.99m, 100)).Should().BeFalse();
        points.IsMetBy(new QualifyingTotals(1_000, 0m, 0)).Should().BeTrue();
        points.IsMetBy(new QualifyingTotals(999, 1_000_000m, 100)).Should().BeFalse();
        orders.IsMetBy(new QualifyingTotals(0, 0m, 3)).Should().BeTrue();
        orders.IsMetBy(new QualifyingTotals(1_000_000, 1_000_000m, 2)).Should().BeFalse();
        spend.ToString().Should().Be("Spend >= 500");
        TierThreshold.FromSpend(0.01m).Minimum.Should().Be(0.01m);
        FluentActions.Invoking(() => TierThreshold.FromSpend(0m)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("minimum");
        FluentActions.Invoking(() => TierThreshold.FromOrders(0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void An_earn_multiplier_may_go_up_to_the_earning_limit_and_no_further()
    {
        TierBenefits.Create(100m).EarnMultiplier.Should().Be(100m);
        TierBenefits.Create(0.01m).EarnMultiplier.Should().Be(0.01m);
        FluentActions.Invoking(() => TierBenefits.Create(100.01m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithParameterName("earnMultiplier").WithMessage("earnMultiplier must be at most 100 (was 100.01).*");
        FluentActions.Invoking(() => TierBenefits.Create(-1m)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("earnMultiplier");
    }

    [Fact]
    public void Perk_keys_are_case_sensitive_and_a_null_key_is_no_perk()
    {
        var benefits = TierBenefits.Create(1m, "free-shipping", "Free-Shipping");

        benefits.Perks.Should().HaveCount(2);
        benefits.HasPerk("free-shipping").Should().BeTrue();
        benefits.HasPerk("FREE-SHIPPING").Should().BeFalse();
        benefits.HasPerk(null!).Should().BeFalse();
        TierBenefits.None.HasPerk("free-shipping").Should().BeFalse();
        FluentActions.Invoking(() => TierBenefits.Create(1m, (IEnumerable<string>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("perks");
        FluentActions.Invoking(() => TierBenefits.Create(1m, "early-access ")).Should().Throw<ArgumentException>()
            .WithMessage("Perk key \"early-access \" must not start or end with whitespace; trim it first.*");
    }
}
