using System.Globalization;
using Loyalty.Core.Economics;
using Spectre.Console;

namespace Loyalty.Cli.Reports;

/// <summary>A backtest of candidate programmes on one orders file.</summary>
/// <param name="Results">Each candidate's result, in the order of the <c>--programme</c> options.</param>
/// <param name="Files">Each candidate's JSON file.</param>
/// <param name="Orders">Orders replayed.</param>
/// <param name="Customers">Distinct customers.</param>
/// <param name="Seed">The seed of the redemption draws.</param>
/// <param name="Lines">The data lines read.</param>
/// <param name="Currency">The currency code.</param>
internal sealed record BacktestAnalysis(IReadOnlyList<BacktestResult> Results, IReadOnlyList<string> Files, int Orders, int Customers, int Seed, long Lines, string Currency)
{
    /// <summary>The verdict of a two-candidate comparison, or null with another number of candidates.</summary>
    public string? Verdict => Results.Count == 2 ? new BacktestComparison(Results[0], Results[1]).Verdict() : null;
}

/// <summary>How a backtest is shown: terminal tables, JSON and report sections.</summary>
internal static class BacktestSections
{
    /// <summary>Writes the tables.</summary>
    /// <param name="console">The console.</param>
    /// <param name="texts">The language.</param>
    /// <param name="analysis">The analysis.</param>
    /// <param name="file">The orders file.</param>
    public static void Render(IAnsiConsole console, Texts texts, BacktestAnalysis analysis, string file)
    {
        console.MarkupLine($"[bold]{Markup.Escape(texts["backtest.title"])}[/] — {Markup.Escape(Path.GetFileName(file))}");
        console.WriteLine(Summary(texts, analysis));
        foreach (var result in analysis.Results)
        {
            console.Write(ToTable(texts.Format("backtest.months", result.Candidate.Name), MonthHeaders(texts), MonthRows(texts, result)));
        }

        console.Write(ToTable(texts["backtest.sideBySide"], [string.Empty, .. analysis.Results.Select(r => r.Candidate.Name)], SideBySideRows(texts, analysis)));
        if (analysis.Verdict is { } verdict)
        {
            console.WriteLine(texts.Format("backtest.verdict", verdict));
        }

        console.WriteLine(texts["backtest.notCounted"]);
    }

    /// <summary>The JSON document of <c>--json</c>.</summary>
    /// <param name="analysis">The analysis.</param>
    /// <param name="file">The orders file.</param>
    /// <returns>The document.</returns>
    public static object ToJson(BacktestAnalysis analysis, string file) => new
    {
        file,
        lines = analysis.Lines,
        orders = analysis.Orders,
        customers = analysis.Customers,
        currency = analysis.Currency,
        seed = analysis.Seed,
        programmes = analysis.Results.Select((r, i) => new
        {
            name = r.Candidate.Name,
            file = analysis.Files[i],
            costPerPoint = r.Valuation.CostPerPoint.Amount,
            issued = r.Issued,
            redeemed = r.Redeemed,
            expired = r.Expired,
            redemptions = r.Returns.Redemptions,
            rewardCost = r.RewardCost.Amount,
            memberRevenue = r.Returns.MemberRevenue.Amount,
            costRatio = r.Returns.CostRatio,
            liabilityPoints = r.Liability.Outstanding.Points,
            liability = r.Liability.Outstanding.Value.Amount,
            estimatedBreakage = r.Breakage.BreakageRate,
            months = r.Months.Select(m => new
            {
                month = Texts.Month(m.Month),
                orders = m.Orders,
                revenue = m.Revenue.Amount,
                memberRevenue = m.MemberRevenue.Amount,
                issued = m.Issued,
                redeemed = m.Redeemed,
                expired = m.Expired,
                outstanding = m.Outstanding,
                liability = m.Liability.Amount,
                breakageToDate = m.BreakageToDate,
                redemptions = m.Redemptions,
                rewardCost = m.RewardCost.Amount,
                costRatio = m.CostRatio,
                members = m.Members,
                membersPerTier = m.MembersPerTier.ToDictionary(t => t.Key.Value, t => t.Value, StringComparer.Ordinal),
            }),
        }),
        verdict = analysis.Verdict,
    };

    /// <summary>Adds the backtest comparison and the liability curve to a report.</summary>
    /// <param name="html">The report.</param>
    /// <param name="analysis">The analysis.</param>
    public static void AddTo(HtmlReport html, BacktestAnalysis analysis)
    {
        var texts = html.Texts;
        html.Heading(texts["backtest.title"], Summary(texts, analysis));
        var months = analysis.Results[0].Months.Select(m => Texts.Month(m.Month)).ToList();
        html.Chart(
            "backtest-comparison",
            texts["backtest.cost"],
            texts.Format("backtest.cost.caption", analysis.Currency),
            Charts.Lines(months, [.. analysis.Results.Select(r => (r.Candidate.Name, Cumulative(r.Months.Select(m => (double)m.RewardCost.Amount))))], texts["axis.month"], texts.Format("axis.amount", analysis.Currency)));
        html.Chart(
            "liability-curve",
            texts["backtest.liability"],
            texts.Format("backtest.liability.caption", analysis.Currency),
            Charts.Lines(months, [.. analysis.Results.Select(r => (r.Candidate.Name, r.Months.Select(m => (double)m.Liability.Amount).ToArray()))], texts["axis.month"], texts.Format("axis.amount", analysis.Currency)));
        html.Table(texts["backtest.sideBySide"], [string.Empty, .. analysis.Results.Select(r => r.Candidate.Name)], SideBySideRows(texts, analysis));
        if (analysis.Verdict is { } verdict)
        {
            html.Paragraph(texts.Format("backtest.verdict", verdict));
        }

        html.Paragraph(texts["backtest.notCounted"]);
        foreach (var result in analysis.Results)
        {
            html.Table(texts.Format("backtest.months", result.Candidate.Name), MonthHeaders(texts), MonthRows(texts, result));
        }
    }

    private static double[] Cumulative(IEnumerable<double> values)
    {
        var sum = 0d;
        return [.. values.Select(v => sum += v)];
    }

    private static string Summary(Texts texts, BacktestAnalysis analysis)
    {
        var months = analysis.Results[0].Months;
        return texts.Format(
            "backtest.summary",
            texts.Number(analysis.Orders),
            texts.Number(analysis.Customers),
            months.Count > 0 ? Texts.Month(months[0].Month) : "-",
            months.Count > 0 ? Texts.Month(months[^1].Month) : "-",
            analysis.Results.Count,
            analysis.Seed);
    }

    private static IReadOnlyList<string> MonthHeaders(Texts texts) =>
        [texts["col.month"], texts["col.orders"], texts["col.memberRevenue"], texts["col.issued"], texts["col.redeemed"], texts["col.expired"], texts["col.outstanding"], texts["col.liability"], texts["col.breakage"], texts["col.rewardCost"], texts["col.costRatio"], texts["col.members"]];

    private static IEnumerable<IReadOnlyList<string>> MonthRows(Texts texts, BacktestResult result) =>
        result.Months.Select(m => (IReadOnlyList<string>)
        [
            Texts.Month(m.Month),
            texts.Number(m.Orders),
            texts.Amount(m.MemberRevenue.Amount),
            texts.Number(m.Issued),
            texts.Number(m.Redeemed),
            texts.Number(m.Expired),
            texts.Number(m.Outstanding),
            texts.Amount(m.Liability.Amount),
            texts.Percent((decimal)m.BreakageToDate),
            texts.Amount(m.RewardCost.Amount),
            m.CostRatio is { } ratio ? ((decimal)ratio).ToString("P2", texts.Culture) : "-",
            texts.Number(m.Members),
        ]);

    private static IEnumerable<IReadOnlyList<string>> SideBySideRows(Texts texts, BacktestAnalysis analysis)
    {
        IReadOnlyList<string> Row(string key, Func<BacktestResult, string> value) => [texts[key], .. analysis.Results.Select(value)];
        yield return Row("row.points", r => $"{texts.Number(r.Issued)} / {texts.Number(r.Redeemed)} / {texts.Number(r.Expired)}");
        yield return Row("row.rewards", r => $"{texts.Number(r.Returns.Redemptions)}, {texts.Amount(r.RewardCost.Amount)}");
        yield return Row("row.costRatio", r => r.Returns.CostRatio is { } ratio ? ((decimal)ratio).ToString("P2", texts.Culture) : "-");
        yield return Row("row.liability", r => $"{texts.Amount(r.Liability.Outstanding.Value.Amount)} ({texts.Number(r.Liability.Outstanding.Points)})");
        yield return Row("row.breakage", r => double.IsFinite(r.Breakage.BreakageRate) ? texts.Percent((decimal)r.Breakage.BreakageRate) : "-");
    }

    private static Table ToTable(string title, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title));
        for (var i = 0; i < headers.Count; i++)
        {
            var column = new TableColumn(Markup.Escape(headers[i]));
            table.AddColumn(i >= 1 ? column.RightAligned() : column);
        }

        foreach (var row in rows)
        {
            table.AddRow([.. row.Select(Markup.Escape)]);
        }

        return table;
    }
}
