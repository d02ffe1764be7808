using System.Globalization;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Analytics;

/// <summary>One customer's line of the lifetime-value report.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
/// <param name="Rank">1 for the most valuable customer; ties keep the customer base's order.</param>
/// <param name="Customer">The customer.</param>
/// <param name="Frequency">Repeat purchases in the calibration period, x.</param>
/// <param name="Recency">Time of the last repeat purchase, t_x.</param>
/// <param name="Age">Time observed, T.</param>
/// <param name="ProbabilityAlive">The probability the customer is still active at the end of the calibration period.</param>
/// <param name="ExpectedPurchases">The expected purchases over the horizon.</param>
/// <param name="ExpectedAverageSpend">The expected spend per purchase (Gamma-Gamma).</param>
/// <param name="Value">The discounted lifetime value over the horizon, after the margin.</param>
/// <param name="HoldoutFrequency">Purchases observed in the hold-out period (0 without one), to compare with the predictions.</param>
public readonly record struct CustomerValue(
    int Rank,
    MemberId Customer,
    int Frequency,
    double Recency,
    double Age,
    double ProbabilityAlive,
    double ExpectedPurchases,
    double ExpectedAverageSpend,
    double Value,
    int HoldoutFrequency)
{
    /// <summary>A readable form, e.g. <c>#1 4711: value 812.40, P(alive) 0.97, 7.10 purchases × 114.40</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"#{Rank} {Customer}: value {Value:F2}, P(alive) {ProbabilityAlive:F2}, {ExpectedPurchases:F2} purchases × {ExpectedAverageSpend:F2}");
}
