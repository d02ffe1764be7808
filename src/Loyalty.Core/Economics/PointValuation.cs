using System.Globalization;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;

namespace Loyalty.Core.Economics;

/// <summary>
/// What one outstanding point costs the shop: a configured amount, or derived from the reward
/// catalogue (the cheapest reward's cost per point, or a weighted mix of the rewards' costs per point).
/// </summary>
/// <remarks>Immutable and thread-safe. A reward's cost per point is its <see cref="RewardDefinition.CostToShop"/> ÷ its points <see cref="RewardDefinition.Cost"/>.</remarks>
public sealed class PointValuation
{
    private PointValuation(Money costPerPoint, string description)
    {
        CostPerPoint = costPerPoint;
        Description = description;
    }

    /// <summary>The cost of one point to the shop, unrounded.</summary>
    public Money CostPerPoint { get; }

    /// <summary>How the cost was obtained, e.g. <c>cheapest reward voucher-5 (0.01 EUR per point)</c>.</summary>
    public string Description { get; }

    /// <summary>A configured cost per point.</summary>
    /// <param name="costPerPoint">The cost of one point, 0 or more.</param>
    /// <returns>The valuation.</returns>
    /// <exception cref="ArgumentException">The cost is negative or has no currency.</exception>
    public static PointValuation PerPoint(Money costPerPoint)
    {
        if (costPerPoint.Currency.IsDefault)
        {
            throw new ArgumentException("costPerPoint must have a currency, e.g. Money.FromDecimal(0.01m, \"EUR\").", nameof(costPerPoint));
        }

        EconomicsGuard.CostPerPoint(costPerPoint.Amount, nameof(costPerPoint));
        return new PointValuation(costPerPoint, string.Create(CultureInfo.InvariantCulture, $"configured {costPerPoint.Amount} {costPerPoint.Currency} per point"));
    }

    /// <summary>The lowest cost per point among the catalogue's rewards that have a cost to the shop (the least the shop may pay for a point).</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="currency">The programme's currency.</param>
    /// <returns>The valuation.</returns>
    /// <exception cref="ArgumentException">No reward has a points cost and a cost to the shop in <paramref name="currency"/>.</exception>
    public static PointValuation CheapestReward(RewardCatalog catalog, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var best = Valued(catalog, currency).OrderBy(r => r.PerPoint).ThenBy(r => r.Reward.Id).FirstOrDefault();
        return best.Reward is null
            ? throw NoValuedReward(currency, nameof(catalog))
            : new PointValuation(Money.FromDecimal(best.PerPoint, currency), string.Create(CultureInfo.InvariantCulture, $"cheapest reward {best.Reward.Id} ({best.PerPoint} {currency} per point)"));
    }

    /// <summary>A weighted mix of the rewards' costs per point, e.g. weights = the share of redemptions each reward took last year.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="currency">The programme's currency.</param>
    /// <param name="weights">A weight (0 or more) per reward id; rewards not named weigh 0; at least one positive weight.</param>
    /// <returns>The valuation.</returns>
    /// <exception cref="ArgumentException">A weight is negative, names a reward that is not in the catalogue or has no cost to the shop, or all weights are 0.</exception>
    public static PointValuation WeightedMix(RewardCatalog catalog, Currency currency, IReadOnlyDictionary<RewardId, decimal> weights)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(weights);
        var valued = Valued(catalog, currency).ToDictionary(r => r.Reward.Id, r => r.PerPoint);
        decimal sum = 0m, weighted = 0m;
        foreach (var (id, weight) in weights.OrderBy(w => w.Key))
        {
            if (weight < 0m)
            {
                throw new ArgumentOutOfRangeException(nameof(weights), weight, $"The weight of reward '{id}' must be 0 or more (was {weight.ToString(CultureInfo.InvariantCulture)}).");
            }

            if (!valued.TryGetValue(id, out var perPoint))
            {
                throw new ArgumentException($"Reward '{id}' is not in the catalogue with a points cost and a cost to the shop in {currency}; give it one with WithCostToShop or remove its weight.", nameof(weights));
            }

            sum += weight;
            weighted += weight * perPoint;
        }

        if (sum == 0m)
        {
            throw new ArgumentException("weights must give at least one reward a weight above 0.", nameof(weights));
        }

        var cost = weighted / sum;
        return new PointValuation(Money.FromDecimal(cost, currency), string.Create(CultureInfo.InvariantCulture, $"weighted mix of {weights.Count} rewards ({cost:0.######} {currency} per point)"));
    }

    /// <summary>Values <paramref name="points"/> points: points × cost per point, rounded to <paramref name="decimals"/> places, midpoint away from zero.</summary>
    /// <param name="points">The points.</param>
    /// <param name="decimals">Money decimals, 0 to 4.</param>
    /// <returns>The value.</returns>
    public Money Value(long points, int decimals = 2) =>
        Money.FromDecimal(Math.Round(points * CostPerPoint.Amount, EconomicsGuard.Decimals(decimals, nameof(decimals)), MidpointRounding.AwayFromZero), CostPerPoint.Currency);

    /// <summary>The description.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Description;

    internal static IEnumerable<(RewardDefinition Reward, decimal PerPoint)> Valued(RewardCatalog catalog, Currency currency) =>
        catalog.Rewards
            .Where(r => r.Cost.IsPositive && r.CostToShop is { } c && c.Currency == currency)
            .Select(r => (r, r.CostToShop!.Value.Amount / r.Cost.Value));

    private static ArgumentException NoValuedReward(Currency currency, string paramName) =>
        new($"No reward of the catalogue has a points cost and a cost to the shop in {currency}; give rewards a cost with RewardDefinition.WithCostToShop (vouchers cost their amount) or use PointValuation.PerPoint.", paramName);
}
