using System.Text.Json;
using Loyalty.Cli.Tests.Infrastructure;

namespace Loyalty.Cli.Tests.Commands;

public class RfmpCommandTests
{
    [Fact]
    public void Scores_the_shipped_cdnow_excerpt_and_prints_the_segment_table()
    {
        var run = Tool.Run("rfmp", Tool.Excerpt, "--currency", "USD", "--compare-to", "1997-12-31");

        run.ExitCode.Should().Be(0, run.Error);
        run.Error.Should().BeEmpty();
        Tool.MatchesSnapshot(run.Output, "rfmp");
    }

    [Fact]
    public void Json_gives_the_segments_dimensions_grid_and_movements()
    {
        var run = Tool.Run("rfmp", Tool.Excerpt, "--currency", "USD", "--compare-to", "1997-12-31", "--json");

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().BeEmpty();
        using var json = JsonDocument.Parse(run.Json);
        var root = json.RootElement;
        root.GetProperty("lines").GetInt64().Should().Be(6937);
        root.GetProperty("customers").GetInt32().Should().Be(2357);
        root.GetProperty("asOf").GetString().Should().Be("1998-06-30");
        root.GetProperty("segments").EnumerateArray().Sum(s => s.GetProperty("customers").GetInt32()).Should().Be(2357);
        root.GetProperty("segments").EnumerateArray().Sum(s => s.GetProperty("revenue").GetDecimal()).Should().Be(246274.80m, "the sum of the amount column (checked independently)");
        root.GetProperty("grid").EnumerateArray().SelectMany(r => r.EnumerateArray()).Sum(c => c.GetInt32()).Should().Be(2357);
        root.GetProperty("movements").GetProperty("since").GetString().Should().Be("1997-12-31");
        root.GetProperty("movements").GetProperty("flows").EnumerateArray().Sum(f => f.GetProperty("customers").GetInt32())
            .Should().Be(root.GetProperty("movements").GetProperty("changed").GetInt32());
    }

    [Fact]
    public void The_as_of_date_and_window_limit_the_orders()
    {
        var all = JsonDocument.Parse(Tool.Run("rfmp", Tool.Excerpt, "--currency", "USD", "--as-of", "1997-12-31", "--json").Json).RootElement;
        var windowed = JsonDocument.Parse(Tool.Run("rfmp", Tool.Excerpt, "--currency", "USD", "--as-of", "1997-12-31", "--window", "P6M", "--json").Json).RootElement;

        all.GetProperty("asOf").GetString().Should().Be("1997-12-31");
        all.GetProperty("excluded").GetProperty("afterAsOf").GetInt64().Should().BePositive();
        windowed.GetProperty("window").GetString().Should().Be("P6M");
        windowed.GetProperty("excluded").GetProperty("beforeWindow").GetInt64().Should().BePositive();
        windowed.GetProperty("customers").GetInt32().Should().BeLessThan(all.GetProperty("customers").GetInt32());
    }

    [Fact]
    public void Writes_every_customers_scores_as_csv_and_a_report()
    {
        var folder = Tool.TempFolder();
        var csv = Path.Combine(folder, "scores.csv");
        var html = Path.Combine(folder, "rfmp.html");

        var run = Tool.Run("rfmp", Tool.Excerpt, "--currency", "USD", "--compare-to", "1997-12-31", "--csv", csv, "--out", html);

        run.ExitCode.Should().Be(0, run.Error);
        var lines = File.ReadAllLines(csv);
        lines[0].Should().Be("customer,segment,r,f,m,p,recency_days,orders,net_amount,categories,badges");
        lines.Should().HaveCount(2358);
        lines[1].Should().Be("00001,Lost,1,1,1,1,545,1,11.77,0,LowValue");
        var page = File.ReadAllText(html);
        page.Should().Contain("id=\"rf-grid\"").And.Contain("id=\"segment-sizes\"").And.Contain("id=\"movements\"");
        Directory.GetFiles(folder).Should().HaveCount(2, "no temporary file is left behind");
    }

    [Fact]
    public void A_bad_line_stops_the_run_with_its_number_and_writes_nothing()
    {
        var orders = Tool.TempFile("orders.csv", "customer,order,date,amount\nc1,o1,2024-01-05,10\nc2,o2,2024-01-06,abc\n");
        var html = Path.Combine(Path.GetDirectoryName(orders)!, "report.html");

        var run = Tool.Run("rfmp", orders, "--out", html);

        run.ExitCode.Should().Be(3);
        run.Error.Trim().Should().Be($"error: {orders} line 3, column 'amount': 'abc' is not an amount in the invariant culture (like 1234.56); write it without thousands separators, or give the file's culture with --input-culture (e.g. fr-FR for 1234,56).");
        File.Exists(html).Should().BeFalse();
    }

    [Fact]
    public void A_report_in_a_missing_folder_is_an_output_error()
    {
        var missing = Path.Combine(Tool.TempFolder(), "no-such-folder");

        var run = Tool.Run("rfmp", Tool.Excerpt, "--currency", "USD", "--out", Path.Combine(missing, "r.html"));

        run.ExitCode.Should().Be(4);
        run.Error.Trim().Should().Be($"error: --out {Path.Combine(missing, "r.html")}: the folder {missing} does not exist; create it or choose another path.");
    }

    [Theory]
    [InlineData(new[] { "--scores", "1" }, "error: --scores: 1 is out of range; use 2 to 10 (5 for the named segments).")]
    [InlineData(new[] { "--currency", "EURO" }, "error: --currency: 'EURO' is not an ISO 4217 currency code; use a three-letter upper-case code such as EUR, USD or GBP.")]
    [InlineData(new[] { "--time-zone", "Paris" }, "error: --time-zone: 'Paris' is not an IANA time zone; use an id such as Europe/Paris, America/New_York or UTC.")]
    [InlineData(new[] { "--as-of", "30/06/1998" }, "error: --as-of: '30/06/1998' is not a date written yyyy-MM-dd, e.g. 1998-06-30.")]
    [InlineData(new[] { "--window", "12 months" }, "error: --window: '12 months' is not a positive ISO 8601 period in date units; use e.g. P12M (12 months), P2Y or P90D.")]
    [InlineData(new[] { "--culture", "de-DE" }, "error: --culture: 'de-DE' is not a supported culture; use en (English) or fr-FR (French).")]
    [InlineData(new[] { "--compare-to", "1998-07-01" }, "error: --compare-to: 1998-07-01 is not before the latest order's date 1998-06-30; give an earlier date.")]
    public void Bad_options_are_usage_errors_that_say_what_to_give(string[] options, string expected)
    {
        var run = Tool.Run(["rfmp", Tool.Excerpt, .. options]);

        run.ExitCode.Should().Be(2);
        run.Error.Split('\n')[0].Trim().Should().Be(expected);
    }

    [Fact]
    public void Scores_with_another_number_of_bins_use_one_segment_per_recency_score()
    {
        var run = Tool.Run("rfmp", Tool.Excerpt, "--currency", "USD", "--scores", "3", "--json");

        run.ExitCode.Should().Be(0, run.Error);
        using var json = JsonDocument.Parse(run.Json);
        json.RootElement.GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("segment").GetString()).Should().Equal("R3", "R2", "R1");
    }
}
