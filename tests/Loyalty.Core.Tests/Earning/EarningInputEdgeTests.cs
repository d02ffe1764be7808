using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

/// <summary>The engine's inputs, usage, history and rule set identity at their edges.</summary>
public class EarningInputEdgeTests
{
    private const string Euros = "amounts are in units of the currency (euros, not cents).";

    [Fact]
    public void An_order_line_keeps_its_values_and_accepts_the_edges_of_its_bounds()
    {
        var line = new OrderLine("sku", 2, 5m, 0.5m, ["x", "y"], "Brand");
        (line.Sku, line.Quantity, line.UnitPrice, line.Discount, line.Brand, line.IsGiftCard, line.NetAmount).Should().Be(("sku", 2, 5m, 0.5m, "Brand", false, 9.5m));
        line.Categories.Should().Equal("x", "y");

        var free = new OrderLine("card", EarningLimits.MaxQuantity, 0m, isGiftCard: true);
        (free.Quantity, free.NetAmount, free.IsGiftCard, free.Brand).Should().Be((EarningLimits.MaxQuantity, 0m, true, (string?)null));
        new OrderLine("a", 1, EarningLimits.MaxAmount).NetAmount.Should().Be(EarningLimits.MaxAmount);
        new OrderLine("a", 2, 5m, 10m).NetAmount.Should().Be(0m);
    }

    [Fact]
    public void An_order_line_refuses_values_just_past_its_bounds()
    {
        FluentActions.Invoking(() => new OrderLine(null!, 1, 1m)).Should().Throw<ArgumentException>()
            .WithMessage("sku must not be empty; give the product's stock-keeping unit. (Parameter 'sku')");
        FluentActions.Invoking(() => new OrderLine("", 1, 1m)).Should().Throw<ArgumentException>()
            .WithMessage("sku must not be empty; give the product's stock-keeping unit. (Parameter 'sku')");
        FluentActions.Invoking(() => new OrderLine("a", 2, 5m, -0.01m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("discount must be between 0 and the line's gross amount 10 (was -0.01). (Parameter 'discount')*");
        FluentActions.Invoking(() => new OrderLine("a", 2, 5m, 10.01m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("discount must be between 0 and the line's gross amount 10 (was 10.01). (Parameter 'discount')*");
        FluentActions.Invoking(() => new OrderLine("a", 1, EarningLimits.MaxAmount + 0.01m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"unitPrice × quantity must be at most 1000000000000 (was 1000000000000.01 × 1); {Euros} (Parameter 'unitPrice')*");
        FluentActions.Invoking(() => new OrderLine("a", 1, -0.01m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("unitPrice must be 0 or greater (was -0.01). (Parameter 'unitPrice')*");
    }

    [Fact]
    public void An_order_keeps_its_values_and_accepts_the_edges_of_its_bounds()
    {
        var placed = Instant.FromUtc(2026, 3, 4, 10, 0);
        OrderLine[] lines = [Line("a", 30m, quantity: 600_000), Line("card", 20m, quantity: 400_000, giftCard: true)];
        var order = new EarningOrder(OrderId.From("o"), Alice, placed, Currency.EUR, lines, shipping: 5m, tax: 4m, paidWithPoints: 1m, channel: "app", store: MerchantId.From("paris"), coupons: ["A"]);

        (order.Id, order.Member, order.PlacedAt, order.Currency, order.Shipping, order.Tax, order.PaidWithPoints, order.Channel, order.Store)
            .Should().Be((OrderId.From("o"), Alice, placed, Currency.EUR, 5m, 4m, 1m, "app", (MerchantId?)MerchantId.From("paris")));
        order.Lines.Should().BeSameAs(lines);
        order.Coupons.Should().Equal("A");
        order.NetSubtotal.Should().Be(26_000_000m);
        order.MerchandiseSubtotal.Should().Be(18_000_000m);

        var largest = new EarningOrder(OrderId.From("o"), Alice, placed, Currency.EUR, [Line("a", 999_999_999_990m)], shipping: 5m, tax: 5m, paidWithPoints: EarningLimits.MaxAmount);
        largest.PaidWithPoints.Should().Be(EarningLimits.MaxAmount);
        var plain = Order(Line("a", 1m));
        (plain.Channel, plain.Store, plain.Shipping, plain.Tax, plain.PaidWithPoints).Should().Be(((string?)null, (MerchantId?)null, 0m, 0m, 0m));
    }

    [Fact]
    public void An_order_over_the_largest_total_names_the_larger_of_shipping_and_tax()
    {
        FluentActions.Invoking(() => new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [Line("a", 600_000_000_000m)], shipping: 300_000_000_000m, tax: 200_000_000_000m))
            .Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"The order total (lines 600000000000 + shipping 300000000000 + tax 200000000000) must be at most 1000000000000 (was 1100000000000); {Euros} (Parameter 'shipping')*");
        FluentActions.Invoking(() => new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [Line("a", 600_000_000_000m)], shipping: 250_000_000_000m, tax: 250_000_000_000m))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("tax");
        FluentActions.Invoking(() => new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [Line("a", EarningLimits.MaxAmount)], shipping: 0.01m))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("shipping");
        FluentActions.Invoking(() => new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [Line("a", 10m)], paidWithPoints: EarningLimits.MaxAmount + 1m))
            .Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"paidWithPoints must be at most 1000000000000 (was 1000000000001); {Euros} (Parameter 'paidWithPoints')*");
        FluentActions.Invoking(() => new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [Line("a", 10m)], tax: 1m, paidWithPoints: 11.01m))
            .Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("paidWithPoints must not exceed the order total 11 (was 11.01). (Parameter 'paidWithPoints')*");
        FluentActions.Invoking(() => new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, [Line("a", 10m), null!])).Should().Throw<ArgumentException>()
            .WithMessage("lines[1] must not be null. (Parameter 'lines')");
    }

    [Fact]
    public void A_member_context_keeps_its_values_and_accepts_the_edges_of_its_bounds()
    {
        var first = Instant.FromUtc(2025, 1, 2, 0, 0);
        var enrolled = Instant.FromUtc(2024, 6, 1, 0, 0);
        var member = new MemberContext(TierId.From("gold"), 2.5m, 3, first, enrolled, new AnnualDate(5, 10), ["a", "b"]);

        (member.Tier, member.TierEarnMultiplier, member.PreviousOrderCount, member.FirstOrderAt, member.EnrolledAt, member.Birthday)
            .Should().Be(((TierId?)TierId.From("gold"), 2.5m, 3, (Instant?)first, (Instant?)enrolled, (AnnualDate?)new AnnualDate(5, 10)));
        member.Segments.Should().Equal("a", "b");

        var none = MemberContext.Default;
        (none.Tier, none.TierEarnMultiplier, none.PreviousOrderCount, none.FirstOrderAt, none.EnrolledAt, none.Birthday)
            .Should().Be(((TierId?)null, 1m, 0, (Instant?)null, (Instant?)null, (AnnualDate?)null));
        none.Segments.Should().BeEmpty();
        new MemberContext(tierEarnMultiplier: 0m).TierEarnMultiplier.Should().Be(0m);
        new MemberContext(tierEarnMultiplier: EarningLimits.MaxMultiplier).TierEarnMultiplier.Should().Be(EarningLimits.MaxMultiplier);
    }

    [Fact]
    public void An_activity_keeps_its_values_and_refuses_a_default_merchant()
    {
        var activity = new ActivityInput(ActivityKind.Custom, Alice, Start, "quiz") { Merchant = MerchantId.From("partner") };
        (activity.Kind, activity.Member, activity.OccurredAt, activity.EventName, activity.Merchant)
            .Should().Be((ActivityKind.Custom, Alice, Start, "quiz", (MerchantId?)MerchantId.From("partner")));
        new ActivityInput(ActivityKind.SignUp, Alice, Start) { Merchant = null }.Merchant.Should().BeNull();

        FluentActions.Invoking(() => new ActivityInput(ActivityKind.SignUp, Alice, Start) { Merchant = default(MerchantId) }).Should().Throw<ArgumentException>()
            .WithMessage("Merchant must be a merchant id or null for the programme's own shop, not default(MerchantId). (Parameter 'Merchant')");
        FluentActions.Invoking(() => new ActivityInput(ActivityKind.Custom, Alice, Start, " ")).Should().Throw<ArgumentException>()
            .WithMessage("eventName is required for a Custom activity; give the event's name, e.g. \"newsletter-signup\". (Parameter 'eventName')");
        FluentActions.Invoking(() => new ActivityInput(ActivityKind.SignUp, Alice, Start, "")).Should().Throw<ArgumentException>()
            .WithMessage("eventName is only for Custom activities (kind was SignUp); pass null. (Parameter 'eventName')");
        FluentActions.Invoking(() => new ActivityInput((ActivityKind)(-1), Alice, Start)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("kind must be one of SignUp, Review, Survey, Birthday, ReferralCompleted, Custom (was -1). (Parameter 'kind')*");
    }

    [Fact]
    public void Usage_keeps_what_each_change_does_not_touch()
    {
        var rule = RuleId.From("r");
        var other = RuleId.From("other");
        var day = new UsagePeriod(CapPeriod.Day, new LocalDate(2026, 3, 4));

        var usage = EarningUsage.Empty.WithCampaign(rule, Points.FromInt64(7)).WithPeriod(rule, day, new UsageTotals(Points.FromInt64(3), 1));
        usage.ForCampaign(rule).Should().Be(Points.FromInt64(7));
        usage.ForPeriod(rule, day).Should().Be(new UsageTotals(Points.FromInt64(3), 1));
        usage.WithCampaign(other, Points.Zero).ForPeriod(rule, day).Should().Be(new UsageTotals(Points.FromInt64(3), 1));
        usage.ForPeriod(other, day).Should().Be(default(UsageTotals));
        usage.ForPeriod(rule, day with { Start = day.Start.PlusDays(1) }).Should().Be(default(UsageTotals));
        usage.ForCampaign(other).Should().Be(Points.Zero);
        EarningUsage.Empty.WithPeriod(rule, day, default).ForPeriod(rule, day).Should().Be(default(UsageTotals));
        EarningUsage.Empty.ForPeriod(rule, day).Should().Be(default(UsageTotals));
        EarningUsage.Empty.ForCampaign(rule).Should().Be(Points.Zero);

        var applied = usage.Apply([new RuleUsageDelta(rule, day, Points.FromInt64(2), 1), new RuleUsageDelta(rule, null, Points.FromInt64(5), 1)]);
        applied.ForPeriod(rule, day).Should().Be(new UsageTotals(Points.FromInt64(5), 2));
        applied.ForCampaign(rule).Should().Be(Points.FromInt64(12));
        usage.ForCampaign(rule).Should().Be(Points.FromInt64(7), "usage is immutable");
        usage.Apply([]).ForPeriod(rule, day).Should().Be(new UsageTotals(Points.FromInt64(3), 1));

        FluentActions.Invoking(() => usage.Apply(null!)).Should().Throw<ArgumentNullException>().WithParameterName("deltas");
        FluentActions.Invoking(() => usage.WithPeriod(rule, day, new UsageTotals(Points.Zero, -1))).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("totals must not be negative (was 0 points, -1 awards). (Parameter 'totals')*");
    }

    [Fact]
    public void A_history_picks_the_latest_version_in_force_and_stays_unchanged_by_add()
    {
        var march = Instant.FromUtc(2026, 3, 1, 0, 0);
        var june = Instant.FromUtc(2026, 6, 1, 0, 0);
        var v1 = new EarningRuleSetBuilder("v1", Start, Currency.EUR, "Europe/Paris").EarnPerUnit("base", 1m).Build();
        var v2 = new EarningRuleSetBuilder("v2", march, Currency.EUR, "Europe/Paris").EarnPerUnit("base", 2m).Build();
        var v3 = new EarningRuleSetBuilder("v3", june, Currency.EUR, "Europe/Paris").EarnPerUnit("base", 3m).Build();

        var two = EarningRuleSetHistory.Create([v3, v1]);
        var three = two.Add(v2);

        two.Versions.Should().Equal(v1, v3);
        three.Versions.Should().Equal(v1, v2, v3);
        three.InForceAt(march - Duration.Epsilon).Should().BeSameAs(v1);
        three.InForceAt(march).Should().BeSameAs(v2);
        three.InForceAt(june - Duration.Epsilon).Should().BeSameAs(v2);
        three.InForceAt(june + Duration.FromDays(400)).Should().BeSameAs(v3);
        three.InForceAt(Start - Duration.Epsilon).Should().BeNull();
        EarningRuleSetHistory.Empty.InForceAt(june).Should().BeNull();
        EarningRuleSetHistory.Empty.Versions.Should().BeEmpty();
        EarningRuleSetHistory.Create([]).Versions.Should().BeEmpty();
        FluentActions.Invoking(() => EarningRuleSetHistory.Create(null!)).Should().Throw<ArgumentNullException>().WithParameterName("ruleSets");
        FluentActions.Invoking(() => two.Add(null!)).Should().Throw<ArgumentNullException>().WithParameterName("ruleSet");
    }

    [Fact]
    public void Rule_sets_are_equal_when_their_json_is_equal()
    {
        var a = Rules().EarnPerUnit("base", 1m).FixedBonus("flat", 5).Build();
        var b = Rules().FixedBonus("flat", 5).EarnPerUnit("base", 1m).Build();
        var same = EarningRuleSet.FromJson(a.ToJson());
        var other = Rules().EarnPerUnit("base", 2m).FixedBonus("flat", 5).Build();

        a.Equals(same).Should().BeTrue();
        a.Equals((object)same).Should().BeTrue();
        a.GetHashCode().Should().Be(same.GetHashCode());
        a.Equals(other).Should().BeFalse();
        a.Equals((object)other).Should().BeFalse();
        EarningRuleSet? none = null;
        object? nothing = null;
        a.Equals(none).Should().BeFalse();
        a.Equals(nothing).Should().BeFalse();
        a.Equals("a rule set").Should().BeFalse();
        a.Equals(b).Should().BeFalse("the rules are listed in another order");
        a.ToString().Should().Be("Earning rule set v1 (2 rules, from 2026-01-01T00:00:00Z)");
        a.Find(RuleId.From("flat")).Should().Be(new FixedBonusRule { Id = RuleId.From("flat"), Points = Points.FromInt64(5) });
        a.Find(RuleId.From("nope")).Should().BeNull();
        a.Currency.Should().Be(Currency.EUR);
        a.Definition.Version.Should().Be("v1");
    }
}
