using System.Globalization;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Programs;

/// <summary>
/// The rules an order or activity is evaluated with: the programme-wide rule set in force and, at a
/// merchant that published rules of its own (a coalition partner), that merchant's rule set in force.
/// </summary>
/// <remarks>
/// <para>The two sets are evaluated separately and their points add: stacking groups, exclusive
/// rules and first-match / best-of groups act within one set only (an exclusive rule of one set never
/// skips a rule of the other), caps are per rule. The merchant's rules are evaluated, recorded and
/// counted under namespaced ids, <c>{merchant}/{rule}</c> (see <see cref="MerchantRuleNames"/>), so
/// per-member cap usage and campaign budgets of two sets, or of two merchants, never mix.</para>
/// <para>The combined result keeps the programme-wide version in <see cref="EarningResult.RuleSetVersion"/>
/// and the merchant's in <see cref="EarningResult.MerchantRuleSetVersion"/>; its rule entries are the
/// programme-wide set's followed by the merchant set's. Immutable and thread-safe.</para>
/// </remarks>
internal sealed class EarningRules
{
    private readonly MerchantRuleSet? merchantSet;

    private EarningRules(EarningRuleSet coalition, MerchantId? merchant, MerchantRuleSet? merchantSet)
    {
        Coalition = coalition;
        Merchant = merchant;
        this.merchantSet = merchantSet;
        HasCampaignBudgets = HasCampaignBudget(coalition) || (merchantSet is not null && HasCampaignBudget(merchantSet.Namespaced));
    }

    /// <summary>The programme-wide rule set.</summary>
    public EarningRuleSet Coalition { get; }

    /// <summary>The merchant whose own rule set applies on top, or null.</summary>
    public MerchantId? Merchant { get; }

    /// <summary>The merchant's own rule set as it was published, or null.</summary>
    public EarningRuleSet? MerchantRuleSet => merchantSet?.Published;

    /// <summary>Whether any rule of either set has a campaign budget.</summary>
    public bool HasCampaignBudgets { get; }

    /// <summary>Every rule of both sets (the merchant's under their namespaced ids).</summary>
    public IEnumerable<EarningRule> Rules => merchantSet is null ? Coalition.OrderedRules : Coalition.OrderedRules.Concat(merchantSet.Namespaced.OrderedRules);

    /// <summary>The programme-wide rules alone.</summary>
    public static EarningRules Of(EarningRuleSet coalition) => new(coalition, null, null);

    /// <summary>The programme-wide rules plus a merchant's.</summary>
    /// <exception cref="InvalidOperationException">A programme-wide rule has the namespaced id of one of the merchant's rules (a rule set written to the store without the programme's checks).</exception>
    public static EarningRules Of(EarningRuleSet coalition, MerchantId merchant, MerchantRuleSet? merchantSet)
    {
        if (merchantSet is null)
        {
            return new(coalition, merchant, null);
        }

        foreach (var id in merchantSet.Namespaced.RuleIds)
        {
            if (coalition.Find(id) is not null)
            {
                throw new InvalidOperationException(
                    $"Rule \"{id}\" of the programme's rule set {coalition.Version} has the id merchant '{merchant}''s rule \"{MerchantRuleNames.Local(id)}\" (rule set {merchantSet.Published.Version}) is recorded under, so nothing is recorded; publish a programme rule set without it.");
            }
        }

        return new(coalition, merchant, merchantSet);
    }

    /// <summary>Evaluates an order with both sets.</summary>
    public EarningResult Evaluate(EarningOrder order, MemberContext member, EarningUsage usage) =>
        Combine(EarningEngine.Instance.Evaluate(Coalition, order, member, usage), merchantSet is null ? null : EarningEngine.Instance.Evaluate(merchantSet.Namespaced, order, member, usage));

    /// <summary>Quotes a cart with both sets.</summary>
    public EarningResult Quote(EarningOrder cart, MemberContext member, EarningUsage usage) =>
        Combine(EarningEngine.Instance.Quote(Coalition, cart, member, usage), merchantSet is null ? null : EarningEngine.Instance.Quote(merchantSet.Namespaced, cart, member, usage));

    /// <summary>Evaluates an activity with both sets.</summary>
    public EarningResult Evaluate(ActivityInput activity, MemberContext member, EarningUsage usage) =>
        Combine(EarningEngine.Instance.Evaluate(Coalition, activity, member, usage), merchantSet is null ? null : EarningEngine.Instance.Evaluate(merchantSet.Namespaced, activity, member, usage));

    /// <summary>Finds a rule by the id it is evaluated under (namespaced for the merchant's).</summary>
    public EarningRule? Find(RuleId id) => merchantSet?.Namespaced.Find(id) ?? Coalition.Find(id);

    /// <summary>The member-facing description of a rule, and the set it belongs to; null when neither set has it.</summary>
    public (string Text, string Version, MerchantId? Merchant)? Describe(RuleId id)
    {
        if (merchantSet is not null && merchantSet.Namespaced.Find(id) is not null)
        {
            return (merchantSet.Namespaced.Describe(id), merchantSet.Published.Version, Merchant);
        }

        return Coalition.Find(id) is not null ? (Coalition.Describe(id), Coalition.Version, null) : null;
    }

    private static EarningResult Combine(EarningResult coalition, EarningResult? merchant)
    {
        if (merchant is null)
        {
            return coalition;
        }

        return new EarningResult(
            coalition.OrderId,
            coalition.Member,
            coalition.RuleSetVersion,
            coalition.OccurredAt,
            coalition.IsQuote,
            coalition.Total + merchant.Total,
            coalition.LineCount,
            [.. coalition.Rules, .. merchant.Rules],
            [.. coalition.UsageDeltas, .. merchant.UsageDeltas],
            [.. coalition.Thresholds, .. merchant.Thresholds])
        {
            MerchantRuleSetVersion = merchant.RuleSetVersion,
        };
    }

    /// <summary>Whether a rule of the set draws on a campaign budget.</summary>
    private static bool HasCampaignBudget(EarningRuleSet ruleSet)
    {
        var rules = ruleSet.OrderedRules;
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i].Caps?.CampaignBudget is not null)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A merchant's published rule set and its compiled copy with namespaced rule ids and group names.</summary>
/// <param name="Published">The rule set as published.</param>
/// <param name="Namespaced">The copy evaluated and recorded: every rule id and group name prefixed with <c>{merchant}/</c>.</param>
internal sealed record MerchantRuleSet(EarningRuleSet Published, EarningRuleSet Namespaced);

/// <summary>
/// How a merchant's rules are named once combined with the programme-wide rules: <c>{merchant}/{rule}</c>.
/// A merchant's rule ids hold no <c>/</c>, so a namespaced id names one merchant and one rule; a
/// programme-wide rule may not take an id a merchant's rule is recorded under (refused at publication
/// on both sides).
/// </summary>
internal static class MerchantRuleNames
{
    /// <summary>The separator between the merchant and its rule.</summary>
    public const char Separator = '/';

    /// <summary>The id a merchant's rule is evaluated and recorded under.</summary>
    public static RuleId Namespaced(MerchantId merchant, RuleId rule) => RuleId.From(merchant.Value + Separator + rule.Value);

    /// <summary>The merchant's own id of a namespaced rule id.</summary>
    public static string Local(RuleId id) => id.Value[(id.Value.LastIndexOf(Separator) + 1)..];

    /// <summary>The merchant and rule a programme-wide rule id would collide with, when it has the namespaced form.</summary>
    public static (MerchantId Merchant, RuleId Rule)? Split(RuleId id)
    {
        var at = id.Value.LastIndexOf(Separator);
        if (at <= 0 || at == id.Value.Length - 1)
        {
            return null;
        }

        var merchant = id.Value[..at];
        var rule = id.Value[(at + 1)..];
        return merchant.Trim() != merchant || rule.Trim() != rule ? null : (MerchantId.From(merchant), RuleId.From(rule));
    }

    /// <summary>Checks that a merchant's rule set can be namespaced, and returns the namespaced copy.</summary>
    /// <exception cref="ArgumentException">A rule id holds a <c>/</c>, or a namespaced id would be longer than an id may be.</exception>
    public static EarningRuleSet Namespace(MerchantId merchant, EarningRuleSet ruleSet, string paramName)
    {
        var prefix = merchant.Value + Separator;
        var errors = new List<string>();
        foreach (var rule in ruleSet.OrderedRules)
        {
            if (rule.Id.Value.Contains(Separator, StringComparison.Ordinal))
            {
                errors.Add($"rule \"{rule.Id}\" holds a '{Separator}'; a merchant's rule ids may not (its rules are recorded as \"{prefix}{{rule id}}\")");
            }
            else if (prefix.Length + rule.Id.Value.Length > Identifier.MaxLength)
            {
                errors.Add($"rule \"{rule.Id}\" is recorded as \"{prefix}{rule.Id}\", {(prefix.Length + rule.Id.Value.Length).ToString(CultureInfo.InvariantCulture)} characters, more than the {Identifier.MaxLength.ToString(CultureInfo.InvariantCulture)} a rule id may have; shorten it");
            }
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"Rule set {ruleSet.Version} of merchant '{merchant}' cannot be published: {string.Join("; ", errors)}.", paramName);
        }

        RuleId Ns(RuleId id) => RuleId.From(prefix + id.Value);
        string? Group(string? group) => group is null ? null : prefix + group;
        var rules = ruleSet.Definition.Rules.Select(rule => rule switch
        {
            MultiplierRule m => m with { Id = Ns(m.Id), Group = Group(m.Group), BaseRule = Ns(m.BaseRule) },
            TierMultiplierRule t => t with { Id = Ns(t.Id), Group = Group(t.Group), BaseRule = Ns(t.BaseRule) },
            _ => rule with { Id = Ns(rule.Id), Group = Group(rule.Group) },
        }).ToArray();
        var groups = ruleSet.Definition.Groups.Select(g => g with { Name = prefix + g.Name }).ToArray();
        return EarningRuleSet.Create(ruleSet.Definition with { Rules = rules, Groups = groups });
    }
}
