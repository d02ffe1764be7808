using System.Globalization;
using System.Text.Json.Serialization;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Earning;

/// <summary>
/// An earning rule: what it awards (the derived type), when (its <see cref="Condition"/>), how it
/// stacks with the others (<see cref="Priority"/>, <see cref="Group"/>, <see cref="Exclusive"/>),
/// how it rounds and what caps it.
/// </summary>
/// <remarks>
/// Rules are immutable data records; they are checked and compiled when a
/// <see cref="EarningRuleSet"/> is created, never during evaluation. They serialise to JSON
/// with a <c>kind</c> field.
/// </remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(SpendRule), "spend")]
[JsonDerivedType(typeof(MultiplierRule), "multiplier")]
[JsonDerivedType(typeof(FixedBonusRule), "fixedBonus")]
[JsonDerivedType(typeof(ThresholdBonusRule), "thresholdBonus")]
[JsonDerivedType(typeof(OrderCountBonusRule), "orderCountBonus")]
[JsonDerivedType(typeof(TierMultiplierRule), "tierMultiplier")]
[JsonDerivedType(typeof(ActivityRule), "activity")]
public abstract record EarningRule
{
    private protected EarningRule()
    {
    }

    /// <summary>The rule's id, unique in its rule set; also the tie-break of the evaluation order.</summary>
    public RuleId Id { get; init; }

    /// <summary>A short name for back-office screens, or null.</summary>
    public string? Name { get; init; }

    /// <summary>The text shown to members instead of the generated description, or null to generate it.</summary>
    public string? Description { get; init; }

    /// <summary>Evaluation order: lower priorities are evaluated first; equal priorities by rule id (ordinal).</summary>
    public int Priority { get; init; }

    /// <summary>The stacking group (declared in the rule set's groups), or null to stack freely.</summary>
    public string? Group { get; init; }

    /// <summary>When true and the rule awards points, every rule after it in evaluation order is skipped.</summary>
    public bool Exclusive { get; init; }

    /// <summary>The condition under which the rule applies, or null for always.</summary>
    public EarningCondition? Condition { get; init; }

    /// <summary>How desired points are rounded (once per rule per order); <see cref="PointsRounding.Floor"/> by default.</summary>
    public PointsRounding Rounding { get; init; }

    /// <summary>The rule's caps, or null for none.</summary>
    public RuleCaps? Caps { get; init; }

    internal virtual bool IsActivityRule => false;

    /// <summary>True when the rule is about money amounts in the rule set's currency.</summary>
    internal virtual bool UsesMoney => true;

    internal virtual ReversalPolicy Reversal => ReversalPolicy.Proportional;

    internal virtual bool AppliesTo(in EvaluationContext context) => context.Order is not null;

    /// <summary>Rule-specific qualification beyond <see cref="Condition"/> (threshold reached, Nth order…).</summary>
    internal virtual bool Qualifies(in EvaluationContext context) => true;

    /// <summary>Computes the desired points and fills the allocation weights (one per line, then one for the order).</summary>
    internal abstract decimal Compute(in EvaluationContext context, Span<decimal> weights, SpendRule? baseRule);

    /// <summary>
    /// <see cref="Compute"/> on the order's amounts as integers at one scale: returns the same
    /// desired points (same value and scale) and fills integer weights that allocate exactly as
    /// the decimal ones (scaled amounts, quantities, or 1 for the order).
    /// </summary>
    internal abstract decimal ComputeScaled(in EvaluationContext context, in ScaledAmounts amounts, Span<long> weights, SpendRule? baseRule);

    internal abstract void ValidateKind(string path, List<string> errors);

    internal abstract string DescribeAction(EarningRuleSet ruleSet);

    /// <summary>The spend rule this rule builds on, or null.</summary>
    internal virtual RuleId? BaseRuleId => null;

    private protected static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private protected static void CheckPoints(Points points, string path, List<string> errors)
    {
        if (!points.IsPositive)
        {
            errors.Add($"{path}.points must be greater than 0 (was {points}).");
        }
        else if (points.Value > EarningLimits.MaxBonusPoints)
        {
            errors.Add($"{path}.points must be at most {EarningLimits.MaxBonusPoints} (was {points}).");
        }
    }
}

/// <summary>
/// Points per currency unit of eligible spend, e.g. 1 point per euro. Eligible spend is the
/// net amount of the eligible lines (after line discounts); gift cards, shipping, tax and the
/// part paid with points earn nothing unless the matching <c>Include…</c> flag is set.
/// </summary>
public sealed record SpendRule : EarningRule
{
    /// <summary>Points per one unit of the currency (e.g. 1 per euro, 0.1 per yen); greater than 0.</summary>
    public decimal PointsPerUnit { get; init; }

    /// <summary>Only lines matching this selector earn, or null for all lines.</summary>
    public LineSelector? Lines { get; init; }

    /// <summary>Lines matching this selector never earn from this rule (e.g. a category or brand exclusion), or null.</summary>
    public LineSelector? ExcludedLines { get; init; }

    /// <summary>Shipping earns too.</summary>
    public bool IncludeShipping { get; init; }

    /// <summary>Tax earns too.</summary>
    public bool IncludeTax { get; init; }

    /// <summary>Gift-card lines earn too.</summary>
    public bool IncludeGiftCards { get; init; }

    /// <summary>The part of the order paid with points earns too.</summary>
    public bool IncludePaidWithPoints { get; init; }

    internal bool IsEligible(OrderLine line) =>
        (IncludeGiftCards || !line.IsGiftCard)
        && (Lines is null || Lines.Matches(line))
        && (ExcludedLines is null || !ExcludedLines.Matches(line));

    internal decimal Factor(in EvaluationContext context) => IncludePaidWithPoints ? 1m : context.PaidInMoneyFactor;

    internal override decimal Compute(in EvaluationContext context, Span<decimal> weights, SpendRule? baseRule)
    {
        var order = context.Order!;
        var lines = order.Lines;
        decimal sum = 0m;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (IsEligible(line))
            {
                weights[i] = line.NetAmount;
                sum += line.NetAmount;
            }
        }

        decimal orderLevel = (IncludeShipping ? order.Shipping : 0m) + (IncludeTax ? order.Tax : 0m);
        weights[lines.Count] = orderLevel;
        sum += orderLevel;
        return sum * PointsPerUnit * Factor(context);
    }

    internal override decimal ComputeScaled(in EvaluationContext context, in ScaledAmounts amounts, Span<long> weights, SpendRule? baseRule)
    {
        var order = context.Order!;
        var lines = order.Lines;
        var scaled = amounts.Lines;
        long sum = 0;
        var scale = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (IsEligible(line))
            {
                weights[i] = scaled[i];
                sum += scaled[i];
                scale = Math.Max(scale, line.NetAmount.Scale);
            }
        }

        long orderLevel = 0;
        if (IncludeShipping)
        {
            orderLevel += amounts.Shipping;
            scale = Math.Max(scale, order.Shipping.Scale);
        }

        if (IncludeTax)
        {
            orderLevel += amounts.Tax;
            scale = Math.Max(scale, order.Tax.Scale);
        }

        weights[lines.Count] = orderLevel;
        sum += orderLevel;
        return ScaledAmounts.Times(ScaledAmounts.Times(amounts.ToDecimal(sum, scale), PointsPerUnit), Factor(context));
    }

    internal override void ValidateKind(string path, List<string> errors)
    {
        if (PointsPerUnit <= 0m)
        {
            errors.Add($"{path}.pointsPerUnit must be greater than 0 (was {PointsPerUnit}).");
        }
        else if (PointsPerUnit > EarningLimits.MaxPointsPerUnit)
        {
            errors.Add($"{path}.pointsPerUnit must be at most {EarningLimits.MaxPointsPerUnit} (was {PointsPerUnit}); for a weak currency award a fraction of a point per unit instead.");
        }

        Lines?.Validate(path + ".lines", errors);
        ExcludedLines?.Validate(path + ".excludedLines", errors);
    }

    internal override string DescribeAction(EarningRuleSet ruleSet)
    {
        var text = $"Earn {Number(PointsPerUnit)} {Describer.PointsWord(PointsPerUnit)} per {ruleSet.Currency} spent";
        if (Lines is not null)
        {
            text += " on " + Describer.Lines(Lines);
        }

        var excluded = new List<string>();
        if (!IncludeShipping)
        {
            excluded.Add("shipping");
        }

        if (!IncludeTax)
        {
            excluded.Add("tax");
        }

        if (!IncludeGiftCards)
        {
            excluded.Add("gift cards");
        }

        if (!IncludePaidWithPoints)
        {
            excluded.Add("the part paid with points");
        }

        if (ExcludedLines is not null)
        {
            excluded.Add(Describer.Lines(ExcludedLines));
        }

        return excluded.Count == 0 ? text : text + " (excluding " + Describer.List(excluded) + ")";
    }
}

/// <summary>
/// Multiplies what a spend rule earns on matching lines, e.g. double points on shoes: the rule
/// awards the extra <c>(Multiplier − 1) ×</c> the base rule's points on those lines, so that with
/// the base rule the member earns <c>Multiplier ×</c>. It applies whether or not the base rule
/// itself fires, on the lines the base rule counts as eligible.
/// </summary>
public sealed record MultiplierRule : EarningRule
{
    /// <summary>The spend rule whose rate is multiplied.</summary>
    public RuleId BaseRule { get; init; }

    /// <summary>The multiplier; greater than 1.</summary>
    public decimal Multiplier { get; init; }

    /// <summary>The lines the multiplier applies to.</summary>
    public LineSelector? Lines { get; init; }

    internal override RuleId? BaseRuleId => BaseRule;

    internal override decimal Compute(in EvaluationContext context, Span<decimal> weights, SpendRule? baseRule)
    {
        var lines = context.Order!.Lines;
        decimal sum = 0m;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (baseRule!.IsEligible(line) && Lines!.Matches(line))
            {
                weights[i] = line.NetAmount;
                sum += line.NetAmount;
            }
        }

        return sum * baseRule!.PointsPerUnit * (Multiplier - 1m) * baseRule.Factor(context);
    }

    internal override decimal ComputeScaled(in EvaluationContext context, in ScaledAmounts amounts, Span<long> weights, SpendRule? baseRule)
    {
        var lines = context.Order!.Lines;
        var scaled = amounts.Lines;
        long sum = 0;
        var scale = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (baseRule!.IsEligible(line) && Lines!.Matches(line))
            {
                weights[i] = scaled[i];
                sum += scaled[i];
                scale = Math.Max(scale, line.NetAmount.Scale);
            }
        }

        var points = ScaledAmounts.Times(ScaledAmounts.Times(amounts.ToDecimal(sum, scale), baseRule!.PointsPerUnit), Multiplier - 1m);
        return ScaledAmounts.Times(points, baseRule.Factor(context));
    }

    internal override void ValidateKind(string path, List<string> errors)
    {
        if (Multiplier <= 1m)
        {
            errors.Add($"{path}.multiplier must be greater than 1 (was {Multiplier}); to earn less on some lines use excludedLines on the spend rule.");
        }
        else if (Multiplier > EarningLimits.MaxMultiplier)
        {
            errors.Add($"{path}.multiplier must be at most {EarningLimits.MaxMultiplier} (was {Multiplier}).");
        }

        if (Lines is null)
        {
            errors.Add($"{path}.lines is required.");
        }
        else
        {
            Lines.Validate(path + ".lines", errors);
        }
    }

    internal override string DescribeAction(EarningRuleSet ruleSet) => $"Earn {Number(Multiplier)}× points on {Describer.Lines(Lines!)}";
}

/// <summary>A fixed number of points per order, or per unit of matching products.</summary>
public sealed record FixedBonusRule : EarningRule
{
    /// <summary>The points; greater than 0.</summary>
    public Points Points { get; init; }

    /// <summary>Per order or per unit.</summary>
    public BonusBasis Per { get; init; }

    /// <summary>
    /// For <see cref="BonusBasis.PerUnit"/>, the products that earn (required); for
    /// <see cref="BonusBasis.PerOrder"/>, when set, the order must hold at least one matching line.
    /// </summary>
    public LineSelector? Lines { get; init; }

    internal override bool UsesMoney => false;

    internal override ReversalPolicy Reversal => Per == BonusBasis.PerUnit ? ReversalPolicy.Proportional : ReversalPolicy.OnFullRefund;

    internal override bool Qualifies(in EvaluationContext context)
    {
        if (Per == BonusBasis.PerUnit || Lines is null)
        {
            return true;
        }

        var lines = context.Order!.Lines;
        for (var i = 0; i < lines.Count; i++)
        {
            if (Lines.Matches(lines[i]))
            {
                return true;
            }
        }

        return false;
    }

    internal override decimal Compute(in EvaluationContext context, Span<decimal> weights, SpendRule? baseRule)
    {
        var lines = context.Order!.Lines;
        if (Per == BonusBasis.PerOrder)
        {
            weights[lines.Count] = 1m;
            return Points.Value;
        }

        long units = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            if (Lines!.Matches(lines[i]))
            {
                weights[i] = lines[i].Quantity;
                units += lines[i].Quantity;
            }
        }

        return (decimal)Points.Value * units;
    }

    internal override decimal ComputeScaled(in EvaluationContext context, in ScaledAmounts amounts, Span<long> weights, SpendRule? baseRule)
    {
        var lines = context.Order!.Lines;
        if (Per == BonusBasis.PerOrder)
        {
            weights[lines.Count] = 1;
            return Points.Value;
        }

        long units = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            if (Lines!.Matches(lines[i]))
            {
                weights[i] = lines[i].Quantity;
                units += lines[i].Quantity;
            }
        }

        return (decimal)Points.Value * units;
    }

    internal override void ValidateKind(string path, List<string> errors)
    {
        CheckPoints(Points, path, errors);

        if (!Enum.IsDefined(Per))
        {
            errors.Add($"{path}.per must be PerOrder or PerUnit (was {(int)Per}).");
        }

        if (Lines is not null)
        {
            Lines.Validate(path + ".lines", errors);
        }
        else if (Per == BonusBasis.PerUnit)
        {
            errors.Add($"{path}.lines is required when per is PerUnit.");
        }
    }

    internal override string DescribeAction(EarningRuleSet ruleSet) => Per == BonusBasis.PerUnit
        ? $"Earn {Points} bonus points for each item of {Describer.Lines(Lines!)}"
        : Lines is null ? $"Earn {Points} bonus points per order" : $"Earn {Points} bonus points on orders with {Describer.Lines(Lines)}";
}

/// <summary>A bonus when the merchandise subtotal (after line discounts, gift cards excluded) reaches a threshold.</summary>
public sealed record ThresholdBonusRule : EarningRule
{
    /// <summary>The subtotal to reach (inclusive); greater than 0.</summary>
    public decimal Threshold { get; init; }

    /// <summary>The bonus; greater than 0.</summary>
    public Points Points { get; init; }

    /// <summary>What a refund does to the bonus.</summary>
    public BonusClawback Clawback { get; init; }

    internal override ReversalPolicy Reversal => Clawback == BonusClawback.ReverseBelowThreshold ? ReversalPolicy.BelowThreshold : ReversalPolicy.OnFullRefund;

    internal override bool Qualifies(in EvaluationContext context) => context.MerchandiseSubtotal >= Threshold;

    internal override decimal Compute(in EvaluationContext context, Span<decimal> weights, SpendRule? baseRule)
    {
        weights[context.Order!.Lines.Count] = 1m;
        return Points.Value;
    }

    internal override decimal ComputeScaled(in EvaluationContext context, in ScaledAmounts amounts, Span<long> weights, SpendRule? baseRule)
    {
        weights[context.Order!.Lines.Count] = 1;
        return Points.Value;
    }

    internal override void ValidateKind(string path, List<string> errors)
    {
        if (Threshold <= 0m)
        {
            errors.Add($"{path}.threshold must be greater than 0 (was {Threshold}).");
        }
        else if (Threshold > EarningLimits.MaxAmount)
        {
            errors.Add($"{path}.threshold must be at most {EarningLimits.MaxAmount} (was {Threshold}).");
        }

        CheckPoints(Points, path, errors);

        if (!Enum.IsDefined(Clawback))
        {
            errors.Add($"{path}.clawback must be Keep or ReverseBelowThreshold (was {(int)Clawback}).");
        }
    }

    internal override string DescribeAction(EarningRuleSet ruleSet) =>
        $"Earn {Points} bonus points when your basket reaches {Number(Threshold)} {ruleSet.Currency}";
}

/// <summary>A bonus on the member's Nth order: 1 for the first order, 2 for the second…</summary>
public sealed record OrderCountBonusRule : EarningRule
{
    /// <summary>Which order earns the bonus; 1 or greater.</summary>
    public int OrderNumber { get; init; }

    /// <summary>The bonus; greater than 0.</summary>
    public Points Points { get; init; }

    internal override bool UsesMoney => false;

    internal override ReversalPolicy Reversal => ReversalPolicy.OnFullRefund;

    internal override bool Qualifies(in EvaluationContext context) => context.Member.PreviousOrderCount + 1 == OrderNumber;

    internal override decimal Compute(in EvaluationContext context, Span<decimal> weights, SpendRule? baseRule)
    {
        weights[context.Order!.Lines.Count] = 1m;
        return Points.Value;
    }

    internal override decimal ComputeScaled(in EvaluationContext context, in ScaledAmounts amounts, Span<long> weights, SpendRule? baseRule)
    {
        weights[context.Order!.Lines.Count] = 1;
        return Points.Value;
    }

    internal override void ValidateKind(string path, List<string> errors)
    {
        if (OrderNumber < 1)
        {
            errors.Add($"{path}.orderNumber must be 1 or greater (was {OrderNumber}); 1 is the first order.");
        }

        CheckPoints(Points, path, errors);
    }

    internal override string DescribeAction(EarningRuleSet ruleSet) =>
        $"Earn {Points} bonus points on your {Describer.Ordinal(OrderNumber)} order";
}

/// <summary>
/// Multiplies what a spend rule earns by the member's tier multiplier: awards the extra
/// <c>(m − 1) ×</c> the base rule's points. <c>m</c> comes from <see cref="Multipliers"/> when
/// set (members of unlisted tiers earn no extra), otherwise from the member context's tier earn
/// multiplier. A multiplier of 1 or less earns no extra.
/// </summary>
public sealed record TierMultiplierRule : EarningRule
{
    /// <summary>The spend rule whose points are multiplied.</summary>
    public RuleId BaseRule { get; init; }

    /// <summary>A per-tier table, or null to use <see cref="MemberContext.TierEarnMultiplier"/>.</summary>
    public IReadOnlyList<TierMultiplier>? Multipliers { get; init; }

    internal override RuleId? BaseRuleId => BaseRule;

    internal override decimal Compute(in EvaluationContext context, Span<decimal> weights, SpendRule? baseRule)
    {
        var multiplier = Multiplier(context);
        if (multiplier <= 1m)
        {
            return 0m;
        }

        return baseRule!.Compute(context, weights, null) * (multiplier - 1m);
    }

    internal override decimal ComputeScaled(in EvaluationContext context, in ScaledAmounts amounts, Span<long> weights, SpendRule? baseRule)
    {
        var multiplier = Multiplier(context);
        return multiplier <= 1m ? 0m : ScaledAmounts.Times(baseRule!.ComputeScaled(context, amounts, weights, null), multiplier - 1m);
    }

    private decimal Multiplier(in EvaluationContext context)
    {
        var multiplier = context.Member.TierEarnMultiplier;
        if (Multipliers is { } table)
        {
            multiplier = 1m;
            if (context.Member.Tier is { } tier)
            {
                for (var i = 0; i < table.Count; i++)
                {
                    if (table[i].Tier == tier)
                    {
                        return table[i].Multiplier;
                    }
                }
            }
        }

        return multiplier;
    }

    internal override void ValidateKind(string path, List<string> errors)
    {
        if (Multipliers is null)
        {
            return;
        }

        var seen = new HashSet<TierId>();
        for (var i = 0; i < Multipliers.Count; i++)
        {
            var entry = Multipliers[i];
            if (entry is null)
            {
                errors.Add($"{path}.multipliers[{i}] must not be null.");
                continue;
            }

            if (entry.Tier.IsDefault)
            {
                errors.Add($"{path}.multipliers[{i}].tier is required.");
            }
            else if (!seen.Add(entry.Tier))
            {
                errors.Add($"{path}.multipliers[{i}].tier \"{entry.Tier}\" is listed twice.");
            }

            if (entry.Multiplier < 1m)
            {
                errors.Add($"{path}.multipliers[{i}].multiplier must be 1 or greater (was {entry.Multiplier}).");
            }
            else if (entry.Multiplier > EarningLimits.MaxMultiplier)
            {
                errors.Add($"{path}.multipliers[{i}].multiplier must be at most {EarningLimits.MaxMultiplier} (was {entry.Multiplier}).");
            }
        }
    }

    internal override string DescribeAction(EarningRuleSet ruleSet) => Multipliers is null
        ? "Earn your tier's points multiplier on your purchases"
        : "Earn more as you move up: " + string.Join(", ", Multipliers.Select(m => $"{m.Tier} ×{Number(m.Multiplier)}"));
}

/// <summary>
/// Points for a member activity (sign-up, review, survey, birthday, completed referral or a
/// named custom event); limits such as "5 reviews a month" or "once a year" are per-member caps.
/// </summary>
public sealed record ActivityRule : EarningRule
{
    /// <summary>The activity.</summary>
    public ActivityKind Activity { get; init; }

    /// <summary>For <see cref="ActivityKind.Custom"/>, the event name (required); otherwise null.</summary>
    public string? EventName { get; init; }

    /// <summary>The points; greater than 0.</summary>
    public Points Points { get; init; }

    internal override bool IsActivityRule => true;

    internal override bool UsesMoney => false;

    internal override ReversalPolicy Reversal => ReversalPolicy.None;

    internal override bool AppliesTo(in EvaluationContext context) =>
        context.Activity is { } activity && activity.Kind == Activity
        && (Activity != ActivityKind.Custom || string.Equals(activity.EventName, EventName, StringComparison.Ordinal));

    internal override decimal Compute(in EvaluationContext context, Span<decimal> weights, SpendRule? baseRule)
    {
        weights[^1] = 1m;
        return Points.Value;
    }

    internal override decimal ComputeScaled(in EvaluationContext context, in ScaledAmounts amounts, Span<long> weights, SpendRule? baseRule)
    {
        weights[^1] = 1;
        return Points.Value;
    }

    internal override void ValidateKind(string path, List<string> errors)
    {
        if (!Enum.IsDefined(Activity))
        {
            errors.Add($"{path}.activity must be one of {string.Join(", ", Enum.GetNames<ActivityKind>())} (was {(int)Activity}).");
        }
        else if (Activity == ActivityKind.Custom && string.IsNullOrWhiteSpace(EventName))
        {
            errors.Add($"{path}.eventName is required for a Custom activity.");
        }
        else if (Activity != ActivityKind.Custom && EventName is not null)
        {
            errors.Add($"{path}.eventName is only for Custom activities; remove it.");
        }

        CheckPoints(Points, path, errors);
    }

    internal override string DescribeAction(EarningRuleSet ruleSet) => Activity switch
    {
        ActivityKind.SignUp => $"Earn {Points} points when you join",
        ActivityKind.Review => $"Earn {Points} points for each product review",
        ActivityKind.Survey => $"Earn {Points} points for each survey you answer",
        ActivityKind.Birthday => $"Earn {Points} points on your birthday",
        ActivityKind.ReferralCompleted => $"Earn {Points} points when a friend you referred places their first order",
        _ => $"Earn {Points} points for \"{EventName}\"",
    };
}

/// <summary>How a recorded award is taken back on refund.</summary>
public enum ReversalPolicy
{
    /// <summary>In proportion to what is refunded, line by line.</summary>
    Proportional = 0,

    /// <summary>Only when the whole order is refunded.</summary>
    OnFullRefund = 1,

    /// <summary>Entirely as soon as the net order falls below the recorded threshold.</summary>
    BelowThreshold = 2,

    /// <summary>Never (activities have nothing to refund).</summary>
    None = 3,
}
