using System.ComponentModel;
using System.Globalization;
using System.Text;
using Loyalty.Cli.Infrastructure;
using Loyalty.Cli.Input;
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
            if (ParseDate("--compare-to", CompareTo, "1997-12-31", out var compareTo) is { } error)
            {
                return error;
            }

            if (AsOfDate is { } asOf && compareTo >= asOf)
            {
                return ValidationResult.Error($"--compare-to: {CompareTo} is not before the as-of date {AsOf}; give an earlier date.");
            }

            CompareToDate = compareTo;
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

    /// <summary>The largest file whose purchases are kept in memory between the read and the aggregation (above, in temporary files).</summary>
    internal static long InMemoryLimit { get; set; } = 1L << 30;

    /// <summary>
    /// Reads the file once, on every core (byte ranges at line boundaries), and scores the
    /// customers (and, with <c>--compare-to</c>, as of the earlier date too). The purchases are
    /// split by customer into partitions (in memory, or in temporary files for a file above
    /// <see cref="InMemoryLimit"/>); each partition is aggregated on its own, on every core, and
    /// the customers of all partitions are scored together by the library.
    /// </summary>
    /// <param name="settings">The settings.</param>
    /// <returns>The analysis.</returns>
    internal RfmpAnalysis Analyse(RfmpSettings settings)
    {
        RfmpOptions Options(LocalDate asOf) => OptionsAsOf(settings, asOf) with { ScoreCount = settings.Scores, SegmentMap = settings.Scores == 5 ? SegmentMap.Default : SingleSegmentMap(settings.Scores) };

        using var reader = OrderCsvReader.Open(settings.File, settings.Format);
        var scan = new OrderScan(reader);
        using var store = new PurchaseStore(reader.Length, scan.Threads, InMemoryLimit);
        long lines = 0;
        WithProgress(settings, scan, "orders", () => lines = scan.ReadInto(store));
        if (lines == 0)
        {
            throw new InputException($"{settings.File}: the file has a header but no order; add one line per order (customer,order,date,amount).");
        }

        var asOf = settings.AsOfDate ?? store.Latest.InZone(settings.Format.TimeZone).Date;
        if (settings.CompareToDate is { } compare && compare >= asOf)
        {
            throw new UsageException(settings.AsOfDate is null
                ? $"--compare-to: {Texts.Date(compare)} is not before the latest order's date {Texts.Date(asOf)}; give an earlier date."
                : $"--compare-to: {Texts.Date(compare)} is not before the as-of date {Texts.Date(asOf)}; give an earlier date.");
        }

        var now = new RfmpSegmenter(Options(asOf));
        var earlier = settings.CompareToDate is { } since ? new RfmpSegmenter(Options(since)) : null;
        return WithStatus(settings, "scoring", () =>
        {
            var aggregated = PartitionAggregator.Aggregate(store, earlier is null ? [now.Options] : [now.Options, earlier.Options]);
            var result = now.Segment(aggregated[0].Customers);
            return new RfmpAnalysis(result, earlier?.Segment(aggregated[1].Customers), settings.CompareToDate, lines)
            {
                Exclusions = aggregated[0].Exclusions,
            };
        });
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
    /// <summary>The purchases left out: after the as-of date, before the window.</summary>
    public PurchaseExclusions Exclusions { get; init; } = Result.Exclusions;

    /// <summary>The movements since the earlier date (empty without one).</summary>
    public IReadOnlyList<SegmentMovement> Movements { get; } = Earlier is null ? [] : Result.MovementsSince(Earlier);
}
