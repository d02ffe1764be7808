using System.Globalization;
using Loyalty.Core.Analytics;
using NodaTime;
using Spectre.Console;

namespace Loyalty.Cli.Reports;

/// <summary>A lifetime-value analysis and what the tool knows around it.</summary>
/// <param name="Result">The library's analysis.</param>
/// <param name="CalibrationEnd">The end of the calibration period (the as-of date).</param>
/// <param name="Lines">The data lines read.</param>
/// <param name="OrdersAfter">Orders after the as-of date, left out.</param>
/// <param name="Currency">The currency code of the amounts.</param>
internal sealed record ClvAnalysis(LifetimeValueAnalysis Result, LocalDate CalibrationEnd, long Lines, int OrdersAfter, string Currency);

/// <summary>How a lifetime-value analysis is shown: terminal tables, JSON and report sections.</summary>
internal static class ClvSections
{
    private const int AliveBins = 10;

    /// <summary>Writes the tables.</summary>
    /// <param name="console">The console.</param>
    /// <param name="texts">The language.</param>
    /// <param name="analysis">The analysis.</param>
    /// <param name="file">The orders file.</param>
    /// <param name="top">How many customers to list.</param>
    public static void Render(IAnsiConsole console, Texts texts, ClvAnalysis analysis, string file, int top)
    {
        console.MarkupLine($"[bold]{Markup.Escape(texts["clv.title"])}[/] — {Markup.Escape(Path.GetFileName(file))}");
        console.WriteLine(Summary(texts, analysis));
        console.Write(ToTable(texts["clv.fit"], FitHeaders(texts), FitRows(texts, analysis), 2));
        foreach (var warning in analysis.Result.Warnings)
        {
            console.MarkupLine($"[yellow]{Markup.Escape(texts["clv.warning"])}[/] {Markup.Escape(warning)}");
        }

        console.Write(ToTable(texts.Format("clv.top", texts.Number(Math.Min(top, analysis.Result.Report.Customers.Count))), CustomerHeaders(texts, analysis), CustomerRows(texts, analysis).Take(top), 2));
        if (analysis.Result.Segments.Count > 0)
        {
            console.Write(ToTable(texts["clv.segments"], SegmentHeaders(texts, analysis), SegmentRows(texts, analysis), 1));
        }
    }

    /// <summary>The JSON document of <c>--json</c>.</summary>
    /// <param name="analysis">The analysis.</param>
    /// <param name="file">The orders file.</param>
    /// <param name="top">How many customers to list.</param>
    /// <returns>The document.</returns>
    public static object ToJson(ClvAnalysis analysis, string file, int top)
    {
        var result = analysis.Result;
        var report = result.Report;
        return new
        {
            file,
            lines = analysis.Lines,
            calibrationEnd = Texts.Date(analysis.CalibrationEnd),
            ordersAfterCalibrationEnd = analysis.OrdersAfter,
            currency = analysis.Currency,
            unit = result.CustomerBase.Unit,
            horizonMonths = report.Options.Months,
            annualDiscountRate = report.Options.AnnualDiscountRate,
            margin = report.Options.Margin,
            customers = report.Customers.Count,
            totalValue = report.TotalValue,
            fits = Fits(result).Select(f => new
            {
                model = f.Name,
                converged = f.Report.Converged,
                iterations = f.Report.Iterations,
                evaluations = f.Report.Evaluations,
                logLikelihood = f.Report.LogLikelihood,
                gradientNorm = f.Report.GradientNorm,
                customers = f.Report.Customers,
                l2Penalty = f.Report.L2Penalty,
                message = f.Report.Message,
                parameters = f.Parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            }),
            warnings = result.Warnings,
            segments = result.Segments.Select(s => new
            {
                segment = s.Segment,
                customers = s.Customers,
                totalValue = s.TotalValue,
                meanValue = s.MeanValue,
                shareOfValue = s.ShareOfValue,
                expectedPurchases = s.ExpectedPurchases,
            }),
            probabilityAlive = AliveDistribution(report).Select((count, i) => new { from = i / (double)AliveBins, to = (i + 1) / (double)AliveBins, customers = count }),
            top = report.Customers.Take(top).Select(c => new
            {
                rank = c.Rank,
                customer = c.Customer.ToString(),
                repeatPurchases = c.Frequency,
                recency = c.Recency,
                age = c.Age,
                probabilityAlive = c.ProbabilityAlive,
                expectedPurchases = c.ExpectedPurchases,
                expectedAverageSpend = c.ExpectedAverageSpend,
                value = c.Value,
            }),
        };
    }

    /// <summary>Adds the lifetime-value section to a report.</summary>
    /// <param name="html">The report.</param>
    /// <param name="analysis">The analysis.</param>
    /// <param name="top">How many customers to list.</param>
    public static void AddTo(HtmlReport html, ClvAnalysis analysis, int top)
    {
        var texts = html.Texts;
        var report = analysis.Result.Report;
        html.Heading(texts["clv.title"], Summary(texts, analysis));
        foreach (var warning in analysis.Result.Warnings)
        {
            html.Paragraph(texts["clv.warning"] + " " + warning);
        }

        var segments = analysis.Result.Segments;
        if (segments.Count > 0)
        {
            html.Chart(
                "clv-segments",
                texts["clv.bySegment"],
                texts.Format("clv.bySegment.caption", analysis.Currency),
                Charts.HorizontalBars(
                    [.. segments.Select(s => SegmentName(texts, s.Segment))],
                    [.. segments.Select(s => s.TotalValue)],
                    [.. segments.Select(s => $"{Money(texts, s.TotalValue)} ({texts.Percent((decimal)s.ShareOfValue)})")],
                    texts.Format("axis.clv", analysis.Currency)));
        }

        var alive = AliveDistribution(report);
        var total = Math.Max(1, report.Customers.Count);
        html.Chart(
            "clv-alive",
            texts["clv.alive"],
            texts["clv.alive.caption"],
            Charts.Columns(
                [.. alive.Select((_, i) => AliveLabel(i))],
                [.. alive.Select(c => (double)c)],
                [.. alive.Select(c => $"{texts.Number(c)} ({texts.Percent0((decimal)c / total)})")],
                texts["axis.alive"],
                texts["axis.customers"]));
        html.Table(texts["clv.fit"], FitHeaders(texts), FitRows(texts, analysis), 2);
        if (segments.Count > 0)
        {
            html.Table(texts["clv.segments"], SegmentHeaders(texts, analysis), SegmentRows(texts, analysis));
        }

        html.Table(texts.Format("clv.top", texts.Number(Math.Min(top, report.Customers.Count))), CustomerHeaders(texts, analysis), CustomerRows(texts, analysis).Take(top), 2);
    }

    /// <summary>Customers per tenth of P(alive): [0, 0.1), [0.1, 0.2) … [0.9, 1].</summary>
    /// <param name="report">The report.</param>
    /// <returns>The counts.</returns>
    internal static int[] AliveDistribution(LifetimeValueReport report)
    {
        var counts = new int[AliveBins];
        foreach (var c in report.Customers)
        {
            counts[Math.Clamp((int)Math.Floor(c.ProbabilityAlive * AliveBins), 0, AliveBins - 1)]++;
        }

        return counts;
    }

    private static string AliveLabel(int bin) => string.Create(CultureInfo.InvariantCulture, $"{bin * 10}–{(bin + 1) * 10}%");

    private static IEnumerable<(string Name, FitReport Report, IReadOnlyList<KeyValuePair<string, double>> Parameters)> Fits(LifetimeValueAnalysis result)
    {
        yield return (result.PurchaseModel.Name, result.PurchaseModel.Report!, result.PurchaseModel.Parameters);
        var spend = result.SpendModel;
        yield return ("Gamma-Gamma", spend.Report!, [new("p", spend.P), new("q", spend.Q), new("gamma", spend.Gamma)]);
    }

    private static string Summary(Texts texts, ClvAnalysis analysis)
    {
        var report = analysis.Result.Report;
        var options = report.Options;
        return texts.Format(
            "clv.summary",
            texts.Number(report.Customers.Count),
            Texts.Date(analysis.CalibrationEnd),
            texts.Number(options.Months),
            texts.Percent((decimal)options.AnnualDiscountRate),
            texts.Percent((decimal)options.Margin),
            Money(texts, report.TotalValue),
            analysis.Currency,
            texts.Number(analysis.OrdersAfter));
    }

    private static string Money(Texts texts, double value) => texts.Amount((decimal)Math.Round(value, 2));

    private static string Decimal(Texts texts, double value, string format) => value.ToString(format, texts.Culture);

    private static string SegmentName(Texts texts, string segment) =>
        segment == LifetimeValueReport.Unsegmented ? texts["clv.unsegmented"] : texts.Segment(segment);

    private static IReadOnlyList<string> FitHeaders(Texts texts) =>
        [texts["col.model"], texts["col.converged"], texts["col.iterations"], texts["col.logLikelihood"], texts["col.parameters"]];

    private static IEnumerable<IReadOnlyList<string>> FitRows(Texts texts, ClvAnalysis analysis) =>
        Fits(analysis.Result).Select(f => (IReadOnlyList<string>)
        [
            f.Name,
            f.Report.Converged ? texts["yes"] : texts["no"],
            texts.Number(f.Report.Iterations),
            Decimal(texts, f.Report.LogLikelihood, "N2"),
            string.Join("; ", f.Parameters.Select(p => $"{p.Key} = {Decimal(texts, p.Value, "0.####")}")),
        ]);

    private static IReadOnlyList<string> CustomerHeaders(Texts texts, ClvAnalysis analysis) =>
        [texts["col.rank"], texts["col.customer"], texts["col.repeatPurchases"], texts["col.pAlive"], texts["col.expectedPurchases"], texts["col.expectedSpend"], texts.Format("col.clv", analysis.Currency)];

    private static IEnumerable<IReadOnlyList<string>> CustomerRows(Texts texts, ClvAnalysis analysis) =>
        analysis.Result.Report.Customers.Select(c => (IReadOnlyList<string>)
        [
            texts.Number(c.Rank),
            c.Customer.ToString(),
            texts.Number(c.Frequency),
            texts.Percent((decimal)c.ProbabilityAlive),
            Decimal(texts, c.ExpectedPurchases, "N2"),
            Money(texts, c.ExpectedAverageSpend),
            Money(texts, c.Value),
        ]);

    private static IReadOnlyList<string> SegmentHeaders(Texts texts, ClvAnalysis analysis) =>
        [texts["col.segment"], texts["col.customers"], texts.Format("col.clvTotal", analysis.Currency), texts["col.share"], texts.Format("col.clvMean", analysis.Currency), texts["col.expectedPurchases"]];

    private static IEnumerable<IReadOnlyList<string>> SegmentRows(Texts texts, ClvAnalysis analysis) =>
        analysis.Result.Segments.Select(s => (IReadOnlyList<string>)
        [
            SegmentName(texts, s.Segment),
            texts.Number(s.Customers),
            Money(texts, s.TotalValue),
            texts.Percent((decimal)s.ShareOfValue),
            Money(texts, s.MeanValue),
            Decimal(texts, s.ExpectedPurchases, "N1"),
        ]);

    private static Table ToTable(string title, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int numericFrom)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title));
        for (var i = 0; i < headers.Count; i++)
        {
            var column = new TableColumn(Markup.Escape(headers[i]));
            table.AddColumn(i >= numericFrom ? column.RightAligned() : column);
        }

        foreach (var row in rows)
        {
            table.AddRow([.. row.Select(Markup.Escape)]);
        }

        return table;
    }
}
