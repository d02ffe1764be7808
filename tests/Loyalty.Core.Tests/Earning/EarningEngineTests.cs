using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

public class EarningEngineTests
{
    private static readonly RuleId Base = RuleId.From("base");

    [Theory]
    [InlineData(PointsRounding.Floor, 12.5, 12)]
    [InlineData(PointsRounding.Floor, 12.99, 12)]
    [InlineData(PointsRounding.HalfUp, 12.5, 13)]
    [InlineData(PointsRounding.HalfUp, 12.49, 12)]
    [InlineData(PointsRounding.HalfEven, 12.5, 12)]
    [InlineData(PointsRounding.HalfEven, 13.5, 14)]
    [InlineData(PointsRounding.Ceiling, 12.01, 13)]
    [InlineData(PointsRounding.Ceiling, 12, 12)]
    public void Rounding_happens_once_per_rule_per_order(PointsRounding rounding, double amount, long expected)
    {
        var rules = Rules().EarnPerUnit("base", 1m, r => r with { Rounding = rounding }).Build();

        // Split over lines: rounding each line would differ from rounding the rule's total.
        var half = (decimal)amount / 2m;
        var result = Evaluate(rules, Order(Line("a", half), Line("b", (decimal)amount - half)));

        result[Base].Rounded.Should().Be(Points.FromInt64(expected));
        result.Total.Should().Be(Points.FromInt64(expected));
    }

    [Fact]
    public void The_explanation_refuses_an_index_outside_it()
    {
        var result = Evaluate(Rules().EarnPerUnit("base", 1m).FixedBonus("flat", 10).Build(), Order(Line("a", 20m)));

        FluentActions.Invoking(() => result.Rules[2]).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("index must be between 0 and 1 (was 2).*").WithParameterName("index");
        FluentActions.Invoking(() => result.Rules[-1]).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("index must be between 0 and 1 (was -1).*").WithParameterName("index");
    }

    [Fact]
    public void Rules_are_evaluated_by_priority_then_rule_id()
    {
        var rules = Rules()
            .FixedBonus("b", 1, configure: r => r with { Priority = 5 })
            .FixedBonus("c", 1, configure: r => r with { Priority = 1 })
            .FixedBonus("a", 1, configure: r => r with { Priority = 5 })
            .Build();

        rules.OrderedRules.Select(r => r.Id.Value).Should().Equal("c", "a", "b");
        Evaluate(rules, Order(Line("x", 1m))).Rules.Select(r => r.RuleId.Value).Should().Equal("c", "a", "b");
    }

    [Fact]
    public void An_exclusive_rule_that_fires_stops_every_later_rule()
    {
        var rules = Rules()
            .EarnPerUnit("vip-flat", 5m, r => r with { Priority = 0, Exclusive = true, Condition = Conditions.Segment("vip") })
            .EarnPerUnit("base", 1m, r => r with { Priority = 10 })
            .ThresholdBonus("big", 10m, 100, r => r with { Priority = 20 })
            .Build();

        var vip = Evaluate(rules, Order(Line("x", 20m)), new MemberContext(segments: ["vip"]));
        vip.Total.Should().Be(Points.FromInt64(100));
        vip[Base].Outcome.Should().Be(RuleOutcome.ExcludedByExclusiveRule);
        vip[RuleId.From("big")].Outcome.Should().Be(RuleOutcome.ExcludedByExclusiveRule);

        var regular = Evaluate(rules, Order(Line("x", 20m)));
        regular.Total.Should().Be(Points.FromInt64(120));
        regular[RuleId.From("vip-flat")].Outcome.Should().Be(RuleOutcome.ConditionNotMet);
    }

    [Fact]
    public void A_best_of_group_keeps_only_the_largest_award()
    {
        var rules = Rules()
            .Group("promo", StackingMode.BestOf)
            .FixedBonus("flat", 50, configure: r => r with { Group = "promo" })
            .ThresholdBonus("big", 30m, 80, r => r with { Group = "promo", Priority = 1 })
            .FixedBonus("also-50", 50, configure: r => r with { Group = "promo", Priority = 2 })
            .Build();

        var big = Evaluate(rules, Order(Line("x", 40m)));
        big.Total.Should().Be(Points.FromInt64(80));
        big[RuleId.From("flat")].Outcome.Should().Be(RuleOutcome.NotBestOfGroup);
        big[RuleId.From("flat")].Allocation.IsEmpty.Should().BeTrue();
        big[RuleId.From("also-50")].Outcome.Should().Be(RuleOutcome.NotBestOfGroup);

        var small = Evaluate(rules, Order(Line("x", 10m)));
        small.Total.Should().Be(Points.FromInt64(50));
        small[RuleId.From("flat")].Outcome.Should().Be(RuleOutcome.Fired);
        small[RuleId.From("also-50")].Outcome.Should().Be(RuleOutcome.NotBestOfGroup, "a tie keeps the earliest rule");
    }

    [Fact]
    public void A_first_match_group_keeps_the_first_rule_that_fires()
    {
        var rules = Rules()
            .Group("welcome", StackingMode.FirstMatch)
            .OrderCountBonus("first", 1, 300, r => r with { Group = "welcome", Priority = 1 })
            .FixedBonus("web", 100, configure: r => r with { Group = "welcome", Priority = 2, Condition = Conditions.Channel("web") })
            .FixedBonus("any", 10, configure: r => r with { Group = "welcome", Priority = 3 })
            .Build();
        var webOrder = new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [Line("x", 1m)], channel: "web");

        var firstOrder = Evaluate(rules, webOrder);
        firstOrder.Total.Should().Be(Points.FromInt64(300));
        firstOrder[RuleId.From("web")].Outcome.Should().Be(RuleOutcome.SkippedByFirstMatch);
        firstOrder[RuleId.From("any")].Outcome.Should().Be(RuleOutcome.SkippedByFirstMatch);

        var later = Evaluate(rules, webOrder, new MemberContext(previousOrderCount: 3));
        later.Total.Should().Be(Points.FromInt64(100));
        later[RuleId.From("first")].Outcome.Should().Be(RuleOutcome.ConditionNotMet);
    }

    [Fact]
    public void Caps_apply_after_rounding_per_order_then_per_member_period_then_campaign_budget()
    {
        var rules = Rules()
            .EarnPerUnit("promo", 10m, r => r with
            {
                Caps = new RuleCaps
                {
                    PerOrder = Points.FromInt64(500),
                    PerMember = new PeriodCap { Period = CapPeriod.Week, MaxPoints = Points.FromInt64(800) },
                    CampaignBudget = Points.FromInt64(10_000),
                },
            })
            .Build();
        var order = Order(Instant.FromUtc(2026, 3, 4, 10, 0), Line("x", 99.99m));
        var week = new UsagePeriod(CapPeriod.Week, new LocalDate(2026, 3, 2));
        var promo = RuleId.From("promo");

        var fresh = Evaluate(rules, order);
        fresh[promo].Desired.Should().Be(999.9m);
        fresh[promo].Rounded.Should().Be(Points.FromInt64(999));
        fresh[promo].Awarded.Should().Be(Points.FromInt64(500));
        fresh.UsageDeltas.Should().Equal(
            new RuleUsageDelta(promo, week, Points.FromInt64(500), 1),
            new RuleUsageDelta(promo, null, Points.FromInt64(500), 1));

        var usedThisWeek = EarningUsage.Empty.WithPeriod(promo, week, new UsageTotals(Points.FromInt64(600), 2));
        Evaluate(rules, order, usage: usedThisWeek)[promo].Awarded.Should().Be(Points.FromInt64(200));

        var budgetAlmostGone = usedThisWeek.WithCampaign(promo, Points.FromInt64(9_950));
        Evaluate(rules, order, usage: budgetAlmostGone)[promo].Awarded.Should().Be(Points.FromInt64(50));

        var budgetGone = EarningUsage.Empty.WithCampaign(promo, Points.FromInt64(10_000));
        var capped = Evaluate(rules, order, usage: budgetGone);
        capped[promo].Outcome.Should().Be(RuleOutcome.CapReached);
        capped[promo].Rounded.Should().Be(Points.FromInt64(999));
        capped.UsageDeltas.Should().BeEmpty();
    }

    [Fact]
    public void An_order_in_another_currency_earns_nothing_and_says_why()
    {
        var rules = Rules().EarnPerUnit("base", 1m).FixedBonus("flat", 10).Build();
        var order = new EarningOrder(OrderId.From("o"), Alice, Start, Currency.USD, [Line("x", 10m)]);

        var result = Evaluate(rules, order);

        result.Total.Should().Be(Points.Zero);
        result.Rules.Select(r => r.Outcome).Should().AllBeEquivalentTo(RuleOutcome.CurrencyMismatch);
    }

    [Fact]
    public void Excluded_lines_earn_nothing_and_an_order_of_only_excluded_lines_has_nothing_to_earn()
    {
        var rules = Rules().EarnPerUnit("base", 1m, r => r with { ExcludedLines = LineSelector.ForCategories("tobacco") }).Build();

        Evaluate(rules, Order(Line("cigar", 30m, category: "tobacco"), Line("lighter", 5m))).Total.Should().Be(Points.FromInt64(5));
        var nothing = Evaluate(rules, Order(Line("cigar", 30m, category: "tobacco")));
        nothing[Base].Outcome.Should().Be(RuleOutcome.NothingToEarn);
        nothing[Base].Desired.Should().Be(0m);
    }

    [Fact]
    public void Every_condition_kind_is_evaluated_on_the_order_and_member()
    {
        var store = MerchantId.From("paris-1");
        var order = new EarningOrder(OrderId.From("o"), Alice, Instant.FromUtc(2026, 3, 4, 9, 30), Currency.EUR,
            [Line("x", 50m, category: "books", brand: "Acme")], channel: "app", store: store, coupons: ["SPRING"]);
        var member = new MemberContext(tier: TierId.From("gold"), previousOrderCount: 4, segments: ["champions"]);

        EarningCondition[] trueConditions =
        [
            Conditions.Subtotal(50m, 51m), Conditions.AnyLine(LineSelector.ForBrands("Acme")), Conditions.Channel("web", "app"),
            Conditions.Store(store), Conditions.Coupon("SPRING"), Conditions.Between(new LocalDate(2026, 3, 4), null),
            Conditions.TimeOfDay(new LocalTime(10, 0), new LocalTime(11, 0)), Conditions.TimeOfDay(new LocalTime(22, 0), new LocalTime(10, 31)),
            Conditions.DaysOfWeek(IsoDayOfWeek.Wednesday), Conditions.Tier(TierId.From("gold")), Conditions.Segment("champions"),
            Conditions.OrderCount(4, 4), Conditions.Not(Conditions.Channel("web")), Conditions.Any(Conditions.Channel("web"), Conditions.Tier(TierId.From("gold"))),
        ];
        EarningCondition[] falseConditions =
        [
            Conditions.Subtotal(min: 50.01m), Conditions.Subtotal(max: 50m), Conditions.AnyLine(LineSelector.ForSkus("y")), Conditions.Channel("web"),
            Conditions.Store(MerchantId.From("lyon")), Conditions.Coupon("AUTUMN"), Conditions.Between(null, new LocalDate(2026, 3, 3)),
            Conditions.TimeOfDay(new LocalTime(11, 0), new LocalTime(12, 0)), Conditions.DaysOfWeek(IsoDayOfWeek.Saturday),
            Conditions.Tier(TierId.From("silver")), Conditions.Segment("lost"), Conditions.OrderCount(max: 3),
            Conditions.All(Conditions.Channel("app"), Conditions.Channel("web")),
        ];

        foreach (var condition in trueConditions)
        {
            var rules = Rules().FixedBonus("r", 1, configure: r => r with { Condition = condition }).Build();
            Evaluate(rules, order, member).Total.Should().Be(Points.One, condition.ToString());
        }

        foreach (var condition in falseConditions)
        {
            var rules = Rules().FixedBonus("r", 1, configure: r => r with { Condition = condition }).Build();
            Evaluate(rules, order, member).Total.Should().Be(Points.Zero, condition.ToString());
        }
    }

    [Fact]
    public void A_quote_takes_the_same_path_and_is_marked_as_a_quote()
    {
        var rules = Rules().EarnPerUnit("base", 1m).ThresholdBonus("big", 100m, 500).Build();
        var cart = Order(Line("coat", 120m));

        var quote = EarningEngine.Instance.Quote(rules, cart, MemberContext.Default, EarningUsage.Empty);
        var evaluation = Evaluate(rules, cart);

        quote.IsQuote.Should().BeTrue();
        evaluation.IsQuote.Should().BeFalse();
        quote.Total.Should().Be(evaluation.Total);
        quote.Rules.Select(r => (r.RuleId, r.Outcome, r.Awarded)).Should().Equal(evaluation.Rules.Select(r => (r.RuleId, r.Outcome, r.Awarded)));
    }

    [Fact]
    public void A_result_round_trips_through_json()
    {
        var rules = Rules().EarnPerUnit("base", 1m)
            .ThresholdBonus("big", 10m, 50, r => r with { Clawback = BonusClawback.ReverseBelowThreshold })
            .FixedBonus("weekly", 5, configure: r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Week, MaxAwards = 1 } } })
            .Build();
        var result = Evaluate(rules, Order(Line("a", 12.34m), Line("b", 7m)));

        var back = EarningResult.FromJson(result.ToJson());

        back.ToJson().Should().Be(result.ToJson());
        back.Total.Should().Be(result.Total);
        back.Rules.Select(r => r.Allocation.ToArray()).Should().BeEquivalentTo(result.Rules.Select(r => r.Allocation.ToArray()), o => o.WithStrictOrdering());
        back.UsageDeltas.Should().Equal(result.UsageDeltas);
        back.Thresholds.Should().Equal(result.Thresholds);
        back.OrderId.Should().Be(result.OrderId);
    }

    [Fact]
    public void Evaluate_rejects_null_arguments()
    {
        var rules = Rules().EarnPerUnit("base", 1m).Build();
        var engine = EarningEngine.Instance;

        FluentActions.Invoking(() => engine.Evaluate(null!, Order(Line("x", 1m)), MemberContext.Default, EarningUsage.Empty))
            .Should().Throw<ArgumentNullException>().WithParameterName("ruleSet");
        FluentActions.Invoking(() => engine.Evaluate(rules, (EarningOrder)null!, MemberContext.Default, EarningUsage.Empty))
            .Should().Throw<ArgumentNullException>().WithParameterName("order");
        FluentActions.Invoking(() => engine.Evaluate(rules, Order(Line("x", 1m)), null!, EarningUsage.Empty))
            .Should().Throw<ArgumentNullException>().WithParameterName("member");
        FluentActions.Invoking(() => engine.Evaluate(rules, Order(Line("x", 1m)), MemberContext.Default, null!))
            .Should().Throw<ArgumentNullException>().WithParameterName("usage");
        FluentActions.Invoking(() => engine.Evaluate(rules, (ActivityInput)null!, MemberContext.Default, EarningUsage.Empty))
            .Should().Throw<ArgumentNullException>().WithParameterName("activity");
    }

    [Theory]
    [InlineData(10, new[] { 1.0, 1.0, 1.0, 0.0 }, new long[] { 4, 3, 3, 0 })]
    [InlineData(3, new[] { 0.5, 0.25, 0.25, 0.0 }, new long[] { 1, 1, 1, 0 })]
    [InlineData(7, new[] { 0.0, 0.0, 0.0 }, new long[] { 0, 0, 7 })]
    [InlineData(7, new[] { 0.0, 2.5, 0.0 }, new long[] { 0, 7, 0 })]
    [InlineData(100, new[] { 79.9, 23.0, 25.0, 12.6, 0.0 }, new long[] { 57, 16, 18, 9, 0 })]
    public void Points_are_allocated_to_lines_by_largest_remainder_ties_to_the_earlier_line(long amount, double[] weights, long[] expected)
    {
        var result = new long[weights.Length];

        Allocation.LargestRemainder(amount, weights.Select(w => (decimal)w).ToArray(), result);

        result.Should().Equal(expected);
    }

    [Fact]
    public void Allocation_falls_back_to_decimal_arithmetic_for_weights_beyond_64_bits()
    {
        var result = new long[3];

        Allocation.LargestRemainder(3, [100_000_000_000_000_000_000m, 100_000_000_000_000_000_000m, 0m], result);

        result.Should().Equal(2, 1, 0);
    }
}

