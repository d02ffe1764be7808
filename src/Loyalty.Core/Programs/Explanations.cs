using System.Globalization;
using Loyalty.Core.Earning;

namespace Loyalty.Core.Programs;

/// <summary>Turns an engine result into lines a shop can print: every rule that applied, what it gave or why not.</summary>
internal static class Explanations
{
    /// <summary>The lines of a result, each saying which rule set and version it came from (the merchant's own, or the programme-wide one).</summary>
    public static IReadOnlyList<ExplanationLine> For(EarningResult result, EarningRules? rules)
    {
        var lines = new List<ExplanationLine>(result.Rules.Count);
        foreach (var rule in result.Rules)
        {
            if (rule.Outcome == RuleOutcome.NotApplicable)
            {
                continue;
            }

            var described = rules?.Describe(rule.RuleId);
            var text = described?.Text ?? rule.RuleId.Value;
            var amount = rule.Fired ? "+" + rule.Awarded.Value.ToString(CultureInfo.InvariantCulture) : "0";
            var line = rule.Fired
                ? $"{amount,6}  {text}"
                : $"{amount,6}  {text} ({Reason(rule.Outcome)})";
            lines.Add(new ExplanationLine(rule.RuleId, rule.Outcome, rule.Awarded, line)
            {
                RuleSetVersion = described?.Version ?? result.RuleSetVersion,
                Merchant = described?.Merchant,
                Rule = rules?.Find(rule.RuleId),
                Currency = rules?.Coalition.Currency ?? default,
            });
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
