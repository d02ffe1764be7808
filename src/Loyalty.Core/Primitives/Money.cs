using System.Globalization;

namespace Loyalty.Core.Primitives;

/// <summary>
/// An amount of money in one ISO 4217 <see cref="Primitives.Currency"/>, e.g. <c>40.00 EUR</c>.
/// </summary>
/// <remarks>
/// <para>Immutable and thread-safe. The amount is a <see cref="decimal"/> and may be negative
/// (a refund) and may carry more decimals than the currency's minor units (unit prices); use
/// <see cref="RoundToMinorUnits"/> to round it.</para>
/// <para>Arithmetic and comparison between two currencies throw: there is never a silent
/// conversion. <c>default(Money)</c> has amount 0 and the default (absent) currency.</para>
/// </remarks>
public readonly struct Money : IEquatable<Money>, IComparable<Money>, IFormattable
{
    private Money(decimal amount, Currency currency)
    {
        Amount = amount;
        Currency = currency;
    }

    /// <summary>The amount, in units of the currency (euros, not cents).</summary>
    public decimal Amount { get; }

    /// <summary>The currency of the amount.</summary>
    public Currency Currency { get; }

    /// <summary>True when the amount is zero.</summary>
    public bool IsZero => Amount == 0m;

    /// <summary>True when the amount is below zero.</summary>
    public bool IsNegative => Amount < 0m;

    /// <summary>Creates an amount of money.</summary>
    /// <param name="amount">The amount in units of the currency.</param>
    /// <param name="currency">The currency; must not be <c>default</c>.</param>
    /// <returns>The money.</returns>
    /// <exception cref="ArgumentException"><paramref name="currency"/> is <c>default(Currency)</c>.</exception>
    public static Money FromDecimal(decimal amount, Currency currency)
    {
        if (currency.IsDefault)
        {
            throw new ArgumentException("currency must not be default(Currency); use Currency.FromCode(\"EUR\") or another ISO 4217 code.", nameof(currency));
        }

        return new Money(amount, currency);
    }

    /// <summary>Creates an amount of money from an ISO 4217 code.</summary>
    /// <param name="amount">The amount in units of the currency.</param>
    /// <param name="currencyCode">A three-letter upper-case ISO 4217 code such as <c>EUR</c>.</param>
    /// <returns>The money.</returns>
    /// <exception cref="ArgumentException"><paramref name="currencyCode"/> is not an ISO 4217 code.</exception>
    public static Money FromDecimal(decimal amount, string currencyCode) => new(amount, Currency.FromCode(currencyCode));

    /// <summary>Zero in the given currency.</summary>
    /// <param name="currency">The currency; must not be <c>default</c>.</param>
    /// <returns>Zero money.</returns>
    /// <exception cref="ArgumentException"><paramref name="currency"/> is <c>default(Currency)</c>.</exception>
    public static Money Zero(Currency currency) => FromDecimal(0m, currency);

    /// <summary>Rounds the amount to the currency's minor units.</summary>
    /// <param name="mode">The rounding mode; banker's rounding (<see cref="MidpointRounding.ToEven"/>) by default.</param>
    /// <returns>The rounded money.</returns>
    public Money RoundToMinorUnits(MidpointRounding mode = MidpointRounding.ToEven) =>
        new(Math.Round(Amount, Currency.MinorUnits, mode), Currency);

    /// <summary>Adds two amounts in the same currency.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The sum.</returns>
    /// <exception cref="ArgumentException">The currencies differ.</exception>
    public static Money operator +(Money left, Money right)
    {
        CheckSameCurrency(left, right, "add");
        return new Money(left.Amount + right.Amount, left.Currency);
    }

    /// <summary>Subtracts an amount from another in the same currency.</summary>
    /// <param name="left">The amount to subtract from.</param>
    /// <param name="right">The amount to subtract.</param>
    /// <returns>The difference.</returns>
    /// <exception cref="ArgumentException">The currencies differ.</exception>
    public static Money operator -(Money left, Money right)
    {
        CheckSameCurrency(left, right, "subtract");
        return new Money(left.Amount - right.Amount, left.Currency);
    }

    /// <summary>Negates an amount.</summary>
    /// <param name="money">The amount.</param>
    /// <returns>The amount with the opposite sign.</returns>
    public static Money operator -(Money money) => new(-money.Amount, money.Currency);

    /// <summary>Multiplies an amount by a factor (a quantity or a rate).</summary>
    /// <param name="money">The amount.</param>
    /// <param name="factor">The factor.</param>
    /// <returns>The product, unrounded.</returns>
    public static Money operator *(Money money, decimal factor) => new(money.Amount * factor, money.Currency);

    /// <summary>Adds two amounts (the named form of <c>+</c>).</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The sum.</returns>
    /// <exception cref="ArgumentException">The currencies differ.</exception>
    public static Money Add(Money left, Money right) => left + right;

    /// <summary>Subtracts an amount (the named form of <c>-</c>).</summary>
    /// <param name="left">The amount to subtract from.</param>
    /// <param name="right">The amount to subtract.</param>
    /// <returns>The difference.</returns>
    /// <exception cref="ArgumentException">The currencies differ.</exception>
    public static Money Subtract(Money left, Money right) => left - right;

    /// <summary>Negates an amount (the named form of unary <c>-</c>).</summary>
    /// <param name="money">The amount.</param>
    /// <returns>The amount with the opposite sign.</returns>
    public static Money Negate(Money money) => -money;

    /// <summary>Multiplies an amount by a factor (the named form of <c>*</c>).</summary>
    /// <param name="money">The amount.</param>
    /// <param name="factor">The factor.</param>
    /// <returns>The product, unrounded.</returns>
    public static Money Multiply(Money money, decimal factor) => money * factor;

    /// <summary>Compares two amounts for equality (same currency and same amount; 1.0 equals 1.00).</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(Money left, Money right) => left.Equals(right);

    /// <summary>Compares two amounts for inequality.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>True when the currencies or the amounts differ.</returns>
    public static bool operator !=(Money left, Money right) => !left.Equals(right);

    /// <summary>Whether <paramref name="left"/> is less than <paramref name="right"/>.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>True when smaller.</returns>
    /// <exception cref="ArgumentException">The currencies differ.</exception>
    public static bool operator <(Money left, Money right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> is greater than <paramref name="right"/>.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>True when larger.</returns>
    /// <exception cref="ArgumentException">The currencies differ.</exception>
    public static bool operator >(Money left, Money right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> is less than or equal to <paramref name="right"/>.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>True when not larger.</returns>
    /// <exception cref="ArgumentException">The currencies differ.</exception>
    public static bool operator <=(Money left, Money right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> is greater than or equal to <paramref name="right"/>.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>True when not smaller.</returns>
    /// <exception cref="ArgumentException">The currencies differ.</exception>
    public static bool operator >=(Money left, Money right) => left.CompareTo(right) >= 0;

    /// <summary>Compares two amounts in the same currency.</summary>
    /// <param name="other">The amount to compare with.</param>
    /// <returns>Negative, zero or positive as this amount is smaller, equal or larger.</returns>
    /// <exception cref="ArgumentException">The currencies differ.</exception>
    public int CompareTo(Money other)
    {
        CheckSameCurrency(this, other, "compare");
        return Amount.CompareTo(other.Amount);
    }

    /// <inheritdoc />
    public bool Equals(Money other) => Currency == other.Currency && Amount == other.Amount;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Money other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Currency, Amount);

    /// <summary>The amount in the invariant culture followed by the code, e.g. <c>40.00 EUR</c>.</summary>
    /// <returns>The formatted money.</returns>
    public override string ToString() => ToString(null, CultureInfo.InvariantCulture);

    /// <summary>Formats the amount with a numeric format, followed by the currency code.</summary>
    /// <param name="format">A numeric format such as <c>N2</c>; null gives the currency's minor units (<c>F2</c> for EUR).</param>
    /// <param name="formatProvider">The culture, or null for the current culture.</param>
    /// <returns>The formatted money, e.g. <c>40.00 EUR</c>.</returns>
    public string ToString(string? format, IFormatProvider? formatProvider)
    {
        format ??= "F" + Currency.MinorUnits.ToString(CultureInfo.InvariantCulture);
        var amount = Amount.ToString(format, formatProvider);
        return Currency.IsDefault ? amount : amount + " " + Currency.Code;
    }

    private static void CheckSameCurrency(Money left, Money right, string operation)
    {
        if (left.Currency != right.Currency)
        {
            throw new ArgumentException(
                $"Cannot {operation} {left} and {right}: amounts must be in the same currency (no conversion is ever made).");
        }
    }
}
