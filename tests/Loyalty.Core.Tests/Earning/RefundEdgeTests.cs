using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

/// <summary>Refunds at their edges: caps on a line's share, order-level points, thresholds, free orders and over-refunds.</summary>
public class RefundEdgeTests
{
    private static readonly EarningEngine Engine = EarningEngine.Instance;

    // 3 sneakers at 40 + 2 shirts at 15: 150 of merchandise.
    private static readonly EarningOrder Order150 = Order(Line("sneaker", 40m, quantity: 3), Line("shirt", 15m, quantity: 2));

    private static RefundResult Refund(EarningRuleSet rules, EarningOrder order, OrderRefund refund, params OrderRefund[] previous) =>
        Engine.ComputeRefund(order, Evaluate(rules, order), previous, refund);

    [Fact]
    public void A_line_refunded_by_units_and_by_amount_gives_back_at_most_its_points()
    {
        var rules = Rules().EarnPerUnit("base", 1m).Build();
        var order = Order(Line("a", 100m), Line("b", 100m));
        var lineA = OrderRefund.ForLines(new LineRefund(0, 1));

        Refund(rules, order, lineA).Total.Should().Be(Points.FromInt64(100));

        // After both: line a is wholly refunded (its 100 points, not 125), line b a quarter (25 of 100).
        var amount = Refund(rules, order, OrderRefund.ForAmount(50m), lineA);
        amount.Total.Should().Be(Points.FromInt64(25));
        amount.IsFullRefund.Should().BeFalse();
    }

    [Fact]
    public void Shipping_points_are_taken_back_in_proportion_to_the_money_refunded()
    {
        var rules = Rules().EarnPerUnit("base", 1m, r => r with { IncludeShipping = true }).Build();
        var order = new EarningOrder(OrderId.From("o-1"), Alice, Start, Currency.EUR, [Line("a", 60m), Line("b", 40m)], shipping: 10m);

        Evaluate(rules, order)[RuleId.From("base")].Allocation.ToArray().Should().Equal(60, 40, 10);
        Refund(rules, order, OrderRefund.ForAmount(50m)).Total.Should().Be(Points.FromInt64(30 + 20 + 5));
        Refund(rules, order, OrderRefund.ForLines(new LineRefund(1, 1))).Total.Should().Be(Points.FromInt64(40 + 4));
        var full = Refund(rules, order, OrderRefund.ForAmount(100m));
        full.Total.Should().Be(Points.FromInt64(110));
        full.IsFullRefund.Should().BeTrue();
    }

    [Fact]
    public void A_per_order_bonus_is_kept_until_the_whole_order_is_refunded()
    {
        var rules = Rules().FixedBonus("flat", 50).OrderCountBonus("first", 1, 300).Build();

        Refund(rules, Order150, OrderRefund.ForAmount(149.99m)).Total.Should().Be(Points.Zero);
        Refund(rules, Order150, OrderRefund.ForLines(new LineRefund(0, 3), new LineRefund(1, 1))).Total.Should().Be(Points.Zero);
        var last = Refund(rules, Order150, OrderRefund.ForLines(new LineRefund(1, 1)), OrderRefund.ForLines(new LineRefund(0, 3), new LineRefund(1, 1)));
        last.Total.Should().Be(Points.FromInt64(350));
        last.Rules.Should().Equal(new RuleRefund(RuleId.From("first"), Points.FromInt64(300)), new RuleRefund(RuleId.From("flat"), Points.FromInt64(50)));
        last.IsFullRefund.Should().BeTrue();
    }

    [Fact]
    public void A_reversible_threshold_bonus_stays_while_the_order_is_exactly_at_the_threshold()
    {
        var rules = Rules().ThresholdBonus("big", 100m, 500, r => r with { Clawback = BonusClawback.ReverseBelowThreshold }).Build();

        Refund(rules, Order150, OrderRefund.ForAmount(50m)).Total.Should().Be(Points.Zero);
        Refund(rules, Order150, OrderRefund.ForAmount(50.01m)).Total.Should().Be(Points.FromInt64(500));
        Refund(rules, Order150, OrderRefund.ForLines(new LineRefund(0, 1)), OrderRefund.ForAmount(10m)).Total.Should().Be(Points.Zero);
        Refund(rules, Order150, OrderRefund.ForLines(new LineRefund(1, 1)), OrderRefund.ForAmount(40m)).Total.Should().Be(Points.FromInt64(500));
        Refund(rules, Order150, OrderRefund.ForAmount(1m), OrderRefund.ForAmount(55m)).Total.Should().Be(Points.Zero, "it was taken back by the earlier refund");
    }

    [Fact]
    public void Gift_cards_do_not_count_towards_the_threshold_a_refund_is_measured_against()
    {
        var rules = Rules().ThresholdBonus("big", 100m, 500, r => r with { Clawback = BonusClawback.ReverseBelowThreshold }).Build();
        var order = Order(Line("coat", 120m), Line("card", 50m, giftCard: true));

        Refund(rules, order, OrderRefund.ForLines(new LineRefund(1, 1))).Total.Should().Be(Points.Zero);
        Refund(rules, order, OrderRefund.ForAmount(30m)).Total.Should().Be(Points.FromInt64(500));
    }

    [Fact]
    public void An_award_that_is_never_reversed_is_kept_even_on_a_full_refund()
    {
        var order = Order(Line("a", 10m));
        var recorded = new EarningResult(order.Id, Alice, "v1", order.PlacedAt, false, Points.FromInt64(5), 1,
            [new RuleEvaluation(RuleId.From("kept"), RuleOutcome.Fired, ReversalPolicy.None, 5m, Points.FromInt64(5), Points.FromInt64(5), new long[] { 0, 5 })],
            [], []);

        var refund = Engine.ComputeRefund(order, recorded, [], OrderRefund.ForAmount(10m));

        refund.Rules.Should().Equal(new RuleRefund(RuleId.From("kept"), Points.Zero));
        refund.Total.Should().Be(Points.Zero);
        refund.IsFullRefund.Should().BeTrue();
    }

    [Fact]
    public void Units_of_a_free_order_are_refunded_in_proportion_and_its_shipping_points_only_in_full()
    {
        var rules = Rules()
            .FixedBonus("each", 5, BonusBasis.PerUnit, LineSelector.ForSkus("free"))
            .EarnPerUnit("base", 1m, r => r with { IncludeShipping = true })
            .Build();
        var order = new EarningOrder(OrderId.From("o-1"), Alice, Start, Currency.EUR, [Line("free", 0m, quantity: 2)], shipping: 10m);
        var recorded = Evaluate(rules, order);
        var one = OrderRefund.ForLines(new LineRefund(0, 1));

        var first = Engine.ComputeRefund(order, recorded, [], one);
        first.Rules.Should().Equal(new RuleRefund(RuleId.From("base"), Points.Zero), new RuleRefund(RuleId.From("each"), Points.FromInt64(5)));
        first.IsFullRefund.Should().BeFalse();

        var second = Engine.ComputeRefund(order, recorded, [one], one);
        second.Rules.Should().Equal(new RuleRefund(RuleId.From("base"), Points.FromInt64(10)), new RuleRefund(RuleId.From("each"), Points.FromInt64(5)));
        second.IsFullRefund.Should().BeTrue();
    }

    [Fact]
    public void Rules_that_did_not_fire_have_nothing_to_refund()
    {
        var rules = Rules().EarnPerUnit("base", 1m).FixedBonus("web", 10, configure: r => r with { Condition = Conditions.Channel("web") }).Build();

        Refund(rules, Order150, OrderRefund.ForAmount(15m)).Rules.Should().Equal(new RuleRefund(RuleId.From("base"), Points.FromInt64(15)));
    }

    [Fact]
    public void Refunding_exactly_what_was_ordered_is_allowed_and_one_more_is_refused()
    {
        var rules = Rules().EarnPerUnit("base", 1m).Build();

        Refund(rules, Order150, OrderRefund.ForLines(new LineRefund(1, 2))).Total.Should().Be(Points.FromInt64(30));
        Refund(rules, Order150, OrderRefund.ForAmount(150m)).IsFullRefund.Should().BeTrue();
        Refund(rules, Order150, OrderRefund.ForAmount(110m), OrderRefund.ForLines(new LineRefund(0, 1))).IsFullRefund.Should().BeTrue();
        FluentActions.Invoking(() => Refund(rules, Order150, OrderRefund.ForLines(new LineRefund(1, 3))))
            .Should().Throw<ArgumentException>().WithMessage("Line 1 would have 3 units refunded but only 2 were ordered. (Parameter 'refund')");
        FluentActions.Invoking(() => Refund(rules, Order150, OrderRefund.ForLines(new LineRefund(2, 1))))
            .Should().Throw<ArgumentException>().WithMessage("Line 2 does not exist; the order has 2 lines (0 to 1). (Parameter 'refund')");
    }

    [Fact]
    public void An_over_refund_reports_the_refunded_value_of_lines_and_amounts()
    {
        var rules = Rules().EarnPerUnit("base", 1m).Build();

        FluentActions.Invoking(() => Refund(rules, Order150, OrderRefund.ForAmount(110.01m), OrderRefund.ForLines(new LineRefund(0, 1))))
            .Should().Throw<ArgumentException>().WithMessage("The refunds would total 150.01, more than the order's net subtotal 150. (Parameter 'refund')");
        FluentActions.Invoking(() => Refund(rules, Order150, OrderRefund.ForAmount(120.01m), OrderRefund.ForLines(new LineRefund(1, 2))))
            .Should().Throw<ArgumentException>().WithMessage("The refunds would total 150.01, more than the order's net subtotal 150. (Parameter 'refund')");
        FluentActions.Invoking(() => Refund(rules, Order150, OrderRefund.ForAmount(1m), OrderRefund.ForAmount(100m), OrderRefund.ForAmount(60m)))
            .Should().Throw<ArgumentException>().WithMessage("The refunds would total 160, more than the order's net subtotal 150. (Parameter 'previousRefunds')");
    }

    [Fact]
    public void A_refund_needs_the_result_recorded_for_the_same_order()
    {
        var rules = Rules().EarnPerUnit("base", 1m).Activity("review", ActivityKind.Review, 5).Build();
        var recorded = Evaluate(rules, Order150);
        var sameIdOneLine = Order(Line("sneaker", 40m, quantity: 3));
        var activity = EarningEngine.Instance.Evaluate(rules, new ActivityInput(ActivityKind.Review, Alice, Start), MemberContext.Default, EarningUsage.Empty);

        FluentActions.Invoking(() => Engine.ComputeRefund(sameIdOneLine, recorded, [], OrderRefund.ForAmount(1m)))
            .Should().Throw<ArgumentException>().WithMessage("recorded is the result of order \"o-1\" with 2 lines, not of order \"o-1\" with 1 lines. (Parameter 'recorded')");
        FluentActions.Invoking(() => Engine.ComputeRefund(Order150, activity, [], OrderRefund.ForAmount(1m)))
            .Should().Throw<ArgumentException>().WithMessage("recorded is the result of order \"\" with 0 lines, not of order \"o-1\" with 2 lines. (Parameter 'recorded')");
    }

    [Fact]
    public void A_refund_refuses_null_arguments()
    {
        var recorded = Evaluate(Rules().EarnPerUnit("base", 1m).Build(), Order150);
        var refund = OrderRefund.ForAmount(1m);

        FluentActions.Invoking(() => Engine.ComputeRefund(null!, recorded, [], refund)).Should().Throw<ArgumentNullException>().WithParameterName("order");
        FluentActions.Invoking(() => Engine.ComputeRefund(Order150, null!, [], refund)).Should().Throw<ArgumentNullException>().WithParameterName("recorded");
        FluentActions.Invoking(() => Engine.ComputeRefund(Order150, recorded, null!, refund)).Should().Throw<ArgumentNullException>().WithParameterName("previousRefunds");
        FluentActions.Invoking(() => Engine.ComputeRefund(Order150, recorded, [], null!)).Should().Throw<ArgumentNullException>().WithParameterName("refund");
    }

    [Fact]
    public void Refund_requests_keep_their_values_and_check_each_line()
    {
        var lines = OrderRefund.ForLines(new LineRefund(1, 2), new LineRefund(0, 1));
        lines.Lines.Should().Equal(new LineRefund(1, 2), new LineRefund(0, 1));
        lines.Amount.Should().Be(0m);

        var amount = OrderRefund.ForAmount(EarningLimits.MaxAmount);
        amount.Amount.Should().Be(EarningLimits.MaxAmount);
        amount.Lines.Should().BeEmpty();
        OrderRefund.ForAmount(0.01m).Amount.Should().Be(0.01m);

        FluentActions.Invoking(() => OrderRefund.ForLines(null!)).Should().Throw<ArgumentNullException>().WithParameterName("lines");
        FluentActions.Invoking(() => OrderRefund.ForLines(new LineRefund(0, 1), new LineRefund(1, -1)))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("lines[1].Quantity must be greater than 0 (was -1). (Parameter 'lines')*");
        FluentActions.Invoking(() => OrderRefund.ForLines(new LineRefund(0, 1), new LineRefund(-2, 1)))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("lines[1].LineIndex must be 0 or greater (was -2). (Parameter 'lines')*");
        FluentActions.Invoking(() => OrderRefund.ForLines(new LineRefund(-1, 0)))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("lines[0].Quantity must be greater than 0 (was 0). (Parameter 'lines')*");
        FluentActions.Invoking(() => OrderRefund.ForAmount(-1m))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("amount must be greater than 0 (was -1). (Parameter 'amount')*");
        FluentActions.Invoking(() => OrderRefund.ForAmount(EarningLimits.MaxAmount + 0.01m))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("amount must be at most 1000000000000 (was 1000000000000.01); amounts are in units of the currency (euros, not cents). (Parameter 'amount')*");
    }
}
