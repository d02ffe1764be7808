using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Tiers;

/// <summary>
/// The outcome of evaluating one member as of an instant: the status to store, the tier and its
/// benefits, the qualifying value of the current window, progress, projection, downgrade warning
/// and the tier changes that happened during the evaluated span.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class TierEvaluation
{
    private readonly TierLadder ladder;
    private readonly int rank;
    private readonly int automaticRank;
    private readonly int projectedRank;

    // Optional instants as plain instants plus a flag (a nullable instant takes 24 bytes, a plain one 16).
    private readonly Instant projectedAtValue;
    private readonly Instant windowStartValue;
    private readonly bool hasProjectedAt;
    private readonly bool hasWindowStart;

    internal TierEvaluation(
        TierLadder ladder,
        MemberId memberId,
        Instant asOf,
        TierStatus status,
        int rank,
        int automaticRank,
        int projectedRank,
        Instant? projectedAt,
        QualifyingTotals qualifyingValue,
        Instant? windowStart,
        IReadOnlyList<TierChange> changes)
    {
        this.ladder = ladder;
        this.rank = rank;
        this.automaticRank = automaticRank;
        this.projectedRank = projectedRank;
        System.Diagnostics.Debug.Assert(asOf == status.EvaluatedAt, "The status is evaluated as of the evaluation's instant.");
        MemberId = memberId;
        Status = status;
        hasProjectedAt = projectedAt.HasValue;
        projectedAtValue = projectedAt.GetValueOrDefault();
        QualifyingValue = qualifyingValue;
        hasWindowStart = windowStart.HasValue;
        windowStartValue = windowStart.GetValueOrDefault();
        Changes = changes;
    }

    /// <summary>The member.</summary>
    public MemberId MemberId { get; }

    /// <summary>The instant evaluated as of.</summary>
    public Instant AsOf => Status.EvaluatedAt;

    /// <summary>The status to persist and pass back next time.</summary>
    public TierStatus Status { get; }

    /// <summary>The tier the member holds.</summary>
    public TierDefinition Tier => ladder.TierArray[rank];

    /// <summary>Since when the member holds <see cref="Tier"/>.</summary>
    public Instant Since => Status.Since;

    /// <summary>Until when <see cref="Tier"/> holds without requalification (exclusive); null when it never ends.</summary>
    public Instant? ValidUntil => Status.ValidUntil;

    /// <summary>The benefits of <see cref="Tier"/> (earn multiplier, perks).</summary>
    public TierBenefits Benefits => Tier.Benefits;

    /// <summary>The qualifying value of the window ending at <see cref="AsOf"/>, net of refunds.</summary>
    public QualifyingTotals QualifyingValue { get; }

    /// <summary>The start (inclusive) of the current window; null for a lifetime window.</summary>
    public Instant? WindowStart => hasWindowStart ? windowStartValue : null;

    /// <summary>
    /// The tier the member would hold right after the end of the current period if nothing more
    /// were earned or refunded; equal to <see cref="Tier"/> for a lifetime window.
    /// </summary>
    public TierDefinition ProjectedTier => ladder.TierArray[projectedRank];

    /// <summary>The end of the current period the projection looks at; null for a lifetime window.</summary>
    public Instant? ProjectedAt => hasProjectedAt ? projectedAtValue : null;

    /// <summary>True when the member's tier is not yet requalified and would drop at the end of the period.</summary>
    public bool DowngradeWarning => projectedRank < rank;

    /// <summary>The tier changes during the evaluated span (from enrolment, or from the prior status), oldest first.</summary>
    public IReadOnlyList<TierChange> Changes { get; }

    /// <summary>Progress toward the tier above <see cref="Tier"/>; null at the top of the ladder.</summary>
    public TierProgress? NextTierProgress
    {
        get
        {
            return rank + 1 < ladder.TierArray.Length ? new TierProgress(ladder.TierArray[rank + 1], QualifyingValue) : null;
        }
    }

    /// <summary>
    /// Progress toward requalifying the automatic tier in the current window (what is still needed to
    /// keep it); null for the entry tier.
    /// </summary>
    public TierProgress? RequalificationProgress =>
        automaticRank > 0 ? new TierProgress(ladder.TierArray[automaticRank], QualifyingValue) : null;

    /// <summary>The access check for a tier-gated offer.</summary>
    /// <param name="requiredTier">The lowest tier the offer admits.</param>
    /// <returns>True when the member's tier is at least <paramref name="requiredTier"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="requiredTier"/> is not in the ladder.</exception>
    public bool CanAccess(TierId requiredTier) => ladder.GrantsAccess(Tier.Id, requiredTier);
}
