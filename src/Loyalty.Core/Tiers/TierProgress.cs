namespace Loyalty.Core.Tiers;

/// <summary>How far a member is from one threshold.</summary>
/// <param name="Metric">The metric.</param>
/// <param name="Required">The threshold's minimum.</param>
/// <param name="Achieved">The member's value in the window.</param>
public readonly record struct ThresholdProgress(QualifyingMetric Metric, decimal Required, decimal Achieved)
{
    /// <summary>What is still needed (0 when met).</summary>
    public decimal Remaining => Achieved >= Required ? 0m : Required - Achieved;

    /// <summary>Whether the threshold is met.</summary>
    public bool IsMet => Achieved >= Required;
}

/// <summary>Progress toward a tier: each threshold with what is still needed.</summary>
/// <remarks>Immutable. With <see cref="ThresholdCombination.AnyOf"/> meeting any one threshold is enough.</remarks>
public sealed class TierProgress
{
    internal TierProgress(TierDefinition tier, QualifyingTotals totals)
    {
        Tier = tier;
        var thresholds = new ThresholdProgress[tier.Thresholds.Count];
        for (var i = 0; i < thresholds.Length; i++)
        {
            var threshold = tier.Thresholds[i];
            thresholds[i] = new ThresholdProgress(threshold.Metric, threshold.Minimum, totals.ValueOf(threshold.Metric));
        }

        Thresholds = thresholds;
        IsMet = tier.IsMetBy(totals);
    }

    /// <summary>The tier aimed at.</summary>
    public TierDefinition Tier { get; }

    /// <summary>How the thresholds combine.</summary>
    public ThresholdCombination Combination => Tier.Combination;

    /// <summary>One entry per threshold of <see cref="Tier"/>.</summary>
    public IReadOnlyList<ThresholdProgress> Thresholds { get; }

    /// <summary>Whether the requirement is met.</summary>
    public bool IsMet { get; }
}
