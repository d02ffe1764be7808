using Loyalty.Core.Primitives;

namespace Loyalty.Core.Earning;

/// <summary>
/// Decides how many points an order or an activity earns under a rule set, and why; computes
/// what a refund takes back from a recorded result.
/// </summary>
/// <remarks>
/// <para>Pure and deterministic: no clock, no I/O, no state. Usage so far (per-period totals,
/// campaign budgets used) is an input; the result says how to update it. Thread-safe; one
/// instance can serve the whole application.</para>
/// <para>Order of work for each rule, in evaluation order (priority, then rule id): skipped if
/// an exclusive rule already fired or its first-match group already matched; checked against
/// its condition and qualification; desired points computed and rounded once; then caps in this
/// order: per order, per member per period, campaign budget; then best-of groups keep their
/// best rule. The awarded points are allocated back to lines by largest remainder.</para>
/// </remarks>
public sealed class EarningEngine
{
    private const int StackLimit = 256;

    /// <summary>A shared instance.</summary>
    public static EarningEngine Instance { get; } = new();

    /// <summary>Evaluates an order.</summary>
    /// <param name="ruleSet">The rule set in force at <see cref="EarningOrder.PlacedAt"/>.</param>
    /// <param name="order">The order.</param>
    /// <param name="member">The member's context.</param>
    /// <param name="usage">Usage so far for this member and the campaigns.</param>
    /// <returns>The result, with one entry per rule.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public EarningResult Evaluate(EarningRuleSet ruleSet, EarningOrder order, MemberContext member, EarningUsage usage) =>
        EvaluateOrder(ruleSet, order, member, usage, isQuote: false);

    /// <summary>
    /// Previews what a cart would earn: the same path as <see cref="Evaluate(EarningRuleSet, EarningOrder, MemberContext, EarningUsage)"/>,
    /// with the result marked <see cref="EarningResult.IsQuote"/> so that nothing records it.
    /// </summary>
    /// <param name="ruleSet">The rule set in force now.</param>
    /// <param name="cart">The cart, as an order placed at the quote's instant.</param>
    /// <param name="member">The member's context.</param>
    /// <param name="usage">Usage so far.</param>
    /// <returns>The quote.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public EarningResult Quote(EarningRuleSet ruleSet, EarningOrder cart, MemberContext member, EarningUsage usage) =>
        EvaluateOrder(ruleSet, cart, member, usage, isQuote: true);

    /// <summary>Evaluates an activity (sign-up, review, survey, birthday, referral, custom event).</summary>
    /// <param name="ruleSet">The rule set in force at <see cref="ActivityInput.OccurredAt"/>.</param>
    /// <param name="activity">The activity.</param>
    /// <param name="member">The member's context.</param>
    /// <param name="usage">Usage so far.</param>
    /// <returns>The result, with one entry per rule (order rules are <see cref="RuleOutcome.NotApplicable"/>).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public EarningResult Evaluate(EarningRuleSet ruleSet, ActivityInput activity, MemberContext member, EarningUsage usage)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(usage);
        var context = new EvaluationContext(null, activity, member, activity.OccurredAt.InZone(ruleSet.TimeZone).LocalDateTime);
        return Run(ruleSet, context, usage, null, activity.Member, activity.OccurredAt, lineCount: 0, currencyMismatch: false, isQuote: false);
    }

    /// <summary>
    /// Computes the points to take back for a refund, pinned to the recorded result: never
    /// re-evaluated with today's rules. Cumulative: the previous refunds of the same order are
    /// given so that any sequence of partial refunds never takes back more than was awarded, and a
    /// full refund takes back exactly the award.
    /// </summary>
    /// <param name="order">The original order.</param>
    /// <param name="recorded">The result recorded for it.</param>
    /// <param name="previousRefunds">The refunds of this order already processed (oldest first), or empty.</param>
    /// <param name="refund">The new refund.</param>
    /// <returns>The points to take back per rule.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The result is not the order's, is a quote, or the refunds exceed the order.</exception>
    public RefundResult ComputeRefund(EarningOrder order, EarningResult recorded, IReadOnlyList<OrderRefund> previousRefunds, OrderRefund refund) =>
        RefundCalculator.Compute(order, recorded, previousRefunds, refund);

    private static EarningResult EvaluateOrder(EarningRuleSet ruleSet, EarningOrder order, MemberContext member, EarningUsage usage, bool isQuote)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(usage);
        var context = new EvaluationContext(order, null, member, order.PlacedAt.InZone(ruleSet.TimeZone).LocalDateTime);
        return Run(ruleSet, context, usage, order.Id, order.Member, order.PlacedAt, order.Lines.Count, order.Currency != ruleSet.Currency, isQuote);
    }

    private static EarningResult Run(EarningRuleSet ruleSet, in EvaluationContext context, EarningUsage usage, OrderId? orderId, MemberId memberId, NodaTime.Instant at, int lineCount, bool currencyMismatch, bool isQuote)
    {
        var rules = ruleSet.OrderedRules;
        var n = rules.Count;
        var slots = lineCount + 1;

        // The explanation is kept compact: one 24-byte entry per rule plus one array holding the
        // allocations of the fired rules (see RuleEvaluationList). Everything else is scratch.
        var entries = new CompactEvaluation[n];

        // Amounts are summed and weighed as integers at one scale when they fit (always, for
        // everyday prices); otherwise in decimal arithmetic. Both give the same results.
        Span<long> scaledLines = lineCount <= StackLimit / 2 ? stackalloc long[lineCount] : new long[lineCount];
        var integerAmounts = ScaledAmounts.TryCreate(context.Order, scaledLines, out var amounts);
        Span<long> integerWeights = slots <= StackLimit / 2 ? stackalloc long[slots] : new long[slots];
        Span<decimal> weights = integerAmounts ? default : slots <= StackLimit / 4 ? stackalloc decimal[slots] : new decimal[slots];
        Span<long> scratch = n * slots <= StackLimit ? stackalloc long[n * slots] : new long[n * slots];
        Span<long> awardedByRule = n <= StackLimit / 2 ? stackalloc long[n] : new long[n];
        Span<bool> groupMatched = ruleSet.GroupCount <= StackLimit ? stackalloc bool[ruleSet.GroupCount] : new bool[ruleSet.GroupCount];
        Span<int> groupBest = ruleSet.GroupCount <= StackLimit ? stackalloc int[ruleSet.GroupCount] : new int[ruleSet.GroupCount];
        groupBest.Fill(-1);
        Span<UsagePeriod> periods = n <= StackLimit / 2 ? stackalloc UsagePeriod[n] : new UsagePeriod[n];
        var groupModes = ruleSet.GroupModes;
        var groupIndex = ruleSet.GroupIndex;
        var baseRules = ruleSet.BaseRules;
        var roundings = ruleSet.Roundings;

        var stopped = false;
        var date = context.Local.Date;
        for (var i = 0; i < n; i++)
        {
            var rule = rules[i];
            var group = groupIndex[i];
            var mode = groupModes[i];
            ref var entry = ref entries[i];
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
                entry.Outcome = outcome;
                continue;
            }

            decimal desired;
            if (integerAmounts)
            {
                integerWeights.Clear();
                desired = rule.ComputeScaled(context, amounts, integerWeights, baseRules[i]);
            }
            else
            {
                weights.Clear();
                desired = rule.Compute(context, weights, baseRules[i]);
            }

            entry.Desired = desired;
            var rounded = Round(desired, roundings[i]);
            var awarded = rounded;
            if (rounded <= 0)
            {
                entry.Outcome = RuleOutcome.NothingToEarn;
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
                entry.Outcome = RuleOutcome.CapReached;
                continue;
            }

            if (integerAmounts)
            {
                Allocation.LargestRemainder(awarded, integerWeights, scratch.Slice(i * slots, slots));
            }
            else
            {
                Allocation.LargestRemainder(awarded, weights, scratch.Slice(i * slots, slots));
            }

            entry.Outcome = RuleOutcome.Fired;
            awardedByRule[i] = awarded;

            if (mode == StackingMode.BestOf)
            {
                var best = groupBest[group];
                if (best < 0 || awarded > awardedByRule[best])
                {
                    if (best >= 0)
                    {
                        entries[best].Outcome = RuleOutcome.NotBestOfGroup;
                    }

                    groupBest[group] = i;
                }
                else
                {
                    entry.Outcome = RuleOutcome.NotBestOfGroup;
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
        var thresholdTerms = ruleSet.ThresholdTerms;
        for (var i = 0; i < n; i++)
        {
            if (entries[i].Outcome == RuleOutcome.Fired)
            {
                fired++;
                total = checked(total + awardedByRule[i]);
                var caps = rules[i].Caps;
                deltaCount += (caps?.PerMember is null ? 0 : 1) + (caps?.CampaignBudget is null ? 0 : 1);
                thresholdCount += thresholdTerms[i] is null ? 0 : 1;
            }
        }

        long[] allocations = fired == 0 ? [] : new long[fired * slots];
        RuleUsageDelta[] deltas = deltaCount == 0 ? [] : new RuleUsageDelta[deltaCount];
        ThresholdTerm[] thresholds = thresholdCount == 0 ? [] : new ThresholdTerm[thresholdCount];
        int offset = 0, d = 0, t = 0;
        for (var i = 0; i < n; i++)
        {
            ref var entry = ref entries[i];
            if (entry.Outcome != RuleOutcome.Fired)
            {
                continue;
            }

            scratch.Slice(i * slots, slots).CopyTo(allocations.AsSpan(offset, slots));
            entry.Offset = offset;
            offset += slots;
            var awarded = Points.FromInt64(awardedByRule[i]);
            var caps = rules[i].Caps;
            if (caps?.PerMember is not null)
            {
                deltas[d++] = new RuleUsageDelta(ruleSet.RuleIds[i], periods[i], awarded, 1);
            }

            if (caps?.CampaignBudget is not null)
            {
                deltas[d++] = new RuleUsageDelta(ruleSet.RuleIds[i], null, awarded, 1);
            }

            if (thresholdTerms[i] is { } term)
            {
                thresholds[t++] = term;
            }
        }

        var evaluations = new RuleEvaluationList(ruleSet, entries, allocations, slots);
        return new EarningResult(orderId, memberId, ruleSet.Version, at, isQuote, Points.FromInt64(total), lineCount, evaluations, deltas, thresholds);
    }

    internal static long Round(decimal desired, PointsRounding rounding)
    {
        // The common case without decimal arithmetic: a non-negative value whose digits fit in 63
        // bits is an integer quotient and remainder by its power of ten; the result is the same.
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(desired, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        if (bits[2] == 0 && bits[1] >= 0 && bits[3] >= 0 && scale < PowersOfTen.Length)
        {
            var mantissa = ((long)bits[1] << 32) | (uint)bits[0];
            if (scale == 0)
            {
                return mantissa;
            }

            var power = PowersOfTen[scale];
            var quotient = mantissa / power;
            var twice = (mantissa - (quotient * power)) * 2;
            return rounding switch
            {
                PointsRounding.HalfUp => twice >= power ? quotient + 1 : quotient,
                PointsRounding.HalfEven => twice > power || (twice == power && (quotient & 1) == 1) ? quotient + 1 : quotient,
                PointsRounding.Ceiling => twice > 0 ? quotient + 1 : quotient,
                _ => quotient,
            };
        }

        var rounded = rounding switch
        {
            PointsRounding.HalfUp => Math.Round(desired, MidpointRounding.AwayFromZero),
            PointsRounding.HalfEven => Math.Round(desired, MidpointRounding.ToEven),
            PointsRounding.Ceiling => Math.Ceiling(desired),
            _ => Math.Floor(desired),
        };
        return decimal.ToInt64(rounded);
    }

    private static readonly long[] PowersOfTen =
    [
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L,
        10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L, 10_000_000_000_000L, 100_000_000_000_000L,
        1_000_000_000_000_000L, 10_000_000_000_000_000L, 100_000_000_000_000_000L,
    ];
}

/// <summary>Largest-remainder allocation of whole points over weights.</summary>
/// <remarks>
/// Exact: the weights (decimal amounts or quantities) are brought to one scale as integers, so
/// every share is <c>weight × amount / sum</c> computed with integer division and remainders
/// compare exactly; ties go to the earlier slot.
/// </remarks>
internal static class Allocation
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

        LargestRemainderScaled(amount, scaled, sum, result);
    }

    /// <summary>
    /// The same allocation over integer weights (scaled amounts at one scale, quantities, or 1):
    /// the shares depend only on the ratios of the weights, so it gives exactly what the decimal
    /// overload gives for the same weights written as decimals.
    /// </summary>
    public static void LargestRemainder(long amount, ReadOnlySpan<long> weights, Span<long> result)
    {
        result.Clear();
        var only = -1;
        long sum = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            var weight = weights[i];
            if (weight != 0)
            {
                only = only == -1 ? i : -2;
                if (weight < 0 || weight > long.MaxValue - sum)
                {
                    LargestRemainderAsDecimal(amount, weights, result);
                    return;
                }

                sum += weight;
            }
        }

        if (only != -2)
        {
            // Nothing or a single slot weighs: it takes everything (the order slot when nothing weighs).
            result[only < 0 ? result.Length - 1 : only] = amount;
            return;
        }

        LargestRemainderScaled(amount, weights, sum, result);
    }

    /// <summary>Integer weights that do not fit the integer path go through the decimal overload.</summary>
    private static void LargestRemainderAsDecimal(long amount, ReadOnlySpan<long> weights, Span<long> result)
    {
        var exact = new decimal[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            exact[i] = weights[i];
        }

        LargestRemainder(amount, exact, result);
    }

    /// <summary>Largest remainder over integer weights with a positive sum.</summary>
    private static void LargestRemainderScaled(long amount, ReadOnlySpan<long> scaled, long sum, Span<long> result)
    {
        if (sum <= long.MaxValue / amount)
        {
            LargestRemainder64(amount, scaled, sum, result);
            return;
        }

        Span<Int128> remainders = scaled.Length <= MaxSlotsOnStack ? stackalloc Int128[scaled.Length] : new Int128[scaled.Length];
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
