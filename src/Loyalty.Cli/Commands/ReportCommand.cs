using System.ComponentModel;
using Loyalty.Cli.Infrastructure;
using Loyalty.Cli.Reports;
using Loyalty.Core.Segmentation;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Loyalty.Cli.Commands;

/// <summary>The settings of <c>loyalty report</c>.</summary>
internal sealed class ReportSettings : OrdersSettings
{
    /// <summary>The HTML report to write.</summary>
    [CommandOption("--out <REPORT.HTML>")]
    [Description("The HTML report to write (required).")]
    public string? Out { get; init; }

    /// <summary>The earlier as-of date for movements.</summary>
    [CommandOption("--compare-to <DATE>")]
    [Description("An earlier as-of date (yyyy-MM-dd) for the segment movements; default: six months before the as-of date.")]
    public string? CompareTo { get; init; }

    /// <summary>The maximum lateness of the overdue list.</summary>
    [CommandOption("--max-lateness <DAYS>")]
    [Description("Only list customers late by at most this many days.")]
    public int? MaxLateness { get; init; }

    /// <summary>The parsed <see cref="CompareTo"/>.</summary>
    public LocalDate? CompareToDate { get; private set; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var result = base.Validate();
        if (!result.Successful)
        {
            return result;
        }

        if (string.IsNullOrWhiteSpace(Out))
        {
            return ValidationResult.Error("--out: give the HTML file to write, e.g. --out report.html.");
        }

        if (MaxLateness is < 0)
        {
            return ValidationResult.Error($"--max-lateness: {MaxLateness} is negative; give a number of days, 0 or more.");
        }

        if (CompareTo is not null)
        {
            if (ParseDate("--compare-to", CompareTo, "1997-12-31", out var compareTo) is { } error)
            {
                return error;
            }

            CompareToDate = compareTo;
        }

        return ValidationResult.Success();
    }
}

/// <summary>
/// <c>loyalty report</c>: every analysis in one self-contained HTML file (R×F grid, segment
/// sizes, movements, cohort retention, purchase cycles), from one read of the orders file.
/// </summary>
/// <param name="console">Where to write.</param>
internal sealed class ReportCommand(CliConsole console) : OrdersCommand<ReportSettings>(console)
{
    /// <inheritdoc />
    protected override int Run(ReportSettings settings)
    {
        var asOf = ResolveAsOf(settings);
        var since = settings.CompareToDate ?? asOf.PlusMonths(-6);
        if (since >= asOf)
        {
            throw new UsageException($"--compare-to: {Texts.Date(since)} is not before the as-of date {Texts.Date(asOf)}; give an earlier date.");
        }

        var now = new RfmpSegmenter(OptionsAsOf(settings, asOf));
        var earlier = new RfmpSegmenter(OptionsAsOf(settings, since));
        var (results, lines) = ReadOrders(settings, p => now.Segment(p), p => earlier.Segment(p), p => now.Retention(p), p => now.PurchaseCycles(p));
        var texts = new Texts(settings.OutputCulture);
        var rfmp = new RfmpAnalysis((RfmpResult)results[0]!, (RfmpResult)results[1]!, since, lines);
        var retention = (RetentionReport)results[2]!;
        var cycles = new CycleAnalysis((PurchaseCycleReport)results[3]!, asOf, settings.MaxLateness, lines);
        var page = new HtmlReport(texts, settings.File, lines, asOf, settings.WindowPeriod);
        RfmpSections.AddTo(page, rfmp);
        CohortSections.AddTo(page, retention);
        CycleSections.AddTo(page, cycles, 20);
        WriteFileAtomically(settings.Out!, "--out", page.WriteTo);
        if (settings.Json)
        {
            WriteJson(new { file = settings.File, lines, asOf = Texts.Date(asOf), report = settings.Out });
        }
        else
        {
            Console.Out.MarkupLine($"{Markup.Escape(texts["report.title"])}: [bold]{Markup.Escape(settings.Out!)}[/] ({Markup.Escape(texts.Format("report.generated", Path.GetFileName(settings.File), texts.Number(lines), Texts.Date(asOf), settings.WindowPeriod is null ? texts["report.allHistory"] : texts.Format("report.window", settings.Window)))})");
        }

        return ExitCodes.Success;
    }
}
