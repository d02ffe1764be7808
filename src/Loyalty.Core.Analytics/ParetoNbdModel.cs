using Loyalty.Core.Analytics.Internal;
using MathNet.Numerics;

namespace Loyalty.Core.Analytics;

/// <summary>
/// The Pareto/NBD model (Schmittlein, Morrison and Colombo 1987, in the form of Fader and
/// Hardie's notes): while active, a customer buys at a Poisson rate λ ~ Gamma(r, α); the
/// customer's lifetime is exponential with rate μ ~ Gamma(s, β).
/// </summary>
/// <remarks>
/// <para>Immutable and thread-safe. α and β are in the unit of the customer base.</para>
/// <para>The likelihood's Gaussian hypergeometric function is evaluated as in Fader and Hardie's
/// note (the α ≥ β and α &lt; β cases, with argument |α − β| / (max(α, β) + t) in [0, 1)), after
/// the Euler transformation that turns it into a series with shrinking terms, so the result is
/// finite and exact to rounding for any number of purchases.</para>
/// </remarks>
public sealed class ParetoNbdModel : PurchaseModel
{
    /// <summary>Creates the model from known parameters.</summary>
    /// <param name="r">Shape of the purchase-rate distribution, &gt; 0.</param>
    /// <param name="alpha">Scale of the purchase-rate distribution (in time units), &gt; 0.</param>
    /// <param name="s">Shape of the drop-out-rate distribution, &gt; 0.</param>
    /// <param name="beta">Scale of the drop-out-rate distribution (in time units), &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is not a finite positive number.</exception>
    public ParetoNbdModel(double r, double alpha, double s, double beta)
        : this(r, alpha, s, beta, null)
    {
    }

    private ParetoNbdModel(double r, double alpha, double s, double beta, FitReport? report)
        : base(report)
    {
        CheckParameter(r, nameof(r));
        CheckParameter(alpha, nameof(alpha));
        CheckParameter(s, nameof(s));
        CheckParameter(beta, nameof(beta));
        R = r;
        Alpha = alpha;
        S = s;
        Beta = beta;
    }

    /// <inheritdoc />
    public override string Name => "Pareto/NBD";

    /// <summary>Shape r of the Gamma distribution of purchase rates.</summary>
    public double R { get; }

    /// <summary>Scale α of the Gamma distribution of purchase rates (in time units).</summary>
    public double Alpha { get; }

    /// <summary>Shape s of the Gamma distribution of drop-out rates.</summary>
    public double S { get; }

    /// <summary>Scale β of the Gamma distribution of drop-out rates (in time units).</summary>
    public double Beta { get; }

    /// <inheritdoc />
    public override IReadOnlyList<KeyValuePair<string, double>> Parameters =>
        [new("r", R), new("alpha", Alpha), new("s", S), new("beta", Beta)];

    /// <summary>
    /// Fits the model by maximum likelihood (BFGS on log-parameters with a central-difference
    /// gradient, one likelihood evaluation per distinct (x, t_x, T) row), starting from r = 1,
    /// α = the mean age T (1 when it is 0), s = 1, β = the mean age T.
    /// </summary>
    /// <param name="customers">The customer base; at least one customer must have bought again.</param>
    /// <param name="options">Penalty, iteration budget and tolerance; null for <see cref="FitOptions.Default"/>.</param>
    /// <returns>The fitted model; check <see cref="PurchaseModel.Report"/>'s <see cref="FitReport.Converged"/>.</returns>
    /// <exception cref="ArgumentException">The customer base is empty or has no repeat buyer, or the options are invalid.</exception>
    public static ParetoNbdModel Fit(CustomerBase customers, FitOptions? options = null)
    {
        CheckCanFit(customers, "Pareto/NBD");
        options ??= FitOptions.Default;
        options.Validate();
        var data = customers.Data;
        var meanAge = 0.0;
        for (var i = 0; i < data.Length; i++)
        {
            meanAge += data.T[i] * data.Count[i];
        }

        meanAge /= data.Total;
        var scale = meanAge > 0 ? meanAge : 1;
        double[] start = [1, scale, 1, scale];
        var penalty = options.L2Penalty;
        var (p, report) = MaximumLikelihood.Fit(
            (theta, _) => Objective(data, theta, penalty),
            analyticGradient: false,
            start,
            options,
            (int)data.Total,
            data.Length,
            q => -Objective(data, q.Select(u => Math.Log(u)).ToArray(), 0) * data.Total);
        return new ParetoNbdModel(p[0], p[1], p[2], p[3], report);
    }

    internal override double LogLikelihoodCore(int x, double tx, double t) =>
        LogLikelihood(R, Alpha, S, Beta, x, tx, t, out _);

    internal override double ProbabilityAliveCore(int x, double tx, double t)
    {
        LogLikelihood(R, Alpha, S, Beta, x, tx, t, out var alive);
        return alive;
    }

    internal override double ExpectedPurchasesCore(int x, double tx, double t, double horizon)
    {
        if (horizon == 0)
        {
            return 0;
        }

        return ExpectedIfAliveCore(x, t, horizon) * ProbabilityAliveCore(x, tx, t);
    }

    /// <summary>(r + x)(β + T) / ((α + T)(s - 1)) [1 - ((β + T)/(β + T + t))^(s - 1)], the expectation given the customer is alive at T.</summary>
    internal override double ExpectedIfAliveCore(int x, double t, double horizon)
    {
        var l = -Math.Log(1 + (horizon / (Beta + t)));
        return (R + x) * (Beta + t) / (Alpha + t) * Numerics.OneMinusExpOver(S - 1, l);
    }

    internal override double ExpectedPurchasesNewCustomerCore(double horizon)
    {
        if (horizon == 0)
        {
            return 0;
        }

        // E[X(t)] = r β / (α (s - 1)) [1 - (β / (β + t))^(s - 1)]
        var l = -Math.Log(1 + (horizon / Beta));
        return R * Beta / Alpha * Numerics.OneMinusExpOver(S - 1, l);
    }

    /// <summary>
    /// The log-likelihood of one (x, t_x, T) and the probability alive. With c = s / (r + s + x) and
    /// term(t) = (α + t)^-(r+x) (β + t)^-s H(t), the likelihood is
    /// Γ(r+x) α^r β^s / Γ(r) × [(α+T)^-(r+x) (β+T)^-s + c (term(t_x) - term(T))].
    /// </summary>
    internal static double LogLikelihood(double r, double alpha, double s, double beta, int x, double tx, double t, out double alive)
    {
        var rx = r + x;
        var c = s / (r + s + x);
        var p = (-rx * Math.Log(alpha + t)) - (s * Math.Log(beta + t));
        var q = (-rx * Math.Log(alpha + tx)) - (s * Math.Log(beta + tx));
        var hT = H(r, alpha, s, beta, x, t);
        var hTx = tx == t ? hT : H(r, alpha, s, beta, x, tx);

        // bracket = e^p + c (e^q hTx - e^p hT), scaled by e^-q (q >= p because tx <= T).
        var scaled = (Math.Exp(p - q) * (1 - (c * hT))) + (c * hTx);
        if (!(scaled > 0))
        {
            scaled = double.Epsilon;
        }

        var logBracket = q + Math.Log(scaled);
        alive = Math.Min(1, Math.Exp(p - logBracket));
        return SpecialFunctions.GammaLn(rx) - SpecialFunctions.GammaLn(r) + (r * Math.Log(alpha)) + (s * Math.Log(beta)) + logBracket;
    }

    /// <summary>
    /// The hypergeometric factor H(t) of term(t): for α ≥ β,
    /// 2F1(r+s+x, s+1; r+s+x+1; z) (1 - z)^s = 2F1(1, r+x; r+s+x+1; z) with z = (α-β)/(α+t);
    /// for α &lt; β, 2F1(r+s+x, r+x; r+s+x+1; z) (1 - z)^(r+x) = (1 - z) 2F1(1, s+1; r+s+x+1; z) with z = (β-α)/(β+t).
    /// </summary>
    private static double H(double r, double alpha, double s, double beta, int x, double t)
    {
        var c = r + s + x + 1;
        if (alpha >= beta)
        {
            var z = (alpha - beta) / (alpha + t);
            return Hypergeometric.Series(1, r + x, c, z);
        }
        else
        {
            var z = (beta - alpha) / (beta + t);
            return (alpha + t) / (beta + t) * Hypergeometric.Series(1, s + 1, c, z);
        }
    }

    private static double Objective(CustomerBase.GroupData data, double[] theta, double penalty)
    {
        var r = Math.Exp(theta[0]);
        var alpha = Math.Exp(theta[1]);
        var s = Math.Exp(theta[2]);
        var beta = Math.Exp(theta[3]);
        var n = data.Length;
        var parts = n >= 4096 ? Math.Min(Environment.ProcessorCount, 16) : 1;
        var sums = new double[parts];
        void Part(int part)
        {
            int from = (int)((long)n * part / parts), to = (int)((long)n * (part + 1) / parts);
            var ll = 0.0;
            for (var i = from; i < to; i++)
            {
                ll += data.Count[i] * LogLikelihood(r, alpha, s, beta, data.X[i], data.Tx[i], data.T[i], out _);
            }

            sums[part] = ll;
        }

        if (parts == 1)
        {
            Part(0);
        }
        else
        {
            Parallel.For(0, parts, Part);
        }

        var total = sums.Sum();
        return (-total / data.Total) + (penalty * ((r * r) + (alpha * alpha) + (s * s) + (beta * beta)));
    }
}
