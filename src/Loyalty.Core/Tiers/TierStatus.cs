using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Tiers;

/// <summary>
/// A member's tier status after an evaluation: a plain record the facade persists and passes
/// back as <see cref="TierMember.PriorStatus"/> for the next evaluation.
/// </summary>
/// <remarks>
/// Immutable. The first group of properties is what a member sees; the <c>Automatic…</c> and
/// <c>Fallback…</c> properties carry the state the evaluator needs to continue (the tier earned by
/// qualification, beneath any manual assignment).
/// </remarks>
public sealed record TierStatus
{
    /// <summary>The tier the member holds (automatic or manual, whichever is higher).</summary>
    public required TierId Tier { get; init; }

    /// <summary>Since when the member holds <see cref="Tier"/>.</summary>
    public required Instant Since { get; init; }

    /// <summary>Until when <see cref="Tier"/> holds without requalification (exclusive); null when it never ends.</summary>
    public Instant? ValidUntil { get; init; }

    /// <summary>When the member is in grace, the end of grace (exclusive); null otherwise.</summary>
    public Instant? GraceUntil { get; init; }

    /// <summary>The tier earned by qualification alone.</summary>
    public required TierId AutomaticTier { get; init; }

    /// <summary>Since when the member holds <see cref="AutomaticTier"/>.</summary>
    public required Instant AutomaticSince { get; init; }

    /// <summary>Until when <see cref="AutomaticTier"/> holds (exclusive); null when it never ends.</summary>
    public Instant? AutomaticValidUntil { get; init; }

    /// <summary>
    /// The last upgrade or extension of validity that a refund in the same window may still undo;
    /// null when there is none.
    /// </summary>
    public Instant? LastQualifiedAt { get; init; }

    /// <summary>
    /// When <see cref="LastQualifiedAt"/> extended the validity of the same tier, the validity before
    /// that extension; null when it was an upgrade.
    /// </summary>
    public Instant? ValidUntilBeforeLastQualification { get; init; }

    /// <summary>The automatic tier held before the last upgrade, restored if a refund revokes the upgrade.</summary>
    public TierId? FallbackTier { get; init; }

    /// <summary>Until when <see cref="FallbackTier"/> would have held.</summary>
    public Instant? FallbackValidUntil { get; init; }

    /// <summary>The instant this status was evaluated as of.</summary>
    public required Instant EvaluatedAt { get; init; }
}
