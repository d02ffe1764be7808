using System.Globalization;

namespace Loyalty.Core.Primitives;

/// <summary>
/// The rules shared by every strongly typed identifier (<see cref="MemberId"/>,
/// <see cref="OrderId"/>, …).
/// </summary>
public static class Identifier
{
    /// <summary>The longest string form an identifier accepts: 128 characters.</summary>
    public const int MaxLength = 128;

    /// <summary>Checks a candidate string form and returns it unchanged when valid.</summary>
    /// <param name="value">The candidate.</param>
    /// <param name="typeName">The identifier type, used in messages (e.g. <c>MemberId</c>).</param>
    /// <param name="paramName">The parameter name reported in the exception.</param>
    /// <returns><paramref name="value"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is empty, whitespace, too long, padded with whitespace, holds a control character, or holds an unpaired UTF-16 surrogate (text that does not round-trip through UTF-8, so stores could not keep it unchanged).</exception>
    public static string Validate(string? value, string typeName, string paramName = "value")
    {
        if (value is null)
        {
            throw new ArgumentNullException(paramName, $"{typeName} must not be null.");
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{typeName} must not be empty or whitespace; give the shop's own identifier, e.g. \"42\" or a GUID.", paramName);
        }

        if (value.Length > MaxLength)
        {
            throw new ArgumentException($"{typeName} must be at most {MaxLength} characters (was {value.Length}).", paramName);
        }

        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            throw new ArgumentException($"{typeName} must not start or end with whitespace (was \"{value}\"); trim it first.", paramName);
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c))
            {
                throw new ArgumentException($"{typeName} must not contain control characters (found U+{(int)c:X4}).", paramName);
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw new ArgumentException(
                    $"{typeName} must be valid Unicode text: it holds an unpaired UTF-16 surrogate U+{(int)c:X4} at index {i}, which cannot be stored as UTF-8 and would not read back unchanged; remove it or pair it.",
                    paramName);
            }
        }

        return value;
    }

    internal static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    internal static string Format(Guid value, string typeName)
    {
        if (value == Guid.Empty)
        {
            throw new ArgumentException($"{typeName} must not be the empty GUID (00000000-0000-0000-0000-000000000000).", nameof(value));
        }

        return value.ToString("D", CultureInfo.InvariantCulture);
    }
}
