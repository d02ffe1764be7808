using System.ComponentModel;
using Loyalty.Cli.Infrastructure;
using Loyalty.Cli.Reports;
using Loyalty.Core.Segmentation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Loyalty.Cli.Commands;

/// <summary>The settings of <c>loyalty cohorts</c>.</summary>
internal sealed class CohortsSettings : OrdersSettings
{
    /// <summary>Months after the first purchase shown in the table.</summary>
    [CommandOption("--months <N>")]
    [Description("Months after the first purchase shown in the terminal table (the report shows them all).")]
    [DefaultValue(6)]
    public int Months { get; init; } = 6;

    /// <summary>The HTML report to write.</summary>
    [CommandOption("--out <REPORT.HTML>")]
    [Description("Write a self-contained HTML report with the cohort retention heatmap and the monthly churn.")]
    public string? Out { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var result = base.Validate();
        return !result.Successful ? result
            : Months is < 1 or > 120 ? ValidationResult.Error($"--months: {Months} is out of range; use 1 to 120.")
            : ValidationResult.Success();
    }
}

/// <summary><c>loyalty cohorts</c>: retention by first-purchase month and the monthly churn rate.</summary>
/// <param name="console">Where to write.</param>
internal sealed class CohortsCommand(CliConsole console) : OrdersCommand<CohortsSettings>(console)
{
    /// <inheritdoc />
    protected override int Run(CohortsSettings settings)
    {
        var asOf = ResolveAsOf(settings);
        var segmenter = new RfmpSegmenter(OptionsAsOf(settings, asOf));
        var (results, lines) = ReadOrders(settings, p => segmenter.Retention(p));
        var report = (RetentionReport)results[0]!;
        var texts = new Texts(settings.OutputCulture);
        if (settings.Out is { } html)
        {
            var page = new HtmlReport(texts, settings.File, lines, asOf, settings.WindowPeriod);
            CohortSections.AddTo(page, report);
            WriteFileAtomically(html, "--out", page.WriteTo);
        }

        if (settings.Json)
        {
            WriteJson(CohortSections.ToJson(report, settings.File, lines));
        }
        else
        {
            CohortSections.Render(Console.Out, texts, report, settings.File, settings.Months);
        }

        return ExitCodes.Success;
    }
}
