using System.Text;
using System.Text.RegularExpressions;

namespace Loyalty.Core.Configuration;

/// <summary>
/// Turns the paths of the data-form validators (<c>rules[2].multiplier</c>, <c>policy.windowMonths</c>)
/// into configuration paths under a prefix (<c>Loyalty:RuleSets:0:Rules:2:Multiplier</c>), so every
/// problem names the key to fix in <c>appsettings.json</c> or the environment.
/// </summary>
internal static partial class ConfigurationPaths
{
    /// <summary>Rewrites a validator message: its leading path, and any later reference to a rule, group or tier.</summary>
    /// <param name="prefix">The configuration path of the data (e.g. <c>Loyalty:RuleSets:0</c>).</param>
    /// <param name="message">The validator's message, e.g. <c>rules[2].multiplier must be greater than 1 (was 0).</c></param>
    /// <returns>The message with configuration paths.</returns>
    public static string Rewrite(string prefix, string message)
    {
        var lead = LeadingPath().Match(message);
        string head;
        string rest;
        if (lead.Success)
        {
            head = prefix + ":" + Convert(lead.Groups["path"].Value);
            rest = message[lead.Groups["path"].Length..];
            if (rest.StartsWith(": ", StringComparison.Ordinal))
            {
                rest = " " + rest[2..];
            }
        }
        else
        {
            head = prefix;
            rest = ": " + message;
        }

        rest = Reference().Replace(rest, m => prefix + ":" + Convert(m.Value));
        return head + rest;
    }

    /// <summary>
    /// True when <paramref name="failure"/> is about the setting at <paramref name="path"/> (which could not be read), a
    /// setting under it, or the item that holds it (an item left empty because its kind could not be read).
    /// </summary>
    public static bool IsAbout(string failure, string path)
    {
        if (failure.StartsWith(path, StringComparison.OrdinalIgnoreCase) && (failure.Length == path.Length || failure[path.Length] is ' ' or ':'))
        {
            return true;
        }

        var end = failure.IndexOf(' ', StringComparison.Ordinal);
        var about = (end < 0 ? failure : failure[..end]).TrimEnd(':');
        return path.Length > about.Length + 1
            && path.StartsWith(about + ":", StringComparison.OrdinalIgnoreCase)
            && path.IndexOf(':', about.Length + 1) < 0;
    }

    /// <summary><c>rules[2].caps.perOrder</c> → <c>Rules:2:Caps:PerOrder</c>.</summary>
    public static string Convert(string jsonPath)
    {
        var builder = new StringBuilder(jsonPath.Length + 8);
        foreach (var part in jsonPath.TrimStart('$', '.').Split('.'))
        {
            var name = part;
            var index = string.Empty;
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket >= 0)
            {
                name = part[..bracket];
                index = part[bracket..].Replace("][", ":", StringComparison.Ordinal).Trim('[', ']');
            }

            if (builder.Length > 0)
            {
                builder.Append(':');
            }

            if (name.Length > 0)
            {
                builder.Append(char.ToUpperInvariant(name[0])).Append(name, 1, name.Length - 1);
            }

            if (index.Length > 0)
            {
                builder.Append(name.Length > 0 ? ":" : string.Empty).Append(index);
            }
        }

        return builder.ToString();
    }

    [GeneratedRegex(@"^\$?\.?(?<path>[a-z][A-Za-z]*(?:\[\d+\])*(?:\.[a-z][A-Za-z]*(?:\[\d+\])*)*)(?=[ :]|$)")]
    private static partial Regex LeadingPath();

    [GeneratedRegex(@"(?<![\w:.])(?:rules|groups|tiers)\[\d+\](?:\.[a-z][A-Za-z]*(?:\[\d+\])*)*")]
    private static partial Regex Reference();
}
