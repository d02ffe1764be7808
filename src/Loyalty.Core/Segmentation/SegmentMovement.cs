using Loyalty.Core.Primitives;

namespace Loyalty.Core.Segmentation;

/// <summary>A customer whose segment changed between two runs, e.g. from Loyal to At Risk.</summary>
/// <remarks>Immutable.</remarks>
/// <param name="Customer">The customer.</param>
/// <param name="From">The segment in the earlier run, or null when the customer was not in it (a new customer).</param>
/// <param name="To">The segment in the later run, or null when the customer is no longer in it (no purchase left in the window).</param>
public sealed record SegmentMovement(MemberId Customer, string? From, string? To);
