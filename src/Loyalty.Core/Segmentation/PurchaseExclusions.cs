namespace Loyalty.Core.Segmentation;

/// <summary>Purchases left out of a run on purpose, counted so that nothing is dropped silently.</summary>
/// <remarks>Immutable.</remarks>
/// <param name="AfterAsOf">Purchases placed after the as-of instant (they belong to a later run).</param>
/// <param name="BeforeWindow">Purchases placed before the window start.</param>
public sealed record PurchaseExclusions(long AfterAsOf, long BeforeWindow)
{
    /// <summary>No purchase excluded.</summary>
    public static PurchaseExclusions None { get; } = new(0, 0);

    /// <summary>All excluded purchases.</summary>
    public long Total => AfterAsOf + BeforeWindow;
}
