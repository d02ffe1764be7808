using System.Globalization;

namespace Loyalty.Core.Cards;

/// <summary>
/// A programme's card numbers: a fixed prefix, a fixed length and a check digit (Luhn, or EAN-13 so the
/// number prints as a retail barcode). Between the prefix and the check digit is the card's serial.
/// Every card number the library accepts — scanned at a till, typed in an app, in an imported range —
/// is parsed by the scheme, so a mistyped digit is refused with a message that says what is wrong.
/// </summary>
/// <remarks>Immutable and thread-safe. Build it with <see cref="Create"/> or from <see cref="CardOptions"/>.</remarks>
public sealed class CardNumberScheme
{
    /// <summary>The fewest digits a card number has.</summary>
    public const int MinLength = 8;

    private CardNumberScheme(string prefix, int length, CheckDigitAlgorithm checkDigit)
    {
        Prefix = prefix;
        Length = length;
        CheckDigit = checkDigit;
        SerialDigits = length - prefix.Length - 1;
        MaxSerial = (long)Math.Pow(10, SerialDigits) - 1;
    }

    /// <summary>The digits every card number starts with; may be empty.</summary>
    public string Prefix { get; }

    /// <summary>The number of digits of a card number, check digit included.</summary>
    public int Length { get; }

    /// <summary>The check-digit algorithm.</summary>
    public CheckDigitAlgorithm CheckDigit { get; }

    /// <summary>The number of serial digits (between the prefix and the check digit).</summary>
    public int SerialDigits { get; }

    /// <summary>The largest serial (all nines).</summary>
    public long MaxSerial { get; }

    /// <summary>Creates a scheme.</summary>
    /// <param name="prefix">Digits every number starts with (may be empty), leaving at least one serial digit.</param>
    /// <param name="length"><see cref="MinLength"/> to <see cref="CardNumber.MaxLength"/> digits, check digit included; exactly 13 for <see cref="CheckDigitAlgorithm.Ean13"/>.</param>
    /// <param name="checkDigit">The check-digit algorithm.</param>
    /// <returns>The scheme.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="prefix"/> is null.</exception>
    /// <exception cref="ArgumentException">An argument is out of range; the message says which and how to fix it.</exception>
    public static CardNumberScheme Create(string prefix, int length, CheckDigitAlgorithm checkDigit)
    {
        if (Problems(prefix, length, checkDigit, "prefix", "length", "checkDigit") is { Count: > 0 } problems)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }

        return new CardNumberScheme(prefix, length, checkDigit);
    }

    /// <summary>Every problem with a scheme's settings, each naming its setting by the given names.</summary>
    internal static List<string> Problems(string? prefix, int length, CheckDigitAlgorithm checkDigit, string prefixName, string lengthName, string checkDigitName)
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(checkDigit))
        {
            problems.Add($"{checkDigitName} must be one of {string.Join(", ", Enum.GetNames<CheckDigitAlgorithm>())} (was {(int)checkDigit}).");
        }

        if (checkDigit == CheckDigitAlgorithm.Ean13 && length != 13)
        {
            problems.Add($"{lengthName} must be 13 for EAN-13 card numbers (was {length}).");
        }
        else if (length < MinLength || length > CardNumber.MaxLength)
        {
            problems.Add($"{lengthName} must be between {MinLength} and {CardNumber.MaxLength} digits, check digit included (was {length}).");
        }

        if (prefix is null)
        {
            problems.Add($"{prefixName} is required; use \"\" for no prefix.");
        }
        else if (!prefix.AsSpan().ContainsOnlyAsciiDigits())
        {
            problems.Add($"{prefixName} must be digits 0-9 only (was '{prefix}').");
        }
        else if (length >= MinLength && length <= CardNumber.MaxLength && prefix.Length > length - 2)
        {
            problems.Add($"{prefixName} '{prefix}' leaves no serial digit in a {length}-digit number; use at most {length - 2} prefix digits.");
        }

        return problems;
    }

    /// <summary>
    /// Parses a scanned or typed card number: spaces and hyphens are ignored; the digits must have the
    /// scheme's length, start with its prefix and end with the right check digit.
    /// </summary>
    /// <param name="text">The input.</param>
    /// <param name="number">The number, when valid.</param>
    /// <param name="error">Why the input is not a card number of the scheme, when it is not.</param>
    /// <returns>True when valid.</returns>
    public bool TryParse(string? text, out CardNumber number, out string? error)
    {
        number = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "The card number is empty; scan the card or type the number printed on it.";
            return false;
        }

        Span<char> digits = stackalloc char[Math.Min(text.Length, 64)];
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is ' ' or '-')
            {
                continue;
            }

            if (!char.IsAsciiDigit(c))
            {
                error = $"The card number '{Shown(text)}' has '{Shown(c.ToString())}' at position {i + 1}; a card number has digits only (spaces and hyphens are ignored).";
                return false;
            }

            if (count == digits.Length)
            {
                error = $"The card number '{Shown(text)}' has more than {digits.Length} digits but this programme's cards have {Length}; check for extra digits.";
                return false;
            }

            digits[count++] = c;
        }

        var span = digits[..count];
        if (count != Length)
        {
            error = $"The card number '{Shown(text)}' has {count} digit{(count == 1 ? "" : "s")} but this programme's cards have {Length}; check for a missing or extra digit.";
            return false;
        }

        if (!span.StartsWith(Prefix.AsSpan()))
        {
            error = $"The card number '{Shown(text)}' does not start with {Prefix}, the prefix of this programme's cards; it is not one of its cards.";
            return false;
        }

        if (!CheckDigits.IsValid(span, CheckDigit))
        {
            error = $"The card number '{Shown(text)}' fails its {Name(CheckDigit)} check digit; a digit was mistyped or two digits swapped, check the number.";
            return false;
        }

        error = null;
        number = count == text.Length ? CardNumber.Trusted(text) : CardNumber.Trusted(new string(span));
        return true;
    }

    /// <summary>Parses a card number as <see cref="TryParse"/> does, throwing when it is not one of the scheme's.</summary>
    /// <param name="text">The input.</param>
    /// <param name="paramName">The parameter to name in the exception.</param>
    /// <returns>The number.</returns>
    /// <exception cref="ArgumentException">The input is not a card number of the scheme; the message says why.</exception>
    public CardNumber Parse(string? text, string? paramName = null) =>
        TryParse(text, out var number, out var error) ? number : throw new ArgumentException(error, paramName ?? nameof(text));

    /// <summary>The card number of a serial: the prefix, the serial zero-padded to <see cref="SerialDigits"/>, the check digit.</summary>
    /// <param name="serial">0 to <see cref="MaxSerial"/>.</param>
    /// <returns>The number.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="serial"/> is out of range.</exception>
    public CardNumber FromSerial(long serial)
    {
        if (serial < 0 || serial > MaxSerial)
        {
            throw new ArgumentOutOfRangeException(nameof(serial), serial, $"serial must be between 0 and {MaxSerial} for {SerialDigits} serial digits (was {serial}).");
        }

        var payload = Prefix + serial.ToString(CultureInfo.InvariantCulture).PadLeft(SerialDigits, '0');
        return CardNumber.Trusted(payload + (char)('0' + CheckDigits.Compute(payload, CheckDigit)));
    }

    /// <summary>The serial of a number of this scheme (the digits between the prefix and the check digit).</summary>
    /// <param name="number">A number of this scheme.</param>
    /// <returns>The serial.</returns>
    /// <exception cref="ArgumentException"><paramref name="number"/> is not a number of this scheme.</exception>
    public long SerialOf(CardNumber number)
    {
        var digits = Parse(number.Value, nameof(number)).Value;
        return long.Parse(digits.AsSpan(Prefix.Length, SerialDigits), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>The text to encode in the card's barcode, and the symbology to print it with.</summary>
    /// <param name="number">A number of this scheme.</param>
    /// <returns>EAN-13 for EAN-13 schemes, Code 128 otherwise; the payload is the digits (a scanner reads them back as typed input).</returns>
    /// <exception cref="ArgumentException"><paramref name="number"/> is not a number of this scheme.</exception>
    public CardBarcode Barcode(CardNumber number)
    {
        var digits = Parse(number.Value, nameof(number)).Value;
        return new CardBarcode(CheckDigit == CheckDigitAlgorithm.Ean13 ? CardSymbology.Ean13 : CardSymbology.Code128, digits);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Length} digits, prefix '{Prefix}', {Name(CheckDigit)} check digit";

    private static string Name(CheckDigitAlgorithm algorithm) => algorithm == CheckDigitAlgorithm.Ean13 ? "EAN-13" : "Luhn";

    private static string Shown(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

/// <summary>How a card's barcode is printed.</summary>
public enum CardSymbology
{
    /// <summary>A linear Code 128 barcode (any length of digits).</summary>
    Code128 = 0,

    /// <summary>A retail EAN-13 barcode (13 digits, GS1 check digit).</summary>
    Ean13 = 1,

    /// <summary>A QR code (in an app or on a receipt).</summary>
    QrCode = 2,
}

/// <summary>The text payload of a card's barcode or QR code and the symbology to render it with; rendering is the shop's.</summary>
/// <param name="Symbology">The symbology.</param>
/// <param name="Payload">The text to encode: the card number's digits, which a scan gives back to <see cref="LoyaltyCards.FindMemberAsync"/>.</param>
public sealed record CardBarcode(CardSymbology Symbology, string Payload);
