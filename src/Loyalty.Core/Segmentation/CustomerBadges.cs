namespace Loyalty.Core.Segmentation;

/// <summary>
/// Badges set from the monetary (M) and product (P) scores, shown next to the R×F segment.
/// </summary>
/// <remarks>
/// With <c>k</c> scores, a score above <c>k - k/2</c> (integer division) is "high" and a score
/// of at most <c>k/2</c> is "low"; with the default <c>k = 5</c>: 4–5 high, 1–2 low, 3 neither.
/// When no customer of a run has any product category (the purchases carry none), nobody gets
/// <see cref="BroadBuyer"/> or <see cref="NarrowBuyer"/>: breadth is unknown, not narrow.
/// </remarks>
[Flags]
public enum CustomerBadges
{
    /// <summary>No badge: the M and P scores are both in the middle band.</summary>
    None = 0,

    /// <summary>High M score: among the customers who spend the most.</summary>
    HighValue = 1,

    /// <summary>Low M score: among the customers who spend the least.</summary>
    LowValue = 2,

    /// <summary>High P score: buys across many product categories.</summary>
    BroadBuyer = 4,

    /// <summary>Low P score: buys in few product categories.</summary>
    NarrowBuyer = 8,
}
