using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Segmentation;

/// <summary>
/// Scores customers on Recency, Frequency, Monetary and Product (RFMP), names their R×F
/// segment and reports per segment. Pure: no clock, no I/O.
/// </summary>
/// <remarks>
/// <para>Immutable and thread-safe: one segmenter can score many inputs concurrently.</para>
/// <para>Quantile scores: for each dimension the values of the n customers are ordered and cut
/// point j (j = 1..k−1) is the observed value at 1-based rank ⌈n·j/k⌉. A value v scores
/// 1 + (the number of cut points strictly below v): bins are right-closed, equal values always
/// share a score and the result does not depend on input order. Recency (days) is scored in
/// reverse: score = k + 1 − bin.</para>
/// </remarks>
public sealed class RfmpSegmenter
{
    private const long SecondsPerDay = 86_400;

    private readonly RfmpOptions options;
    private readonly long asOfDay;
    private readonly Instant? windowStart;

    /// <summary>Creates a segmenter for one set of options.</summary>
    /// <param name="options">The options; checked now.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is missing or inconsistent; the message names it.</exception>
    public RfmpSegmenter(RfmpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        asOfDay = LocalDay(options.AsOf);
        windowStart = options.WindowStart;
    }

    /// <summary>The options.</summary>
    public RfmpOptions Options => options;

    /// <summary>Aggregates streamed purchases into one activity per customer (in ordinal order of customer ids).</summary>
    /// <param name="purchases">The purchases, in any order; enumerated once.</param>
    /// <param name="exclusions">The purchases left out (after the as-of instant or before the window).</param>
    /// <returns>The customers with at least one purchase in the window.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="purchases"/> is null.</exception>
    /// <exception cref="ArgumentException">A purchase has no customer or order, another currency, a negative amount or a blank category; the message gives its position.</exception>
    public IReadOnlyList<CustomerActivity> Aggregate(IEnumerable<Purchase> purchases, out PurchaseExclusions exclusions)
    {
        var aggregator = new PurchaseAggregator(options.Currency, options.AsOf, windowStart, trackOrderTimes: false);
        aggregator.AddAll(purchases);
        exclusions = aggregator.Exclusions;
        return aggregator.ToActivities();
    }

    /// <summary>Aggregates streamed purchases and scores the customers.</summary>
    /// <param name="purchases">The purchases, in any order; enumerated once.</param>
    /// <returns>The result; customers in ordinal order of their ids.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="purchases"/> is null.</exception>
    /// <exception cref="ArgumentException">A purchase has no customer or order, another currency, a negative amount or a blank category; the message gives its position.</exception>
    public RfmpResult Segment(IEnumerable<Purchase> purchases)
    {
        var aggregator = new PurchaseAggregator(options.Currency, options.AsOf, windowStart, trackOrderTimes: false);
        aggregator.AddAll(purchases);
        return Score(aggregator.ToActivities(), aggregator.Exclusions);
    }

    /// <summary>Scores pre-aggregated customers (each already limited to the window).</summary>
    /// <param name="customers">One activity per customer, in any order.</param>
    /// <returns>The result; customers in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="customers"/> is null.</exception>
    /// <exception cref="ArgumentException">An activity is default, in another currency, or has its last purchase after the as-of instant or before the window start; the message gives its position.</exception>
    public RfmpResult Segment(IReadOnlyList<CustomerActivity> customers)
    {
        ArgumentNullException.ThrowIfNull(customers);
        return customers switch
        {
            CustomerActivity[] array => Score(array, PurchaseExclusions.None),
            List<CustomerActivity> list => Score(CollectionsMarshal.AsSpan(list), PurchaseExclusions.None),
            _ => Score(customers.ToArray(), PurchaseExclusions.None),
        };
    }

    /// <summary>
    /// The purchase cycle of every customer who bought on at least <see cref="PurchaseCycleReport.MinimumPurchaseDays"/>
    /// distinct local days in the window: median interval between purchase days and expected next purchase date.
    /// </summary>
    /// <param name="purchases">The purchases, in any order; enumerated once. Lines of one order count once, at their earliest instant; orders on the same local day are one purchase day.</param>
    /// <returns>The cycles, ordered by customer id; use <see cref="PurchaseCycleReport.OverdueOn(LocalDate, Lateness)"/> for the relaunch list.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="purchases"/> is null.</exception>
    /// <exception cref="ArgumentException">A purchase is invalid, as for <see cref="Segment(IEnumerable{Purchase})"/>.</exception>
    public PurchaseCycleReport PurchaseCycles(IEnumerable<Purchase> purchases)
    {
        var aggregator = new PurchaseAggregator(options.Currency, options.AsOf, windowStart, trackOrderTimes: true);
        aggregator.AddAll(purchases);
        var zone = options.TimeZone;
        var cycles = new List<PurchaseCycle>();
        var tooFew = 0;
        foreach (var index in aggregator.SortedIndexes())
        {
            var times = aggregator.OrderTimes(index);
            var days = new List<long>(times.Length);
            foreach (var time in times)
            {
                var day = LocalDay(time, zone);
                if (days.Count == 0 || days[^1] != day)
                {
                    days.Add(day);
                }
            }

            if (days.Count < PurchaseCycleReport.MinimumPurchaseDays)
            {
                tooFew++;
                continue;
            }

            var intervals = new long[days.Count - 1];
            for (var i = 1; i < days.Count; i++)
            {
                intervals[i - 1] = days[i] - days[i - 1];
            }

            Array.Sort(intervals);
            var middle = intervals.Length / 2;
            var median = intervals.Length % 2 == 1 ? intervals[middle] : (intervals[middle - 1] + intervals[middle]) / 2m;
            var first = times[0].InZone(zone).Date;
            var last = times[^1].InZone(zone).Date;
            var expected = last.PlusDays((int)Math.Round(median, MidpointRounding.AwayFromZero));
            cycles.Add(new PurchaseCycle(aggregator.CustomerAt(index), times.Length, days.Count, first, last, median, expected));
        }

        return new PurchaseCycleReport(options.AsOf.InZone(zone).Date, cycles.ToArray(), tooFew);
    }

    /// <summary>
    /// The cohort retention table (first-purchase month × months after: share of the cohort who
    /// bought in that month) and the monthly churn rate, from the purchases in the window.
    /// </summary>
    /// <param name="purchases">The purchases, in any order; enumerated once.</param>
    /// <returns>The retention report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="purchases"/> is null.</exception>
    /// <exception cref="ArgumentException">A purchase is invalid, as for <see cref="Segment(IEnumerable{Purchase})"/>.</exception>
    public RetentionReport Retention(IEnumerable<Purchase> purchases) => Retention(purchases, 1);

    /// <summary>
    /// The cohort retention table and the churn rate with a horizon: a customer has churned in month M
    /// when their last purchase up to the end of M was exactly <paramref name="churnHorizonMonths"/> months
    /// before M (no purchase in the N months ending with M). With a horizon of 1 this is the
    /// month-to-month churn of <see cref="Retention(IEnumerable{Purchase})"/>.
    /// </summary>
    /// <param name="purchases">The purchases, in any order; enumerated once.</param>
    /// <param name="churnHorizonMonths">N: the months without a purchase after which a customer counts as churned, 1 or more.</param>
    /// <returns>The retention report; <see cref="RetentionReport.Churn"/> starts N months after the first month with purchases.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="purchases"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="churnHorizonMonths"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A purchase is invalid, as for <see cref="Segment(IEnumerable{Purchase})"/>.</exception>
    public RetentionReport Retention(IEnumerable<Purchase> purchases, int churnHorizonMonths)
    {
        ArgumentNullException.ThrowIfNull(purchases);
        if (churnHorizonMonths < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(churnHorizonMonths), churnHorizonMonths,
                string.Create(CultureInfo.InvariantCulture, $"churnHorizonMonths must be 1 or more (was {churnHorizonMonths}); use 1 for month-to-month churn or for instance 3 for \"no purchase in 3 months\"."));
        }

        var horizon = churnHorizonMonths;
        var aggregator = new PurchaseAggregator(options.Currency, options.AsOf, windowStart, trackOrderTimes: true);
        aggregator.AddAll(purchases);
        var zone = options.TimeZone;
        var asOfDate = options.AsOf.InZone(zone).Date;
        var asOfMonth = asOfDate.ToYearMonth();
        var asOfPartial = asOfDate.Day < asOfDate.Calendar.GetDaysInMonth(asOfDate.Year, asOfDate.Month);
        var asOfIndex = MonthIndex(asOfMonth);
        var customerMonths = new List<int[]>(aggregator.Count);
        var firstIndex = asOfIndex;
        for (var c = 0; c < aggregator.Count; c++)
        {
            var months = aggregator.OrderTimes(c).Select(t => MonthIndex(t.InZone(zone).Date.ToYearMonth())).Distinct().ToArray();
            customerMonths.Add(months);
            firstIndex = Math.Min(firstIndex, months[0]);
        }

        var span = asOfIndex - firstIndex + 1;
        var cohortSize = new int[span];
        var cohortActive = new int[span][];
        var activeBefore = new int[span];
        var churned = new int[span];
        foreach (var months in customerMonths)
        {
            var cohort = months[0] - firstIndex;
            cohortSize[cohort]++;
            var row = cohortActive[cohort] ??= new int[span - cohort];
            for (var i = 0; i < months.Length; i++)
            {
                var month = months[i] - firstIndex;
                row[month - cohort]++;

                // Active before month m: a purchase in [m - N, m - 1]; the union over the purchase months.
                var from = i > 0 ? Math.Max(month + 1, months[i - 1] - firstIndex + horizon + 1) : month + 1;
                var to = Math.Min(month + horizon, span - 1);
                for (var m = from; m <= to; m++)
                {
                    activeBefore[m]++;
                }

                // Churned in month m = month + N: no later purchase up to the end of m.
                var churnMonth = month + horizon;
                if (churnMonth < span && (i == months.Length - 1 || months[i + 1] - firstIndex > churnMonth))
                {
                    churned[churnMonth]++;
                }
            }
        }

        var cohorts = new List<CohortRow>();
        for (var m = 0; m < span; m++)
        {
            if (cohortSize[m] == 0)
            {
                continue;
            }

            var row = cohortActive[m];
            var shares = Array.ConvertAll(row, a => (decimal)a / cohortSize[m]);
            cohorts.Add(new CohortRow(FromMonthIndex(firstIndex + m), cohortSize[m], row, shares));
        }

        var churn = new ChurnPeriod[Math.Max(span - horizon, 0)];
        for (var m = horizon; m < span; m++)
        {
            var before = activeBefore[m];
            var lost = churned[m];
            churn[m - horizon] = new ChurnPeriod(FromMonthIndex(firstIndex + m), before, before - lost, lost,
                before == 0 ? 0m : (decimal)lost / before, m == span - 1 && asOfPartial);
        }

        return new RetentionReport(asOfMonth, cohorts.ToArray(), churn, horizon);
    }

    private static int MonthIndex(YearMonth month) => (month.Year * 12) + month.Month - 1;

    private static YearMonth FromMonthIndex(int index) => new(index / 12, (index % 12) + 1);

    private static decimal Share(decimal part, decimal total) => total == 0m ? 0m : part / total;

    private static int Bin(int value, int[] cuts)
    {
        var bin = 1;
        for (var j = 0; j < cuts.Length; j++)
        {
            if (value > cuts[j])
            {
                bin++;
            }
        }

        return bin;
    }

    private static int Bin(decimal value, decimal[] cuts)
    {
        var bin = 1;
        for (var j = 0; j < cuts.Length; j++)
        {
            if (value > cuts[j])
            {
                bin++;
            }
        }

        return bin;
    }

    private static int[] ToIntCuts(decimal[] cuts)
    {
        var result = new int[cuts.Length];
        for (var i = 0; i < cuts.Length; i++)
        {
            // For whole values v: v <= b  <=>  v <= floor(b).
            var floor = Math.Floor(cuts[i]);
            result[i] = floor >= int.MaxValue ? int.MaxValue : floor <= int.MinValue ? int.MinValue : (int)floor;
        }

        return result;
    }

    private static long LocalDay(Instant instant, DateTimeZone zone)
    {
        var seconds = instant.ToUnixTimeSeconds() + zone.GetUtcOffset(instant).Seconds;
        var day = seconds / SecondsPerDay;
        return seconds % SecondsPerDay < 0 ? day - 1 : day;
    }

    private long LocalDay(Instant instant) => LocalDay(instant, options.TimeZone);

    private decimal[] CutPoints(RfmpDimension dimension, ReadOnlySpan<int> values, int[] scratch)
    {
        var scale = options.ScaleOf(dimension);
        if (!scale.IsQuantile)
        {
            return scale.UpperBounds.ToArray();
        }

        var span = scratch.AsSpan(0, values.Length);
        values.CopyTo(span);
        return Array.ConvertAll(QuantileSelector.CutPoints(span, options.ScoreCount), v => (decimal)v);
    }

    private RfmpResult Score(ReadOnlySpan<CustomerActivity> customers, PurchaseExclusions exclusions)
    {
        var n = customers.Length;
        var k = options.ScoreCount;
        var currency = options.Currency;
        var map = options.SegmentMap;
        var intPool = ArrayPool<int>.Shared;
        var days = intPool.Rent(Math.Max(n, 1));
        var ints = intPool.Rent(Math.Max(n, 1));
        var decimals = ArrayPool<decimal>.Shared.Rent(Math.Max(n, 1));
        try
        {
            for (var i = 0; i < n; i++)
            {
                ref readonly var c = ref customers[i];
                if (c.Customer.IsDefault)
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"Customer #{i + 1} is default(CustomerActivity); create activities with CustomerActivity.From(...)."),
                        nameof(customers));
                }

                if (c.NetAmount.Currency != currency)
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"Customer #{i + 1} ({c.Customer}) spent in {c.NetAmount.Currency.Code} but the programme's currency is {currency.Code}; convert it before segmenting (no conversion is ever made)."),
                        nameof(customers));
                }

                if (c.LastPurchaseAt > options.AsOf)
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"Customer #{i + 1} ({c.Customer}) has a last purchase at {c.LastPurchaseAt}, after the as-of instant {options.AsOf}; aggregate only purchases up to the as-of instant."),
                        nameof(customers));
                }

                if (windowStart is { } start && c.LastPurchaseAt < start)
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"Customer #{i + 1} ({c.Customer}) has a last purchase at {c.LastPurchaseAt}, before the window start {start}; leave customers without a purchase in the window out of the input."),
                        nameof(customers));
                }

                days[i] = (int)(asOfDay - LocalDay(c.LastPurchaseAt));
                decimals[i] = c.NetAmount.Amount;
            }

            // Cut points per dimension (scratch buffers are reordered, the inputs are not).
            var recencyCuts = CutPoints(RfmpDimension.Recency, days.AsSpan(0, n), ints);
            for (var i = 0; i < n; i++)
            {
                ints[i] = customers[i].Orders;
            }

            var frequencyCuts = options.Frequency.IsQuantile
                ? Array.ConvertAll(QuantileSelector.CutPoints(ints.AsSpan(0, n), k), v => (decimal)v)
                : options.Frequency.UpperBounds.ToArray();
            var monetaryCuts = options.Monetary.IsQuantile
                ? QuantileSelector.CutPoints(decimals.AsSpan(0, n), k)
                : options.Monetary.UpperBounds.ToArray();
            for (var i = 0; i < n; i++)
            {
                ints[i] = customers[i].Categories;
            }

            var productCuts = options.Product.IsQuantile
                ? Array.ConvertAll(QuantileSelector.CutPoints(ints.AsSpan(0, n), k), v => (decimal)v)
                : options.Product.UpperBounds.ToArray();

            var rCuts = ToIntCuts(recencyCuts);
            var fCuts = ToIntCuts(frequencyCuts);
            var pCuts = ToIntCuts(productCuts);
            var counts = new int[4][];
            for (var d = 0; d < 4; d++)
            {
                counts[d] = new int[k];
            }

            var segmentCount = map.Segments.Count;
            var segmentCustomers = new int[segmentCount];
            var segmentOrders = new long[segmentCount];
            var segmentRevenue = new decimal[segmentCount];
            var high = k - (k / 2);
            var low = k / 2;

            // Without any category in the data the P score says nothing: no breadth badge at all.
            var anyCategories = false;
            for (var i = 0; i < n && !anyCategories; i++)
            {
                anyCategories = customers[i].Categories > 0;
            }

            var scores = new CustomerScore[n];
            var totalRevenue = 0m;
            for (var i = 0; i < n; i++)
            {
                ref readonly var c = ref customers[i];
                var amount = c.NetAmount.Amount;
                var r = k + 1 - Bin(days[i], rCuts);
                var f = Bin(c.Orders, fCuts);
                var m = Bin(amount, monetaryCuts);
                var p = Bin(c.Categories, pCuts);
                counts[0][r - 1]++;
                counts[1][f - 1]++;
                counts[2][m - 1]++;
                counts[3][p - 1]++;
                var badges = (m > high ? CustomerBadges.HighValue : m <= low ? CustomerBadges.LowValue : CustomerBadges.None)
                    | (!anyCategories ? CustomerBadges.None : p > high ? CustomerBadges.BroadBuyer : p <= low ? CustomerBadges.NarrowBuyer : CustomerBadges.None);
                var segment = map.SegmentIndex(r, f);
                segmentCustomers[segment]++;
                segmentOrders[segment] += c.Orders;
                segmentRevenue[segment] += amount;
                totalRevenue += amount;
                scores[i] = new CustomerScore(c.Customer, map.RuleAt(r, f), badges, days[i], c.Orders, amount, c.Categories, r, f, m, p);
            }

            var dimensions = new[]
            {
                new DimensionSummary(RfmpDimension.Recency, options.Recency.IsQuantile, recencyCuts, counts[0]),
                new DimensionSummary(RfmpDimension.Frequency, options.Frequency.IsQuantile, frequencyCuts, counts[1]),
                new DimensionSummary(RfmpDimension.Monetary, options.Monetary.IsQuantile, monetaryCuts, counts[2]),
                new DimensionSummary(RfmpDimension.Product, options.Product.IsQuantile, productCuts, counts[3]),
            };

            var report = new SegmentReportRow[segmentCount];
            for (var s = 0; s < segmentCount; s++)
            {
                var revenue = segmentRevenue[s];
                report[s] = new SegmentReportRow(
                    map.SegmentName(s),
                    segmentCustomers[s],
                    Share(segmentCustomers[s], n),
                    Money.FromDecimal(revenue, currency),
                    Share(revenue, totalRevenue),
                    segmentOrders[s],
                    Money.FromDecimal(segmentOrders[s] == 0 ? 0m : revenue / segmentOrders[s], currency));
            }

            var asOfDate = options.AsOf.InZone(options.TimeZone).Date;
            return new RfmpResult(options, asOfDate, scores, dimensions, report, exclusions);
        }
        finally
        {
            intPool.Return(days);
            intPool.Return(ints);
            ArrayPool<decimal>.Shared.Return(decimals);
        }
    }
}
