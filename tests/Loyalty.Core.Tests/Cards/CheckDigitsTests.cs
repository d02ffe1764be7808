using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Cards;

namespace Loyalty.Core.Tests.Cards;

public sealed class CheckDigitsTests
{
    // Published examples: Luhn 79927398713 (Wikipedia, "Luhn algorithm"); the Visa test number 4111 1111 1111 1111;
    // EAN-13 4006381333931 (Wikipedia, "International Article Number"); 5901234123457 (GS1's sample barcode);
    // ISBN-13 978-0-306-40615-7 (Wikipedia, "ISBN").
    [Theory]
    [InlineData("79927398713", CheckDigitAlgorithm.Luhn)]
    [InlineData("4111111111111111", CheckDigitAlgorithm.Luhn)]
    [InlineData("4006381333931", CheckDigitAlgorithm.Ean13)]
    [InlineData("5901234123457", CheckDigitAlgorithm.Ean13)]
    [InlineData("9780306406157", CheckDigitAlgorithm.Ean13)]
    public void Published_numbers_are_valid_and_their_check_digit_is_computed(string number, CheckDigitAlgorithm algorithm)
    {
        CheckDigits.IsValid(number, algorithm).Should().BeTrue();
        CheckDigits.Compute(number.AsSpan(0, number.Length - 1), algorithm).Should().Be(number[^1] - '0');
    }

    [Theory]
    [InlineData("79927398710", CheckDigitAlgorithm.Luhn)]
    [InlineData("79927398714", CheckDigitAlgorithm.Luhn)]
    [InlineData("79927389713", CheckDigitAlgorithm.Luhn)] // adjacent 9 and 8 swapped
    [InlineData("4006381333932", CheckDigitAlgorithm.Ean13)]
    [InlineData("4006381333913", CheckDigitAlgorithm.Ean13)] // a mistyped digit
    [InlineData("4006383133931", CheckDigitAlgorithm.Ean13)] // adjacent 1 and 3 swapped
    [InlineData("4", CheckDigitAlgorithm.Luhn)]
    [InlineData("40063813339a1", CheckDigitAlgorithm.Ean13)]
    public void Mistyped_numbers_are_invalid(string number, CheckDigitAlgorithm algorithm) =>
        CheckDigits.IsValid(number, algorithm).Should().BeFalse();

    [Fact]
    public void Bad_payloads_are_refused_with_the_exact_error()
    {
        FluentActions.Invoking(() => CheckDigits.Compute("", CheckDigitAlgorithm.Luhn)).Should().Throw<ArgumentException>()
            .WithMessage("payload must hold at least one digit. (Parameter 'payload')");
        FluentActions.Invoking(() => CheckDigits.Compute("12x4", CheckDigitAlgorithm.Luhn)).Should().Throw<ArgumentException>()
            .WithMessage("payload must hold digits 0-9 only; 'x' at position 3 is not one. (Parameter 'payload')");
        FluentActions.Invoking(() => CheckDigits.Compute("1234", (CheckDigitAlgorithm)7)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("algorithm must be one of Luhn, Ean13 (was 7).*");
    }

    [Property(MaxTest = 300 / PropertyRuns.Divisor)]
    public Property Any_single_mistyped_digit_is_detected(PositiveInt seed, bool ean)
    {
        var random = new Random(seed.Get);
        var algorithm = ean ? CheckDigitAlgorithm.Ean13 : CheckDigitAlgorithm.Luhn;
        var payload = new string(Enumerable.Range(0, ean ? 12 : random.Next(7, 18)).Select(_ => (char)('0' + random.Next(10))).ToArray());
        var number = payload + (char)('0' + CheckDigits.Compute(payload, algorithm));
        var at = random.Next(number.Length);
        var wrong = (char)('0' + ((number[at] - '0' + random.Next(1, 10)) % 10));
        var typo = number[..at] + wrong + number[(at + 1)..];
        return (CheckDigits.IsValid(number, algorithm) && !CheckDigits.IsValid(typo, algorithm)).Label($"{number} vs {typo}");
    }
}
