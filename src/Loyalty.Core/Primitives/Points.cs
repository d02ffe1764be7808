using System.Globalization;
using Loyalty.Core.Internal;

namespace Loyalty.Core.Primitives;

/// <summary>
/// A whole number of loyalty points. Positive, zero or negative (a negative value is a debt,
/// for instance a refund taken back after the points were spent).
/// </summary>
/// <remarks>
/// <para>Immutable and thread-safe. <c>default(Points)</c> is <see cref="Zero"/>.</para>
/// <para>Arithmetic is checked: a result outside the range of <see cref="long"/> throws
/// <see cref="OverflowException"/>; it never wraps around.</para>
/// </remarks>
public readonly struct Points : IEquatable<Points>, IComparable<Points>, IComparable, IFormattable
{
    private readonly long value;

    private Points(long value) => this.value = value;

    /// <summary>Zero points.</summary>
    public static Points Zero => default;

    /// <summary>One point.</summary>
    public static Points One => new(1);

    /// <summary>The largest representable number of points (<see cref="long.MaxValue"/>).</summary>
    public static Points MaxValue => new(long.MaxValue);

    /// <summary>The smallest representable number of points (<see cref="long.MinValue"/>).</summary>
    public static Points MinValue => new(long.MinValue);

    /// <summary>The number of points as a <see cref="long"/>.</summary>
    public long Value => value;

    /// <summary>True when this is zero points.</summary>
    public bool IsZero => value == 0;

    /// <summary>True when this is more than zero points.</summary>
    public bool IsPositive => value > 0;

    /// <summary>True when this is less than zero points (a debt).</summary>
    public bool IsNegative => value < 0;

    /// <summary>Creates a number of points from a <see cref="long"/>.</summary>
    /// <param name="value">The number of points, any sign.</param>
    /// <returns>The points.</returns>
    public static Points FromInt64(long value) => new(value);

    /// <summary>Creates a strictly positive number of points, as every transaction amount must be.</summary>
    /// <param name="value">The number of points; must be greater than zero.</param>
    /// <returns>The points.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is zero or negative.</exception>
    public static Points FromPositive(long value) => new(Preconditions.CheckPositive(value));

    /// <summary>Adds two amounts of points.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The sum.</returns>
    /// <exception cref="OverflowException">The sum is outside the range of <see cref="long"/>.</exception>
    public static Points operator +(Points left, Points right) => new(checked(left.value + right.value));

    /// <summary>Subtracts one amount of points from another.</summary>
    /// <param name="left">The amount to subtract from.</param>
    /// <param name="right">The amount to subtract.</param>
    /// <returns>The difference.</returns>
    /// <exception cref="OverflowException">The difference is outside the range of <see cref="long"/>.</exception>
    public static Points operator -(Points left, Points right) => new(checked(left.value - right.value));

    /// <summary>Negates an amount of points.</summary>
    /// <param name="points">The amount to negate.</param>
    /// <returns>The negated amount.</returns>
    /// <exception cref="OverflowException"><paramref name="points"/> is <see cref="MinValue"/>.</exception>
    public static Points operator -(Points points) => new(checked(-points.value));

    /// <summary>Multiplies an amount of points by a whole factor.</summary>
    /// <param name="points">The amount.</param>
    /// <param name="factor">The factor.</param>
    /// <returns>The product.</returns>
    /// <exception cref="OverflowException">The product is outside the range of <see cref="long"/>.</exception>
    public static Points operator *(Points points, long factor) => new(checked(points.value * factor));

    /// <summary>Adds two amounts of points (the named form of <c>+</c>).</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The sum.</returns>
    /// <exception cref="OverflowException">The sum is outside the range of <see cref="long"/>.</exception>
    public static Points Add(Points left, Points right) => left + right;

    /// <summary>Subtracts one amount from another (the named form of <c>-</c>).</summary>
    /// <param name="left">The amount to subtract from.</param>
    /// <param name="right">The amount to subtract.</param>
    /// <returns>The difference.</returns>
    /// <exception cref="OverflowException">The difference is outside the range of <see cref="long"/>.</exception>
    public static Points Subtract(Points left, Points right) => left - right;

    /// <summary>Negates an amount (the named form of unary <c>-</c>).</summary>
    /// <param name="points">The amount to negate.</param>
    /// <returns>The negated amount.</returns>
    /// <exception cref="OverflowException"><paramref name="points"/> is <see cref="MinValue"/>.</exception>
    public static Points Negate(Points points) => -points;

    /// <summary>Multiplies an amount by a whole factor (the named form of <c>*</c>).</summary>
    /// <param name="points">The amount.</param>
    /// <param name="factor">The factor.</param>
    /// <returns>The product.</returns>
    /// <exception cref="OverflowException">The product is outside the range of <see cref="long"/>.</exception>
    public static Points Multiply(Points points, long factor) => points * factor;

    /// <summary>The smaller of two amounts.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The smaller amount.</returns>
    public static Points Min(Points left, Points right) => left.value <= right.value ? left : right;

    /// <summary>The larger of two amounts.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The larger amount.</returns>
    public static Points Max(Points left, Points right) => left.value >= right.value ? left : right;

    /// <summary>The absolute value of this amount.</summary>
    /// <returns>The amount without its sign.</returns>
    /// <exception cref="OverflowException">This is <see cref="MinValue"/>.</exception>
    public Points Abs() => value < 0 ? -this : this;

    /// <summary>Compares two amounts for equality.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>True when both hold the same number of points.</returns>
    public static bool operator ==(Points left, Points right) => left.value == right.value;

    /// <summary>Compares two amounts for inequality.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>True when the amounts differ.</returns>
    public static bool operator !=(Points left, Points right) => left.value != right.value;

    /// <summary>Whether <paramref name="left"/> is less than <paramref name="right"/>.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>True when <paramref name="left"/> is smaller.</returns>
    public static bool operator <(Points left, Points right) => left.value < right.value;

    /// <summary>Whether <paramref name="left"/> is greater than <paramref name="right"/>.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>True when <paramref name="left"/> is larger.</returns>
    public static bool operator >(Points left, Points right) => left.value > right.value;

    /// <summary>Whether <paramref name="left"/> is less than or equal to <paramref name="right"/>.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>True when <paramref name="left"/> is not larger.</returns>
    public static bool operator <=(Points left, Points right) => left.value <= right.value;

    /// <summary>Whether <paramref name="left"/> is greater than or equal to <paramref name="right"/>.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>True when <paramref name="left"/> is not smaller.</returns>
    public static bool operator >=(Points left, Points right) => left.value >= right.value;

    /// <inheritdoc />
    public bool Equals(Points other) => value == other.value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Points other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => value.GetHashCode();

    /// <inheritdoc />
    public int CompareTo(Points other) => value.CompareTo(other.value);

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="obj"/> is not <see cref="Points"/>.</exception>
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        Points other => CompareTo(other),
        _ => throw new ArgumentException($"Object must be of type {nameof(Points)} (was {obj.GetType().Name}).", nameof(obj)),
    };

    /// <summary>The number of points in the invariant culture, e.g. <c>1250</c>.</summary>
    /// <returns>The formatted number.</returns>
    public override string ToString() => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Formats the number of points with a standard or custom numeric format.</summary>
    /// <param name="format">A numeric format string such as <c>N0</c>, or null.</param>
    /// <param name="formatProvider">The culture, or null for the current culture.</param>
    /// <returns>The formatted number.</returns>
    public string ToString(string? format, IFormatProvider? formatProvider) => value.ToString(format, formatProvider);
}
