using Loyalty.Core.Primitives;

namespace Loyalty.Core.Segmentation;

/// <summary>One line of the segment report.</summary>
/// <remarks>Immutable.</remarks>
/// <param name="Segment">The segment name.</param>
/// <param name="Customers">Customers in the segment.</param>
/// <param name="CustomerShare">Customers in the segment divided by all customers scored (0 when there are none).</param>
/// <param name="Revenue">Net amount spent by the segment's customers in the window.</param>
/// <param name="RevenueShare">The segment's revenue divided by the revenue of all customers (0 when the total is 0).</param>
/// <param name="Orders">Distinct orders of the segment's customers in the window.</param>
/// <param name="AverageOrderValue">Revenue divided by orders (zero when the segment is empty).</param>
public sealed record SegmentReportRow(
    string Segment,
    int Customers,
    decimal CustomerShare,
    Money Revenue,
    decimal RevenueShare,
    long Orders,
    Money AverageOrderValue);
