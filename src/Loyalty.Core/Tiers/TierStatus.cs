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
        get => (present & 1) != 0 ? validUntilValue : null;
        init => Set(ref validUntilValue, 1, value);
    }

    /// <summary>When the member is in grace, the end of grace (exclusive); null otherwise.</summary>
    public Instant? GraceUntil
    {
        get => (present & 2) != 0 ? graceUntilValue : null;
        init => Set(ref graceUntilValue, 2, value);
    }

    /// <summary>The tier earned by qualification alone.</summary>
    public required TierId AutomaticTier { get; init; }

    /// <summary>Since when the member holds <see cref="AutomaticTier"/>.</summary>
    public required Instant AutomaticSince { get; init; }

    /// <summary>Until when <see cref="AutomaticTier"/> holds (exclusive); null when it never ends.</summary>
    public Instant? AutomaticValidUntil
    {
        get => (present & 4) != 0 ? automaticValidUntilValue : null;
        init => Set(ref automaticValidUntilValue, 4, value);
    }

    /// <summary>
    /// The last upgrade or extension of validity that a refund in the same window may still undo;
    /// null when there is none.
    /// </summary>
    public Instant? LastQualifiedAt
    {
        get => (present & 8) != 0 ? lastQualifiedAtValue : null;
        init => Set(ref lastQualifiedAtValue, 8, value);
    }

    /// <summary>
    /// When <see cref="LastQualifiedAt"/> extended the validity of the same tier, the validity before
    /// that extension; null when it was an upgrade.
    /// </summary>
    public Instant? ValidUntilBeforeLastQualification
    {
        get => (present & 16) != 0 ? validUntilBeforeLastQualificationValue : null;
        init => Set(ref validUntilBeforeLastQualificationValue, 16, value);
    }

    /// <summary>The automatic tier held before the last upgrade, restored if a refund revokes the upgrade.</summary>
    public TierId? FallbackTier
    {
        get => (present & 64) != 0 ? fallbackTierValue : null;
        init
        {
            fallbackTierValue = value ?? default;
            present = value is null ? (byte)(present & ~64) : (byte)(present | 64);
        }
    }

    /// <summary>Until when <see cref="FallbackTier"/> would have held.</summary>
    public Instant? FallbackValidUntil
    {
        get => (present & 32) != 0 ? fallbackValidUntilValue : null;
        init => Set(ref fallbackValidUntilValue, 32, value);
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

    private void Set(ref Instant field, byte bit, Instant? value)
    {
        if (value is { } v)
        {
            field = v;
            present |= bit;
        }
        else
        {
            field = default;
            present &= (byte)~bit;
        }
    }
}
