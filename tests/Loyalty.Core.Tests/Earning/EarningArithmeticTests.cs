using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

/// <summary>Rounding, allocation and the scale of the desired points on both arithmetic paths.</summary>
public class EarningArithmeticTests
{
    private static readonly System.Globalization.CultureInfo Invariant = System.Globalization.CultureInfo.InvariantCulture;

    [Theory]
    [InlineData("12.00", PointsRounding.Ceiling, 12)]
    [InlineData("12.000001", PointsRounding.Ceiling, 13)]
    [InlineData("12.50", PointsRounding.HalfUp, 13)]
    [InlineData("12.49", PointsRounding.HalfUp, 12)]
    [InlineData("12.50", PointsRounding.HalfEven, 12)]
    [InlineData("12.51", PointsRounding.HalfEven, 13)]
    [InlineData("13.50", PointsRounding.HalfEven, 14)]
    [InlineData("13.49", PointsRounding.HalfEven, 13)]
    [InlineData("12.99", PointsRounding.Floor, 12)]
    [InlineData("0.000000000000000005", PointsRounding.Floor, 0)]
    [InlineData("0.000000000000000005", PointsRounding.Ceiling, 1)]
    [InlineData("0.000000000000000005", PointsRounding.HalfUp, 0)]
    [InlineData("0.00000000000000005", PointsRounding.Ceiling, 1)]
    [InlineData("0.00000000000000005", PointsRounding.HalfUp, 0)]
    [InlineData("12.5000000000000000000000", PointsRounding.Floor, 12)]
    [InlineData("12.5000000000000000000000", PointsRounding.HalfUp, 13)]
    [InlineData("12.5000000000000000000000", PointsRounding.HalfEven, 12)]
    [InlineData("13.5000000000000000000000", PointsRounding.HalfEven, 14)]
    [InlineData("12.5000000000000000000000", PointsRounding.Ceiling, 13)]
    [InlineData("-12.5", PointsRounding.Floor, -13)]
    [InlineData("-12.5", PointsRounding.Ceiling, -12)]
    [InlineData("-12.5", PointsRounding.HalfUp, -13)]
    [InlineData("-12.5", PointsRounding.HalfEven, -12)]
    [InlineData("9223372036854775807", PointsRounding.Ceiling, long.MaxValue)]
    [InlineData("922337203685477580.7", PointsRounding.HalfUp, 922337203685477581)]
    public void Rounding_gives_the_documented_whole_points_on_both_paths(string value, PointsRounding rounding, long expected)
    {
        EarningEngine.Round(decimal.Parse(value, Invariant), rounding).Should().Be(expected);
    }

    [Fact]
    public void Rounding_refuses_what_does_not_fit_in_points()
    {
        FluentActions.Invoking(() => EarningEngine.Round(9223372036854775808m, PointsRounding.Floor)).Should().Throw<OverflowException>();
        FluentActions.Invoking(() => EarningEngine.Round(18446744073709551616m, PointsRounding.Floor)).Should().Throw<OverflowException>();
    }

    [Fact]
    public void Large_integer_weights_allocate_with_exact_remainders()
    {
        const long T = 1_000_000_000_000;
        var result = new long[3];

        Allocation.LargestRemainder(T, [T, 2 * T, 0L], result);
        result.Should().Equal(333_333_333_333, 666_666_666_667, 0);

        Allocation.LargestRemainder(T, [T, T, T], result);
        result.Should().Equal(333_333_333_334, 333_333_333_333, 333_333_333_333);

        Allocation.LargestRemainder(T + 1, [T, 0L, T], result);
        result.Should().Equal(500_000_000_001, 0, 500_000_000_000);

        Allocation.LargestRemainder(T + 2, [0L, T, 3 * T], result);
        result.Should().Equal(0, 250_000_000_001, 750_000_000_001);
    }

    [Fact]
    public void Integer_weights_whose_sum_overflows_allocate_in_decimal_arithmetic()
    {
        var result = new long[3];

        Allocation.LargestRemainder(5, [long.MaxValue, long.MaxValue, 0L], result);
        result.Should().Equal(3, 2, 0);

        Allocation.LargestRemainder(7, [0L, long.MaxValue, 1L], result);
        result.Should().Equal(0, 7, 0);

        Allocation.LargestRemainder(4, [0L, 0L, 0L], result);
        result.Should().Equal(0, 0, 4);
    }

    [Fact]
    public void Decimal_weights_beyond_twelve_places_or_64_bits_allocate_the_same_way()
    {
        var result = new long[3];

        Allocation.LargestRemainder(10, [0.0000000000001m, 0.0000000000002m, 0m], result);
        result.Should().Equal(3, 7, 0);

        Allocation.LargestRemainder(10, [1e20m, 1e20m, 1e20m], result);
        result.Should().Equal(4, 3, 3);

        Allocation.LargestRemainder(3, [2e20m, 1e20m, 0m], result);
        result.Should().Equal(2, 1, 0);

        Allocation.LargestRemainder(10, [0.000000000001m, 0.000000000001m, 0.000000000001m], result);
        result.Should().Equal(4, 3, 3);
    }

    [Fact]
    public void The_desired_points_keep_the_scale_decimal_arithmetic_gives()
    {
        string Desired(EarningRuleSet rules, string rule, EarningOrder order, MemberContext? member = null) =>
            Evaluate(rules, order, member)[RuleId.From(rule)].Desired.ToString(Invariant);

        var twoLines = Order(Line("a", 12.50m), Line("b", 7.5m));
        Desired(Rules().EarnPerUnit("base", 1m).Build(), "base", twoLines).Should().Be("20.00");
        Desired(Rules().EarnPerUnit("base", 1.0m).Build(), "base", twoLines).Should().Be("20.000");
        Desired(Rules().EarnPerUnit("base", 1m).Multiply("x2", "base", 2.0m, LineSelector.ForSkus("a")).Build(), "x2", twoLines).Should().Be("12.500");
        Desired(Rules().EarnPerUnit("base", 1m).TierMultiplier("tier", "base").Build(), "tier", twoLines, new MemberContext(tierEarnMultiplier: 2.0m)).Should().Be("20.000");

        var taxed = new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [Line("a", 12.5m)], shipping: 2.00m, tax: 1.0000m, paidWithPoints: 0.5m);
        Desired(Rules().EarnPerUnit("base", 1m, r => r with { IncludeTax = true, IncludeShipping = true, IncludePaidWithPoints = true }).Build(), "base", taxed).Should().Be("15.5000");
        Desired(Rules().EarnPerUnit("base", 1m, r => r with { IncludeTax = true }).Build(), "base", taxed).Should().Be((13.5000m * ((15.5000m - 0.5m) / 15.5000m)).ToString(Invariant));
        Desired(Rules().EarnPerUnit("base", 1m, r => r with { IncludeShipping = true, IncludePaidWithPoints = true }).Build(), "base", taxed).Should().Be("14.50");

        Desired(Rules().EarnPerUnit("base", 1m).Build(), "base", Order(Line("a", 1.0000000000001m))).Should().Be("1.0000000000001");
        Desired(Rules().EarnPerUnit("base", 1m).Build(), "base", Order(Line("a", 1.000000000001m), Line("b", 2m))).Should().Be("3.000000000001");
    }

    [Fact]
    public void Amounts_beyond_twelve_places_earn_and_allocate_like_everyday_prices()
    {
        var rules = Rules().EarnPerUnit("base", 10m, r => r with { IncludeShipping = true }).FixedBonus("each", 2, BonusBasis.PerUnit, LineSelector.ForSkus("b")).Build();
        var order = new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [Line("a", 3.0000000000001m), Line("b", 1m, quantity: 3)], shipping: 0.5m);

        var result = Evaluate(rules, order);

        result[RuleId.From("base")].Allocation.ToArray().Should().Equal(30, 30, 5);
        result[RuleId.From("each")].Allocation.ToArray().Should().Equal(0, 6, 0);
        result.Total.Should().Be(Points.FromInt64(71));
    }
}
