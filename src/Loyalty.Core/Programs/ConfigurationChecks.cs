using Loyalty.Core.Configuration;
using Loyalty.Core.Earning;
using Loyalty.Core.Tiers;

namespace Loyalty.Core.Programs;

/// <summary>
/// The configuration checks that could otherwise fail half-way through a write: run when the
/// programme is built (tier ladder), when a rule set is published, and when published rule sets are
/// first read (before any write).
/// </summary>
internal static class ConfigurationChecks
{
    /// <summary>The tier ladder counts spend in the programme's currency and computes calendar windows in its time zone.</summary>
    /// <exception cref="ArgumentException">The ladder disagrees with the programme.</exception>
    public static void CheckTiers(ProgramSettings settings, TierLadder ladder)
    {
        if (ladder.Policy.Currency is { } currency && currency != settings.Currency)
        {
            throw new ArgumentException($"The tier ladder counts spend in {currency.Code} but the programme's currency is {settings.Currency.Code}; set TierPolicy.Currency to {settings.Currency.Code} (or leave it unset).", "tiers");
        }

        if (ladder.Tiers.Count > 1 && ladder.Policy.TimeZone.Id != settings.TimeZone.Id)
        {
            throw new ArgumentException($"The tier ladder computes its windows in {ladder.Policy.TimeZone.Id} but the programme's time zone is {settings.TimeZone.Id}; set TierPolicy.TimeZone to {settings.TimeZone.Id}.", "tiers");
        }
    }

    /// <summary>The rule set is in the programme's currency and time zone.</summary>
    /// <exception cref="ArgumentException">It is not.</exception>
    public static void CheckRuleSet(ProgramSettings settings, EarningRuleSet ruleSet, string paramName)
    {
        if (ruleSet.Currency != settings.Currency)
        {
            throw new ArgumentException($"Rule set {ruleSet.Version} is in {ruleSet.Currency.Code} but the programme's currency is {settings.Currency.Code}; build it in {settings.Currency.Code}.", paramName);
        }

        if (ruleSet.TimeZone.Id != settings.TimeZone.Id)
        {
            throw new ArgumentException($"Rule set {ruleSet.Version} computes its calendar in {ruleSet.TimeZone.Id} but the programme's time zone is {settings.TimeZone.Id}; build it in {settings.TimeZone.Id}.", paramName);
        }
    }

    /// <summary>A published rule set read from the store is in the programme's currency and time zone.</summary>
    /// <exception cref="InvalidOperationException">It is not: the store holds a rule set the programme cannot use.</exception>
    public static void CheckPublished(ProgramSettings settings, EarningRuleSet ruleSet)
    {
        try
        {
            CheckRuleSet(settings, ruleSet, "ruleSet");
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException("The rule set store holds a rule set this programme cannot use, so nothing is recorded: " + ex.Message.Split(" (Parameter")[0] + " Publish a corrected version, or fix the programme's settings.", ex);
        }
    }
}
