namespace Loyalty.Core.Cards;

/// <summary>The check-digit algorithm of a card-number scheme.</summary>
public enum CheckDigitAlgorithm
{
    /// <summary>The Luhn (mod 10) algorithm of ISO/IEC 7812-1, used on payment and most loyalty cards.</summary>
    Luhn = 0,

    /// <summary>The GS1 mod-10 check digit of an EAN-13 (GTIN-13), so the number prints as a retail barcode. The number has exactly 13 digits.</summary>
    Ean13 = 1,
}

/// <summary>
/// Computes and checks the check digit of a number under <see cref="CheckDigitAlgorithm.Luhn"/> or
/// <see cref="CheckDigitAlgorithm.Ean13"/>. Both detect every single mistyped digit; Luhn also detects
/// every swap of two adjacent digits except 09/90, EAN-13 every swap except of digits five apart.
/// </summary>
/// <remarks>Stateless and thread-safe; allocates nothing.</remarks>
public static class CheckDigits
{
    /// <summary>The check digit to append to <paramref name="payload"/> (the digits before it).</summary>
    /// <param name="payload">The digits without their check digit, at least one.</param>
    /// <param name="algorithm">The algorithm.</param>
    /// <returns>The check digit, 0 to 9.</returns>
    /// <exception cref="ArgumentException"><paramref name="payload"/> is empty or holds a character other than 0-9.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="algorithm"/> is not defined.</exception>
    public static int Compute(ReadOnlySpan<char> payload, CheckDigitAlgorithm algorithm)
    {
        if (payload.IsEmpty)
        {
            throw new ArgumentException("payload must hold at least one digit.", nameof(payload));
        }

        for (var i = 0; i < payload.Length; i++)
        {
            if (!char.IsAsciiDigit(payload[i]))
            {
                throw new ArgumentException($"payload must hold digits 0-9 only; '{payload[i]}' at position {i + 1} is not one.", nameof(payload));
            }
        }

        return algorithm switch
        {
            CheckDigitAlgorithm.Luhn => Luhn(payload),
            CheckDigitAlgorithm.Ean13 => Gs1(payload),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, $"algorithm must be one of {string.Join(", ", Enum.GetNames<CheckDigitAlgorithm>())} (was {(int)algorithm})."),
        };
    }

    /// <summary>Whether the last digit of <paramref name="number"/> is the check digit of the ones before it.</summary>
    /// <param name="number">The whole number, check digit last; digits only.</param>
    /// <param name="algorithm">The algorithm.</param>
    /// <returns>True when the check digit matches; false when it does not, or the number has fewer than two characters or a character other than 0-9.</returns>
    public static bool IsValid(ReadOnlySpan<char> number, CheckDigitAlgorithm algorithm)
    {
        if (number.Length < 2)
        {
            return false;
        }

        foreach (var c in number)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        var payload = number[..^1];
        var expected = algorithm switch
        {
            CheckDigitAlgorithm.Luhn => Luhn(payload),
            CheckDigitAlgorithm.Ean13 => Gs1(payload),
            _ => -1,
        };
        return expected == number[^1] - '0';
    }

    // Luhn: from the rightmost payload digit leftwards, double every other digit starting with the first, subtract 9 above 9.
    internal static int Luhn(ReadOnlySpan<char> payload)
    {
        var sum = 0;
        var doubled = true;
        for (var i = payload.Length - 1; i >= 0; i--)
        {
            var d = payload[i] - '0';
            if (doubled)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubled = !doubled;
        }

        return (10 - (sum % 10)) % 10;
    }

    // GS1: from the rightmost payload digit leftwards, weights 3, 1, 3, 1…
    internal static int Gs1(ReadOnlySpan<char> payload)
    {
        var sum = 0;
        var weight = 3;
        for (var i = payload.Length - 1; i >= 0; i--)
        {
            sum += (payload[i] - '0') * weight;
            weight = 4 - weight;
        }

        return (10 - (sum % 10)) % 10;
    }
}
