namespace Loyalty.Core.Cards;

/// <summary>
/// A loyalty card number: digits only, check digit last. Which numbers a programme accepts (prefix,
/// length, check digit) is its <see cref="CardNumberScheme"/>; parse scanned or typed input with
/// <see cref="CardNumberScheme.Parse"/>. Card numbers are personal data once linked to a member.
/// </summary>
/// <remarks>Immutable and thread-safe; compared ordinally. <c>default(CardNumber)</c> is no number (<see cref="IsDefault"/>).</remarks>
public readonly struct CardNumber : IEquatable<CardNumber>, IComparable<CardNumber>
{
    /// <summary>The most digits a card number has (ISO/IEC 7812 numbers have at most 19).</summary>
    public const int MaxLength = 19;

    private readonly string? value;

    private CardNumber(string value) => this.value = value;

    /// <summary>The digits.</summary>
    public string Value => value ?? string.Empty;

    /// <summary>Whether this is <c>default(CardNumber)</c>.</summary>
    public bool IsDefault => value is null;

    /// <summary>
    /// Creates a number from stored digits without checking it against a scheme (stores do this);
    /// check input from a till or an app with <see cref="CardNumberScheme.Parse"/> instead.
    /// </summary>
    /// <param name="digits">2 to <see cref="MaxLength"/> digits 0-9.</param>
    /// <returns>The number.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="digits"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="digits"/> is not 2 to 19 digits.</exception>
    public static CardNumber FromDigits(string digits)
    {
        ArgumentNullException.ThrowIfNull(digits);
        if (digits.Length < 2 || digits.Length > MaxLength || !digits.AsSpan().ContainsOnlyAsciiDigits())
        {
            throw new ArgumentException($"A card number has 2 to {MaxLength} digits 0-9 (was '{digits}').", nameof(digits));
        }

        return new CardNumber(digits);
    }

    internal static CardNumber Trusted(string digits) => new(digits);

    /// <summary>Compares two numbers for equality.</summary>
    /// <param name="left">The first number.</param>
    /// <param name="right">The second number.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(CardNumber left, CardNumber right) => left.Equals(right);

    /// <summary>Compares two numbers for inequality.</summary>
    /// <param name="left">The first number.</param>
    /// <param name="right">The second number.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(CardNumber left, CardNumber right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(CardNumber other) => string.Equals(value, other.value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CardNumber other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => value is null ? 0 : StringComparer.Ordinal.GetHashCode(value);

    /// <inheritdoc />
    public int CompareTo(CardNumber other) => string.CompareOrdinal(value, other.value);

    /// <summary>The digits.</summary>
    /// <returns>The digits, or the empty string for <c>default</c>.</returns>
    public override string ToString() => Value;
}

internal static class SpanDigits
{
    public static bool ContainsOnlyAsciiDigits(this ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
