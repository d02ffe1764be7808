using System.Globalization;
using System.Collections;
using Loyalty.Core.Analytics.Internal;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;

namespace Loyalty.Core.Analytics;

/// <summary>
/// Customer lifetime value per customer, ranked from the most valuable: expected purchases
/// (BG/NBD or Pareto/NBD) × expected spend per purchase (Gamma-Gamma) × margin, discounted month
/// by month over the horizon; and the same summed per RFMP segment.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. The purchase model is evaluated once per distinct (x, t_x, T) row of
/// the customer base. The model's time unit must be the customer base's: fit the models on the
/// same <see cref="CustomerBase"/>.
/// </remarks>
public sealed class LifetimeValueReport
{
    /// <summary>The segment name given to customers of the report that the RFMP result does not score.</summary>
    public const string Unsegmented = "Unsegmented";

    private const double DaysPerMonth = 365.25 / 12;

    private readonly RankedValues ranked;

    private LifetimeValueReport(RankedValues ranked, LifetimeValueOptions options, double horizon, string purchaseModel)
    {
        this.ranked = ranked;
        Options = options;
        Horizon = horizon;
        PurchaseModel = purchaseModel;
        TotalValue = ranked.Total;
    }

    /// <summary>The customers, most valuable first.</summary>
    public IReadOnlyList<CustomerValue> Customers => ranked;

    /// <summary>The sum of the customers' values.</summary>
    public double TotalValue { get; }

    /// <summary>The options the report was computed with.</summary>
    public LifetimeValueOptions Options { get; }

    /// <summary>The horizon in the customer base's time unit.</summary>
    public double Horizon { get; }

    /// <summary>The name of the purchase model used, e.g. <c>BG/NBD</c>.</summary>
    public string PurchaseModel { get; }

    /// <summary>Computes every customer's lifetime value and ranks them.</summary>
    /// <param name="customers">The customer base the models were fitted on (or one in the same time unit).</param>
    /// <param name="purchases">The purchase model (BG/NBD or Pareto/NBD).</param>
    /// <param name="spend">The spend model.</param>
    /// <param name="options">Horizon, discount rate and margin; null for <see cref="LifetimeValueOptions.Default"/>.</param>
    /// <returns>The ranked report.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException">The spend model's q ≤ 1 (infinite expected spend).</exception>
    public static LifetimeValueReport Compute(CustomerBase customers, PurchaseModel purchases, GammaGammaModel spend, LifetimeValueOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(customers);
        ArgumentNullException.ThrowIfNull(purchases);
        ArgumentNullException.ThrowIfNull(spend);
        options ??= LifetimeValueOptions.Default;
        options.Validate();
        spend.EnsureFiniteMean();

        var months = options.Months;
        var monthLength = DaysPerMonth / CustomerBase.DaysPer(customers.Unit);
        var horizon = months * monthLength;
        var times = new double[months];
        var discounts = new double[months];
        for (var k = 0; k < months; k++)
        {
            times[k] = (k + 1) * monthLength;
            discounts[k] = Math.Pow(1 + options.AnnualDiscountRate, -(k + 1) / 12.0);
        }

        // The expectation given alive depends on (x, T) only: computed once per distinct pair, month by month.
        var data = customers.Data;
        var groups = data.Length;
        var pairs = data.Pairs;
        var pairOfGroup = data.PairOfGroup;
        var pairExpected = new double[pairs.Length];
        var pairDiscounted = new double[pairs.Length];
        Parallel.For(0, pairs.Length, p =>
        {
            var (x, t) = pairs[p];
            double previous = 0, sum = 0;
            for (var k = 0; k < months; k++)
            {
                var cumulative = purchases.ExpectedIfAliveCore(x, t, times[k]);
                sum += (cumulative - previous) * discounts[k];
                previous = cumulative;
            }

            pairExpected[p] = previous;
            pairDiscounted[p] = sum;
        });

        var alive = new double[groups];
        var expectedByGroup = new double[groups];
        var discountedByGroup = new double[groups];
        Ranking.Chunks(groups, (from, to) =>
        {
            for (var g = from; g < to; g++)
            {
                var a = purchases.ProbabilityAliveCore(data.X[g], data.Tx[g], data.T[g]);
                alive[g] = a;
                expectedByGroup[g] = a * pairExpected[pairOfGroup[g]];
                discountedByGroup[g] = a * pairDiscounted[pairOfGroup[g]];
            }
        });

        var all = customers.SummaryArray;
        var n = all.Length;
        var value = new double[n];
        var spends = new double[n];
        var margin = options.Margin;
        var invalid = -1;
        Ranking.Chunks(n, (from, to) =>
        {
            for (var i = from; i < to; i++)
            {
                ref readonly var c = ref all[i];
                var g = customers.GroupOf(i);
                var s = spend.ExpectedAverageSpendCore(c.Frequency, c.MeanRepeatSpend);
                var v = margin * s * discountedByGroup[g];
                if (!double.IsFinite(v) || !double.IsFinite(expectedByGroup[g]) || !double.IsFinite(alive[g]))
                {
                    invalid = i;
                }

                spends[i] = s;
                value[i] = v;
            }
        });

        if (invalid >= 0)
        {
            throw new InvalidOperationException(
                $"The lifetime value of customer {all[invalid].Customer} is not a finite number ({purchases}, {spend}); check the models' fit reports.");
        }

        var values = new RankedValues(customers, Ranking.Descending(value), value, spends, alive, expectedByGroup);
        return new LifetimeValueReport(values, options, horizon, purchases.Name);
    }

    /// <summary>
    /// Sums the lifetime values per RFMP segment (joined on the customer), most valuable segment
    /// first; customers the RFMP result does not score are grouped as <see cref="Unsegmented"/>.
    /// </summary>
    /// <param name="segmentation">The RFMP result of the same purchases (e.g. <see cref="RfmpSegmenter.Segment(IEnumerable{Purchase})"/> as of the end of the calibration period).</param>
    /// <returns>One row per segment with customers in the report.</returns>
    public IReadOnlyList<SegmentValue> BySegment(RfmpResult segmentation)
    {
        ArgumentNullException.ThrowIfNull(segmentation);
        var segmentOf = new Dictionary<MemberId, string>(segmentation.Customers.Count);
        foreach (var score in segmentation.Customers)
        {
            segmentOf[score.Customer] = score.Segment;
        }

        var sums = new Dictionary<string, (int Customers, double Value, double Purchases)>(StringComparer.Ordinal);
        foreach (var c in ranked)
        {
            var segment = segmentOf.GetValueOrDefault(c.Customer, Unsegmented);
            var s = sums.GetValueOrDefault(segment);
            sums[segment] = (s.Customers + 1, s.Value + c.Value, s.Purchases + c.ExpectedPurchases);
        }

        var total = TotalValue;
        return sums
            .Select(kv => new SegmentValue(kv.Key, kv.Value.Customers, kv.Value.Value, kv.Value.Value / kv.Value.Customers, total > 0 ? kv.Value.Value / total : 0, kv.Value.Purchases))
            .OrderByDescending(s => s.TotalValue)
            .ThenBy(s => s.Segment, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>A one-line summary, e.g. <c>2,357 customers, total value 123,456.78 over 12 months (BG/NBD)</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{ranked.Count:N0} customers, total value {TotalValue:N2} over {Options.Months} months ({PurchaseModel})");

    /// <summary>
    /// The ranked customers as a read-only list over flat arrays: each <see cref="CustomerValue"/> is
    /// assembled when read, so a report over a million customers holds a few arrays, not a million records.
    /// </summary>
    private sealed class RankedValues(CustomerBase customers, int[] order, double[] value, double[] spends, double[] alive, double[] expected) : IReadOnlyList<CustomerValue>
    {
        public double Total { get; } = value.Sum();

        public int Count => order.Length;

        public CustomerValue this[int index]
        {
            get
            {
                var i = order[index];
                ref readonly var c = ref customers.SummaryArray[i];
                var g = customers.GroupOf(i);
                return new CustomerValue(index + 1, c.Customer, c.Frequency, c.Recency, c.Age, alive[g], expected[g], spends[i], value[i], c.HoldoutFrequency);
            }
        }

        public IEnumerator<CustomerValue> GetEnumerator()
        {
            for (var r = 0; r < order.Length; r++)
            {
                yield return this[r];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
