using Loyalty.Core.Primitives;

namespace Loyalty.Core.Tests.Primitives;

public class MoneyTests
{
    [Fact]
    public void Same_currency_arithmetic()
    {
        var forty = Money.FromDecimal(40m, "EUR");
        var twenty = Money.FromDecimal(20m, Currency.EUR);

        (forty - twenty).Should().Be(twenty);
        (twenty + twenty).Should().Be(forty);
        (twenty * 2m).Should().Be(forty);
        (-twenty).IsNegative.Should().BeTrue();
        (twenty < forty).Should().BeTrue();
        forty.ToString().Should().Be("40.00 EUR");
        Money.FromDecimal(1000m, "JPY").ToString().Should().Be("1000 JPY");
        Money.Zero(Currency.USD).IsZero.Should().BeTrue();
    }

    [Fact]
    public void Equality_ignores_trailing_zeros_but_not_currency()
    {
        Money.FromDecimal(1.0m, "EUR").Should().Be(Money.FromDecimal(1.00m, "EUR"));
        Money.FromDecimal(1.0m, "EUR").GetHashCode().Should().Be(Money.FromDecimal(1.00m, "EUR").GetHashCode());
        Money.FromDecimal(1m, "EUR").Should().NotBe(Money.FromDecimal(1m, "USD"));
    }

    [Fact]
    public void Rounds_to_minor_units_with_bankers_rounding_by_default()
    {
        Money.FromDecimal(2.345m, "EUR").RoundToMinorUnits().Amount.Should().Be(2.34m);
        Money.FromDecimal(2.345m, "EUR").RoundToMinorUnits(MidpointRounding.AwayFromZero).Amount.Should().Be(2.35m);
        Money.FromDecimal(2.5m, "JPY").RoundToMinorUnits().Amount.Should().Be(2m);
        Money.FromDecimal(1.2345m, "KWD").RoundToMinorUnits().Amount.Should().Be(1.234m);
    }

    [Fact]
    public void Adding_two_currencies_throws_naming_both()
    {
        var act = () => Money.FromDecimal(10m, "EUR") + Money.FromDecimal(5m, "USD");
        act.Should().Throw<ArgumentException>()
            .WithMessage("Cannot add 10.00 EUR and 5.00 USD: amounts must be in the same currency (no conversion is ever made).");
    }

    [Fact]
    public void Subtracting_two_currencies_throws()
    {
        var act = () => Money.FromDecimal(10m, "EUR") - Money.FromDecimal(5m, "GBP");
        act.Should().Throw<ArgumentException>()
            .WithMessage("Cannot subtract 10.00 EUR and 5.00 GBP: amounts must be in the same currency (no conversion is ever made).");
    }

    [Fact]
    public void Comparing_two_currencies_throws()
    {
        var act = () => Money.FromDecimal(10m, "EUR") < Money.FromDecimal(5m, "USD");
        act.Should().Throw<ArgumentException>()
            .WithMessage("Cannot compare 10.00 EUR and 5.00 USD: amounts must be in the same currency (no conversion is ever made).");
    }

    [Fact]
    public void Default_currency_is_rejected()
    {
        var act = () => Money.FromDecimal(1m, default(Currency));
        act.Should().Throw<ArgumentException>()
            .WithMessage("currency must not be default(Currency); use Currency.FromCode(\"EUR\") or another ISO 4217 code. (Parameter 'currency')");
    }
}
