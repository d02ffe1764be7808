namespace Loyalty.Core.Analytics.Internal;

/// <summary>
/// The Gaussian hypergeometric series 2F1(a, b; c; z) for 0 &lt;= z &lt; 1, summed term by term
/// with a relative stopping rule. Callers pass the Euler-transformed forms of the models'
/// functions, whose terms shrink from the start (no overflow for customers with hundreds of
/// purchases); see docs/lifetime-value.md.
/// </summary>
internal static class Hypergeometric
{
    /// <summary>The most terms summed before the series is declared not convergent.</summary>
    internal const int MaxTerms = 1_000_000;

    private const double Tolerance = 1e-15;

    /// <summary>2F1(a, b; c; z) for 0 &lt;= z &lt; 1 and c &gt; 0.</summary>
    internal static double Series(double a, double b, double c, double z)
    {
        double term = 1, sum = 1;
        for (var k = 0; k < MaxTerms; k++)
        {
            term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
            sum += term;
            if (Math.Abs(term) <= Tolerance * Math.Abs(sum))
            {
                return sum;
            }
        }

        throw NotConvergent(a, b, c, z);
    }

    /// <summary>
    /// (2F1(a, b; c; z) - 1) / b, summed without forming 2F1 first so that b near 0 keeps its
    /// precision: sum over k &gt;= 1 of (a)_k (b + 1)_(k-1) / ((c)_k k!) z^k.
    /// </summary>
    internal static double SeriesMinusOneOverB(double a, double b, double c, double z)
    {
        var term = a / c * z;
        var sum = term;
        if (term == 0)
        {
            return 0;
        }

        for (var k = 1; k < MaxTerms; k++)
        {
            term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
            sum += term;
            if (Math.Abs(term) <= Tolerance * Math.Abs(sum))
            {
                return sum;
            }
        }

        throw NotConvergent(a, b, c, z);
    }

    private static InvalidOperationException NotConvergent(double a, double b, double c, double z) =>
        new(FormattableString.Invariant(
            $"The hypergeometric series 2F1({a}, {b}; {c}; {z}) did not converge in {MaxTerms} terms: the horizon is too long for the fitted time scale; use a shorter horizon or a larger time unit."));
}
