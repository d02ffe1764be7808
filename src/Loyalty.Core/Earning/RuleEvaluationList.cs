using System.Collections;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Earning;

/// <summary>What the engine keeps of one rule's evaluation; the rest comes from the rule set.</summary>
internal struct CompactEvaluation
{
    /// <summary>The exact points the rule computed before rounding (0 when it did not get that far).</summary>
    public decimal Desired;

    /// <summary>For a fired rule, where its per-line allocation starts in the shared array.</summary>
    public int Offset;

    /// <summary>Fired, or why not.</summary>
    public RuleOutcome Outcome;
}

/// <summary>
/// The explanation of an evaluation in compact form: one small entry per rule and one array
/// holding the per-line allocations of every fired rule. Each <see cref="RuleEvaluation"/> is
/// rebuilt on access from the entry and the rule set's compiled data: the rule id and reversal
/// policy come from the rule set, the rounded points are the desired points rounded by the
/// rule's mode (exactly what the engine did), the awarded points are the sum of the allocation
/// (which the engine made sum to the award) and the allocation is a slice of the shared array.
/// </summary>
/// <remarks>Immutable and thread-safe; every access to an index returns an equal value.</remarks>
internal sealed class RuleEvaluationList : IReadOnlyList<RuleEvaluation>
{
    private readonly EarningRuleSet ruleSet;
    private readonly CompactEvaluation[] entries;
    private readonly long[] allocations;
    private readonly int slots;

    public RuleEvaluationList(EarningRuleSet ruleSet, CompactEvaluation[] entries, long[] allocations, int slots)
    {
        this.ruleSet = ruleSet;
        this.entries = entries;
        this.allocations = allocations;
        this.slots = slots;
    }

    public int Count => entries.Length;

    public RuleEvaluation this[int index]
    {
        get
        {
            if ((uint)index >= (uint)entries.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"index must be between 0 and {entries.Length - 1} (was {index}).");
            }

            ref readonly var entry = ref entries[index];
            var rounded = entry.Desired == 0m ? 0L : EarningEngine.Round(entry.Desired, ruleSet.Roundings[index]);
            if (entry.Outcome != RuleOutcome.Fired)
            {
                return new RuleEvaluation(ruleSet.RuleIds[index], entry.Outcome, ruleSet.Reversals[index], entry.Desired, Points.FromInt64(rounded), Points.Zero, ReadOnlyMemory<long>.Empty);
            }

            var allocation = new ReadOnlyMemory<long>(allocations, entry.Offset, slots);
            long awarded = 0;
            foreach (var points in allocation.Span)
            {
                awarded += points;
            }

            return new RuleEvaluation(ruleSet.RuleIds[index], RuleOutcome.Fired, ruleSet.Reversals[index], entry.Desired, Points.FromInt64(rounded), Points.FromInt64(awarded), allocation);
        }
    }

    public IEnumerator<RuleEvaluation> GetEnumerator()
    {
        for (var i = 0; i < entries.Length; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
