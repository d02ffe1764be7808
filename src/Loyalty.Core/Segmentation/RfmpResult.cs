using NodaTime;

namespace Loyalty.Core.Segmentation;

/// <summary>The outcome of one RFMP run: every customer's scores and segment, how each dimension was cut, and the segment report.</summary>
/// <remarks>
/// Immutable and thread-safe. For streamed purchases customers are listed in ordinal order of
/// their ids; for pre-aggregated input, in input order. Scores, cut points, counts and the
/// report never depend on the input order.
/// </remarks>
public sealed class RfmpResult
{
    internal RfmpResult(RfmpOptions options, LocalDate asOfDate, CustomerScore[] customers, DimensionSummary[] dimensions,
        SegmentReportRow[] report, PurchaseExclusions exclusions)
    {
        Options = options;
        AsOfDate = asOfDate;
        Customers = customers;
        Dimensions = dimensions;
        Report = report;
        Exclusions = exclusions;
    }

    /// <summary>The options of the run.</summary>
    public RfmpOptions Options { get; }

    /// <summary>The as-of instant's local date in the programme's zone: recency is counted to it.</summary>
    public LocalDate AsOfDate { get; }

    /// <summary>Every customer scored.</summary>
    public IReadOnlyList<CustomerScore> Customers { get; }

    /// <summary>The four dimension summaries, in the order R, F, M, P.</summary>
    public IReadOnlyList<DimensionSummary> Dimensions { get; }

    /// <summary>One row per segment of the map, in the map's order (empty segments included).</summary>
    public IReadOnlyList<SegmentReportRow> Report { get; }

    /// <summary>Purchases excluded on purpose (after the as-of instant, before the window); none for pre-aggregated input.</summary>
    public PurchaseExclusions Exclusions { get; }

    /// <summary>The summary of one dimension.</summary>
    /// <param name="dimension">The dimension.</param>
    /// <returns>Its cut points and counts.</returns>
    public DimensionSummary Summary(RfmpDimension dimension) => Dimensions[(int)dimension];

    /// <summary>
    /// The customers whose segment differs between <paramref name="earlier"/> and this run,
    /// including customers that appear in only one of them (From or To is then null), ordered
    /// by customer id. Filter it for win-back campaigns, e.g. From = Loyal and To = At Risk.
    /// </summary>
    /// <param name="earlier">The earlier run.</param>
    /// <returns>The movements.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="earlier"/> is null.</exception>
    public IReadOnlyList<SegmentMovement> MovementsSince(RfmpResult earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        var before = new Dictionary<Primitives.MemberId, string>(earlier.Customers.Count);
        foreach (var c in earlier.Customers)
        {
            before[c.Customer] = c.Segment;
        }

        var movements = new List<SegmentMovement>();
        foreach (var c in Customers)
        {
            if (before.Remove(c.Customer, out var from))
            {
                if (!string.Equals(from, c.Segment, StringComparison.Ordinal))
                {
                    movements.Add(new SegmentMovement(c.Customer, from, c.Segment));
                }
            }
            else
            {
                movements.Add(new SegmentMovement(c.Customer, null, c.Segment));
            }
        }

        foreach (var (customer, from) in before)
        {
            movements.Add(new SegmentMovement(customer, from, null));
        }

        movements.Sort((a, b) => a.Customer.CompareTo(b.Customer));
        return movements;
    }
}
