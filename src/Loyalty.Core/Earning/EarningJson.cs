using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Serialization;
using Loyalty.Core.Primitives;
using NodaTime;
using NodaTime.Text;

namespace Loyalty.Core.Earning;

/// <summary>The System.Text.Json settings used for rule sets and earning results.</summary>
internal static class EarningJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = true,
            AllowTrailingCommas = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            AllowOutOfOrderMetadataProperties = true,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.Converters.Add(new PatternConverter<Instant>(InstantPattern.ExtendedIso, "an ISO 8601 UTC instant such as \"2026-03-01T00:00:00Z\""));
        options.Converters.Add(new PatternConverter<LocalDate>(LocalDatePattern.Iso, "an ISO date such as \"2026-03-28\""));
        options.Converters.Add(new PatternConverter<LocalTime>(LocalTimePattern.ExtendedIso, "a time of day such as \"09:30:00\""));
        options.Converters.Add(new PointsConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>
    /// The message for an object that lacks its <c>kind</c> (rule) or <c>type</c> (condition)
    /// field, which System.Text.Json reports as a <see cref="NotSupportedException"/>.
    /// </summary>
    public static string MissingDiscriminator(NotSupportedException ex) => MissingDiscriminator(ex.Message);

    internal static string MissingDiscriminator(string message)
    {
        var path = Regex.Match(message, @"Path: \$\.?(?<path>\S*?)(?: \||\.?$)") is { Success: true } m ? m.Groups["path"].Value : string.Empty;
        var where = path.Length > 0 ? path + ": " : string.Empty;
        if (message.Contains(nameof(EarningCondition), StringComparison.Ordinal))
        {
            return $"{where}a condition needs its \"type\" field; use one of {Discriminators(typeof(EarningCondition))}.";
        }

        if (message.Contains(nameof(EarningRule), StringComparison.Ordinal))
        {
            return $"{where}a rule needs its \"kind\" field; use one of {Discriminators(typeof(EarningRule))}.";
        }

        return $"{where}this value cannot be read: {message}";
    }

    private static string Discriminators(Type type) =>
        string.Join(", ", type.GetCustomAttributes(typeof(JsonDerivedTypeAttribute), inherit: false).Cast<JsonDerivedTypeAttribute>().Select(a => a.TypeDiscriminator));

    private sealed class PatternConverter<T>(IPattern<T> pattern, string expected) : JsonConverter<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException($"Expected {expected} (was {reader.TokenType}).");
            }

            var result = pattern.Parse(reader.GetString()!);
            return result.Success ? result.Value : throw new JsonException($"Expected {expected} (was \"{reader.GetString()}\").");
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(pattern.Format(value));
    }

    private sealed class PointsConverter : JsonConverter<Points>
    {
        public override Points Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value)
                ? Points.FromInt64(value)
                : throw new JsonException($"Points must be a whole number (was {reader.TokenType}).");

        public override void Write(Utf8JsonWriter writer, Points value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
    }
}
