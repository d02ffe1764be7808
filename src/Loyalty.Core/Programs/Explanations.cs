using System.Globalization;
using Loyalty.Core.Earning;

namespace Loyalty.Core.Programs;

/// <summary>Turns an engine result into lines a shop can print: every rule that applied, what it gave or why not.</summary>
internal static class Explanations
{
    public static IReadOnlyList<ExplanationLine> For(EarningResult result, EarningRuleSet? ruleSet)
    {
        var lines = new List<ExplanationLine>(result.Rules.Count);
        foreach (var rule in result.Rules)
        {
            if (rule.Outcome == RuleOutcome.NotApplicable)
            {
                continue;
            }

            var text = ruleSet?.Find(rule.RuleId) is not null ? ruleSet.Describe(rule.RuleId) : rule.RuleId.Value;
            var amount = rule.Fired ? "+" + rule.Awarded.Value.ToString(CultureInfo.InvariantCulture) : "0";
            var line = rule.Fired
                ? $"{amount,6}  {text}"
                : $"{amount,6}  {text} ({Reason(rule.Outcome)})";
            lines.Add(new ExplanationLine(rule.RuleId, rule.Outcome, rule.Awarded, line) { Rule = ruleSet?.Find(rule.RuleId), Currency = ruleSet?.Currency ?? default });
        }

        return lines.AsReadOnly();
    }

    private static string Reason(RuleOutcome outcome) => outcome switch
    {
        RuleOutcome.ConditionNotMet => "condition not met",
        RuleOutcome.OutsideWindow => "outside its dates or hours",
        RuleOutcome.NothingToEarn => "nothing eligible",
        RuleOutcome.CapReached => "cap reached",
        RuleOutcome.ExcludedByExclusiveRule => "an exclusive rule applied",
        RuleOutcome.SkippedByFirstMatch => "an earlier rule of its group applied",
        RuleOutcome.NotBestOfGroup => "another rule of its group gave more",
        RuleOutcome.CurrencyMismatch => "other currency",
        _ => outcome.ToString(),
    };
}
