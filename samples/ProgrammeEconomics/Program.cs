using System.Globalization;
using Loyalty.Core.Earning;
using Loyalty.Core.Economics;
using Loyalty.Core.Primitives;
using NodaTime;
using Spectre.Console;

// ProgrammeEconomics: "what would each programme have cost me, on my own orders?" Two candidate
// programmes (programme-a.json, programme-b.json) replayed through the production engines on real
// CDNOW purchases (an excerpt shipped in data/, January 1997 – June 1998), side by side.
// Usage: dotnet run --project samples/ProgrammeEconomics

// 1. Read the orders. CDNOW gives a day, not a time: each row is an order placed at noon, New York time.
var zone = DateTimeZoneProviders.Tzdb["America/New_York"];
var usd = Currency.USD;
var folder = AppContext.BaseDirectory;
var orders = new List<EarningOrder>();
foreach (var (line, number) in File.ReadLines(Path.Combine(folder, "data", "cdnow-excerpt.txt")).Select((l, i) => (l, i)).Skip(1))
{
    var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    var day = LocalDate.FromDateTime(DateTime.ParseExact(f[1], "yyyyMMdd", CultureInfo.InvariantCulture));
    orders.Add(new EarningOrder(
        OrderId.From("cdnow-" + number.ToString(CultureInfo.InvariantCulture)),
        MemberId.From(f[0]),
        day.At(new LocalTime(12, 0)).InZoneLeniently(zone).ToInstant(),
        usd,
        [new OrderLine("CDS", 1, decimal.Parse(f[3], CultureInfo.InvariantCulture), categories: ["music"])]));
}

// 2. Who joins. CDNOW had no programme: assume four customers in five join at their first order
//    (customer ids that are not multiples of 5) and the rest never do, so members can be compared
//    with non-members on the same stream.
var enrolments = orders
    .Where(o => int.Parse(o.Member.Value, CultureInfo.InvariantCulture) % 5 != 0)
    .GroupBy(o => o.Member)
    .ToDictionary(g => g.Key, g => g.Min(o => o.PlacedAt));
var input = new BacktestInput { Orders = orders, Enrolments = enrolments };

// 3. The two candidates, as JSON (the format the `loyalty backtest` command reads).
var a = ProgrammeCandidate.FromJson(File.ReadAllText(Path.Combine(folder, "programme-a.json")));
var b = ProgrammeCandidate.FromJson(File.ReadAllText(Path.Combine(folder, "programme-b.json")));

// 4. Replay both on the same orders, with the same seed for the members' redemption behaviour.
var settings = new BacktestSettings(usd, zone, seed: 42);
var comparison = await ProgrammeBacktest.CompareAsync(a, b, input, settings);
AnsiConsole.MarkupLine($"[bold]{orders.Count:N0} CDNOW orders[/] of {orders.Select(o => o.Member).Distinct().Count():N0} customers ({enrolments.Count:N0} members), {comparison.First.Months[0].Month} to {comparison.First.Months[^1].Month}");

// 5. The monthly series of each candidate (wide tables: at least 160 columns, also when redirected).
AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 160);
foreach (var result in new[] { comparison.First, comparison.Second })
{
    var tiers = string.Join(" / ", result.Candidate.Tiers.Tiers.Select(t => t.Id.Value));
    var table = new Table().Title($"[bold]{Markup.Escape(result.Candidate.Name)}[/] (members per tier: {Markup.Escape(tiers)})").RoundedBorder();
    foreach (var column in new[] { "month", "orders", "member rev.", "issued", "redeemed", "expired", "outstanding", "liability", "breakage", "reward cost", "cost ratio", "members per tier" })
    {
        table.AddColumn(new TableColumn(column).RightAligned());
    }

    foreach (var m in result.Months)
    {
        table.AddRow(
            m.Month.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            m.Orders.ToString("N0", CultureInfo.InvariantCulture),
            Amount(m.MemberRevenue),
            m.Issued.ToString("N0", CultureInfo.InvariantCulture),
            m.Redeemed.ToString("N0", CultureInfo.InvariantCulture),
            m.Expired.ToString("N0", CultureInfo.InvariantCulture),
            m.Outstanding.ToString("N0", CultureInfo.InvariantCulture),
            Amount(m.Liability),
            m.BreakageToDate.ToString("P1", CultureInfo.InvariantCulture),
            Amount(m.RewardCost),
            m.CostRatio?.ToString("P2", CultureInfo.InvariantCulture) ?? "-",
            string.Join(" / ", m.MembersPerTier.Select(p => p.Value.ToString("N0", CultureInfo.InvariantCulture))));
    }

    AnsiConsole.Write(table);
}

// 6. Side by side: totals, breakage estimate, returns, and what IFRS 15 would defer.
var summary = new Table().Title("[bold]side by side[/]").RoundedBorder().AddColumn("").AddColumn(Markup.Escape(a.Name)).AddColumn(Markup.Escape(b.Name));
void Row(string label, Func<BacktestResult, string> value) => summary.AddRow(label, value(comparison.First), value(comparison.Second));
Row("points issued / redeemed / expired", r => $"{r.Issued:N0} / {r.Redeemed:N0} / {r.Expired:N0}");
Row("rewards redeemed, cost to the shop", r => $"{r.Returns.Redemptions:N0}, {Amount(r.RewardCost)}");
Row("cost ratio (reward cost / member revenue)", r => r.Returns.CostRatio?.ToString("P2", CultureInfo.InvariantCulture) ?? "-");
Row("liability at the end", r => $"{Amount(r.Liability.Outstanding.Value)} ({r.Liability.Outstanding.Points:N0} points at {r.Valuation.CostPerPoint.Amount:0.####} $)");
Row("  expiring this month / within 3 / 12 months", r => $"{r.Liability.ByExpiry[ExpiryBucket.ThisMonth].Points:N0} / {r.Liability.ByExpiry[ExpiryBucket.WithinThreeMonths].Points:N0} / {r.Liability.ByExpiry[ExpiryBucket.WithinTwelveMonths].Points:N0}");
Row("estimated breakage (95 % interval)", r => $"{r.Breakage.BreakageRate:P1} ({1 - (r.Breakage.Upper95 ?? double.NaN):P1} to {1 - (r.Breakage.Lower95 ?? double.NaN):P1})");
Row("orders per customer-year: members / others", r => $"{r.Returns.Members.OrdersPerCustomerYear:0.00} / {r.Returns.NonMembers.OrdersPerCustomerYear:0.00}");
Row("churned after 180 days: members / others", r => $"{r.Returns.Members.ChurnRate:P1} / {r.Returns.NonMembers.ChurnRate:P1}");
Row("IFRS 15: revenue deferred on member sales", r =>
{
    // Every member sale's points as one material right, at the candidate's value per point and the estimated redemption rate.
    var valuePerPoint = r.Valuation.CostPerPoint;
    var sales = r.Returns.MemberRevenue;
    var allocation = MaterialRight.Allocate(sales, sales, r.Issued, valuePerPoint, (decimal)r.Breakage.UltimateRedemptionRate);
    return $"{Amount(allocation.Points)} of {Amount(sales)}";
});
AnsiConsole.Write(summary);

// 7. The verdict.
AnsiConsole.MarkupLine("[bold]Verdict:[/] " + Markup.Escape(comparison.Verdict()));
AnsiConsole.MarkupLine("[grey]Not accounted for: the extra orders a programme brings (both candidates replay the same orders), the margin on the goods, operating costs; see docs/economics.md.[/]");
return 0;

static string Amount(Money money) => money.Amount.ToString("N2", CultureInfo.InvariantCulture) + " $";
