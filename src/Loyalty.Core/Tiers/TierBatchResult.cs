using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Tiers;

/// <summary>
/// The compact outcome of one member in a nightly batch
/// (<see cref="TierEvaluator.EvaluateInto(ReadOnlySpan{TierMember}, Span{TierBatchResult}, Instant)"/>):
/// the tier, whether the stored status changed, the changes with their reasons and the warning
/// flags. A value written into a caller-owned buffer: a member whose status did not change costs
/// no allocation.
/// </summary>
/// <remarks>
/// Immutable. Unlike <see cref="TierEvaluation"/> it carries no window value, progress or projection
/// instant; evaluate the member with <see cref="TierEvaluator.Evaluate(TierMember, Instant)"/> when
/// those are needed. A <c>default</c> value describes no member: its members throw
/// <see cref="InvalidOperationException"/>, except <see cref="IsDefault"/>.
/// </remarks>
public readonly struct TierBatchResult
{
    private readonly TierLadder? ladder;
    private readonly TierStatus? status;
    private readonly TierStatus? prior;
    private readonly IReadOnlyList<TierChange>? changes;
    private readonly MemberId memberId;
    private readonly Instant asOf;
    private readonly int rank;
    private readonly int projectedRank;
    private readonly bool inGrace;

    internal TierBatchResult(
        TierLadder ladder,
        MemberId memberId,
        Instant asOf,
        TierStatus? status,
        TierStatus? prior,
        int rank,
        int projectedRank,
        bool inGrace,
        IReadOnlyList<TierChange> changes)
    {
        System.Diagnostics.Debug.Assert(status is not null || prior is not null, "An unchanged status needs the prior status.");
        this.ladder = ladder;
        this.memberId = memberId;
        this.asOf = asOf;
        this.status = status;
        this.prior = prior;
        this.rank = rank;
        this.projectedRank = projectedRank;
        this.inGrace = inGrace;
        this.changes = changes;
    }

    /// <summary>True for <c>default</c>: no member was evaluated into this value.</summary>
    public bool IsDefault => ladder is null;

    /// <summary>The member.</summary>
    /// <exception cref="InvalidOperationException">This value is <c>default</c>.</exception>
    public MemberId MemberId
    {
        get
        {
            CheckNotDefault();
            return memberId;
        }
    }

    /// <summary>The instant evaluated as of.</summary>
    /// <exception cref="InvalidOperationException">This value is <c>default</c>.</exception>
    public Instant AsOf
    {
        get
        {
            CheckNotDefault();
            return asOf;
        }
    }

    /// <summary>The tier the member holds as of <see cref="AsOf"/>.</summary>
    /// <exception cref="InvalidOperationException">This value is <c>default</c>.</exception>
    public TierDefinition Tier => Ladder.TierArray[rank];

    /// <summary>
    /// The tier the member would hold right after the end of the current period if nothing more were
    /// earned or refunded; equal to <see cref="Tier"/> for a lifetime window.
    /// </summary>
    /// <exception cref="InvalidOperationException">This value is <c>default</c>.</exception>
    public TierDefinition ProjectedTier => Ladder.TierArray[projectedRank];

    /// <summary>True when the member's tier is not yet requalified and would drop at the end of the period.</summary>
    /// <exception cref="InvalidOperationException">This value is <c>default</c>.</exception>
    public bool DowngradeWarning
    {
        get
        {
            CheckNotDefault();
            return projectedRank < rank;
        }
    }

    /// <summary>True when the member's automatic tier has passed its validity and is in its grace period.</summary>
    /// <exception cref="InvalidOperationException">This value is <c>default</c>.</exception>
    public bool InGrace
    {
        get
        {
            CheckNotDefault();
            return inGrace;
        }
    }

    /// <summary>
    /// True when the status to store differs from the prior status in more than its evaluation
    /// instant (or there was no prior status): the stored record must be rewritten. False when only
    /// <see cref="TierStatus.EvaluatedAt"/> moves to <see cref="AsOf"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">This value is <c>default</c>.</exception>
    public bool StatusChanged
    {
        get
        {
            CheckNotDefault();
            return status is not null;
        }
    }

    /// <summary>
    /// The status to store and pass back next time, evaluated as of <see cref="AsOf"/>; equal to the
    /// status <see cref="TierEvaluator.Evaluate(TierMember, Instant)"/> returns.
    /// </summary>
    /// <remarks>
    /// When <see cref="StatusChanged"/> is true this is the instance built during the batch. When it is
    /// false the batch allocated nothing for the member, and each read returns a new copy of the prior
    /// status with <see cref="TierStatus.EvaluatedAt"/> set to <see cref="AsOf"/>: a store that keeps
    /// the evaluation instant in a column of its own can instead stamp <see cref="AsOf"/> on the
    /// unchanged records and rewrite only the changed ones.
    /// </remarks>
    /// <exception cref="InvalidOperationException">This value is <c>default</c>.</exception>
    public TierStatus Status
    {
        get
        {
            CheckNotDefault();
            return status ?? prior! with { EvaluatedAt = asOf };
        }
    }

    /// <summary>
    /// The tier changes during the evaluated span (from enrolment, or from the prior status), oldest
    /// first; an empty list, shared and not allocated, when there were none.
    /// </summary>
    /// <exception cref="InvalidOperationException">This value is <c>default</c>.</exception>
    public IReadOnlyList<TierChange> Changes
    {
        get
        {
            CheckNotDefault();
            return changes!;
        }
    }

    private TierLadder Ladder
    {
        get
        {
            CheckNotDefault();
            return ladder!;
        }
    }

    /// <summary>Returns a short description: member, tier, whether the status changed and the warnings.</summary>
    /// <returns>For example <c>42: gold (changed, 1 change, downgrade warning)</c>; <c>default</c> for a default value.</returns>
    public override string ToString()
    {
        if (ladder is null)
        {
            return "default";
        }

        var notes = new List<string> { status is null ? "unchanged" : "changed" };
        if (changes!.Count > 0)
        {
            notes.Add(changes.Count == 1 ? "1 change" : $"{changes.Count} changes");
        }

        if (DowngradeWarning)
        {
            notes.Add("downgrade warning");
        }

        if (inGrace)
        {
            notes.Add("in grace");
        }

        return $"{memberId}: {Tier.Id} ({string.Join(", ", notes)})";
    }

    private void CheckNotDefault()
    {
        if (ladder is null)
        {
            ThrowDefault();
        }
    }

    private static void ThrowDefault() =>
        throw new InvalidOperationException("This TierBatchResult is default: no member was evaluated into it. Fill results with TierEvaluator.EvaluateInto and read only the first members.Length of them.");
}
