using NodaTime;

namespace Loyalty.Core.Segmentation;

/// <summary>Purchase cycles of every repeat customer, and who is overdue.</summary>
/// <remarks>Immutable and thread-safe; cycles are ordered by customer id.</remarks>
public sealed class PurchaseCycleReport
{
    internal PurchaseCycleReport(LocalDate asOfDate, PurchaseCycle[] cycles, int customersWithTooFewPurchaseDays)
    {
        AsOfDate = asOfDate;
        Cycles = cycles;
        CustomersWithTooFewPurchaseDays = customersWithTooFewPurchaseDays;
    }

    /// <summary>The fewest distinct purchase days a customer needs for a cycle: 3.</summary>
    public const int MinimumPurchaseDays = 3;

    /// <summary>The as-of date (local) of the analysis.</summary>
    public LocalDate AsOfDate { get; }

    /// <summary>One cycle per customer with at least <see cref="MinimumPurchaseDays"/> distinct purchase days.</summary>
    public IReadOnlyList<PurchaseCycle> Cycles { get; }

    /// <summary>Customers left out because they bought on fewer than <see cref="MinimumPurchaseDays"/> distinct days.</summary>
    public int CustomersWithTooFewPurchaseDays { get; }

    /// <summary>
    /// The customers whose expected next purchase date is before <paramref name="date"/> (they have
    /// not bought since their last order), most overdue first, then by customer id.
    /// </summary>
    /// <param name="date">The date to check, usually <see cref="AsOfDate"/>.</param>
    /// <returns>The overdue cycles.</returns>
    public IReadOnlyList<PurchaseCycle> OverdueOn(LocalDate date) =>
        Cycles.Where(c => c.ExpectedNextPurchase < date)
            .OrderBy(c => c.ExpectedNextPurchase)
            .ThenBy(c => c.Customer)
            .ToArray();

    /// <summary>
    /// The relaunch list: the customers overdue on <paramref name="date"/> (as for <see cref="OverdueOn(LocalDate)"/>)
    /// who are late by at most <paramref name="maximum"/>; those later than that are in <see cref="LapsedOn"/>.
    /// Most overdue first, then by customer id.
    /// </summary>
    /// <param name="date">The date to check, usually <see cref="AsOfDate"/>.</param>
    /// <param name="maximum">The most a customer may be late, in days or in their own purchase cycles.</param>
    /// <returns>The overdue cycles within the maximum.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="maximum"/> is null.</exception>
    public IReadOnlyList<PurchaseCycle> OverdueOn(LocalDate date, Lateness maximum)
    {
        ArgumentNullException.ThrowIfNull(maximum);
        return OverdueOn(date).Where(c => maximum.Allows(c, date)).ToArray();
    }

    /// <summary>
    /// The win-back list: the customers late on <paramref name="date"/> by more than <paramref name="maximum"/>
    /// (the complement of <see cref="OverdueOn(LocalDate, Lateness)"/> among the overdue). Most overdue first, then by customer id.
    /// </summary>
    /// <param name="date">The date to check, usually <see cref="AsOfDate"/>.</param>
    /// <param name="maximum">The most a customer may be late and still be relaunched.</param>
    /// <returns>The lapsed cycles.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="maximum"/> is null.</exception>
    public IReadOnlyList<PurchaseCycle> LapsedOn(LocalDate date, Lateness maximum)
    {
        ArgumentNullException.ThrowIfNull(maximum);
        return OverdueOn(date).Where(c => !maximum.Allows(c, date)).ToArray();
    }
}
