using Loyalty.Core.Primitives;

namespace Loyalty.Core.Tiers;

/// <summary>
/// One level of a <see cref="TierLadder"/>: its id, display name, the thresholds that qualify a
/// member for it, how they combine, and its benefits.
/// </summary>
/// <remarks>Immutable and thread-safe. Validation of the whole ladder happens in <see cref="TierLadder.Create"/>.</remarks>
public sealed class TierDefinition
{
    private TierDefinition(TierId id, string name, ThresholdCombination combination, TierThreshold[] thresholds, TierBenefits benefits)
    {
        Id = id;
        Name = name;
        Combination = combination;
        Thresholds = thresholds;
        Benefits = benefits;
    }

    /// <summary>The tier's id.</summary>
    public TierId Id { get; }

    /// <summary>The name members see, e.g. <c>Gold</c>.</summary>
    public string Name { get; }

    /// <summary>How <see cref="Thresholds"/> combine.</summary>
    public ThresholdCombination Combination { get; }

    /// <summary>The requirements; empty for the entry tier.</summary>
    public IReadOnlyList<TierThreshold> Thresholds { get; }

    /// <summary>What the tier gives.</summary>
    public TierBenefits Benefits { get; }

    /// <summary>Creates the entry tier, which every member holds from enrolment (no thresholds).</summary>
    /// <param name="id">The id; must not be default.</param>
    /// <param name="name">The display name; must not be empty.</param>
    /// <param name="benefits">The benefits, or null for <see cref="TierBenefits.None"/>.</param>
    /// <returns>The tier.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is default or <paramref name="name"/> is empty.</exception>
    public static TierDefinition Entry(TierId id, string name, TierBenefits? benefits = null) =>
        Create(id, name, ThresholdCombination.AllOf, [], benefits);

    /// <summary>Creates a tier.</summary>
    /// <param name="id">The id; must not be default.</param>
    /// <param name="name">The display name; must not be empty.</param>
    /// <param name="combination">Whether all thresholds or any one must be met.</param>
    /// <param name="thresholds">The thresholds; at most one per metric.</param>
    /// <param name="benefits">The benefits, or null for <see cref="TierBenefits.None"/>.</param>
    /// <returns>The tier.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is default, <paramref name="name"/> is empty, a threshold is default or a metric is repeated.</exception>
    public static TierDefinition Create(TierId id, string name, ThresholdCombination combination, IEnumerable<TierThreshold> thresholds, TierBenefits? benefits = null)
    {
        if (id.IsDefault)
        {
            throw new ArgumentException("TierId must not be default; create one with TierId.From(...).", nameof(id));
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"Tier '{id}' needs a display name; give a name such as \"Gold\".", nameof(name));
        }

        if (combination is not (ThresholdCombination.AllOf or ThresholdCombination.AnyOf))
        {
            throw new ArgumentOutOfRangeException(nameof(combination), combination, $"Tier '{id}' has combination {(int)combination}; use AllOf or AnyOf.");
        }

        ArgumentNullException.ThrowIfNull(thresholds);
        var list = thresholds.ToArray();
        var seen = new HashSet<QualifyingMetric>();
        foreach (var threshold in list)
        {
            if (threshold.Minimum <= 0m)
            {
                throw new ArgumentException($"Tier '{id}' has a threshold with no minimum; create thresholds with TierThreshold.FromPoints, FromSpend or FromOrders.", nameof(thresholds));
            }

            if (!seen.Add(threshold.Metric))
            {
                throw new ArgumentException($"Tier '{id}' has more than one {threshold.Metric} threshold; give at most one threshold per metric.", nameof(thresholds));
            }
        }

        return new TierDefinition(id, name, combination, list, benefits ?? TierBenefits.None);
    }

    /// <summary>Whether qualifying totals meet this tier's requirement.</summary>
    /// <param name="totals">The totals of the window.</param>
    /// <returns>True when the thresholds are met (always true for the entry tier).</returns>
    public bool IsMetBy(QualifyingTotals totals)
    {
        var thresholds = (TierThreshold[])Thresholds;
        if (thresholds.Length == 0)
        {
            return true;
        }

        if (Combination == ThresholdCombination.AllOf)
        {
            foreach (var t in thresholds)
            {
                if (!t.IsMetBy(totals))
                {
                    return false;
                }
            }

            return true;
        }

        foreach (var t in thresholds)
        {
            if (t.IsMetBy(totals))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The name and id, e.g. <c>Gold (gold)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"{Name} ({Id})";
}
