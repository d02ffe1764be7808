using Loyalty.Core.Analytics.Internal;
using MathNet.Numerics;

namespace Loyalty.Core.Analytics;

/// <summary>
/// The BG/NBD model (Fader, Hardie and Lee 2005, "Counting Your Customers the Easy Way"): while
/// active, a customer buys at a Poisson rate λ ~ Gamma(r, α); after each purchase the customer
/// drops out with probability p ~ Beta(a, b).
/// </summary>
/// <remarks>
/// <para>Immutable and thread-safe. Fit with <see cref="Fit"/>, or create from known parameters.
/// α is in the unit of the customer base (per week, per day).</para>
/// <para>Every expression is evaluated in log space; the conditional expectation uses the Euler
/// transformation of its hypergeometric function, whose series has shrinking terms, so customers
/// with hundreds of purchases neither overflow nor lose precision.</para>
/// </remarks>
public sealed class BgNbdModel : PurchaseModel
{
    /// <summary>Creates the model from known parameters.</summary>
    /// <param name="r">Shape of the purchase-rate distribution, &gt; 0.</param>
    /// <param name="alpha">Scale of the purchase-rate distribution (in time units), &gt; 0.</param>
    /// <param name="a">First shape of the drop-out probability distribution, &gt; 0.</param>
    /// <param name="b">Second shape of the drop-out probability distribution, &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is not a finite positive number.</exception>
    public BgNbdModel(double r, double alpha, double a, double b)
        : this(r, alpha, a, b, null)
    {
    }

    private BgNbdModel(double r, double alpha, double a, double b, FitReport? report)
        : base(report)
    {
        CheckParameter(r, nameof(r));
        CheckParameter(alpha, nameof(alpha));
        CheckParameter(a, nameof(a));
        CheckParameter(b, nameof(b));
        R = r;
        Alpha = alpha;
        A = a;
        B = b;
    }

    /// <inheritdoc />
    public override string Name => "BG/NBD";

    /// <summary>Shape r of the Gamma distribution of purchase rates.</summary>
    public double R { get; }

    /// <summary>Scale α of the Gamma distribution of purchase rates (in time units).</summary>
    public double Alpha { get; }

    /// <summary>Shape a of the Beta distribution of drop-out probabilities.</summary>
    public double A { get; }

    /// <summary>Shape b of the Beta distribution of drop-out probabilities.</summary>
    public double B { get; }

    /// <inheritdoc />
    public override IReadOnlyList<KeyValuePair<string, double>> Parameters =>
        [new("r", R), new("alpha", Alpha), new("a", A), new("b", B)];

    /// <summary>
    /// Fits the model by maximum likelihood (BFGS on log-parameters with the analytic gradient,
    /// one likelihood evaluation per distinct (x, t_x, T) row), starting from r = 1, α = the mean
    /// age T (1 when it is 0), a = 1, b = 1.
    /// </summary>
    /// <param name="customers">The customer base; at least one customer must have bought again.</param>
    /// <param name="options">Penalty, iteration budget and tolerance; null for <see cref="FitOptions.Default"/>.</param>
    /// <returns>The fitted model; check <see cref="PurchaseModel.Report"/>'s <see cref="FitReport.Converged"/>.</returns>
    /// <exception cref="ArgumentException">The customer base is empty or has no repeat buyer, or the options are invalid.</exception>
    public static BgNbdModel Fit(CustomerBase customers, FitOptions? options = null)
    {
        CheckCanFit(customers, "BG/NBD");
        options ??= FitOptions.Default;
        options.Validate();
        return FitRows(customers.Data, options);
    }

    /// <summary>Fits on rows (grouped or not: the benchmarks' ungrouped baseline passes one row per customer).</summary>
    internal static BgNbdModel FitRows(CustomerBase.GroupData data, FitOptions options)
    {
        var meanAge = 0.0;
        for (var i = 0; i < data.Length; i++)
        {
            meanAge += data.T[i] * data.Count[i];
        }

        meanAge /= data.Total;
        double[] start = [1, meanAge > 0 ? meanAge : 1, 1, 1];
        var penalty = options.L2Penalty;
        var (p, report) = MaximumLikelihood.Fit(
            (theta, gradient) => Objective(data, theta, gradient, penalty),
            analyticGradient: true,
            start,
            options,
            (int)data.Total,
            data.Length,
            q => -Objective(data, q.Select(u => Math.Log(u)).ToArray(), null, 0) * data.Total);
        return new BgNbdModel(p[0], p[1], p[2], p[3], report);
    }

    internal override double LogLikelihoodCore(int x, double tx, double t)
    {
        var (r, alpha, a, b) = (R, Alpha, A, B);
        var common = SpecialFunctions.GammaLn(r + x) - SpecialFunctions.GammaLn(r) + (r * Math.Log(alpha))
            + SpecialFunctions.GammaLn(a + b) + SpecialFunctions.GammaLn(b + x) - SpecialFunctions.GammaLn(b) - SpecialFunctions.GammaLn(a + b + x);
        var a3 = -(r + x) * Math.Log(alpha + t);
        if (x == 0)
        {
            return common + a3;
        }

        var a4 = Math.Log(a) - Math.Log(b + x - 1) - ((r + x) * Math.Log(alpha + tx));
        return common + Numerics.LogAddExp(a3, a4);
    }

    internal override double ProbabilityAliveCore(int x, double tx, double t)
    {
        if (x == 0)
        {
            return 1;
        }

        var logOdds = Math.Log(A) - Math.Log(B + x - 1) + ((R + x) * (Math.Log(Alpha + t) - Math.Log(Alpha + tx)));
        return Numerics.InverseOnePlusExp(logOdds);
    }

    internal override double ExpectedPurchasesCore(int x, double tx, double t, double horizon)
    {
        if (horizon == 0)
        {
            return 0;
        }

        return ProbabilityAliveCore(x, tx, t) * ExpectedIfAliveCore(x, t, horizon);
    }

    internal override double ExpectedPurchasesNewCustomerCore(double horizon) =>
        horizon == 0 ? 0 : ExpectedIfAliveCore(0, 0, horizon);

    /// <summary>
    /// (a + b + x - 1) / (a - 1) × [1 - ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)], z = t/(α+T+t),
    /// through the Euler transformation 2F1(r+x, b+x; c; z) = (1-z)^(a-1-r-x) 2F1(a+b-1-r, a-1; c; z)
    /// and written so that a = 1 is not a 0/0.
    /// </summary>
    internal override double ExpectedIfAliveCore(int x, double t, double horizon)
    {
        var (r, alpha, a, b) = (R, Alpha, A, B);
        var z = horizon / (alpha + t + horizon);
        var logOneMinusZ = -Math.Log(1 + (horizon / (alpha + t)));
        var e = a - 1;
        var c = a + b + x - 1;
        var s = Hypergeometric.SeriesMinusOneOverB(a + b - 1 - r, e, c, z);
        var bracket = Numerics.OneMinusExpOver(e, logOneMinusZ) - (Math.Exp(e * logOneMinusZ) * s);
        return Math.Max(0, c * bracket);
    }

    /// <summary>Mean negative log-likelihood per customer plus the penalty, and its gradient with respect to the log-parameters.</summary>
    internal static double Objective(CustomerBase.GroupData data, double[] theta, double[]? gradient, double penalty)
    {
        var r = Math.Exp(theta[0]);
        var alpha = Math.Exp(theta[1]);
        var a = Math.Exp(theta[2]);
        var b = Math.Exp(theta[3]);
        var frequencies = data.Frequencies;
        var nf = frequencies.Length;
        var cache = new double[nf * 7];
        var withGradient = gradient is not null;
        for (var f = 0; f < nf; f++)
        {
            var x = frequencies[f];
            var o = f * 7;
            cache[o] = SpecialFunctions.GammaLn(r + x) + SpecialFunctions.GammaLn(b + x) - SpecialFunctions.GammaLn(a + b + x);
            cache[o + 1] = x > 0 ? Math.Log(b + x - 1) : 0;
            cache[o + 2] = r + x;
            if (withGradient)
            {
                cache[o + 3] = SpecialFunctions.DiGamma(r + x);
                cache[o + 4] = SpecialFunctions.DiGamma(b + x);
                cache[o + 5] = SpecialFunctions.DiGamma(a + b + x);
                cache[o + 6] = x > 0 ? 1 / (b + x - 1) : 0;
            }
        }

        var lnA = Math.Log(a);
        var constant = -SpecialFunctions.GammaLn(r) + (r * Math.Log(alpha)) + SpecialFunctions.GammaLn(a + b) - SpecialFunctions.GammaLn(b);
        var n = data.Length;
        var parts = n >= 32_768 ? Math.Min(Environment.ProcessorCount, 16) : 1;
        var sums = new double[parts * 5];
        void Part(int part)
        {
            int from = (int)((long)n * part / parts), to = (int)((long)n * (part + 1) / parts);
            double ll = 0, gr = 0, gAlpha = 0, gA = 0, gB = 0;
            var xs = data.X;
            var txs = data.Tx;
            var ts = data.T;
            var counts = data.Count;
            var fi = data.FrequencyIndex;
            for (var i = from; i < to; i++)
            {
                var o = fi[i] * 7;
                var rx = cache[o + 2];
                var w = counts[i];
                var lnT = Math.Log(alpha + ts[i]);
                var a3 = -rx * lnT;
                if (xs[i] == 0)
                {
                    ll += w * (cache[o] + a3);
                    if (withGradient)
                    {
                        gr += w * (cache[o + 3] - lnT);
                        gAlpha += w * (-rx / (alpha + ts[i]));
                        gA += w * -cache[o + 5];
                        gB += w * (cache[o + 4] - cache[o + 5]);
                    }

                    continue;
                }

                var lnTx = Math.Log(alpha + txs[i]);
                var a4 = lnA - cache[o + 1] - (rx * lnTx);
                double lse, w4;
                if (a3 >= a4)
                {
                    var e = Math.Exp(a4 - a3);
                    lse = a3 + Math.Log(1 + e);
                    w4 = e / (1 + e);
                }
                else
                {
                    var e = Math.Exp(a3 - a4);
                    lse = a4 + Math.Log(1 + e);
                    w4 = 1 / (1 + e);
                }

                ll += w * (cache[o] + lse);
                if (withGradient)
                {
                    var w3 = 1 - w4;
                    gr += w * (cache[o + 3] - (w3 * lnT) - (w4 * lnTx));
                    gAlpha += w * -rx * ((w3 / (alpha + ts[i])) + (w4 / (alpha + txs[i])));
                    gA += w * (-cache[o + 5] + (w4 / a));
                    gB += w * (cache[o + 4] - cache[o + 5] - (w4 * cache[o + 6]));
                }
            }

            var s = part * 5;
            sums[s] = ll;
            sums[s + 1] = gr;
            sums[s + 2] = gAlpha;
            sums[s + 3] = gA;
            sums[s + 4] = gB;
        }

        if (parts == 1)
        {
            Part(0);
        }
        else
        {
            Parallel.For(0, parts, Part);
        }

        double total = 0, tr = 0, tAlpha = 0, tA = 0, tB = 0;
        for (var part = 0; part < parts; part++)
        {
            total += sums[part * 5];
            tr += sums[(part * 5) + 1];
            tAlpha += sums[(part * 5) + 2];
            tA += sums[(part * 5) + 3];
            tB += sums[(part * 5) + 4];
        }

        var count = data.Total;
        var psiAb = SpecialFunctions.DiGamma(a + b);
        var value = (-(total + (count * constant)) / count) + (penalty * ((r * r) + (alpha * alpha) + (a * a) + (b * b)));
        if (gradient is not null)
        {
            var dr = tr + (count * (-SpecialFunctions.DiGamma(r) + Math.Log(alpha)));
            var dAlpha = tAlpha + (count * r / alpha);
            var dA = tA + (count * psiAb);
            var dB = tB + (count * (psiAb - SpecialFunctions.DiGamma(b)));
            gradient[0] = (-dr * r / count) + (2 * penalty * r * r);
            gradient[1] = (-dAlpha * alpha / count) + (2 * penalty * alpha * alpha);
            gradient[2] = (-dA * a / count) + (2 * penalty * a * a);
            gradient[3] = (-dB * b / count) + (2 * penalty * b * b);
        }

        return value;
    }
}
