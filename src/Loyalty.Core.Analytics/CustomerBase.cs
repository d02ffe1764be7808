using System.Globalization;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;

namespace Loyalty.Core.Analytics;

/// <summary>
/// The customers' calibration-period summaries in one time unit, grouped by identical
/// (frequency, recency, age) so that a fit over a million customers evaluates the likelihood once
/// per distinct row: the input of <see cref="BgNbdModel"/>, <see cref="ParetoNbdModel"/>,
/// <see cref="GammaGammaModel"/> and <see cref="LifetimeValueReport"/>.
/// </summary>
/// <remarks>
/// <para>Immutable and thread-safe. Built from purchases with <see cref="FromPurchases"/> (the same
/// <see cref="Purchase"/> values the RFMP segmenter reads) or from summaries the shop computed
/// itself with <see cref="FromSummaries"/>.</para>
/// <para>Conventions (those that reproduce the published CDNOW figures): a purchase is a distinct
/// local purchase day, the orders of one day merged and their amounts added; the frequency x counts
/// the purchase days after the first; recency and age are measured from the first purchase day;
/// the mean repeat spend leaves the first purchase day out.</para>
/// </remarks>
public sealed class CustomerBase
{
    private readonly CustomerSummary[] customers;
    private readonly int[] groupOfCustomer;

    private CustomerBase(CustomerSummary[] customers, TimeUnit unit, double holdoutLength, LocalDate? calibrationEnd, int firstPurchaseAfterCalibration, long purchasesAfterPeriod, IReadOnlyList<string> warnings)
    {
        this.customers = customers;
        Unit = unit;
        HoldoutLength = holdoutLength;
        CalibrationEnd = calibrationEnd;
        CustomersFirstBuyingAfterCalibration = firstPurchaseAfterCalibration;
        PurchasesAfterPeriod = purchasesAfterPeriod;
        Warnings = warnings;

        var index = new Dictionary<(int, double, double), int>();
        groupOfCustomer = new int[customers.Length];
        var groups = new List<FrequencyRecencyGroup>();
        var repeatBuyers = 0;
        for (var i = 0; i < customers.Length; i++)
        {
            ref readonly var c = ref customers[i];
            if (c.Frequency > 0)
            {
                repeatBuyers++;
            }

            var key = (c.Frequency, c.Recency, c.Age);
            if (!index.TryGetValue(key, out var g))
            {
                g = groups.Count;
                index.Add(key, g);
                groups.Add(new FrequencyRecencyGroup(c.Frequency, c.Recency, c.Age, 0));
            }

            groups[g] = groups[g] with { Count = groups[g].Count + 1 };
            groupOfCustomer[i] = g;
        }

        Groups = groups;
        RepeatBuyers = repeatBuyers;
        Data = new GroupData(groups);
    }

    /// <summary>The customers, in the order of first appearance in the input.</summary>
    public IReadOnlyList<CustomerSummary> Customers => customers;

    /// <summary>The distinct (frequency, recency, age) rows with their customer counts.</summary>
    public IReadOnlyList<FrequencyRecencyGroup> Groups { get; }

    /// <summary>The unit of recency and age.</summary>
    public TimeUnit Unit { get; }

    /// <summary>The length of the hold-out period in <see cref="Unit"/> (0 without one).</summary>
    public double HoldoutLength { get; }

    /// <summary>The last day of the calibration period, when built from purchases.</summary>
    public LocalDate? CalibrationEnd { get; }

    /// <summary>Customers who bought again in the calibration period.</summary>
    public int RepeatBuyers { get; }

    /// <summary>Customers left out because their first purchase day is after the calibration period.</summary>
    public int CustomersFirstBuyingAfterCalibration { get; }

    /// <summary>Purchase lines left out because they are after the hold-out period (after the calibration period without one).</summary>
    public long PurchasesAfterPeriod { get; }

    /// <summary>What the caller should know about the data (e.g. a hold-out period reaching past the latest purchase); empty when nothing is unusual.</summary>
    public IReadOnlyList<string> Warnings { get; }

    internal GroupData Data { get; }

    internal CustomerSummary[] SummaryArray => customers;

    internal int GroupOf(int customer) => groupOfCustomer[customer];

    /// <summary>Days per unit.</summary>
    /// <param name="unit">The unit.</param>
    /// <returns>1 for days, 7 for weeks.</returns>
    public static double DaysPer(TimeUnit unit) => unit == TimeUnit.Weeks ? 7 : 1;

    /// <summary>Builds the customer base from summaries the shop computed itself.</summary>
    /// <param name="summaries">One summary per customer (customers must be distinct).</param>
    /// <param name="unit">The unit the summaries' recency and age are in.</param>
    /// <param name="holdoutLength">The length of the hold-out period the summaries' hold-out frequencies cover (0 for none).</param>
    /// <returns>The customer base.</returns>
    /// <exception cref="ArgumentException">A summary is <c>default</c>, a customer appears twice, or the hold-out length is negative.</exception>
    public static CustomerBase FromSummaries(IEnumerable<CustomerSummary> summaries, TimeUnit unit = TimeUnit.Weeks, double holdoutLength = 0)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        if (!double.IsFinite(holdoutLength) || holdoutLength < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"holdoutLength must be a finite number, 0 or more (was {holdoutLength})."), nameof(holdoutLength));
        }

        var list = summaries.ToArray();
        var seen = new HashSet<MemberId>();
        for (var i = 0; i < list.Length; i++)
        {
            if (list[i].Customer.IsDefault)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"summaries[{i}] is default(CustomerSummary); create summaries with CustomerSummary.Create(...)."), nameof(summaries));
            }

            if (!seen.Add(list[i].Customer))
            {
                throw new ArgumentException($"summaries contain customer {list[i].Customer} twice; give one summary per customer.", nameof(summaries));
            }
        }

        return new CustomerBase(list, unit, holdoutLength, null, 0, 0, []);
    }

    /// <summary>
    /// Builds the customer base from purchases: per customer, distinct local purchase days (the
    /// orders of one day merged, the lines of one order counted on the order's earliest day),
    /// frequency, recency, age and mean repeat spend in the calibration period, and purchase days
    /// in the hold-out period.
    /// </summary>
    /// <param name="purchases">The purchases (order lines or whole orders), in any order.</param>
    /// <param name="options">Time zone, currency, periods and unit.</param>
    /// <returns>The customer base; customers in order of first appearance.</returns>
    /// <exception cref="ArgumentException">The options are invalid, or a purchase has no customer or order, is in another currency or has a negative amount; the message names the purchase.</exception>
    public static CustomerBase FromPurchases(IEnumerable<Purchase> purchases, CustomerBaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(purchases);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var zone = options.TimeZone;
        var customerIndex = new Dictionary<MemberId, int>();
        var customerIds = new List<MemberId>();
        var orderIndex = new Dictionary<(int Customer, OrderId Order), int>();
        var orders = new List<(int Customer, LocalDate Day, decimal Amount)>();
        long position = 0;
        LocalDate? latest = null;
        foreach (var purchase in purchases)
        {
            Check(purchase, position, options.Currency);
            position++;
            var day = purchase.PlacedAt.InZone(zone).Date;
            if (latest is null || day > latest)
            {
                latest = day;
            }

            if (!customerIndex.TryGetValue(purchase.Customer, out var customer))
            {
                customer = customerIds.Count;
                customerIndex.Add(purchase.Customer, customer);
                customerIds.Add(purchase.Customer);
            }

            if (orderIndex.TryGetValue((customer, purchase.Order), out var order))
            {
                var o = orders[order];
                orders[order] = (customer, day < o.Day ? day : o.Day, o.Amount + purchase.NetAmount.Amount);
            }
            else
            {
                orderIndex.Add((customer, purchase.Order), orders.Count);
                orders.Add((customer, day, purchase.NetAmount.Amount));
            }
        }

        orders.Sort((x, y) => x.Customer != y.Customer ? x.Customer.CompareTo(y.Customer) : x.Day.CompareTo(y.Day));

        var daysPer = DaysPer(options.Unit);
        var calibrationEnd = options.CalibrationEnd;
        var periodEnd = options.HoldoutEnd ?? calibrationEnd;
        var summaries = new List<CustomerSummary>(customerIds.Count);
        var afterCalibration = 0;
        long afterPeriod = 0;
        var start = 0;
        while (start < orders.Count)
        {
            var customer = orders[start].Customer;
            var end = start;
            while (end < orders.Count && orders[end].Customer == customer)
            {
                end++;
            }

            var first = orders[start].Day;
            if (first > calibrationEnd)
            {
                afterCalibration++;
                start = end;
                continue;
            }

            var frequency = 0;
            var holdout = 0;
            var lastRepeat = first;
            decimal repeatSpend = 0;
            LocalDate? previous = null;
            for (var i = start; i < end; i++)
            {
                var (_, day, amount) = orders[i];
                if (day > periodEnd)
                {
                    afterPeriod++;
                    continue;
                }

                var newDay = previous != day;
                previous = day;
                if (day > calibrationEnd)
                {
                    holdout += newDay ? 1 : 0;
                }
                else if (day != first)
                {
                    frequency += newDay ? 1 : 0;
                    lastRepeat = day;
                    repeatSpend += amount;
                }
            }

            var recency = Period.DaysBetween(first, lastRepeat) / daysPer;
            var age = Period.DaysBetween(first, calibrationEnd) / daysPer;
            var mean = frequency == 0 ? 0 : (double)(repeatSpend / frequency);
            summaries.Add(CustomerSummary.Create(customerIds[customer], frequency, recency, age, mean, holdout));
            start = end;
        }

        var warnings = new List<string>();
        if (latest is { } last)
        {
            if (last < calibrationEnd)
            {
                warnings.Add($"The calibration period ends on {calibrationEnd:uuuu-MM-dd}, after the latest purchase ({last:uuuu-MM-dd}): every customer looks inactive since then; end the calibration period at the end of the data.");
            }

            if (options.HoldoutEnd is { } holdoutEnd && last < holdoutEnd)
            {
                warnings.Add($"The hold-out period ends on {holdoutEnd:uuuu-MM-dd}, after the latest purchase ({last:uuuu-MM-dd}): hold-out frequencies count no purchase after {last:uuuu-MM-dd}, so comparisons with predictions for the full hold-out length are biased low.");
            }
        }

        var holdoutLength = options.HoldoutEnd is { } h ? Period.DaysBetween(calibrationEnd, h) / daysPer : 0;
        return new CustomerBase([.. summaries], options.Unit, holdoutLength, calibrationEnd, afterCalibration, afterPeriod, warnings);
    }

    private static void Check(in Purchase purchase, long position, Currency currency)
    {
        if (purchase.Customer.IsDefault)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"purchases[{position}] has no customer (default MemberId); set Purchase.Customer with MemberId.From(...)."), "purchases");
        }

        if (purchase.Order.IsDefault)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"purchases[{position}] of customer {purchase.Customer} has no order (default OrderId); set Purchase.Order with OrderId.From(...)."), "purchases");
        }

        if (purchase.NetAmount.Currency != currency)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"purchases[{position}] (order {purchase.Order}) is in {purchase.NetAmount.Currency}, not in the programme's currency {currency}; no conversion is made, so convert the amounts first."), "purchases");
        }

        if (purchase.NetAmount.IsNegative)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"purchases[{position}] (order {purchase.Order}) has a negative net amount ({purchase.NetAmount}); net refunds against the orders they reverse first."), "purchases");
        }
    }

    /// <summary>The groups as flat arrays, with the distinct frequencies indexed for per-frequency caches.</summary>
    internal sealed class GroupData
    {
        internal GroupData(IReadOnlyList<FrequencyRecencyGroup> groups)
        {
            var n = groups.Count;
            X = new int[n];
            Tx = new double[n];
            T = new double[n];
            Count = new double[n];
            FrequencyIndex = new int[n];
            var distinct = new Dictionary<int, int>();
            var frequencies = new List<int>();
            for (var i = 0; i < n; i++)
            {
                var g = groups[i];
                X[i] = g.Frequency;
                Tx[i] = g.Recency;
                T[i] = g.Age;
                Count[i] = g.Count;
                Total += g.Count;
                if (!distinct.TryGetValue(g.Frequency, out var f))
                {
                    f = frequencies.Count;
                    distinct.Add(g.Frequency, f);
                    frequencies.Add(g.Frequency);
                }

                FrequencyIndex[i] = f;
            }

            Frequencies = [.. frequencies];

            // The distinct (x, T) pairs: the expectation given alive depends on them only.
            PairOfGroup = new int[n];
            var pairIndex = new Dictionary<(int, double), int>();
            var pairs = new List<(int, double)>();
            for (var i = 0; i < n; i++)
            {
                var key = (X[i], T[i]);
                if (!pairIndex.TryGetValue(key, out var p))
                {
                    p = pairs.Count;
                    pairIndex.Add(key, p);
                    pairs.Add(key);
                }

                PairOfGroup[i] = p;
            }

            Pairs = [.. pairs];
        }

        internal int[] PairOfGroup { get; }

        internal (int X, double T)[] Pairs { get; }

        internal int[] X { get; }

        internal double[] Tx { get; }

        internal double[] T { get; }

        internal double[] Count { get; }

        internal int[] FrequencyIndex { get; }

        internal int[] Frequencies { get; }

        internal double Total { get; }

        internal int Length => X.Length;
    }
}
