using System.Globalization;
using Loyalty.Core.Earning;

namespace Loyalty.Core.Programs;

/// <summary>Turns an engine result into lines a shop can print: every rule that applied, what it gave or why not.</summary>
internal static class Explanations
{
    /// <summary>
    /// The lines of a result, each saying which rule set and version it came from (the merchant's own, or the
    /// programme-wide one), written when first read: a receipt whose explanation is never read formats no text.
    /// </summary>
    public static IReadOnlyList<ExplanationLine> For(EarningResult result, EarningRules? rules) => new Deferred(result, rules);

    /// <summary>The lines of a result, written now.</summary>
    private static IReadOnlyList<ExplanationLine> Write(EarningResult result, EarningRules? rules)
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

    /// <summary>
    /// The lines of an immutable result under immutable rules, written on first read (once, whichever
    /// thread reads first; a race may write them twice, and one of the equal lists is kept).
    /// </summary>
    private sealed class Deferred(EarningResult result, EarningRules? rules) : IReadOnlyList<ExplanationLine>
    {
        private IReadOnlyList<ExplanationLine>? lines;

        public int Count => Lines.Count;

        private IReadOnlyList<ExplanationLine> Lines => Volatile.Read(ref lines) ?? Interlocked.CompareExchange(ref lines, Write(result, rules), null) ?? lines!;

        public ExplanationLine this[int index] => Lines[index];

        public IEnumerator<ExplanationLine> GetEnumerator() => Lines.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
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
