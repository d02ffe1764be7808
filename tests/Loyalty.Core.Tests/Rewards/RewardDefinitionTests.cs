using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using NodaTime;

namespace Loyalty.Core.Tests.Rewards;

public class RewardDefinitionTests
{
    private static readonly RewardId Id = RewardId.From("r1");

    private static Points P(long value) => Points.FromInt64(value);

    [Fact]
    public void Each_kind_describes_what_it_gives()
    {
        RewardDefinition.AmountOffVoucher(Id, "5 € voucher", P(500), Money.FromDecimal(5m, Currency.EUR)).ToString().Should().Be("5 € voucher (r1): 500 points for 5.00 EUR off");
        RewardDefinition.PercentageDiscount(Id, "10 % off", P(800), 10m).DescribeBenefit().Should().Be("10% off");
        RewardDefinition.FreeShipping(Id, "Free delivery", P(200)).DescribeBenefit().Should().Be("free shipping");
        RewardDefinition.GiftProduct(Id, "Tote", P(300), "TOTE").DescribeBenefit().Should().Be("gift TOTE");
        var pay = RewardDefinition.PayWithPoints(Id, "Pay with points", PayWithPointsTerms.Create(P(100), Money.FromDecimal(1m, Currency.EUR), P(200), 0.5m));
        pay.Cost.Should().Be(P(0));
        pay.ToString().Should().Be("Pay with points (r1): pay with points (100 points = 1.00 EUR, min 200, up to 50% of the order)");
    }

    [Fact]
    public void With_methods_return_copies()
    {
        var voucher = RewardDefinition.FreeShipping(Id, "Free delivery", P(200));
        var from = Instant.FromUtc(2026, 4, 1, 0, 0);
        var until = Instant.FromUtc(2026, 5, 1, 0, 0);

        var limited = voucher.WithStock(10).WithRequiredTier(TierId.From("gold")).WithValidity(from, until);

        voucher.Stock.Should().BeNull();
        voucher.RequiredTier.Should().BeNull();
        limited.Stock.Should().Be(10);
        limited.RequiredTier.Should().Be(TierId.From("gold"));
        limited.IsOfferedAt(from).Should().BeTrue();
        limited.IsOfferedAt(until - Duration.Epsilon).Should().BeTrue();
        limited.IsOfferedAt(until).Should().BeFalse("the window is half-open");
        limited.IsOfferedAt(from - Duration.Epsilon).Should().BeFalse();
    }

    [Fact]
    public void Bad_arguments_are_refused_with_their_fix()
    {
        Message(() => RewardDefinition.FreeShipping(default, "x", P(1))).Should().Be("RewardId must not be default; create one with RewardId.From(...). (Parameter 'id')");
        Message(() => RewardDefinition.FreeShipping(Id, " ", P(1))).Should().Be("name must not be empty; give the name members see, e.g. \"5 € voucher\". (Parameter 'name')");
        Message(() => RewardDefinition.FreeShipping(Id, "x", P(0))).Should().Be("cost must be greater than 0 (was 0). (Parameter 'cost')\nActual value was 0.");
        Message(() => RewardDefinition.AmountOffVoucher(Id, "x", P(1), Money.FromDecimal(0m, Currency.EUR))).Should().Be("amountOff must be a positive amount of money, e.g. 5.00 EUR (was 0.00 EUR). (Parameter 'amountOff')\nActual value was 0.00 EUR.");
        Message(() => RewardDefinition.PercentageDiscount(Id, "x", P(1), 100.5m)).Should().Be("percentage must be greater than 0 and at most 100, e.g. 10 for 10 % off (was 100.5). (Parameter 'percentage')\nActual value was 100.5.");
        Message(() => RewardDefinition.GiftProduct(Id, "x", P(1), "")).Should().Be("sku must not be empty; give the SKU of the gift in the shop's catalogue, e.g. \"TOTE-BAG\". (Parameter 'sku')");
        Message(() => RewardDefinition.FreeShipping(Id, "x", P(1)).WithStock(-1)).Should().Be("units must be 0 or greater (was -1). (Parameter 'units')\nActual value was -1.");
        Message(() => RewardDefinition.FreeShipping(Id, "x", P(1)).WithRequiredTier(default)).Should().Be("TierId must not be default; create one with TierId.From(...). (Parameter 'tier')");
        var at = Instant.FromUtc(2026, 4, 1, 0, 0);
        Message(() => RewardDefinition.FreeShipping(Id, "x", P(1)).WithValidity(at, at)).Should().Be("until (2026-04-01T00:00:00Z) must be after from (2026-04-01T00:00:00Z); the window is [from, until). (Parameter 'until')");
        var pay = RewardDefinition.PayWithPoints(Id, "x", PayWithPointsTerms.Create(P(100), Money.FromDecimal(1m, Currency.EUR), P(0), 1m));
        Message(() => pay.WithStock(5)).Should().Be("Reward 'r1' is PayWithPoints, which has no stock; limit it with PayWithPointsTerms instead. (Parameter 'units')");
        Message(() => RewardDefinition.PayWithPoints(Id, "x", null!)).Should().Be("Value cannot be null. (Parameter 'terms')");
    }

    [Fact]
    public void The_cost_to_the_shop_is_the_given_cost_else_a_vouchers_amount_else_unknown()
    {
        var eur = Currency.EUR;
        RewardDefinition.AmountOffVoucher(Id, "5 €", Points.FromInt64(500), Money.FromDecimal(5m, eur)).CostToShop.Should().Be(Money.FromDecimal(5m, eur));
        RewardDefinition.GiftProduct(Id, "Mug", Points.FromInt64(200), "MUG").CostToShop.Should().BeNull();
        var mug = RewardDefinition.GiftProduct(Id, "Mug", Points.FromInt64(200), "MUG").WithCostToShop(Money.FromDecimal(1.80m, eur));
        mug.CostToShop.Should().Be(Money.FromDecimal(1.80m, eur));
        mug.WithStock(3).WithRequiredTier(TierId.From("gold")).CostToShop.Should().Be(Money.FromDecimal(1.80m, eur), "refinements keep the cost");
        Message(() => mug.WithCostToShop(Money.FromDecimal(-1m, eur))).Should().StartWith("cost must be 0 or more in the programme's currency, e.g. 3.20 EUR for a gift's cost price (was -1.00 EUR).");
    }

    private static string Message(Action act) => act.Should().Throw<ArgumentException>().Which.Message;
}
