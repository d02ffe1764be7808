using Loyalty.Core.Primitives;
using MathNet.Numerics.Distributions;

namespace Loyalty.Core.Analytics.Tests;

/// <summary>
/// Customers drawn from known model parameters (the models' own stories), for recovery tests and
/// benchmarks. Times are rounded to whole days, as purchase data are, so a large base has few
/// distinct (x, t_x, T) rows, as a real one does.
/// </summary>
public static class SyntheticCustomers
{
    /// <summary>
    /// BG/NBD customers (λ ~ Gamma(r, α), p ~ Beta(a, b), drop-out after each repeat purchase) observed for
    /// T uniform in [1, maxAgeDays] days, in weeks; with Gamma-Gamma spends (ν ~ Gamma(q, γ), amounts ~ Gamma(p, ν)).
    /// </summary>
    public static CustomerSummary[] BgNbd(int count, double r, double alpha, double a, double b, int maxAgeDays, int seed, (double P, double Q, double Gamma)? spend = null)
    {
        var random = new Random(seed);
        var result = new CustomerSummary[count];
        for (var i = 0; i < count; i++)
        {
            var lambda = Gamma.Sample(random, r, alpha);
            var p = Beta.Sample(random, a, b);
            var ageDays = random.Next(1, maxAgeDays + 1);
            var age = ageDays / 7.0;
            double time = 0, last = 0;
            var x = 0;
            while (true)
            {
                time += Exponential.Sample(random, lambda);
                if (time > age)
                {
                    break;
                }

                x++;
                last = time;
                if (random.NextDouble() < p)
                {
                    break;
                }
            }

            var recency = x == 0 ? 0 : Math.Min(Math.Round(last * 7), ageDays) / 7.0;
            result[i] = CustomerSummary.Create(MemberId.From(i + 1), x, recency, age, MeanSpend(random, x, spend));
        }

        return result;
    }

    /// <summary>Pareto/NBD customers (λ ~ Gamma(r, α), lifetime ~ Exponential(μ), μ ~ Gamma(s, β)) observed for T uniform in [1, maxAgeDays] days, in weeks.</summary>
    public static CustomerSummary[] ParetoNbd(int count, double r, double alpha, double s, double beta, int maxAgeDays, int seed)
    {
        var random = new Random(seed);
        var result = new CustomerSummary[count];
        for (var i = 0; i < count; i++)
        {
            var lambda = Gamma.Sample(random, r, alpha);
            var mu = Gamma.Sample(random, s, beta);
            var lifetime = Exponential.Sample(random, mu);
            var ageDays = random.Next(1, maxAgeDays + 1);
            var age = ageDays / 7.0;
            var end = Math.Min(age, lifetime);
            double time = 0, last = 0;
            var x = 0;
            while (true)
            {
                time += Exponential.Sample(random, lambda);
                if (time > end)
                {
                    break;
                }

                x++;
                last = time;
            }

            var recency = x == 0 ? 0 : Math.Min(Math.Round(last * 7), ageDays) / 7.0;
            result[i] = CustomerSummary.Create(MemberId.From(i + 1), x, recency, age);
        }

        return result;
    }

    private static double MeanSpend(Random random, int x, (double P, double Q, double Gamma)? spend)
    {
        if (x == 0 || spend is not { } s)
        {
            return 0;
        }

        var nu = Gamma.Sample(random, s.Q, s.Gamma);
        var total = 0.0;
        for (var k = 0; k < x; k++)
        {
            total += Gamma.Sample(random, s.P, nu);
        }

        return total / x;
    }
}
