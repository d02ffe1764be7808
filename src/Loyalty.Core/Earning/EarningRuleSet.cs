using System.Collections.Frozen;
using System.Text.Json;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Earning;

/// <summary>
/// The data form of a rule set, as stored in JSON or <c>appsettings.json</c>: nothing is
/// checked until it is turned into an <see cref="EarningRuleSet"/>.
/// </summary>
public sealed record EarningRuleSetDefinition
{
    /// <summary>The version label, e.g. <c>2026-03</c>; unique in a history.</summary>
    public string Version { get; init; } = string.Empty;

    /// <summary>From when the rule set is in force (orders placed at or after it).</summary>
    public Instant EffectiveFrom { get; init; }

    /// <summary>The programme's ISO 4217 currency code, e.g. <c>EUR</c>.</summary>
    public string Currency { get; init; } = string.Empty;

    /// <summary>The programme's IANA time zone, e.g. <c>Europe/Paris</c>.</summary>
    public string TimeZone { get; init; } = string.Empty;

    /// <summary>The stacking groups rules may refer to.</summary>
    public IReadOnlyList<RuleGroup> Groups { get; init; } = [];

    /// <summary>The rules.</summary>
    public IReadOnlyList<EarningRule> Rules { get; init; } = [];
}

/// <summary>
/// An immutable, validated, compiled set of earning rules with a version and the instant from
/// which it is in force.
/// </summary>
/// <remarks>
/// <para>Immutable and thread-safe. Create one with <see cref="Create"/>, <see cref="FromJson"/>
/// or <see cref="EarningRuleSetBuilder"/>; every problem is reported at once by an
/// <see cref="EarningRuleSetException"/>, never during evaluation.</para>
/// <para>Two rule sets are equal when their JSON forms are equal.</para>
/// </remarks>
public sealed class EarningRuleSet : IEquatable<EarningRuleSet>
{
    private readonly FrozenDictionary<RuleId, int> indexById;
    private readonly string canonicalJson;

    private EarningRuleSet(EarningRuleSetDefinition definition, Currency currency, DateTimeZone zone, string json)
    {
        Definition = definition;
        Currency = currency;
        TimeZone = zone;
        var groupModes = definition.Groups.ToDictionary(g => g.Name, g => g.Mode, StringComparer.Ordinal);

        var ordered = definition.Rules
            .OrderBy(r => r.Priority)
            .ThenBy(r => r.Id.Value, StringComparer.Ordinal)
            .ToArray();
        OrderedRules = ordered;
        indexById = ordered.Select((r, i) => (r.Id, i)).ToFrozenDictionary(p => p.Id, p => p.i);

        BaseRules = new SpendRule?[ordered.Length];
        GroupModes = new StackingMode[ordered.Length];
        GroupIndex = new int[ordered.Length];
        RuleIds = new RuleId[ordered.Length];
        Reversals = new ReversalPolicy[ordered.Length];
        Roundings = new PointsRounding[ordered.Length];
        ThresholdTerms = new ThresholdTerm?[ordered.Length];
        var groupNumbers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < ordered.Length; i++)
        {
            var rule = ordered[i];
            RuleIds[i] = rule.Id;
            Reversals[i] = rule.Reversal;
            Roundings[i] = rule.Rounding;
            if (rule is ThresholdBonusRule { Clawback: BonusClawback.ReverseBelowThreshold } threshold)
            {
                ThresholdTerms[i] = new ThresholdTerm(rule.Id, threshold.Threshold);
            }

            if (rule.BaseRuleId is { } baseId)
            {
                BaseRules[i] = (SpendRule)ordered[indexById[baseId]];
            }

            if (rule.Group is { } group)
            {
                GroupModes[i] = groupModes[group];
                if (!groupNumbers.TryGetValue(group, out var number))
                {
                    number = groupNumbers.Count;
                    groupNumbers.Add(group, number);
                }

                GroupIndex[i] = number;
            }
            else
            {
                GroupModes[i] = StackingMode.Stack;
                GroupIndex[i] = -1;
            }
        }

        GroupCount = groupNumbers.Count;
        Descriptions = ordered.Select(r => new RuleDescription(r.Id, r.Name, Describer.Describe(r, this))).ToArray();
        canonicalJson = json;
    }

    /// <summary>The version label.</summary>
    public string Version => Definition.Version;

    /// <summary>From when the rule set is in force.</summary>
    public Instant EffectiveFrom => Definition.EffectiveFrom;

    /// <summary>The programme's currency; orders in another currency earn nothing.</summary>
    public Currency Currency { get; }

    /// <summary>The programme's time zone, in which calendar conditions and periods are computed.</summary>
    public DateTimeZone TimeZone { get; }

    /// <summary>The definition the rule set was created from.</summary>
    public EarningRuleSetDefinition Definition { get; }

    /// <summary>The rules in evaluation order: priority ascending, then rule id (ordinal).</summary>
    public IReadOnlyList<EarningRule> OrderedRules { get; }

    /// <summary>A plain-language description of every rule for members, in evaluation order.</summary>
    public IReadOnlyList<RuleDescription> Descriptions { get; }

    internal SpendRule?[] BaseRules { get; }

    internal StackingMode[] GroupModes { get; }

    internal int[] GroupIndex { get; }

    internal int GroupCount { get; }

    /// <summary>The rule ids in evaluation order.</summary>
    internal RuleId[] RuleIds { get; }

    /// <summary>Each rule's reversal policy, in evaluation order.</summary>
    internal ReversalPolicy[] Reversals { get; }

    /// <summary>Each rule's rounding mode, in evaluation order.</summary>
    internal PointsRounding[] Roundings { get; }

    /// <summary>For threshold rules whose bonus a refund below the threshold takes back, the term recorded with the result; otherwise null.</summary>
    internal ThresholdTerm?[] ThresholdTerms { get; }

    /// <summary>Validates and compiles a rule set.</summary>
    /// <param name="definition">The definition.</param>
    /// <returns>The rule set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="definition"/> is null.</exception>
    /// <exception cref="EarningRuleSetException">The definition has problems; <see cref="EarningRuleSetException.Errors"/> lists all of them with their paths.</exception>
    public static EarningRuleSet Create(EarningRuleSetDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = new List<string>();
        var currency = default(Currency);
        DateTimeZone? zone = null;

        if (string.IsNullOrWhiteSpace(definition.Version))
        {
            errors.Add("version is required (e.g. \"2026-03\").");
        }

        if (!Primitives.Currency.TryFromCode(definition.Currency, out currency))
        {
            errors.Add($"currency must be an ISO 4217 code such as \"EUR\" (was \"{definition.Currency}\").");
        }

        if (string.IsNullOrEmpty(definition.TimeZone) || (zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(definition.TimeZone)) is null)
        {
            errors.Add($"timeZone must be an IANA time zone id such as \"Europe/Paris\" (was \"{definition.TimeZone}\").");
        }

        var groups = new Dictionary<string, RuleGroup>(StringComparer.Ordinal);
        var definedGroups = definition.Groups ?? [];
        for (var i = 0; i < definedGroups.Count; i++)
        {
            var group = definedGroups[i];
            var path = $"groups[{i}]";
            if (group is null)
            {
                errors.Add($"{path} must not be null.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(group.Name))
            {
                errors.Add($"{path}.name is required.");
            }
            else if (!groups.TryAdd(group.Name, group))
            {
                errors.Add($"{path}.name \"{group.Name}\" is already used by another group.");
            }

            if (!Enum.IsDefined(group.Mode))
            {
                errors.Add($"{path}.mode must be Stack, BestOf or FirstMatch (was {(int)group.Mode}).");
            }
        }

        var rules = definition.Rules ?? [];
        if (rules.Count > EarningLimits.MaxRules)
        {
            errors.Add($"rules must hold at most {EarningLimits.MaxRules} rules (was {rules.Count}); retire rules that no longer apply.");
        }

        var ids = new Dictionary<RuleId, int>();
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i] is { Id.IsDefault: false } rule && !ids.TryAdd(rule.Id, i))
            {
                errors.Add($"rules[{i}].id \"{rule.Id}\" is already used by rules[{ids[rule.Id]}].");
            }
        }

        for (var i = 0; i < rules.Count; i++)
        {
            var path = $"rules[{i}]";
            var rule = rules[i];
            if (rule is null)
            {
                errors.Add($"{path} must not be null.");
                continue;
            }

            ValidateRule(rule, path, groups, ids, rules, errors);
        }

        if (errors.Count > 0)
        {
            throw new EarningRuleSetException(errors);
        }

        // A deep copy through the canonical JSON: the caller's lists can change afterwards without
        // changing the compiled rule set.
        var json = JsonSerializer.Serialize(definition with { Groups = definedGroups, Rules = rules }, EarningJson.Options);
        var copy = JsonSerializer.Deserialize<EarningRuleSetDefinition>(json, EarningJson.Options)!;
        return new EarningRuleSet(copy, currency, zone!, json);
    }

    /// <summary>Reads, validates and compiles a rule set from JSON.</summary>
    /// <param name="json">The JSON text (the shape of <see cref="EarningRuleSetDefinition"/>, camelCase, <c>kind</c> and <c>type</c> discriminators).</param>
    /// <returns>The rule set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="EarningRuleSetException">The JSON is malformed or the rule set has problems.</exception>
    public static EarningRuleSet FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (Internal.JsonText.DescribeInvalidText(json) is { } invalid)
        {
            throw new EarningRuleSetException(invalid);
        }

        EarningRuleSetDefinition? definition;
        try
        {
            definition = JsonSerializer.Deserialize<EarningRuleSetDefinition>(json, EarningJson.Options);
        }
        catch (JsonException ex)
        {
            throw new EarningRuleSetException($"{Internal.JsonText.PathPrefix(ex)}{ex.Message}", ex);
        }
        catch (NotSupportedException ex)
        {
            // System.Text.Json refuses an object without its discriminator (an abstract rule or condition).
            throw new EarningRuleSetException(EarningJson.MissingDiscriminator(ex), ex);
        }

        return Create(definition ?? throw new EarningRuleSetException("The JSON holds null instead of a rule set."));
    }

    /// <summary>Writes the rule set as JSON; <see cref="FromJson"/> reads it back into an equal rule set.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => canonicalJson;

    /// <summary>Finds a rule by id.</summary>
    /// <param name="id">The rule id.</param>
    /// <returns>The rule, or null.</returns>
    public EarningRule? Find(RuleId id) => indexById.TryGetValue(id, out var i) ? OrderedRules[i] : null;

    /// <summary>The plain-language description of one rule.</summary>
    /// <param name="id">The rule id.</param>
    /// <returns>The description.</returns>
    /// <exception cref="ArgumentException">No rule has this id.</exception>
    public string Describe(RuleId id) => indexById.TryGetValue(id, out var i)
        ? Descriptions[i].Text
        : throw new ArgumentException($"The rule set {Version} has no rule \"{id}\".", nameof(id));

    /// <inheritdoc />
    public bool Equals(EarningRuleSet? other) => other is not null && string.Equals(canonicalJson, other.canonicalJson, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as EarningRuleSet);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(canonicalJson);

    /// <inheritdoc />
    public override string ToString() => $"Earning rule set {Version} ({OrderedRules.Count} rules, from {EffectiveFrom})";

    private static void ValidateRule(EarningRule rule, string path, Dictionary<string, RuleGroup> groups, Dictionary<RuleId, int> ids, IReadOnlyList<EarningRule> rules, List<string> errors)
    {
        if (rule.Id.IsDefault)
        {
            errors.Add($"{path}.id is required.");
        }

        if (rule.Name is { } name && string.IsNullOrWhiteSpace(name))
        {
            errors.Add($"{path}.name must not be blank; remove it or give a name.");
        }

        if (rule.Description is { } description && string.IsNullOrWhiteSpace(description))
        {
            errors.Add($"{path}.description must not be blank; remove it to generate one.");
        }

        if (!Enum.IsDefined(rule.Rounding))
        {
            errors.Add($"{path}.rounding must be Floor, HalfUp, HalfEven or Ceiling (was {(int)rule.Rounding}).");
        }

        if (rule.Group is { } groupName)
        {
            if (!groups.TryGetValue(groupName, out var group))
            {
                errors.Add($"{path}.group \"{groupName}\" is not declared; add it to groups or remove it.");
            }
            else if (rule.Exclusive && group.Mode == StackingMode.BestOf)
            {
                errors.Add($"{path}.exclusive cannot be used in the best-of group \"{groupName}\"; make the group first-match or the rule not exclusive.");
            }
        }

        if (rule.BaseRuleId is { } baseId)
        {
            if (baseId.IsDefault)
            {
                errors.Add($"{path}.baseRule is required.");
            }
            else if (!ids.TryGetValue(baseId, out var baseIndex))
            {
                errors.Add($"{path}.baseRule \"{baseId}\" is not a rule of this set.");
            }
            else if (rules[baseIndex] is not SpendRule)
            {
                errors.Add($"{path}.baseRule \"{baseId}\" must be a spend rule.");
            }
        }

        rule.ValidateKind(path, errors);
        rule.Condition?.Validate(path + ".condition", errors);

        if (rule.Caps is { } caps)
        {
            if (caps.PerOrder is { IsPositive: false } perOrder)
            {
                errors.Add($"{path}.caps.perOrder must be greater than 0 (was {perOrder}).");
            }

            if (caps.CampaignBudget is { IsPositive: false } budget)
            {
                errors.Add($"{path}.caps.campaignBudget must be greater than 0 (was {budget}).");
            }

            if (caps.PerMember is { } perMember)
            {
                var p = path + ".caps.perMember";
                if (!Enum.IsDefined(perMember.Period))
                {
                    errors.Add($"{p}.period must be Day, Week, Month or Year (was {(int)perMember.Period}).");
                }

                if (perMember.MaxPoints is null && perMember.MaxAwards is null)
                {
                    errors.Add($"{p} must set maxPoints, maxAwards or both.");
                }

                if (perMember.MaxPoints is { IsPositive: false } maxPoints)
                {
                    errors.Add($"{p}.maxPoints must be greater than 0 (was {maxPoints}).");
                }

                if (perMember.MaxAwards is <= 0)
                {
                    errors.Add($"{p}.maxAwards must be greater than 0 (was {perMember.MaxAwards}).");
                }
            }
        }
    }
}

/// <summary>A member-facing description of one rule.</summary>
/// <param name="RuleId">The rule.</param>
/// <param name="Name">The rule's short name, or null.</param>
/// <param name="Text">The plain-language description, e.g. "Earn 1 point per EUR spent (excluding shipping, tax and gift cards)."</param>
public sealed record RuleDescription(RuleId RuleId, string? Name, string Text);
