using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.Engagement;

/// <summary>
/// What the planner knows of one member: the state nightly maintenance and segmentation leave
/// (balance, expiry schedule, tier outlook, purchase cycle, segment), recent orders, the consent log and
/// the recent contact history. Precomputed, so that planning is a pure pass over members.
/// </summary>
/// <remarks>Immutable once built. <see cref="EngagementService"/> builds it from the stores; a shop with its own nightly tables may build it directly.</remarks>
public sealed record EngagementMember
{
    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>When the member enrolled (day 0 of the welcome series).</summary>
    public required Instant EnrolledAt { get; init; }

    /// <summary>The member's time zone, or null for the programme's: calendar-day caps, quiet hours, birthdays and welcome days are computed in it.</summary>
    public DateTimeZone? TimeZone { get; init; }

    /// <summary>The member's birth date, if given.</summary>
    public LocalDate? BirthDate { get; init; }

    /// <summary>The points the member can spend now.</summary>
    public Points AvailablePoints { get; init; }

    /// <summary>Points expiring soon, per local date (the ledger's expiry schedule), earliest first.</summary>
    public IReadOnlyList<ExpiringPoints> ExpiringSoon { get; init; } = [];

    /// <summary>The member's tier outlook, or null when unknown.</summary>
    public EngagementTierState? Tier { get; init; }

    /// <summary>The member's purchase cycle (<see cref="RfmpSegmenter.PurchaseCycles"/>), or null for a member with too few purchase days.</summary>
    public PurchaseCycle? PurchaseCycle { get; init; }

    /// <summary>The member's current segment (a name of the segment map), or null.</summary>
    public string? Segment { get; init; }

    /// <summary>The local date the member was first seen in <see cref="Segment"/> (after being in another one), or null when not known to have moved.</summary>
    public LocalDate? SegmentEnteredOn { get; init; }

    /// <summary>The member's recent orders (those that may still earn a review invitation).</summary>
    public IReadOnlyList<RecentOrder> RecentOrders { get; init; } = [];

    /// <summary>The member's consent log (every record, any order): the latest at or before the planning instant decides per channel.</summary>
    public IReadOnlyList<ConsentRecord> Consents { get; init; } = [];

    /// <summary>What was sent to the member within the contact history window (<see cref="EngagementOptions.ContactHistoryDays"/>).</summary>
    public IReadOnlyList<ContactRecord> Contacts { get; init; } = [];

    /// <summary>Messages the shop asks to send (usually transactional, e.g. a points statement the member asked for).</summary>
    public IReadOnlyList<RequestedMessage> Requested { get; init; } = [];
}

/// <summary>An order the member placed, for the review invitation.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="PlacedAt">When it was placed.</param>
public readonly record struct RecentOrder(OrderId OrderId, Instant PlacedAt);

/// <summary>A message the shop asks the planner to place (a receipt, a statement the member asked for, a campaign of its own).</summary>
/// <param name="MessageId">The shop's id for it, 1 to 512 characters; recorded sends with this id stop it being planned again.</param>
/// <param name="MessageType">The message type (template).</param>
/// <param name="Channel">The channel.</param>
/// <param name="Category">Transactional (exempt from caps and quiet hours, needs no marketing consent) or marketing.</param>
/// <param name="Weight">The weight, 1 to 1,000, for a marketing message.</param>
/// <param name="At">When the shop wants it sent.</param>
/// <param name="Facts">What the template needs.</param>
public sealed record RequestedMessage(string MessageId, string MessageType, EngagementChannel Channel, MessageCategory Category, int Weight, Instant At, MessageFacts? Facts = null);

/// <summary>A member's tier outlook, as the tier evaluator reports it (<see cref="From(TierEvaluation)"/>).</summary>
/// <remarks>Immutable.</remarks>
public sealed record EngagementTierState
{
    /// <summary>The tier the member holds.</summary>
    public required TierId Current { get; init; }

    /// <summary>The tier above, or null at the top.</summary>
    public TierId? Next { get; init; }

    /// <summary>How the next tier's thresholds combine.</summary>
    public ThresholdCombination Combination { get; init; }

    /// <summary>Progress on each threshold of the next tier; empty at the top.</summary>
    public IReadOnlyList<ThresholdProgress> ToNext { get; init; } = [];

    /// <summary>The tier the member drops to at <see cref="DowngradeAt"/> unless they requalify, or null when no downgrade is projected.</summary>
    public TierId? DowngradeTo { get; init; }

    /// <summary>When the status ends (the projected downgrade), or null.</summary>
    public Instant? DowngradeAt { get; init; }

    /// <summary>The outlook of an evaluation: current and next tier, progress, projected downgrade.</summary>
    /// <param name="evaluation">The member's evaluation as of the planning instant.</param>
    /// <returns>The outlook.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="evaluation"/> is null.</exception>
    public static EngagementTierState From(TierEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var next = evaluation.NextTierProgress;
        return new EngagementTierState
        {
            Current = evaluation.Tier.Id,
            Next = next?.Tier.Id,
            Combination = next?.Combination ?? ThresholdCombination.AllOf,
            ToNext = next?.Thresholds ?? [],
            DowngradeTo = evaluation.DowngradeWarning ? evaluation.ProjectedTier.Id : null,
            DowngradeAt = evaluation.DowngradeWarning ? evaluation.ValidUntil ?? evaluation.ProjectedAt : null,
        };
    }
}

/// <summary>
/// The facts a message's template needs: the points expiring and when, the tier, the reward, the order…
/// Only the fields that make sense for the trigger are set.
/// </summary>
/// <remarks>Immutable.</remarks>
public sealed record MessageFacts
{
    /// <summary>Points: expiring (points expiring), the balance (affordable reward), still needed (close to next tier, points threshold).</summary>
    public Points? Points { get; init; }

    /// <summary>A local date: the first expiry date, the birthday, the expected purchase, the last purchase, the segment entry.</summary>
    public LocalDate? Date { get; init; }

    /// <summary>A deadline: when the points expire, when the status ends.</summary>
    public Instant? Deadline { get; init; }

    /// <summary>The member's tier.</summary>
    public TierId? Tier { get; init; }

    /// <summary>The tier aimed at (next tier) or dropped to (downgrade).</summary>
    public TierId? TargetTier { get; init; }

    /// <summary>The threshold the member is close to, and what is still needed on it.</summary>
    public ThresholdProgress? Threshold { get; init; }

    /// <summary>The reward.</summary>
    public Rewards.RewardId? Reward { get; init; }

    /// <summary>The reward's name.</summary>
    public string? RewardName { get; init; }

    /// <summary>The order (review invitation).</summary>
    public OrderId? Order { get; init; }

    /// <summary>The segment (win-back).</summary>
    public string? Segment { get; init; }

    /// <summary>The step (welcome day).</summary>
    public int? Step { get; init; }

    /// <summary>Days late for the expected purchase (relaunch, lapsed win-back).</summary>
    public int? DaysLate { get; init; }
}
