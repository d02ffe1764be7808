using System.Globalization;

namespace Loyalty.Core.Analytics;

/// <summary>How customer lifetime value is computed: the horizon, the discount rate and the margin.</summary>
/// <remarks>
/// Immutable (init-only). The value of a customer is
/// <c>Margin × expected spend per purchase × Σ_k (E[purchases by month k] − E[purchases by month k−1]) / (1 + AnnualDiscountRate)^(k/12)</c>
/// over <see cref="Months"/> months of 365.25 / 12 days: each month's expected purchases are discounted at its end.
/// </remarks>
public sealed record LifetimeValueOptions
{
    /// <summary>The most months a horizon may have: 1,200 (a hundred years).</summary>
    public const int MaxMonths = 1200;

    /// <summary>The defaults: 12 months, 10 % a year, margin 1 (the value is revenue, not profit).</summary>
    public static LifetimeValueOptions Default { get; } = new();

    /// <summary>The horizon in months of 365.25 / 12 days, 1 to <see cref="MaxMonths"/> (default 12).</summary>
    public int Months { get; init; } = 12;

    /// <summary>The annual discount rate, 0 or more (default 0.10 for 10 % a year).</summary>
    public double AnnualDiscountRate { get; init; } = 0.10;

    /// <summary>The share of spend kept as profit, greater than 0 and at most 1 (default 1: the value is discounted revenue; set the shop's gross margin for a profit value).</summary>
    public double Margin { get; init; } = 1;

    internal void Validate()
    {
        if (Months is < 1 or > MaxMonths)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"LifetimeValueOptions.Months must be between 1 and {MaxMonths} (was {Months})."), "options");
        }

        if (!double.IsFinite(AnnualDiscountRate) || AnnualDiscountRate < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"LifetimeValueOptions.AnnualDiscountRate must be 0 or a positive number such as 0.10 for 10 % a year (was {AnnualDiscountRate})."), "options");
        }

        if (!double.IsFinite(Margin) || Margin <= 0 || Margin > 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"LifetimeValueOptions.Margin must be greater than 0 and at most 1, e.g. 0.3 for a 30 % gross margin (was {Margin})."), "options");
        }
    }
}
