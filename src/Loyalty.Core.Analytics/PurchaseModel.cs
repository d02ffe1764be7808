using System.Globalization;

namespace Loyalty.Core.Analytics;

/// <summary>
/// A fitted (or given) model of how many purchases customers make and when they stop buying:
/// <see cref="BgNbdModel"/> or <see cref="ParetoNbdModel"/>. Times are in the unit of the
/// customer base the model was fitted on.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public abstract class PurchaseModel
{
    private protected PurchaseModel(FitReport? report) => Report = report;

    /// <summary>The model's name as printed in reports, e.g. <c>BG/NBD</c>.</summary>
    public abstract string Name { get; }

    /// <summary>How the fit went, or null when the model was created from given parameters.</summary>
    public FitReport? Report { get; }

    /// <summary>The parameters by name, in the literature's order (e.g. r, alpha, a, b).</summary>
    public abstract IReadOnlyList<KeyValuePair<string, double>> Parameters { get; }

    /// <summary>The log-likelihood of one customer's (x, t_x, T).</summary>
    /// <param name="frequency">Repeat purchases x, 0 or more.</param>
    /// <param name="recency">Time of the last repeat purchase t_x, between 0 and <paramref name="age"/> (0 when x is 0).</param>
    /// <param name="age">Time observed T, 0 or more.</param>
    /// <returns>The log-likelihood.</returns>
    /// <exception cref="ArgumentException">The history is impossible (see <see cref="CustomerSummary.Create"/>).</exception>
    public double LogLikelihood(int frequency, double recency, double age)
    {
        CheckHistory(frequency, recency, age);
        return LogLikelihoodCore(frequency, recency, age);
    }

    /// <summary>The probability that a customer with this history is still active ("alive") at the end of the calibration period.</summary>
    /// <param name="frequency">Repeat purchases x, 0 or more.</param>
    /// <param name="recency">Time of the last repeat purchase t_x, between 0 and <paramref name="age"/> (0 when x is 0).</param>
    /// <param name="age">Time observed T, 0 or more.</param>
    /// <returns>A probability in [0, 1].</returns>
    /// <exception cref="ArgumentException">The history is impossible (see <see cref="CustomerSummary.Create"/>).</exception>
    public double ProbabilityAlive(int frequency, double recency, double age)
    {
        CheckHistory(frequency, recency, age);
        return ProbabilityAliveCore(frequency, recency, age);
    }

    /// <summary>The expected number of purchases in the next <paramref name="horizon"/> time units of a customer with this history.</summary>
    /// <param name="frequency">Repeat purchases x, 0 or more.</param>
    /// <param name="recency">Time of the last repeat purchase t_x, between 0 and <paramref name="age"/> (0 when x is 0).</param>
    /// <param name="age">Time observed T, 0 or more.</param>
    /// <param name="horizon">The length of the prediction period, 0 or more.</param>
    /// <returns>The expected purchases, 0 or more.</returns>
    /// <exception cref="ArgumentException">The history is impossible or the horizon is negative or not finite.</exception>
    public double ExpectedPurchases(int frequency, double recency, double age, double horizon)
    {
        CheckHistory(frequency, recency, age);
        CheckHorizon(horizon);
        return ExpectedPurchasesCore(frequency, recency, age, horizon);
    }

    /// <summary>The expected number of repeat purchases in the first <paramref name="horizon"/> time units of a new customer (from the first purchase).</summary>
    /// <param name="horizon">The length of the period, 0 or more.</param>
    /// <returns>The expected repeat purchases.</returns>
    /// <exception cref="ArgumentException">The horizon is negative or not finite.</exception>
    public double ExpectedPurchasesNewCustomer(double horizon)
    {
        CheckHorizon(horizon);
        return ExpectedPurchasesNewCustomerCore(horizon);
    }

    /// <summary>The parameters, e.g. <c>BG/NBD r=0.2426 alpha=4.4136 a=0.7929 b=2.4259</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        Name + " " + string.Join(' ', Parameters.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value:0.####}")));

    internal abstract double LogLikelihoodCore(int x, double tx, double t);

    internal abstract double ProbabilityAliveCore(int x, double tx, double t);

    internal abstract double ExpectedPurchasesCore(int x, double tx, double t, double horizon);

    internal abstract double ExpectedPurchasesNewCustomerCore(double horizon);

    /// <summary>
    /// The expected purchases in the next <paramref name="horizon"/> of a customer known to be alive at
    /// age <paramref name="t"/> after x repeat purchases: it does not depend on the recency, so the
    /// report computes it once per distinct (x, T).
    /// </summary>
    internal abstract double ExpectedIfAliveCore(int x, double t, double horizon);

    internal static void CheckHistory(int frequency, double recency, double age)
    {
        if (frequency < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"frequency must be 0 or more (was {frequency})."), nameof(frequency));
        }

        if (!double.IsFinite(age) || age < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"age must be a finite number, 0 or more (was {age})."), nameof(age));
        }

        if (!double.IsFinite(recency) || recency < 0 || recency > age)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"recency must be between 0 and the age {age} (was {recency})."), nameof(recency));
        }

        if (frequency == 0 && recency != 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"recency must be 0 when frequency is 0 (was {recency})."), nameof(recency));
        }
    }

    internal static void CheckHorizon(double horizon)
    {
        if (!double.IsFinite(horizon) || horizon < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"horizon must be a finite number, 0 or more (was {horizon})."), nameof(horizon));
        }
    }

    internal static void CheckParameter(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be a finite number greater than 0 (was {value})."));
        }
    }

    internal static void CheckCanFit(CustomerBase customers, string model)
    {
        ArgumentNullException.ThrowIfNull(customers);
        if (customers.Customers.Count == 0)
        {
            throw new ArgumentException($"The customer base has no customers; {model} needs customers whose first purchase is in the calibration period.", nameof(customers));
        }

        if (customers.RepeatBuyers == 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{model} cannot be fitted: none of the {customers.Customers.Count} customers bought again in the calibration period, so the purchase rate and the drop-out are not identified; use a longer calibration period."),
                nameof(customers));
        }
    }
}
