using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;

namespace Loyalty.Core.Tests.Rewards;

public class PayWithPointsTermsTests
{
    private static readonly PayWithPointsTerms Terms = PayWithPointsTerms.Create(Points.FromInt64(100), Money.FromDecimal(1m, Currency.EUR), Points.FromInt64(200), 0.5m);

    [Fact]
    public void Points_are_worth_the_rate_rounded_down()
    {
        Terms.ValueOf(Points.FromInt64(250)).Should().Be(Money.FromDecimal(2.50m, Currency.EUR));
        Terms.ValueOf(Points.FromInt64(199)).Should().Be(Money.FromDecimal(1.99m, Currency.EUR));
        var odd = PayWithPointsTerms.Create(Points.FromInt64(3), Money.FromDecimal(0.10m, Currency.EUR), Points.Zero, 1m);
        odd.ValueOf(Points.FromInt64(1)).Should().Be(Money.FromDecimal(0.03m, Currency.EUR), "0.0333… rounds down");
    }

    [Fact]
    public void The_maximum_is_the_share_of_the_order()
    {
        Terms.MaximumPointsFor(Money.FromDecimal(20m, Currency.EUR)).Should().Be(Points.FromInt64(1000));
        Terms.MaximumPointsFor(Money.FromDecimal(0.01m, Currency.EUR)).Should().Be(Points.Zero, "half a cent is worth no whole cent of points");
        Terms.MaximumPointsFor(Money.FromDecimal(0.02m, Currency.EUR)).Should().Be(Points.One);
    }

    [Property(MaxTest = 200 / PropertyRuns.Divisor)]
    public Property The_maximum_never_pays_more_than_the_share_and_one_more_point_would(PositiveInt cents, PositiveInt ratePoints, PositiveInt rateCents, PositiveInt sharePercent)
    {
        var share = ((sharePercent.Get % 100) + 1) / 100m;
        var terms = PayWithPointsTerms.Create(Points.FromInt64((ratePoints.Get % 10_000) + 1), Money.FromDecimal(((rateCents.Get % 10_000) + 1) / 100m, Currency.EUR), Points.Zero, share);
        var total = Money.FromDecimal((cents.Get % 10_000_000) / 100m, Currency.EUR);
        var max = terms.MaximumPointsFor(total);
        var allowed = total.Amount * share;
        var maxIsValid = terms.ValueOf(max).Amount <= allowed;
        var nextIsTooMuch = terms.ValueOf(max + Points.One).Amount > allowed;
        return (maxIsValid && max.Value >= 0 && nextIsTooMuch).Label($"max {max} for {total} at {terms}");
    }

    [Fact]
    public void Bad_terms_are_refused_with_their_fix()
    {
        Message(() => PayWithPointsTerms.Create(Points.Zero, Money.FromDecimal(1m, Currency.EUR), Points.Zero, 1m)).Should().Be("ratePoints must be greater than 0 (was 0). (Parameter 'ratePoints')\nActual value was 0.");
        Message(() => PayWithPointsTerms.Create(Points.One, Money.FromDecimal(0m, Currency.EUR), Points.Zero, 1m)).Should().Be("rateWorth must be a positive amount of money, e.g. 1.00 EUR for 100 points (was 0.00 EUR). (Parameter 'rateWorth')\nActual value was 0.00 EUR.");
        Message(() => PayWithPointsTerms.Create(Points.One, Money.FromDecimal(1m, Currency.EUR), Points.FromInt64(-1), 1m)).Should().Be("minimumPoints must be 0 or greater (was -1). (Parameter 'minimumPoints')\nActual value was -1.");
        Message(() => PayWithPointsTerms.Create(Points.One, Money.FromDecimal(1m, Currency.EUR), Points.Zero, 1.5m)).Should().Be("maximumShareOfOrder must be greater than 0 and at most 1, e.g. 0.5 for half the order (was 1.5). (Parameter 'maximumShareOfOrder')\nActual value was 1.5.");
        Message(() => Terms.MaximumPointsFor(Money.FromDecimal(10m, Currency.USD))).Should().Be("orderTotal must be in EUR, the currency of the exchange rate (was 10.00 USD). (Parameter 'orderTotal')");
        Message(() => Terms.MaximumPointsFor(Money.FromDecimal(-1m, Currency.EUR))).Should().Be("orderTotal must be 0 or more (was -1.00 EUR). (Parameter 'orderTotal')\nActual value was -1.00 EUR.");
        Message(() => Terms.ValueOf(Points.FromInt64(-1))).Should().Be("points must be 0 or greater (was -1). (Parameter 'points')\nActual value was -1.");
    }

    private static string Message(Action act) => act.Should().Throw<ArgumentException>().Which.Message;

    [Fact]
    public void An_order_total_beyond_the_largest_amount_is_refused()
    {
        FluentActions.Invoking(() => Terms.MaximumPointsFor(Money.FromDecimal(decimal.MaxValue, Currency.EUR))).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("orderTotal must be at most 1000000000000 EUR (was 79228162514264337593543950335); amounts are in units of the currency (euros, not cents). (Parameter 'orderTotal')*");
    }

    [Fact]
    public void The_largest_order_total_gives_an_exact_maximum()
    {
        // 50 % of 10^12 EUR at 100 points per euro.
        Terms.MaximumPointsFor(Money.FromDecimal(1_000_000_000_000m, Currency.EUR)).Should().Be(Points.FromInt64(50_000_000_000_000));
        var cheap = PayWithPointsTerms.Create(Points.MaxValue, Money.FromDecimal(0.01m, Currency.EUR), Points.Zero, 1m);
        cheap.MaximumPointsFor(Money.FromDecimal(1_000_000_000_000m, Currency.EUR)).Should().Be(Points.FromInt64(long.MaxValue - 1));
        var dear = PayWithPointsTerms.Create(Points.One, Money.FromDecimal(1_000_000m, Currency.EUR), Points.Zero, 1m);
        dear.ValueOf(Points.MaxValue).Should().Be(Money.FromDecimal(9_223_372_036_854_775_807_000_000m, Currency.EUR));
    }

    [Fact]
    public void A_point_worth_more_than_the_bound_is_refused()
    {
        FluentActions.Invoking(() => PayWithPointsTerms.Create(Points.FromInt64(2), Money.FromDecimal(2_000_001m, Currency.EUR), Points.Zero, 1m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("rateWorth must be at most 1000000 EUR per point (was 2000001.00 EUR for 2 points). (Parameter 'rateWorth')*");
    }

    [Property(MaxTest = 300 / PropertyRuns.Divisor)]
    public Property The_maximum_is_the_largest_number_of_points_within_the_allowed_share() =>
        Prop.ForAll(
            (from p in Gen.Choose(1, 10_000) from w in Gen.Choose(1, 100_000) from s in Gen.Choose(1, 100) select (Points: p, WorthCents: w, SharePercent: s)).ToArbitrary(),
            Gen.OneOf(Gen.Choose(0, 1_000_000).Select(c => c / 100m), Gen.Constant(1_000_000_000_000m), Gen.Choose(1, 1000).Select(k => Math.Round(1_000_000_000_000m / k, 2))).ToArbitrary(),
            (rate, total) =>
            {
                var (points, worthCents, sharePercent) = rate;
                var terms = PayWithPointsTerms.Create(Points.FromInt64(points), Money.FromDecimal(worthCents / 100m, Currency.EUR), Points.Zero, sharePercent / 100m);
                var allowed = total * sharePercent / 100m;
                var maximum = terms.MaximumPointsFor(Money.FromDecimal(total, Currency.EUR));
                return terms.ValueOf(maximum).Amount <= allowed && terms.ValueOf(maximum + Points.One).Amount > allowed;
            });
}
