using System.Text.Json;

namespace Loyalty.Core.Internal;

/// <summary>Checks on JSON text that System.Text.Json would otherwise report with an undocumented exception.</summary>
internal static class JsonText
{
    /// <summary>
    /// Describes the first unpaired UTF-16 surrogate in <paramref name="json"/> (text that cannot be
    /// transcoded to UTF-8, so cannot be parsed), or returns null when the text is valid.
    /// </summary>
    public static string? DescribeInvalidText(string json)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < json.Length; i++, column++)
        {
            var c = json[i];
            if (c == '\n')
            {
                line++;
                column = 0;
            }
            else if (char.IsHighSurrogate(c) && i + 1 < json.Length && char.IsLowSurrogate(json[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"The JSON text holds an unpaired UTF-16 surrogate U+{(int)c:X4} at line {line}, column {column}; it is not valid Unicode text (check how the file was decoded).";
            }
        }

        return null;
    }

    /// <summary>
    /// The "path: " prefix naming where System.Text.Json failed (its JSON path without the leading
    /// "$."), or an empty string when the failure is at the root, which names no property.
    /// </summary>
    public static string PathPrefix(JsonException exception) =>
        exception.Path?.TrimStart('$', '.') is { Length: > 0 } path ? path + ": " : string.Empty;
}
