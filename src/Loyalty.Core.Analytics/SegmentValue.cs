namespace Loyalty.Core.Analytics;

/// <summary>Lifetime value summed over the customers of one RFMP segment.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
/// <param name="Segment">The RFMP segment name (e.g. <c>Champions</c>), or <see cref="LifetimeValueReport.Unsegmented"/>.</param>
/// <param name="Customers">Customers of the segment in the report.</param>
/// <param name="TotalValue">The sum of their lifetime values.</param>
/// <param name="MeanValue">The mean lifetime value per customer.</param>
/// <param name="ShareOfValue">The segment's share of the report's total value, 0 to 1.</param>
/// <param name="ExpectedPurchases">The sum of their expected purchases over the horizon.</param>
public readonly record struct SegmentValue(string Segment, int Customers, double TotalValue, double MeanValue, double ShareOfValue, double ExpectedPurchases);
