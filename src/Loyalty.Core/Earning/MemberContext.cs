using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Earning;

/// <summary>What the engine knows about the member when it evaluates an order or an activity.</summary>
/// <remarks>
/// Immutable and thread-safe. <see cref="Default"/> is a member with no tier, no earlier order
/// and no segment.
/// </remarks>
public sealed class MemberContext
{
    private static readonly string[] NoSegments = [];

    /// <summary>Creates a member context.</summary>
    /// <param name="tier">The member's current tier, or null.</param>
    /// <param name="tierEarnMultiplier">The tier's earn multiplier (from the tier benefits), 0 or greater; 1 when none.</param>
    /// <param name="previousOrderCount">How many orders the member placed before this one, 0 or greater.</param>
    /// <param name="firstOrderAt">When the member's first order was placed, or null.</param>
    /// <param name="enrolledAt">When the member joined, or null.</param>
    /// <param name="birthday">The member's birthday (month and day), or null.</param>
    /// <param name="segments">The member's segment labels, or null for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">A number is negative, or <paramref name="tierEarnMultiplier"/> is above <see cref="EarningLimits.MaxMultiplier"/>.</exception>
    public MemberContext(
        TierId? tier = null,
        decimal tierEarnMultiplier = 1m,
        int previousOrderCount = 0,
        Instant? firstOrderAt = null,
        Instant? enrolledAt = null,
        AnnualDate? birthday = null,
        IReadOnlyList<string>? segments = null)
    {
        if (tierEarnMultiplier < 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(tierEarnMultiplier), tierEarnMultiplier, $"tierEarnMultiplier must be 0 or greater (was {tierEarnMultiplier}); use 1 for no multiplier.");
        }

        if (tierEarnMultiplier > EarningLimits.MaxMultiplier)
        {
            throw new ArgumentOutOfRangeException(nameof(tierEarnMultiplier), tierEarnMultiplier, $"tierEarnMultiplier must be at most {EarningLimits.MaxMultiplier} (was {tierEarnMultiplier}).");
        }

        if (previousOrderCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(previousOrderCount), previousOrderCount, $"previousOrderCount must be 0 or greater (was {previousOrderCount}).");
        }

        Tier = tier;
        TierEarnMultiplier = tierEarnMultiplier;
        PreviousOrderCount = previousOrderCount;
        FirstOrderAt = firstOrderAt;
        EnrolledAt = enrolledAt;
        Birthday = birthday;
        Segments = segments ?? NoSegments;
    }

    /// <summary>A member with no tier, no earlier order and no segment.</summary>
    public static MemberContext Default { get; } = new();

    /// <summary>The member's current tier, or null.</summary>
    public TierId? Tier { get; }

    /// <summary>The tier's earn multiplier; 1 when none.</summary>
    public decimal TierEarnMultiplier { get; }

    /// <summary>How many orders the member placed before this one.</summary>
    public int PreviousOrderCount { get; }

    /// <summary>When the member's first order was placed, or null.</summary>
    public Instant? FirstOrderAt { get; }

    /// <summary>When the member joined, or null.</summary>
    public Instant? EnrolledAt { get; }

    /// <summary>The member's birthday, or null.</summary>
    public AnnualDate? Birthday { get; }

    /// <summary>The member's segment labels (never null).</summary>
    public IReadOnlyList<string> Segments { get; }
}
