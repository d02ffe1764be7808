using System.Globalization;
using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Rewards;

/// <summary>
/// One entry of the rewards catalogue, as data: what it gives (<see cref="Kind"/>), what it
/// costs, who may have it (<see cref="RequiredTier"/>), how many there are (<see cref="Stock"/>)
/// and when it is offered (<see cref="ValidFrom"/>, <see cref="ValidUntil"/>).
/// </summary>
/// <remarks>
/// <para>Immutable and thread-safe. Create one with a factory per kind
/// (<see cref="AmountOffVoucher"/>, <see cref="PercentageDiscount"/>, <see cref="FreeShipping"/>,
/// <see cref="GiftProduct"/>, <see cref="PayWithPoints"/>), then refine it with the
/// <c>With…</c> methods, which return a copy.</para>
/// <para>The validity window is half-open: offered from <see cref="ValidFrom"/> (inclusive) until
/// <see cref="ValidUntil"/> (exclusive); an absent bound is open.</para>
/// </remarks>
public sealed class RewardDefinition
{
    private RewardDefinition(RewardId id, string name, RewardKind kind, Points cost)
    {
        Id = id;
        Name = name;
        Kind = kind;
        Cost = cost;
    }

    private RewardDefinition(RewardDefinition other)
    {
        Id = other.Id;
        Name = other.Name;
        Kind = other.Kind;
        Cost = other.Cost;
        AmountOff = other.AmountOff;
        Percentage = other.Percentage;
        GiftSku = other.GiftSku;
        PayWithPointsTerms = other.PayWithPointsTerms;
        RequiredTier = other.RequiredTier;
        Stock = other.Stock;
        ValidFrom = other.ValidFrom;
        ValidUntil = other.ValidUntil;
        CostToShopGiven = other.CostToShopGiven;
        CodeValidity = other.CodeValidity;
        CodeUses = other.CodeUses;
        ReturnPointsOnExpiry = other.ReturnPointsOnExpiry;
    }

    /// <summary>The reward's id, unique in its catalogue.</summary>
    public RewardId Id { get; }

    /// <summary>The name members see, e.g. <c>5 € voucher</c>.</summary>
    public string Name { get; }

    /// <summary>What the reward gives.</summary>
    public RewardKind Kind { get; }

    /// <summary>The points one redemption costs; <see cref="Points.Zero"/> for <see cref="RewardKind.PayWithPoints"/>, whose cost the member chooses.</summary>
    public Points Cost { get; }

    /// <summary>For <see cref="RewardKind.AmountOffVoucher"/>, the amount off; otherwise null.</summary>
    public Money? AmountOff { get; private init; }

    /// <summary>For <see cref="RewardKind.PercentageDiscount"/>, the percentage off in (0, 100]; otherwise null.</summary>
    public decimal? Percentage { get; private init; }

    /// <summary>For <see cref="RewardKind.GiftProduct"/>, the SKU of the gift; otherwise null.</summary>
    public string? GiftSku { get; private init; }

    /// <summary>For <see cref="RewardKind.PayWithPoints"/>, the exchange terms; otherwise null.</summary>
    public PayWithPointsTerms? PayWithPointsTerms { get; private init; }

    /// <summary>The lowest tier that may have the reward (private access), or null when every member may.</summary>
    public TierId? RequiredTier { get; private init; }

    /// <summary>How many redemptions the catalogue offers in all, or null for unlimited. Cancelled redemptions give their unit back.</summary>
    public long? Stock { get; private init; }

    /// <summary>The first instant the reward is offered (inclusive), or null for always.</summary>
    public Instant? ValidFrom { get; private init; }

    /// <summary>The instant the reward stops being offered (exclusive), or null for never.</summary>
    public Instant? ValidUntil { get; private init; }

    /// <summary>
    /// What one redemption costs the shop (not its face value): the cost given with
    /// <see cref="WithCostToShop"/> (a gift's cost price, free shipping's carriage), otherwise a
    /// voucher's <see cref="AmountOff"/>; null when unknown (a percentage discount or a gift with no cost given).
    /// Used by the programme economics (liability valuation, reward cost, cost ratio).
    /// </summary>
    public Money? CostToShop => CostToShopGiven ?? (Kind == RewardKind.AmountOffVoucher ? AmountOff : null);

    private Money? CostToShopGiven { get; init; }

    /// <summary>How long a redemption's code can be used, or null when it never expires (the default).</summary>
    public RewardCodeValidity? CodeValidity { get; private init; }

    /// <summary>How many orders may use one redemption's code; 1 (single use) by default.</summary>
    public int CodeUses { get; private init; } = 1;

    /// <summary>Whether a code that expires without any use gives its points back (through maintenance); false by default.</summary>
    public bool ReturnPointsOnExpiry { get; private init; }

    /// <summary>
    /// A copy whose redemption codes can be used for <paramref name="validity"/>, by
    /// <paramref name="uses"/> orders, and give their points back when they expire unused if
    /// <paramref name="returnPointsOnExpiry"/>.
    /// </summary>
    /// <param name="validity">How long a code can be used, or null for never expiring.</param>
    /// <param name="uses">How many orders may use one code, 1 to 1,000; 1 is single use.</param>
    /// <param name="returnPointsOnExpiry">Whether an expired code never used gives its points back; needs a validity.</param>
    /// <returns>The copy.</returns>
    /// <exception cref="ArgumentException">The reward is <see cref="RewardKind.PayWithPoints"/> (it has no code), <paramref name="uses"/> is out of range, or points are to be returned from codes that never expire.</exception>
    public RewardDefinition WithCodeLifecycle(RewardCodeValidity? validity, int uses = 1, bool returnPointsOnExpiry = false)
    {
        if (Kind == RewardKind.PayWithPoints)
        {
            throw new ArgumentException($"Reward '{Id}' is PayWithPoints, which issues no code; a code lifecycle applies to vouchers, discounts, free shipping and gifts.", nameof(validity));
        }

        if (uses is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(uses), uses, $"uses must be 1 to 1000, e.g. 1 for a single-use code (was {uses.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (returnPointsOnExpiry && validity is null)
        {
            throw new ArgumentException($"Reward '{Id}' returns points on expiry but its codes never expire; give a validity (e.g. RewardCodeValidity.DaysAfterIssue(30)) or do not return points.", nameof(returnPointsOnExpiry));
        }

        return new RewardDefinition(this) { CodeValidity = validity, CodeUses = uses, ReturnPointsOnExpiry = returnPointsOnExpiry };
    }

    /// <summary>A copy whose redemption costs the shop <paramref name="cost"/> (e.g. a gift's cost price, or the average discount a percentage reward gives).</summary>
    /// <param name="cost">The cost of one redemption to the shop, 0 or more.</param>
    /// <returns>The copy.</returns>
    /// <exception cref="ArgumentException"><paramref name="cost"/> is negative or has no currency.</exception>
    public RewardDefinition WithCostToShop(Money cost)
    {
        if (cost.Currency.IsDefault || cost.Amount < 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(cost), cost, $"cost must be 0 or more in the programme's currency, e.g. 3.20 EUR for a gift's cost price (was {cost}).");
        }

        return new RewardDefinition(this) { CostToShopGiven = cost };
    }

    /// <summary>A voucher worth a fixed amount off an order.</summary>
    /// <param name="id">The reward's id.</param>
    /// <param name="name">The name members see.</param>
    /// <param name="cost">The points it costs; greater than 0.</param>
    /// <param name="amountOff">The amount off; greater than 0.</param>
    /// <returns>The reward.</returns>
    /// <exception cref="ArgumentException">An argument is invalid; the message says which and how to fix it.</exception>
    public static RewardDefinition AmountOffVoucher(RewardId id, string name, Points cost, Money amountOff)
    {
        var reward = Create(id, name, RewardKind.AmountOffVoucher, cost);
        if (amountOff.Currency.IsDefault || amountOff.Amount <= 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(amountOff), amountOff, $"amountOff must be a positive amount of money, e.g. 5.00 EUR (was {amountOff}).");
        }

        return new RewardDefinition(reward) { AmountOff = amountOff };
    }

    /// <summary>A percentage off an order.</summary>
    /// <param name="id">The reward's id.</param>
    /// <param name="name">The name members see.</param>
    /// <param name="cost">The points it costs; greater than 0.</param>
    /// <param name="percentage">The percentage off, greater than 0 and at most 100 (10 means 10 %).</param>
    /// <returns>The reward.</returns>
    /// <exception cref="ArgumentException">An argument is invalid; the message says which and how to fix it.</exception>
    public static RewardDefinition PercentageDiscount(RewardId id, string name, Points cost, decimal percentage)
    {
        var reward = Create(id, name, RewardKind.PercentageDiscount, cost);
        if (percentage <= 0m || percentage > 100m)
        {
            throw new ArgumentOutOfRangeException(nameof(percentage), percentage, $"percentage must be greater than 0 and at most 100, e.g. 10 for 10 % off (was {percentage.ToString(CultureInfo.InvariantCulture)}).");
        }

        return new RewardDefinition(reward) { Percentage = percentage };
    }

    /// <summary>Free shipping on an order.</summary>
    /// <param name="id">The reward's id.</param>
    /// <param name="name">The name members see.</param>
    /// <param name="cost">The points it costs; greater than 0.</param>
    /// <returns>The reward.</returns>
    /// <exception cref="ArgumentException">An argument is invalid; the message says which and how to fix it.</exception>
    public static RewardDefinition FreeShipping(RewardId id, string name, Points cost) => Create(id, name, RewardKind.FreeShipping, cost);

    /// <summary>A product given for free.</summary>
    /// <param name="id">The reward's id.</param>
    /// <param name="name">The name members see.</param>
    /// <param name="cost">The points it costs; greater than 0.</param>
    /// <param name="sku">The SKU of the gift in the shop's catalogue.</param>
    /// <returns>The reward.</returns>
    /// <exception cref="ArgumentException">An argument is invalid; the message says which and how to fix it.</exception>
    public static RewardDefinition GiftProduct(RewardId id, string name, Points cost, string sku)
    {
        var reward = Create(id, name, RewardKind.GiftProduct, cost);
        if (string.IsNullOrWhiteSpace(sku))
        {
            throw new ArgumentException("sku must not be empty; give the SKU of the gift in the shop's catalogue, e.g. \"TOTE-BAG\".", nameof(sku));
        }

        return new RewardDefinition(reward) { GiftSku = sku };
    }

    /// <summary>Points spent as money at checkout, through hold / capture / release.</summary>
    /// <param name="id">The reward's id.</param>
    /// <param name="name">The name members see.</param>
    /// <param name="terms">The exchange rate, minimum points and maximum share of the order.</param>
    /// <returns>The reward.</returns>
    /// <exception cref="ArgumentException">An argument is invalid; the message says which and how to fix it.</exception>
    public static RewardDefinition PayWithPoints(RewardId id, string name, PayWithPointsTerms terms)
    {
        Preconditions.CheckNotNull(terms);
        var reward = Create(id, name, RewardKind.PayWithPoints, Points.Zero);
        return new RewardDefinition(reward) { PayWithPointsTerms = terms };
    }

    /// <summary>A copy that only members of <paramref name="tier"/> or a higher tier may have (private access).</summary>
    /// <param name="tier">The lowest tier allowed.</param>
    /// <returns>The copy.</returns>
    /// <exception cref="ArgumentException"><paramref name="tier"/> is <c>default</c>.</exception>
    public RewardDefinition WithRequiredTier(TierId tier)
    {
        Preconditions.CheckNotDefault(tier.IsDefault, nameof(TierId), nameof(tier));
        return new RewardDefinition(this) { RequiredTier = tier };
    }

    /// <summary>A copy offered in <paramref name="units"/> units in all.</summary>
    /// <param name="units">The number of units; 0 or more (0 is sold out).</param>
    /// <returns>The copy.</returns>
    /// <exception cref="ArgumentException"><paramref name="units"/> is negative, or the reward is <see cref="RewardKind.PayWithPoints"/>.</exception>
    public RewardDefinition WithStock(long units)
    {
        Preconditions.CheckNotNegative(units, nameof(units));
        if (Kind == RewardKind.PayWithPoints)
        {
            throw new ArgumentException($"Reward '{Id}' is PayWithPoints, which has no stock; limit it with PayWithPointsTerms instead.", nameof(units));
        }

        return new RewardDefinition(this) { Stock = units };
    }

    /// <summary>A copy offered only from <paramref name="from"/> (inclusive) until <paramref name="until"/> (exclusive).</summary>
    /// <param name="from">The first instant, or null for always.</param>
    /// <param name="until">The end (exclusive), or null for never.</param>
    /// <returns>The copy.</returns>
    /// <exception cref="ArgumentException"><paramref name="until"/> is not after <paramref name="from"/>.</exception>
    public RewardDefinition WithValidity(Instant? from, Instant? until)
    {
        if (from is { } start && until is { } end && end <= start)
        {
            throw new ArgumentException($"until ({end}) must be after from ({start}); the window is [from, until).", nameof(until));
        }

        return new RewardDefinition(this) { ValidFrom = from, ValidUntil = until };
    }

    /// <summary>Whether the reward is offered at <paramref name="instant"/> (its validity window contains it).</summary>
    /// <param name="instant">The instant.</param>
    /// <returns>True when offered.</returns>
    public bool IsOfferedAt(Instant instant) =>
        (ValidFrom is not { } from || instant >= from) && (ValidUntil is not { } until || instant < until);

    /// <summary>What the reward gives, in words, e.g. <c>5.00 EUR off</c> or <c>gift TOTE-BAG</c>.</summary>
    /// <returns>The description.</returns>
    public string DescribeBenefit() => Kind switch
    {
        RewardKind.AmountOffVoucher => $"{AmountOff} off",
        RewardKind.PercentageDiscount => string.Create(CultureInfo.InvariantCulture, $"{Percentage:0.##}% off"),
        RewardKind.FreeShipping => "free shipping",
        RewardKind.GiftProduct => $"gift {GiftSku}",
        _ => $"pay with points ({PayWithPointsTerms})",
    };

    /// <summary>The reward in one line, e.g. <c>5 € voucher (voucher-5): 500 points for 5.00 EUR off</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        Kind == RewardKind.PayWithPoints ? $"{Name} ({Id}): {DescribeBenefit()}" : $"{Name} ({Id}): {Cost} points for {DescribeBenefit()}";

    private static RewardDefinition Create(RewardId id, string name, RewardKind kind, Points cost)
    {
        Preconditions.CheckNotDefault(id.IsDefault, nameof(RewardId), nameof(id));
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("name must not be empty; give the name members see, e.g. \"5 € voucher\".", nameof(name));
        }

        if (kind != RewardKind.PayWithPoints)
        {
            Preconditions.CheckPositive(cost.Value, nameof(cost));
        }

        return new RewardDefinition(id, name, kind, cost);
    }
}
