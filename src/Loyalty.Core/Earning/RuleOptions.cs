using Loyalty.Core.Primitives;

namespace Loyalty.Core.Earning;

/// <summary>How a rule turns its desired (fractional) points into whole points, once per rule per order.</summary>
public enum PointsRounding
{
    /// <summary>Round down (the default): 12.9 → 12.</summary>
    Floor = 0,

    /// <summary>Round to nearest, halves up: 12.5 → 13, 12.4 → 12.</summary>
    HalfUp = 1,

    /// <summary>Round to nearest, halves to the even neighbour: 12.5 → 12, 13.5 → 14.</summary>
    HalfEven = 2,

    /// <summary>Round up: 12.1 → 13.</summary>
    Ceiling = 3,
}

/// <summary>How the rules of one stacking group combine.</summary>
public enum StackingMode
{
    /// <summary>Every rule of the group that fires awards its points.</summary>
    Stack = 0,

    /// <summary>Only the rule awarding the most points is kept (the earliest in evaluation order on a tie).</summary>
    BestOf = 1,

    /// <summary>Only the first rule of the group (in evaluation order) that fires is kept; the rest are skipped.</summary>
    FirstMatch = 2,
}

/// <summary>What a fixed bonus is counted per.</summary>
public enum BonusBasis
{
    /// <summary>Once per order.</summary>
    PerOrder = 0,

    /// <summary>Once per unit of every matching line (quantity counts).</summary>
    PerUnit = 1,
}

/// <summary>What happens to a basket-threshold bonus when part of the order is refunded.</summary>
public enum BonusClawback
{
    /// <summary>The bonus is kept on partial refunds and taken back only when the whole order is refunded.</summary>
    Keep = 0,

    /// <summary>The whole bonus is taken back as soon as the net order falls below the threshold.</summary>
    ReverseBelowThreshold = 1,
}

/// <summary>A named stacking group of a rule set.</summary>
/// <param name="Name">The name that rules use in <see cref="EarningRule.Group"/>.</param>
/// <param name="Mode">How the group's rules combine.</param>
public sealed record RuleGroup(string Name, StackingMode Mode);

/// <summary>Selects order lines by SKU, category or brand.</summary>
/// <remarks>
/// A line matches when its SKU is in <see cref="Skus"/>, or one of its categories is in
/// <see cref="Categories"/>, or its brand is in <see cref="Brands"/> (ordinal comparison).
/// A selector with all three lists empty is invalid in a rule set.
/// </remarks>
public sealed record LineSelector
{
    /// <summary>SKUs that match.</summary>
    public IReadOnlyList<string>? Skus { get; init; }

    /// <summary>Categories that match.</summary>
    public IReadOnlyList<string>? Categories { get; init; }

    /// <summary>Brands that match.</summary>
    public IReadOnlyList<string>? Brands { get; init; }

    /// <summary>A selector matching lines in any of the given categories.</summary>
    /// <param name="categories">The categories.</param>
    /// <returns>The selector.</returns>
    public static LineSelector ForCategories(params string[] categories) => new() { Categories = categories };

    /// <summary>A selector matching lines with any of the given SKUs.</summary>
    /// <param name="skus">The SKUs.</param>
    /// <returns>The selector.</returns>
    public static LineSelector ForSkus(params string[] skus) => new() { Skus = skus };

    /// <summary>A selector matching lines of any of the given brands.</summary>
    /// <param name="brands">The brands.</param>
    /// <returns>The selector.</returns>
    public static LineSelector ForBrands(params string[] brands) => new() { Brands = brands };

    internal bool Matches(OrderLine line)
    {
        if (Skus is { } skus && Contains(skus, line.Sku))
        {
            return true;
        }

        if (Categories is { } categories)
        {
            var lineCategories = line.Categories;
            for (var i = 0; i < lineCategories.Count; i++)
            {
                if (Contains(categories, lineCategories[i]))
                {
                    return true;
                }
            }
        }

        return Brands is { } brands && line.Brand is { } brand && Contains(brands, brand);
    }

    internal static bool Contains(IReadOnlyList<string> set, string value)
    {
        for (var i = 0; i < set.Count; i++)
        {
            if (string.Equals(set[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    internal void Validate(string path, List<string> errors)
    {
        if ((Skus?.Count ?? 0) + (Categories?.Count ?? 0) + (Brands?.Count ?? 0) == 0)
        {
            errors.Add($"{path} must list at least one sku, category or brand.");
        }

        CheckList(Skus, path + ".skus", errors);
        CheckList(Categories, path + ".categories", errors);
        CheckList(Brands, path + ".brands", errors);
    }

    internal static void CheckList(IReadOnlyList<string>? values, string path, List<string> errors)
    {
        if (values is null)
        {
            return;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(values[i]))
            {
                errors.Add($"{path}[{i}] must not be empty.");
            }
        }
    }
}

/// <summary>A cap on what one rule may award one member in one calendar period.</summary>
/// <remarks>At least one of <see cref="MaxPoints"/> and <see cref="MaxAwards"/> must be set.</remarks>
public sealed record PeriodCap
{
    /// <summary>The period, computed in the programme's time zone.</summary>
    public CapPeriod Period { get; init; }

    /// <summary>The most points the rule may award the member in one period, or null for no point limit.</summary>
    public Points? MaxPoints { get; init; }

    /// <summary>The most orders or activities that may earn from the rule in one period (e.g. 5 reviews a month), or null.</summary>
    public int? MaxAwards { get; init; }
}

/// <summary>The caps of a rule, applied after rounding in this order: per order, per member per period, campaign budget.</summary>
public sealed record RuleCaps
{
    /// <summary>The most points the rule may award on one order or activity, or null.</summary>
    public Points? PerOrder { get; init; }

    /// <summary>A per-member, per-period cap, or null.</summary>
    public PeriodCap? PerMember { get; init; }

    /// <summary>The most points the rule may give out across all members (a campaign budget), or null.</summary>
    public Points? CampaignBudget { get; init; }
}

/// <summary>One entry of a tier multiplier table.</summary>
/// <param name="Tier">The tier.</param>
/// <param name="Multiplier">The multiplier for members of that tier (1 or greater).</param>
public sealed record TierMultiplier(TierId Tier, decimal Multiplier);
