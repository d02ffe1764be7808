using System.Collections.Concurrent;
using System.Text;

namespace Loyalty.Core.Texts;

/// <summary>One argument of a template: its formatted text and, for plural forms, its number.</summary>
/// <param name="Name">The placeholder's name, e.g. <c>points</c>.</param>
/// <param name="Text">The formatted value put in place of <c>{name}</c>.</param>
/// <param name="Number">The value as a number, which chooses between the forms of <c>{name:one|other}</c>; null when not a number.</param>
internal readonly record struct TextArg(string Name, string Text, decimal? Number = null);

/// <summary>
/// A parsed text template: literal text, <c>{name}</c> placeholders, plural choices
/// <c>{name:one|other}</c> and the escapes <c>{{</c> and <c>}}</c>. Parsed templates are cached
/// (there are as many as catalogue entries); formatting allocates only the result.
/// </summary>
internal sealed class TextTemplate
{
    private static readonly ConcurrentDictionary<string, TextTemplate> Cache = new(StringComparer.Ordinal);

    private readonly Part[] parts;

    private readonly int literalLength;

    private TextTemplate(Part[] parts, IReadOnlyCollection<string> placeholders)
    {
        this.parts = parts;
        Placeholders = placeholders;
        foreach (var part in parts)
        {
            literalLength += part.Literal?.Length ?? 0;
        }
    }

    /// <summary>The placeholder names the template uses.</summary>
    public IReadOnlyCollection<string> Placeholders { get; }

    public static TextTemplate Get(string template)
    {
        if (Cache.TryGetValue(template, out var parsed))
        {
            return parsed;
        }

        var result = Parse(template, out var error) ?? throw new FormatException(error);
        if (Cache.Count < 10_000)
        {
            Cache.TryAdd(template, result);
        }

        return result;
    }

    /// <summary>Parses a template, or returns null with a message naming the first problem and its position.</summary>
    public static TextTemplate? Parse(string template, out string? error)
    {
        var parts = new List<Part>();
        var names = new List<string>();
        var literal = new StringBuilder();
        error = null;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}')
                {
                    literal.Append('}');
                    i++;
                    continue;
                }

                error = $"a lone '}}' at position {i}; write '}}}}' for a literal brace.";
                return null;
            }

            if (c != '{')
            {
                literal.Append(c);
                continue;
            }

            if (i + 1 < template.Length && template[i + 1] == '{')
            {
                literal.Append('{');
                i++;
                continue;
            }

            var end = template.IndexOf('}', i + 1);
            if (end < 0)
            {
                error = $"the placeholder opened at position {i} is not closed; write '{{{{' for a literal brace.";
                return null;
            }

            var body = template.AsSpan(i + 1, end - i - 1);
            if (body.IndexOf('{') >= 0)
            {
                error = $"the placeholder opened at position {i} holds another '{{'.";
                return null;
            }

            var colon = body.IndexOf(':');
            var name = (colon < 0 ? body : body[..colon]).ToString();
            if (!IsName(name))
            {
                error = $"the placeholder at position {i} has no valid name (was \"{{{body.ToString()}}}\"); names are letters and digits, e.g. {{points}}.";
                return null;
            }

            string[]? forms = null;
            if (colon >= 0)
            {
                forms = body[(colon + 1)..].ToString().Split('|');
                if (forms.Length != 2)
                {
                    error = $"the plural choice at position {i} must have two forms, one|other (was \"{{{body.ToString()}}}\"), e.g. {{points:point|points}}.";
                    return null;
                }
            }

            if (literal.Length > 0)
            {
                parts.Add(new Part(literal.ToString(), null, null));
                literal.Clear();
            }

            parts.Add(new Part(null, name, forms));
            if (!names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
            }

            i = end;
        }

        if (literal.Length > 0)
        {
            parts.Add(new Part(literal.ToString(), null, null));
        }

        return new TextTemplate([.. parts], names.AsReadOnly());
    }

    /// <summary>Fills the template. A placeholder without an argument is kept as written, so a mistake shows instead of vanishing.</summary>
    public string Format(PluralRule plural, ReadOnlySpan<TextArg> args) => Fill(plural, args, partial: false);

    /// <summary>
    /// Fills the placeholders that have an argument and keeps the others (with their plural choices)
    /// as placeholders: the result is a template again, its literal braces doubled.
    /// </summary>
    public string Partial(PluralRule plural, ReadOnlySpan<TextArg> args) => Fill(plural, args, partial: true);

    private string Fill(PluralRule plural, ReadOnlySpan<TextArg> args, bool partial)
    {
        var length = literalLength;
        foreach (var arg in args)
        {
            length += arg.Text.Length;
        }

        var builder = new StringBuilder(length + 8);
        foreach (var part in parts)
        {
            if (part.Literal is { } literal)
            {
                builder.Append(partial ? Escape(literal) : literal);
                continue;
            }

            var found = false;
            foreach (var arg in args)
            {
                if (!string.Equals(arg.Name, part.Name, StringComparison.Ordinal))
                {
                    continue;
                }

                found = true;
                var text = part.Forms is { } forms ? (arg.Number is { } n && plural.IsOne(n) ? forms[0] : forms[1]) : arg.Text;
                builder.Append(partial ? Escape(text) : text);

                break;
            }

            if (!found)
            {
                builder.Append('{').Append(part.Name);
                if (part.Forms is { } forms)
                {
                    builder.Append(':').Append(forms[0]).Append('|').Append(forms[1]);
                }

                builder.Append('}');
            }
        }

        return builder.ToString();
    }

    /// <summary>Doubles the braces of a text so that it reads as itself inside a template.</summary>
    public static string Escape(string text) => text.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);

    private static bool IsName(string name)
    {
        if (name.Length == 0 || !char.IsAsciiLetter(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private sealed record Part(string? Literal, string? Name, string[]? Forms);
}

/// <summary>When a language uses the singular ("one") form of a counted word.</summary>
internal enum PluralRule
{
    /// <summary>Only for exactly 1 (English: 1 point, 0 points, 1.5 points).</summary>
    ExactlyOne = 0,

    /// <summary>For values from 0 up to but excluding 2 (French: 0 point, 1 point, 1,5 point, 2 points).</summary>
    BelowTwo = 1,

    /// <summary>Never: the language has one form (the "other" one).</summary>
    None = 2,
}

internal static class PluralRules
{
    public const string ExactlyOne = "=1";
    public const string BelowTwo = "<2";
    public const string None = "none";

    public static bool TryParse(string value, out PluralRule rule)
    {
        switch (value)
        {
            case ExactlyOne:
                rule = PluralRule.ExactlyOne;
                return true;
            case BelowTwo:
                rule = PluralRule.BelowTwo;
                return true;
            case None:
                rule = PluralRule.None;
                return true;
            default:
                rule = default;
                return false;
        }
    }

    public static bool IsOne(this PluralRule rule, decimal value) => rule switch
    {
        PluralRule.ExactlyOne => Math.Abs(value) == 1m,
        PluralRule.BelowTwo => Math.Abs(value) < 2m,
        _ => false,
    };
}
