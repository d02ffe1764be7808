using System.Globalization;
using Loyalty.Core.Analytics.Internal;
using MathNet.Numerics;
using MathNet.Numerics.Statistics;

namespace Loyalty.Core.Analytics;

/// <summary>
/// The Gamma-Gamma model of spend per purchase (Fader, Hardie and Lee 2005, "RFM and CLV: Using
/// Iso-Value Curves for Customer Base Analysis"; Fader and Hardie 2013, "The Gamma-Gamma Model of
/// Monetary Value"): a customer's purchase amounts are Gamma(p, ν), and ν ~ Gamma(q, γ) across
/// customers. It assumes spend per purchase is independent of the number of purchases: check
/// <see cref="FrequencySpendCorrelation"/>.
/// </summary>
/// <remarks>Immutable and thread-safe. γ is in the currency's units.</remarks>
public sealed class GammaGammaModel
{
    /// <summary>The correlation between frequency and mean spend above which <see cref="IndependenceHolds"/> is false: 0.3 (a rule of thumb, not a test).</summary>
    public const double CorrelationThreshold = 0.3;

    /// <summary>Creates the model from known parameters.</summary>
    /// <param name="p">Shape of the spend-per-purchase distribution, &gt; 0.</param>
    /// <param name="q">Shape of the distribution of the scale across customers, &gt; 0 (&gt; 1 for a finite expected spend).</param>
    /// <param name="gamma">Scale of the distribution of the scale across customers (in currency units), &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is not a finite positive number.</exception>
    public GammaGammaModel(double p, double q, double gamma)
        : this(p, q, gamma, null, double.NaN, 0, 0)
    {
    }

    private GammaGammaModel(double p, double q, double gamma, FitReport? report, double correlation, int repeatBuyers, int zeroSpendExcluded)
    {
        PurchaseModel.CheckParameter(p, nameof(p));
        PurchaseModel.CheckParameter(q, nameof(q));
        PurchaseModel.CheckParameter(gamma, nameof(gamma));
        P = p;
        Q = q;
        Gamma = gamma;
        Report = report;
        FrequencySpendCorrelation = correlation;
        RepeatBuyers = repeatBuyers;
        ZeroSpendExcluded = zeroSpendExcluded;
    }

    /// <summary>Shape p of the spend-per-purchase distribution.</summary>
    public double P { get; }

    /// <summary>Shape q of the distribution of the scale across customers.</summary>
    public double Q { get; }

    /// <summary>Scale γ of the distribution of the scale across customers.</summary>
    public double Gamma { get; }

    /// <summary>How the fit went, or null when the model was created from given parameters.</summary>
    public FitReport? Report { get; }

    /// <summary>Pearson correlation between frequency and mean repeat spend over the fitted repeat buyers (NaN when not fitted or undefined).</summary>
    public double FrequencySpendCorrelation { get; }

    /// <summary>Whether |<see cref="FrequencySpendCorrelation"/>| is at most <see cref="CorrelationThreshold"/>, i.e. the model's independence assumption is plausible.</summary>
    public bool IndependenceHolds => Math.Abs(FrequencySpendCorrelation) <= CorrelationThreshold;

    /// <summary>Repeat buyers with a positive mean spend the model was fitted on (0 when not fitted).</summary>
    public int RepeatBuyers { get; }

    /// <summary>Repeat buyers left out of the fit because their mean repeat spend is 0 (their expected spend is still computed).</summary>
    public int ZeroSpendExcluded { get; }

    /// <summary>The population's mean spend per purchase, p γ / (q − 1): the expected spend of a customer without repeat purchases.</summary>
    /// <exception cref="InvalidOperationException">q ≤ 1: the mean is infinite.</exception>
    public double PopulationMeanSpend
    {
        get
        {
            EnsureFiniteMean();
            return P * Gamma / (Q - 1);
        }
    }

    /// <summary>
    /// Fits the model by maximum likelihood on the repeat buyers with a positive mean repeat spend
    /// (BFGS on log-parameters with the analytic gradient), starting from p = 1, q = 2, γ = the mean
    /// of their mean spends (so the starting population mean equals the observed one).
    /// </summary>
    /// <param name="customers">The customer base; at least two repeat buyers must have a positive mean spend.</param>
    /// <param name="options">Penalty, iteration budget and tolerance; null for <see cref="FitOptions.Default"/>.</param>
    /// <returns>The fitted model; check <see cref="Report"/>'s <see cref="FitReport.Converged"/> and <see cref="IndependenceHolds"/>.</returns>
    /// <exception cref="ArgumentException">Fewer than two repeat buyers have a positive mean spend, or the options are invalid.</exception>
    public static GammaGammaModel Fit(CustomerBase customers, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(customers);
        options ??= FitOptions.Default;
        options.Validate();
        var xs = new List<double>();
        var ms = new List<double>();
        var zero = 0;
        foreach (var c in customers.Customers)
        {
            if (c.Frequency == 0)
            {
                continue;
            }

            if (c.MeanRepeatSpend <= 0)
            {
                zero++;
                continue;
            }

            xs.Add(c.Frequency);
            ms.Add(c.MeanRepeatSpend);
        }

        if (xs.Count < 2)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Gamma-Gamma cannot be fitted: it needs at least 2 repeat buyers with a positive mean repeat spend, and the customer base has {xs.Count} ({zero} more repeat buyers spent 0)."),
                nameof(customers));
        }

        var data = new SpendData(xs, ms);
        var correlation = Correlation.Pearson(xs, ms);
        var penalty = options.L2Penalty;
        var (p, report) = MaximumLikelihood.Fit(
            (theta, gradient) => Objective(data, theta, gradient, penalty),
            analyticGradient: true,
            [1, 2, ms.Average()],
            options,
            xs.Count,
            data.Length,
            v => -Objective(data, v.Select(u => Math.Log(u)).ToArray(), null, 0) * xs.Count);
        return new GammaGammaModel(p[0], p[1], p[2], report, correlation, xs.Count, zero);
    }

    /// <summary>
    /// The expected spend per purchase of a customer: the weighted mean of the population mean and
    /// the customer's own mean, (q − 1)/(p x + q − 1) × p γ/(q − 1) + p x/(p x + q − 1) × m_x.
    /// </summary>
    /// <param name="frequency">Repeat purchases x, 0 or more (0 gives the population mean).</param>
    /// <param name="meanRepeatSpend">Mean spend per repeat purchase m_x, 0 or more.</param>
    /// <returns>The expected spend per purchase.</returns>
    /// <exception cref="ArgumentException">A value is negative or not finite.</exception>
    /// <exception cref="InvalidOperationException">q ≤ 1: the population mean is infinite.</exception>
    public double ExpectedAverageSpend(int frequency, double meanRepeatSpend)
    {
        if (frequency < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"frequency must be 0 or more (was {frequency})."), nameof(frequency));
        }

        if (!double.IsFinite(meanRepeatSpend) || meanRepeatSpend < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"meanRepeatSpend must be a finite number, 0 or more (was {meanRepeatSpend})."), nameof(meanRepeatSpend));
        }

        EnsureFiniteMean();
        return ExpectedAverageSpendCore(frequency, meanRepeatSpend);
    }

    /// <summary>The log-likelihood of one repeat buyer's mean spend (the density of the mean of x Gamma(p, ν) amounts, ν ~ Gamma(q, γ)).</summary>
    /// <param name="frequency">Repeat purchases x, 1 or more.</param>
    /// <param name="meanRepeatSpend">Mean spend per repeat purchase m_x, greater than 0.</param>
    /// <returns>The log-likelihood.</returns>
    /// <exception cref="ArgumentException">The frequency is below 1 or the mean is not a finite positive number.</exception>
    public double LogLikelihood(int frequency, double meanRepeatSpend)
    {
        if (frequency < 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"frequency must be 1 or more: the Gamma-Gamma likelihood covers repeat buyers only (was {frequency})."), nameof(frequency));
        }

        if (!double.IsFinite(meanRepeatSpend) || meanRepeatSpend <= 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"meanRepeatSpend must be a finite number greater than 0 (was {meanRepeatSpend})."), nameof(meanRepeatSpend));
        }

        double x = frequency, m = meanRepeatSpend, px = P * frequency;
        return SpecialFunctions.GammaLn(px + Q) - SpecialFunctions.GammaLn(px) - SpecialFunctions.GammaLn(Q) + (Q * Math.Log(Gamma))
            + ((px - 1) * Math.Log(m)) + (px * Math.Log(x)) - ((px + Q) * Math.Log(Gamma + (x * m)));
    }

    /// <summary>The parameters, e.g. <c>Gamma-Gamma p=6.2502 q=3.7444 gamma=15.4425</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Gamma-Gamma p={P:0.####} q={Q:0.####} gamma={Gamma:0.####}");

    internal double ExpectedAverageSpendCore(int frequency, double meanRepeatSpend)
    {
        var px = P * frequency;
        var weight = px / (px + Q - 1);
        return ((1 - weight) * P * Gamma / (Q - 1)) + (weight * meanRepeatSpend);
    }

    internal void EnsureFiniteMean()
    {
        if (Q <= 1)
        {
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"The Gamma-Gamma model has q = {Q} <= 1, so the expected spend is infinite; refit with more repeat buyers or an L2 penalty (FitOptions.L2Penalty)."));
        }
    }

    private static double Objective(SpendData data, double[] theta, double[]? gradient, double penalty)
    {
        var p = Math.Exp(theta[0]);
        var q = Math.Exp(theta[1]);
        var gamma = Math.Exp(theta[2]);
        var lnGamma = Math.Log(gamma);
        var lgQ = SpecialFunctions.GammaLn(q);
        var psiQ = gradient is null ? 0 : SpecialFunctions.DiGamma(q);
        var frequencies = data.Frequencies;
        var cache = new double[frequencies.Length * 4];
        for (var f = 0; f < frequencies.Length; f++)
        {
            var px = p * frequencies[f];
            cache[f * 4] = SpecialFunctions.GammaLn(px + q) - SpecialFunctions.GammaLn(px);
            if (gradient is not null)
            {
                cache[(f * 4) + 1] = SpecialFunctions.DiGamma(px + q);
                cache[(f * 4) + 2] = SpecialFunctions.DiGamma(px);
            }
        }

        double ll = 0, gp = 0, gq = 0, gg = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var x = data.X[i];
            var o = data.FrequencyIndex[i] * 4;
            var px = p * x;
            var lnM = data.LogM[i];
            var lnXm = Math.Log(gamma + (x * data.M[i]));
            ll += cache[o] + ((px - 1) * lnM) + (px * data.LogX[i]) - ((px + q) * lnXm);
            if (gradient is not null)
            {
                gp += x * (cache[o + 1] - cache[o + 2] + lnM + data.LogX[i] - lnXm);
                gq += cache[o + 1] - lnXm;
                gg -= (px + q) / (gamma + (x * data.M[i]));
            }
        }

        var n = data.Length;
        ll += n * ((q * lnGamma) - lgQ);
        if (gradient is not null)
        {
            gq += n * (lnGamma - psiQ);
            gg += n * q / gamma;
            gradient[0] = (-gp * p / n) + (2 * penalty * p * p);
            gradient[1] = (-gq * q / n) + (2 * penalty * q * q);
            gradient[2] = (-gg * gamma / n) + (2 * penalty * gamma * gamma);
        }

        return (-ll / n) + (penalty * ((p * p) + (q * q) + (gamma * gamma)));
    }

    private sealed class SpendData
    {
        internal SpendData(List<double> xs, List<double> ms)
        {
            Length = xs.Count;
            X = [.. xs];
            M = [.. ms];
            LogM = M.Select(v => Math.Log(v)).ToArray();
            LogX = X.Select(v => Math.Log(v)).ToArray();
            FrequencyIndex = new int[Length];
            var index = new Dictionary<double, int>();
            var frequencies = new List<double>();
            for (var i = 0; i < Length; i++)
            {
                if (!index.TryGetValue(X[i], out var f))
                {
                    f = frequencies.Count;
                    index.Add(X[i], f);
                    frequencies.Add(X[i]);
                }

                FrequencyIndex[i] = f;
            }

            Frequencies = [.. frequencies];
        }

        internal int Length { get; }

        internal double[] X { get; }

        internal double[] M { get; }

        internal double[] LogM { get; }

        internal double[] LogX { get; }

        internal int[] FrequencyIndex { get; }

        internal double[] Frequencies { get; }
    }
}
