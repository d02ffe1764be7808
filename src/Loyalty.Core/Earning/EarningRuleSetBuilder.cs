using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Earning;

/// <summary>Builds a rule set fluently in C#; <see cref="Build"/> validates it like JSON loading does.</summary>
/// <example>
/// <code>
/// var rules = new EarningRuleSetBuilder("2026-03", effectiveFrom, Currency.EUR, "Europe/Paris")
///     .EarnPerUnit("base", 1m)
///     .Multiply("shoes-x2", "base", 2m, LineSelector.ForCategories("shoes"))
///     .ThresholdBonus("big-basket", 100m, 500)
///     .Build();
/// </code>
/// </example>
/// <remarks>Not thread-safe; each method adds to the builder and returns it.</remarks>
public sealed class EarningRuleSetBuilder
{
    private readonly List<RuleGroup> groups = [];
    private readonly List<EarningRule> rules = [];
    private readonly string version;
    private readonly Instant effectiveFrom;
    private readonly Currency currency;
    private readonly string timeZone;

    /// <summary>Starts a rule set.</summary>
    /// <param name="version">The version label.</param>
    /// <param name="effectiveFrom">From when it is in force.</param>
    /// <param name="currency">The programme's currency.</param>
    /// <param name="timeZone">The programme's IANA time zone, e.g. <c>Europe/Paris</c>.</param>
    public EarningRuleSetBuilder(string version, Instant effectiveFrom, Currency currency, string timeZone)
    {
        this.version = version;
        this.effectiveFrom = effectiveFrom;
        this.currency = currency;
        this.timeZone = timeZone;
    }

    /// <summary>Declares a stacking group.</summary>
    /// <param name="name">The name rules refer to.</param>
    /// <param name="mode">How its rules combine.</param>
    /// <returns>This builder.</returns>
    public EarningRuleSetBuilder Group(string name, StackingMode mode)
    {
        groups.Add(new RuleGroup(name, mode));
        return this;
    }

    /// <summary>Adds any rule.</summary>
    /// <param name="rule">The rule.</param>
    /// <returns>This builder.</returns>
    public EarningRuleSetBuilder Add(EarningRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        rules.Add(rule);
        return this;
    }

    /// <summary>Adds a spend rule: points per currency unit of eligible spend.</summary>
    /// <param name="id">The rule id.</param>
    /// <param name="pointsPerUnit">Points per currency unit.</param>
    /// <param name="configure">Sets the rest, e.g. <c>r =&gt; r with { IncludeShipping = true }</c>.</param>
    /// <returns>This builder.</returns>
    public EarningRuleSetBuilder EarnPerUnit(string id, decimal pointsPerUnit, Func<SpendRule, SpendRule>? configure = null) =>
        Add(Configure(new SpendRule { Id = RuleId.From(id), PointsPerUnit = pointsPerUnit }, configure));

    /// <summary>Adds a multiplier on a spend rule's points for matching lines.</summary>
    /// <param name="id">The rule id.</param>
    /// <param name="baseRule">The spend rule's id.</param>
    /// <param name="multiplier">The multiplier, greater than 1.</param>
    /// <param name="lines">The lines it applies to.</param>
    /// <param name="configure">Sets the rest.</param>
    /// <returns>This builder.</returns>
    public EarningRuleSetBuilder Multiply(string id, string baseRule, decimal multiplier, LineSelector lines, Func<MultiplierRule, MultiplierRule>? configure = null) =>
        Add(Configure(new MultiplierRule { Id = RuleId.From(id), BaseRule = RuleId.From(baseRule), Multiplier = multiplier, Lines = lines }, configure));

    /// <summary>Adds a fixed bonus per order or per unit of matching products.</summary>
    /// <param name="id">The rule id.</param>
    /// <param name="points">The points.</param>
    /// <param name="per">Per order or per unit.</param>
    /// <param name="lines">The products (required per unit).</param>
    /// <param name="configure">Sets the rest.</param>
    /// <returns>This builder.</returns>
    public EarningRuleSetBuilder FixedBonus(string id, long points, BonusBasis per = BonusBasis.PerOrder, LineSelector? lines = null, Func<FixedBonusRule, FixedBonusRule>? configure = null) =>
        Add(Configure(new FixedBonusRule { Id = RuleId.From(id), Points = Points.FromInt64(points), Per = per, Lines = lines }, configure));

    /// <summary>Adds a basket threshold bonus.</summary>
    /// <param name="id">The rule id.</param>
    /// <param name="threshold">The merchandise subtotal to reach.</param>
    /// <param name="points">The bonus.</param>
    /// <param name="configure">Sets the rest, e.g. the clawback policy.</param>
    /// <returns>This builder.</returns>
    public EarningRuleSetBuilder ThresholdBonus(string id, decimal threshold, long points, Func<ThresholdBonusRule, ThresholdBonusRule>? configure = null) =>
        Add(Configure(new ThresholdBonusRule { Id = RuleId.From(id), Threshold = threshold, Points = Points.FromInt64(points) }, configure));

    /// <summary>Adds a bonus on the member's Nth order (1 = first order).</summary>
    /// <param name="id">The rule id.</param>
    /// <param name="orderNumber">Which order.</param>
    /// <param name="points">The bonus.</param>
    /// <param name="configure">Sets the rest.</param>
    /// <returns>This builder.</returns>
    public EarningRuleSetBuilder OrderCountBonus(string id, int orderNumber, long points, Func<OrderCountBonusRule, OrderCountBonusRule>? configure = null) =>
        Add(Configure(new OrderCountBonusRule { Id = RuleId.From(id), OrderNumber = orderNumber, Points = Points.FromInt64(points) }, configure));

    /// <summary>Adds a tier multiplier on a spend rule's points.</summary>
    /// <param name="id">The rule id.</param>
    /// <param name="baseRule">The spend rule's id.</param>
    /// <param name="multipliers">A per-tier table, or null to use the member context's tier multiplier.</param>
    /// <param name="configure">Sets the rest.</param>
    /// <returns>This builder.</returns>
    public EarningRuleSetBuilder TierMultiplier(string id, string baseRule, IReadOnlyList<TierMultiplier>? multipliers = null, Func<TierMultiplierRule, TierMultiplierRule>? configure = null) =>
        Add(Configure(new TierMultiplierRule { Id = RuleId.From(id), BaseRule = RuleId.From(baseRule), Multipliers = multipliers }, configure));

    /// <summary>Adds an activity rule.</summary>
    /// <param name="id">The rule id.</param>
    /// <param name="activity">The activity (for a custom event use <see cref="CustomEvent"/>).</param>
    /// <param name="points">The points.</param>
    /// <param name="configure">Sets the rest, e.g. a per-member cap.</param>
    /// <returns>This builder.</returns>
    public EarningRuleSetBuilder Activity(string id, ActivityKind activity, long points, Func<ActivityRule, ActivityRule>? configure = null) =>
        Add(Configure(new ActivityRule { Id = RuleId.From(id), Activity = activity, Points = Points.FromInt64(points) }, configure));

    /// <summary>Adds a rule for a named custom event.</summary>
    /// <param name="id">The rule id.</param>
    /// <param name="eventName">The event's name.</param>
    /// <param name="points">The points.</param>
    /// <param name="configure">Sets the rest.</param>
    /// <returns>This builder.</returns>
    public EarningRuleSetBuilder CustomEvent(string id, string eventName, long points, Func<ActivityRule, ActivityRule>? configure = null) =>
        Add(Configure(new ActivityRule { Id = RuleId.From(id), Activity = ActivityKind.Custom, EventName = eventName, Points = Points.FromInt64(points) }, configure));

    /// <summary>The definition built so far (not validated).</summary>
    /// <returns>The definition.</returns>
    public EarningRuleSetDefinition ToDefinition() => new()
    {
        Version = version,
        EffectiveFrom = effectiveFrom,
        Currency = currency.Code,
        TimeZone = timeZone,
        Groups = groups.ToArray(),
        Rules = rules.ToArray(),
    };

    /// <summary>Validates and compiles the rule set.</summary>
    /// <returns>The rule set.</returns>
    /// <exception cref="EarningRuleSetException">The rule set has problems; every one is listed with its path.</exception>
    public EarningRuleSet Build() => EarningRuleSet.Create(ToDefinition());

    private static T Configure<T>(T rule, Func<T, T>? configure)
        where T : EarningRule => configure is null ? rule : configure(rule) ?? throw new ArgumentException("configure must return the rule (e.g. r => r with { Priority = 10 }), not null.", nameof(configure));
}
