using Loyalty.Core.Internal;
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
    public Instant? ValidUntil
    {
        get => PresenceBits.Get(validUntilValue, present, 1);
        init => PresenceBits.Set(ref validUntilValue, ref present, 1, value);
    }

    /// <summary>When the member is in grace, the end of grace (exclusive); null otherwise.</summary>
    public Instant? GraceUntil
    {
        get => PresenceBits.Get(graceUntilValue, present, 2);
        init => PresenceBits.Set(ref graceUntilValue, ref present, 2, value);
    }

    /// <summary>The tier earned by qualification alone.</summary>
    public required TierId AutomaticTier { get; init; }

    /// <summary>Since when the member holds <see cref="AutomaticTier"/>.</summary>
    public required Instant AutomaticSince { get; init; }

    /// <summary>Until when <see cref="AutomaticTier"/> holds (exclusive); null when it never ends.</summary>
    public Instant? AutomaticValidUntil
    {
        get => PresenceBits.Get(automaticValidUntilValue, present, 4);
        init => PresenceBits.Set(ref automaticValidUntilValue, ref present, 4, value);
    }

    /// <summary>
    /// The last upgrade or extension of validity that a refund in the same window may still undo;
    /// null when there is none.
    /// </summary>
    public Instant? LastQualifiedAt
    {
        get => PresenceBits.Get(lastQualifiedAtValue, present, 8);
        init => PresenceBits.Set(ref lastQualifiedAtValue, ref present, 8, value);
    }

    /// <summary>
    /// When <see cref="LastQualifiedAt"/> extended the validity of the same tier, the validity before
    /// that extension; null when it was an upgrade.
    /// </summary>
    public Instant? ValidUntilBeforeLastQualification
    {
        get => PresenceBits.Get(validUntilBeforeLastQualificationValue, present, 16);
        init => PresenceBits.Set(ref validUntilBeforeLastQualificationValue, ref present, 16, value);
    }

    /// <summary>The automatic tier held before the last upgrade, restored if a refund revokes the upgrade.</summary>
    public TierId? FallbackTier
    {
        get => PresenceBits.Get(fallbackTierValue, present, 64);
        init => PresenceBits.Set(ref fallbackTierValue, ref present, 64, value);
    }

    /// <summary>Until when <see cref="FallbackTier"/> would have held.</summary>
    public Instant? FallbackValidUntil
    {
        get => PresenceBits.Get(fallbackValidUntilValue, present, 32);
        init => PresenceBits.Set(ref fallbackValidUntilValue, ref present, 32, value);
    }

    /// <summary>The instant this status was evaluated as of.</summary>
    public required Instant EvaluatedAt { get; init; }

    // Optional instants (and the fallback tier) are kept as plain values plus one presence bit each (a
    // nullable instant takes 24 bytes, a plain one 16): a smaller status for every evaluated member.
    private Instant validUntilValue;
    private Instant graceUntilValue;
    private Instant automaticValidUntilValue;
    private Instant lastQualifiedAtValue;
    private Instant validUntilBeforeLastQualificationValue;
    private Instant fallbackValidUntilValue;
    private TierId fallbackTierValue;
    private byte present;

}
