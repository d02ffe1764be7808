using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.Storage;

/// <summary>
/// What evaluating an order, refund or activity needs of a member, kept on the member's record and
/// moved forward in the same atomic write as each order, refund or activity: the history's version,
/// the order count and first order, the per-rule per-period cap usage, the first qualifying order for
/// referrals, the welcome points, and the tier state (a status checkpoint with the qualification
/// entries that can still count). Reading it is one row whatever the member's history; the full
/// history (<see cref="IMemberStore.GetHistoryAsync"/>) stays for as-of questions, audits and repair,
/// and replaying it gives the same state.
/// </summary>
/// <remarks>
/// Immutable. Written by the programme only; a store keeps it as given, every property of every
/// qualification entry included (<see cref="QualificationEntry.Since"/> of a sum too; the relational
/// store as compact JSON text). Its size is bounded by the length of one qualification window, not by
/// the number of orders: the entries the checkpoint has replayed are summed per earn kind and period
/// (the calendar or anniversary year, the local day for a rolling window, all of them for a lifetime
/// window), entries before the window are dropped; and by the number of distinct capped periods.
/// </remarks>
public sealed record MemberEvaluationState
{
    /// <summary>The state before anything is recorded for a member.</summary>
    public static MemberEvaluationState Empty { get; } = new();

    /// <summary>The member's history version this state reflects (see <see cref="MemberHistory.Version"/>).</summary>
    public long HistoryVersion { get; init; }

    /// <summary>The number of orders recorded.</summary>
    public int OrderCount { get; init; }

    /// <summary>The earliest placement instant of the recorded orders, or null before the first.</summary>
    public Instant? FirstOrderAt { get; init; }

    /// <summary>The member's first qualifying order for referrals (earliest placed, then earliest recorded), or null.</summary>
    public OrderId? FirstQualifyingOrder { get; init; }

    /// <summary>When <see cref="FirstQualifyingOrder"/> was placed.</summary>
    public Instant? FirstQualifyingOrderPlacedAt { get; init; }

    /// <summary>The points the sign-up activity earned (the welcome bonus).</summary>
    public Points WelcomePoints { get; init; }

    /// <summary>Per rule and period, the points and awards of every order and activity recorded (the usage of per-member caps).</summary>
    public IReadOnlyList<RuleUsageDelta> Usage { get; init; } = [];

    /// <summary>
    /// The tier status as of its <see cref="TierStatus.EvaluatedAt"/>, with every qualification entry up
    /// to that instant already replayed; null when no entry was replayed yet (evaluation starts from enrolment).
    /// </summary>
    public TierStatus? TierCheckpoint { get => tierCheckpoint; init => tierCheckpoint = value; }

    /// <summary>
    /// The qualification entries that can still count: every entry after the checkpoint, and those
    /// before it that are still inside a qualification window, summed per period and earn kind
    /// (<see cref="QualificationEntry.FromSums"/>). An evaluation that would start a window inside a sum
    /// is answered by replaying the history instead.
    /// </summary>
    public IReadOnlyList<QualificationEntry> Qualification { get => qualification; init => qualification = value; }

    // Backing fields, so that the programme can move a state it has just built (and shared with no one)
    // to its checkpoint without copying it again.
    private TierStatus? tierCheckpoint;
    private IReadOnlyList<QualificationEntry> qualification = [];

    /// <summary>Sets the tier part of a state the caller has just built and not yet shared (a shared state is never changed).</summary>
    internal void MoveTierPart(TierStatus? checkpoint, IReadOnlyList<QualificationEntry> entries)
    {
        tierCheckpoint = checkpoint;
        qualification = entries;
    }
}
