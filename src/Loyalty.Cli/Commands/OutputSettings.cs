using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Loyalty.Cli.Commands;

/// <summary>Options every command has: machine output and the language of tables and reports.</summary>
internal class OutputSettings : CommandSettings
{
    /// <summary>Writes JSON to standard output instead of tables.</summary>
    [CommandOption("--json")]
    [Description("Write the result as JSON on standard output (for machines) instead of tables.")]
    public bool Json { get; init; }

    /// <summary>The language and number format of tables and reports.</summary>
    [CommandOption("--culture <NAME>")]
    [Description("Language and number format of tables and reports: en (default) or fr-FR.")]
    [DefaultValue("en")]
    public string Culture { get; init; } = "en";

    /// <summary>The parsed <see cref="Culture"/>.</summary>
    public CultureInfo OutputCulture { get; private set; } = CultureInfo.GetCultureInfo("en");

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (!TryCulture(Culture, out var culture) || !(culture.TwoLetterISOLanguageName is "en" or "fr"))
        {
            return ValidationResult.Error($"--culture: '{Culture}' is not a supported culture; use en (English) or fr-FR (French).");
        }

        OutputCulture = culture;
        return ValidationResult.Success();
    }

    /// <summary>A predefined culture by name ("" or "invariant" for the invariant culture).</summary>
    /// <param name="name">The name.</param>
    /// <param name="culture">The culture.</param>
    /// <returns>Whether it exists.</returns>
    protected static bool TryCulture(string? name, out CultureInfo culture)
    {
        culture = CultureInfo.InvariantCulture;
        if (string.IsNullOrEmpty(name) || name.Equals("invariant", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        try
        {
            culture = CultureInfo.GetCultureInfo(name, predefinedOnly: true);
            return true;
        }
        catch (CultureNotFoundException)
        {
            return false;
        }
    }
}
