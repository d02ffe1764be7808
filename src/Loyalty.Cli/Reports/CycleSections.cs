using System.Globalization;
using Loyalty.Core.Segmentation;
using NodaTime;
using Spectre.Console;

namespace Loyalty.Cli.Reports;

/// <summary>A purchase-cycle analysis: the report, the date to judge lateness on, and the overdue list.</summary>
/// <param name="Report">The engine's report.</param>
/// <param name="On">The date lateness is judged on (the as-of date).</param>
/// <param name="MaxLateness">Keep only customers late by at most this many days (null: all).</param>
/// <param name="Lines">The data lines read.</param>
internal sealed record CycleAnalysis(PurchaseCycleReport Report, LocalDate On, int? MaxLateness, long Lines)
{
    /// <summary>The overdue customers within the maximum lateness, least late first (relaunch them first), then by customer id.</summary>
    public IReadOnlyList<PurchaseCycle> Overdue { get; } = [.. Report.OverdueOn(On)
        .Where(c => MaxLateness is not { } max || c.DaysOverdue(On) <= max)
        .OrderBy(c => c.DaysOverdue(On))
        .ThenBy(c => c.Customer.ToString(), StringComparer.Ordinal)];
}

/// <summary>How a purchase-cycle analysis is shown: terminal tables, JSON and report sections.</summary>
internal static class CycleSections
{
    private static readonly (int Max, string Label)[] Bins =
    [
        (7, "0–7"), (14, "8–14"), (30, "15–30"), (60, "31–60"), (90, "61–90"), (180, "91–180"), (365, "181–365"), (int.MaxValue, "> 365"),
    ];

    /// <summary>Writes the tables.</summary>
    /// <param name="console">The console.</param>
    /// <param name="texts">The language.</param>
    /// <param name="analysis">The analysis.</param>
    /// <param name="file">The orders file.</param>
    /// <param name="top">How many overdue customers to list.</param>
    public static void Render(IAnsiConsole console, Texts texts, CycleAnalysis analysis, string file, int top)
    {
        console.MarkupLine($"[bold]{Markup.Escape(texts["cycles.title"])}[/] — {Markup.Escape(Path.GetFileName(file))}");
        console.WriteLine(Summary(texts, analysis));
        var distribution = new Table().Border(TableBorder.Rounded);
        distribution.AddColumn(texts["col.interval"]);
        distribution.AddColumn(new TableColumn(texts["col.customers"]).RightAligned());
        foreach (var (label, count) in Distribution(analysis.Report))
        {
            distribution.AddRow($"{label} {texts["days"]}", texts.Number(count));
        }

        console.Write(distribution);
        console.WriteLine(OverdueCaption(texts, analysis));
        var overdue = new Table().Border(TableBorder.Rounded);
        overdue.AddColumn(texts["col.customer"]);
        foreach (var key in new[] { "col.orders", "col.purchaseDays", "col.medianInterval" })
        {
            overdue.AddColumn(new TableColumn(texts[key]).RightAligned());
        }

        overdue.AddColumn(texts["col.last"]);
        overdue.AddColumn(texts["col.expected"]);
        overdue.AddColumn(new TableColumn(texts["col.daysLate"]).RightAligned());
        foreach (var row in OverdueRows(texts, analysis).Take(top))
        {
            overdue.AddRow([.. row.Select(Markup.Escape)]);
        }

        console.Write(overdue);
    }

    /// <summary>The JSON document of <c>--json</c>.</summary>
    /// <param name="analysis">The analysis.</param>
    /// <param name="file">The orders file.</param>
    /// <returns>The document.</returns>
    public static object ToJson(CycleAnalysis analysis, string file) => new
    {
        file,
        lines = analysis.Lines,
        asOf = Texts.Date(analysis.On),
        customersWithCycle = analysis.Report.Cycles.Count,
        customersWithTooFewPurchaseDays = analysis.Report.CustomersWithTooFewPurchaseDays,
        maxLateness = analysis.MaxLateness,
        distribution = Distribution(analysis.Report).Select(d => new { medianIntervalDays = d.Label, customers = d.Count }),
        overdue = analysis.Overdue.Select(c => new
        {
            customer = c.Customer.ToString(),
            orders = c.Orders,
            purchaseDays = c.PurchaseDays,
            medianIntervalDays = c.MedianIntervalDays,
            firstPurchase = Texts.Date(c.FirstPurchase),
            lastPurchase = Texts.Date(c.LastPurchase),
            expectedNextPurchase = Texts.Date(c.ExpectedNextPurchase),
            daysLate = c.DaysOverdue(analysis.On),
        }),
    };

    /// <summary>Adds the distribution chart and the overdue list to a report.</summary>
    /// <param name="html">The report.</param>
    /// <param name="analysis">The analysis.</param>
    /// <param name="top">How many overdue customers to list.</param>
    public static void AddTo(HtmlReport html, CycleAnalysis analysis, int top)
    {
        var texts = html.Texts;
        html.Heading(texts["cycles.title"], Summary(texts, analysis));
        var distribution = Distribution(analysis.Report).ToList();
        var total = Math.Max(1, analysis.Report.Cycles.Count);
        html.Chart(
            "cycle-distribution",
            texts["cycles.distribution"],
            texts["cycles.distribution.caption"],
            Charts.Columns([.. distribution.Select(d => d.Label)], [.. distribution.Select(d => (double)d.Count)], [.. distribution.Select(d => $"{texts.Number(d.Count)} ({texts.Percent0((decimal)d.Count / total)})")], texts["axis.intervalDays"], texts["axis.customers"]));
        html.Table(
            texts["cycles.overdue"] + " — " + OverdueCaption(texts, analysis),
            [texts["col.customer"], texts["col.orders"], texts["col.purchaseDays"], texts["col.medianInterval"], texts["col.last"], texts["col.expected"], texts["col.daysLate"]],
            OverdueRows(texts, analysis).Take(top));
    }

    /// <summary>Customers per median-interval bin.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The bins.</returns>
    internal static IEnumerable<(string Label, int Count)> Distribution(PurchaseCycleReport report)
    {
        var counts = new int[Bins.Length];
        foreach (var cycle in report.Cycles)
        {
            var i = 0;
            while (cycle.MedianIntervalDays > Bins[i].Max)
            {
                i++;
            }

            counts[i]++;
        }

        return Bins.Select((b, i) => (b.Label, counts[i]));
    }

    private static string Summary(Texts texts, CycleAnalysis analysis) =>
        texts.Format("cycles.summary", texts.Number(analysis.Report.Cycles.Count), texts.Number(analysis.Report.CustomersWithTooFewPurchaseDays), texts.Number(analysis.Report.OverdueOn(analysis.On).Count), Texts.Date(analysis.On));

    private static string OverdueCaption(Texts texts, CycleAnalysis analysis) =>
        texts.Format("cycles.overdue.caption", texts.Number(analysis.Overdue.Count), analysis.MaxLateness is { } max ? texts.Format("cycles.maxLateness", max) : string.Empty);

    private static IEnumerable<IReadOnlyList<string>> OverdueRows(Texts texts, CycleAnalysis analysis) =>
        analysis.Overdue.Select(c => (IReadOnlyList<string>)
        [
            c.Customer.ToString(),
            texts.Number(c.Orders),
            texts.Number(c.PurchaseDays),
            c.MedianIntervalDays.ToString("0.#", texts.Culture),
            Texts.Date(c.LastPurchase),
            Texts.Date(c.ExpectedNextPurchase),
            texts.Number(c.DaysOverdue(analysis.On)),
        ]);
}
