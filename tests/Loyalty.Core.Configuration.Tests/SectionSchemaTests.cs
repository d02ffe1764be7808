using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Loyalty.Core.Configuration.Tests;

/// <summary>The JSON Schema of the Loyalty section shipped in docs/ and in the Loyalty.Core.Configuration package.</summary>
public class SectionSchemaTests
{
    private static readonly JsonDocumentOptions AppSettings = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static string Root
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Loyalty.Core.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("The repository root (Loyalty.Core.sln) was not found above " + AppContext.BaseDirectory);
        }
    }

    private static string SchemaPath => Path.Combine(Root, "docs", "loyalty-configuration.schema.json");

    [Fact]
    public void The_shipped_schema_is_the_one_the_options_types_give()
    {
        // LOYALTY_UPDATE_SCHEMA=1 rewrites the file after a change of the options; review the diff.
        var generated = SectionSchemaGenerator.Generate().ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        if (Environment.GetEnvironmentVariable("LOYALTY_UPDATE_SCHEMA") == "1")
        {
            File.WriteAllText(SchemaPath, generated);
        }

        File.ReadAllText(SchemaPath).ReplaceLineEndings("\n").Should().Be(generated, "docs/loyalty-configuration.schema.json must follow the options types; run the tests with LOYALTY_UPDATE_SCHEMA=1 and review the diff");
    }

    [Theory]
    [InlineData("tests/Loyalty.Core.Configuration.Tests/Data/appsettings.full.json")]
    [InlineData("samples/ShopIntegration/appsettings.json")]
    public void A_complete_configuration_passes_the_schema(string file)
    {
        var result = Evaluate(File.ReadAllText(Path.Combine(Root, file)));

        result.IsValid.Should().BeTrue(string.Join(Environment.NewLine, Errors(result)));
    }

    [Fact]
    public void The_schema_catches_an_unknown_kind_a_misspelt_setting_and_a_value_of_the_wrong_type()
    {
        var document = JsonNode.Parse(File.ReadAllText(ConfiguredProgrammes.FullPath), documentOptions: AppSettings)!;
        document["Loyalty"]!["RuleSets"]![0]!["Rules"]![1]!["Kind"] = "bonus";
        document["Loyalty"]!["Rewards"]![0]!["Costs"] = 500;
        document["Loyalty"]!["Ledger"]!["MaxConcurrencyRetries"] = "many";
        document["Loyalty"]!["Tiers"]!["Policy"]!["Window"] = "Weekly";

        var errors = Errors(Evaluate(document.ToJsonString()));

        errors.Should().Contain(e => e.StartsWith("/Loyalty/RuleSets/0/Rules/1", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("/Loyalty/Rewards/0", StringComparison.Ordinal) && e.Contains("Costs", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("/Loyalty/Ledger/MaxConcurrencyRetries", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("/Loyalty/Tiers/Policy/Window", StringComparison.Ordinal));
    }

    [Fact]
    public void The_valid_document_passes_before_the_bad_edits()
    {
        var document = JsonNode.Parse(File.ReadAllText(ConfiguredProgrammes.FullPath), documentOptions: AppSettings)!;

        Evaluate(document.ToJsonString()).IsValid.Should().BeTrue();
    }

    private static EvaluationResults Evaluate(string json)
    {
        var schema = JsonSchema.FromText(File.ReadAllText(SchemaPath));
        using var document = JsonDocument.Parse(json, AppSettings);
        return schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static List<string> Errors(EvaluationResults result) =>
        (result.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Key}: {e.Value}"))
            .ToList();
}
