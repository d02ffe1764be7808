using Loyalty.Core.Internal;

namespace Loyalty.Core.Tiers;

/// <summary>
/// One requirement of a tier: a minimum qualifying value of one <see cref="QualifyingMetric"/>
/// over the qualification window, e.g. "at least 1,000 qualifying points".
/// </summary>
/// <remarks>Immutable and thread-safe. <c>default(TierThreshold)</c> is "0 points" and is rejected by <see cref="TierLadder"/>.</remarks>
public readonly record struct TierThreshold
{
    private TierThreshold(QualifyingMetric metric, decimal minimum)
    {
        Metric = metric;
        Minimum = minimum;
    }

    /// <summary>The metric measured.</summary>
    public QualifyingMetric Metric { get; }

    /// <summary>The minimum value (inclusive) the window must hold.</summary>
    public decimal Minimum { get; }

    /// <summary>A minimum number of qualifying points.</summary>
    /// <param name="minimum">Greater than zero.</param>
    /// <returns>The threshold.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minimum"/> is zero or negative.</exception>
    public static TierThreshold FromPoints(long minimum) => new(QualifyingMetric.Points, Preconditions.CheckPositive(minimum));

    /// <summary>A minimum qualifying spend, in units of the programme currency.</summary>
    /// <param name="minimum">Greater than zero.</param>
    /// <returns>The threshold.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minimum"/> is zero or negative.</exception>
    public static TierThreshold FromSpend(decimal minimum) => minimum > 0m
        ? new(QualifyingMetric.Spend, minimum)
        : throw new ArgumentOutOfRangeException(nameof(minimum), minimum, $"{nameof(minimum)} must be greater than 0 (was {minimum}).");

    /// <summary>A minimum number of orders.</summary>
    /// <param name="minimum">Greater than zero.</param>
    /// <returns>The threshold.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minimum"/> is zero or negative.</exception>
    public static TierThreshold FromOrders(int minimum) => new(QualifyingMetric.Orders, Preconditions.CheckPositive(minimum));

    /// <summary>Whether the totals meet this threshold.</summary>
    /// <param name="totals">The qualifying totals of a window.</param>
    /// <returns>True when the measured value is at least <see cref="Minimum"/>.</returns>
    public bool IsMetBy(QualifyingTotals totals) => totals.ValueOf(Metric) >= Minimum;

    /// <summary>A readable form, e.g. <c>Points &gt;= 1000</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"{Metric} >= {Minimum.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
