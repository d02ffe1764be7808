using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Loyalty.Core.Analytics.Internal;

/// <summary>
/// Maximum-likelihood fitting on log-parameters with Math.NET's BFGS minimiser, restarted from
/// its own result until the gradient is below the requested tolerance, the iteration budget is
/// spent or no progress is made. The objective is the mean negative log-likelihood per customer
/// plus the L2 penalty, so tolerances do not depend on the number of customers.
/// </summary>
internal static class MaximumLikelihood
{
    private const int MaxRestarts = 8;
    private const double NumericStep = 1e-5;

    /// <summary>The objective: value at log-parameters theta; fills gradient (w.r.t. theta) when not null.</summary>
    internal delegate double Objective(double[] theta, double[]? gradient);

    internal static (double[] Parameters, FitReport Report) Fit(
        Objective objective, bool analyticGradient, double[] startParameters, FitOptions options,
        int customers, int distinctRows, Func<double[], double> totalLogLikelihood)
    {
        var dimension = startParameters.Length;
        var best = startParameters.Select(v => Math.Log(v)).ToArray();
        var bestValue = objective(best, null);
        var evaluations = 1;
        var iterations = 0;
        var reason = "not started";

        double Value(double[] theta, double[]? gradient)
        {
            evaluations++;
            for (var i = 0; i < theta.Length; i++)
            {
                if (!double.IsFinite(theta[i]) || Math.Abs(theta[i]) > 50)
                {
                    if (gradient is not null)
                    {
                        Array.Clear(gradient);
                    }

                    return double.PositiveInfinity;
                }
            }

            var value = objective(theta, analyticGradient ? gradient : null);
            if (!analyticGradient && gradient is not null)
            {
                var probe = (double[])theta.Clone();
                for (var i = 0; i < theta.Length; i++)
                {
                    probe[i] = theta[i] + NumericStep;
                    var up = objective(probe, null);
                    probe[i] = theta[i] - NumericStep;
                    var down = objective(probe, null);
                    probe[i] = theta[i];
                    gradient[i] = (up - down) / (2 * NumericStep);
                    evaluations += 2;
                }
            }

            if (double.IsFinite(value) && value < bestValue)
            {
                bestValue = value;
                Array.Copy(theta, best, theta.Length);
            }

            return value;
        }

        var function = ObjectiveFunction.Gradient(v =>
        {
            var theta = v.ToArray();
            var gradient = new double[dimension];
            var value = Value(theta, gradient);
            if (!double.IsFinite(value) || gradient.Any(g => !double.IsFinite(g)))
            {
                return (double.MaxValue, Vector<double>.Build.Dense(dimension));
            }

            return (value, Vector<double>.Build.DenseOfArray(gradient));
        });

        var gradientNorm = GradientNorm(Value, best, dimension);
        for (var restart = 0; restart <= MaxRestarts && gradientNorm > options.GradientTolerance && iterations < options.MaxIterations; restart++)
        {
            var before = bestValue;
            try
            {
                var minimizer = new BfgsMinimizer(options.GradientTolerance / 10, 1e-12, 1e-15, options.MaxIterations - iterations);
                var result = minimizer.FindMinimum(function, Vector<double>.Build.DenseOfArray(best));
                iterations += result.Iterations;
                reason = result.ReasonForExit.ToString();
            }
            catch (MaximumIterationsException exception)
            {
                iterations = options.MaxIterations;
                reason = "iteration limit reached: " + exception.Message;
            }
#pragma warning disable CA1031 // The optimiser's failures (line search, invalid values) become a not-converged report, never an exception the caller has to guess at.
            catch (Exception exception) when (exception is OptimizationException or ArgumentException or InvalidOperationException)
#pragma warning restore CA1031
            {
                iterations++;
                reason = "the optimiser stopped: " + exception.Message;
            }

            gradientNorm = GradientNorm(Value, best, dimension);
            if (bestValue >= before && restart > 0)
            {
                break;
            }
        }

        var parameters = best.Select(v => Math.Exp(v)).ToArray();
        var logLikelihood = totalLogLikelihood(parameters);
        var finite = double.IsFinite(logLikelihood) && parameters.All(p => double.IsFinite(p) && p > 0);
        var converged = finite && gradientNorm <= options.GradientTolerance;
        var message = converged
            ? FormattableString.Invariant($"converged: largest gradient component {gradientNorm:G3} <= {options.GradientTolerance:G3} after {iterations} iterations ({reason})")
            : FormattableString.Invariant($"not converged: largest gradient component {gradientNorm:G3} > {options.GradientTolerance:G3} after {iterations} iterations ({reason}); the estimates are not maximum-likelihood estimates")
            ;
        return (parameters, new FitReport(converged, iterations, evaluations, logLikelihood, gradientNorm, customers, distinctRows, options.L2Penalty, message));
    }

    private static double GradientNorm(Func<double[], double[]?, double> value, double[] theta, int dimension)
    {
        var gradient = new double[dimension];
        var v = value((double[])theta.Clone(), gradient);
        if (!double.IsFinite(v))
        {
            return double.PositiveInfinity;
        }

        var norm = 0.0;
        foreach (var g in gradient)
        {
            norm = Math.Max(norm, double.IsFinite(g) ? Math.Abs(g) : double.PositiveInfinity);
        }

        return norm;
    }
}
