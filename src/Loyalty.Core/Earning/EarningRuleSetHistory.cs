using NodaTime;

namespace Loyalty.Core.Earning;

/// <summary>
/// The versions of a programme's rule set over time; picks the version in force at an
/// instant, so that an order is always evaluated by the rules of its own time.
/// </summary>
/// <remarks>Immutable and thread-safe. <see cref="Add"/> returns a new history.</remarks>
public sealed class EarningRuleSetHistory
{
    private readonly EarningRuleSet[] versions;

    private EarningRuleSetHistory(EarningRuleSet[] versions) => this.versions = versions;

    /// <summary>A history with no version.</summary>
    public static EarningRuleSetHistory Empty { get; } = new([]);

    /// <summary>The versions, oldest effective instant first.</summary>
    public IReadOnlyList<EarningRuleSet> Versions => versions;

    /// <summary>Creates a history from versions in any order.</summary>
    /// <param name="ruleSets">The versions.</param>
    /// <returns>The history.</returns>
    /// <exception cref="ArgumentException">Two versions share a version label or an effective instant.</exception>
    public static EarningRuleSetHistory Create(IEnumerable<EarningRuleSet> ruleSets)
    {
        ArgumentNullException.ThrowIfNull(ruleSets);
        var history = Empty;
        foreach (var ruleSet in ruleSets)
        {
            history = history.Add(ruleSet);
        }

        return history;
    }

    /// <summary>Returns a history with one more version.</summary>
    /// <param name="ruleSet">The version.</param>
    /// <returns>The new history.</returns>
    /// <exception cref="ArgumentException">The version label or effective instant is already used.</exception>
    public EarningRuleSetHistory Add(EarningRuleSet ruleSet)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        foreach (var existing in versions)
        {
            if (string.Equals(existing.Version, ruleSet.Version, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Version \"{ruleSet.Version}\" is already in the history; give the new rule set another version.", nameof(ruleSet));
            }

            if (existing.EffectiveFrom == ruleSet.EffectiveFrom)
            {
                throw new ArgumentException($"Version \"{existing.Version}\" already takes effect at {ruleSet.EffectiveFrom}; give \"{ruleSet.Version}\" another effective instant.", nameof(ruleSet));
            }
        }

        var copy = versions.Append(ruleSet).OrderBy(v => v.EffectiveFrom).ToArray();
        return new EarningRuleSetHistory(copy);
    }

    /// <summary>The version in force at an instant: the one with the latest effective instant at or before it.</summary>
    /// <param name="instant">The instant (an order's placed-at).</param>
    /// <returns>The version, or null when none was in force yet.</returns>
    public EarningRuleSet? InForceAt(Instant instant)
    {
        EarningRuleSet? found = null;
        foreach (var version in versions)
        {
            if (version.EffectiveFrom > instant)
            {
                break;
            }

            found = version;
        }

        return found;
    }
}
