using System.ComponentModel;
using Loyalty.Cli.Infrastructure;
using Loyalty.Cli.Input;
using Loyalty.Cli.Reports;
using Loyalty.Core.Analytics;
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

    /// <summary>Candidate programmes for the backtest section.</summary>
    [CommandOption("--programme <FILE.JSON>")]
    [Description("A candidate programme as JSON (docs/economics.md) for the backtest section (comparison, liability curve); repeat it to compare candidates. Without it the report has no backtest section.")]
    public string[] Programmes { get; init; } = [];

    /// <summary>The seed of the backtest's redemption draws.</summary>
    [CommandOption("--seed <N>")]
    [Description("Seed of the backtest's redemption draws: the same seed gives the same figures.")]
    [DefaultValue(1)]
    public int Seed { get; init; } = 1;

    /// <summary>The margin of the lifetime value.</summary>
    [CommandOption("--margin <SHARE>")]
    [Description("Gross margin on the amounts for the lifetime-value section, above 0 and at most 1 (0.3 for 30 %); default 1: the value is in revenue.")]
    [DefaultValue("1")]
    public string Margin { get; init; } = "1";

    /// <summary>The parsed <see cref="Margin"/>.</summary>
    public double MarginShare { get; private set; } = 1;

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

        if (!double.TryParse(Margin, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var margin) || !double.IsFinite(margin) || margin <= 0 || margin > 1)
        {
            return ValidationResult.Error($"--margin: '{Margin}' is not a share above 0 and at most 1; write it as a fraction with a dot, e.g. 0.3 for a 30 % gross margin.");
        }

        MarginShare = margin;
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
/// sizes, movements, cohort retention, purchase cycles, lifetime value, and with
/// <c>--programme</c> the backtest comparison and liability curve), from one read of the orders file.
/// </summary>
/// <param name="console">Where to write.</param>
internal sealed class ReportCommand(CliConsole console) : OrdersCommand<ReportSettings>(console)
{
    /// <inheritdoc />
    protected override int Run(ReportSettings settings)
    {
        // Candidates first: a bad file is reported before the orders are read.
        var candidates = BacktestCommand.ReadCandidates(settings.Programmes, settings.Format.Currency);
        var asOf = ResolveAsOf(settings);
        var since = settings.CompareToDate ?? asOf.PlusMonths(-6);
        if (since >= asOf)
        {
            throw new UsageException($"--compare-to: {Texts.Date(since)} is not before the as-of date {Texts.Date(asOf)}; give an earlier date.");
        }

        var now = new RfmpSegmenter(OptionsAsOf(settings, asOf));
        var earlier = new RfmpSegmenter(OptionsAsOf(settings, since));
        var (results, lines) = ReadOrders(settings, p => now.Segment(p), p => earlier.Segment(p), p => now.Retention(p), p => now.PurchaseCycles(p), p => p.ToArray());
        var texts = new Texts(settings.OutputCulture);
        var rfmp = new RfmpAnalysis((RfmpResult)results[0]!, (RfmpResult)results[1]!, since, lines);
        var retention = (RetentionReport)results[2]!;
        var cycles = new CycleAnalysis((PurchaseCycleReport)results[3]!, asOf, settings.MaxLateness, lines);
        var purchases = (Purchase[])results[4]!;
        var page = new HtmlReport(texts, settings.File, lines, asOf, settings.WindowPeriod);
        RfmpSections.AddTo(page, rfmp);
        CohortSections.AddTo(page, retention);
        CycleSections.AddTo(page, cycles, 20);
        AddLifetimeValue(page, texts, settings, purchases, asOf, lines);
        if (candidates.Count > 0)
        {
            var backtest = WithStatus(settings, "replaying the programmes", () =>
                BacktestCommand.Replay(candidates, settings.Programmes, purchases, asOf, settings.WindowPeriod, settings.Format.TimeZone, settings.Format.Currency, settings.Seed, lines));
            BacktestSections.AddTo(page, backtest);
        }

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

    /// <summary>
    /// The lifetime-value section, with the clv command's defaults (BG/NBD and Gamma-Gamma in
    /// weeks, 12 months, 10 % a year, the top 20) on each customer's whole history up to the as-of
    /// date; when the models cannot be fitted on this data, the section says why instead.
    /// </summary>
    private void AddLifetimeValue(HtmlReport page, Texts texts, ReportSettings settings, Purchase[] purchases, NodaTime.LocalDate asOf, long lines)
    {
        var options = new LifetimeValueAnalysisOptions
        {
            TimeZone = settings.Format.TimeZone,
            Currency = settings.Format.Currency,
            CalibrationEnd = asOf,
            Value = new LifetimeValueOptions { Margin = settings.MarginShare },
        };
        try
        {
            var result = WithStatus(settings, "fitting the lifetime-value models", () => ClvCommand.Analyse(settings.File, new FitOptions().MaxIterations, purchases, options));
            var after = purchases.Count(p => p.PlacedAt.InZone(settings.Format.TimeZone).Date > asOf);
            ClvSections.AddTo(page, new ClvAnalysis(result, asOf, lines, after, settings.Format.Currency.Code), 20);
        }
        catch (Exception ex) when (ex is InputException or UsageException)
        {
            page.Heading(texts["clv.title"], texts.Format("report.clvSkipped", ex.Message));
        }
    }
}
