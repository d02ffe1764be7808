namespace Loyalty.Core.Tiers;

/// <summary>The qualifying value a member holds in a window: points, spend and orders, net of refunds.</summary>
/// <param name="Points">Qualifying points of the counted earn kinds.</param>
/// <param name="Spend">Qualifying spend in units of the programme currency.</param>
/// <param name="Orders">Number of orders, net of cancellations.</param>
/// <remarks>Immutable and thread-safe; <c>default</c> is all zero.</remarks>
public readonly record struct QualifyingTotals(long Points, decimal Spend, long Orders)
{
    /// <summary>The value of one metric.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>The value as a decimal.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not a defined metric.</exception>
    public decimal ValueOf(QualifyingMetric metric) => metric switch
    {
        QualifyingMetric.Points => Points,
        QualifyingMetric.Spend => Spend,
        QualifyingMetric.Orders => Orders,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, $"{nameof(metric)} must be Points, Spend or Orders (was {(int)metric})."),
    };
}
