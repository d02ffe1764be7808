using Loyalty.Core.Cards;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;

namespace Loyalty.Core.Texts;

/// <summary>
/// The keys of texts that belong to one value: an error code, a rule outcome, one rule or one
/// reward. The other keys are listed by <see cref="LoyaltyTextCatalog.BuiltInKeys"/> and in
/// <c>docs/texts.md</c>.
/// </summary>
public static class TextKeys
{
    /// <summary>The prefix of a shop's own description of one rule, followed by the rule id.</summary>
    public const string RuleTextPrefix = "RuleText.";

    /// <summary>The prefix of a shop's own name of one reward, followed by the reward id.</summary>
    public const string RewardNamePrefix = "RewardName.";

    /// <summary>The key of the member-facing message of an error code, e.g. <c>Error.InsufficientPoints</c>.</summary>
    /// <param name="code">The error code.</param>
    /// <returns>The key.</returns>
    public static string Error(LoyaltyErrorCode code) => "Error." + code;

    /// <summary>The key of the member-facing message of a card error code, e.g. <c>CardError.CardBlocked</c>.</summary>
    /// <param name="code">The card error code.</param>
    /// <returns>The key.</returns>
    public static string CardError(CardErrorCode code) => "CardError." + code;

    /// <summary>The key of the reason a rule gave nothing, e.g. <c>Outcome.CapReached</c>.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>The key.</returns>
    public static string Outcome(RuleOutcome outcome) => "Outcome." + outcome;

    /// <summary>The key of a shop's own description of one rule in a language, e.g. <c>RuleText.welcome</c>; it replaces the generated one.</summary>
    /// <param name="rule">The rule id.</param>
    /// <returns>The key.</returns>
    public static string RuleText(RuleId rule) => RuleTextPrefix + rule.Value;

    /// <summary>The key of a shop's own name of one reward in a language, e.g. <c>RewardName.voucher-5</c>; it replaces the name made from the reward's kind.</summary>
    /// <param name="reward">The reward id.</param>
    /// <returns>The key.</returns>
    public static string RewardName(RewardId reward) => RewardNamePrefix + reward.Value;
}
