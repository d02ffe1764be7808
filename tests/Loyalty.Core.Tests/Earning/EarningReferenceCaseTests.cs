using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

/// <summary>
/// Fixed orders through every kind of rule and every spend option, on the integer path (everyday
/// prices) and on the decimal path (amounts beyond twelve decimal places), compared with the
/// reference evaluation and with figures worked out by hand.
/// </summary>
public class EarningReferenceCaseTests
{
    private static readonly EarningRuleSet EveryKind = Rules()
        .Group("best", StackingMode.BestOf)
        .EarnPerUnit("base", 10m, r => r with { IncludeShipping = true, IncludeTax = true, ExcludedLines = LineSelector.ForBrands("Cheap") })
        .EarnPerUnit("cards", 1m, r => r with { Lines = LineSelector.ForCategories("cards"), IncludeGiftCards = true, IncludePaidWithPoints = true, Rounding = PointsRounding.HalfUp })
        .Multiply("shoes-x2", "base", 2m, LineSelector.ForCategories("shoes"))
        .TierMultiplier("tier", "base", configure: r => r with { Rounding = PointsRounding.Ceiling })
        .TierMultiplier("table", "base", [new TierMultiplier(TierId.From("gold"), 1.5m)], r => r with { Rounding = PointsRounding.HalfEven })
        .FixedBonus("per-order", 4)
        .FixedBonus("per-unit", 2, BonusBasis.PerUnit, LineSelector.ForSkus("b"))
        .ThresholdBonus("big", 5m, 7, r => r with { Group = "best" })
        .OrderCountBonus("first", 1, 9, r => r with { Group = "best" })
        .Build();

    private static readonly MemberContext Gold = new(tier: TierId.From("gold"), tierEarnMultiplier: 1.25m);

    private static EarningOrder OrderWith(decimal shoePrice, decimal paidWithPoints = 0m) => new(
        OrderId.From("o-1"),
        Alice,
        Start,
        Currency.EUR,
        [Line("a", shoePrice, category: "shoes"), Line("b", 1m, quantity: 3), Line("c", 4m, brand: "Cheap"), Line("card", 2.5m, category: "cards", giftCard: true)],
        shipping: 0.5m,
        tax: 0.25m,
        paidWithPoints: paidWithPoints);

    private static void ShouldMatchTheReference(EarningOrder order)
    {
        var actual = Evaluate(EveryKind, order, Gold);
        var expected = ReferenceEarningEngine.EvaluateOrder(EveryKind, order, Gold, EarningUsage.Empty, isQuote: false);

        actual.ToJson().Should().Be(expected.ToJson());
    }

    [Fact]
    public void Everyday_prices_are_evaluated_exactly_as_the_reference()
    {
        var order = OrderWith(3m, paidWithPoints: 1.025m);
        ShouldMatchTheReference(order);

        var result = Evaluate(EveryKind, order, Gold);

        // Eligible for base: a 3 + b 3 + shipping 0.5 + tax 0.25 = 6.75 at 10 per euro; 1.025 of 13.25 paid with points.
        result[RuleId.From("base")].Desired.Should().Be(6.75m * 10m * ((13.25m - 1.025m) / 13.25m));
        result[RuleId.From("base")].Allocation.ToArray().Should().Equal(28, 27, 0, 0, 7);
        result[RuleId.From("cards")].Allocation.ToArray().Should().Equal(0, 0, 0, 3, 0);
        result[RuleId.From("shoes-x2")].Allocation.ToArray().Should().Equal(27, 0, 0, 0, 0);
        result[RuleId.From("tier")].Rounded.Should().Be(Points.FromInt64(16));
        result[RuleId.From("table")].Rounded.Should().Be(Points.FromInt64(31));
        result[RuleId.From("per-unit")].Allocation.ToArray().Should().Equal(0, 6, 0, 0, 0);
        result[RuleId.From("per-order")].Allocation.ToArray().Should().Equal(0, 0, 0, 0, 4);
        result[RuleId.From("big")].Outcome.Should().Be(RuleOutcome.NotBestOfGroup);
        result[RuleId.From("first")].Outcome.Should().Be(RuleOutcome.Fired);
    }

    [Fact]
    public void Amounts_beyond_twelve_decimal_places_are_evaluated_exactly_as_the_reference()
    {
        var order = OrderWith(3.0000000000001m);
        ShouldMatchTheReference(order);

        var result = Evaluate(EveryKind, order, Gold);

        result[RuleId.From("base")].Desired.Should().Be(67.500000000001m);
        result[RuleId.From("base")].Allocation.ToArray().Should().Equal(30, 30, 0, 0, 7);
        result[RuleId.From("shoes-x2")].Desired.Should().Be(30.000000000001m);
        result[RuleId.From("shoes-x2")].Allocation.ToArray().Should().Equal(30, 0, 0, 0, 0);
        result[RuleId.From("tier")].Desired.Should().Be(16.87500000000025m);
        result[RuleId.From("table")].Desired.Should().Be(33.7500000000005m);
        result[RuleId.From("per-unit")].Allocation.ToArray().Should().Equal(0, 6, 0, 0, 0);
        result[RuleId.From("cards")].Desired.Should().Be(2.5m);
        result[RuleId.From("cards")].Awarded.Should().Be(Points.FromInt64(3));
    }
}
