using System.Text.RegularExpressions;

namespace Loyalty.Core.Tests.Fuzzing;

/// <summary>
/// A seeded mutator over valid JSON documents: character flips, token deletions and
/// duplications, value type swaps, huge and odd numbers, nulls and broken strings.
/// The same seed always gives the same documents, so a failure is reproducible.
/// </summary>
internal sealed partial class JsonMutator(int seed)
{
    private static readonly string[] Replacements =
    [
        "null", "{}", "[]", "[null]", "[{}]", "\"\"", "\" \"", "\"x\"", "0", "-1", "1", "0.5", "-0", "true", "false",
        "1e400", "-1e400", "1e28", "1e-28", "79228162514264337593543950335", "79228162514264337593543950336",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "2147483648", "-2147483649",
        "1e12", "1000000000001", "0.0000000000000000000000000001", "\"\\ud800\"", "\"a\\u0000b\"",
        "\"2026-02-30T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"", "\"-9998-01-01T00:00:00Z\"", "\"P1000000Y\"", "\"PT1H\"", "\"P-1M\"",
        "\"Pacific/Apia\"", "\"Nowhere/Else\"", "\"XXX\"", "\"EUR\"", "\"monday\"", "\"sunday\"", "\"spend\"", "\"all\"", "\"not\"",
        "{\"kind\":\"spend\"}", "{\"type\":\"all\"}", "{\"type\":\"all\",\"conditions\":null}", "{\"type\":\"not\"}",
        "{\"type\":\"daysOfWeek\",\"days\":null}", "{\"type\":\"tier\",\"tiers\":null}", "{\"type\":\"store\",\"stores\":null}",
        "{\"type\":\"daysOfWeek\",\"days\":[null]}", "{\"type\":\"tier\",\"tiers\":[null]}", "{\"type\":\"store\",\"stores\":[null]}",
        "{\"skus\":null}", "{\"categories\":[null]}", "[1,2,3]", "[\"a\",\"a\"]",
    ];

    private static readonly char[] Characters = "{}[]\",:0123456789.-+eE nultrfasx\\/\u00e9\ud800\u0000".ToCharArray();

    private readonly Random random = new(seed);

    private readonly Dictionary<string, string[]> tokenCache = new(StringComparer.Ordinal);

    /// <summary>One to three mutations of the document's tokens, then sometimes a character flip.</summary>
    public string Mutate(string document)
    {
        if (!tokenCache.TryGetValue(document, out var seedTokens))
        {
            seedTokens = TokenPattern().Matches(document).Select(m => m.Value).ToArray();
            tokenCache.Add(document, seedTokens);
        }

        var tokens = new List<string>(seedTokens);
        var count = 1 + random.Next(3);
        for (var i = 0; i < count && tokens.Count > 0; i++)
        {
            MutateOnce(tokens);
        }

        var text = string.Join(' ', tokens);
        if (random.Next(8) == 0 && text.Length > 0)
        {
            // Flip one character, or truncate the text.
            var at = random.Next(text.Length);
            text = random.Next(4) == 0 ? text[..at] : string.Concat(text.AsSpan(0, at), Pick(Characters).ToString(), text.AsSpan(at + 1));
        }

        return text;
    }

    private void MutateOnce(List<string> tokens)
    {
        var at = random.Next(tokens.Count);
        var token = tokens[at];
        var isValue = token.Length > 0 && (token[0] == '"' || token[0] == '-' || char.IsAsciiDigit(token[0]) || token is "true" or "false" or "null");
        if (!isValue && random.Next(3) > 0)
        {
            // Prefer values: find the next one.
            for (var k = 0; k < tokens.Count; k++)
            {
                var j = (at + k) % tokens.Count;
                var t = tokens[j];
                if (t.Length > 0 && (t[0] == '"' || t[0] == '-' || char.IsAsciiDigit(t[0])) && !(j + 1 < tokens.Count && tokens[j + 1] == ":"))
                {
                    (at, token, isValue) = (j, t, true);
                    break;
                }
            }
        }

        switch (random.Next(6))
        {
            case 0: // delete a token
                tokens.RemoveAt(at);
                break;
            case 1: // duplicate a token
                tokens.Insert(at, token);
                break;
            case 2: // swap a value for another type or an odd value
            case 3:
                tokens[at] = Pick(Replacements);
                break;
            case 4: // a huge or odd number, or null, where a value was
                string[] huge = ["1e28", "79228162514264337593543950335", "9223372036854775807", "1e20", "1000000000000.01", "2147483647", "-1e20", "1e-30", "0", "null"];
                tokens[at] = Pick(huge);
                break;
            default: // corrupt a string
                if (token.StartsWith('"') && token.Length >= 2)
                {
                    tokens[at] = token.Insert(1 + random.Next(token.Length - 1), Pick(["\\ud800", "\\u0000", "\u00e9", "x", "\\\"", " ", "\ud800"]));
                }
                else
                {
                    tokens[at] = "null";
                }

                break;
        }
    }

    private T Pick<T>(IReadOnlyList<T> values) => values[random.Next(values.Count)];

    [GeneratedRegex("""
        "(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|[{}\[\],:]
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex TokenPattern();
}
