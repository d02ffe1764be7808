using Loyalty.Core.Analytics.Internal;

namespace Loyalty.Core.Analytics.Tests.Internal;

public class HypergeometricTests
{
    /// <summary>The plain power series of 2F1, for comparisons where it converges quickly.</summary>
    public static double DirectSeries(double a, double b, double c, double z)
    {
        double term = 1, sum = 1;
        for (var k = 0; k < 100_000 && Math.Abs(term) > 1e-17 * Math.Abs(sum); k++)
        {
            term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
            sum += term;
        }

        return sum;
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.999)]
    public void Equals_the_closed_form_of_2F1_1_1_2(double z)
    {
        // 2F1(1, 1; 2; z) = -ln(1 - z) / z
        Hypergeometric.Series(1, 1, 2, z).Should().BeApproximately(-Math.Log(1 - z) / z, 1e-12 * -Math.Log(1 - z) / z);
    }

    [Theory]
    [InlineData(0.3, 0.7, 2.2, 0.4)]
    [InlineData(2.5, -0.2, 4.1, 0.8)]
    [InlineData(1.2, 0.01, 1.5, 0.95)]
    public void The_series_minus_one_over_b_is_consistent_with_the_series(double a, double b, double c, double z)
    {
        var expected = (Hypergeometric.Series(a, b, c, z) - 1) / b;

        Hypergeometric.SeriesMinusOneOverB(a, b, c, z).Should().BeApproximately(expected, 1e-9 * Math.Max(1, Math.Abs(expected)));
    }

    [Fact]
    public void Euler_transformation_holds()
    {
        // 2F1(a, b; c; z) = (1 - z)^(c - a - b) 2F1(c - a, c - b; c; z)
        double a = 2.24, b = 4.43, c = 5.22, z = 0.47;

        Hypergeometric.Series(a, b, c, z).Should().BeApproximately(Math.Pow(1 - z, c - a - b) * Hypergeometric.Series(c - a, c - b, c, z), 1e-12);
    }

    [Fact]
    public void A_series_that_cannot_converge_says_so()
    {
        var act = () => Hypergeometric.Series(1, 1, 2, 1 - 1e-9);

        act.Should().Throw<InvalidOperationException>().WithMessage(
            "The hypergeometric series 2F1(1, 1; 2; 0.999999999) did not converge in 1000000 terms: the horizon is too long for the fitted time scale; use a shorter horizon or a larger time unit.");
    }
}
