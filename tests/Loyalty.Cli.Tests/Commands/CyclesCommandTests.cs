using System.Text.Json;
using Loyalty.Cli.Tests.Infrastructure;

namespace Loyalty.Cli.Tests.Commands;

public class CyclesCommandTests
{
    [Fact]
    public void Prints_the_cycle_distribution_and_the_overdue_customers_within_the_maximum_lateness()
    {
        var run = Tool.Run("cycles", Tool.Excerpt, "--currency", "USD", "--max-lateness", "30", "--top", "8");

        run.ExitCode.Should().Be(0, run.Error);
        Tool.MatchesSnapshot(run.Output, "cycles");
    }

    [Fact]
    public void Json_and_csv_list_every_overdue_customer_least_late_first()
    {
        var csv = Path.Combine(Tool.TempFolder(), "overdue.csv");

        var run = Tool.Run("cycles", Tool.Excerpt, "--currency", "USD", "--max-lateness", "30", "--json", "--csv", csv);

        run.ExitCode.Should().Be(0, run.Error);
        var root = JsonDocument.Parse(run.Json).RootElement;
        var overdue = root.GetProperty("overdue").EnumerateArray().Select(o => o.GetProperty("daysLate").GetInt32()).ToList();
        overdue.Should().NotBeEmpty().And.BeInAscendingOrder().And.OnlyContain(d => d >= 1 && d <= 30);
        root.GetProperty("customersWithCycle").GetInt32().Should().Be(root.GetProperty("distribution").EnumerateArray().Sum(d => d.GetProperty("customers").GetInt32()));
        var lines = File.ReadAllLines(csv);
        lines[0].Should().Be("customer,orders,purchase_days,median_interval_days,first_purchase,last_purchase,expected_next_purchase,days_late");
        lines.Should().HaveCount(overdue.Count + 1);
    }

    [Fact]
    public void A_negative_maximum_lateness_is_a_usage_error()
    {
        var run = Tool.Run("cycles", Tool.Excerpt, "--max-lateness", "-1");

        run.ExitCode.Should().Be(2);
        run.Error.Split('\n')[0].Trim().Should().Be("error: --max-lateness: -1 is negative; give a number of days, 0 or more.");
    }
}
