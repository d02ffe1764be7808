using Loyalty.Core.Earning;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tiers;

namespace Loyalty.Core.Configuration;

/// <summary>
/// The whole programme as configured, validated and typed: its settings, the tier ladder, every
/// earning rule set version and the rewards catalogue. Built once at start-up from
/// <c>LoyaltyOptions</c> (<c>ToProgramDefinition()</c>); the rule sets and rewards reach the stores
/// when <c>PublishLoyaltyProgrammeAsync</c> runs (after the database exists).
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class ProgramDefinition
{
    internal ProgramDefinition(ProgramSettings settings, TierLadder? tiers, IReadOnlyList<EarningRuleSet> ruleSets, RewardCatalog rewards)
    {
        Settings = settings;
        Tiers = tiers;
        RuleSets = ruleSets;
        Rewards = rewards;
    }

    /// <summary>The programme's settings (id, name, currency, time zone, referral policy).</summary>
    public ProgramSettings Settings { get; }

    /// <summary>The configured tier ladder, in the programme's currency and time zone, or null when none is configured (the programme then uses the ladder given to <c>UseTiers</c>, or a single tier <c>member</c>).</summary>
    public TierLadder? Tiers { get; }

    /// <summary>The configured earning rule set versions, in the order given, each in the programme's currency and time zone.</summary>
    public IReadOnlyList<EarningRuleSet> RuleSets { get; }

    /// <summary>The configured rewards, in the order given.</summary>
    public RewardCatalog Rewards { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Settings}: {(Tiers is null ? "default tiers" : Tiers.Tiers.Count + " tiers")}, {RuleSets.Count} rule set version(s), {Rewards.Rewards.Count} reward(s)";
}
