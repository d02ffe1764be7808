using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Tests.Earning;

/// <summary>
/// The straightforward evaluation the engine started from: one full <see cref="RuleEvaluation"/>
/// per rule built as it goes, decimal sums and weights, allocations copied into one array at the
/// end. The properties compare the engine against it so that any optimisation keeps every result
/// identical; the earning benchmark measures it next to the engine.
/// </summary>
internal static class ReferenceEarningEngine
{
    private const int StackLimit = 256;

    public static EarningResult Evaluate(EarningRuleSet ruleSet, ActivityInput activity, MemberContext member, EarningUsage usage)
    {
        var context = new EvaluationContext(null, activity, member, activity.OccurredAt.InZone(ruleSet.TimeZone).LocalDateTime);
        return Run(ruleSet, context, usage, null, activity.Member, activity.OccurredAt, lineCount: 0, currencyMismatch: false, isQuote: false);
    }

    public static EarningResult EvaluateOrder(EarningRuleSet ruleSet, EarningOrder order, MemberContext member, EarningUsage usage, bool isQuote)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(usage);
        var context = new EvaluationContext(order, null, member, order.PlacedAt.InZone(ruleSet.TimeZone).LocalDateTime);
        return Run(ruleSet, context, usage, order.Id, order.Member, order.PlacedAt, order.Lines.Count, order.Currency != ruleSet.Currency, isQuote);
    }

    public static EarningResult Run(EarningRuleSet ruleSet, in EvaluationContext context, EarningUsage usage, OrderId? orderId, MemberId memberId, NodaTime.Instant at, int lineCount, bool currencyMismatch, bool isQuote)
    {
        var rules = ruleSet.OrderedRules;
        var n = rules.Count;
        var slots = lineCount + 1;
        var evaluations = new RuleEvaluation[n];

        Span<decimal> weights = slots <= StackLimit / 4 ? stackalloc decimal[slots] : new decimal[slots];
        Span<long> scratch = n * slots <= StackLimit ? stackalloc long[n * slots] : new long[n * slots];
        Span<bool> groupMatched = ruleSet.GroupCount <= StackLimit ? stackalloc bool[ruleSet.GroupCount] : new bool[ruleSet.GroupCount];
        Span<int> groupBest = ruleSet.GroupCount <= StackLimit ? stackalloc int[ruleSet.GroupCount] : new int[ruleSet.GroupCount];
        groupBest.Fill(-1);
        Span<UsagePeriod> periods = n <= StackLimit / 2 ? stackalloc UsagePeriod[n] : new UsagePeriod[n];

        var stopped = false;
        var date = context.Local.Date;
        for (var i = 0; i < n; i++)
        {
            var rule = rules[i];
            var reversal = rule.Reversal;
            var group = ruleSet.GroupIndex[i];
            var mode = ruleSet.GroupModes[i];
            RuleOutcome outcome;
            if (currencyMismatch && !rule.IsActivityRule)
            {
                outcome = RuleOutcome.CurrencyMismatch;
            }
            else if (stopped)
            {
                outcome = RuleOutcome.ExcludedByExclusiveRule;
            }
            else if (!rule.AppliesTo(context))
            {
                outcome = RuleOutcome.NotApplicable;
            }
            else if (mode == StackingMode.FirstMatch && groupMatched[group])
            {
                outcome = RuleOutcome.SkippedByFirstMatch;
            }
            else
            {
                var failure = rule.Condition?.Check(context) ?? ConditionFailure.None;
                outcome = failure switch
                {
                    ConditionFailure.Window => RuleOutcome.OutsideWindow,
                    ConditionFailure.Condition => RuleOutcome.ConditionNotMet,
                    _ => rule.Qualifies(context) ? RuleOutcome.Fired : RuleOutcome.ConditionNotMet,
                };
            }

            if (outcome != RuleOutcome.Fired)
            {
                evaluations[i] = new RuleEvaluation(rule.Id, outcome, reversal, 0m, Points.Zero, Points.Zero, ReadOnlyMemory<long>.Empty);
                continue;
            }

            weights.Clear();
            var desired = rule.Compute(context, weights, ruleSet.BaseRules[i]);
            var rounded = Round(desired, rule.Rounding);
            var awarded = rounded;
            if (rounded <= 0)
            {
                evaluations[i] = new RuleEvaluation(rule.Id, RuleOutcome.NothingToEarn, reversal, desired, Points.FromInt64(rounded), Points.Zero, ReadOnlyMemory<long>.Empty);
                continue;
            }

            if (rule.Caps is { } caps)
            {
                if (caps.PerOrder is { } perOrder)
                {
                    awarded = Math.Min(awarded, perOrder.Value);
                }

                if (caps.PerMember is { } perMember)
                {
                    var period = UsagePeriod.Containing(perMember.Period, date);
                    periods[i] = period;
                    var used = usage.ForPeriod(rule.Id, period);
                    if (perMember.MaxAwards is { } maxAwards && used.Count >= maxAwards)
                    {
                        awarded = 0;
                    }

                    if (perMember.MaxPoints is { } maxPoints)
                    {
                        awarded = Math.Min(awarded, Math.Max(0, maxPoints.Value - used.Points.Value));
                    }
                }

                if (caps.CampaignBudget is { } budget)
                {
                    awarded = Math.Min(awarded, Math.Max(0, budget.Value - usage.ForCampaign(rule.Id).Value));
                }
            }

            if (awarded == 0)
            {
                evaluations[i] = new RuleEvaluation(rule.Id, RuleOutcome.CapReached, reversal, desired, Points.FromInt64(rounded), Points.Zero, ReadOnlyMemory<long>.Empty);
                continue;
            }

            ReferenceAllocation.LargestRemainder(awarded, weights, scratch.Slice(i * slots, slots));
            evaluations[i] = new RuleEvaluation(rule.Id, RuleOutcome.Fired, reversal, desired, Points.FromInt64(rounded), Points.FromInt64(awarded), ReadOnlyMemory<long>.Empty);

            if (mode == StackingMode.BestOf)
            {
                var best = groupBest[group];
                if (best < 0 || awarded > evaluations[best].Awarded.Value)
                {
                    if (best >= 0)
                    {
                        evaluations[best] = evaluations[best] with { Outcome = RuleOutcome.NotBestOfGroup, Awarded = Points.Zero };
                    }

                    groupBest[group] = i;
                }
                else
                {
                    evaluations[i] = evaluations[i] with { Outcome = RuleOutcome.NotBestOfGroup, Awarded = Points.Zero };
                    continue;
                }
            }
            else if (mode == StackingMode.FirstMatch)
            {
                groupMatched[group] = true;
            }

            if (rule.Exclusive)
            {
                stopped = true;
            }
        }

        var fired = 0;
        var deltaCount = 0;
        var thresholdCount = 0;
        long total = 0;
        for (var i = 0; i < n; i++)
        {
            if (evaluations[i].Outcome == RuleOutcome.Fired)
            {
                fired++;
                total = checked(total + evaluations[i].Awarded.Value);
                var caps = rules[i].Caps;
                deltaCount += (caps?.PerMember is null ? 0 : 1) + (caps?.CampaignBudget is null ? 0 : 1);
                thresholdCount += evaluations[i].Reversal == ReversalPolicy.BelowThreshold ? 1 : 0;
            }
        }

        long[] allocations = fired == 0 ? [] : new long[fired * slots];
        RuleUsageDelta[] deltas = deltaCount == 0 ? [] : new RuleUsageDelta[deltaCount];
        ThresholdTerm[] thresholds = thresholdCount == 0 ? [] : new ThresholdTerm[thresholdCount];
        int offset = 0, d = 0, t = 0;
        for (var i = 0; i < n; i++)
        {
            ref var evaluation = ref evaluations[i];
            if (evaluation.Outcome != RuleOutcome.Fired)
            {
                continue;
            }

            scratch.Slice(i * slots, slots).CopyTo(allocations.AsSpan(offset, slots));
            evaluation = evaluation with { Allocation = new ReadOnlyMemory<long>(allocations, offset, slots) };
            offset += slots;
            var rule = rules[i];
            if (rule.Caps?.PerMember is not null)
            {
                deltas[d++] = new RuleUsageDelta(rule.Id, periods[i], evaluation.Awarded, 1);
            }

            if (rule.Caps?.CampaignBudget is not null)
            {
                deltas[d++] = new RuleUsageDelta(rule.Id, null, evaluation.Awarded, 1);
            }

            if (rule is ThresholdBonusRule { Clawback: BonusClawback.ReverseBelowThreshold } threshold)
            {
                thresholds[t++] = new ThresholdTerm(rule.Id, threshold.Threshold);
            }
        }

        return new EarningResult(orderId, memberId, ruleSet.Version, at, isQuote, Points.FromInt64(total), lineCount, evaluations, deltas, thresholds);
    }

    public static long Round(decimal desired, PointsRounding rounding)
    {
        var rounded = rounding switch
        {
            PointsRounding.HalfUp => Math.Round(desired, MidpointRounding.AwayFromZero),
            PointsRounding.HalfEven => Math.Round(desired, MidpointRounding.ToEven),
            PointsRounding.Ceiling => Math.Ceiling(desired),
            _ => Math.Floor(desired),
        };
        return decimal.ToInt64(rounded);
    }
}

/// <summary>Largest-remainder allocation of whole points over weights.</summary>
/// <remarks>
/// Exact: the weights (decimal amounts or quantities) are brought to one scale as integers, so
/// every share is <c>weight × amount / sum</c> computed with integer division and remainders
/// compare exactly; ties go to the earlier slot.
/// </remarks>
internal static class ReferenceAllocation
{
    private const int MaxSlotsOnStack = 64;

    private static readonly long[] PowersOfTen =
    [
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L,
        10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L,
    ];

    public static void LargestRemainder(long amount, ReadOnlySpan<decimal> weights, Span<long> result)
    {
        result.Clear();
        var only = -1;
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] != 0m)
            {
                if (only != -1)
                {
                    only = -2;
                    break;
                }

                only = i;
            }
        }

        if (only != -2)
        {
            // Nothing or a single slot weighs: it takes everything (the order slot when nothing weighs).
            result[only < 0 ? result.Length - 1 : only] = amount;
            return;
        }

        Span<long> scaled = weights.Length <= MaxSlotsOnStack ? stackalloc long[weights.Length] : new long[weights.Length];
        if (!TryScale(weights, scaled, out var sum))
        {
            LargestRemainderDecimal(amount, weights, result);
            return;
        }

        if (sum == 0)
        {
            result[^1] = amount;
            return;
        }

        if (sum <= long.MaxValue / amount)
        {
            LargestRemainder64(amount, scaled, sum, result);
            return;
        }

        Span<Int128> remainders = weights.Length <= MaxSlotsOnStack ? stackalloc Int128[weights.Length] : new Int128[weights.Length];
        long allocated = 0;
        for (var i = 0; i < scaled.Length; i++)
        {
            if (scaled[i] == 0)
            {
                remainders[i] = -1;
                continue;
            }

            var product = (Int128)scaled[i] * amount;
            result[i] = (long)(product / sum);
            remainders[i] = product % sum;
            allocated += result[i];
        }

        for (var left = amount - allocated; left > 0; left--)
        {
            var best = -1;
            for (var i = 0; i < remainders.Length; i++)
            {
                if (remainders[i] >= 0 && (best < 0 || remainders[i] > remainders[best]))
                {
                    best = i;
                }
            }

            result[best]++;
            remainders[best] = -1;
        }
    }

    /// <summary>The common case: every product weight × amount fits in 64 bits.</summary>
    private static void LargestRemainder64(long amount, ReadOnlySpan<long> scaled, long sum, Span<long> result)
    {
        Span<long> remainders = scaled.Length <= MaxSlotsOnStack ? stackalloc long[scaled.Length] : new long[scaled.Length];
        long allocated = 0;
        for (var i = 0; i < scaled.Length; i++)
        {
            if (scaled[i] == 0)
            {
                remainders[i] = -1;
                continue;
            }

            var product = scaled[i] * amount;
            var share = product / sum;
            result[i] = share;
            remainders[i] = product - (share * sum);
            allocated += share;
        }

        for (var left = amount - allocated; left > 0; left--)
        {
            var best = -1;
            for (var i = 0; i < remainders.Length; i++)
            {
                if (remainders[i] >= 0 && (best < 0 || remainders[i] > remainders[best]))
                {
                    best = i;
                }
            }

            result[best]++;
            remainders[best] = -1;
        }
    }

    /// <summary>Brings the weights to integers at one common scale; false when they do not fit in 64 bits.</summary>
    private static bool TryScale(ReadOnlySpan<decimal> weights, Span<long> scaled, out long sum)
    {
        sum = 0;
        var scale = 0;
        Span<int> bits = stackalloc int[4];
        for (var i = 0; i < weights.Length; i++)
        {
            decimal.GetBits(weights[i], bits);
            if (bits[2] != 0 || bits[3] < 0)
            {
                return false;
            }

            scale = Math.Max(scale, (bits[3] >> 16) & 0xFF);
        }

        if (scale >= PowersOfTen.Length)
        {
            return false;
        }

        for (var i = 0; i < weights.Length; i++)
        {
            decimal.GetBits(weights[i], bits);
            var mantissa = ((long)(uint)bits[1] << 32) | (uint)bits[0];
            var factor = PowersOfTen[scale - ((bits[3] >> 16) & 0xFF)];
            if (mantissa < 0 || mantissa > long.MaxValue / factor)
            {
                return false;
            }

            scaled[i] = mantissa * factor;
            if (scaled[i] > long.MaxValue - sum)
            {
                return false;
            }

            sum += scaled[i];
        }

        return true;
    }

    /// <summary>The same allocation in decimal arithmetic, for weights too large for 64-bit integers.</summary>
    private static void LargestRemainderDecimal(long amount, ReadOnlySpan<decimal> weights, Span<long> result)
    {
        decimal sum = 0m;
        foreach (var w in weights)
        {
            sum += w;
        }

        var remainders = new decimal[weights.Length];
        long allocated = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] <= 0m)
            {
                remainders[i] = -1m;
                continue;
            }

            var exact = weights[i] / sum * amount;
            var whole = decimal.Floor(exact);
            result[i] = decimal.ToInt64(whole);
            remainders[i] = exact - whole;
            allocated += result[i];
        }

        var left = amount - allocated;
        while (left > 0)
        {
            var best = 0;
            for (var i = 1; i < remainders.Length; i++)
            {
                if (remainders[i] > remainders[best])
                {
                    best = i;
                }
            }

            result[best]++;
            remainders[best] = -1m;
            left--;
            if (left > 0 && remainders[best] < 0m && Array.TrueForAll(remainders, r => r < 0m))
            {
                for (var i = 0; i < weights.Length; i++)
                {
                    remainders[i] = weights[i] > 0m ? 0m : -1m;
                }
            }
        }

        while (left < 0)
        {
            var largest = 0;
            for (var i = 1; i < result.Length; i++)
            {
                if (result[i] > result[largest])
                {
                    largest = i;
                }
            }

            result[largest]--;
            left++;
        }
    }
}
