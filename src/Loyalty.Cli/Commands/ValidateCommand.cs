using System.ComponentModel;
using System.Text.Json;
using Loyalty.Cli.Infrastructure;
using Loyalty.Cli.Input;
using Loyalty.Cli.Reports;
using Loyalty.Core.Configuration;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Loyalty.Cli.Commands;

/// <summary>The settings of <c>loyalty validate</c>.</summary>
internal sealed class ValidateSettings : OutputSettings
{
    /// <summary>The configuration file.</summary>
    [CommandArgument(0, "<APPSETTINGS.JSON>")]
    [Description("The programme configuration (appsettings.json): the Loyalty section, tier ladders and earning rule sets found in it.")]
    public string File { get; init; } = string.Empty;
}

/// <summary>
/// <c>loyalty validate</c>: checks a programme configuration file with the library's own
/// validators and prints every problem with its configuration path: the <c>Loyalty</c> options
/// (<see cref="LoyaltyOptionsValidator"/>), every tier ladder (<see cref="TierLadder.FromDefinition"/>)
/// and every earning rule set (<see cref="EarningRuleSet.FromJson"/>) found in the file.
/// </summary>
/// <param name="console">Where to write.</param>
internal sealed class ValidateCommand(CliConsole console) : Command<ValidateSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, ValidateSettings settings, CancellationToken cancellationToken)
    {
        var outcome = ConfigurationCheck.Run(settings.File);
        var texts = new Texts(settings.OutputCulture);
        if (settings.Json)
        {
            console.Json.WriteLine(JsonSerializer.Serialize(
                new
                {
                    file = settings.File,
                    valid = outcome.Problems.Count == 0,
                    @checked = outcome.Checked.Select(c => new { kind = c.Kind, path = c.Path }),
                    problems = outcome.Problems.Select(p => new { path = p.Path, message = p.Message }),
                },
                OrdersCommand<OrdersSettings>.JsonOptions));
            console.Json.Flush();
        }
        else if (outcome.Problems.Count == 0)
        {
            var found = string.Join(", ", outcome.Checked.Select(c => c.Path.Length == 0 ? c.Kind : $"{c.Kind} {c.Path}"));
            console.Out.MarkupLine("[green]✓[/] " + Markup.Escape(texts.Format("validate.ok", settings.File, found)));
        }
        else
        {
            console.Out.MarkupLine("[red]✗[/] " + Markup.Escape(texts.Format("validate.problems", settings.File, outcome.Problems.Count)));
            foreach (var problem in outcome.Problems)
            {
                console.Out.WriteLine($"  - {problem}");
            }
        }

        return outcome.Problems.Count == 0 ? ExitCodes.Success : ExitCodes.ConfigurationInvalid;
    }
}

/// <summary>One problem of a configuration file.</summary>
/// <param name="Path">The configuration path (e.g. <c>Loyalty:Currency</c>, <c>Programme:Tiers</c>), empty for the whole file.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
internal sealed record ConfigurationProblem(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}

/// <summary>The checks of <c>loyalty validate</c>, separate from the console so tests call them directly.</summary>
internal static class ConfigurationCheck
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Checks a configuration file.</summary>
    /// <param name="file">The path.</param>
    /// <returns>What was checked and every problem found.</returns>
    /// <exception cref="InputException">The file does not exist or cannot be read.</exception>
    public static (IReadOnlyList<(string Kind, string Path)> Checked, IReadOnlyList<ConfigurationProblem> Problems) Run(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException($"{file}: no such file; give the path of the programme's configuration (appsettings.json).", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{file}: cannot be read ({ex.Message}).", ex);
        }

        var problems = new List<ConfigurationProblem>();
        var found = new List<(string Kind, string Path)>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, DocumentOptions);
        }
        catch (JsonException ex)
        {
            problems.Add(new ConfigurationProblem(string.Empty, $"not valid JSON at line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}: {FirstSentence(ex.Message)}"));
            return (found, problems);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new ConfigurationProblem(string.Empty, "the file must hold a JSON object, like appsettings.json: { \"Loyalty\": { … } }."));
                return (found, problems);
            }

            IConfiguration configuration;
            using (var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)))
            {
                configuration = new ConfigurationBuilder().AddJsonStream(stream).Build();
            }

            string? currency = null;
            var loyalty = Property(document.RootElement, LoyaltyOptions.SectionName);
            if (loyalty is { } loyaltyElement)
            {
                found.Add(("Loyalty options", LoyaltyOptions.SectionName));
                // The whole programme of the section (options, tiers, rule sets, rewards), read as the host reads it.
                var options = new LoyaltyOptions();
                LoyaltySectionReader.Read(configuration.GetSection(loyaltyElement.Path), options);
                if (options.Tiers is not null)
                {
                    found.Add(("tier ladder", $"{loyaltyElement.Path}:{nameof(LoyaltyOptions.Tiers)}"));
                }

                found.AddRange(options.RuleSets.Select((_, i) => ("earning rule set", $"{loyaltyElement.Path}:{nameof(LoyaltyOptions.RuleSets)}:{i}")));
                if (options.Rewards.Count > 0)
                {
                    found.Add(("rewards", $"{loyaltyElement.Path}:{nameof(LoyaltyOptions.Rewards)}"));
                }

                foreach (var failure in LoyaltyOptionsValidator.GetFailures(options))
                {
                    problems.Add(Split(failure));
                }

                // The features' sub-sections (Transfers, Households, Cards, Diagnostics), as the host checks them at start-up.
                foreach (var failure in LoyaltySectionReader.GetFeatureFailures(configuration.GetSection(loyaltyElement.Path)))
                {
                    problems.Add(Split(failure));
                }

                currency = options.Currency;
            }

            var ladders = new List<(string Path, JsonElement Element)>();
            var ruleSets = new List<(string Path, JsonElement Element)>();
            Walk(document.RootElement, string.Empty, ladders, ruleSets);

            foreach (var (path, _) in ladders)
            {
                found.Add(("tier ladder", path));
                var definition = Bind<TierLadderDefinition>(configuration.GetSection(path), path, problems);
                if (definition is null)
                {
                    continue;
                }

                try
                {
                    var ladder = TierLadder.FromDefinition(definition);
                    if (currency is not null && definition.Policy?.Currency is { } ladderCurrency && !string.Equals(ladderCurrency, currency, StringComparison.Ordinal))
                    {
                        problems.Add(new ConfigurationProblem($"{path}:Policy:Currency", $"is {ladderCurrency} but the programme's currency (Loyalty:Currency) is {currency}; use one currency."));
                    }

                    _ = ladder;
                }
                catch (TierLadderException ex)
                {
                    problems.AddRange(ex.Errors.Select(e => new ConfigurationProblem(path, e)));
                }
            }

            foreach (var (path, element) in ruleSets)
            {
                found.Add(("earning rule set", path));
                try
                {
                    var rules = EarningRuleSet.FromJson(element.GetRawText());
                    if (currency is not null && !string.Equals(rules.Currency.Code, currency, StringComparison.Ordinal))
                    {
                        problems.Add(new ConfigurationProblem($"{path}:currency", $"is {rules.Currency.Code} but the programme's currency (Loyalty:Currency) is {currency}; use one currency."));
                    }
                }
                catch (EarningRuleSetException ex)
                {
                    problems.AddRange(ex.Errors.Select(e => new ConfigurationProblem(path, e)));
                }
            }

            if (found.Count == 0)
            {
                problems.Add(new ConfigurationProblem(string.Empty, "nothing to check: no Loyalty section, tier ladder (an object with a \"Tiers\" list) or earning rule set (an object with \"version\" and \"rules\") was found."));
            }
        }

        return (found, problems);
    }

    /// <summary>
    /// Finds tier ladders (objects with a <c>Tiers</c> list of objects) and earning rule sets
    /// (objects with <c>version</c> and a <c>rules</c> list) anywhere in the document, by configuration path.
    /// </summary>
    private static void Walk(JsonElement element, string path, List<(string, JsonElement)> ladders, List<(string, JsonElement)> ruleSets)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            if (path.Length > 0 && !path.StartsWith(LoyaltyOptions.SectionName + ":", StringComparison.OrdinalIgnoreCase))
            {
                if (Property(element, "Tiers") is { Value.ValueKind: JsonValueKind.Array } tiers && tiers.Value.EnumerateArray().All(t => t.ValueKind == JsonValueKind.Object))
                {
                    ladders.Add((path, element));
                    return;
                }

                if (Property(element, "rules") is { Value.ValueKind: JsonValueKind.Array } && Property(element, "version") is not null)
                {
                    ruleSets.Add((path, element));
                    return;
                }
            }

            foreach (var property in element.EnumerateObject())
            {
                Walk(property.Value, path.Length == 0 ? property.Name : $"{path}:{property.Name}", ladders, ruleSets);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in element.EnumerateArray())
            {
                Walk(item, $"{path}:{i++}", ladders, ruleSets);
            }
        }
    }

    private static (string Path, JsonElement Value)? Property(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return (property.Name, property.Value);
            }
        }

        return null;
    }

    /// <summary>
    /// Binds a section, reporting each value that cannot be converted and each unknown setting
    /// with its path; the offending keys are left out and the binding retried, so one bad value
    /// does not hide the others (nor the validator's findings on the rest).
    /// </summary>
    private static T? Bind<T>(IConfigurationSection section, string path, List<ConfigurationProblem> problems)
        where T : class, new()
    {
        var values = section.AsEnumerable().Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var current = new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection(section.Path);
            try
            {
                return current.Get<T>(o => o.ErrorOnUnknownConfiguration = true) ?? new T();
            }
            catch (InvalidOperationException ex)
            {
                var removed = 0;
                var conversion = System.Text.RegularExpressions.Regex.Match(ex.Message, "^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'");
                var unknown = System.Text.RegularExpressions.Regex.Match(ex.Message, "properties were not found on the instance of (?<type>[^:]+): (?<names>.+)$");
                if (conversion.Success)
                {
                    var key = conversion.Groups["key"].Value;
                    var type = conversion.Groups["type"].Value;
                    problems.Add(new ConfigurationProblem(key, $"'{conversion.Groups["value"].Value}' is not a valid {FriendlyType(type)}{Hint(type)}."));
                    removed += values.Remove(key) ? 1 : 0;
                }
                else if (unknown.Success)
                {
                    var type = unknown.Groups["type"].Value;
                    foreach (var name in unknown.Groups["names"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(n => n.Trim('\'')))
                    {
                        var keys = values.Keys.Where(k => k.Split(':')[^1].Equals(name, StringComparison.OrdinalIgnoreCase) || k.Contains($":{name}:", StringComparison.OrdinalIgnoreCase)).ToList();
                        var where = keys.Count > 0 ? string.Join(':', keys[0].Split(':').TakeWhile(p => !p.Equals(name, StringComparison.OrdinalIgnoreCase)).Append(name)) : $"{path}:{name}";
                        problems.Add(new ConfigurationProblem(where, $"is not a setting of {type[(type.LastIndexOf('.') + 1)..]}; check its spelling (names are listed in the documentation)."));
                        foreach (var key in keys)
                        {
                            removed += values.Remove(key) ? 1 : 0;
                        }
                    }
                }

                if (removed == 0)
                {
                    problems.Add(new ConfigurationProblem(path, FirstSentence(ex.Message)));
                    return null;
                }
            }
        }

        return null;
    }

    private static string FriendlyType(string type) => type switch
    {
        "System.TimeSpan" => "duration",
        "System.Int32" or "System.Int64" => "whole number",
        "System.Decimal" or "System.Double" => "number",
        "System.Boolean" => "true/false value",
        _ when type.Contains('.', StringComparison.Ordinal) => $"value of {type[(type.LastIndexOf('.') + 1)..]}",
        _ => type,
    };

    private static string Hint(string type) => type switch
    {
        "System.TimeSpan" => "; write it d.hh:mm:ss, e.g. \"14.00:00:00\" for 14 days",
        "System.Boolean" => "; write true or false",
        _ => string.Empty,
    };

    private static ConfigurationProblem Split(string failure)
    {
        // LoyaltyOptionsValidator writes "Loyalty:Field: message" or "Loyalty:Field must …".
        var cut = failure.IndexOf(' ', StringComparison.Ordinal);
        return cut > 0 && failure.StartsWith(LoyaltyOptions.SectionName, StringComparison.Ordinal)
            ? new ConfigurationProblem(failure[..cut].TrimEnd(':'), failure[(cut + 1)..])
            : new ConfigurationProblem(string.Empty, failure);
    }

    private static string FirstSentence(string message)
    {
        foreach (var marker in new[] { " Path:", " LineNumber:" })
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut >= 0)
            {
                message = message[..cut];
            }
        }

        return message.Trim();
    }
}
