namespace Loyalty.Core.Analytics;

/// <summary>
/// Customers sharing one (frequency, recency, age) triple: the likelihoods and the scores are
/// computed once per group.
/// </summary>
/// <param name="Frequency">Repeat purchases, x.</param>
/// <param name="Recency">Time of the last repeat purchase, t_x.</param>
/// <param name="Age">Time observed, T.</param>
/// <param name="Count">Customers in the group.</param>
public readonly record struct FrequencyRecencyGroup(int Frequency, double Recency, double Age, int Count);
