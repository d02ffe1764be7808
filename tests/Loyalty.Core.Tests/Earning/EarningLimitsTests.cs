using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

/// <summary>Every number the engine accepts is bounded, so nothing accepted can overflow later.</summary>
public class EarningLimitsTests
{
    private const string Euros = "amounts are in units of the currency (euros, not cents).";

    [Fact]
    public void A_line_beyond_the_largest_amount_is_refused_naming_the_unit_price()
    {
        FluentActions.Invoking(() => new OrderLine("SKU", 1_000_000, 79228162514264337593543950m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"unitPrice × quantity must be at most 1000000000000 (was 79228162514264337593543950 × 1000000); {Euros} (Parameter 'unitPrice')*");
        FluentActions.Invoking(() => new OrderLine("SKU", 1, 1e20m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"unitPrice × quantity must be at most 1000000000000 (was 100000000000000000000 × 1); {Euros} (Parameter 'unitPrice')*");
        FluentActions.Invoking(() => new OrderLine("SKU", 3, 400_000_000_000m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"unitPrice × quantity must be at most 1000000000000 (was 400000000000 × 3); {Euros} (Parameter 'unitPrice')*");
        FluentActions.Invoking(() => new OrderLine("SKU", 1_000_001, 1m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("quantity must be at most 1000000 (was 1000001); split larger quantities over several orders. (Parameter 'quantity')*");

        new OrderLine("SKU", 1_000_000, 1_000_000m).NetAmount.Should().Be(EarningLimits.MaxAmount);
    }

    [Fact]
    public void An_order_beyond_the_largest_amount_is_refused_naming_the_field()
    {
        var line = Line("a", 600_000_000_000m);
        FluentActions.Invoking(() => new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [Line("a", 10m)], tax: decimal.MaxValue)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"tax must be at most 1000000000000 (was 79228162514264337593543950335); {Euros} (Parameter 'tax')*");
        FluentActions.Invoking(() => new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [Line("a", 10m)], shipping: 1e13m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"shipping must be at most 1000000000000 (was 10000000000000); {Euros} (Parameter 'shipping')*");
        FluentActions.Invoking(() => new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [line], tax: 500_000_000_000m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"The order total (lines 600000000000 + shipping 0 + tax 500000000000) must be at most 1000000000000 (was 1100000000000); {Euros} (Parameter 'tax')*");
        FluentActions.Invoking(() => new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [line, line])).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"The order total (lines 1200000000000 + shipping 0 + tax 0) must be at most 1000000000000 (was 1200000000000); {Euros} (Parameter 'lines')*");
        FluentActions.Invoking(() => new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [Line("a", 1m, quantity: 600_000), Line("b", 1m, quantity: 400_001)])).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("lines must hold at most 1000000 units in all (was 1000001); split larger orders. (Parameter 'lines')*");
    }

    [Fact]
    public void Rates_multipliers_bonuses_and_thresholds_beyond_their_bounds_are_refused_with_their_paths()
    {
        FluentActions.Invoking(() => EarningRuleSet.FromJson(Document("""{ "kind": "spend", "id": "a", "pointsPerUnit": 1e28 }""")))
            .Should().Throw<EarningRuleSetException>()
            .WithMessage("The earning rule set is invalid: rules[0].pointsPerUnit must be at most 100 (was 10000000000000000000000000000); for a weak currency award a fraction of a point per unit instead.");

        var ex = FluentActions.Invoking(() => Rules()
                .EarnPerUnit("base", 1m)
                .Multiply("x", "base", 101m, LineSelector.ForCategories("shoes"))
                .FixedBonus("fixed", 1_000_000_001)
                .ThresholdBonus("big", 1_000_000_000_001m, 10)
                .OrderCountBonus("first", 1, 2_000_000_000)
                .Activity("review", ActivityKind.Review, 1_000_000_001)
                .TierMultiplier("tiers", "base", [new TierMultiplier(TierId.From("gold"), 100.5m)])
                .Build())
            .Should().Throw<EarningRuleSetException>().Which;
        ex.Errors.Should().BeEquivalentTo(
            "rules[1].multiplier must be at most 100 (was 101).",
            "rules[2].points must be at most 1000000000 (was 1000000001).",
            "rules[3].threshold must be at most 1000000000000 (was 1000000000001).",
            "rules[4].points must be at most 1000000000 (was 2000000000).",
            "rules[5].points must be at most 1000000000 (was 1000000001).",
            "rules[6].multipliers[0].multiplier must be at most 100 (was 100.5).");

        var tooMany = Rules();
        for (var i = 0; i <= EarningLimits.MaxRules; i++)
        {
            tooMany.FixedBonus($"r{i}", 1);
        }

        FluentActions.Invoking(() => tooMany.Build()).Should().Throw<EarningRuleSetException>()
            .WithMessage("The earning rule set is invalid: rules must hold at most 500 rules (was 501); retire rules that no longer apply.");
    }

    [Fact]
    public void A_member_multiplier_beyond_the_bound_is_refused()
    {
        FluentActions.Invoking(() => new MemberContext(tierEarnMultiplier: 100.01m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("tierEarnMultiplier must be at most 100 (was 100.01). (Parameter 'tierEarnMultiplier')*");
    }

    [Fact]
    public void The_highest_rate_on_a_two_line_order_and_on_the_largest_order_earns_without_overflow()
    {
        var rules = Rules().EarnPerUnit("base", EarningLimits.MaxPointsPerUnit).Build();

        Evaluate(rules, Order(Line("shirt", 19.99m, quantity: 2))).Total.Should().Be(Points.FromInt64(3998));
        Evaluate(rules, Order(Line("yacht", EarningLimits.MaxAmount))).Total.Should().Be(Points.FromInt64(100_000_000_000_000));
    }

    [Fact]
    public void The_worst_case_rule_set_on_the_largest_order_stays_within_points()
    {
        // 500 rules at every maximum: each tier multiplier rule earns (100 − 1) × 100 × 10^12 points.
        var builder = Rules().EarnPerUnit("base", EarningLimits.MaxPointsPerUnit, r => r with { IncludeShipping = true, IncludeTax = true });
        for (var i = 1; i < EarningLimits.MaxRules; i++)
        {
            builder.TierMultiplier($"t{i:000}", "base");
        }

        var order = new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [Line("a", 500_000_000_000m)], shipping: 250_000_000_000m, tax: 250_000_000_000m);
        var result = Evaluate(builder.Build(), order, new MemberContext(tierEarnMultiplier: EarningLimits.MaxMultiplier));

        result.Total.Should().Be(Points.FromInt64(100_000_000_000_000 + (499 * 9_900_000_000_000_000)));
    }

    [Property(MaxTest = 300 / PropertyRuns.Divisor)]
    public Property Any_accepted_rule_set_evaluates_any_accepted_order_without_exception() =>
        Prop.ForAll(BoundedRuleSets.ToArbitrary(), BoundedOrders.ToArbitrary(), Gen.Choose(0, 100).Select(m => new MemberContext(TierId.From("gold"), m, m % 3)).ToArbitrary(), (rules, order, member) =>
        {
            var result = EarningEngine.Instance.Evaluate(rules, order, member, EarningUsage.Empty);
            return result.Total.Value >= 0 && result.Rules.Where(r => r.Fired).Sum(r => (decimal)r.Awarded.Value) == result.Total.Value;
        });

    private static readonly Gen<decimal> Amounts =
        Gen.OneOf(Gen.Constant(0m), Gen.Constant(EarningLimits.MaxAmount), Gen.Choose(0, 1_000_000).Select(c => c / 100m), Gen.Choose(1, 1000).Select(k => Math.Round(EarningLimits.MaxAmount / k, 2)));

    private static readonly Gen<EarningOrder> BoundedOrders =
        from count in Gen.Choose(1, 4)
        from lines in Gen.ArrayOf(
            from quantity in Gen.OneOf(Gen.Constant(1), Gen.Constant(EarningLimits.MaxQuantity / 4), Gen.Choose(1, 50))
            from price in Amounts
            from shoe in Gen.Elements(true, false)
            select (quantity, price, shoe), count)
        from extras in Gen.ArrayOf(Amounts, 3)
        select BuildOrder(lines, extras);

    private static readonly Gen<EarningRuleSet> BoundedRuleSets =
        from rate in Gen.OneOf(Gen.Constant(EarningLimits.MaxPointsPerUnit), Gen.Constant(0.0000001m), Gen.Choose(1, 10_000).Select(r => r / 100m))
        from multiplier in Gen.OneOf(Gen.Constant(EarningLimits.MaxMultiplier), Gen.Choose(101, 10_000).Select(m => m / 100m))
        from bonus in Gen.OneOf(Gen.Constant(EarningLimits.MaxBonusPoints), Gen.Choose(1, 1000).Select(b => (long)b))
        from threshold in Gen.OneOf(Gen.Constant(EarningLimits.MaxAmount), Gen.Choose(1, 1000).Select(t => (decimal)t))
        from rounding in Gen.Elements(Enum.GetValues<PointsRounding>())
        from copies in Gen.Choose(1, 20)
        select BuildRules(rate, multiplier, bonus, threshold, rounding, copies);

    private static EarningOrder BuildOrder((int Quantity, decimal Price, bool Shoe)[] lines, decimal[] extras)
    {
        // Scale the draw down until it is an accepted order: every amount, unit count and total within bounds.
        var built = new List<OrderLine>();
        decimal total = 0m;
        long units = 0;
        foreach (var (quantity, price, shoe) in lines)
        {
            var unitPrice = Math.Min(price, Math.Floor((EarningLimits.MaxAmount - total) / quantity * 100m) / 100m);
            if (units + quantity > EarningLimits.MaxQuantity || unitPrice < 0m)
            {
                continue;
            }

            built.Add(Line($"l{built.Count}", unitPrice, quantity, shoe ? "shoes" : "tops"));
            total += quantity * unitPrice;
            units += quantity;
        }

        if (built.Count == 0)
        {
            built.Add(Line("l", 1m));
            total = 1m;
        }

        var shipping = Math.Min(extras[0], EarningLimits.MaxAmount - total);
        var tax = Math.Min(extras[1], EarningLimits.MaxAmount - total - shipping);
        var paid = Math.Min(extras[2], total + shipping + tax);
        return new EarningOrder(OrderId.From("o"), Alice, Start + Duration.FromDays(60), Currency.EUR, built, shipping, tax, paid);
    }

    private static EarningRuleSet BuildRules(decimal rate, decimal multiplier, long bonus, decimal threshold, PointsRounding rounding, int copies)
    {
        var builder = Rules();
        for (var i = 0; i < copies; i++)
        {
            builder
                .EarnPerUnit($"base{i}", rate, r => r with { IncludeShipping = true, IncludeTax = true, IncludeGiftCards = true, IncludePaidWithPoints = true, Rounding = rounding })
                .Multiply($"x{i}", $"base{i}", multiplier, LineSelector.ForCategories("shoes"))
                .TierMultiplier($"t{i}", $"base{i}")
                .TierMultiplier($"g{i}", $"base{i}", [new TierMultiplier(TierId.From("gold"), multiplier)])
                .FixedBonus($"u{i}", bonus, BonusBasis.PerUnit, LineSelector.ForCategories("shoes", "tops"))
                .FixedBonus($"o{i}", bonus)
                .ThresholdBonus($"th{i}", threshold, bonus)
                .OrderCountBonus($"n{i}", 1, bonus);
        }

        return builder.Build();
    }

    private static string Document(string rule) => $$"""
        { "version": "v1", "effectiveFrom": "2026-01-01T00:00:00Z", "currency": "EUR", "timeZone": "Europe/Paris", "rules": [ {{rule}} ] }
        """;
}
