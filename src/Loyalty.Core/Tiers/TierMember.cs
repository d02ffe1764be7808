using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Tiers;

/// <summary>What the evaluator needs about one member.</summary>
/// <remarks>Immutable. History may be in any order and may contain entries after the evaluation instant (they are ignored).</remarks>
public sealed record TierMember
{
    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>When the member joined: the start of the entry tier and of anniversary years.</summary>
    public required Instant EnrolledAt { get; init; }

    /// <summary>The qualification history: dated amounts, negative for refunds.</summary>
    public ReadOnlyMemory<QualificationEntry> History { get; init; }

    /// <summary>A manual assignment, or null.</summary>
    public ManualTierAssignment? ManualAssignment { get; init; }

    /// <summary>
    /// The status stored after the previous evaluation, or null to replay from enrolment. Entries
    /// dated at or before its <see cref="TierStatus.EvaluatedAt"/> still count in windows, but do
    /// not rewrite the past.
    /// </summary>
    public TierStatus? PriorStatus { get; init; }
}
