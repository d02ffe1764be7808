using System.Globalization;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;
using Sylvan.Data.Csv;

// CustomerSegments: RFMP segmentation, purchase cycles and cohort retention on the real purchase
// history of the online music retailer CDNOW (January 1997 – June 1998).
// Usage: dotnet run --project samples/CustomerSegments [path/to/CDNOW_master.txt | path/to/orders.csv]
// With no argument it reads the full CDNOW_master.txt (23,570 customers) when it lies next to the
// repository (../shared/data/cdnow/), and otherwise the excerpt shipped in the repository,
// data/cdnow-excerpt.csv (2,357 customers, one in ten): it runs with no set-up.

// 1. Find the purchase file: the argument, the full CDNOW file next to the repository, or the shipped excerpt.
var path = args.Length > 0 ? args[0] : DefaultDataPath();
if (path is null || !File.Exists(path))
{
    Console.Error.WriteLine($"Purchase file not found{(path is null ? string.Empty : $" at '{path}'")}.");
    Console.Error.WriteLine("Pass the path of CDNOW_master.txt or of an orders CSV (header customer,order,date,amount), e.g.");
    Console.Error.WriteLine("  dotnet run --project samples/CustomerSegments -- data/cdnow-excerpt.csv");
    return 1;
}

// 2. Read the purchases. CDNOW gives a day, not a time: each row is an order placed at noon,
//    New York time. The file has no product categories, so P (product breadth) is 0 for everyone.
var zone = DateTimeZoneProviders.Tzdb["America/New_York"];
var usd = Currency.USD;
var purchases = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ReadOrdersCsv(path) : ReadCdnowMaster(path);
Console.WriteLine($"Read {purchases.Count:N0} purchases from {path}");

// 3. Configure the segmenter: as of the end of 30 June 1998, all history, quintile scores.
var segmenter = new RfmpSegmenter(RfmpOptions.AsOfEndOf(new LocalDate(1998, 6, 30), zone, usd));

// 4. Score and segment every customer; print how each dimension was cut and the segment report.
var result = segmenter.Segment(purchases);
Console.WriteLine();
Console.WriteLine($"RFMP as of {result.AsOfDate:yyyy-MM-dd}: {result.Customers.Count:N0} customers");
foreach (var dimension in result.Dimensions)
{
    Console.WriteLine($"  {dimension}");
}

Console.WriteLine();
Console.WriteLine($"{"segment",-20} {"customers",10} {"share",7} {"revenue",13} {"rev. share",10} {"AOV",9}");
foreach (var row in result.Report.OrderByDescending(r => r.Revenue.Amount))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{row.Segment,-20} {row.Customers,10:N0} {row.CustomerShare,7:P1} {row.Revenue.Amount,13:N2} {row.RevenueShare,10:P1} {row.AverageOrderValue.Amount,9:N2}"));
}

// No category in the file: nobody is labelled a broad or narrow buyer.
var breadthBadges = result.Customers.Count(c => (c.Badges & (CustomerBadges.BroadBuyer | CustomerBadges.NarrowBuyer)) != 0);
Console.WriteLine($"Customers with a breadth badge: {breadthBadges:N0} (the purchases carry no category).");

// The widely copied grid calls R1F1 and R1F2 Hibernating where the default map says Lost.
var classic = new RfmpSegmenter(segmenter.Options with { SegmentMap = SegmentMap.Classic }).Segment(purchases);
var lostByRule = result.Customers.Where(c => c.Segment == RfmpSegments.Lost).GroupBy(c => c.Rule).Select(g => $"{g.Count():N0} by '{g.Key}'");
Console.WriteLine($"Lost here: {string.Join(", ", lostByRule)}; with SegmentMap.Classic {classic.Report.Single(r => r.Segment == RfmpSegments.Hibernating).Customers:N0} customers are Hibernating.");

// 5. Who moved since the end of 1997? (Win-back list: Loyal or Champions then, At Risk or worse now.)
var december = new RfmpSegmenter(RfmpOptions.AsOfEndOf(new LocalDate(1997, 12, 31), zone, usd)).Segment(purchases);
var slipping = result.MovementsSince(december)
    .Where(m => m.From is RfmpSegments.Champions or RfmpSegments.Loyal
        && m.To is RfmpSegments.AtRisk or RfmpSegments.CantLoseThem or RfmpSegments.Hibernating or RfmpSegments.Lost)
    .ToList();
Console.WriteLine();
Console.WriteLine($"{slipping.Count:N0} customers were Champions or Loyal on 1997-12-31 and are slipping away now, e.g.:");
foreach (var move in slipping.Take(5))
{
    Console.WriteLine($"  customer {move.Customer}: {move.From} -> {move.To}");
}

// 6. Purchase cycles: repeat buyers (3+ purchase days) who are late for their next purchase.
//    Long-overdue customers are probably gone; the ones just past their rhythm are the ones to relaunch now.
var cycles = segmenter.PurchaseCycles(purchases);
var overdue = cycles.OverdueOn(cycles.AsOfDate);
var relaunch = cycles.OverdueOn(cycles.AsOfDate, Lateness.Cycles(1)).Reverse().ToList();
var winBack = cycles.LapsedOn(cycles.AsOfDate, Lateness.Cycles(1));
Console.WriteLine();
Console.WriteLine($"{cycles.Cycles.Count:N0} customers have a purchase cycle; {overdue.Count:N0} are overdue on {cycles.AsOfDate:yyyy-MM-dd}: {relaunch.Count:N0} by at most one cycle (relaunch), {winBack.Count:N0} by more (win-back). Relaunch first:");
foreach (var cycle in relaunch.Take(5))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  customer {cycle.Customer}: {cycle.Orders} orders on {cycle.PurchaseDays} days, every {cycle.MedianIntervalDays} days (median), last {cycle.LastPurchase:yyyy-MM-dd}, expected {cycle.ExpectedNextPurchase:yyyy-MM-dd}, {cycle.DaysOverdue(cycles.AsOfDate)} days late"));
}

// 7. Cohort retention: share of each first-purchase month still buying 1..6 months later, and monthly churn.
var retention = segmenter.Retention(purchases);
Console.WriteLine();
Console.WriteLine("cohort    customers   " + string.Join(" ", Enumerable.Range(1, 6).Select(m => $"  +{m}m")));
foreach (var cohort in retention.Cohorts)
{
    var shares = cohort.Retention.Skip(1).Take(6).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s,5:P0}"));
    Console.WriteLine($"{cohort.Cohort:yyyy-MM}   {cohort.Customers,9:N0}   {string.Join(" ", shares)}");
}

Console.WriteLine();
Console.WriteLine("monthly churn (bought last month, not this month):");
foreach (var period in retention.Churn.TakeLast(6))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {period.Month:yyyy-MM}: {period.Churned:N0} of {period.ActiveBefore:N0} = {period.Rate:P1}{(period.IsPartial ? " (month not over)" : string.Empty)}"));
}

Console.WriteLine();
Console.WriteLine("churn with a 3-month horizon (of those who bought in the 3 months before, gone 3 months without a purchase):");
foreach (var period in segmenter.Retention(purchases, churnHorizonMonths: 3).Churn.TakeLast(6))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {period.Month:yyyy-MM}: {period.Churned:N0} of {period.ActiveBefore:N0} = {period.Rate:P1}{(period.IsPartial ? " (month not over)" : string.Empty)}"));
}

return 0;

// The CDNOW master file: a header line, then "customer_id yyyymmdd number_of_cds dollar_value" per order.
List<Purchase> ReadCdnowMaster(string file)
{
    var list = new List<Purchase>();
    foreach (var (line, number) in File.ReadLines(file).Select((l, i) => (l, i + 1)).Skip(1))
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 4)
        {
            continue;
        }

        var day = LocalDate.FromDateTime(DateTime.ParseExact(fields[1], "yyyyMMdd", CultureInfo.InvariantCulture));
        list.Add(new Purchase(
            MemberId.From(fields[0]),
            OrderId.From(number),
            day.At(new LocalTime(12, 0)).InZoneLeniently(zone).ToInstant(),
            Money.FromDecimal(decimal.Parse(fields[3], CultureInfo.InvariantCulture), usd)));
    }

    return list;
}

// An orders CSV in the loyalty tool's format (header customer,order,date,amount; ISO dates), read with Sylvan.Data.Csv.
List<Purchase> ReadOrdersCsv(string file)
{
    var list = new List<Purchase>();
    using var csv = CsvDataReader.Create(file, new CsvDataReaderOptions { Delimiter = ',' });
    int customer = csv.GetOrdinal("customer"), order = csv.GetOrdinal("order"), date = csv.GetOrdinal("date"), amount = csv.GetOrdinal("amount");
    while (csv.Read())
    {
        var day = LocalDate.FromDateOnly(DateOnly.ParseExact(csv.GetString(date), "yyyy-MM-dd", CultureInfo.InvariantCulture));
        list.Add(new Purchase(
            MemberId.From(csv.GetString(customer)),
            OrderId.From(csv.GetString(order)),
            day.At(new LocalTime(12, 0)).InZoneLeniently(zone).ToInstant(),
            Money.FromDecimal(decimal.Parse(csv.GetString(amount), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture), usd)));
    }

    return list;
}

// The full CDNOW file next to the repository (../shared/data/cdnow/CDNOW_master.txt) when it is
// there, otherwise the excerpt shipped in the repository (data/cdnow-excerpt.csv).
static string? DefaultDataPath()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Loyalty.Core.sln")))
        {
            var master = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "cdnow", "CDNOW_master.txt"));
            return File.Exists(master) ? master : Path.Combine(dir.FullName, "data", "cdnow-excerpt.csv");
        }
    }

    return null;
}
