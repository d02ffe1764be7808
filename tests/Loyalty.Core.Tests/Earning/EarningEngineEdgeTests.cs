using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

/// <summary>The engine's stacking, caps and explanation at their edges.</summary>
public class EarningEngineEdgeTests
{
    private static readonly RuleId Base = RuleId.From("base");
    private static readonly RuleId R = RuleId.From("r");

    private static EarningResult Review(EarningRuleSet rules, EarningUsage? usage = null, MemberContext? member = null) =>
        EarningEngine.Instance.Evaluate(rules, new ActivityInput(ActivityKind.Review, Alice, Instant.FromUtc(2026, 3, 4, 10, 0)), member ?? MemberContext.Default, usage ?? EarningUsage.Empty);

    [Fact]
    public void An_activity_rule_is_not_applicable_to_an_order_in_another_currency()
    {
        var rules = Rules().EarnPerUnit("base", 1m).Activity("welcome", ActivityKind.SignUp, 100).Build();
        var order = new EarningOrder(OrderId.From("o"), Alice, Start, Currency.USD, [Line("x", 10m)]);

        var result = Evaluate(rules, order);

        result[Base].Outcome.Should().Be(RuleOutcome.CurrencyMismatch);
        result[RuleId.From("welcome")].Outcome.Should().Be(RuleOutcome.NotApplicable);
    }

    [Fact]
    public void An_exclusive_rule_stops_later_rules_only_when_it_awards_points()
    {
        var rules = Rules()
            .EarnPerUnit("excl", 0.01m, r => r with { Priority = 0, Exclusive = true })
            .FixedBonus("bonus", 5, configure: r => r with { Priority = 1 })
            .Activity("review", ActivityKind.Review, 20, r => r with { Priority = 2 })
            .Build();

        var small = Evaluate(rules, Order(Line("x", 10m)));
        small[RuleId.From("excl")].Outcome.Should().Be(RuleOutcome.NothingToEarn);
        small[RuleId.From("bonus")].Outcome.Should().Be(RuleOutcome.Fired);
        small[RuleId.From("review")].Outcome.Should().Be(RuleOutcome.NotApplicable);

        var large = Evaluate(rules, Order(Line("x", 500m)));
        large.Total.Should().Be(Points.FromInt64(5));
        large[RuleId.From("bonus")].Outcome.Should().Be(RuleOutcome.ExcludedByExclusiveRule);
        large[RuleId.From("review")].Outcome.Should().Be(RuleOutcome.ExcludedByExclusiveRule);
    }

    [Fact]
    public void An_exclusive_rule_that_loses_its_first_match_group_stops_nothing()
    {
        var rules = Rules()
            .Group("welcome", StackingMode.FirstMatch)
            .FixedBonus("a", 10, configure: r => r with { Group = "welcome", Priority = 0 })
            .FixedBonus("b", 20, configure: r => r with { Group = "welcome", Priority = 1, Exclusive = true })
            .FixedBonus("c", 30, configure: r => r with { Priority = 2 })
            .Build();

        var result = Evaluate(rules, Order(Line("x", 1m)));

        result.Total.Should().Be(Points.FromInt64(40));
        result[RuleId.From("b")].Outcome.Should().Be(RuleOutcome.SkippedByFirstMatch);
    }

    [Fact]
    public void Stacking_groups_are_independent_of_each_other()
    {
        var rules = Rules()
            .Group("first-a", StackingMode.FirstMatch)
            .Group("first-b", StackingMode.FirstMatch)
            .Group("best-a", StackingMode.BestOf)
            .Group("best-b", StackingMode.BestOf)
            .FixedBonus("a1", 1, configure: r => r with { Group = "first-a", Priority = 0 })
            .FixedBonus("b1", 2, configure: r => r with { Group = "first-b", Priority = 1 })
            .FixedBonus("a2", 4, configure: r => r with { Group = "first-a", Priority = 2 })
            .FixedBonus("c1", 8, configure: r => r with { Group = "best-a", Priority = 3 })
            .FixedBonus("d1", 16, configure: r => r with { Group = "best-b", Priority = 4 })
            .FixedBonus("c2", 32, configure: r => r with { Group = "best-a", Priority = 5 })
            .FixedBonus("d2", 1, configure: r => r with { Group = "best-b", Priority = 6 })
            .Build();

        var result = Evaluate(rules, Order(Line("x", 1m)));

        result.Rules.Select(r => r.Outcome).Should().Equal(
            RuleOutcome.Fired, RuleOutcome.Fired, RuleOutcome.SkippedByFirstMatch, RuleOutcome.NotBestOfGroup, RuleOutcome.Fired, RuleOutcome.Fired, RuleOutcome.NotBestOfGroup);
        result.Total.Should().Be(Points.FromInt64(1 + 2 + 16 + 32));
    }

    [Fact]
    public void A_rule_that_loses_its_best_of_group_keeps_its_rounded_points_in_the_explanation()
    {
        var rules = Rules()
            .Group("best", StackingMode.BestOf)
            .EarnPerUnit("spend", 1m, r => r with { Group = "best" })
            .FixedBonus("flat", 50, configure: r => r with { Group = "best", Priority = 1 })
            .Build();

        var result = Evaluate(rules, Order(Line("x", 30.7m)));

        var spend = result[RuleId.From("spend")];
        (spend.Outcome, spend.Reversal, spend.Desired, spend.Rounded, spend.Awarded).Should().Be((RuleOutcome.NotBestOfGroup, ReversalPolicy.Proportional, 30.7m, Points.FromInt64(30), Points.Zero));
        result[RuleId.From("spend")].Allocation.IsEmpty.Should().BeTrue();
        result[RuleId.From("spend")].Fired.Should().BeFalse();
        result[RuleId.From("flat")].Fired.Should().BeTrue();
        result[RuleId.From("flat")].Allocation.ToArray().Should().Equal(0, 50);
    }

    [Fact]
    public void A_rule_whose_condition_fails_explains_zero_points()
    {
        var rules = Rules().EarnPerUnit("r", 1m, r => r with { Condition = Conditions.Channel("web") }).Build();

        var entry = Evaluate(rules, Order(Line("x", 12.5m)))[R];

        (entry.Outcome, entry.Desired, entry.Rounded, entry.Awarded, entry.Allocation.Length).Should().Be((RuleOutcome.ConditionNotMet, 0m, Points.Zero, Points.Zero, 0));
    }

    [Fact]
    public void Each_kind_of_rule_records_how_a_refund_takes_its_points_back()
    {
        var rules = Rules()
            .EarnPerUnit("spend", 1m)
            .Multiply("multiplier", "spend", 2m, LineSelector.ForSkus("x"))
            .FixedBonus("per-order", 1)
            .FixedBonus("per-unit", 1, BonusBasis.PerUnit, LineSelector.ForSkus("x"))
            .ThresholdBonus("kept", 1m, 1)
            .ThresholdBonus("reversed", 1m, 1, r => r with { Clawback = BonusClawback.ReverseBelowThreshold })
            .OrderCountBonus("first", 1, 1)
            .TierMultiplier("tier", "spend")
            .Activity("review", ActivityKind.Review, 1)
            .Build();

        var result = Evaluate(rules, Order(Line("x", 10m)));

        result.Rules.ToDictionary(r => r.RuleId.Value, r => r.Reversal).Should().Equal(new Dictionary<string, ReversalPolicy>
        {
            ["spend"] = ReversalPolicy.Proportional,
            ["multiplier"] = ReversalPolicy.Proportional,
            ["per-order"] = ReversalPolicy.OnFullRefund,
            ["per-unit"] = ReversalPolicy.Proportional,
            ["kept"] = ReversalPolicy.OnFullRefund,
            ["reversed"] = ReversalPolicy.BelowThreshold,
            ["first"] = ReversalPolicy.OnFullRefund,
            ["tier"] = ReversalPolicy.Proportional,
            ["review"] = ReversalPolicy.None,
        });
        result.Thresholds.Should().Equal(new ThresholdTerm(RuleId.From("reversed"), 1m));
    }

    [Fact]
    public void Only_reversible_thresholds_that_fired_are_recorded()
    {
        var rules = Rules()
            .ThresholdBonus("a", 10m, 5, r => r with { Clawback = BonusClawback.ReverseBelowThreshold })
            .ThresholdBonus("b", 20m, 5, r => r with { Clawback = BonusClawback.ReverseBelowThreshold })
            .ThresholdBonus("c", 5m, 5, r => r with { Clawback = BonusClawback.ReverseBelowThreshold })
            .Build();

        Evaluate(rules, Order(Line("x", 15m))).Thresholds.Should().Equal(new ThresholdTerm(RuleId.From("a"), 10m), new ThresholdTerm(RuleId.From("c"), 5m));
        Evaluate(rules, Order(Line("x", 1m))).Thresholds.Should().BeEmpty();
    }

    [Fact]
    public void A_per_member_cap_counts_awards_and_points_separately()
    {
        var rules = Rules()
            .Activity("r", ActivityKind.Review, 20, r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Month, MaxAwards = 3, MaxPoints = Points.FromInt64(50) } } })
            .Build();
        var month = new UsagePeriod(CapPeriod.Month, new LocalDate(2026, 3, 1));

        Review(rules, EarningUsage.Empty.WithPeriod(R, month, new UsageTotals(Points.FromInt64(20), 2)))[R].Awarded.Should().Be(Points.FromInt64(20));
        Review(rules, EarningUsage.Empty.WithPeriod(R, month, new UsageTotals(Points.FromInt64(40), 2)))[R].Awarded.Should().Be(Points.FromInt64(10));
        Review(rules, EarningUsage.Empty.WithPeriod(R, month, new UsageTotals(Points.FromInt64(49), 1)))[R].Awarded.Should().Be(Points.One);
        Review(rules, EarningUsage.Empty.WithPeriod(R, month, new UsageTotals(Points.FromInt64(50), 1)))[R].Outcome.Should().Be(RuleOutcome.CapReached);
        Review(rules, EarningUsage.Empty.WithPeriod(R, month, new UsageTotals(Points.FromInt64(80), 1)))[R].Outcome.Should().Be(RuleOutcome.CapReached);
        Review(rules, EarningUsage.Empty.WithPeriod(R, month, new UsageTotals(Points.Zero, 3)))[R].Outcome.Should().Be(RuleOutcome.CapReached);
        Review(rules, EarningUsage.Empty.WithPeriod(R, new UsagePeriod(CapPeriod.Month, new LocalDate(2026, 2, 1)), new UsageTotals(Points.FromInt64(50), 3)))[R].Awarded
            .Should().Be(Points.FromInt64(20), "usage of another period does not count");
    }

    [Fact]
    public void A_campaign_budget_gives_what_is_left_and_nothing_once_spent()
    {
        var rules = Rules().Activity("r", ActivityKind.Review, 20, r => r with { Caps = new RuleCaps { CampaignBudget = Points.FromInt64(100) } }).Build();

        var fresh = Review(rules);
        fresh[R].Awarded.Should().Be(Points.FromInt64(20));
        fresh.UsageDeltas.Should().Equal(new RuleUsageDelta(R, null, Points.FromInt64(20), 1));
        fresh[R].Allocation.ToArray().Should().Equal(20);
        Review(rules, EarningUsage.Empty.WithCampaign(R, Points.FromInt64(99)))[R].Awarded.Should().Be(Points.One);
        Review(rules, EarningUsage.Empty.WithCampaign(R, Points.FromInt64(100)))[R].Outcome.Should().Be(RuleOutcome.CapReached);
        var over = Review(rules, EarningUsage.Empty.WithCampaign(R, Points.FromInt64(150)));
        over[R].Outcome.Should().Be(RuleOutcome.CapReached);
        over.Total.Should().Be(Points.Zero);
        over.UsageDeltas.Should().BeEmpty();
        Review(rules, EarningUsage.Empty.WithCampaign(RuleId.From("other"), Points.FromInt64(100)))[R].Awarded.Should().Be(Points.FromInt64(20));
    }

    [Fact]
    public void A_per_order_cap_at_the_award_changes_nothing()
    {
        var rules = Rules().EarnPerUnit("r", 1m, r => r with { Caps = new RuleCaps { PerOrder = Points.FromInt64(30) } }).Build();

        Evaluate(rules, Order(Line("x", 30m)))[R].Awarded.Should().Be(Points.FromInt64(30));
        Evaluate(rules, Order(Line("x", 29m)))[R].Awarded.Should().Be(Points.FromInt64(29));
        Evaluate(rules, Order(Line("x", 31m)))[R].Awarded.Should().Be(Points.FromInt64(30));
        Evaluate(rules, Order(Line("x", 31m))).UsageDeltas.Should().BeEmpty();
    }

    [Fact]
    public void Usage_deltas_list_each_capped_rule_in_evaluation_order()
    {
        var rules = Rules()
            .FixedBonus("a", 5, configure: r => r with { Caps = new RuleCaps { CampaignBudget = Points.FromInt64(1_000) } })
            .FixedBonus("b", 7)
            .FixedBonus("c", 9, configure: r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Day, MaxAwards = 2 } } })
            .Build();

        Evaluate(rules, Order(Line("x", 1m))).UsageDeltas.Should().Equal(
            new RuleUsageDelta(RuleId.From("a"), null, Points.FromInt64(5), 1),
            new RuleUsageDelta(RuleId.From("c"), new UsagePeriod(CapPeriod.Day, new LocalDate(2026, 3, 4)), Points.FromInt64(9), 1));
    }

    [Fact]
    public void An_activity_result_describes_the_activity()
    {
        var rules = Rules("v7").EarnPerUnit("base", 1m).Activity("r", ActivityKind.Review, 20).Build();

        var result = Review(rules);

        result.OrderId.Should().BeNull();
        result.Member.Should().Be(Alice);
        result.RuleSetVersion.Should().Be("v7");
        result.OccurredAt.Should().Be(Instant.FromUtc(2026, 3, 4, 10, 0));
        result.LineCount.Should().Be(0);
        result.IsQuote.Should().BeFalse();
        result.Total.Should().Be(Points.FromInt64(20));
        result[R].Allocation.ToArray().Should().Equal(20);
        result[Base].Outcome.Should().Be(RuleOutcome.NotApplicable);
    }

    [Fact]
    public void An_order_result_describes_the_order()
    {
        var rules = Rules("v3").EarnPerUnit("base", 1m).Build();
        var order = new EarningOrder(OrderId.From("o-42"), MemberId.From("bob"), Instant.FromUtc(2026, 5, 1, 9, 0), Currency.EUR, [Line("a", 1m), Line("b", 2m)]);

        var result = Evaluate(rules, order);

        result.OrderId.Should().Be(OrderId.From("o-42"));
        result.Member.Should().Be(MemberId.From("bob"));
        result.RuleSetVersion.Should().Be("v3");
        result.OccurredAt.Should().Be(Instant.FromUtc(2026, 5, 1, 9, 0));
        result.LineCount.Should().Be(2);
        result.MerchantRuleSetVersion.Should().BeNull();
    }

    [Fact]
    public void A_custom_event_rule_earns_only_for_its_own_event_name()
    {
        var rules = Rules().CustomEvent("r", "newsletter", 30).Activity("review", ActivityKind.Review, 5).Build();
        EarningResult Custom(string name) => EarningEngine.Instance.Evaluate(rules, new ActivityInput(ActivityKind.Custom, Alice, Start, name), MemberContext.Default, EarningUsage.Empty);

        Custom("newsletter").Total.Should().Be(Points.FromInt64(30));
        Custom("Newsletter")[R].Outcome.Should().Be(RuleOutcome.NotApplicable);
        Custom("newsletter")[RuleId.From("review")].Outcome.Should().Be(RuleOutcome.NotApplicable);
        Review(rules)[R].Outcome.Should().Be(RuleOutcome.NotApplicable);
    }

    [Fact]
    public void A_tier_multiplier_of_one_or_less_earns_no_extra()
    {
        var rules = Rules().EarnPerUnit("base", 1m).TierMultiplier("tier", "base").Build();
        var table = Rules().EarnPerUnit("base", 1m).TierMultiplier("tier", "base", [new TierMultiplier(TierId.From("gold"), 1m), new TierMultiplier(TierId.From("vip"), 3m)]).Build();
        var order = Order(Line("x", 40m));

        Evaluate(rules, order, new MemberContext(tierEarnMultiplier: 1m))[RuleId.From("tier")].Outcome.Should().Be(RuleOutcome.NothingToEarn);
        Evaluate(rules, order, new MemberContext(tierEarnMultiplier: 0.5m))[RuleId.From("tier")].Desired.Should().Be(0m);
        Evaluate(rules, order, new MemberContext(tierEarnMultiplier: 1.05m))[RuleId.From("tier")].Awarded.Should().Be(Points.FromInt64(2));
        Evaluate(table, order, new MemberContext(tier: TierId.From("gold"), tierEarnMultiplier: 3m))[RuleId.From("tier")].Outcome.Should().Be(RuleOutcome.NothingToEarn);
        Evaluate(table, order, new MemberContext(tierEarnMultiplier: 3m))[RuleId.From("tier")].Outcome.Should().Be(RuleOutcome.NothingToEarn);
        Evaluate(table, order, new MemberContext(tier: TierId.From("vip")))[RuleId.From("tier")].Awarded.Should().Be(Points.FromInt64(80));
    }

    [Fact]
    public void A_tier_multiplier_follows_the_base_rules_eligible_lines_and_payment_share()
    {
        var rules = Rules()
            .EarnPerUnit("base", 1m, r => r with { ExcludedLines = LineSelector.ForCategories("tobacco"), IncludeShipping = true })
            .TierMultiplier("tier", "base")
            .Build();
        var order = new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [Line("cigar", 30m, category: "tobacco"), Line("mug", 60m)], shipping: 10m, paidWithPoints: 50m);

        var result = Evaluate(rules, order, new MemberContext(tierEarnMultiplier: 2m));

        // Eligible: 60 + 10 shipping = 70; half of the 100 total was paid with points: 35 each.
        result[Base].Awarded.Should().Be(Points.FromInt64(35));
        result[RuleId.From("tier")].Awarded.Should().Be(Points.FromInt64(35));
        result[RuleId.From("tier")].Allocation.ToArray().Should().Equal(0, 30, 5);
    }

    [Fact]
    public void A_multiplier_follows_the_base_rules_eligible_lines_and_payment_share()
    {
        var rules = Rules()
            .EarnPerUnit("base", 1m, r => r with { ExcludedLines = LineSelector.ForBrands("Cheap") })
            .Multiply("x3", "base", 3m, LineSelector.ForCategories("shoes"))
            .Build();
        var order = new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR,
            [Line("a", 20m, category: "shoes", brand: "Cheap"), Line("b", 30m, category: "shoes"), Line("c", 40m, category: "shoes", giftCard: true), Line("d", 10m)],
            paidWithPoints: 50m);

        var result = Evaluate(rules, order);

        // Base eligible: b and d (40); multiplier: b only (30 × 2 extra); half paid with points.
        result[Base].Awarded.Should().Be(Points.FromInt64(20));
        result[RuleId.From("x3")].Desired.Should().Be(30m);
        result[RuleId.From("x3")].Allocation.ToArray().Should().Equal(0, 30, 0, 0, 0);
    }

    [Fact]
    public void A_spend_rule_limited_to_lines_earns_on_matching_lines_only()
    {
        var rules = Rules().EarnPerUnit("base", 2m, r => r with { Lines = LineSelector.ForBrands("Acme"), IncludeGiftCards = true, IncludeTax = true }).Build();
        var order = new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR,
            [Line("a", 10m, brand: "Acme"), Line("b", 20m, brand: "Other"), Line("card", 25m, brand: "Acme", giftCard: true)], tax: 5m);

        var result = Evaluate(rules, order);

        result[Base].Desired.Should().Be(80m);
        result[Base].Allocation.ToArray().Should().Equal(20, 0, 50, 10);
    }

    [Fact]
    public void A_per_order_bonus_with_lines_needs_a_matching_line()
    {
        var rules = Rules().FixedBonus("r", 25, BonusBasis.PerOrder, LineSelector.ForSkus("promo")).Build();

        Evaluate(rules, Order(Line("x", 1m)))[R].Outcome.Should().Be(RuleOutcome.ConditionNotMet);
        var hit = Evaluate(rules, Order(Line("x", 1m), Line("promo", 0m)));
        hit[R].Outcome.Should().Be(RuleOutcome.Fired);
        hit[R].Allocation.ToArray().Should().Equal(0, 0, 25);
    }

    [Fact]
    public void A_basket_threshold_ignores_gift_cards()
    {
        var rules = Rules().ThresholdBonus("r", 100m, 500).Build();

        Evaluate(rules, Order(Line("a", 90m), Line("card", 50m, giftCard: true)))[R].Outcome.Should().Be(RuleOutcome.ConditionNotMet);
        Evaluate(rules, Order(Line("a", 60m), Line("b", 40m)))[R].Outcome.Should().Be(RuleOutcome.Fired);
    }

    [Fact]
    public void An_order_paid_entirely_with_points_earns_nothing_from_spend()
    {
        var rules = Rules().EarnPerUnit("base", 1m).FixedBonus("flat", 3).Build();
        var order = new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [Line("a", 40m)], paidWithPoints: 40m);

        var result = Evaluate(rules, order);

        result[Base].Outcome.Should().Be(RuleOutcome.NothingToEarn);
        result.Total.Should().Be(Points.FromInt64(3));
    }

    [Fact]
    public void The_desired_points_keep_the_scale_of_the_amounts()
    {
        var rules = Rules().EarnPerUnit("base", 1m, r => r with { IncludeShipping = true, IncludeTax = true })
            .Multiply("x2", "base", 2m, LineSelector.ForSkus("a"))
            .TierMultiplier("tier", "base")
            .Build();
        var order = new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [Line("a", 12.50m), Line("b", 7.5m)], shipping: 4.000m, tax: 1m);

        var result = Evaluate(rules, order, new MemberContext(tierEarnMultiplier: 1.5m));

        result[Base].Desired.ToString(System.Globalization.CultureInfo.InvariantCulture).Should().Be("25.000");
        result[RuleId.From("x2")].Desired.ToString(System.Globalization.CultureInfo.InvariantCulture).Should().Be("12.50");
        result[RuleId.From("tier")].Desired.ToString(System.Globalization.CultureInfo.InvariantCulture).Should().Be("12.5000");
    }

    [Fact]
    public void An_order_of_many_lines_is_evaluated_like_a_short_one()
    {
        var lines = Enumerable.Range(0, 300).Select(i => Line($"l{i}", 1.01m)).ToArray();
        var rules = Rules().EarnPerUnit("base", 1m).FixedBonus("flat", 7).Build();

        var result = Evaluate(rules, Order(lines));

        result.Total.Should().Be(Points.FromInt64(303 + 7));
        result[Base].Allocation.Length.Should().Be(301);
        result[Base].Allocation.ToArray().Take(3).Should().Equal(2, 2, 2);
        result[Base].Allocation.ToArray().Sum().Should().Be(303);
    }

    [Fact]
    public void Quotes_and_activities_refuse_null_arguments()
    {
        var rules = Rules().EarnPerUnit("base", 1m).Build();
        var engine = EarningEngine.Instance;
        var cart = Order(Line("x", 1m));
        var review = new ActivityInput(ActivityKind.Review, Alice, Start);

        FluentActions.Invoking(() => engine.Quote(null!, cart, MemberContext.Default, EarningUsage.Empty)).Should().Throw<ArgumentNullException>().WithParameterName("ruleSet");
        FluentActions.Invoking(() => engine.Quote(rules, null!, MemberContext.Default, EarningUsage.Empty)).Should().Throw<ArgumentNullException>().WithParameterName("order");
        FluentActions.Invoking(() => engine.Quote(rules, cart, null!, EarningUsage.Empty)).Should().Throw<ArgumentNullException>().WithParameterName("member");
        FluentActions.Invoking(() => engine.Quote(rules, cart, MemberContext.Default, null!)).Should().Throw<ArgumentNullException>().WithParameterName("usage");
        FluentActions.Invoking(() => engine.Evaluate(null!, review, MemberContext.Default, EarningUsage.Empty)).Should().Throw<ArgumentNullException>().WithParameterName("ruleSet");
        FluentActions.Invoking(() => engine.Evaluate(rules, review, null!, EarningUsage.Empty)).Should().Throw<ArgumentNullException>().WithParameterName("member");
        FluentActions.Invoking(() => engine.Evaluate(rules, review, MemberContext.Default, null!)).Should().Throw<ArgumentNullException>().WithParameterName("usage");
    }
}
