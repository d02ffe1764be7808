using System.Globalization;
using Loyalty.Core.Earning;
using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using NodaTime;

namespace Loyalty.Core.Texts;

public sealed partial class LoyaltyTexts
{
    /// <summary>
    /// The description of one rule of a rule set for members, e.g. <c>Earn 1 point per € spent (excluding
    /// shipping, …).</c> / <c>Gagnez 1 point par € dépensé (hors frais de livraison, …).</c>
    /// </summary>
    /// <param name="ruleSet">The rule set.</param>
    /// <param name="rule">The rule id.</param>
    /// <param name="culture">The culture, or null for the current UI culture.</param>
    /// <returns>The description: the shop's text for the rule in this language (<c>RuleText.&lt;id&gt;</c>), else the rule's <see cref="EarningRule.Description"/>, else one made from the rule.</returns>
    /// <exception cref="ArgumentException">The rule set has no rule with this id.</exception>
    public string DescribeRule(EarningRuleSet ruleSet, RuleId rule, CultureInfo? culture = null)
    {
        Preconditions.CheckNotNull(ruleSet);
        var found = ruleSet.Find(rule) ?? throw new ArgumentException($"The rule set {ruleSet.Version} has no rule \"{rule}\".", nameof(rule));
        return DescribeEarningRule(found, ruleSet.Currency, culture);
    }

    /// <summary>Every rule of a rule set described for members, in evaluation order.</summary>
    /// <param name="ruleSet">The rule set.</param>
    /// <param name="culture">The culture, or null for the current UI culture.</param>
    /// <returns>The descriptions.</returns>
    public IReadOnlyList<RuleDescription> DescribeRules(EarningRuleSet ruleSet, CultureInfo? culture = null)
    {
        Preconditions.CheckNotNull(ruleSet);
        var scope = new Scope(this, culture);
        return ruleSet.OrderedRules.Select(r => new RuleDescription(r.Id, r.Name, Rule(scope, r, ruleSet.Currency))).ToArray();
    }

    /// <summary>The description of a rule for members, amounts in <paramref name="currency"/>.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="currency">The currency of the rule set the rule belongs to.</param>
    /// <param name="culture">The culture, or null for the current UI culture.</param>
    /// <returns>The description (see <see cref="DescribeRule(EarningRuleSet, RuleId, CultureInfo?)"/>).</returns>
    public string DescribeEarningRule(EarningRule rule, Currency currency, CultureInfo? culture = null)
    {
        Preconditions.CheckNotNull(rule);
        return Rule(new Scope(this, culture), rule, currency);
    }

    /// <summary>A condition in words for members, e.g. <c>on Saturdays and Sundays</c> / <c>le samedi et le dimanche</c>.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="currency">The currency of the rule set (for basket amounts).</param>
    /// <param name="culture">The culture, or null for the current UI culture.</param>
    /// <returns>The text, without capital or full stop, to follow a rule's action.</returns>
    public string DescribeCondition(EarningCondition condition, Currency currency, CultureInfo? culture = null)
    {
        Preconditions.CheckNotNull(condition);
        return Condition(new Scope(this, culture), condition, currency);
    }

    /// <summary>
    /// The explanation lines of an order's, activity's or quote's points for members: for each rule, its
    /// description, why it gave nothing, the line with and without the number, and a template for a
    /// shop that formats the points itself.
    /// </summary>
    /// <param name="lines">The receipt's or quote's <c>Explanation</c>.</param>
    /// <param name="culture">The culture, or null for the current UI culture.</param>
    /// <returns>One member line per line, in the same order.</returns>
    public IReadOnlyList<MemberExplanationLine> Explain(IReadOnlyList<ExplanationLine> lines, CultureInfo? culture = null)
    {
        Preconditions.CheckNotNull(lines);
        var scope = new Scope(this, culture);
        var result = new MemberExplanationLine[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            result[i] = Explain(scope, Preconditions.CheckNotNull(lines[i]));
        }

        return result;
    }

    /// <summary>One explanation line for members (see <see cref="Explain(IReadOnlyList{ExplanationLine}, CultureInfo?)"/>).</summary>
    /// <param name="line">The line.</param>
    /// <param name="culture">The culture, or null for the current UI culture.</param>
    /// <returns>The member line.</returns>
    public MemberExplanationLine ExplainLine(ExplanationLine line, CultureInfo? culture = null) => Explain(new Scope(this, culture), Preconditions.CheckNotNull(line));

    private static MemberExplanationLine Explain(Scope scope, ExplanationLine line)
    {
        var text = line.Rule is { } rule
            ? Rule(scope, rule, line.Currency)
            : scope.Format("Explanation.UnknownRule", new TextArg("rule", line.RuleId.Value));
        var fired = line.Outcome == RuleOutcome.Fired;
        var reason = fired ? null : scope.Format(TextKeys.Outcome(line.Outcome));
        var label = fired ? text : scope.Format("Explanation.Label", new TextArg("text", text), new TextArg("reason", reason!));

        // The template keeps {points} and its plural choices; the text and reason are filled in.
        var key = fired ? "Explanation.Awarded" : "Explanation.NotAwarded";
        var template = scope.Partial(key, new TextArg("text", text), new TextArg("reason", reason ?? string.Empty));
        return new MemberExplanationLine(line.RuleId, line.Outcome, line.Points, text, reason, label, template, scope.Plural, scope.Culture);
    }

    private static string Rule(Scope scope, EarningRule rule, Currency currency)
    {
        if (scope.FindOwn(TextKeys.RuleText(rule.Id)) is { } own)
        {
            return own;
        }

        if (rule.Description is { } custom)
        {
            return custom;
        }

        var text = Action(scope, rule, currency);
        if (rule.Condition is { } condition)
        {
            text = scope.Format("Rule.WithCondition", new TextArg("action", text), new TextArg("condition", Condition(scope, condition, currency)));
        }

        if (rule.Caps is { } caps)
        {
            var limits = new List<string>();
            if (caps.PerOrder is { } perOrder)
            {
                limits.Add(scope.Format(rule is ActivityRule ? "Cap.PerActivity" : "Cap.PerOrder", scope.PointsArg("points", perOrder.Value)));
            }

            if (caps.PerMember is { } perMember)
            {
                var period = new TextArg("period", scope.Format("Period." + perMember.Period));
                if (perMember.MaxAwards is { } awards)
                {
                    limits.Add(awards == 1 ? scope.Format("Cap.Once", period) : scope.Format("Cap.Times", scope.NumberArg("count", awards), period));
                }

                if (perMember.MaxPoints is { } maxPoints)
                {
                    limits.Add(scope.Format("Cap.PointsPerPeriod", scope.PointsArg("points", maxPoints.Value), period));
                }
            }

            if (caps.CampaignBudget is not null)
            {
                limits.Add(scope.Format("Cap.Campaign"));
            }

            if (limits.Count > 0)
            {
                text = scope.Format("Rule.WithLimits", new TextArg("text", text), new TextArg("limits", scope.List(limits, "List.And")));
            }
        }

        return scope.Format("Rule.Sentence", new TextArg("text", text));
    }

    private static string Action(Scope scope, EarningRule rule, Currency currency) => rule switch
    {
        SpendRule spend => Spend(scope, spend, currency),
        MultiplierRule multiplier => scope.Format("Rule.Multiplier", scope.NumberArg("multiplier", multiplier.Multiplier), new TextArg("lines", Lines(scope, multiplier.Lines))),
        FixedBonusRule { Per: BonusBasis.PerUnit } bonus => scope.Format("Rule.FixedBonus.PerUnit", scope.PointsArg("points", bonus.Points.Value), new TextArg("lines", Lines(scope, bonus.Lines))),
        FixedBonusRule { Lines: null } bonus => scope.Format("Rule.FixedBonus.PerOrder", scope.PointsArg("points", bonus.Points.Value)),
        FixedBonusRule bonus => scope.Format("Rule.FixedBonus.PerOrderWithLines", scope.PointsArg("points", bonus.Points.Value), new TextArg("lines", Lines(scope, bonus.Lines))),
        ThresholdBonusRule threshold => scope.Format(
            "Rule.ThresholdBonus",
            scope.PointsArg("points", threshold.Points.Value),
            new TextArg("threshold", TextFormat.Money(threshold.Threshold, currency, scope.Culture), threshold.Threshold)),
        OrderCountBonusRule nth => scope.Format("Rule.OrderCountBonus", scope.PointsArg("points", nth.Points.Value), new TextArg("ordinal", scope.Ordinal(nth.OrderNumber), nth.OrderNumber)),
        TierMultiplierRule { Multipliers: null } => scope.Format("Rule.TierMultiplier"),
        TierMultiplierRule tiers => scope.Format(
            "Rule.TierMultiplier.Table",
            new TextArg("tiers", string.Join(
                scope.Format("List.Separator"),
                tiers.Multipliers!.Select(m => scope.Format("Rule.TierMultiplier.Entry", new TextArg("tier", m.Tier.Value), scope.NumberArg("multiplier", m.Multiplier)))))),
        ActivityRule activity => scope.Format(
            "Rule.Activity." + activity.Activity,
            scope.PointsArg("points", activity.Points.Value),
            new TextArg("event", activity.EventName ?? string.Empty)),
        _ => throw new NotSupportedException($"No text describes rules of kind {rule.GetType().Name}; add one to LoyaltyTexts."),
    };

    private static string Spend(Scope scope, SpendRule spend, Currency currency)
    {
        var points = scope.PointsArg("points", spend.PointsPerUnit);
        var symbol = new TextArg("currency", TextFormat.Symbol(currency, scope.Culture));
        var text = spend.Lines is { } lines
            ? scope.Format("Rule.Spend.OnLines", points, symbol, new TextArg("lines", Lines(scope, lines)))
            : scope.Format("Rule.Spend", points, symbol);
        var excluded = new List<string>();
        if (!spend.IncludeShipping)
        {
            excluded.Add(scope.Format("Rule.Spend.Excluded.Shipping"));
        }

        if (!spend.IncludeTax)
        {
            excluded.Add(scope.Format("Rule.Spend.Excluded.Tax"));
        }

        if (!spend.IncludeGiftCards)
        {
            excluded.Add(scope.Format("Rule.Spend.Excluded.GiftCards"));
        }

        if (!spend.IncludePaidWithPoints)
        {
            excluded.Add(scope.Format("Rule.Spend.Excluded.PaidWithPoints"));
        }

        if (spend.ExcludedLines is { } excludedLines)
        {
            excluded.Add(Lines(scope, excludedLines));
        }

        return excluded.Count == 0
            ? text
            : scope.Format("Rule.Spend.Excluding", new TextArg("text", text), new TextArg("excluded", scope.List(excluded, "List.And")));
    }

    private static string Lines(Scope scope, LineSelector? selector)
    {
        if (selector is null)
        {
            return string.Empty;
        }

        var parts = new List<string>(3);
        if (selector.Categories is { Count: > 0 } categories)
        {
            parts.Add(scope.Format("Lines.Categories", new TextArg("values", scope.List(categories, "List.Or"))));
        }

        if (selector.Brands is { Count: > 0 } brands)
        {
            parts.Add(scope.Format("Lines.Brands", new TextArg("values", scope.List(brands, "List.Or"))));
        }

        if (selector.Skus is { Count: > 0 } skus)
        {
            parts.Add(scope.Format("Lines.Skus", new TextArg("values", scope.List(skus, "List.Or"))));
        }

        return scope.List(parts, "List.Or");
    }

    private static string Condition(Scope scope, EarningCondition condition, Currency currency)
    {
        switch (condition)
        {
            case AllCondition all:
                return scope.List(all.Conditions.Select(c => Condition(scope, c, currency)).ToArray(), "List.And");
            case AnyCondition any:
                return scope.Format("Condition.Any", new TextArg("conditions", scope.List(any.Conditions.Select(c => Condition(scope, c, currency)).ToArray(), "List.Or")));
            case NotCondition not:
                return scope.Format("Condition.Not", new TextArg("condition", Condition(scope, not.Condition!, currency)));
            case SubtotalCondition subtotal:
                var min = subtotal.Min is { } lo ? new TextArg("min", TextFormat.Money(lo, currency, scope.Culture), lo) : default;
                var max = subtotal.Max is { } hi ? new TextArg("max", TextFormat.Money(hi, currency, scope.Culture), hi) : default;
                return (subtotal.Min, subtotal.Max) switch
                {
                    (not null, not null) => scope.Format("Condition.Subtotal.Between", min, max),
                    (not null, null) => scope.Format("Condition.Subtotal.AtLeast", min),
                    _ => scope.Format("Condition.Subtotal.Below", max),
                };
            case LineCondition line:
                return scope.Format("Condition.Line", new TextArg("lines", Lines(scope, line.Lines)));
            case ChannelCondition channel:
                return scope.Format("Condition.Channel", new TextArg("channels", scope.List(channel.Channels, "List.Or")));
            case StoreCondition store:
                return scope.Format("Condition.Store", new TextArg("stores", scope.List(store.Stores.Select(s => s.Value).ToArray(), "List.Or")));
            case CouponCondition coupon:
                return scope.Format("Condition.Coupon", new TextArg("coupons", scope.List(coupon.Coupons, "List.Or")));
            case DateWindowCondition dates:
                var from = dates.From is { } f ? new TextArg("from", scope.Date(f)) : default;
                var to = dates.To is { } t ? new TextArg("to", scope.Date(t)) : default;
                return (dates.From, dates.To) switch
                {
                    (not null, not null) => scope.Format("Condition.Dates.Between", from, to),
                    (not null, null) => scope.Format("Condition.Dates.From", from),
                    _ => scope.Format("Condition.Dates.Until", to),
                };
            case TimeOfDayCondition time:
                return scope.Format("Condition.TimeOfDay", new TextArg("from", scope.Time(time.From)), new TextArg("to", scope.Time(time.To)));
            case DaysOfWeekCondition days:
                return scope.Format("Condition.DaysOfWeek", new TextArg("days", scope.List(days.Days.Select(d => scope.Format("Day." + d)).ToArray(), "List.And")));
            case TierCondition tier:
                return scope.Format("Condition.Tier", new TextArg("tiers", scope.List(tier.Tiers.Select(x => x.Value).ToArray(), "List.Or")));
            case SegmentCondition segment:
                return scope.Format("Condition.Segment", new TextArg("segments", scope.List(segment.Segments, "List.Or")));
            case OrderCountCondition count:
                var atLeast = count.Min is { } a ? scope.NumberArg("min", a) : default;
                var atMost = count.Max is { } b ? scope.NumberArg("max", b) : default;
                return (count.Min, count.Max) switch
                {
                    (not null, not null) => scope.Format("Condition.OrderCount.Between", atLeast, atMost),
                    (not null, null) => scope.Format("Condition.OrderCount.AtLeast", atLeast),
                    _ => scope.Format("Condition.OrderCount.AtMost", atMost),
                };
            default:
                throw new NotSupportedException($"No text describes conditions of type {condition.GetType().Name}; add one to LoyaltyTexts.");
        }
    }
}
