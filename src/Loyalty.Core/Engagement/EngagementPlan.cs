using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Engagement;

/// <summary>A message the planner placed: who, what, on which channel, when, and the facts its template needs.</summary>
/// <remarks>Immutable.</remarks>
public sealed record PlannedMessage
{
    /// <summary>The message's id, derived from the member, the trigger and its occasion (e.g. <c>m-42/points-expiring/2026-03-31</c>): the same message gets the same id in every run. Record the send under it.</summary>
    public required string MessageId { get; init; }

    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>What triggered it.</summary>
    public required EngagementTrigger Trigger { get; init; }

    /// <summary>The message type (template).</summary>
    public required string MessageType { get; init; }

    /// <summary>Marketing or transactional.</summary>
    public required MessageCategory Category { get; init; }

    /// <summary>The channel.</summary>
    public required EngagementChannel Channel { get; init; }

    /// <summary>The weight.</summary>
    public required int Weight { get; init; }

    /// <summary>When to send it.</summary>
    public required Instant SendAt { get; init; }

    /// <summary>When the trigger wanted it sent (the planning instant, or the occasion's start when later).</summary>
    public required Instant WantedAt { get; init; }

    /// <summary>How <see cref="SendAt"/> was moved from <see cref="WantedAt"/>.</summary>
    public PlanAdjustments Adjustments { get; init; }

    /// <summary>The cap that deferred it, when <see cref="PlanAdjustments.DeferredByCap"/>.</summary>
    public string? DeferredBy { get; init; }

    /// <summary>The facts the template needs.</summary>
    public required MessageFacts Facts { get; init; }

    /// <summary>Why it is sent when it is, in words (e.g. "moved out of quiet hours 21:00–08:00").</summary>
    public string? Note { get; init; }
}

/// <summary>A candidate the planner did not place, and why.</summary>
/// <remarks>Immutable.</remarks>
public sealed record HeldMessage
{
    /// <summary>The message's id (the same a placed message would have had).</summary>
    public required string MessageId { get; init; }

    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>What triggered it.</summary>
    public required EngagementTrigger Trigger { get; init; }

    /// <summary>The message type (template).</summary>
    public required string MessageType { get; init; }

    /// <summary>The weight.</summary>
    public required int Weight { get; init; }

    /// <summary>The channel it would have gone on, or null when no channel had consent.</summary>
    public EngagementChannel? Channel { get; init; }

    /// <summary>Why it is held.</summary>
    public required HoldReason Reason { get; init; }

    /// <summary>The cap that held it (<see cref="HoldReason.Capped"/>, <see cref="HoldReason.Superseded"/>).</summary>
    public string? Rule { get; init; }

    /// <summary>The heavier planned messages that took the room (<see cref="HoldReason.Superseded"/>).</summary>
    public IReadOnlyList<string> SupersededBy { get; init; } = [];

    /// <summary>The reason in words, e.g. "capped by rule 'email-weekly' (3 per 7 calendar days) until 2026-03-31T08:00:00Z".</summary>
    public required string Explanation { get; init; }

    /// <summary>The facts the template would have had.</summary>
    public required MessageFacts Facts { get; init; }
}

/// <summary>
/// The plan of one run: the messages to send, with their instant and channel, and every candidate held back
/// with its reason. Deterministic for an instant and the same inputs.
/// </summary>
/// <remarks>Immutable. Messages are in member order (the input's, or page order), then by sending instant, weight (heaviest first) and id.</remarks>
public sealed class EngagementPlan
{
    internal EngagementPlan(Instant asOf, IReadOnlyList<PlannedMessage> messages, IReadOnlyList<HeldMessage> held, long members)
    {
        AsOf = asOf;
        Messages = messages;
        Held = held;
        MembersPlanned = members;
    }

    /// <summary>The planning instant.</summary>
    public Instant AsOf { get; }

    /// <summary>The messages to send.</summary>
    public IReadOnlyList<PlannedMessage> Messages { get; }

    /// <summary>Every candidate not sent, with its reason.</summary>
    public IReadOnlyList<HeldMessage> Held { get; }

    /// <summary>The members planned.</summary>
    public long MembersPlanned { get; }

    /// <summary>The messages due before <paramref name="until"/> (exclusive): what to send before the next planning run; later ones are planned again then.</summary>
    /// <param name="until">The next run's instant.</param>
    /// <returns>The messages, in plan order.</returns>
    public IReadOnlyList<PlannedMessage> DueBefore(Instant until) => Messages.Where(m => m.SendAt < until).ToArray();

    /// <summary>One member's messages and held candidates.</summary>
    /// <param name="memberId">The member.</param>
    /// <returns>The member's part of the plan.</returns>
    public (IReadOnlyList<PlannedMessage> Messages, IReadOnlyList<HeldMessage> Held) ForMember(MemberId memberId) =>
        (Messages.Where(m => m.MemberId == memberId).ToArray(), Held.Where(h => h.MemberId == memberId).ToArray());
}
