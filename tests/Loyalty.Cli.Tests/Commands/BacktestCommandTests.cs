using System.Text.Json;
using Loyalty.Cli.Tests.Infrastructure;

namespace Loyalty.Cli.Tests.Commands;

public class BacktestCommandTests
{
    private static readonly string ProgrammeA = Path.Combine(Tool.RepositoryRoot, "samples", "ProgrammeEconomics", "programme-a.json");
    private static readonly string ProgrammeB = Path.Combine(Tool.RepositoryRoot, "samples", "ProgrammeEconomics", "programme-b.json");

    [Fact]
    public void Prints_each_programme_month_by_month_side_by_side_and_the_verdict()
    {
        var run = Tool.Run("backtest", Tool.Excerpt, "--currency", "USD", "--time-zone", "America/New_York", "--programme", ProgrammeA, "--programme", ProgrammeB);

        run.ExitCode.Should().Be(0, run.Error);
        Tool.MatchesSnapshot(run.Output, "backtest");
    }

    [Fact]
    public void Json_has_each_programme_with_its_months_and_the_points_balance_every_month()
    {
        var run = Tool.Run("backtest", Tool.Excerpt, "--currency", "USD", "--time-zone", "America/New_York", "--programme", ProgrammeA, "--programme", ProgrammeB, "--seed", "7", "--json");

        run.ExitCode.Should().Be(0, run.Error);
        var root = JsonDocument.Parse(run.Json).RootElement;
        root.GetProperty("orders").GetInt32().Should().Be(6937, "the excerpt has one line per order");
        root.GetProperty("customers").GetInt32().Should().Be(2357);
        root.GetProperty("seed").GetInt32().Should().Be(7);
        root.GetProperty("verdict").GetString().Should().NotBeNullOrEmpty();
        var programmes = root.GetProperty("programmes").EnumerateArray().ToList();
        programmes.Select(p => p.GetProperty("name").GetString()).Should().Equal("A: 1 pt/$, 12 months", "B: 2 pts/$, tiers, 6 months");
        foreach (var programme in programmes)
        {
            var months = programme.GetProperty("months").EnumerateArray().ToList();
            months.Should().HaveCount(18, "January 1997 to June 1998");
            months.Sum(m => m.GetProperty("orders").GetInt32()).Should().Be(6937);
            long issued = 0, redeemed = 0, expired = 0;
            foreach (var m in months)
            {
                issued += m.GetProperty("issued").GetInt64();
                redeemed += m.GetProperty("redeemed").GetInt64();
                expired += m.GetProperty("expired").GetInt64();
                m.GetProperty("outstanding").GetInt64().Should().Be(issued - redeemed - expired, "issued = redeemed + expired + outstanding every month");
            }

            programme.GetProperty("issued").GetInt64().Should().Be(issued);
            programme.GetProperty("liabilityPoints").GetInt64().Should().Be(months[^1].GetProperty("outstanding").GetInt64());
        }
    }

    [Fact]
    public void The_html_report_has_the_comparison_and_the_liability_curve()
    {
        var html = Path.Combine(Tool.TempFolder(), "backtest.html");

        var run = Tool.Run("backtest", Tool.Excerpt, "--currency", "USD", "--programme", ProgrammeA, "--programme", ProgrammeB, "--culture", "fr-FR", "--out", html);

        run.ExitCode.Should().Be(0, run.Error);
        var page = File.ReadAllText(html);
        page.Should().Contain("<figure class=\"chart\" id=\"backtest-comparison\">").And.Contain("<figure class=\"chart\" id=\"liability-curve\">");
        page.Should().Contain("Courbe du passif").And.Contain("Côte à côte");
        page.Should().NotContain("<script").And.NotContain("<link").And.NotContain("<img");
    }

    [Fact]
    public void Without_a_programme_it_is_a_usage_error()
    {
        var run = Tool.Run("backtest", Tool.Excerpt);

        run.ExitCode.Should().Be(2);
        run.Error.Split('\n')[0].Trim().Should().Be("error: --programme: give at least one candidate programme file, e.g. --programme a.json --programme b.json (format in docs/economics.md).");
    }

    [Fact]
    public void A_programme_in_another_currency_than_the_orders_is_a_usage_error()
    {
        var run = Tool.Run("backtest", Tool.Excerpt, "--programme", ProgrammeA);

        run.ExitCode.Should().Be(2);
        Flat(run.Error).Should().Be($"error: --programme {ProgrammeA}: the candidate earns in USD, but the orders are in EUR (--currency); give --currency USD if the file is in USD (amounts are never converted).");
    }

    [Fact]
    public void A_bad_programme_file_is_an_input_error_naming_its_json_path()
    {
        var bad = Tool.TempFile("bad.json", File.ReadAllText(ProgrammeA).Replace("\"probability\": 0.35", "\"probability\": 1.3", StringComparison.Ordinal));

        var run = Tool.Run("backtest", Tool.Excerpt, "--currency", "USD", "--programme", bad);

        run.ExitCode.Should().Be(3);
        Flat(run.Error).Should().StartWith($"error: --programme {bad}: Programme candidate $.redemption.probability: probability must be between 0 and 1 inclusive (was 1.3)");
    }

    [Fact]
    public void A_missing_programme_file_is_an_input_error()
    {
        var missing = Path.Combine(Tool.TempFolder(), "missing.json");

        var run = Tool.Run("backtest", Tool.Excerpt, "--currency", "USD", "--programme", missing);

        run.ExitCode.Should().Be(3);
        Flat(run.Error).Should().Be($"error: --programme {missing}: cannot be read (Could not find file '{missing}'.).");
    }

    private static string Flat(string error) => string.Join(" ", error.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}
