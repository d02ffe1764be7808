using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

public class EarningScenarioTests
{
    [Fact]
    public void A_40_euro_order_earns_40_points_at_one_point_per_euro()
    {
        var rules = Rules().EarnPerUnit("base", 1m).Build();

        var result = Evaluate(rules, Order(Line("mug", 12.50m), Line("tea", 27.90m)));

        result.Total.Should().Be(Points.FromInt64(40));
        result[RuleId.From("base")].Desired.Should().Be(40.40m);
        result[RuleId.From("base")].Rounded.Should().Be(Points.FromInt64(40));
        result[RuleId.From("base")].Allocation.ToArray().Should().Equal(12, 28, 0);
    }

    [Fact]
    public void Shoes_earn_double_points_with_a_category_multiplier()
    {
        var rules = Rules()
            .EarnPerUnit("base", 1m)
            .Multiply("shoes-x2", "base", 2m, LineSelector.ForCategories("shoes"))
            .Build();

        var result = Evaluate(rules, Order(Line("sneaker", 60m, category: "shoes"), Line("sock", 10m, category: "socks")));

        result.Total.Should().Be(Points.FromInt64(130));
        result[RuleId.From("shoes-x2")].Awarded.Should().Be(Points.FromInt64(60));
        result[RuleId.From("shoes-x2")].Allocation.ToArray().Should().Equal(60, 0, 0);
    }

    [Fact]
    public void A_basket_above_100_euros_earns_a_500_point_bonus()
    {
        var rules = Rules().EarnPerUnit("base", 1m).ThresholdBonus("big-basket", 100m, 500).Build();

        Evaluate(rules, Order(Line("coat", 99.99m))).Total.Should().Be(Points.FromInt64(99));
        var big = Evaluate(rules, Order(Line("coat", 100m)));
        big.Total.Should().Be(Points.FromInt64(600));
        big[RuleId.From("big-basket")].Allocation.ToArray().Should().Equal(0, 500);
        Evaluate(rules, Order(Line("coat", 99.99m)))[RuleId.From("big-basket")].Outcome.Should().Be(RuleOutcome.ConditionNotMet);
    }

    [Fact]
    public void The_second_purchase_earns_a_bonus_and_the_first_and_third_do_not()
    {
        var rules = Rules().EarnPerUnit("base", 1m).OrderCountBonus("second-purchase", 2, 200).Build();
        var order = Order(Line("book", 20m));

        Evaluate(rules, order, new MemberContext(previousOrderCount: 0)).Total.Should().Be(Points.FromInt64(20));
        Evaluate(rules, order, new MemberContext(previousOrderCount: 1)).Total.Should().Be(Points.FromInt64(220));
        Evaluate(rules, order, new MemberContext(previousOrderCount: 2)).Total.Should().Be(Points.FromInt64(20));
    }

    [Fact]
    public void A_birthday_earns_once_a_year()
    {
        var rules = Rules()
            .Activity("birthday", ActivityKind.Birthday, 100, r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Year, MaxAwards = 1 } } })
            .Build();
        var usage = EarningUsage.Empty;

        var first = EarningEngine.Instance.Evaluate(rules, new ActivityInput(ActivityKind.Birthday, Alice, Instant.FromUtc(2026, 5, 10, 8, 0)), MemberContext.Default, usage);
        first.Total.Should().Be(Points.FromInt64(100));
        first.UsageDeltas.Should().Equal(new RuleUsageDelta(RuleId.From("birthday"), new UsagePeriod(CapPeriod.Year, new LocalDate(2026, 1, 1)), Points.FromInt64(100), 1));
        usage = usage.Apply(first.UsageDeltas);

        var again = EarningEngine.Instance.Evaluate(rules, new ActivityInput(ActivityKind.Birthday, Alice, Instant.FromUtc(2026, 11, 2, 8, 0)), MemberContext.Default, usage);
        again.Total.Should().Be(Points.Zero);
        again[RuleId.From("birthday")].Outcome.Should().Be(RuleOutcome.CapReached);

        var nextYear = EarningEngine.Instance.Evaluate(rules, new ActivityInput(ActivityKind.Birthday, Alice, Instant.FromUtc(2027, 5, 10, 8, 0)), MemberContext.Default, usage);
        nextYear.Total.Should().Be(Points.FromInt64(100));
    }

    [Fact]
    public void Reviews_earn_20_points_at_most_5_times_a_month()
    {
        var rules = Rules()
            .Activity("review", ActivityKind.Review, 20, r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Month, MaxAwards = 5 } } })
            .Build();
        var usage = EarningUsage.Empty;
        var earned = new List<long>();

        for (var day = 1; day <= 7; day++)
        {
            var result = EarningEngine.Instance.Evaluate(rules, new ActivityInput(ActivityKind.Review, Alice, Instant.FromUtc(2026, 3, day, 12, 0)), MemberContext.Default, usage);
            usage = usage.Apply(result.UsageDeltas);
            earned.Add(result.Total.Value);
        }

        earned.Should().Equal(20, 20, 20, 20, 20, 0, 0);
        EarningEngine.Instance.Evaluate(rules, new ActivityInput(ActivityKind.Review, Alice, Instant.FromUtc(2026, 4, 1, 12, 0)), MemberContext.Default, usage)
            .Total.Should().Be(Points.FromInt64(20));
    }

    [Fact]
    public void A_weekend_campaign_in_Paris_follows_local_time_across_the_daylight_saving_change()
    {
        // Clocks go forward in Paris on Sunday 29 March 2026 at 02:00 (UTC+1 -> UTC+2).
        var rules = Rules()
            .EarnPerUnit("base", 1m)
            .Multiply("weekend-x3", "base", 3m, LineSelector.ForCategories("garden"), r => r with
            {
                Condition = Conditions.All(
                    Conditions.DaysOfWeek(IsoDayOfWeek.Saturday, IsoDayOfWeek.Sunday),
                    Conditions.Between(new LocalDate(2026, 3, 28), new LocalDate(2026, 3, 29))),
            })
            .Build();
        var line = Line("rake", 10m, category: "garden");

        // Friday 27 March 23:30 UTC is Saturday 00:30 in Paris (UTC+1): in the campaign.
        Evaluate(rules, Order(Instant.FromUtc(2026, 3, 27, 23, 30), line)).Total.Should().Be(Points.FromInt64(30));
        // Friday 27 March 22:59 UTC is Friday 23:59 in Paris: not yet.
        var friday = Evaluate(rules, Order(Instant.FromUtc(2026, 3, 27, 22, 59), line));
        friday.Total.Should().Be(Points.FromInt64(10));
        friday[RuleId.From("weekend-x3")].Outcome.Should().Be(RuleOutcome.OutsideWindow);
        // Sunday 29 March 21:59 UTC is Sunday 23:59 in Paris (now UTC+2): still in.
        Evaluate(rules, Order(Instant.FromUtc(2026, 3, 29, 21, 59), line)).Total.Should().Be(Points.FromInt64(30));
        // Sunday 29 March 22:00 UTC is Monday 00:00 in Paris: over, though it is still Sunday in UTC.
        Evaluate(rules, Order(Instant.FromUtc(2026, 3, 29, 22, 0), line)).Total.Should().Be(Points.FromInt64(10));
    }

    [Fact]
    public void Gift_cards_shipping_tax_and_the_part_paid_with_points_earn_nothing_by_default()
    {
        var rules = Rules().EarnPerUnit("base", 1m).Build();
        var order = new EarningOrder(OrderId.From("o-9"), Alice, Instant.FromUtc(2026, 3, 4, 10, 0), Currency.EUR,
            [Line("card", 50m, giftCard: true), Line("dress", 80m, discount: 20m), Line("belt", 20m)],
            shipping: 5m, tax: 25m, paidWithPoints: 16m);

        var result = Evaluate(rules, order);

        // Eligible: 60 + 20 = 80; 16 of the 160 total was paid with points: 80 × 144/160 = 72.
        result.Total.Should().Be(Points.FromInt64(72));
        result[RuleId.From("base")].Allocation.ToArray().Should().Equal(0, 54, 18, 0);
    }

    [Fact]
    public void Shipping_and_tax_earn_when_the_rule_includes_them()
    {
        var rules = Rules().EarnPerUnit("base", 1m, r => r with { IncludeShipping = true, IncludeTax = true }).Build();
        var order = new EarningOrder(OrderId.From("o-9"), Alice, Instant.FromUtc(2026, 3, 4, 10, 0), Currency.EUR, [Line("dress", 80m)], shipping: 5m, tax: 16m);

        var result = Evaluate(rules, order);

        result.Total.Should().Be(Points.FromInt64(101));
        result[RuleId.From("base")].Allocation.ToArray().Should().Equal(80, 21);
    }

    [Fact]
    public void A_gold_member_earns_the_tier_multiplier_from_the_tier_benefits()
    {
        var rules = Rules().EarnPerUnit("base", 1m).TierMultiplier("tier", "base").Build();
        var gold = new MemberContext(tier: TierId.From("gold"), tierEarnMultiplier: 1.5m);

        var result = Evaluate(rules, Order(Line("lamp", 45m)), gold);

        result.Total.Should().Be(Points.FromInt64(67));
        result[RuleId.From("tier")].Desired.Should().Be(22.5m);
        result[RuleId.From("tier")].Awarded.Should().Be(Points.FromInt64(22));
    }

    [Fact]
    public void A_tier_table_on_the_rule_overrides_the_member_multiplier()
    {
        var rules = Rules().EarnPerUnit("base", 1m)
            .TierMultiplier("tier", "base", [new TierMultiplier(TierId.From("silver"), 1.25m), new TierMultiplier(TierId.From("gold"), 2m)])
            .Build();

        Evaluate(rules, Order(Line("lamp", 40m)), new MemberContext(tier: TierId.From("silver"), tierEarnMultiplier: 3m)).Total.Should().Be(Points.FromInt64(50));
        Evaluate(rules, Order(Line("lamp", 40m)), new MemberContext(tier: TierId.From("gold"))).Total.Should().Be(Points.FromInt64(80));
        var bronze = Evaluate(rules, Order(Line("lamp", 40m)), new MemberContext(tier: TierId.From("bronze"), tierEarnMultiplier: 3m));
        bronze.Total.Should().Be(Points.FromInt64(40));
        bronze[RuleId.From("tier")].Outcome.Should().Be(RuleOutcome.NothingToEarn);
    }

    [Fact]
    public void A_fixed_bonus_per_unit_counts_quantities_of_matching_products()
    {
        var rules = Rules().FixedBonus("eco", 15, BonusBasis.PerUnit, LineSelector.ForBrands("GreenCo")).Build();

        var result = Evaluate(rules, Order(Line("soap", 3m, quantity: 4, brand: "GreenCo"), Line("sponge", 2m, brand: "Other"), Line("brush", 5m, quantity: 2, brand: "GreenCo")));

        result.Total.Should().Be(Points.FromInt64(90));
        result[RuleId.From("eco")].Allocation.ToArray().Should().Equal(60, 0, 30, 0);
    }

    [Fact]
    public void A_sign_up_and_a_custom_event_earn_from_activity_rules_and_orders_do_not()
    {
        var rules = Rules()
            .EarnPerUnit("base", 1m)
            .Activity("welcome", ActivityKind.SignUp, 250)
            .CustomEvent("newsletter", "newsletter-signup", 30)
            .Build();

        var signUp = EarningEngine.Instance.Evaluate(rules, new ActivityInput(ActivityKind.SignUp, Alice, Start), MemberContext.Default, EarningUsage.Empty);
        signUp.Total.Should().Be(Points.FromInt64(250));
        signUp[RuleId.From("base")].Outcome.Should().Be(RuleOutcome.NotApplicable);
        signUp[RuleId.From("newsletter")].Outcome.Should().Be(RuleOutcome.NotApplicable);

        var newsletter = EarningEngine.Instance.Evaluate(rules, new ActivityInput(ActivityKind.Custom, Alice, Start, "newsletter-signup"), MemberContext.Default, EarningUsage.Empty);
        newsletter.Total.Should().Be(Points.FromInt64(30));

        var order = Evaluate(rules, Order(Line("pen", 3m)));
        order.Total.Should().Be(Points.FromInt64(3));
        order[RuleId.From("welcome")].Outcome.Should().Be(RuleOutcome.NotApplicable);
    }
}
