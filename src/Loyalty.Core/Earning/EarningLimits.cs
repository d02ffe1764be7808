namespace Loyalty.Core.Earning;

/// <summary>
/// The bounds every number the earning engine accepts must stay within, chosen so that no accepted
/// rule set, order or refund can overflow afterwards: the largest order (<see cref="MaxAmount"/>)
/// at the highest rate (<see cref="MaxPointsPerUnit"/>) and the highest multiplier
/// (<see cref="MaxMultiplier"/>) earns at most 10<sup>16</sup> points per rule, and
/// <see cref="MaxRules"/> such rules stay below <see cref="long.MaxValue"/> (≈ 9.2 × 10<sup>18</sup>).
/// </summary>
/// <remarks>Values outside the bounds are refused up front, with the field named, by the constructors and by <see cref="EarningRuleSet.Create"/>.</remarks>
public static class EarningLimits
{
    /// <summary>
    /// The largest amount of money, in units of the currency (10<sup>12</sup>, a trillion euros
    /// or yen): a unit price, a line's gross amount, shipping, tax, the part paid with points, an
    /// order's total, a refund, a threshold or a subtotal bound.
    /// </summary>
    public const decimal MaxAmount = 1_000_000_000_000m;

    /// <summary>The most units of one line, and of one whole order: 1,000,000.</summary>
    public const int MaxQuantity = 1_000_000;

    /// <summary>The highest spend rate a spend rule may award: 100 points per unit of the currency.</summary>
    public const decimal MaxPointsPerUnit = 100m;

    /// <summary>The highest multiplier (multiplier rules, tier multipliers, a member's tier earn multiplier): 100.</summary>
    public const decimal MaxMultiplier = 100m;

    /// <summary>The most points a fixed bonus, threshold bonus, order-count bonus or activity rule may award at once (per order or per unit): 1,000,000,000.</summary>
    public const long MaxBonusPoints = 1_000_000_000;

    /// <summary>The most rules a rule set may hold: 500.</summary>
    public const int MaxRules = 500;
}
