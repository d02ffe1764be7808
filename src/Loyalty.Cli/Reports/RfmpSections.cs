using System.Globalization;
using Loyalty.Cli.Commands;
using Loyalty.Core.Segmentation;
using NodaTime.Text;
using Spectre.Console;

namespace Loyalty.Cli.Reports;

/// <summary>How an RFMP analysis is shown: terminal tables, JSON and report sections.</summary>
internal static class RfmpSections
{
    private const int TopMovements = 15;

    /// <summary>Writes the tables.</summary>
    /// <param name="console">The console.</param>
    /// <param name="texts">The language.</param>
    /// <param name="analysis">The analysis.</param>
    /// <param name="file">The orders file.</param>
    public static void Render(IAnsiConsole console, Texts texts, RfmpAnalysis analysis, string file)
    {
        var result = analysis.Result;
        console.MarkupLine($"[bold]{Markup.Escape(texts["rfmp.title"])}[/] — {Markup.Escape(Path.GetFileName(file))}");
        console.WriteLine(texts.Format("rfmp.summary", texts.Number(result.Customers.Count), Texts.Date(result.AsOfDate), result.Options.ScoreCount));
        var segments = new Table().Border(TableBorder.Rounded);
        segments.AddColumn(texts["col.segment"]);
        foreach (var key in new[] { "col.customers", "col.share", "col.revenue", "col.revenueShare", "col.orders", "col.aov" })
        {
            segments.AddColumn(new TableColumn(texts[key]).RightAligned());
        }

        foreach (var row in result.Report)
        {
            segments.AddRow(
                Markup.Escape(texts.Segment(row.Segment)),
                texts.Number(row.Customers),
                texts.Percent(row.CustomerShare),
                texts.Amount(row.Revenue.Amount),
                texts.Percent(row.RevenueShare),
                texts.Number(row.Orders),
                texts.Amount(row.AverageOrderValue.Amount));
        }

        console.Write(segments);

        var dimensions = new Table().Border(TableBorder.Rounded);
        dimensions.AddColumn(texts["col.dimension"]);
        dimensions.AddColumn(texts["col.cutPoints"]);
        dimensions.AddColumn(texts["col.perScore"]);
        foreach (var d in result.Dimensions)
        {
            dimensions.AddRow(
                d.Dimension.ToString(),
                Markup.Escape(string.Join(" | ", d.CutPoints.Select(c => c.ToString("0.##", texts.Culture)))),
                Markup.Escape(string.Join(" | ", d.CustomersPerScore.Select(n => texts.Number(n)))));
        }

        console.Write(dimensions);

        if (analysis.CompareTo is { } since)
        {
            var flows = Flows(analysis).ToList();
            console.WriteLine(texts.Format("rfmp.movements", Texts.Date(since), Texts.Date(result.AsOfDate)) + ": " + texts.Format("rfmp.movements.caption", texts.Number(analysis.Movements.Count)));
            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumn(texts["col.from"]);
            table.AddColumn(texts["col.to"]);
            table.AddColumn(new TableColumn(texts["col.customers"]).RightAligned());
            foreach (var flow in flows.Take(TopMovements))
            {
                table.AddRow(Markup.Escape(texts.Segment(flow.From, "new")), Markup.Escape(texts.Segment(flow.To, "gone")), texts.Number(flow.Customers));
            }

            console.Write(table);
        }
    }

    /// <summary>The JSON document of <c>--json</c>.</summary>
    /// <param name="analysis">The analysis.</param>
    /// <param name="file">The orders file.</param>
    /// <returns>The document.</returns>
    public static object ToJson(RfmpAnalysis analysis, string file)
    {
        var result = analysis.Result;
        return new
        {
            file,
            lines = analysis.Lines,
            asOf = Texts.Date(result.AsOfDate),
            window = result.Options.Window is { } w ? PeriodPattern.NormalizingIso.Format(w) : null,
            currency = result.Options.Currency.Code,
            scores = result.Options.ScoreCount,
            customers = result.Customers.Count,
            excluded = new { afterAsOf = analysis.Exclusions.AfterAsOf, beforeWindow = analysis.Exclusions.BeforeWindow },
            segments = result.Report.Select(r => new
            {
                segment = r.Segment,
                customers = r.Customers,
                customerShare = r.CustomerShare,
                revenue = r.Revenue.Amount,
                revenueShare = r.RevenueShare,
                orders = r.Orders,
                averageOrderValue = r.AverageOrderValue.Amount,
            }),
            dimensions = result.Dimensions.Select(d => new
            {
                dimension = d.Dimension.ToString(),
                quantile = d.IsQuantile,
                cutPoints = d.CutPoints,
                customersPerScore = d.CustomersPerScore,
                emptyScores = d.EmptyScores,
            }),
            grid = Grid(result).Counts,
            movements = analysis.CompareTo is { } since
                ? new
                {
                    since = Texts.Date(since),
                    changed = analysis.Movements.Count,
                    flows = Flows(analysis).Select(f => new { from = f.From, to = f.To, customers = f.Customers }),
                }
                : null,
        };
    }

    /// <summary>Adds the RFMP sections (grid heatmap, segment sizes, movements) to a report.</summary>
    /// <param name="report">The report.</param>
    /// <param name="analysis">The analysis.</param>
    public static void AddTo(HtmlReport report, RfmpAnalysis analysis)
    {
        var texts = report.Texts;
        var result = analysis.Result;
        var k = result.Options.ScoreCount;
        report.Heading(texts["rfmp.title"], texts.Format("rfmp.summary", texts.Number(result.Customers.Count), Texts.Date(result.AsOfDate), k));

        var (counts, revenue) = Grid(result);
        var total = result.Customers.Sum(c => c.NetAmount);
        var values = new double[k, k];
        var labels = new string?[k, k];
        for (var r = 0; r < k; r++)
        {
            for (var f = 0; f < k; f++)
            {
                var n = counts[k - 1 - r][f];
                values[r, f] = n;
                var share = total == 0 ? 0m : revenue[k - 1 - r, f] / total;
                labels[r, f] = n == 0 ? string.Empty : $"{texts.Number(n)}\n{texts.Percent(share)}";
            }
        }

        report.Chart(
            "rf-grid",
            texts["rfmp.grid"],
            texts["rfmp.grid.caption"],
            Charts.Heatmap(values, labels, [.. Enumerable.Range(1, k).Reverse().Select(i => i.ToString(CultureInfo.InvariantCulture))], [.. Enumerable.Range(1, k).Select(i => i.ToString(CultureInfo.InvariantCulture))], texts["axis.frequency"], texts["axis.recency"], 560));

        var rows = result.Report.OrderByDescending(r => r.Customers).ToList();
        report.Chart(
            "segment-sizes",
            texts["rfmp.segments"],
            texts["rfmp.segments.caption"],
            Charts.HorizontalBars([.. rows.Select(r => texts.Segment(r.Segment))], [.. rows.Select(r => (double)r.Customers)], [.. rows.Select(r => $"{texts.Number(r.Customers)} ({texts.Percent(r.CustomerShare)})")], texts["axis.customers"]));

        report.Table(
            texts["rfmp.title"],
            [texts["col.segment"], texts["col.customers"], texts["col.share"], texts["col.revenue"], texts["col.revenueShare"], texts["col.orders"], texts["col.aov"]],
            result.Report.Select(r => (IReadOnlyList<string>)[texts.Segment(r.Segment), texts.Number(r.Customers), texts.Percent(r.CustomerShare), texts.Amount(r.Revenue.Amount), texts.Percent(r.RevenueShare), texts.Number(r.Orders), texts.Amount(r.AverageOrderValue.Amount)]));

        if (analysis.CompareTo is { } since)
        {
            var flows = Flows(analysis).Take(TopMovements).ToList();
            var title = texts.Format("rfmp.movements", Texts.Date(since), Texts.Date(result.AsOfDate));
            if (flows.Count == 0)
            {
                report.Heading(title, texts["rfmp.movements.none"]);
            }
            else
            {
                report.Chart(
                    "movements",
                    title,
                    texts.Format("rfmp.movements.caption", texts.Number(analysis.Movements.Count)),
                    Charts.HorizontalBars([.. flows.Select(f => $"{texts.Segment(f.From, "new")} → {texts.Segment(f.To, "gone")}")], [.. flows.Select(f => (double)f.Customers)], [.. flows.Select(f => texts.Number(f.Customers))], texts["axis.customers"]));
            }
        }
    }

    /// <summary>Customers and revenue per R×F cell: counts[r-1][f-1].</summary>
    /// <param name="result">The result.</param>
    /// <returns>The grid.</returns>
    internal static (int[][] Counts, decimal[,] Revenue) Grid(RfmpResult result)
    {
        var k = result.Options.ScoreCount;
        var counts = Enumerable.Range(0, k).Select(_ => new int[k]).ToArray();
        var revenue = new decimal[k, k];
        foreach (var c in result.Customers)
        {
            counts[c.RecencyScore - 1][c.FrequencyScore - 1]++;
            revenue[c.RecencyScore - 1, c.FrequencyScore - 1] += c.NetAmount;
        }

        return (counts, revenue);
    }

    /// <summary>The movements grouped by (from, to), largest first.</summary>
    /// <param name="analysis">The analysis.</param>
    /// <returns>The flows.</returns>
    internal static IEnumerable<(string? From, string? To, int Customers)> Flows(RfmpAnalysis analysis) =>
        analysis.Movements
            .GroupBy(m => (m.From, m.To))
            .Select(g => (g.Key.From, g.Key.To, Customers: g.Count()))
            .OrderByDescending(f => f.Customers)
            .ThenBy(f => f.From ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(f => f.To ?? string.Empty, StringComparer.Ordinal);
}
