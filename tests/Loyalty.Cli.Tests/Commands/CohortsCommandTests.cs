using System.Text.Json;
using Loyalty.Cli.Tests.Infrastructure;

namespace Loyalty.Cli.Tests.Commands;

public class CohortsCommandTests
{
    [Fact]
    public void Prints_retention_by_cohort_and_monthly_churn_for_the_shipped_excerpt()
    {
        var run = Tool.Run("cohorts", Tool.Excerpt, "--currency", "USD");

        run.ExitCode.Should().Be(0, run.Error);
        Tool.MatchesSnapshot(run.Output, "cohorts");
    }

    [Fact]
    public void Json_has_every_cohort_and_churn_month()
    {
        var run = Tool.Run("cohorts", Tool.Excerpt, "--currency", "USD", "--json");

        run.ExitCode.Should().Be(0, run.Error);
        var root = JsonDocument.Parse(run.Json).RootElement;
        root.GetProperty("asOfMonth").GetString().Should().Be("1998-06");
        var cohorts = root.GetProperty("cohorts").EnumerateArray().ToList();
        cohorts.Select(c => c.GetProperty("cohort").GetString()).Should().Equal("1997-01", "1997-02", "1997-03");
        // Counted independently from the CSV (first month of each customer, then who bought again 1 month later).
        cohorts.Select(c => c.GetProperty("customers").GetInt32()).Should().Equal(789, 853, 715);
        cohorts.Select(c => Math.Round(c.GetProperty("retention")[1].GetDecimal() * 100, 1)).Should().Equal(15.1m, 18.3m, 11.5m);
        cohorts.Should().OnlyContain(c => c.GetProperty("retention")[0].GetDecimal() == 1m);
        root.GetProperty("churn").GetArrayLength().Should().Be(17);
    }

    [Fact]
    public void Months_out_of_range_is_a_usage_error()
    {
        var run = Tool.Run("cohorts", Tool.Excerpt, "--months", "0");

        run.ExitCode.Should().Be(2);
        run.Error.Split('\n')[0].Trim().Should().Be("error: --months: 0 is out of range; use 1 to 120.");
    }

    [Fact]
    public void A_file_with_only_a_header_says_it_has_no_order()
    {
        var orders = Tool.TempFile("orders.csv", "customer,order,date,amount\n");

        var run = Tool.Run("cohorts", orders);

        run.ExitCode.Should().Be(3);
        run.Error.Trim().Should().Be($"error: {orders}: the file has a header but no order; add one line per order (customer,order,date,amount).");
    }
}
