using System.Globalization;

namespace Loyalty.Core.Analytics;

/// <summary>How a model is fitted by maximum likelihood.</summary>
/// <remarks>
/// Immutable (init-only). The optimiser minimises the mean negative log-likelihood per customer
/// plus <see cref="L2Penalty"/> × the sum of the squared parameters, over the logarithms of the
/// parameters (so every parameter stays positive), with Math.NET's BFGS minimiser.
/// </remarks>
public sealed record FitOptions
{
    /// <summary>The defaults: no penalty, at most 1,000 iterations, gradient tolerance 1e-6.</summary>
    public static FitOptions Default { get; } = new();

    /// <summary>
    /// The L2 penalty coefficient (default 0, no penalty): the objective adds
    /// <c>L2Penalty × Σ parameter²</c> to the mean negative log-likelihood per customer, as the
    /// Python <c>lifetimes</c> package's <c>penalizer_coef</c> does. A small value (0.001 to 0.1)
    /// keeps a fit on little or degenerate data from running off to extreme parameters; the
    /// estimates are then no longer maximum-likelihood estimates.
    /// </summary>
    public double L2Penalty { get; init; }

    /// <summary>The most optimiser iterations over all restarts (default 1,000).</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>
    /// The fit is reported converged when the largest component of the objective's gradient with
    /// respect to the log-parameters is at most this value (default 1e-6).
    /// </summary>
    public double GradientTolerance { get; init; } = 1e-6;

    internal void Validate()
    {
        if (!double.IsFinite(L2Penalty) || L2Penalty < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"FitOptions.L2Penalty must be 0 or a positive number (was {L2Penalty})."), "options");
        }

        if (MaxIterations < 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"FitOptions.MaxIterations must be 1 or more (was {MaxIterations})."), "options");
        }

        if (!double.IsFinite(GradientTolerance) || GradientTolerance <= 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"FitOptions.GradientTolerance must be a positive number (was {GradientTolerance})."), "options");
        }
    }
}
