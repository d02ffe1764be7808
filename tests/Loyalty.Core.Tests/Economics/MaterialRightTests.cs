using Loyalty.Core.Economics;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Tests.Economics;

/// <summary>IFRS 15 Illustrative Example 52 (customer loyalty programme) and its rounded-percentage variant.</summary>
public class MaterialRightTests
{
    private static Money Cu(decimal amount) => Money.FromDecimal(amount, Currency.EUR);

    [Fact]
    public void The_published_example_allocates_91324_and_8676_and_recognises_4110_then_3493()
    {
        // Sales 100,000; 10,000 points worth 1 each; 95 % expected to be redeemed: points SSP 9,500.
        var allocation = MaterialRight.Allocate(Cu(100_000m), Cu(100_000m), 10_000, Cu(1m), 0.95m, AllocationRounding.Exact, decimals: 0);
        allocation.PointsStandAloneSellingPrice.Should().Be(Cu(9_500m));
        allocation.Goods.Should().Be(Cu(91_324m));
        allocation.Points.Should().Be(Cu(8_676m));

        // Year 1: 4,500 points redeemed of 9,500 expected.
        var year1 = MaterialRight.Recognise(allocation, null, 4_500, 9_500, decimals: 0);
        year1.Revenue.Should().Be(Cu(4_110m));
        year1.ContractLiability.Should().Be(Cu(4_566m));
        year1.CatchUp.Should().Be(Cu(0m));

        // Year 2: 8,500 redeemed in all; the expected total is revised to 9,700.
        var year2 = MaterialRight.Recognise(allocation, year1, 8_500, 9_700, decimals: 0);
        year2.Revenue.Should().Be(Cu(3_493m));
        year2.CumulativeRevenue.Should().Be(Cu(7_603m));
        year2.ContractLiability.Should().Be(Cu(1_073m));
        year2.CatchUp.Should().Be(Cu(-85m), "the 4,500 points of year 1 are re-measured over 9,700 instead of 9,500: 4,025 − 4,110");
    }

    [Fact]
    public void The_rounded_percentage_variant_allocates_91000_and_9000_and_recognises_4175_then_3552_or_4140()
    {
        // 97 % expected: points SSP 9,700; the allocation rounded to 91 % / 9 %.
        var allocation = MaterialRight.Allocate(Cu(100_000m), Cu(100_000m), 10_000, Cu(1m), 0.97m, AllocationRounding.WholePercent, decimals: 0);
        allocation.PointsStandAloneSellingPrice.Should().Be(Cu(9_700m));
        allocation.PointsShare.Should().Be(0.09m);
        allocation.Goods.Should().Be(Cu(91_000m));
        allocation.Points.Should().Be(Cu(9_000m));

        var year1 = MaterialRight.Recognise(allocation, null, 4_500, 9_700, decimals: 0);
        year1.Revenue.Should().Be(Cu(4_175m));

        MaterialRight.Recognise(allocation, year1, 8_500, 9_900, decimals: 0).Revenue.Should().Be(Cu(3_552m));
        MaterialRight.Recognise(allocation, year1, 8_500, 9_200, decimals: 0).Revenue.Should().Be(Cu(4_140m));
    }

    [Fact]
    public void The_exact_allocation_in_cents_adds_up_to_the_price()
    {
        var allocation = MaterialRight.Allocate(Cu(100_000m), Cu(100_000m), 10_000, Cu(1m), 0.95m);
        allocation.Goods.Should().Be(Cu(91_324.20m));
        allocation.Points.Should().Be(Cu(8_675.80m));
        (allocation.Goods + allocation.Points).Should().Be(Cu(100_000m));
    }

    [Fact]
    public void Periods_add_up_to_the_allocation_once_every_expected_point_is_redeemed()
    {
        var allocation = MaterialRight.Allocate(Cu(999.99m), Cu(999.99m), 333, Cu(0.01m), 0.8m);
        var p1 = MaterialRight.Recognise(allocation, null, 100, 266);
        var p2 = MaterialRight.Recognise(allocation, p1, 200, 270);
        var p3 = MaterialRight.Recognise(allocation, p2, 270, 270);
        (p1.Revenue + p2.Revenue + p3.Revenue).Should().Be(allocation.Points);
        p3.ContractLiability.Should().Be(Cu(0m));
    }

    [Fact]
    public void A_redemption_rate_outside_0_to_1_is_refused()
    {
        var act = () => MaterialRight.Allocate(Cu(100m), Cu(100m), 10, Cu(1m), 1.2m);
        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("expectedRedemptionRate must be between 0 and 1 inclusive (was 1.2); write 95 % as 0.95. (Parameter 'expectedRedemptionRate')*");
    }

    [Fact]
    public void A_negative_value_per_point_is_refused()
    {
        var act = () => MaterialRight.Allocate(Cu(100m), Cu(100m), 10, Cu(-0.01m), 0.9m);
        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("valuePerPoint must be 0 or more (was -0.01); a point cannot cost the shop a negative amount. (Parameter 'valuePerPoint')*");
    }

    [Fact]
    public void A_value_per_point_in_another_currency_is_refused()
    {
        var act = () => MaterialRight.Allocate(Cu(100m), Cu(100m), 10, Money.FromDecimal(1m, Currency.USD), 0.9m);
        act.Should().Throw<ArgumentException>()
            .WithMessage("valuePerPoint is in USD, not in EUR; convert it before (amounts are never converted here). (Parameter 'valuePerPoint')");
    }

    [Fact]
    public void Redemptions_that_go_down_or_exceed_the_expected_total_are_refused()
    {
        var allocation = MaterialRight.Allocate(Cu(100m), Cu(100m), 10, Cu(1m), 0.9m);
        var p1 = MaterialRight.Recognise(allocation, null, 5, 9);
        var down = () => MaterialRight.Recognise(allocation, p1, 4, 9);
        down.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("cumulativeRedeemed must not go down (was 4, previous period 5); pass the points redeemed since the sale, not in the period.*");
        var over = () => MaterialRight.Recognise(allocation, p1, 8, 7);
        over.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("expectedTotalRedemptions must be more than 0 and at least the 8 points already redeemed (was 7).*");
    }
}
