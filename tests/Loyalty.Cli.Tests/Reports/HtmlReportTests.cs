using System.Text.Json.Nodes;
using Loyalty.Cli.Tests.Infrastructure;

namespace Loyalty.Cli.Tests.Reports;

public class HtmlReportTests
{
    private const string ChartSizes = """
        JSON.stringify([...document.querySelectorAll('figure.chart')].map(f => {
          const svg = f.querySelector('svg');
          const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
          return { id: f.id, width: box.width, height: box.height,
                   shapes: svg ? svg.querySelectorAll('rect, path, text').length : 0,
                   text: svg ? svg.textContent.length : 0 };
        }))
        """;

    private static readonly string[] AllCharts = ["rf-grid", "segment-sizes", "movements", "cohort-retention", "cycle-distribution", "clv-segments", "clv-alive", "backtest-comparison", "liability-curve"];

    private static readonly string Samples = Path.Combine(Tool.RepositoryRoot, "samples", "ProgrammeEconomics");

    /// <summary>The report of every section: the two sample candidates for the backtest.</summary>
    private static CliRun Everything(string html, params string[] more) =>
        Tool.Run(["report", Tool.Excerpt, "--currency", "USD", "--compare-to", "1997-12-31", "--programme", Path.Combine(Samples, "programme-a.json"), "--programme", Path.Combine(Samples, "programme-b.json"), .. more, "--out", html]);

    [Fact]
    public void The_report_is_one_self_contained_file_with_every_chart_as_inline_svg()
    {
        var html = Path.Combine(Tool.TempFolder(), "report.html");

        var run = Everything(html);

        run.ExitCode.Should().Be(0, run.Error);
        var page = File.ReadAllText(html);
        page.Should().Contain("<h2>Customer lifetime value").And.Contain("<h2>Programme backtest</h2>");
        foreach (var id in AllCharts)
        {
            page.Should().Contain($"<figure class=\"chart\" id=\"{id}\">");
        }

        page.Should().NotContain("<script").And.NotContain("<link").And.NotContain("<img").And.NotContain("@import").And.NotContain("url(http").And.NotContain("url(//");
        page.Should().NotContainAny("src=\"http", "href=\"http", "xlink:href=\"http");
        page.Should().Contain("default-src 'none'", "a content security policy forbids any fetch");
    }

    [Fact]
    public void The_report_speaks_french_with_french_numbers()
    {
        var html = Path.Combine(Tool.TempFolder(), "rapport.html");

        var run = Tool.Run("report", Tool.Excerpt, "--currency", "USD", "--culture", "fr-FR", "--out", html);

        run.ExitCode.Should().Be(0, run.Error);
        var page = File.ReadAllText(html);
        page.Should().Contain("<html lang=\"fr\">").And.Contain("Grille récence × fréquence").And.Contain("Rétention par cohorte")
            .And.Contain("Fidèles potentiels").And.Contain("Distribution des cycles d&#x27;achat");
        page.Should().MatchRegex("51,6.%", "a revenue share written the French way");
    }

    [Fact]
    public void A_report_with_no_customer_in_range_is_still_written()
    {
        var html = Path.Combine(Tool.TempFolder(), "report.html");

        var run = Tool.Run("report", Tool.Excerpt, "--currency", "USD", "--as-of", "1990-01-01", "--out", html);

        run.ExitCode.Should().Be(0, run.Error);
        var page = File.ReadAllText(html);
        page.Should().Contain("0 customers scored as of 1990-01-01");
        page.Should().Contain($"Not computed on this data: {System.Net.WebUtility.HtmlEncode(Tool.Excerpt)}: The customer base has no customers; BG/NBD needs customers whose first purchase is in the calibration period.");
    }

    [ChromiumFact]
    public async Task The_report_opens_in_a_headless_browser_without_errors_and_every_chart_is_drawn()
    {
        var folder = Tool.TempFolder();
        var html = Path.Combine(folder, "report.html");
        var run = Everything(html);
        run.ExitCode.Should().Be(0, run.Error);

        await using var browser = await Chromium.StartAsync();
        await browser.NavigateAsync(new Uri(html).AbsoluteUri, 1100, 900);
        var charts = JsonNode.Parse((await browser.EvaluateAsync(ChartSizes))!.GetValue<string>())!.AsArray();
        var screenshot = await browser.ScreenshotAsync();
        File.WriteAllBytes(Path.Combine(folder, "report.png"), screenshot);

        browser.Errors.Should().BeEmpty("the page loads without console errors");
        browser.Requests.Should().OnlyContain(url => url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal), "the report needs no network");
        charts.Select(c => c!["id"]!.GetValue<string>()).Should().Equal(AllCharts);
        foreach (var chart in charts)
        {
            var id = chart!["id"]!.GetValue<string>();
            chart["width"]!.GetValue<double>().Should().BeGreaterThan(300, $"chart {id} is drawn with a width");
            chart["height"]!.GetValue<double>().Should().BeGreaterThan(150, $"chart {id} is drawn with a height");
            chart["shapes"]!.GetValue<int>().Should().BeGreaterThan(10, $"chart {id} has drawn shapes");
            chart["text"]!.GetValue<int>().Should().BeGreaterThan(0, $"chart {id} has labels");
        }

        screenshot.Length.Should().BeGreaterThan(20_000);
        screenshot.Take(8).Should().Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "the screenshot is a PNG");
        if (Environment.GetEnvironmentVariable("LOYALTY_UPDATE_SCREENSHOT") == "1")
        {
            File.WriteAllBytes(Path.Combine(Tool.RepositoryRoot, "docs", "images", "cli-report.png"), screenshot);
        }
    }

    [ChromiumTheory]
    [InlineData("clv", new[] { "clv-segments", "clv-alive" })]
    [InlineData("backtest", new[] { "backtest-comparison", "liability-curve" })]
    public async Task The_lifetime_value_and_backtest_reports_open_in_a_headless_browser_without_errors_and_their_charts_are_drawn(string command, string[] expected)
    {
        var folder = Tool.TempFolder();
        var html = Path.Combine(folder, command + ".html");
        var samples = Path.Combine(Tool.RepositoryRoot, "samples", "ProgrammeEconomics");
        string[] options = command == "clv"
            ? ["--margin", "0.3"]
            : ["--programme", Path.Combine(samples, "programme-a.json"), "--programme", Path.Combine(samples, "programme-b.json")];
        var run = Tool.Run([command, Tool.Excerpt, "--currency", "USD", .. options, "--out", html]);
        run.ExitCode.Should().Be(0, run.Error);

        await using var browser = await Chromium.StartAsync();
        await browser.NavigateAsync(new Uri(html).AbsoluteUri, 1100, 900);
        var charts = JsonNode.Parse((await browser.EvaluateAsync(ChartSizes))!.GetValue<string>())!.AsArray();

        browser.Errors.Should().BeEmpty("the page loads without console errors");
        browser.Requests.Should().OnlyContain(url => url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal), "the report needs no network");
        charts.Select(c => c!["id"]!.GetValue<string>()).Should().Equal(expected);
        foreach (var chart in charts)
        {
            var id = chart!["id"]!.GetValue<string>();
            chart["width"]!.GetValue<double>().Should().BeGreaterThan(300, $"chart {id} is drawn with a width");
            chart["height"]!.GetValue<double>().Should().BeGreaterThan(150, $"chart {id} is drawn with a height");
            chart["shapes"]!.GetValue<int>().Should().BeGreaterThan(10, $"chart {id} has drawn shapes");
            chart["text"]!.GetValue<int>().Should().BeGreaterThan(0, $"chart {id} has labels");
        }
    }
}
