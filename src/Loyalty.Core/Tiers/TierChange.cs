using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Tiers;

/// <summary>A change of the tier a member holds, with its reason.</summary>
/// <param name="At">When it happened.</param>
/// <param name="From">The tier before.</param>
/// <param name="To">The tier after.</param>
/// <param name="Reason">Why.</param>
public readonly record struct TierChange(Instant At, TierId From, TierId To, TierChangeReason Reason);
