using System.Globalization;
using Loyalty.Core.Internal;
using NodaTime.Text;

namespace Loyalty.Core.Texts;

/// <summary>
/// The member-facing texts by language: the built-in English and French, plus what the shop
/// overrides or adds (one key, or a whole language) at start-up or at run time.
/// </summary>
/// <remarks>
/// <para>Thread-safe: reads see a consistent snapshot; writes are validated first and applied whole
/// (a rejected <see cref="AddLanguage"/> changes nothing).</para>
/// <para>Templates use <c>{name}</c> placeholders, plural choices <c>{points:point|points}</c> (the form
/// is chosen by the language's <c>Plural.One</c> rule) and <c>{{</c> / <c>}}</c> for literal braces. A
/// template may use fewer placeholders than the built-in one of its key, never others.</para>
/// </remarks>
public sealed class LoyaltyTextCatalog : ILoyaltyTextProvider
{
    private readonly Lock gate = new();
    private volatile Dictionary<string, Dictionary<string, string>> languages;

    /// <summary>A catalogue holding the built-in English and French texts.</summary>
    public LoyaltyTextCatalog()
    {
        languages = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase)
        {
            [BuiltInTexts.English] = new(BuiltInTexts.EnglishTexts, StringComparer.Ordinal),
            [BuiltInTexts.French] = new(BuiltInTexts.FrenchTexts, StringComparer.Ordinal),
        };
    }

    /// <summary>Every key the package has a built-in text for (English has them all), in ordinal order.</summary>
    public static IReadOnlyList<string> BuiltInKeys { get; } = BuiltInTexts.EnglishTexts.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The languages with at least one text, e.g. <c>en</c>, <c>fr</c>, in ordinal order.</summary>
    public IReadOnlyList<string> Languages => languages.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <inheritdoc />
    public string? GetTemplate(string language, string key)
    {
        ArgumentNullException.ThrowIfNull(language);
        ArgumentNullException.ThrowIfNull(key);
        return languages.TryGetValue(language, out var texts) && texts.TryGetValue(key, out var template) ? template : null;
    }

    /// <summary>Sets (adds or overrides) one text of a language.</summary>
    /// <param name="language">A culture name, e.g. <c>fr</c>, <c>fr-CA</c>, <c>de</c>.</param>
    /// <param name="key">A key of <see cref="BuiltInKeys"/>, <c>RuleText.&lt;rule id&gt;</c>, <c>RewardName.&lt;reward id&gt;</c> or an ordinal key (<c>Ordinal.Exact.&lt;n&gt;</c>, <c>Ordinal.Last1.&lt;d&gt;</c>, <c>Ordinal.Last2.&lt;dd&gt;</c>).</param>
    /// <param name="template">The template.</param>
    /// <returns>This catalogue, for chaining.</returns>
    /// <exception cref="ArgumentException">The language is not a culture name, the key is unknown, or the template is malformed or uses a placeholder the key does not provide; the message says which.</exception>
    public LoyaltyTextCatalog Set(string language, string key, string template)
    {
        Preconditions.CheckNotNull(key);
        Preconditions.CheckNotNull(template);
        var name = CheckLanguage(language);
        var errors = new List<string>();
        Validate(key, template, errors);
        if (errors.Count > 0)
        {
            throw new ArgumentException($"The text for language \"{name}\" is invalid: {errors[0]}", nameof(template));
        }

        Apply(name, [new KeyValuePair<string, string>(key, template)]);
        return this;
    }

    /// <summary>
    /// Adds the texts of a language, or more texts to one (those given replace the ones there). Keys
    /// it does not give fall back to the language's parent, then to English; <see cref="MissingKeys"/>
    /// lists them.
    /// </summary>
    /// <param name="language">A culture name, e.g. <c>de</c> or <c>es-MX</c>.</param>
    /// <param name="templates">The texts by key.</param>
    /// <returns>This catalogue, for chaining.</returns>
    /// <exception cref="ArgumentException">The language is not a culture name, or any entry is invalid; the message lists every problem and nothing is added.</exception>
    public LoyaltyTextCatalog AddLanguage(string language, IReadOnlyDictionary<string, string> templates)
    {
        Preconditions.CheckNotNull(templates);
        var name = CheckLanguage(language);
        var errors = new List<string>();
        foreach (var (key, template) in templates.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (key is null || template is null)
            {
                errors.Add($"the text for \"{key}\" is null.");
                continue;
            }

            Validate(key, template, errors);
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"The texts for language \"{name}\" are invalid ({errors.Count} problem(s)): {string.Join(" ", errors)}", nameof(templates));
        }

        Apply(name, templates);
        return this;
    }

    /// <summary>The built-in keys a language has no text of its own for (they fall back to its parent language, then English).</summary>
    /// <param name="language">A culture name.</param>
    /// <returns>The keys, in ordinal order; every built-in key for a language the catalogue does not hold.</returns>
    /// <exception cref="ArgumentException">The language is not a culture name.</exception>
    public IReadOnlyList<string> MissingKeys(string language)
    {
        var name = CheckLanguage(language);
        return languages.TryGetValue(name, out var texts)
            ? BuiltInKeys.Where(k => !texts.ContainsKey(k)).ToArray()
            : BuiltInKeys;
    }

    internal static bool IsKnownKey(string key) =>
        BuiltInTexts.EnglishTexts.ContainsKey(key) || IsIdKey(key, TextKeys.RuleTextPrefix) || IsIdKey(key, TextKeys.RewardNamePrefix) || IsOrdinalKey(key);

    private static bool IsIdKey(string key, string prefix) => key.Length > prefix.Length && key.StartsWith(prefix, StringComparison.Ordinal);

    private static bool IsOrdinalKey(string key)
    {
        static bool Digits(string key, string prefix, int min, int max) =>
            key.StartsWith(prefix, StringComparison.Ordinal)
            && key.Length - prefix.Length is var n && n >= min && n <= max
            && key.AsSpan(prefix.Length).ContainsAnyExceptInRange('0', '9') is false;

        return Digits(key, "Ordinal.Exact.", 1, 9) || Digits(key, "Ordinal.Last1.", 1, 1) || Digits(key, "Ordinal.Last2.", 2, 2);
    }

    private static string CheckLanguage(string language)
    {
        Preconditions.CheckNotNull(language);
        CultureInfo culture;
        try
        {
            culture = CultureInfo.GetCultureInfo(language, predefinedOnly: true);
        }
        catch (CultureNotFoundException)
        {
            throw new ArgumentException($"language must be a culture name such as \"fr\", \"fr-CA\" or \"de\" (was \"{language}\").", nameof(language));
        }

        if (culture.Name.Length == 0)
        {
            throw new ArgumentException("language must be a culture name such as \"fr\", \"fr-CA\" or \"de\", not the invariant culture; invariant texts fall back to English.", nameof(language));
        }

        return culture.Name;
    }

    private static void Validate(string key, string template, List<string> errors)
    {
        if (!IsKnownKey(key))
        {
            errors.Add($"\"{key}\" is not a text key; use one of LoyaltyTextCatalog.BuiltInKeys (e.g. \"Rule.Spend\", \"Error.InsufficientPoints\"), \"{TextKeys.RuleTextPrefix}<rule id>\", \"{TextKeys.RewardNamePrefix}<reward id>\" or an ordinal key (\"Ordinal.Exact.1\", \"Ordinal.Last1.2\", \"Ordinal.Last2.11\").");
            return;
        }

        if (key == "Plural.One")
        {
            if (!PluralRules.TryParse(template, out _))
            {
                errors.Add($"\"Plural.One\" must be \"{PluralRules.ExactlyOne}\" (singular for exactly 1, as in English), \"{PluralRules.BelowTwo}\" (singular below 2, as in French) or \"{PluralRules.None}\" (no singular) (was \"{template}\").");
            }

            return;
        }

        if (key.StartsWith("Format.Date", StringComparison.Ordinal) || key == "Format.Time")
        {
            try
            {
                if (key == "Format.Time")
                {
                    LocalTimePattern.CreateWithInvariantCulture(template);
                }
                else
                {
                    LocalDatePattern.CreateWithInvariantCulture(template);
                }
            }
            catch (InvalidPatternException ex)
            {
                errors.Add($"\"{key}\" must be a NodaTime {(key == "Format.Time" ? "time" : "date")} pattern such as \"{BuiltInTexts.EnglishTexts[key]}\" (was \"{template}\"): {ex.Message}");
            }

            return;
        }

        var parsed = TextTemplate.Parse(template, out var error);
        if (parsed is null)
        {
            errors.Add($"the template of \"{key}\" is malformed: {error}");
            return;
        }

        var allowed = Allowed(key);
        var unknown = parsed.Placeholders.Where(p => !allowed.Contains(p, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            errors.Add(allowed.Count == 0
                ? $"the template of \"{key}\" uses {{{unknown[0]}}} but this text takes no placeholder; write braces as {{{{ and }}}}."
                : $"the template of \"{key}\" uses {{{unknown[0]}}}, which this text does not provide; it may use {string.Join(", ", allowed.Select(a => "{" + a + "}"))}.");
        }
    }

    private static IReadOnlyCollection<string> Allowed(string key)
    {
        if (key.StartsWith("Ordinal.", StringComparison.Ordinal))
        {
            return ["n"];
        }

        return BuiltInTexts.EnglishTexts.TryGetValue(key, out var english) ? TextTemplate.Get(english).Placeholders : [];
    }

    private void Apply(string language, IEnumerable<KeyValuePair<string, string>> templates)
    {
        lock (gate)
        {
            var copy = new Dictionary<string, Dictionary<string, string>>(languages, StringComparer.OrdinalIgnoreCase);
            var texts = copy.TryGetValue(language, out var existing)
                ? new Dictionary<string, string>(existing, StringComparer.Ordinal)
                : new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, template) in templates)
            {
                texts[key] = template;
            }

            copy[language] = texts;
            languages = copy;
        }
    }
}
