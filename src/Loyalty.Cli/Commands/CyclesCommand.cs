using System.ComponentModel;
using System.Text;
using Loyalty.Cli.Infrastructure;
using Loyalty.Cli.Reports;
using Loyalty.Core.Segmentation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Loyalty.Cli.Commands;

/// <summary>The settings of <c>loyalty cycles</c>.</summary>
internal sealed class CyclesSettings : OrdersSettings
{
    /// <summary>The maximum lateness of the overdue list.</summary>
    [CommandOption("--max-lateness <DAYS>")]
    [Description("Only list customers late by at most this many days (the long-gone are not worth a relaunch); default: all overdue customers.")]
    public int? MaxLateness { get; init; }

    /// <summary>How many overdue customers to show.</summary>
    [CommandOption("--top <N>")]
    [Description("Overdue customers shown in the table and the report (the JSON and --csv list them all).")]
    [DefaultValue(20)]
    public int Top { get; init; } = 20;

    /// <summary>The HTML report to write.</summary>
    [CommandOption("--out <REPORT.HTML>")]
    [Description("Write a self-contained HTML report with the purchase-cycle distribution and the overdue list.")]
    public string? Out { get; init; }

    /// <summary>The overdue CSV to write.</summary>
    [CommandOption("--csv <OVERDUE.CSV>")]
    [Description("Write the whole overdue list as CSV.")]
    public string? Csv { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var result = base.Validate();
        return !result.Successful ? result
            : MaxLateness is < 0 ? ValidationResult.Error($"--max-lateness: {MaxLateness} is negative; give a number of days, 0 or more.")
            : Top < 0 ? ValidationResult.Error($"--top: {Top} is negative; give how many customers to show, 0 or more.")
            : ValidationResult.Success();
    }
}

/// <summary><c>loyalty cycles</c>: each repeat buyer's purchase rhythm and the customers late for their next purchase.</summary>
/// <param name="console">Where to write.</param>
internal sealed class CyclesCommand(CliConsole console) : OrdersCommand<CyclesSettings>(console)
{
    /// <inheritdoc />
    protected override int Run(CyclesSettings settings)
    {
        var asOf = ResolveAsOf(settings);
        var segmenter = new RfmpSegmenter(OptionsAsOf(settings, asOf));
        var (results, lines) = ReadOrders(settings, p => segmenter.PurchaseCycles(p));
        var analysis = new CycleAnalysis((PurchaseCycleReport)results[0]!, asOf, settings.MaxLateness, lines);
        var texts = new Texts(settings.OutputCulture);
        if (settings.Csv is { } csv)
        {
            WriteFileAtomically(csv, "--csv", stream => WriteOverdue(stream, analysis));
        }

        if (settings.Out is { } html)
        {
            var page = new HtmlReport(texts, settings.File, lines, asOf, settings.WindowPeriod);
            CycleSections.AddTo(page, analysis, settings.Top);
            WriteFileAtomically(html, "--out", page.WriteTo);
        }

        if (settings.Json)
        {
            WriteJson(CycleSections.ToJson(analysis, settings.File));
        }
        else
        {
            CycleSections.Render(Console.Out, texts, analysis, settings.File, settings.Top);
        }

        return ExitCodes.Success;
    }

    private static void WriteOverdue(Stream stream, CycleAnalysis analysis)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        writer.Write("customer,orders,purchase_days,median_interval_days,first_purchase,last_purchase,expected_next_purchase,days_late\n");
        foreach (var c in analysis.Overdue)
        {
            var id = c.Customer.ToString();
            id = id.AsSpan().IndexOfAny(",\"\r\n") < 0 ? id : "\"" + id.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            writer.Write(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{id},{c.Orders},{c.PurchaseDays},{c.MedianIntervalDays},{Texts.Date(c.FirstPurchase)},{Texts.Date(c.LastPurchase)},{Texts.Date(c.ExpectedNextPurchase)},{c.DaysOverdue(analysis.On)}\n"));
        }
    }
}
