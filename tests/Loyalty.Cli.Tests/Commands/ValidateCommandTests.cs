using System.Text.Json;
using Loyalty.Cli.Tests.Infrastructure;

namespace Loyalty.Cli.Tests.Commands;

public class ValidateCommandTests
{
    private static readonly string Sample = Path.Combine(Tool.RepositoryRoot, "samples", "ShopIntegration", "appsettings.json");

    [Fact]
    public void The_shop_integration_sample_configuration_is_valid()
    {
        var run = Tool.Run("validate", Sample);

        run.ExitCode.Should().Be(0, run.Output);
        run.Output.Trim().Should().Be($"✓ {Sample}: the configuration is valid (Loyalty options Loyalty, tier ladder Loyalty:Tiers, earning rule set Loyalty:RuleSets:0, rewards Loyalty:Rewards).");
    }

    [Fact]
    public void Every_problem_is_printed_with_its_path()
    {
        var text = File.ReadAllText(Sample)
            .Replace("\"Currency\": \"EUR\",\n    \"TimeZone\": \"Europe/Paris\",\n    \"Ledger\"", "\"Currency\": \"EURO\",\n    \"TimeZone\": \"Europe/Paris\",\n    \"Ledger\"", StringComparison.Ordinal)
            .Replace("\"PendingPeriod\": \"14.00:00:00\"", "\"PendingPeriod\": \"two weeks\", \"Pendingperiodd\": 1", StringComparison.Ordinal)
            .Replace("\"PointsPerUnit\": 1 }", "\"PointsPerUnit\": 0 }", StringComparison.Ordinal)
            .Replace("{ \"Metric\": \"Points\", \"Value\": 1500 }", "{ \"Metric\": \"Points\", \"Value\": -5 }", StringComparison.Ordinal)
            .Replace("\"WindowMonths\": 12", "\"WindowMonths\": \"twelve\"", StringComparison.Ordinal);
        var file = Tool.TempFile("appsettings.json", text);

        var run = Tool.Run("validate", file);

        run.ExitCode.Should().Be(1);
        run.Output.Replace("\r\n", "\n", StringComparison.Ordinal).Should().Be(
            $"""
            ✗ {file}: 6 problem(s) found:
              - Loyalty:Ledger:PendingPeriod: 'two weeks' is not a duration; write days.hours:minutes:seconds, e.g. 14.00:00:00 for 14 days.
              - Loyalty:Ledger:Pendingperiodd: is not a setting of a ledger section; the settings are Expiry, ExpiryBatchSize, HoldLifetime, MaxConcurrencyRetries, PendingPeriod, ShortfallPolicy.
              - Loyalty:Tiers:Policy:WindowMonths: 'twelve' is not a whole number (at most 2147483647); write it in digits, e.g. 500.
              - Loyalty:Currency: 'EURO' is not an ISO 4217 currency code; use a three-letter upper-case code such as EUR, USD or GBP.
              - Loyalty:Tiers:Tiers:2:Thresholds:0:Value: must be greater than 0 (was -5).
              - Loyalty:RuleSets:0:Rules:0:PointsPerUnit: must be greater than 0 (was 0).

            """);
    }

    [Fact]
    public void The_features_sub_sections_are_checked_as_the_host_checks_them()
    {
        var file = Tool.TempFile("appsettings.json", """
            { "Loyalty": { "ProgramId": "club", "Currency": "EUR", "TimeZone": "Europe/Paris",
              "Households": { "MaxMembers": 1, "Pooled": true },
              "Transfers": { "Period": "Fortnight" },
              "Cards": { "Prefix": "29", "Length": 13, "CheckDigit": "Ean13" } } }
            """);

        var run = Tool.Run("validate", file);

        run.ExitCode.Should().Be(1);
        run.Output.Replace("\r\n", "\n", StringComparison.Ordinal).Should().Be(
            $"""
            ✗ {file}: 3 problem(s) found:
              - Loyalty:Transfers:Period: 'Fortnight' is not one of Day, Week, Month, Year.
              - Loyalty:Households:Pooled: is not a setting of the Loyalty:Households section; the settings are MaxMembers, PooledTierQualification, SpendingOrder.
              - Loyalty:Households:MaxMembers: must be 2 to 50 (was 1).

            """);
    }

    [Fact]
    public void Json_lists_what_was_checked_and_the_problems()
    {
        var file = Tool.TempFile("appsettings.json", """{ "Loyalty": { "ProgramId": "club", "Currency": "usd" } }""");

        var run = Tool.Run("validate", file, "--json");

        run.ExitCode.Should().Be(1);
        var root = JsonDocument.Parse(run.Json).RootElement;
        root.GetProperty("valid").GetBoolean().Should().BeFalse();
        root.GetProperty("checked")[0].GetProperty("path").GetString().Should().Be("Loyalty");
        root.GetProperty("problems")[0].GetProperty("path").GetString().Should().Be("Loyalty:Currency");
        root.GetProperty("problems")[0].GetProperty("message").GetString().Should().Be("'usd' is not an ISO 4217 currency code; use a three-letter upper-case code such as EUR, USD or GBP.");
    }

    [Fact]
    public void Broken_json_is_reported_with_its_line()
    {
        var file = Tool.TempFile("appsettings.json", "{\n  \"Loyalty\": {\n    \"Currency\": \"EUR\"\n  \n");

        var run = Tool.Run("validate", file);

        run.ExitCode.Should().Be(1);
        run.Output.Should().Contain($"✗ {file}: 1 problem(s) found:").And.Contain("  - not valid JSON at line 5, position 1:");
    }

    [Fact]
    public void A_file_with_nothing_to_check_says_what_is_looked_for()
    {
        var file = Tool.TempFile("appsettings.json", """{ "Logging": { "LogLevel": { "Default": "Warning" } } }""");

        var run = Tool.Run("validate", file);

        run.ExitCode.Should().Be(1);
        run.Output.Should().Contain("  - nothing to check: no Loyalty section, tier ladder (an object with a \"Tiers\" list) or earning rule set (an object with \"version\" and \"rules\") was found.");
    }

    [Fact]
    public void A_missing_file_is_an_input_error()
    {
        var file = Path.Combine(Tool.TempFolder(), "appsettings.json");

        var run = Tool.Run("validate", file);

        run.ExitCode.Should().Be(3);
        run.Error.Trim().Should().Be($"error: {file}: no such file; give the path of the programme's configuration (appsettings.json).");
    }
}
