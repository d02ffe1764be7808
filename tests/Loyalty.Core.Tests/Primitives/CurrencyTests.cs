using Loyalty.Core.Primitives;

namespace Loyalty.Core.Tests.Primitives;

public class CurrencyTests
{
    [Theory]
    [InlineData("EUR", 2)]
    [InlineData("JPY", 0)]
    [InlineData("KWD", 3)]
    [InlineData("USD", 2)]
    public void Known_codes_carry_their_minor_units(string code, int minorUnits)
    {
        var currency = Currency.FromCode(code);
        currency.Code.Should().Be(code);
        currency.MinorUnits.Should().Be(minorUnits);
        currency.ToString().Should().Be(code);
        currency.IsDefault.Should().BeFalse();
    }

    [Fact]
    public void Equality_is_by_code()
    {
        Currency.FromCode("EUR").Should().Be(Currency.EUR);
        (Currency.EUR == Currency.USD).Should().BeFalse();
        (Currency.EUR != Currency.USD).Should().BeTrue();
        Currency.KnownCodes.Should().Contain("EUR").And.BeInAscendingOrder(StringComparer.Ordinal);
    }

    [Fact]
    public void Default_is_not_a_currency()
    {
        default(Currency).IsDefault.Should().BeTrue();
        default(Currency).Code.Should().BeEmpty();
    }

    [Fact]
    public void Lower_case_code_is_rejected_with_the_fix()
    {
        var act = () => Currency.FromCode("eur");
        act.Should().Throw<ArgumentException>()
            .WithMessage("'eur' is not an ISO 4217 currency code. Codes are upper case: use 'EUR'. (Parameter 'code')");
    }

    [Theory]
    [InlineData("EURO")]
    [InlineData("")]
    [InlineData("XYZ")]
    public void Unknown_code_is_rejected(string code)
    {
        var act = () => Currency.FromCode(code);
        act.Should().Throw<ArgumentException>()
            .WithMessage($"'{code}' is not an ISO 4217 currency code. Use a three-letter upper-case code such as EUR, USD or GBP. (Parameter 'code')");
    }

    [Fact]
    public void Null_code_is_rejected()
    {
        var act = () => Currency.FromCode(null!);
        act.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("code");
        Currency.TryFromCode(null, out var c).Should().BeFalse();
        c.IsDefault.Should().BeTrue();
    }
}
