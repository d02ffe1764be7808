using System.Globalization;
using System.Text.Json;
using Loyalty.Cli.Tests.Infrastructure;

namespace Loyalty.Cli.Tests.Commands;

public class ClvCommandTests
{
    [Fact]
    public void Prints_the_fit_report_the_top_customers_and_the_value_per_segment()
    {
        var run = Tool.Run("clv", Tool.Excerpt, "--currency", "USD", "--top", "5");

        run.ExitCode.Should().Be(0, run.Error);
        Tool.MatchesSnapshot(run.Output, "clv");
    }

    [Fact]
    public void Json_has_the_fits_the_segments_the_alive_distribution_and_the_top_customers_highest_first()
    {
        var run = Tool.Run("clv", Tool.Excerpt, "--currency", "USD", "--horizon", "24", "--discount-rate", "0.08", "--margin", "0.3", "--unit", "days", "--top", "10", "--json");

        run.ExitCode.Should().Be(0, run.Error);
        var root = JsonDocument.Parse(run.Json).RootElement;
        root.GetProperty("calibrationEnd").GetString().Should().Be("1998-06-30");
        root.GetProperty("unit").GetString().Should().Be("Days");
        root.GetProperty("horizonMonths").GetInt32().Should().Be(24);
        root.GetProperty("annualDiscountRate").GetDouble().Should().Be(0.08);
        root.GetProperty("margin").GetDouble().Should().Be(0.3);
        root.GetProperty("currency").GetString().Should().Be("USD");
        var customers = root.GetProperty("customers").GetInt32();
        customers.Should().Be(2357, "the excerpt has 2,357 customers, all first buying in the calibration period");

        var fits = root.GetProperty("fits").EnumerateArray().ToList();
        fits.Select(f => f.GetProperty("model").GetString()).Should().Equal("BG/NBD", "Gamma-Gamma");
        fits.Should().OnlyContain(f => f.GetProperty("converged").GetBoolean() && f.GetProperty("iterations").GetInt32() > 0 && f.GetProperty("logLikelihood").GetDouble() < 0);
        fits[0].GetProperty("parameters").EnumerateObject().Select(p => p.Name).Should().Equal("r", "alpha", "a", "b");
        fits[1].GetProperty("parameters").EnumerateObject().Select(p => p.Name).Should().Equal("p", "q", "gamma");

        var total = root.GetProperty("totalValue").GetDouble();
        var segments = root.GetProperty("segments").EnumerateArray().ToList();
        segments.Sum(s => s.GetProperty("customers").GetInt32()).Should().Be(customers);
        segments.Sum(s => s.GetProperty("totalValue").GetDouble()).Should().BeApproximately(total, 1e-6 * total);
        segments.Select(s => s.GetProperty("totalValue").GetDouble()).Should().BeInDescendingOrder();
        root.GetProperty("probabilityAlive").EnumerateArray().Sum(b => b.GetProperty("customers").GetInt32()).Should().Be(customers);

        var top = root.GetProperty("top").EnumerateArray().ToList();
        top.Should().HaveCount(10);
        top.Select(c => c.GetProperty("rank").GetInt32()).Should().Equal(Enumerable.Range(1, 10));
        top.Select(c => c.GetProperty("value").GetDouble()).Should().BeInDescendingOrder();
        top.Should().OnlyContain(c => c.GetProperty("probabilityAlive").GetDouble() >= 0 && c.GetProperty("probabilityAlive").GetDouble() <= 1);
    }

    [Fact]
    public void The_value_scales_with_the_margin_and_csv_lists_every_customer()
    {
        var folder = Tool.TempFolder();
        var full = Path.Combine(folder, "full.csv");
        var third = Path.Combine(folder, "third.csv");

        var runFull = Tool.Run("clv", Tool.Excerpt, "--currency", "USD", "--json", "--csv", full);
        var runThird = Tool.Run("clv", Tool.Excerpt, "--currency", "USD", "--json", "--margin", "0.3", "--csv", third);

        runFull.ExitCode.Should().Be(0, runFull.Error);
        runThird.ExitCode.Should().Be(0, runThird.Error);
        var totalFull = JsonDocument.Parse(runFull.Json).RootElement.GetProperty("totalValue").GetDouble();
        var totalThird = JsonDocument.Parse(runThird.Json).RootElement.GetProperty("totalValue").GetDouble();
        totalThird.Should().BeApproximately(0.3 * totalFull, 1e-9 * totalFull);
        var lines = File.ReadAllLines(full);
        lines[0].Should().Be("rank,customer,repeat_purchases,recency,age,p_alive,expected_purchases,expected_average_spend,clv");
        lines.Should().HaveCount(2357 + 1);
        lines.Skip(1).Select(l => double.Parse(l.Split(',')[^1], CultureInfo.InvariantCulture)).Should().BeInDescendingOrder();
    }

    [Fact]
    public void The_html_report_has_the_value_by_segment_and_the_alive_distribution_in_french()
    {
        var html = Path.Combine(Tool.TempFolder(), "valeur.html");

        var run = Tool.Run("clv", Tool.Excerpt, "--currency", "USD", "--culture", "fr-FR", "--out", html);

        run.ExitCode.Should().Be(0, run.Error);
        var page = File.ReadAllText(html);
        page.Should().Contain("<figure class=\"chart\" id=\"clv-segments\">").And.Contain("<figure class=\"chart\" id=\"clv-alive\">");
        page.Should().Contain("Valeur vie par segment RFMP").And.Contain("Probabilité d&#x27;être encore actif").And.Contain("Fidèles potentiels").And.Contain("Log-vraisemblance");
        page.Should().NotContain("<script").And.NotContain("<link").And.NotContain("<img");
        page.Should().NotContainAny("src=\"http", "href=\"http", "xlink:href=\"http");
    }

    [Fact]
    public void A_fit_that_does_not_converge_is_a_usage_error_naming_the_options_that_fix_it()
    {
        var run = Tool.Run("clv", Tool.Excerpt, "--max-iterations", "2");

        run.ExitCode.Should().Be(2);
        run.Output.Should().BeEmpty();
        Flat(run.Error).Should().StartWith("error: The BG/NBD fit did not converge (not converged: largest gradient component ")
            .And.EndWith("after 2 iterations (iteration limit reached: Maximum iterations (2) reached.); the estimates are not maximum-likelihood estimates); give --penalty 0.01, raise --max-iterations (now 2), or choose a later --as-of for a longer calibration period.");
    }

    [Fact]
    public void Data_the_models_cannot_use_is_an_input_error_naming_the_file()
    {
        var run = Tool.Run("clv", Tool.Excerpt, "--as-of", "1990-01-01");

        run.ExitCode.Should().Be(3);
        Flat(run.Error).Should().Be($"error: {Tool.Excerpt}: The customer base has no customers; BG/NBD needs customers whose first purchase is in the calibration period.");
    }

    [Theory]
    [InlineData("--unit", "months", "error: --unit: 'months' is not a time unit; use weeks or days.")]
    [InlineData("--model", "pareto", "error: --model: 'pareto' is not a purchase model; use bg-nbd or pareto-nbd.")]
    [InlineData("--horizon", "0", "error: --horizon: 0 is not a number of months between 1 and 1200; give e.g. 12 or 36.")]
    [InlineData("--discount-rate", "10%", "error: --discount-rate: '10%' is not a rate of 0 or more; write it as a fraction with a dot, e.g. 0.10 for 10 % a year.")]
    [InlineData("--discount-rate", "-0.1", "error: --discount-rate: '-0.1' is not a rate of 0 or more; write it as a fraction with a dot, e.g. 0.10 for 10 % a year.")]
    [InlineData("--margin", "1.5", "error: --margin: '1.5' is not a share above 0 and at most 1; write it as a fraction with a dot, e.g. 0.3 for a 30 % gross margin.")]
    [InlineData("--margin", "0", "error: --margin: '0' is not a share above 0 and at most 1; write it as a fraction with a dot, e.g. 0.3 for a 30 % gross margin.")]
    [InlineData("--penalty", "-1", "error: --penalty: '-1' is not a number of 0 or more; write it with a dot, e.g. 0.01.")]
    [InlineData("--max-iterations", "0", "error: --max-iterations: 0 is not 1 or more; give e.g. 1000.")]
    [InlineData("--top", "-1", "error: --top: -1 is negative; give how many customers to show, 0 or more.")]
    [InlineData("--window", "P1Y", "error: --window: clv fits its models on each customer's whole history up to the as-of date (a window would misdate first purchases); leave --window out.")]
    public void A_bad_option_is_a_usage_error_with_its_fix(string option, string value, string message)
    {
        var run = Tool.Run("clv", Tool.Excerpt, option, value);

        run.ExitCode.Should().Be(2);
        run.Error.Split('\n')[0].Trim().Should().Be(message);
    }

    [Fact]
    public void The_pareto_nbd_model_can_be_chosen()
    {
        var run = Tool.Run("clv", Tool.Excerpt, "--currency", "USD", "--model", "pareto-nbd", "--json", "--top", "1");

        run.ExitCode.Should().Be(0, run.Error);
        var fit = JsonDocument.Parse(run.Json).RootElement.GetProperty("fits")[0];
        fit.GetProperty("model").GetString().Should().Be("Pareto/NBD");
        fit.GetProperty("converged").GetBoolean().Should().BeTrue();
    }

    /// <summary>The error output on one line: the console wraps long messages at its width.</summary>
    private static string Flat(string error) => string.Join(" ", error.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).Replace("  ", " ", StringComparison.Ordinal);
}
