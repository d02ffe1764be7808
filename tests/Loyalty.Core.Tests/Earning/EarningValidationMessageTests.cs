using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

/// <summary>
/// Every validation path of a rule set that <see cref="EarningRuleSetTests"/> leaves open, each
/// with its exact messages, and the values at the edge of each bound, which are accepted.
/// </summary>
public class EarningValidationMessageTests
{
    private static readonly RuleId R = RuleId.From("r");

    private static SpendRule Spend => new() { Id = R, PointsPerUnit = 1m };

    private static FixedBonusRule Bonus => new() { Id = R, Points = Points.FromInt64(10) };

    private static EarningRuleSetDefinition Valid(params EarningRule[] rules) => new()
    {
        Version = "v1",
        EffectiveFrom = Start,
        Currency = "EUR",
        TimeZone = "Europe/Paris",
        Groups = [new RuleGroup("first", StackingMode.FirstMatch), new RuleGroup("best", StackingMode.BestOf), new RuleGroup("stack", StackingMode.Stack)],
        Rules = rules.Length == 0 ? [Spend] : rules,
    };

    private static IReadOnlyList<string> ErrorsOf(EarningRuleSetDefinition definition) =>
        FluentActions.Invoking(() => EarningRuleSet.Create(definition)).Should().Throw<EarningRuleSetException>().Which.Errors;

    public static TheoryData<EarningRuleSetDefinition, string[]> InvalidDefinitions() => new()
    {
        { Valid() with { Version = null! }, ["version is required (e.g. \"2026-03\")."] },
        { Valid() with { Version = "" }, ["version is required (e.g. \"2026-03\")."] },
        { Valid() with { Currency = null! }, ["currency must be an ISO 4217 code such as \"EUR\" (was \"\")."] },
        { Valid() with { TimeZone = "" }, ["timeZone must be an IANA time zone id such as \"Europe/Paris\" (was \"\")."] },
        { Valid() with { TimeZone = null! }, ["timeZone must be an IANA time zone id such as \"Europe/Paris\" (was \"\")."] },
        { Valid() with { Groups = [new RuleGroup("g", StackingMode.Stack), null!] }, ["groups[1] must not be null."] },
        { Valid() with { Groups = [new RuleGroup(null!, (StackingMode)(-1))] }, ["groups[0].name is required.", "groups[0].mode must be Stack, BestOf or FirstMatch (was -1)."] },
        { Valid() with { Rules = [Spend, null!] }, ["rules[1] must not be null."] },
        { Valid(new SpendRule { PointsPerUnit = 1m }, new FixedBonusRule { Points = Points.One }), ["rules[0].id is required.", "rules[1].id is required."] },
        { Valid(Spend, Bonus with { Id = RuleId.From("b") }, Bonus), ["rules[2].id \"r\" is already used by rules[0]."] },
        { Valid(Spend with { Name = "" }), ["rules[0].name must not be blank; remove it or give a name."] },
        { Valid(Spend with { Description = " \t" }), ["rules[0].description must not be blank; remove it to generate one."] },
        { Valid(Spend with { Rounding = (PointsRounding)(-1) }), ["rules[0].rounding must be Floor, HalfUp, HalfEven or Ceiling (was -1)."] },
        { Valid(Spend with { PointsPerUnit = -0.5m }), ["rules[0].pointsPerUnit must be greater than 0 (was -0.5)."] },
        { Valid(Spend with { PointsPerUnit = 100.01m }), ["rules[0].pointsPerUnit must be at most 100 (was 100.01); for a weak currency award a fraction of a point per unit instead."] },
        { Valid(Spend with { Lines = LineSelector.ForSkus("a", " ") }), ["rules[0].lines.skus[1] must not be empty."] },
        { Valid(Spend with { Lines = LineSelector.ForCategories("") }), ["rules[0].lines.categories[0] must not be empty."] },
        { Valid(Spend with { ExcludedLines = new LineSelector { Skus = [], Categories = [], Brands = [] } }), ["rules[0].excludedLines must list at least one sku, category or brand."] },
        { Valid(Spend, new MultiplierRule { Id = RuleId.From("m"), BaseRule = R, Multiplier = 1m, Lines = LineSelector.ForSkus("a") }), ["rules[1].multiplier must be greater than 1 (was 1); to earn less on some lines use excludedLines on the spend rule."] },
        { Valid(Spend, new MultiplierRule { Id = RuleId.From("m"), BaseRule = R, Multiplier = 100.5m, Lines = new LineSelector() }), ["rules[1].multiplier must be at most 100 (was 100.5).", "rules[1].lines must list at least one sku, category or brand."] },
        { Valid(Spend, new MultiplierRule { Id = RuleId.From("m"), BaseRule = R, Multiplier = 2m, Lines = LineSelector.ForBrands("") }), ["rules[1].lines.brands[0] must not be empty."] },
        { Valid(Bonus, new MultiplierRule { Id = RuleId.From("m"), BaseRule = R, Multiplier = 2m, Lines = LineSelector.ForSkus("a") }), ["rules[1].baseRule \"r\" must be a spend rule."] },
        { Valid(Spend, new TierMultiplierRule { Id = RuleId.From("t") }), ["rules[1].baseRule is required."] },
        { Valid(Spend, new TierMultiplierRule { Id = RuleId.From("t"), BaseRule = RuleId.From("nope") }), ["rules[1].baseRule \"nope\" is not a rule of this set."] },
        { Valid(Spend, new TierMultiplierRule { Id = RuleId.From("t"), BaseRule = R, Multipliers = [new TierMultiplier(TierId.From("gold"), 2m), null!] }), ["rules[1].multipliers[1] must not be null."] },
        { Valid(Spend, new TierMultiplierRule { Id = RuleId.From("t"), BaseRule = R, Multipliers = [new TierMultiplier(TierId.From("gold"), 2m), new TierMultiplier(TierId.From("silver"), 0.99m)] }), ["rules[1].multipliers[1].multiplier must be 1 or greater (was 0.99)."] },
        { Valid(Spend, new TierMultiplierRule { Id = RuleId.From("t"), BaseRule = R, Multipliers = [new TierMultiplier(default, 0m)] }), ["rules[1].multipliers[0].tier is required.", "rules[1].multipliers[0].multiplier must be 1 or greater (was 0)."] },
        { Valid(Bonus with { Points = Points.FromInt64(-3) }), ["rules[0].points must be greater than 0 (was -3)."] },
        { Valid(Bonus with { Points = Points.FromInt64(EarningLimits.MaxBonusPoints + 1) }), ["rules[0].points must be at most 1000000000 (was 1000000001)."] },
        { Valid(Bonus with { Per = (BonusBasis)(-1) }), ["rules[0].per must be PerOrder or PerUnit (was -1)."] },
        { Valid(Bonus with { Lines = new LineSelector() }), ["rules[0].lines must list at least one sku, category or brand."] },
        { Valid(Bonus with { Per = BonusBasis.PerUnit, Lines = LineSelector.ForSkus("") }), ["rules[0].lines.skus[0] must not be empty."] },
        { Valid(new ThresholdBonusRule { Id = R, Threshold = -1m, Points = Points.One }), ["rules[0].threshold must be greater than 0 (was -1)."] },
        { Valid(new ThresholdBonusRule { Id = R, Threshold = 1_000_000_000_000.01m, Points = Points.One }), ["rules[0].threshold must be at most 1000000000000 (was 1000000000000.01)."] },
        { Valid(new ThresholdBonusRule { Id = R, Threshold = 0m, Clawback = (BonusClawback)2 }), ["rules[0].threshold must be greater than 0 (was 0).", "rules[0].points must be greater than 0 (was 0).", "rules[0].clawback must be Keep or ReverseBelowThreshold (was 2)."] },
        { Valid(new OrderCountBonusRule { Id = R, OrderNumber = -1 }), ["rules[0].orderNumber must be 1 or greater (was -1); 1 is the first order.", "rules[0].points must be greater than 0 (was 0)."] },
        { Valid(new OrderCountBonusRule { Id = R, OrderNumber = 1, Points = Points.FromInt64(EarningLimits.MaxBonusPoints + 1) }), ["rules[0].points must be at most 1000000000 (was 1000000001)."] },
        { Valid(new ActivityRule { Id = R, Activity = ActivityKind.Custom, EventName = " ", Points = Points.One }), ["rules[0].eventName is required for a Custom activity."] },
        { Valid(new ActivityRule { Id = R, Activity = (ActivityKind)(-1), EventName = "x" }), ["rules[0].activity must be one of SignUp, Review, Survey, Birthday, ReferralCompleted, Custom (was -1).", "rules[0].points must be greater than 0 (was 0)."] },
        { Valid(new ActivityRule { Id = R, Activity = ActivityKind.SignUp, EventName = "", Points = Points.One }), ["rules[0].eventName is only for Custom activities; remove it."] },
        { Valid(Spend with { Caps = new RuleCaps { PerOrder = Points.FromInt64(-2) } }), ["rules[0].caps.perOrder must be greater than 0 (was -2)."] },
        { Valid(Spend with { Caps = new RuleCaps { CampaignBudget = Points.Zero } }), ["rules[0].caps.campaignBudget must be greater than 0 (was 0)."] },
        { Valid(Spend with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = (CapPeriod)(-1) } } }), ["rules[0].caps.perMember.period must be Day, Week, Month or Year (was -1).", "rules[0].caps.perMember must set maxPoints, maxAwards or both."] },
        { Valid(Spend with { Caps = new RuleCaps { PerMember = new PeriodCap { MaxPoints = Points.FromInt64(-5), MaxAwards = -2 } } }), ["rules[0].caps.perMember.maxPoints must be greater than 0 (was -5).", "rules[0].caps.perMember.maxAwards must be greater than 0 (was -2)."] },
        { Valid(Spend with { Caps = new RuleCaps { PerOrder = Points.Zero, PerMember = new PeriodCap { MaxAwards = 0 }, CampaignBudget = Points.Zero } }), ["rules[0].caps.perOrder must be greater than 0 (was 0).", "rules[0].caps.campaignBudget must be greater than 0 (was 0).", "rules[0].caps.perMember.maxAwards must be greater than 0 (was 0)."] },
        { Valid(Spend with { Condition = Conditions.Any(Conditions.Channel("web"), null!) }), ["rules[0].condition.conditions[1] must not be null."] },
        { Valid(Spend with { Condition = new AnyCondition { Conditions = null! } }), ["rules[0].condition.conditions must hold at least one condition."] },
        { Valid(Spend with { Condition = Conditions.All(Conditions.Channel("web"), Conditions.Channel()) }), ["rules[0].condition.conditions[1].channels must list at least one value."] },
        { Valid(Spend with { Condition = Conditions.Not(new NotCondition()) }), ["rules[0].condition.condition.condition is required."] },
        { Valid(Spend with { Condition = Conditions.Not(Conditions.Channel("web", " ")) }), ["rules[0].condition.condition.channels[1] must not be empty."] },
        { Valid(Spend with { Condition = Conditions.Store(MerchantId.From("paris"), default) }), ["rules[0].condition.stores[1] must be a store id, not default(MerchantId)."] },
        { Valid(Spend with { Condition = new StoreCondition { Stores = null! } }), ["rules[0].condition.stores must list at least one store."] },
        { Valid(Spend with { Condition = Conditions.Tier(TierId.From("gold"), default) }), ["rules[0].condition.tiers[1] must be a tier id, not default(TierId)."] },
        { Valid(Spend with { Condition = new TierCondition { Tiers = null! } }), ["rules[0].condition.tiers must list at least one tier."] },
        { Valid(Spend with { Condition = Conditions.DaysOfWeek(IsoDayOfWeek.Monday, (IsoDayOfWeek)8) }), ["rules[0].condition.days[1] must be a day from Monday to Sunday (was 8)."] },
        { Valid(Spend with { Condition = new DaysOfWeekCondition { Days = null! } }), ["rules[0].condition.days must list at least one day."] },
        { Valid(Spend with { Condition = Conditions.Segment("vip", "") }), ["rules[0].condition.segments[1] must not be empty."] },
        { Valid(Spend with { Condition = Conditions.Coupon() }), ["rules[0].condition.coupons must list at least one value."] },
        { Valid(Spend with { Condition = new CouponCondition { Coupons = null! } }), ["rules[0].condition.coupons must list at least one value."] },
        { Valid(Spend with { Condition = Conditions.AnyLine(new LineSelector()) }), ["rules[0].condition.lines must list at least one sku, category or brand."] },
        { Valid(Spend with { Condition = Conditions.AnyLine(LineSelector.ForBrands("Acme", "")) }), ["rules[0].condition.lines.brands[1] must not be empty."] },
        { Valid(Spend with { Condition = Conditions.Subtotal(-2m, -3m) }), ["rules[0].condition.min must be 0 or greater (was -2).", "rules[0].condition.max must be greater than min (-2) (was -3)."] },
        { Valid(Spend with { Condition = Conditions.Subtotal(5m, 4.99m) }), ["rules[0].condition.max must be greater than min (5) (was 4.99)."] },
        { Valid(Spend with { Condition = Conditions.OrderCount(-1, -2) }), ["rules[0].condition.min must be 0 or greater (was -1).", "rules[0].condition.max must be greater than or equal to min (-1) (was -2)."] },
        { Valid(Spend with { Condition = Conditions.Between(new LocalDate(2026, 3, 1), new LocalDate(2026, 2, 28)) }), ["rules[0].condition.to must be on or after from (2026-03-01) (was 2026-02-28)."] },
        { Valid(Spend with { Condition = Conditions.TimeOfDay(new LocalTime(0, 0), new LocalTime(0, 0)) }), ["rules[0].condition.to must differ from from (00:00); the window would be empty."] },
    };

    // One fact over every case rather than a theory: mutation runs attribute the coverage of
    // member-data theory rows poorly, and every case here pins messages no other test does.
    [Fact]
    public void Every_problem_is_reported_with_its_exact_message()
    {
        using var scope = new FluentAssertions.Execution.AssertionScope();
        foreach (var row in InvalidDefinitions())
        {
            ErrorsOf((EarningRuleSetDefinition)row[0]).Should().Equal((string[])row[1]);
        }
    }

    [Fact]
    public void Every_problem_of_the_rule_set_tests_is_reported_in_one_fact()
    {
        using var scope = new FluentAssertions.Execution.AssertionScope();
        foreach (var row in EarningRuleSetTests.InvalidDefinitions())
        {
            ErrorsOf((EarningRuleSetDefinition)row[0]).Should().Equal((string)row[1]);
        }
    }

    [Fact]
    public void The_problems_of_one_rule_are_reported_in_a_fixed_order()
    {
        var rule = new MultiplierRule
        {
            Name = " ",
            Description = "",
            Rounding = (PointsRounding)4,
            Group = "missing",
            BaseRule = RuleId.From("x"),
            Multiplier = 0m,
            Lines = LineSelector.ForSkus("a"),
            Condition = Conditions.Channel(),
            Caps = new RuleCaps { PerOrder = Points.Zero },
        };

        ErrorsOf(Valid(rule)).Should().Equal(
            "rules[0].id is required.",
            "rules[0].name must not be blank; remove it or give a name.",
            "rules[0].description must not be blank; remove it to generate one.",
            "rules[0].rounding must be Floor, HalfUp, HalfEven or Ceiling (was 4).",
            "rules[0].group \"missing\" is not declared; add it to groups or remove it.",
            "rules[0].baseRule \"x\" is not a rule of this set.",
            "rules[0].multiplier must be greater than 1 (was 0); to earn less on some lines use excludedLines on the spend rule.",
            "rules[0].condition.channels must list at least one value.",
            "rules[0].caps.perOrder must be greater than 0 (was 0).");
    }

    public static TheoryData<EarningRuleSetDefinition> ValidDefinitions() => new()
    {
        Valid() with { Groups = null!, Rules = [Spend] },
        Valid(Spend with { PointsPerUnit = EarningLimits.MaxPointsPerUnit }),
        Valid(Spend with { PointsPerUnit = 0.0000001m, Name = "base", Description = "Custom text." }),
        Valid(Spend with { Lines = new LineSelector { Skus = ["a"], Categories = ["b"] }, ExcludedLines = new LineSelector { Categories = ["c"], Brands = ["d"] } }),
        Valid(Spend with { Lines = new LineSelector { Skus = [], Brands = ["d"] } }),
        Valid(Spend, new MultiplierRule { Id = RuleId.From("m"), BaseRule = R, Multiplier = EarningLimits.MaxMultiplier, Lines = LineSelector.ForSkus("a") }),
        Valid(Spend, new MultiplierRule { Id = RuleId.From("m"), BaseRule = R, Multiplier = 1.01m, Lines = LineSelector.ForSkus("a") }),
        Valid(Spend, new TierMultiplierRule { Id = RuleId.From("t"), BaseRule = R, Multipliers = [new TierMultiplier(TierId.From("a"), 1m), new TierMultiplier(TierId.From("b"), EarningLimits.MaxMultiplier)] }),
        Valid(Spend, new TierMultiplierRule { Id = RuleId.From("t"), BaseRule = R, Multipliers = [] }),
        Valid(Bonus with { Points = Points.FromInt64(EarningLimits.MaxBonusPoints) }),
        Valid(Bonus with { Points = Points.One, Per = BonusBasis.PerUnit, Lines = LineSelector.ForSkus("a") }),
        Valid(new ThresholdBonusRule { Id = R, Threshold = EarningLimits.MaxAmount, Points = Points.One, Clawback = BonusClawback.ReverseBelowThreshold }),
        Valid(new ThresholdBonusRule { Id = R, Threshold = 0.01m, Points = Points.One }),
        Valid(new OrderCountBonusRule { Id = R, OrderNumber = 1, Points = Points.One }),
        Valid(new ActivityRule { Id = R, Activity = ActivityKind.ReferralCompleted, Points = Points.One }),
        Valid(new ActivityRule { Id = R, Activity = ActivityKind.Custom, EventName = "e", Points = Points.One }),
        Valid(Spend with { Group = "first", Exclusive = true }),
        Valid(Spend with { Group = "stack", Exclusive = true }),
        Valid(Spend with { Group = "best" }),
        Valid(Spend with { Caps = new RuleCaps() }),
        Valid(Spend with { Caps = new RuleCaps { PerOrder = Points.One, CampaignBudget = Points.One, PerMember = new PeriodCap { Period = CapPeriod.Year, MaxPoints = Points.One, MaxAwards = 1 } } }),
        Valid(Spend with { Condition = Conditions.Subtotal(0m) }),
        Valid(Spend with { Condition = Conditions.Subtotal(10m, 10.01m) }),
        Valid(Spend with { Condition = Conditions.Subtotal(max: 0.01m) }),
        Valid(Spend with { Condition = Conditions.OrderCount(0) }),
        Valid(Spend with { Condition = Conditions.OrderCount(3, 3) }),
        Valid(Spend with { Condition = Conditions.OrderCount(max: 0) }),
        Valid(Spend with { Condition = Conditions.Between(new LocalDate(2026, 3, 1), new LocalDate(2026, 3, 1)) }),
        Valid(Spend with { Condition = Conditions.Between(null, new LocalDate(2026, 3, 1)) }),
        Valid(Spend with { Condition = Conditions.TimeOfDay(new LocalTime(22, 0), new LocalTime(2, 0)) }),
        Valid(Spend with { Condition = Conditions.DaysOfWeek(IsoDayOfWeek.Monday, IsoDayOfWeek.Sunday) }),
        Valid(Spend with { Condition = Conditions.Not(Conditions.All(Conditions.Store(MerchantId.From("s")), Conditions.Tier(TierId.From("t")), Conditions.Segment("v"), Conditions.Coupon("C"))) }),
    };

    [Fact]
    public void Values_at_the_edge_of_every_bound_are_accepted()
    {
        using var scope = new FluentAssertions.Execution.AssertionScope();
        foreach (var definition in ValidDefinitions())
        {
            FluentActions.Invoking(() => EarningRuleSet.Create(definition)).Should().NotThrow().Which.OrderedRules.Should().HaveCount(definition.Rules.Count);
        }
    }

    [Fact]
    public void A_rule_set_without_groups_or_rules_is_accepted_and_earns_nothing()
    {
        var ruleSet = EarningRuleSet.Create(Valid() with { Groups = null!, Rules = null! });

        ruleSet.OrderedRules.Should().BeEmpty();
        ruleSet.Definition.Groups.Should().BeEmpty();
        ruleSet.Descriptions.Should().BeEmpty();
        Evaluate(ruleSet, Order(Line("x", 10m))).Total.Should().Be(Points.Zero);
    }

    [Fact]
    public void Exactly_the_largest_number_of_rules_is_accepted()
    {
        var builder = Rules();
        for (var i = 0; i < EarningLimits.MaxRules; i++)
        {
            builder.FixedBonus($"r{i}", 1);
        }

        builder.Build().OrderedRules.Should().HaveCount(EarningLimits.MaxRules);
    }

    [Fact]
    public void The_exception_reads_the_same_from_every_constructor()
    {
        var single = new EarningRuleSetException("rules[0].id is required.");
        single.Message.Should().Be("The earning rule set is invalid: rules[0].id is required.");
        single.Errors.Should().Equal("rules[0].id is required.");

        var empty = new EarningRuleSetException();
        empty.Message.Should().Be("The earning rule set is invalid: The rule set is invalid.");
        empty.Errors.Should().Equal("The rule set is invalid.");

        var inner = new InvalidOperationException("cause");
        var wrapped = new EarningRuleSetException("version: bad.", inner);
        wrapped.Message.Should().Be("The earning rule set is invalid: version: bad.");
        wrapped.Errors.Should().Equal("version: bad.");
        wrapped.InnerException.Should().BeSameAs(inner);

        new EarningRuleSetException(["a.", "b."]).Message.Should().Be(
            "The earning rule set is invalid (2 problems):" + Environment.NewLine + "- a." + Environment.NewLine + "- b.");
    }
}
