using System.Globalization;

namespace Loyalty.Core.Analytics;

/// <summary>How a maximum-likelihood fit went: whether it converged, in how many iterations, and the log-likelihood reached.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class FitReport
{
    internal FitReport(bool converged, int iterations, int evaluations, double logLikelihood, double gradientNorm, int customers, int distinctRows, double penalty, string message)
    {
        Converged = converged;
        Iterations = iterations;
        Evaluations = evaluations;
        LogLikelihood = logLikelihood;
        GradientNorm = gradientNorm;
        Customers = customers;
        DistinctRows = distinctRows;
        L2Penalty = penalty;
        Message = message;
    }

    /// <summary>
    /// True when the gradient of the objective is below <see cref="FitOptions.GradientTolerance"/>
    /// at finite, positive parameters. When false the parameters are the best point found, not a
    /// maximum-likelihood estimate: <see cref="Message"/> says why.
    /// </summary>
    public bool Converged { get; }

    /// <summary>Optimiser iterations over all restarts.</summary>
    public int Iterations { get; }

    /// <summary>Evaluations of the log-likelihood (each a pass over the distinct rows).</summary>
    public int Evaluations { get; }

    /// <summary>The total log-likelihood of the fitted customers at the returned parameters (without the penalty).</summary>
    public double LogLikelihood { get; }

    /// <summary>The largest gradient component of the objective (mean per customer, log-parameters) at the returned parameters.</summary>
    public double GradientNorm { get; }

    /// <summary>Customers the likelihood covers (repeat buyers with a positive mean spend, for the Gamma-Gamma model).</summary>
    public int Customers { get; }

    /// <summary>Distinct rows the likelihood was evaluated on (customers with identical inputs share a row).</summary>
    public int DistinctRows { get; }

    /// <summary>The L2 penalty the fit used.</summary>
    public double L2Penalty { get; }

    /// <summary>A one-line account of the outcome, e.g. <c>converged: largest gradient component 2.1E-08 &lt;= 1E-06 after 31 iterations</c>.</summary>
    public string Message { get; }

    /// <summary>A readable summary.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"LL {LogLikelihood:F2} over {Customers:N0} customers ({DistinctRows:N0} distinct rows); {Message}");
}
