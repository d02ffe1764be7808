using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Segmentation;

/// <summary>A repeat customer's purchase rhythm: the median interval between orders and when the next one is expected.</summary>
/// <remarks>
/// Immutable. Intervals are measured between distinct local purchase days (several orders on one
/// day are one shopping day), so only customers who bought on 3 or more distinct days get a cycle
/// (2 or more intervals).
/// </remarks>
/// <param name="Customer">The customer.</param>
/// <param name="Orders">Distinct orders in the window.</param>
/// <param name="PurchaseDays">Distinct local days with at least one order (at least 3).</param>
/// <param name="FirstPurchase">Local date of the first order.</param>
/// <param name="LastPurchase">Local date of the last order.</param>
/// <param name="MedianIntervalDays">The median of the intervals, in days, between consecutive purchase days (the mean of the middle two for an even count).</param>
/// <param name="ExpectedNextPurchase"><paramref name="LastPurchase"/> plus the median interval rounded to whole days (halves up).</param>
public sealed record PurchaseCycle(
    MemberId Customer,
    int Orders,
    int PurchaseDays,
    LocalDate FirstPurchase,
    LocalDate LastPurchase,
    decimal MedianIntervalDays,
    LocalDate ExpectedNextPurchase)
{
    /// <summary>Whole days by which the expected next purchase is late on <paramref name="date"/> (0 when not late).</summary>
    /// <param name="date">The date to check.</param>
    /// <returns>The days overdue.</returns>
    public int DaysOverdue(LocalDate date) => date > ExpectedNextPurchase ? Period.DaysBetween(ExpectedNextPurchase, date) : 0;

    /// <summary>How many purchase cycles late the customer is on <paramref name="date"/>: <see cref="DaysOverdue"/> divided by <see cref="MedianIntervalDays"/> (0 when not late).</summary>
    /// <param name="date">The date to check.</param>
    /// <returns>The cycles overdue.</returns>
    public decimal CyclesOverdue(LocalDate date) => DaysOverdue(date) / MedianIntervalDays;
}
