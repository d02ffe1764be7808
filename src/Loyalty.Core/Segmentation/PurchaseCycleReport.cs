using NodaTime;

namespace Loyalty.Core.Segmentation;

/// <summary>Purchase cycles of every repeat customer, and who is overdue.</summary>
/// <remarks>Immutable and thread-safe; cycles are ordered by customer id.</remarks>
public sealed class PurchaseCycleReport
{
    internal PurchaseCycleReport(LocalDate asOfDate, PurchaseCycle[] cycles, int customersWithTooFewOrders)
    {
        AsOfDate = asOfDate;
        Cycles = cycles;
        CustomersWithTooFewOrders = customersWithTooFewOrders;
    }

    /// <summary>The fewest distinct orders a customer needs for a cycle: 3.</summary>
    public const int MinimumOrders = 3;

    /// <summary>The as-of date (local) of the analysis.</summary>
    public LocalDate AsOfDate { get; }

    /// <summary>One cycle per customer with at least <see cref="MinimumOrders"/> distinct orders.</summary>
    public IReadOnlyList<PurchaseCycle> Cycles { get; }

    /// <summary>Customers left out because they have fewer than <see cref="MinimumOrders"/> distinct orders.</summary>
    public int CustomersWithTooFewOrders { get; }

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
}
