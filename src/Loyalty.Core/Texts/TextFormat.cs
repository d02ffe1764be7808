using System.Collections.Concurrent;
using System.Globalization;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Texts;

/// <summary>Numbers, money and percentages in a culture's format (its separators, its no-break spaces).</summary>
internal static class TextFormat
{
    private static readonly ConcurrentDictionary<string, string?> RegionCurrency = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<(string Culture, string Currency), NumberFormatInfo> MoneyFormats = new();

    /// <summary>A number with group separators and up to four decimals, trailing zeros dropped: <c>1 234,5</c>.</summary>
    public static string Number(decimal value, CultureInfo culture) => value.ToString("#,0.####", culture);

    /// <summary>A percentage of a fraction (0.1 → <c>10%</c> / <c>10 %</c>), with as many decimals as needed (up to two).</summary>
    public static string Percent(decimal fraction, CultureInfo culture)
    {
        var percent = fraction * 100m;
        var decimals = Math.Min(2, Math.Max(0, DecimalPlaces(percent)));
        return fraction.ToString("P" + decimals.ToString(CultureInfo.InvariantCulture), culture);
    }

    /// <summary>Money in the culture's currency pattern with the money's currency symbol; whole amounts without decimals.</summary>
    public static string Money(decimal amount, Currency currency, CultureInfo culture)
    {
        var format = culture.IsReadOnly
            ? MoneyFormats.GetOrAdd((culture.Name, currency.Code), static (_, state) => MoneyFormat(state.culture, state.currency), (culture, currency))
            : MoneyFormat(culture, currency);

        var decimals = amount == decimal.Truncate(amount) ? 0 : Math.Max(currency.MinorUnits, DecimalPlaces(amount));
        return amount.ToString("C" + decimals.ToString(CultureInfo.InvariantCulture), format);
    }

    private static NumberFormatInfo MoneyFormat(CultureInfo culture, Currency currency)
    {
        var format = (NumberFormatInfo)culture.NumberFormat.Clone();
        format.CurrencySymbol = Symbol(currency, culture);
        if (culture.Name.Length == 0)
        {
            // Invariant: "1,234.50 EUR", the form the English back-office texts use.
            format.CurrencyPositivePattern = 3;
            format.CurrencyNegativePattern = 8;
        }

        return NumberFormatInfo.ReadOnly(format);
    }

    /// <summary>The culture's own symbol when its region uses the currency; € and £ for the euro and the pound; otherwise the ISO code.</summary>
    public static string Symbol(Currency currency, CultureInfo culture)
    {
        if (culture.Name.Length == 0)
        {
            return currency.Code;
        }

        var regional = RegionCurrency.GetOrAdd(culture.Name, static name =>
        {
            try
            {
                var specific = CultureInfo.CreateSpecificCulture(name);
                var region = new RegionInfo(specific.Name);
                return region.ISOCurrencySymbol + "\n" + region.CurrencySymbol;
            }
            catch (ArgumentException)
            {
                return null;
            }
        });
        if (regional is not null && regional.StartsWith(currency.Code + "\n", StringComparison.Ordinal))
        {
            return regional[(currency.Code.Length + 1)..];
        }

        return currency.Code switch
        {
            "EUR" => "€",
            "GBP" => "£",
            _ => currency.Code,
        };
    }

    private static int DecimalPlaces(decimal value)
    {
        value /= 1.000000000000000000000000000000000m; // normalise: drop trailing zeros
        return (decimal.GetBits(value)[3] >> 16) & 0xFF;
    }
}
