using Loyalty.Core.Rewards;
using NodaTime;

namespace Loyalty.Core.Configuration;

/// <summary>
/// The data form of one reward of the catalogue, as written in the <c>Loyalty:Rewards</c> list of
/// <c>appsettings.json</c> or set in code through <c>AddLoyalty(o =&gt; o.Rewards.Add(…))</c>. Nothing is
/// checked until the options are validated; money is in the programme's currency.
/// </summary>
/// <remarks>A plain mutable options object; not thread-safe while being filled.</remarks>
public sealed class RewardOptions
{
    /// <summary>The reward's id, unique in the catalogue, e.g. <c>voucher-5</c>.</summary>
    public string? Id { get; set; }

    /// <summary>The name members see, e.g. <c>5 € voucher</c>.</summary>
    public string? Name { get; set; }

    /// <summary>What the reward gives (required).</summary>
    public RewardKind? Kind { get; set; }

    /// <summary>The points one redemption costs; greater than 0 (left out for <see cref="RewardKind.PayWithPoints"/>).</summary>
    public long? Cost { get; set; }

    /// <summary>For <see cref="RewardKind.AmountOffVoucher"/>, the amount off in units of the programme's currency, e.g. <c>5.00</c>.</summary>
    public decimal? AmountOff { get; set; }

    /// <summary>For <see cref="RewardKind.PercentageDiscount"/>, the percentage off in (0, 100], e.g. <c>10</c>.</summary>
    public decimal? Percentage { get; set; }

    /// <summary>For <see cref="RewardKind.GiftProduct"/>, the SKU of the gift.</summary>
    public string? GiftSku { get; set; }

    /// <summary>For <see cref="RewardKind.PayWithPoints"/>, the exchange terms.</summary>
    public PayWithPointsOptions? PayWithPoints { get; set; }

    /// <summary>The lowest tier that may have the reward (a tier id of the ladder), or null for every member.</summary>
    public string? RequiredTier { get; set; }

    /// <summary>How many redemptions the catalogue offers in all (0 or more), or null for unlimited.</summary>
    public long? Stock { get; set; }

    /// <summary>The first instant the reward is offered (inclusive), or null for always.</summary>
    public Instant? ValidFrom { get; set; }

    /// <summary>The instant the reward stops being offered (exclusive), or null for never.</summary>
    public Instant? ValidUntil { get; set; }

    /// <summary>What one redemption costs the shop, in units of the programme's currency (0 or more), or null when unknown.</summary>
    public decimal? CostToShop { get; set; }

    /// <summary>
    /// The currency of the reward's money: leave it out (the reward inherits the programme's currency);
    /// stating another currency than the programme's is an error.
    /// </summary>
    public string? Currency { get; set; }
}

/// <summary>The data form of <see cref="PayWithPointsTerms"/>: "<see cref="RatePoints"/> points are worth <see cref="RateWorth"/>".</summary>
/// <remarks>A plain mutable options object.</remarks>
public sealed class PayWithPointsOptions
{
    /// <summary>The points side of the exchange rate, e.g. <c>100</c>; greater than 0.</summary>
    public long RatePoints { get; set; }

    /// <summary>What <see cref="RatePoints"/> points are worth in units of the programme's currency, e.g. <c>1.00</c>; greater than 0.</summary>
    public decimal RateWorth { get; set; }

    /// <summary>The fewest points a member may use at once; 0 or more. Default 0.</summary>
    public long MinimumPoints { get; set; }

    /// <summary>The largest share of the order points may pay, in (0, 1]. Default 1 (the whole order).</summary>
    public decimal MaximumShareOfOrder { get; set; } = 1m;
}
