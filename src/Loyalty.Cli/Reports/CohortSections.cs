using System.Globalization;
using Loyalty.Core.Segmentation;
using Spectre.Console;

namespace Loyalty.Cli.Reports;

/// <summary>How a retention analysis is shown: terminal tables, JSON and report sections.</summary>
internal static class CohortSections
{
    /// <summary>Writes the tables.</summary>
    /// <param name="console">The console.</param>
    /// <param name="texts">The language.</param>
    /// <param name="report">The retention report.</param>
    /// <param name="file">The orders file.</param>
    /// <param name="months">Months after the first purchase to show.</param>
    public static void Render(IAnsiConsole console, Texts texts, RetentionReport report, string file, int months)
    {
        console.MarkupLine($"[bold]{Markup.Escape(texts["cohorts.title"])}[/] — {Markup.Escape(Path.GetFileName(file))}");
        console.WriteLine(Summary(texts, report));
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn(texts["col.cohort"]);
        table.AddColumn(new TableColumn(texts["col.customers"]).RightAligned());
        for (var m = 1; m <= months; m++)
        {
            table.AddColumn(new TableColumn($"+{m}").RightAligned());
        }

        foreach (var cohort in report.Cohorts)
        {
            var cells = new List<string> { Texts.Month(cohort.Cohort), texts.Number(cohort.Customers) };
            for (var m = 1; m <= months; m++)
            {
                cells.Add(m < cohort.Retention.Count ? texts.Percent(cohort.Retention[m]) : string.Empty);
            }

            table.AddRow([.. cells]);
        }

        console.Write(table);

        var churn = new Table().Border(TableBorder.Rounded);
        churn.AddColumn(texts["col.month"]);
        churn.AddColumn(new TableColumn(texts["col.activeBefore"]).RightAligned());
        churn.AddColumn(new TableColumn(texts["col.churned"]).RightAligned());
        churn.AddColumn(new TableColumn(texts["col.churnRate"]).RightAligned());
        foreach (var row in ChurnRows(texts, report))
        {
            churn.AddRow([.. row.Select(Markup.Escape)]);
        }

        console.WriteLine(texts["cohorts.churn"]);
        console.Write(churn);
    }

    /// <summary>The JSON document of <c>--json</c>.</summary>
    /// <param name="report">The retention report.</param>
    /// <param name="file">The orders file.</param>
    /// <param name="lines">The data lines read.</param>
    /// <returns>The document.</returns>
    public static object ToJson(RetentionReport report, string file, long lines) => new
    {
        file,
        lines,
        asOfMonth = Texts.Month(report.AsOfMonth),
        cohorts = report.Cohorts.Select(c => new { cohort = Texts.Month(c.Cohort), customers = c.Customers, active = c.Active, retention = c.Retention }),
        churn = report.Churn.Select(c => new { month = Texts.Month(c.Month), activeBefore = c.ActiveBefore, retained = c.Retained, churned = c.Churned, rate = c.Rate, partial = c.IsPartial }),
    };

    /// <summary>Adds the retention heatmap and the churn table to a report.</summary>
    /// <param name="html">The report.</param>
    /// <param name="report">The retention report.</param>
    public static void AddTo(HtmlReport html, RetentionReport report)
    {
        var texts = html.Texts;
        html.Heading(texts["cohorts.title"], Summary(texts, report));
        var cohorts = report.Cohorts;
        if (cohorts.Count == 0)
        {
            // No customer in range: the summary above says so; there is nothing to draw.
            return;
        }

        var months = cohorts.Max(c => c.Retention.Count);
        var values = new double[cohorts.Count, months];
        var labels = new string?[values.GetLength(0), months];
        for (var r = 0; r < values.GetLength(0); r++)
        {
            for (var m = 0; m < months; m++)
            {
                var has = r < cohorts.Count && m < cohorts[r].Retention.Count;
                values[r, m] = has ? (double)cohorts[r].Retention[m] : double.NaN;
                labels[r, m] = has ? texts.Percent0(cohorts[r].Retention[m]) : null;
            }
        }

        // Month 0 is 100 % by definition: leave it out of the colour scale so later months stay readable.
        var colour = (double[,])values.Clone();
        for (var r = 0; r < colour.GetLength(0); r++)
        {
            colour[r, 0] = double.NaN;
        }

        html.Chart(
            "cohort-retention",
            texts["cohorts.heatmap"],
            texts["cohorts.heatmap.caption"],
            Charts.Heatmap(colour, labels, [.. cohorts.Select(c => $"{Texts.Month(c.Cohort)} ({texts.Number(c.Customers)})")], [.. Enumerable.Range(0, months).Select(m => m.ToString(CultureInfo.InvariantCulture))], texts["axis.monthsAfter"], texts["axis.cohort"], Math.Clamp(140 + (40 * cohorts.Count), 260, 900)));
        html.Table(
            texts["cohorts.churn"],
            [texts["col.month"], texts["col.activeBefore"], texts["col.churned"], texts["col.churnRate"]],
            ChurnRows(texts, report));
    }

    private static string Summary(Texts texts, RetentionReport report) =>
        texts.Format("cohorts.summary", texts.Number(report.Cohorts.Sum(c => c.Customers)), report.Cohorts.Count, Texts.Month(report.AsOfMonth));

    private static IEnumerable<IReadOnlyList<string>> ChurnRows(Texts texts, RetentionReport report) =>
        report.Churn.Select(c => (IReadOnlyList<string>)
        [
            Texts.Month(c.Month) + (c.IsPartial ? $" ({texts["partial"]})" : string.Empty),
            texts.Number(c.ActiveBefore),
            texts.Number(c.Churned),
            c.ActiveBefore == 0 ? "–" : texts.Percent(c.Rate),
        ]);
}
