using Loyalty.Core.Economics;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;

namespace Loyalty.Core.Tests.Economics;

public class PointValuationTests
{
    private static readonly Currency Eur = Currency.EUR;

    private static readonly RewardCatalog Catalog = RewardCatalog.Create([
        RewardDefinition.AmountOffVoucher(RewardId.From("v5"), "5 €", Points.FromInt64(500), Money.FromDecimal(5m, Eur)),          // 0.01 per point
        RewardDefinition.GiftProduct(RewardId.From("mug"), "Mug", Points.FromInt64(400), "MUG").WithCostToShop(Money.FromDecimal(2m, Eur)), // 0.005
        RewardDefinition.PercentageDiscount(RewardId.From("ten"), "10 %", Points.FromInt64(300), 10m),                              // no cost: ignored
    ]);

    [Fact]
    public void The_cheapest_reward_gives_the_lowest_cost_per_point()
    {
        var v = PointValuation.CheapestReward(Catalog, Eur);
        v.CostPerPoint.Should().Be(Money.FromDecimal(0.005m, Eur));
        v.Description.Should().Be("cheapest reward mug (0.005 EUR per point)");
        v.Value(1_001).Should().Be(Money.FromDecimal(5.01m, Eur), "5.005 rounds away from zero");
    }

    [Fact]
    public void A_weighted_mix_weighs_each_rewards_cost_per_point()
    {
        var v = PointValuation.WeightedMix(Catalog, Eur, new Dictionary<RewardId, decimal> { [RewardId.From("v5")] = 3m, [RewardId.From("mug")] = 1m });
        v.CostPerPoint.Should().Be(Money.FromDecimal(0.00875m, Eur));
    }

    [Fact]
    public void Bad_weights_and_catalogues_without_costs_are_refused()
    {
        var unknown = () => PointValuation.WeightedMix(Catalog, Eur, new Dictionary<RewardId, decimal> { [RewardId.From("ten")] = 1m });
        unknown.Should().Throw<ArgumentException>().WithMessage("Reward 'ten' is not in the catalogue with a points cost and a cost to the shop in EUR; give it one with WithCostToShop or remove its weight. (Parameter 'weights')");
        var negative = () => PointValuation.WeightedMix(Catalog, Eur, new Dictionary<RewardId, decimal> { [RewardId.From("v5")] = -1m });
        negative.Should().Throw<ArgumentOutOfRangeException>().WithMessage("The weight of reward 'v5' must be 0 or more (was -1).*");
        var zero = () => PointValuation.WeightedMix(Catalog, Eur, new Dictionary<RewardId, decimal> { [RewardId.From("v5")] = 0m });
        zero.Should().Throw<ArgumentException>().WithMessage("weights must give at least one reward a weight above 0. (Parameter 'weights')");
        var none = () => PointValuation.CheapestReward(Catalog, Currency.USD);
        none.Should().Throw<ArgumentException>().WithMessage("No reward of the catalogue has a points cost and a cost to the shop in USD; give rewards a cost with RewardDefinition.WithCostToShop (vouchers cost their amount) or use PointValuation.PerPoint. (Parameter 'catalog')");
    }
}
