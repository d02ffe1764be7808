using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

public class EarningRuleSetTests
{
    private static readonly RuleId R = RuleId.From("r");

    private static EarningRuleSetDefinition Valid(params EarningRule[] rules) => new()
    {
        Version = "v1",
        EffectiveFrom = Start,
        Currency = "EUR",
        TimeZone = "Europe/Paris",
        Groups = [new RuleGroup("g", StackingMode.Stack), new RuleGroup("best", StackingMode.BestOf)],
        Rules = rules.Length == 0 ? [new SpendRule { Id = R, PointsPerUnit = 1m }] : rules,
    };

    private static SpendRule Spend => new() { Id = R, PointsPerUnit = 1m };

    private static IReadOnlyList<string> ErrorsOf(EarningRuleSetDefinition definition) =>
        FluentActions.Invoking(() => EarningRuleSet.Create(definition)).Should().Throw<EarningRuleSetException>().Which.Errors;

    public static TheoryData<EarningRuleSetDefinition, string> InvalidDefinitions() => new()
    {
        { Valid() with { Version = " " }, "version is required (e.g. \"2026-03\")." },
        { Valid() with { Currency = "EURO" }, "currency must be an ISO 4217 code such as \"EUR\" (was \"EURO\")." },
        { Valid() with { TimeZone = "Paris" }, "timeZone must be an IANA time zone id such as \"Europe/Paris\" (was \"Paris\")." },
        { Valid() with { Groups = [new RuleGroup("", StackingMode.Stack)] }, "groups[0].name is required." },
        { Valid() with { Groups = [new RuleGroup("g", StackingMode.Stack), new RuleGroup("g", StackingMode.BestOf)] }, "groups[1].name \"g\" is already used by another group." },
        { Valid() with { Groups = [new RuleGroup("g", (StackingMode)9)] }, "groups[0].mode must be Stack, BestOf or FirstMatch (was 9)." },
        { Valid(Spend, Spend), "rules[1].id \"r\" is already used by rules[0]." },
        { Valid(new SpendRule { PointsPerUnit = 1m }), "rules[0].id is required." },
        { Valid(Spend with { Name = " " }), "rules[0].name must not be blank; remove it or give a name." },
        { Valid(Spend with { Description = "" }), "rules[0].description must not be blank; remove it to generate one." },
        { Valid(Spend with { Rounding = (PointsRounding)7 }), "rules[0].rounding must be Floor, HalfUp, HalfEven or Ceiling (was 7)." },
        { Valid(Spend with { Group = "nope" }), "rules[0].group \"nope\" is not declared; add it to groups or remove it." },
        { Valid(Spend with { Group = "best", Exclusive = true }), "rules[0].exclusive cannot be used in the best-of group \"best\"; make the group first-match or the rule not exclusive." },
        { Valid(Spend with { PointsPerUnit = 0m }), "rules[0].pointsPerUnit must be greater than 0 (was 0)." },
        { Valid(Spend with { Lines = new LineSelector() }), "rules[0].lines must list at least one sku, category or brand." },
        { Valid(Spend with { ExcludedLines = new LineSelector { Brands = [" "] } }), "rules[0].excludedLines.brands[0] must not be empty." },
        { Valid(Spend, new MultiplierRule { Id = RuleId.From("m"), BaseRule = R, Multiplier = 0m, Lines = LineSelector.ForSkus("a") }), "rules[1].multiplier must be greater than 1 (was 0); to earn less on some lines use excludedLines on the spend rule." },
        { Valid(Spend, new MultiplierRule { Id = RuleId.From("m"), BaseRule = R, Multiplier = 2m }), "rules[1].lines is required." },
        { Valid(Spend, new MultiplierRule { Id = RuleId.From("m"), BaseRule = RuleId.From("x"), Multiplier = 2m, Lines = LineSelector.ForSkus("a") }), "rules[1].baseRule \"x\" is not a rule of this set." },
        { Valid(Spend, new MultiplierRule { Id = RuleId.From("m"), Multiplier = 2m, Lines = LineSelector.ForSkus("a") }), "rules[1].baseRule is required." },
        { Valid(new FixedBonusRule { Id = R, Points = Points.One }, new TierMultiplierRule { Id = RuleId.From("t"), BaseRule = R }), "rules[1].baseRule \"r\" must be a spend rule." },
        { Valid(Spend, new TierMultiplierRule { Id = RuleId.From("t"), BaseRule = R, Multipliers = [new TierMultiplier(TierId.From("gold"), 0.5m)] }), "rules[1].multipliers[0].multiplier must be 1 or greater (was 0.5)." },
        { Valid(Spend, new TierMultiplierRule { Id = RuleId.From("t"), BaseRule = R, Multipliers = [new TierMultiplier(TierId.From("gold"), 2m), new TierMultiplier(TierId.From("gold"), 3m)] }), "rules[1].multipliers[1].tier \"gold\" is listed twice." },
        { Valid(Spend, new TierMultiplierRule { Id = RuleId.From("t"), BaseRule = R, Multipliers = [new TierMultiplier(default, 2m)] }), "rules[1].multipliers[0].tier is required." },
        { Valid(new FixedBonusRule { Id = R }), "rules[0].points must be greater than 0 (was 0)." },
        { Valid(new FixedBonusRule { Id = R, Points = Points.One, Per = BonusBasis.PerUnit }), "rules[0].lines is required when per is PerUnit." },
        { Valid(new FixedBonusRule { Id = R, Points = Points.One, Per = (BonusBasis)5 }), "rules[0].per must be PerOrder or PerUnit (was 5)." },
        { Valid(new ThresholdBonusRule { Id = R, Points = Points.One }), "rules[0].threshold must be greater than 0 (was 0)." },
        { Valid(new ThresholdBonusRule { Id = R, Threshold = 10m }), "rules[0].points must be greater than 0 (was 0)." },
        { Valid(new ThresholdBonusRule { Id = R, Threshold = 10m, Points = Points.One, Clawback = (BonusClawback)3 }), "rules[0].clawback must be Keep or ReverseBelowThreshold (was 3)." },
        { Valid(new OrderCountBonusRule { Id = R, Points = Points.One }), "rules[0].orderNumber must be 1 or greater (was 0); 1 is the first order." },
        { Valid(new OrderCountBonusRule { Id = R, OrderNumber = 1, Points = Points.FromInt64(-5) }), "rules[0].points must be greater than 0 (was -5)." },
        { Valid(new ActivityRule { Id = R, Activity = ActivityKind.Custom, Points = Points.One }), "rules[0].eventName is required for a Custom activity." },
        { Valid(new ActivityRule { Id = R, Activity = ActivityKind.Review, EventName = "x", Points = Points.One }), "rules[0].eventName is only for Custom activities; remove it." },
        { Valid(new ActivityRule { Id = R, Activity = (ActivityKind)42, Points = Points.One }), "rules[0].activity must be one of SignUp, Review, Survey, Birthday, ReferralCompleted, Custom (was 42)." },
        { Valid(new ActivityRule { Id = R, Activity = ActivityKind.Review }), "rules[0].points must be greater than 0 (was 0)." },
        { Valid(Spend with { Caps = new RuleCaps { PerOrder = Points.Zero } }), "rules[0].caps.perOrder must be greater than 0 (was 0)." },
        { Valid(Spend with { Caps = new RuleCaps { CampaignBudget = Points.FromInt64(-1) } }), "rules[0].caps.campaignBudget must be greater than 0 (was -1)." },
        { Valid(Spend with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Day } } }), "rules[0].caps.perMember must set maxPoints, maxAwards or both." },
        { Valid(Spend with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = (CapPeriod)8, MaxAwards = 1 } } }), "rules[0].caps.perMember.period must be Day, Week, Month or Year (was 8)." },
        { Valid(Spend with { Caps = new RuleCaps { PerMember = new PeriodCap { MaxPoints = Points.Zero } } }), "rules[0].caps.perMember.maxPoints must be greater than 0 (was 0)." },
        { Valid(Spend with { Caps = new RuleCaps { PerMember = new PeriodCap { MaxAwards = 0 } } }), "rules[0].caps.perMember.maxAwards must be greater than 0 (was 0)." },
        { Valid(Spend with { Condition = new AllCondition() }), "rules[0].condition.conditions must hold at least one condition." },
        { Valid(Spend with { Condition = new AnyCondition { Conditions = [new ChannelCondition()] } }), "rules[0].condition.conditions[0].channels must list at least one value." },
        { Valid(Spend with { Condition = new NotCondition() }), "rules[0].condition.condition is required." },
        { Valid(Spend with { Condition = new SubtotalCondition() }), "rules[0].condition must set min, max or both." },
        { Valid(Spend with { Condition = Conditions.Subtotal(-1m) }), "rules[0].condition.min must be 0 or greater (was -1)." },
        { Valid(Spend with { Condition = Conditions.Subtotal(10m, 10m) }), "rules[0].condition.max must be greater than min (10) (was 10)." },
        { Valid(Spend with { Condition = new LineCondition() }), "rules[0].condition.lines is required." },
        { Valid(Spend with { Condition = Conditions.Store() }), "rules[0].condition.stores must list at least one store." },
        { Valid(Spend with { Condition = Conditions.Coupon("") }), "rules[0].condition.coupons[0] must not be empty." },
        { Valid(Spend with { Condition = Conditions.Segment() }), "rules[0].condition.segments must list at least one value." },
        { Valid(Spend with { Condition = Conditions.Between(null, null) }), "rules[0].condition must set from, to or both." },
        { Valid(Spend with { Condition = Conditions.Between(new LocalDate(2026, 3, 2), new LocalDate(2026, 3, 1)) }), "rules[0].condition.to must be on or after from (2026-03-02) (was 2026-03-01)." },
        { Valid(Spend with { Condition = Conditions.TimeOfDay(new LocalTime(9, 0), new LocalTime(9, 0)) }), "rules[0].condition.to must differ from from (09:00); the window would be empty." },
        { Valid(Spend with { Condition = Conditions.DaysOfWeek() }), "rules[0].condition.days must list at least one day." },
        { Valid(Spend with { Condition = Conditions.DaysOfWeek((IsoDayOfWeek)0) }), "rules[0].condition.days[0] must be a day from Monday to Sunday (was 0)." },
        { Valid(Spend with { Condition = Conditions.Tier() }), "rules[0].condition.tiers must list at least one tier." },
        { Valid(Spend with { Condition = Conditions.OrderCount() }), "rules[0].condition must set min, max or both." },
        { Valid(Spend with { Condition = Conditions.OrderCount(-1) }), "rules[0].condition.min must be 0 or greater (was -1)." },
        { Valid(Spend with { Condition = Conditions.OrderCount(3, 2) }), "rules[0].condition.max must be greater than or equal to min (3) (was 2)." },
    };

    [Theory]
    [MemberData(nameof(InvalidDefinitions), DisableDiscoveryEnumeration = true)]
    public void Every_problem_is_reported_with_its_path(EarningRuleSetDefinition definition, string expected)
    {
        ErrorsOf(definition).Should().Equal(expected);
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var definition = Valid(
            new SpendRule { Id = R, PointsPerUnit = -1m },
            new ThresholdBonusRule { Id = RuleId.From("t"), Threshold = 0m, Points = Points.One }) with { Currency = "" };

        var ex = FluentActions.Invoking(() => EarningRuleSet.Create(definition)).Should().Throw<EarningRuleSetException>().Which;

        ex.Errors.Should().Equal(
            "currency must be an ISO 4217 code such as \"EUR\" (was \"\").",
            "rules[0].pointsPerUnit must be greater than 0 (was -1).",
            "rules[1].threshold must be greater than 0 (was 0).");
        ex.Message.Should().Be(
            "The earning rule set is invalid (3 problems):" + Environment.NewLine +
            "- currency must be an ISO 4217 code such as \"EUR\" (was \"\")." + Environment.NewLine +
            "- rules[0].pointsPerUnit must be greater than 0 (was -1)." + Environment.NewLine +
            "- rules[1].threshold must be greater than 0 (was 0).");
    }

    [Fact]
    public void A_single_problem_reads_as_one_sentence()
    {
        FluentActions.Invoking(() => EarningRuleSet.Create(Valid(Spend with { PointsPerUnit = 0m })))
            .Should().Throw<EarningRuleSetException>()
            .WithMessage("The earning rule set is invalid: rules[0].pointsPerUnit must be greater than 0 (was 0).");
    }

    [Fact]
    public void Loading_json_reads_the_documented_shape()
    {
        const string json = """
            {
              "version": "2026-03",
              "effectiveFrom": "2026-03-01T00:00:00Z",
              "currency": "EUR",
              "timeZone": "Europe/Paris",
              "groups": [ { "name": "welcome", "mode": "firstMatch" } ],
              "rules": [
                { "kind": "spend", "id": "base", "pointsPerUnit": 1 },
                { "kind": "multiplier", "id": "shoes-x2", "baseRule": "base", "multiplier": 2, "lines": { "categories": [ "shoes" ] } },
                { "kind": "thresholdBonus", "id": "big", "threshold": 100, "points": 500, "clawback": "reverseBelowThreshold" },
                { "kind": "orderCountBonus", "id": "second", "orderNumber": 2, "points": 200, "group": "welcome" },
                { "kind": "activity", "id": "review", "activity": "review", "points": 20,
                  "caps": { "perMember": { "period": "month", "maxAwards": 5 } } },
                { "kind": "fixedBonus", "id": "weekend", "points": 50, "rounding": "halfEven",
                  "condition": { "type": "all", "conditions": [
                    { "type": "daysOfWeek", "days": [ "saturday", "sunday" ] },
                    { "type": "timeOfDay", "from": "08:00:00", "to": "20:00:00" },
                    { "type": "not", "condition": { "type": "channel", "channels": [ "store" ] } } ] } }
              ]
            }
            """;

        var rules = EarningRuleSet.FromJson(json);

        rules.Version.Should().Be("2026-03");
        rules.EffectiveFrom.Should().Be(Instant.FromUtc(2026, 3, 1, 0, 0));
        rules.TimeZone.Id.Should().Be("Europe/Paris");
        rules.OrderedRules.Should().HaveCount(6);
        rules.Find(RuleId.From("big")).Should().BeOfType<ThresholdBonusRule>().Which.Clawback.Should().Be(BonusClawback.ReverseBelowThreshold);
        EarningRuleSet.FromJson(rules.ToJson()).Should().Be(rules);
    }

    [Fact]
    public void Malformed_json_is_reported_with_its_path()
    {
        var ex = FluentActions.Invoking(() => EarningRuleSet.FromJson("""{ "version": "v", "rules": [ { "kind": "spend", "id": "a", "pointsPerUnit": "one" } ] }"""))
            .Should().Throw<EarningRuleSetException>().Which;
        ex.Errors.Should().ContainSingle().Which.Should().StartWith("rules[0].pointsPerUnit: ");

        FluentActions.Invoking(() => EarningRuleSet.FromJson("""{ "rules": [ { "kind": "teleport", "id": "a" } ] }"""))
            .Should().Throw<EarningRuleSetException>().Which.Errors.Should().ContainSingle().Which.Should().StartWith("rules[0]");

        FluentActions.Invoking(() => EarningRuleSet.FromJson("null"))
            .Should().Throw<EarningRuleSetException>().WithMessage("The earning rule set is invalid: The JSON holds null instead of a rule set.");

        FluentActions.Invoking(() => EarningRuleSet.FromJson("""{ "effectiveFrom": "yesterday" }"""))
            .Should().Throw<EarningRuleSetException>().Which.Errors.Should().ContainSingle()
            .Which.Should().Be("effectiveFrom: Expected an ISO 8601 UTC instant such as \"2026-03-01T00:00:00Z\" (was \"yesterday\").");
    }

    [Fact]
    public void Each_rule_has_a_plain_language_description_for_members()
    {
        var rules = Rules()
            .EarnPerUnit("base", 1m)
            .Multiply("shoes-x2", "base", 2m, LineSelector.ForCategories("shoes"))
            .ThresholdBonus("big", 100m, 500)
            .OrderCountBonus("second", 2, 200)
            .FixedBonus("eco", 15, BonusBasis.PerUnit, LineSelector.ForBrands("GreenCo"))
            .TierMultiplier("tier", "base")
            .Activity("review", ActivityKind.Review, 20, r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Month, MaxAwards = 5 } } })
            .Activity("birthday", ActivityKind.Birthday, 100, r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Year, MaxAwards = 1 } } })
            .EarnPerUnit("weekend", 2m, r => r with { Condition = Conditions.DaysOfWeek(IsoDayOfWeek.Saturday, IsoDayOfWeek.Sunday), Caps = new RuleCaps { PerOrder = Points.FromInt64(300) } })
            .FixedBonus("custom", 5, configure: r => r with { Description = "Five points, just because." })
            .Build();

        rules.Describe(RuleId.From("base")).Should().Be("Earn 1 point per EUR spent (excluding shipping, tax, gift cards and the part paid with points).");
        rules.Describe(RuleId.From("shoes-x2")).Should().Be("Earn 2× points on shoes.");
        rules.Describe(RuleId.From("big")).Should().Be("Earn 500 bonus points when your basket reaches 100 EUR.");
        rules.Describe(RuleId.From("second")).Should().Be("Earn 200 bonus points on your 2nd order.");
        rules.Describe(RuleId.From("eco")).Should().Be("Earn 15 bonus points for each item of GreenCo products.");
        rules.Describe(RuleId.From("tier")).Should().Be("Earn your tier's points multiplier on your purchases.");
        rules.Describe(RuleId.From("review")).Should().Be("Earn 20 points for each product review, at most 5 times a month.");
        rules.Describe(RuleId.From("birthday")).Should().Be("Earn 100 points on your birthday, once a year.");
        rules.Describe(RuleId.From("weekend")).Should().Be("Earn 2 points per EUR spent (excluding shipping, tax, gift cards and the part paid with points) on Saturdays and Sundays, up to 300 points per order.");
        rules.Describe(RuleId.From("custom")).Should().Be("Five points, just because.");
        rules.Descriptions.Should().HaveCount(10);
        FluentActions.Invoking(() => rules.Describe(RuleId.From("nope")))
            .Should().Throw<ArgumentException>().WithMessage("The rule set v1 has no rule \"nope\". (Parameter 'id')");
    }
}

public class EarningRuleSetImmutabilityTests
{
    [Fact]
    public void Changing_the_callers_lists_after_creation_changes_nothing()
    {
        var categories = new[] { "shoes" };
        var rules = EarningFixtures.Rules().EarnPerUnit("base", 1m).Multiply("x2", "base", 2m, new LineSelector { Categories = categories }).Build();

        categories[0] = "tops";

        var result = EarningFixtures.Evaluate(rules, EarningFixtures.Order(EarningFixtures.Line("sneaker", 10m, category: "shoes")));
        result.Total.Should().Be(Loyalty.Core.Primitives.Points.FromInt64(20));
        rules.Describe(Loyalty.Core.Primitives.RuleId.From("x2")).Should().Be("Earn 2× points on shoes.");
    }

    private static string RuleSetWith(string rule) => $$"""
        { "version": "v1", "effectiveFrom": "2026-01-01T00:00:00Z", "currency": "EUR", "timeZone": "Europe/Paris", "rules": [ {{rule}} ] }
        """;

    [Fact]
    public void A_rule_or_condition_without_its_discriminator_is_refused_with_its_path()
    {
        FluentActions.Invoking(() => EarningRuleSet.FromJson(RuleSetWith("{}"))).Should().Throw<EarningRuleSetException>()
            .WithMessage("The earning rule set is invalid: rules[0]: a rule needs its \"kind\" field; use one of spend, multiplier, fixedBonus, thresholdBonus, orderCountBonus, tierMultiplier, activity.");
        FluentActions.Invoking(() => EarningRuleSet.FromJson(RuleSetWith("""{ "kind": "fixedBonus", "id": "b", "points": 5, "condition": { "type": "not", "condition": { "days": [ "monday" ] } } }""")))
            .Should().Throw<EarningRuleSetException>()
            .WithMessage("The earning rule set is invalid: rules[0].condition.condition: a condition needs its \"type\" field; use one of all, any, not, subtotal, line, channel, store, coupon, dateWindow, timeOfDay, daysOfWeek, tier, segment, orderCount.");
    }

    [Fact]
    public void The_discriminator_may_come_after_other_fields()
    {
        EarningRuleSet.FromJson(RuleSetWith("""{ "id": "base", "pointsPerUnit": 1, "kind": "spend" }""")).OrderedRules.Should().ContainSingle().Which.Should().BeOfType<SpendRule>();
    }

    [Theory]
    [InlineData("daysOfWeek", "days", "rules[0].condition.days must list at least one day.")]
    [InlineData("tier", "tiers", "rules[0].condition.tiers must list at least one tier.")]
    [InlineData("store", "stores", "rules[0].condition.stores must list at least one store.")]
    [InlineData("channel", "channels", "rules[0].condition.channels must list at least one value.")]
    [InlineData("all", "conditions", "rules[0].condition.conditions must hold at least one condition.")]
    public void A_condition_with_a_null_list_is_refused_with_its_path(string type, string list, string error)
    {
        FluentActions.Invoking(() => EarningRuleSet.FromJson(RuleSetWith($$"""{ "kind": "fixedBonus", "id": "b", "points": 5, "condition": { "type": "{{type}}", "{{list}}": null } }""")))
            .Should().Throw<EarningRuleSetException>().WithMessage("The earning rule set is invalid: " + error);
    }

    [Fact]
    public void Text_that_is_not_valid_unicode_is_refused_with_its_position()
    {
        FluentActions.Invoking(() => EarningRuleSet.FromJson("{\n  \"version\": \"v\ud800\" }")).Should().Throw<EarningRuleSetException>()
            .WithMessage("The earning rule set is invalid: The JSON text holds an unpaired UTF-16 surrogate U+D800 at line 2, column 16; it is not valid Unicode text (check how the file was decoded).");
    }
}
