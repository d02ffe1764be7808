namespace Loyalty.Core.Analytics.Internal;

internal static class Numerics
{
    /// <summary>log(exp(x) + exp(y)) without overflow.</summary>
    internal static double LogAddExp(double x, double y)
    {
        if (x < y)
        {
            (x, y) = (y, x);
        }

        return x + Math.Log(1 + Math.Exp(y - x));
    }

    /// <summary>(1 - exp(e * l)) / e, equal to -l in the limit e = 0.</summary>
    internal static double OneMinusExpOver(double e, double l)
    {
        var u = e * l;
        if (Math.Abs(u) < 1e-12)
        {
            return -l * (1 + (u / 2));
        }

        return -ExpMinusOne(u) / e;
    }

    /// <summary>exp(u) - 1 to a few ulps for small u too (Kahan's trick: (e^u - 1) u / log(e^u)).</summary>
    internal static double ExpMinusOne(double u)
    {
        var e = Math.Exp(u);
        if (e == 1.0)
        {
            return u;
        }

        var em1 = e - 1;
        return em1 == -1 || double.IsInfinity(em1) ? em1 : em1 * u / Math.Log(e);
    }

    /// <summary>1 / (1 + exp(x)) without overflow.</summary>
    internal static double InverseOnePlusExp(double x) =>
        x > 0 ? Math.Exp(-x) / (1 + Math.Exp(-x)) : 1 / (1 + Math.Exp(x));
}
