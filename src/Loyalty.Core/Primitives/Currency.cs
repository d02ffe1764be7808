using System.Collections.Frozen;

namespace Loyalty.Core.Primitives;

/// <summary>
/// An ISO 4217 currency, such as <c>EUR</c> or <c>USD</c>, with its number of minor units.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. Only active ISO 4217 codes are accepted, in upper case.
/// <c>default(Currency)</c> is not a currency: its <see cref="Code"/> is the empty string and
/// <see cref="IsDefault"/> is true; APIs that need a currency reject it.
/// </remarks>
public readonly struct Currency : IEquatable<Currency>
{
    // Active ISO 4217 codes with their minor units (List One, 2024 amendments).
    private static readonly FrozenDictionary<string, int> MinorUnitsByCode = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["AED"] = 2, ["AFN"] = 2, ["ALL"] = 2, ["AMD"] = 2, ["ANG"] = 2, ["AOA"] = 2, ["ARS"] = 2, ["AUD"] = 2,
        ["AWG"] = 2, ["AZN"] = 2, ["BAM"] = 2, ["BBD"] = 2, ["BDT"] = 2, ["BGN"] = 2, ["BHD"] = 3, ["BIF"] = 0,
        ["BMD"] = 2, ["BND"] = 2, ["BOB"] = 2, ["BRL"] = 2, ["BSD"] = 2, ["BTN"] = 2, ["BWP"] = 2, ["BYN"] = 2,
        ["BZD"] = 2, ["CAD"] = 2, ["CDF"] = 2, ["CHF"] = 2, ["CLP"] = 0, ["CNY"] = 2, ["COP"] = 2, ["CRC"] = 2,
        ["CUP"] = 2, ["CVE"] = 2, ["CZK"] = 2, ["DJF"] = 0, ["DKK"] = 2, ["DOP"] = 2, ["DZD"] = 2, ["EGP"] = 2,
        ["ERN"] = 2, ["ETB"] = 2, ["EUR"] = 2, ["FJD"] = 2, ["FKP"] = 2, ["GBP"] = 2, ["GEL"] = 2, ["GHS"] = 2,
        ["GIP"] = 2, ["GMD"] = 2, ["GNF"] = 0, ["GTQ"] = 2, ["GYD"] = 2, ["HKD"] = 2, ["HNL"] = 2, ["HTG"] = 2,
        ["HUF"] = 2, ["IDR"] = 2, ["ILS"] = 2, ["INR"] = 2, ["IQD"] = 3, ["IRR"] = 2, ["ISK"] = 0, ["JMD"] = 2,
        ["JOD"] = 3, ["JPY"] = 0, ["KES"] = 2, ["KGS"] = 2, ["KHR"] = 2, ["KMF"] = 0, ["KPW"] = 2, ["KRW"] = 0,
        ["KWD"] = 3, ["KYD"] = 2, ["KZT"] = 2, ["LAK"] = 2, ["LBP"] = 2, ["LKR"] = 2, ["LRD"] = 2, ["LSL"] = 2,
        ["LYD"] = 3, ["MAD"] = 2, ["MDL"] = 2, ["MGA"] = 2, ["MKD"] = 2, ["MMK"] = 2, ["MNT"] = 2, ["MOP"] = 2,
        ["MRU"] = 2, ["MUR"] = 2, ["MVR"] = 2, ["MWK"] = 2, ["MXN"] = 2, ["MYR"] = 2, ["MZN"] = 2, ["NAD"] = 2,
        ["NGN"] = 2, ["NIO"] = 2, ["NOK"] = 2, ["NPR"] = 2, ["NZD"] = 2, ["OMR"] = 3, ["PAB"] = 2, ["PEN"] = 2,
        ["PGK"] = 2, ["PHP"] = 2, ["PKR"] = 2, ["PLN"] = 2, ["PYG"] = 0, ["QAR"] = 2, ["RON"] = 2, ["RSD"] = 2,
        ["RUB"] = 2, ["RWF"] = 0, ["SAR"] = 2, ["SBD"] = 2, ["SCR"] = 2, ["SDG"] = 2, ["SEK"] = 2, ["SGD"] = 2,
        ["SHP"] = 2, ["SLE"] = 2, ["SOS"] = 2, ["SRD"] = 2, ["SSP"] = 2, ["STN"] = 2, ["SVC"] = 2, ["SYP"] = 2,
        ["SZL"] = 2, ["THB"] = 2, ["TJS"] = 2, ["TMT"] = 2, ["TND"] = 3, ["TOP"] = 2, ["TRY"] = 2, ["TTD"] = 2,
        ["TWD"] = 2, ["TZS"] = 2, ["UAH"] = 2, ["UGX"] = 0, ["USD"] = 2, ["UYU"] = 2, ["UYW"] = 4, ["UZS"] = 2,
        ["VED"] = 2, ["VES"] = 2, ["VND"] = 0, ["VUV"] = 0, ["WST"] = 2, ["XAF"] = 0, ["XCD"] = 2, ["XCG"] = 2,
        ["XOF"] = 0, ["XPF"] = 0, ["YER"] = 2, ["ZAR"] = 2, ["ZMW"] = 2, ["ZWG"] = 2,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly string? code;
    private readonly int minorUnits;

    private Currency(string code, int minorUnits)
    {
        this.code = code;
        this.minorUnits = minorUnits;
    }

    /// <summary>The euro.</summary>
    public static Currency EUR => FromCode("EUR");

    /// <summary>The United States dollar.</summary>
    public static Currency USD => FromCode("USD");

    /// <summary>The pound sterling.</summary>
    public static Currency GBP => FromCode("GBP");

    /// <summary>The three-letter ISO 4217 code, e.g. <c>EUR</c>; empty for <c>default(Currency)</c>.</summary>
    public string Code => code ?? string.Empty;

    /// <summary>The number of digits after the decimal separator (2 for EUR, 0 for JPY, 3 for KWD).</summary>
    public int MinorUnits => minorUnits;

    /// <summary>True for <c>default(Currency)</c>, which is not a currency.</summary>
    public bool IsDefault => code is null;

    /// <summary>Every currency code this type accepts, in ordinal order.</summary>
    public static IReadOnlyList<string> KnownCodes { get; } = MinorUnitsByCode.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Gets the currency with the given ISO 4217 code.</summary>
    /// <param name="code">A three-letter upper-case ISO 4217 code such as <c>EUR</c>.</param>
    /// <returns>The currency.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="code"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="code"/> is not an active ISO 4217 code.</exception>
    public static Currency FromCode(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (TryFromCode(code, out var currency))
        {
            return currency;
        }

        var hint = code.Length == 3 && MinorUnitsByCode.ContainsKey(code.ToUpperInvariant())
            ? $" Codes are upper case: use '{code.ToUpperInvariant()}'."
            : " Use a three-letter upper-case code such as EUR, USD or GBP.";
        throw new ArgumentException($"'{code}' is not an ISO 4217 currency code.{hint}", nameof(code));
    }

    /// <summary>Tries to get the currency with the given ISO 4217 code.</summary>
    /// <param name="code">A three-letter upper-case ISO 4217 code.</param>
    /// <param name="currency">The currency when found, otherwise <c>default</c>.</param>
    /// <returns>True when <paramref name="code"/> is an active ISO 4217 code.</returns>
    public static bool TryFromCode(string? code, out Currency currency)
    {
        if (code is not null && MinorUnitsByCode.TryGetValue(code, out var minor))
        {
            currency = new Currency(code, minor);
            return true;
        }

        currency = default;
        return false;
    }

    /// <summary>Compares two currencies for equality.</summary>
    /// <param name="left">The first currency.</param>
    /// <param name="right">The second currency.</param>
    /// <returns>True when both have the same code.</returns>
    public static bool operator ==(Currency left, Currency right) => left.Equals(right);

    /// <summary>Compares two currencies for inequality.</summary>
    /// <param name="left">The first currency.</param>
    /// <param name="right">The second currency.</param>
    /// <returns>True when the codes differ.</returns>
    public static bool operator !=(Currency left, Currency right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(Currency other) => string.Equals(code, other.code, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Currency other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => code is null ? 0 : StringComparer.Ordinal.GetHashCode(code);

    /// <summary>The ISO 4217 code, e.g. <c>EUR</c>.</summary>
    /// <returns>The code, or the empty string for <c>default(Currency)</c>.</returns>
    public override string ToString() => Code;
}
