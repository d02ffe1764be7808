using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Segmentation;

/// <summary>A repeat customer's purchase rhythm: the median interval between orders and when the next one is expected.</summary>
/// <remarks>Immutable. Only customers with 3 or more distinct orders get a cycle (2 or more intervals).</remarks>
/// <param name="Customer">The customer.</param>
/// <param name="Orders">Distinct orders up to the as-of instant (at least 3).</param>
/// <param name="FirstPurchase">Local date of the first order.</param>
/// <param name="LastPurchase">Local date of the last order.</param>
/// <param name="MedianIntervalDays">The median of the local-day intervals between consecutive orders (the mean of the middle two for an even count).</param>
/// <param name="ExpectedNextPurchase"><paramref name="LastPurchase"/> plus the median interval rounded to whole days (halves up).</param>
public sealed record PurchaseCycle(
    MemberId Customer,
    int Orders,
    LocalDate FirstPurchase,
    LocalDate LastPurchase,
    decimal MedianIntervalDays,
    LocalDate ExpectedNextPurchase)
{
    /// <summary>Whole days by which the expected next purchase is late on <paramref name="date"/> (0 when not late).</summary>
    /// <param name="date">The date to check.</param>
    /// <returns>The days overdue.</returns>
    public int DaysOverdue(LocalDate date) => date > ExpectedNextPurchase ? Period.DaysBetween(ExpectedNextPurchase, date) : 0;
}
