using System.Globalization;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Economics;

/// <summary>The argument checks shared by the economics computations, so every message has one shape.</summary>
internal static class EconomicsGuard
{
    public static decimal CostPerPoint(decimal value, string paramName) => value >= 0m
        ? value
        : throw new ArgumentOutOfRangeException(paramName, value, string.Create(CultureInfo.InvariantCulture, $"{paramName} must be 0 or more (was {value}); a point cannot cost the shop a negative amount."));

    public static decimal Rate(decimal value, string paramName) => value is >= 0m and <= 1m
        ? value
        : throw new ArgumentOutOfRangeException(paramName, value, string.Create(CultureInfo.InvariantCulture, $"{paramName} must be between 0 and 1 inclusive (was {value}); write 95 % as 0.95."));

    public static double Rate(double value, string paramName) => value is >= 0d and <= 1d
        ? value
        : throw new ArgumentOutOfRangeException(paramName, value, string.Create(CultureInfo.InvariantCulture, $"{paramName} must be between 0 and 1 inclusive (was {value}); write 95 % as 0.95."));

    public static int Decimals(int value, string paramName) => value is >= 0 and <= 4
        ? value
        : throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be between 0 and 4 inclusive (was {value}).");

    public static void SameCurrency(Money money, Currency expected, string paramName)
    {
        if (money.Currency != expected)
        {
            throw new ArgumentException($"{paramName} is in {money.Currency}, not in {expected}; convert it before (amounts are never converted here).", paramName);
        }
    }
}
