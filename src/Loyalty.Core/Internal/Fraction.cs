using System.Numerics;

namespace Loyalty.Core.Internal;

/// <summary>
/// An exact non-negative rational number, for arithmetic on money and points that must neither
/// round before the one documented rounding nor overflow (<see cref="decimal"/> products of a
/// large amount and a large number of points can exceed its range).
/// </summary>
internal readonly struct Fraction : IComparable<Fraction>
{
    private Fraction(BigInteger numerator, BigInteger denominator)
    {
        Numerator = numerator;
        Denominator = denominator;
    }

    public static Fraction Zero => new(BigInteger.Zero, BigInteger.One);

    public static Fraction One => new(BigInteger.One, BigInteger.One);

    public BigInteger Numerator { get; }

    public BigInteger Denominator { get; }

    public static Fraction From(long value) => new(value, BigInteger.One);

    public static Fraction From(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = new BigInteger((uint)bits[0]) | (new BigInteger((uint)bits[1]) << 32) | (new BigInteger((uint)bits[2]) << 64);
        var scale = (bits[3] >> 16) & 0xFF;
        return new Fraction(bits[3] < 0 ? -mantissa : mantissa, BigInteger.Pow(10, scale));
    }

    public static Fraction Ratio(BigInteger numerator, BigInteger denominator) =>
        denominator.IsZero ? throw new DivideByZeroException() : new Fraction(numerator, denominator);

    public static Fraction operator +(Fraction a, Fraction b) =>
        a.Denominator == b.Denominator ? new(a.Numerator + b.Numerator, a.Denominator) : Reduce(new((a.Numerator * b.Denominator) + (b.Numerator * a.Denominator), a.Denominator * b.Denominator));

    public static Fraction operator -(Fraction a, Fraction b) =>
        a.Denominator == b.Denominator ? new(a.Numerator - b.Numerator, a.Denominator) : Reduce(new((a.Numerator * b.Denominator) - (b.Numerator * a.Denominator), a.Denominator * b.Denominator));

    public static Fraction operator *(Fraction a, Fraction b) => Reduce(new(a.Numerator * b.Numerator, a.Denominator * b.Denominator));

    public static Fraction operator /(Fraction a, Fraction b) =>
        b.Numerator.IsZero ? throw new DivideByZeroException() : Reduce(new(a.Numerator * b.Denominator * b.Numerator.Sign, a.Denominator * BigInteger.Abs(b.Numerator)));

    public static bool operator <(Fraction a, Fraction b) => a.CompareTo(b) < 0;

    public static bool operator >(Fraction a, Fraction b) => a.CompareTo(b) > 0;

    public static bool operator <=(Fraction a, Fraction b) => a.CompareTo(b) <= 0;

    public static bool operator >=(Fraction a, Fraction b) => a.CompareTo(b) >= 0;

    public static Fraction Min(Fraction a, Fraction b) => a <= b ? a : b;

    public int CompareTo(Fraction other) => (Numerator * other.Denominator).CompareTo(other.Numerator * Denominator);

    /// <summary>The largest integer not above the value.</summary>
    public BigInteger Floor()
    {
        var quotient = BigInteger.DivRem(Numerator, Denominator, out var remainder);
        return remainder.Sign < 0 ? quotient - 1 : quotient;
    }

    private static Fraction Reduce(Fraction f)
    {
        var gcd = BigInteger.GreatestCommonDivisor(f.Numerator, f.Denominator);
        return gcd.IsOne || gcd.IsZero ? f : new(f.Numerator / gcd, f.Denominator / gcd);
    }
}
