using System.Globalization;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Analytics;

/// <summary>
/// One customer's calibration-period summary, the input of the customer-base models: repeat
/// purchases (frequency x), the time of the last repeat purchase (recency t_x), the time observed
/// since the first purchase (age T), the mean spend per repeat purchase, and the purchases in the
/// hold-out period.
/// </summary>
/// <remarks>
/// <para>Immutable and thread-safe. Times are measured from the customer's first purchase in the
/// <see cref="CustomerBase.Unit"/> of the customer base. A purchase is a distinct purchase day
/// (the orders of one day count once, their amounts added up), as in the CDNOW literature.</para>
/// <para><c>default(CustomerSummary)</c> has no customer and is refused by
/// <see cref="CustomerBase.FromSummaries"/>; create values with <see cref="Create"/>.</para>
/// </remarks>
public readonly record struct CustomerSummary
{
    private CustomerSummary(MemberId customer, int frequency, double recency, double age, double meanRepeatSpend, int holdoutFrequency)
    {
        Customer = customer;
        Frequency = frequency;
        Recency = recency;
        Age = age;
        MeanRepeatSpend = meanRepeatSpend;
        HoldoutFrequency = holdoutFrequency;
    }

    /// <summary>The customer.</summary>
    public MemberId Customer { get; }

    /// <summary>Repeat purchases in the calibration period (purchase days after the first), x.</summary>
    public int Frequency { get; }

    /// <summary>Time from the first purchase to the last repeat purchase, t_x (0 when <see cref="Frequency"/> is 0).</summary>
    public double Recency { get; }

    /// <summary>Time from the first purchase to the end of the calibration period, T.</summary>
    public double Age { get; }

    /// <summary>Mean spend per repeat purchase day in the calibration period (0 when <see cref="Frequency"/> is 0); the first purchase is left out, as in the Gamma-Gamma literature.</summary>
    public double MeanRepeatSpend { get; }

    /// <summary>Purchase days in the hold-out period (0 without a hold-out period).</summary>
    public int HoldoutFrequency { get; }

    /// <summary>Whether the customer bought again after the first purchase day in the calibration period.</summary>
    public bool IsRepeatBuyer => Frequency > 0;

    /// <summary>Creates a summary, checking that the numbers describe a possible history.</summary>
    /// <param name="customer">The customer; must not be <c>default</c>.</param>
    /// <param name="frequency">Repeat purchases, 0 or more.</param>
    /// <param name="recency">Time of the last repeat purchase since the first, between 0 and <paramref name="age"/>; 0 when <paramref name="frequency"/> is 0.</param>
    /// <param name="age">Time observed since the first purchase, 0 or more.</param>
    /// <param name="meanRepeatSpend">Mean spend per repeat purchase, 0 or more; 0 when <paramref name="frequency"/> is 0.</param>
    /// <param name="holdoutFrequency">Purchases in the hold-out period, 0 or more.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="ArgumentException">A value is out of range or the values contradict each other; the message names the customer and the value.</exception>
    public static CustomerSummary Create(MemberId customer, int frequency, double recency, double age, double meanRepeatSpend = 0, int holdoutFrequency = 0)
    {
        if (customer.IsDefault)
        {
            throw new ArgumentException("customer must not be default(MemberId); create one with MemberId.From(...).", nameof(customer));
        }

        if (frequency < 0)
        {
            throw new ArgumentException(Invariant($"frequency of customer {customer} must be 0 or more (was {frequency})."), nameof(frequency));
        }

        if (!double.IsFinite(age) || age < 0)
        {
            throw new ArgumentException(Invariant($"age of customer {customer} must be a finite number, 0 or more (was {age})."), nameof(age));
        }

        if (!double.IsFinite(recency) || recency < 0 || recency > age)
        {
            throw new ArgumentException(Invariant($"recency of customer {customer} must be between 0 and the age {age} (was {recency}): the last repeat purchase cannot be after the end of the calibration period."), nameof(recency));
        }

        if (frequency == 0 && recency != 0)
        {
            throw new ArgumentException(Invariant($"recency of customer {customer} must be 0 when frequency is 0 (was {recency}): a customer without repeat purchases has no last repeat purchase."), nameof(recency));
        }

        if (!double.IsFinite(meanRepeatSpend) || meanRepeatSpend < 0)
        {
            throw new ArgumentException(Invariant($"meanRepeatSpend of customer {customer} must be a finite number, 0 or more (was {meanRepeatSpend})."), nameof(meanRepeatSpend));
        }

        if (frequency == 0 && meanRepeatSpend != 0)
        {
            throw new ArgumentException(Invariant($"meanRepeatSpend of customer {customer} must be 0 when frequency is 0 (was {meanRepeatSpend}): the mean is taken over repeat purchases only."), nameof(meanRepeatSpend));
        }

        if (holdoutFrequency < 0)
        {
            throw new ArgumentException(Invariant($"holdoutFrequency of customer {customer} must be 0 or more (was {holdoutFrequency})."), nameof(holdoutFrequency));
        }

        return new CustomerSummary(customer, frequency, recency, age, meanRepeatSpend, holdoutFrequency);
    }

    /// <summary>A readable form, e.g. <c>42: x=2, t_x=30.43, T=38.86, mean repeat spend 27.34, hold-out 1</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        Invariant($"{Customer}: x={Frequency}, t_x={Recency:0.##}, T={Age:0.##}, mean repeat spend {MeanRepeatSpend:0.##}, hold-out {HoldoutFrequency}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
