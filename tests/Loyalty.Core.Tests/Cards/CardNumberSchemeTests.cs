using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Cards;

namespace Loyalty.Core.Tests.Cards;

public sealed class CardNumberSchemeTests
{
    private static readonly CardNumberScheme Ean = CardNumberScheme.Create("400638", 13, CheckDigitAlgorithm.Ean13);
    private static readonly CardNumberScheme Luhn = CardNumberScheme.Create("7992", 11, CheckDigitAlgorithm.Luhn);

    [Fact]
    public void Published_numbers_parse_with_spaces_and_hyphens_ignored()
    {
        Ean.Parse("4006381333931").Value.Should().Be("4006381333931");
        Ean.Parse("4 006381 333931").Value.Should().Be("4006381333931");
        Luhn.Parse("7992-7398-713").Value.Should().Be("79927398713");
        Ean.SerialOf(Ean.Parse("4006381333931")).Should().Be(133393);
        Luhn.SerialOf(Luhn.Parse("79927398713")).Should().Be(739871);
    }

    [Theory]
    [InlineData("", "The card number is empty; scan the card or type the number printed on it.")]
    [InlineData("4006381333932", "The card number '4006381333932' fails its EAN-13 check digit; a digit was mistyped or two digits swapped, check the number.")]
    [InlineData("4006381333831", "The card number '4006381333831' fails its EAN-13 check digit; a digit was mistyped or two digits swapped, check the number.")]
    [InlineData("400638133393", "The card number '400638133393' has 12 digits but this programme's cards have 13; check for a missing or extra digit.")]
    [InlineData("5901234123457", "The card number '5901234123457' does not start with 400638, the prefix of this programme's cards; it is not one of its cards.")]
    [InlineData("40063813339O1", "The card number '40063813339O1' has 'O' at position 12; a card number has digits only (spaces and hyphens are ignored).")]
    public void Bad_input_is_refused_with_a_message_that_says_what_is_wrong(string input, string message)
    {
        Ean.TryParse(input, out _, out var error).Should().BeFalse();
        error.Should().Be(message);
        FluentActions.Invoking(() => Ean.Parse(input, "cardNumber")).Should().Throw<ArgumentException>().WithMessage(message + " (Parameter 'cardNumber')");
    }

    [Fact]
    public void Serials_make_numbers_with_the_prefix_padding_and_check_digit()
    {
        Ean.FromSerial(133393).Value.Should().Be("4006381333931");
        Luhn.FromSerial(739871).Value.Should().Be("79927398713");
        Ean.FromSerial(7).Value.Should().StartWith("400638000007");
        FluentActions.Invoking(() => Ean.FromSerial(1_000_000)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("serial must be between 0 and 999999 for 6 serial digits (was 1000000).*");
    }

    [Fact]
    public void Bad_schemes_are_refused_with_every_problem()
    {
        FluentActions.Invoking(() => CardNumberScheme.Create("40a", 12, CheckDigitAlgorithm.Ean13)).Should().Throw<ArgumentException>()
            .WithMessage("length must be 13 for EAN-13 card numbers (was 12). prefix must be digits 0-9 only (was '40a').");
        FluentActions.Invoking(() => CardNumberScheme.Create("1234567", 8, CheckDigitAlgorithm.Luhn)).Should().Throw<ArgumentException>()
            .WithMessage("prefix '1234567' leaves no serial digit in a 8-digit number; use at most 6 prefix digits.");
        FluentActions.Invoking(() => CardNumberScheme.Create("", 20, CheckDigitAlgorithm.Luhn)).Should().Throw<ArgumentException>()
            .WithMessage("length must be between 8 and 19 digits, check digit included (was 20).");
    }

    [Fact]
    public void The_barcode_payload_is_the_digits_in_the_scheme_s_symbology()
    {
        Ean.Barcode(Ean.Parse("4006381333931")).Should().Be(new CardBarcode(CardSymbology.Ean13, "4006381333931"));
        Luhn.Barcode(Luhn.Parse("79927398713")).Should().Be(new CardBarcode(CardSymbology.Code128, "79927398713"));
    }

    [Property(MaxTest = 200 / PropertyRuns.Divisor)]
    public Property Every_serial_round_trips_and_every_single_typo_is_refused(NonNegativeInt serial, PositiveInt position, PositiveInt delta)
    {
        var number = Ean.FromSerial(serial.Get % (Ean.MaxSerial + 1)).Value;
        var at = position.Get % number.Length;
        var typo = number[..at] + (char)('0' + ((number[at] - '0' + 1 + (delta.Get % 9)) % 10)) + number[(at + 1)..];
        return (Ean.SerialOf(Ean.Parse(number)) == serial.Get % (Ean.MaxSerial + 1) && !Ean.TryParse(typo, out _, out _)).Label(typo);
    }

    [Property(MaxTest = 300 / PropertyRuns.Divisor)]
    public Property Arbitrary_input_never_throws_from_TryParse(string? input) =>
        (Ean.TryParse(input, out var number, out var error) ? error is null && CheckDigits.IsValid(number.Value, CheckDigitAlgorithm.Ean13) : error is not null).ToProperty();
}
