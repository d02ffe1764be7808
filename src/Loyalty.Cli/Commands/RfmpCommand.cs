using System.ComponentModel;
using System.Globalization;
using System.Text;
using Loyalty.Cli.Infrastructure;
using Loyalty.Cli.Reports;
using Loyalty.Core.Segmentation;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Loyalty.Cli.Commands;

/// <summary>The settings of <c>loyalty rfmp</c>.</summary>
internal sealed class RfmpSettings : OrdersSettings
{
    /// <summary>Scores per dimension.</summary>
    [CommandOption("--scores <K>")]
    [Description("Scores per dimension, 2 to 10 (the named segments need 5).")]
    [DefaultValue(RfmpOptions.DefaultScoreCount)]
    public int Scores { get; init; } = RfmpOptions.DefaultScoreCount;

    /// <summary>The earlier as-of date for movements.</summary>
    [CommandOption("--compare-to <DATE>")]
    [Description("An earlier as-of date (yyyy-MM-dd): list the customers who changed segment since then.")]
    public string? CompareTo { get; init; }

    /// <summary>The HTML report to write.</summary>
    [CommandOption("--out <REPORT.HTML>")]
    [Description("Write a self-contained HTML report with charts (R×F grid, segment sizes, movements).")]
    public string? Out { get; init; }

    /// <summary>The per-customer CSV to write.</summary>
    [CommandOption("--csv <SCORES.CSV>")]
    [Description("Write every customer's scores and segment as CSV.")]
    public string? Csv { get; init; }

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

        if (Scores is < RfmpOptions.MinScoreCount or > RfmpOptions.MaxScoreCount)
        {
            return ValidationResult.Error($"--scores: {Scores} is out of range; use {RfmpOptions.MinScoreCount} to {RfmpOptions.MaxScoreCount} (5 for the named segments).");
        }

        if (CompareTo is not null)
        {
            var parsed = LocalDatePattern.Iso.Parse(CompareTo);
            if (!parsed.Success)
            {
                return ValidationResult.Error($"--compare-to: '{CompareTo}' is not a date written yyyy-MM-dd, e.g. 1997-12-31.");
            }

            if (AsOfDate is { } asOf && parsed.Value >= asOf)
            {
                return ValidationResult.Error($"--compare-to: {CompareTo} is not before the as-of date {AsOf}; give an earlier date.");
            }

            CompareToDate = parsed.Value;
        }

        return ValidationResult.Success();
    }
}

/// <summary>
/// <c>loyalty rfmp</c>: per-customer RFMP scores and segments, the segment table, the cut points
/// of each dimension and the movements against an earlier as-of date.
/// </summary>
/// <param name="console">Where to write.</param>
internal sealed class RfmpCommand(CliConsole console) : OrdersCommand<RfmpSettings>(console)
{
    /// <inheritdoc />
    protected override int Run(RfmpSettings settings)
    {
        var analysis = Analyse(settings);
        var texts = new Texts(settings.OutputCulture);
        if (settings.Csv is { } csv)
        {
            WriteFileAtomically(csv, "--csv", stream => WriteScores(stream, analysis.Result));
        }

        if (settings.Out is { } html)
        {
            var report = new HtmlReport(texts, settings.File, analysis.Lines, analysis.Result.AsOfDate, settings.WindowPeriod);
            RfmpSections.AddTo(report, analysis);
            WriteFileAtomically(html, "--out", report.WriteTo);
        }

        if (settings.Json)
        {
            WriteJson(RfmpSections.ToJson(analysis, settings.File));
        }
        else
        {
            RfmpSections.Render(Console.Out, texts, analysis, settings.File);
        }

        return ExitCodes.Success;
    }

    /// <summary>Reads the file once and scores the customers (and, with <c>--compare-to</c>, as of the earlier date too).</summary>
    /// <param name="settings">The settings.</param>
    /// <returns>The analysis.</returns>
    internal RfmpAnalysis Analyse(RfmpSettings settings)
    {
        RfmpOptions Options(LocalDate asOf) => OptionsAsOf(settings, asOf) with { ScoreCount = settings.Scores, SegmentMap = settings.Scores == 5 ? SegmentMap.Default : SingleSegmentMap(settings.Scores) };

        if (settings.AsOfDate is null && settings.WindowPeriod is null)
        {
            // One read: aggregate with an as-of far in the future, then score as of the latest order's day.
            var open = new RfmpSegmenter(Options(new LocalDate(9000, 1, 1)));
            var analyses = new List<Func<IEnumerable<Purchase>, object?>> { p => open.Aggregate(p, out _) };
            if (settings.CompareToDate is { } earlierDate)
            {
                var earlier = new RfmpSegmenter(Options(earlierDate));
                analyses.Add(p => earlier.Segment(p));
            }

            var (results, lines) = ReadOrders(settings, [.. analyses]);
            var activities = (IReadOnlyList<CustomerActivity>)results[0]!;
            var latest = activities.Count == 0 ? default : activities.Max(a => a.LastPurchaseAt);
            var asOf = latest.InZone(settings.Format.TimeZone).Date;
            if (settings.CompareToDate is { } compare && compare >= asOf)
            {
                throw new UsageException($"--compare-to: {Texts.Date(compare)} is not before the latest order's date {Texts.Date(asOf)}; give an earlier date.");
            }

            var result = new RfmpSegmenter(Options(asOf)).Segment(activities);
            return new RfmpAnalysis(result, (RfmpResult?)results.ElementAtOrDefault(1), settings.CompareToDate, lines);
        }
        else
        {
            var asOf = ResolveAsOf(settings);
            if (settings.CompareToDate is { } compare && compare >= asOf)
            {
                throw new UsageException($"--compare-to: {Texts.Date(compare)} is not before the as-of date {Texts.Date(asOf)}; give an earlier date.");
            }

            var segmenter = new RfmpSegmenter(Options(asOf));
            var analyses = new List<Func<IEnumerable<Purchase>, object?>> { p => segmenter.Segment(p) };
            if (settings.CompareToDate is { } earlierDate)
            {
                var earlier = new RfmpSegmenter(Options(earlierDate));
                analyses.Add(p => earlier.Segment(p));
            }

            var (results, lines) = ReadOrders(settings, [.. analyses]);
            return new RfmpAnalysis((RfmpResult)results[0]!, (RfmpResult?)results.ElementAtOrDefault(1), settings.CompareToDate, lines);
        }
    }

    private static SegmentMap SingleSegmentMap(int k) =>
        SegmentMap.Create(k, [new SegmentRule($"R{k}", k, k, 1, k), .. Enumerable.Range(1, k - 1).Reverse().Select(r => new SegmentRule($"R{r}", r, r, 1, k))]);

    private static void WriteScores(Stream stream, RfmpResult result)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
        writer.Write("customer,segment,r,f,m,p,recency_days,orders,net_amount,categories,badges\n");
        foreach (var c in result.Customers)
        {
            writer.Write(CsvField(c.Customer.ToString()));
            writer.Write(',');
            writer.Write(CsvField(c.Segment));
            writer.Write(string.Create(CultureInfo.InvariantCulture, $",{c.RecencyScore},{c.FrequencyScore},{c.MonetaryScore},{c.ProductScore},{c.RecencyDays},{c.Orders},{c.NetAmount},{c.Categories},"));
            writer.Write(CsvField(c.Badges.ToString()));
            writer.Write('\n');
        }
    }

    private static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>The outcome of <c>loyalty rfmp</c>.</summary>
/// <param name="Result">The scores as of the as-of date.</param>
/// <param name="Earlier">The scores as of <paramref name="CompareTo"/>, if asked.</param>
/// <param name="CompareTo">The earlier as-of date, if asked.</param>
/// <param name="Lines">The data lines read.</param>
internal sealed record RfmpAnalysis(RfmpResult Result, RfmpResult? Earlier, LocalDate? CompareTo, long Lines)
{
    /// <summary>The movements since the earlier date (empty without one).</summary>
    public IReadOnlyList<SegmentMovement> Movements { get; } = Earlier is null ? [] : Result.MovementsSince(Earlier);
}
