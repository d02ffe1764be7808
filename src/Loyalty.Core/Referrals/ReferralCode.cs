using System.Text.Json;
using System.Text.Json.Serialization;

namespace Loyalty.Core.Referrals;

/// <summary>
/// A member's referral code, which a friend gives at enrolment, e.g. <c>K7QM3XHP</c>.
/// Case-insensitive: stored and compared in upper case.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. 4 to 32 characters, each an ASCII letter, digit or hyphen, not
/// starting or ending with a hyphen. <c>default(ReferralCode)</c> is no code (<see cref="IsDefault"/>).
/// </remarks>
[JsonConverter(typeof(ReferralCodeJsonConverter))]
public readonly struct ReferralCode : IEquatable<ReferralCode>
{
    /// <summary>The shortest accepted code: 4 characters.</summary>
    public const int MinLength = 4;

    /// <summary>The longest accepted code: 32 characters.</summary>
    public const int MaxLength = 32;

    private readonly string? value;

    private ReferralCode(string value) => this.value = value;

    /// <summary>The code in upper case; the empty string for <c>default</c>.</summary>
    public string Value => value ?? string.Empty;

    /// <summary>True for <c>default</c>, which is no code.</summary>
    public bool IsDefault => value is null;

    /// <summary>Creates a code from what the member typed; surrounding whitespace is trimmed and letters are upper-cased.</summary>
    /// <param name="value">The code.</param>
    /// <returns>The code.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is not 4 to 32 letters, digits or inner hyphens.</exception>
    public static ReferralCode From(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var trimmed = value.Trim();
        if (trimmed.Length < MinLength || trimmed.Length > MaxLength)
        {
            throw new ArgumentException($"A referral code must be {MinLength} to {MaxLength} characters (was {trimmed.Length}: \"{trimmed}\").", nameof(value));
        }

        foreach (var c in trimmed)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                throw new ArgumentException($"A referral code may hold only letters A-Z, digits and hyphens (found '{c}' in \"{trimmed}\").", nameof(value));
            }
        }

        if (trimmed[0] == '-' || trimmed[^1] == '-')
        {
            throw new ArgumentException($"A referral code must not start or end with a hyphen (was \"{trimmed}\").", nameof(value));
        }

        return new ReferralCode(trimmed.ToUpperInvariant());
    }

    /// <summary>Tries to create a code.</summary>
    /// <param name="value">The candidate, or null.</param>
    /// <param name="code">The code when valid; otherwise <c>default</c>.</param>
    /// <returns>True when valid.</returns>
    public static bool TryFrom(string? value, out ReferralCode code)
    {
        code = default;
        if (value is null)
        {
            return false;
        }

        try
        {
            code = From(value);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Compares two codes for equality.</summary>
    /// <param name="left">The first code.</param>
    /// <param name="right">The second code.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(ReferralCode left, ReferralCode right) => left.Equals(right);

    /// <summary>Compares two codes for inequality.</summary>
    /// <param name="left">The first code.</param>
    /// <param name="right">The second code.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(ReferralCode left, ReferralCode right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(ReferralCode other) => string.Equals(value, other.value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ReferralCode other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => value is null ? 0 : StringComparer.Ordinal.GetHashCode(value);

    /// <summary>The code.</summary>
    /// <returns>The upper-case code, or the empty string for <c>default</c>.</returns>
    public override string ToString() => Value;

    private sealed class ReferralCodeJsonConverter : JsonConverter<ReferralCode>
    {
        public override ReferralCode Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException($"{nameof(ReferralCode)} must be a JSON string (was {reader.TokenType}).");
            }

            try
            {
                return From(reader.GetString()!);
            }
            catch (ArgumentException ex)
            {
                throw new JsonException(ex.Message, ex);
            }
        }

        public override void Write(Utf8JsonWriter writer, ReferralCode value, JsonSerializerOptions options)
        {
            if (value.IsDefault)
            {
                throw new JsonException("default(ReferralCode) cannot be serialised: it is no code.");
            }

            writer.WriteStringValue(value.Value);
        }
    }
}
