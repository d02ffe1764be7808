using System.Runtime.CompilerServices;

namespace Loyalty.Core.Internal;

/// <summary>
/// The one place public factories validate their arguments, so every message has the same
/// shape: what is wrong, and how to fix it.
/// </summary>
internal static class Preconditions
{
    /// <summary>Throws <see cref="ArgumentNullException"/> when <paramref name="value"/> is null.</summary>
    public static T CheckNotNull<T>(T? value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
        where T : class
        => value ?? throw new ArgumentNullException(paramName);

    /// <summary>Throws when <paramref name="value"/> is not strictly positive.</summary>
    public static long CheckPositive(long value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
        => value > 0
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be greater than 0 (was {value}).");

    /// <summary>Throws when <paramref name="value"/> is negative.</summary>
    public static long CheckNotNegative(long value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
        => value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be 0 or greater (was {value}).");

    /// <summary>Throws when <paramref name="value"/> is outside [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static int CheckInRange(int value, int min, int max, [CallerArgumentExpression(nameof(value))] string? paramName = null)
        => value >= min && value <= max
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be between {min} and {max} inclusive (was {value}).");

    /// <summary>Throws when a value-type argument is its default (uninitialised) value.</summary>
    public static void CheckNotDefault(bool isDefault, string typeName, [CallerArgumentExpression(nameof(isDefault))] string? paramName = null)
    {
        if (isDefault)
        {
            throw new ArgumentException($"{typeName} must not be default; create one with {typeName}.From(...).", paramName);
        }
    }
}
