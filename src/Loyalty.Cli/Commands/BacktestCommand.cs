using System.ComponentModel;
using Loyalty.Cli.Infrastructure;
using Loyalty.Cli.Input;
using Loyalty.Cli.Reports;
using Loyalty.Core.Earning;
using Loyalty.Core.Economics;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Loyalty.Cli.Commands;

/// <summary>The settings of <c>loyalty backtest</c>.</summary>
internal sealed class BacktestSettings : OrdersSettings
{
    /// <summary>The candidate programme files.</summary>
    [CommandOption("--programme <FILE.JSON>")]
    [Description("A candidate programme as JSON (docs/economics.md); repeat the option to compare candidates side by side.")]
    public string[] Programmes { get; init; } = [];

    /// <summary>The seed of the redemption draws.</summary>
    [CommandOption("--seed <N>")]
    [Description("Seed of the members' redemption draws: the same seed gives the same figures.")]
    [DefaultValue(1)]
    public int Seed { get; init; } = 1;

    /// <summary>The HTML report to write.</summary>
    [CommandOption("--out <REPORT.HTML>")]
    [Description("Write a self-contained HTML report with the backtest comparison and the liability curve.")]
    public string? Out { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var result = base.Validate();
        return !result.Successful ? result
            : Programmes.Length == 0 ? ValidationResult.Error("--programme: give at least one candidate programme file, e.g. --programme a.json --programme b.json (format in docs/economics.md).")
            : ValidationResult.Success();
    }
}

/// <summary>
/// <c>loyalty backtest</c>: replays the orders of a file through candidate programmes with the
/// library's production engines (<see cref="ProgrammeBacktest"/>), month by month and side by side.
/// </summary>
/// <param name="console">Where to write.</param>
internal sealed class BacktestCommand(CliConsole console) : OrdersCommand<BacktestSettings>(console)
{
    /// <inheritdoc />
    protected override int Run(BacktestSettings settings)
    {
        // Candidates first: a bad file is reported before the orders are read.
        var candidates = ReadCandidates(settings.Programmes, settings.Format.Currency);
        var asOf = ResolveAsOf(settings);
        var (results, lines) = ReadOrders(settings, p => p.ToArray());
        var analysis = WithStatus(settings, "replaying the programmes", () =>
            Replay(candidates, settings.Programmes, (Purchase[])results[0]!, asOf, settings.WindowPeriod, settings.Format.TimeZone, settings.Format.Currency, settings.Seed, lines));
        var texts = new Texts(settings.OutputCulture);
        if (settings.Out is { } html)
        {
            var page = new HtmlReport(texts, settings.File, lines, asOf, settings.WindowPeriod);
            BacktestSections.AddTo(page, analysis);
            WriteFileAtomically(html, "--out", page.WriteTo);
        }

        if (settings.Json)
        {
            WriteJson(BacktestSections.ToJson(analysis, settings.File));
        }
        else
        {
            BacktestSections.Render(Console.Out, texts, analysis, settings.File);
        }

        return ExitCodes.Success;
    }

    /// <summary>Reads the candidate programmes and checks that they earn in the orders' currency.</summary>
    /// <param name="files">The <c>--programme</c> files.</param>
    /// <param name="currency">The orders' currency.</param>
    /// <returns>The candidates, in order.</returns>
    /// <exception cref="InputException">A file cannot be read or is not a valid candidate.</exception>
    /// <exception cref="UsageException">A candidate earns in another currency.</exception>
    internal static List<ProgrammeCandidate> ReadCandidates(IReadOnlyList<string> files, Currency currency)
    {
        var candidates = files.Select(ReadCandidate).ToList();
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates[i].Currency != currency)
            {
                throw new UsageException($"--programme {files[i]}: the candidate earns in {candidates[i].Currency}, but the orders are in {currency} (--currency); give --currency {candidates[i].Currency} if the file is in {candidates[i].Currency} (amounts are never converted).");
            }
        }

        return candidates;
    }

    /// <summary>
    /// Replays the orders up to the end of the as-of date (within the window) through each
    /// candidate: each order becomes one line of its net amount, with its categories.
    /// </summary>
    /// <param name="candidates">The candidates.</param>
    /// <param name="files">Their files.</param>
    /// <param name="all">Every purchase of the file.</param>
    /// <param name="asOf">The as-of date.</param>
    /// <param name="window">The window, or null.</param>
    /// <param name="zone">The shop's zone.</param>
    /// <param name="currency">The currency.</param>
    /// <param name="seed">The seed of the redemption draws.</param>
    /// <param name="lines">The data lines read.</param>
    /// <returns>The analysis.</returns>
    internal static BacktestAnalysis Replay(IReadOnlyList<ProgrammeCandidate> candidates, IReadOnlyList<string> files, Purchase[] all, NodaTime.LocalDate asOf, NodaTime.Period? window, NodaTime.DateTimeZone zone, Currency currency, int seed, long lines)
    {
        var end = EndOfDay(asOf, zone);
        var start = window is { } w ? asOf.Minus(w) : (NodaTime.LocalDate?)null;
        var purchases = all.Where(x => x.PlacedAt <= end && (start is not { } s || x.PlacedAt.InZone(zone).Date > s)).ToArray();
        var orders = new EarningOrder[purchases.Length];
        for (var i = 0; i < purchases.Length; i++)
        {
            var p = purchases[i];
            var id = $"{p.Customer}/{p.Order}";
            orders[i] = new EarningOrder(
                OrderId.From(id.Length <= 128 ? id : $"#{i + 1}"),
                p.Customer,
                p.PlacedAt,
                p.NetAmount.Currency,
                [new OrderLine("ORDER", 1, p.NetAmount.Amount, categories: p.Categories)]);
        }

        var input = new BacktestInput { Orders = orders };
        var backtest = new Core.Economics.BacktestSettings(currency, zone, seed);
        var replayed = candidates.Select(c => Replay(c, input, backtest)).ToList();
        return new BacktestAnalysis(replayed, files, orders.Length, purchases.Select(p => p.Customer).Distinct().Count(), seed, lines, currency.Code);
    }

    private static BacktestResult Replay(ProgrammeCandidate candidate, BacktestInput input, Core.Economics.BacktestSettings settings)
    {
        try
        {
            return ProgrammeBacktest.RunAsync(candidate, input, settings).GetAwaiter().GetResult();
        }
        catch (ArgumentException ex) when (ex.ParamName is not null)
        {
            // Without the parameter name, which means nothing to the user; OrdersCommand names the file.
            throw new ArgumentException(ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal), ex);
        }
    }

    private static ProgrammeCandidate ReadCandidate(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"--programme {path}: cannot be read ({ex.Message}).", ex);
        }

        try
        {
            return ProgrammeCandidate.FromJson(json);
        }
        catch (ArgumentException ex)
        {
            var message = ex.ParamName is { } name ? ex.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : ex.Message;
            throw new InputException($"--programme {path}: {message}", ex);
        }
    }
}
