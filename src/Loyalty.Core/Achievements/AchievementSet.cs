using System.Globalization;
using System.Text.Json;
using Loyalty.Core.Earning;

namespace Loyalty.Core.Achievements;

/// <summary>
/// A programme's achievements, checked once: unique ids, targets of at least 1, known activity kinds… with the
/// refund policy. Serialises to and from JSON so marketing edits it as data.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class AchievementSet
{
    private AchievementSet(IReadOnlyList<AchievementDefinition> definitions, AchievementRefundPolicy refundPolicy)
    {
        Definitions = definitions;
        RefundPolicy = refundPolicy;
        CountsOrders = definitions.Any(d => d.Kind is AchievementKind.Streak or AchievementKind.SpendThreshold or AchievementKind.FirstInCategory);
    }

    /// <summary>An empty set: nothing is tracked.</summary>
    public static AchievementSet Empty { get; } = new([], AchievementRefundPolicy.Keep);

    /// <summary>The definitions, in the order given.</summary>
    public IReadOnlyList<AchievementDefinition> Definitions { get; }

    /// <summary>What a refund that undoes an achievement's cause does.</summary>
    public AchievementRefundPolicy RefundPolicy { get; }

    /// <summary>Whether any definition counts orders (streaks, thresholds, firsts).</summary>
    internal bool CountsOrders { get; }

    /// <summary>Checks and builds a set.</summary>
    /// <param name="definitions">The definitions.</param>
    /// <param name="refundPolicy">What a refund that undoes a cause does. Default <see cref="AchievementRefundPolicy.Keep"/>.</param>
    /// <returns>The set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="definitions"/> or one of them is null.</exception>
    /// <exception cref="ArgumentException">A definition is invalid; the message lists every problem with its path (<c>achievements[i].field</c>).</exception>
    public static AchievementSet Create(IEnumerable<AchievementDefinition> definitions, AchievementRefundPolicy refundPolicy = AchievementRefundPolicy.Keep)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var list = definitions.ToList();
        var errors = new List<string>();
        if (!Enum.IsDefined(refundPolicy))
        {
            errors.Add($"refundPolicy must be one of {string.Join(", ", Enum.GetNames<AchievementRefundPolicy>())} (was {(int)refundPolicy}).");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(list[i], nameof(definitions));
            list[i].Validate($"achievements[{i}]", errors);
            if (list[i].Id is { } id && !seen.Add(id))
            {
                errors.Add($"achievements[{i}].id '{id}' is used by another achievement; ids must be unique.");
            }
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid achievements: " + string.Join(" ", errors), nameof(definitions));
        }

        return new AchievementSet(list, refundPolicy);
    }

    /// <summary>
    /// Reads a set from JSON: <c>{ "refundPolicy": "revoke", "achievements": [ { "id": "critic", "name": "Critic",
    /// "kind": "activityCount", "activity": "review", "target": 5, "bonusPoints": 50, "validity": "calendarYear" } ] }</c>.
    /// Enum values are case-insensitive names.
    /// </summary>
    /// <param name="json">The JSON.</param>
    /// <returns>The set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="ArgumentException">The JSON is malformed, has an unknown field or value, or describes an invalid set; the message lists every problem with its path.</exception>
    public static AchievementSet FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"Invalid achievements: the JSON is malformed at line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}; fix the syntax.", nameof(json), ex);
        }

        using (document)
        {
            var errors = new List<string>();
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException("Invalid achievements: the JSON must be an object with an \"achievements\" array.", nameof(json));
            }

            var policy = AchievementRefundPolicy.Keep;
            var definitions = new List<AchievementDefinition>();
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "refundPolicy":
                        policy = EnumOf(property.Value, "refundPolicy", AchievementRefundPolicy.Keep, errors);
                        break;
                    case "achievements" when property.Value.ValueKind == JsonValueKind.Array:
                        var i = 0;
                        foreach (var item in property.Value.EnumerateArray())
                        {
                            if (Read(item, $"achievements[{i}]", errors) is { } definition)
                            {
                                definitions.Add(definition);
                            }

                            i++;
                        }

                        break;
                    case "achievements":
                        errors.Add("achievements must be an array.");
                        break;
                    default:
                        errors.Add($"'{property.Name}' is not a field of an achievement set; use refundPolicy and achievements.");
                        break;
                }
            }

            if (errors.Count > 0)
            {
                throw new ArgumentException("Invalid achievements: " + string.Join(" ", errors), nameof(json));
            }

            try
            {
                return Create(definitions, policy);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException(ex.Message[..ex.Message.LastIndexOf(" (Parameter", StringComparison.Ordinal)], nameof(json), ex);
            }
        }
    }

    /// <summary>Writes the set as the JSON <see cref="FromJson"/> reads.</summary>
    /// <returns>The JSON, indented.</returns>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("refundPolicy", Camel(RefundPolicy.ToString()));
            writer.WriteStartArray("achievements");
            foreach (var d in Definitions)
            {
                writer.WriteStartObject();
                writer.WriteString("id", d.Id);
                writer.WriteString("name", d.Name);
                writer.WriteString("kind", Camel(d.Kind.ToString()));
                if (d.Kind is AchievementKind.ActivityCount or AchievementKind.ReferralCount or AchievementKind.Streak)
                {
                    writer.WriteNumber("target", d.Target);
                }

                if (d.Activity is { } activity)
                {
                    writer.WriteString("activity", Camel(activity.ToString()));
                }

                if (d.EventName is { } eventName)
                {
                    writer.WriteString("eventName", eventName);
                }

                if (d.Kind == AchievementKind.SpendThreshold)
                {
                    writer.WriteNumber("amount", d.Amount);
                }

                if (d.Category is { } category)
                {
                    writer.WriteString("category", category);
                }

                if (d.BonusPoints != 0)
                {
                    writer.WriteNumber("bonusPoints", d.BonusPoints);
                }

                if (d.Validity != AchievementValidity.Permanent)
                {
                    writer.WriteString("validity", Camel(d.Validity.ToString()));
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private static AchievementDefinition? Read(JsonElement item, string path, List<string> errors)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path} must be an object.");
            return null;
        }

        string id = "", name = "";
        string? eventName = null, category = null;
        AchievementKind? kind = null;
        ActivityKind? activity = null;
        long target = 1, bonus = 0;
        decimal amount = 0m;
        var validity = AchievementValidity.Permanent;
        var before = errors.Count;
        foreach (var p in item.EnumerateObject())
        {
            var at = $"{path}.{p.Name}";
            switch (p.Name)
            {
                case "id": id = Text(p.Value, at, errors) ?? ""; break;
                case "name": name = Text(p.Value, at, errors) ?? ""; break;
                case "kind": kind = EnumOf(p.Value, at, AchievementKind.ActivityCount, errors); break;
                case "activity": activity = EnumOf(p.Value, at, ActivityKind.SignUp, errors); break;
                case "eventName": eventName = Text(p.Value, at, errors); break;
                case "category": category = Text(p.Value, at, errors); break;
                case "target": target = Int(p.Value, at, errors); break;
                case "bonusPoints": bonus = Int(p.Value, at, errors); break;
                case "validity": validity = EnumOf(p.Value, at, AchievementValidity.Permanent, errors); break;
                case "amount":
                    if (p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetDecimal(out var a))
                    {
                        amount = a;
                    }
                    else
                    {
                        errors.Add($"{at} must be a number (was {p.Value.GetRawText()}).");
                    }

                    break;
                default:
                    errors.Add($"{at} is not a field of an achievement; use id, name, kind, target, activity, eventName, amount, category, bonusPoints or validity.");
                    break;
            }
        }

        if (kind is null && errors.Count == before)
        {
            errors.Add($"{path}.kind is required; use one of {string.Join(", ", Enum.GetNames<AchievementKind>().Select(Camel))}.");
        }

        return errors.Count > before ? null : new AchievementDefinition
        {
            Id = id, Name = name, Kind = kind!.Value, Activity = activity, EventName = eventName, Category = category,
            Target = target, BonusPoints = bonus, Amount = amount, Validity = validity,
        };
    }

    private static string? Text(JsonElement value, string path, List<string> errors)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        errors.Add($"{path} must be a string (was {value.GetRawText()}).");
        return null;
    }

    private static long Int(JsonElement value, string path, List<string> errors)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n))
        {
            return n;
        }

        errors.Add($"{path} must be a whole number (was {value.GetRawText()}).");
        return 0;
    }

    private static T EnumOf<T>(JsonElement value, string path, T fallback, List<string> errors)
        where T : struct, Enum
    {
        var names = string.Join(", ", Enum.GetNames<T>().Select(Camel));
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{path} must be a string, one of {names} (was {value.GetRawText()}).");
            return fallback;
        }

        var text = value.GetString()!;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) && Enum.TryParse<T>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
        {
            return parsed;
        }

        errors.Add($"{path} '{text}' is not known; use one of {names}.");
        return fallback;
    }
}
