using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

public class RefundTests
{
    private static readonly EarningEngine Engine = EarningEngine.Instance;

    private static readonly EarningRuleSet Programme = Rules()
        .EarnPerUnit("base", 1m)
        .Multiply("shoes-x2", "base", 2m, LineSelector.ForCategories("shoes"))
        .ThresholdBonus("big", 100m, 500, r => r with { Clawback = BonusClawback.ReverseBelowThreshold })
        .OrderCountBonus("first", 1, 300)
        .Build();

    // 3 sneakers at 40 (shoes) + 2 shirts at 15: 150 € of merchandise.
    private static readonly EarningOrder Order150 = Order(Line("sneaker", 40m, quantity: 3, category: "shoes"), Line("shirt", 15m, quantity: 2, category: "tops"));

    private static EarningResult Recorded => Evaluate(Programme, Order150);

    [Fact]
    public void The_recorded_result_is_what_refunds_start_from()
    {
        var recorded = Recorded;

        recorded.Total.Should().Be(Points.FromInt64(150 + 120 + 500 + 300));
        recorded[RuleId.From("base")].Allocation.ToArray().Should().Equal(120, 30, 0);
    }

    [Fact]
    public void Refunding_one_sneaker_takes_back_its_points_and_keeps_the_bonus_while_the_order_stays_above_the_threshold()
    {
        var refund = Engine.ComputeRefund(Order150, Recorded, [], OrderRefund.ForLines(new LineRefund(0, 1)));

        refund.Rules.Should().Equal(
            new RuleRefund(RuleId.From("base"), Points.FromInt64(40)),
            new RuleRefund(RuleId.From("big"), Points.Zero),
            new RuleRefund(RuleId.From("first"), Points.Zero),
            new RuleRefund(RuleId.From("shoes-x2"), Points.FromInt64(40)));
        refund.Total.Should().Be(Points.FromInt64(80));
        refund.IsFullRefund.Should().BeFalse();
    }

    [Fact]
    public void An_amount_spread_over_several_lines_loses_no_point_to_rounding()
    {
        // 3 lines of 200 € at 1 point per euro: 600 points. A 200 € refund is a third of each line.
        var programme = Rules().EarnPerUnit("base", 1m).Build();
        var order = Order(Line("a", 200m, category: "x"), Line("b", 200m, category: "y"), Line("c", 200m, category: "z"));
        var recorded = Evaluate(programme, order);
        var first = OrderRefund.ForAmount(200m);

        Engine.ComputeRefund(order, recorded, [], first).Total.Should().Be(Points.FromInt64(200));
        Engine.ComputeRefund(order, recorded, [first], OrderRefund.ForAmount(400m)).Total.Should().Be(Points.FromInt64(400));
    }

    [Fact]
    public void The_threshold_bonus_is_taken_back_when_a_refund_brings_the_order_below_the_threshold()
    {
        var first = OrderRefund.ForLines(new LineRefund(0, 1));
        var second = OrderRefund.ForLines(new LineRefund(1, 1));

        var refund = Engine.ComputeRefund(Order150, Recorded, [first], second);

        // 150 - 40 - 15 = 95 < 100: the 500 bonus goes, plus the shirt's 15 points.
        refund.Total.Should().Be(Points.FromInt64(515));
    }

    [Fact]
    public void A_kept_bonus_stays_on_partial_refunds_and_goes_with_a_full_refund()
    {
        var rules = Rules().EarnPerUnit("base", 1m).ThresholdBonus("big", 100m, 500).Build();
        var recorded = Evaluate(rules, Order150);

        Engine.ComputeRefund(Order150, recorded, [], OrderRefund.ForAmount(100m)).Total.Should().Be(Points.FromInt64(100));
        Engine.ComputeRefund(Order150, recorded, [OrderRefund.ForAmount(100m)], OrderRefund.ForAmount(50m)).Total.Should().Be(Points.FromInt64(550));
    }

    [Fact]
    public void A_full_refund_by_lines_reverses_exactly_the_award()
    {
        var recorded = Recorded;

        var refund = Engine.ComputeRefund(Order150, recorded, [], OrderRefund.ForLines(new LineRefund(0, 3), new LineRefund(1, 2)));

        refund.Total.Should().Be(recorded.Total);
        refund.IsFullRefund.Should().BeTrue();
    }

    [Fact]
    public void Refunds_are_pinned_to_the_recorded_result_not_to_todays_rules()
    {
        var recorded = Recorded;
        var json = recorded.ToJson();

        // The rules change (or vanish); the stored result alone decides.
        var refund = Engine.ComputeRefund(Order150, EarningResult.FromJson(json), [], OrderRefund.ForLines(new LineRefund(1, 2)));

        refund.Rules.Single(r => r.RuleId == RuleId.From("base")).Points.Should().Be(Points.FromInt64(30));
    }

    [Fact]
    public void An_amount_refund_takes_back_points_in_proportion_rounded_down()
    {
        var recorded = Recorded;

        var refund = Engine.ComputeRefund(Order150, recorded, [], OrderRefund.ForAmount(10m));

        // 10/150 of 120 and 30 base points, of 120 multiplier points: 8 + 2 + 8.
        refund.Total.Should().Be(Points.FromInt64(18));
    }

    [Fact]
    public void Bad_refunds_are_refused_with_a_precise_message()
    {
        var recorded = Recorded;

        FluentActions.Invoking(() => Engine.ComputeRefund(Order150, recorded, [], OrderRefund.ForLines(new LineRefund(5, 1))))
            .Should().Throw<ArgumentException>().WithMessage("Line 5 does not exist; the order has 2 lines (0 to 1). (Parameter 'refund')");
        FluentActions.Invoking(() => Engine.ComputeRefund(Order150, recorded, [OrderRefund.ForLines(new LineRefund(0, 2))], OrderRefund.ForLines(new LineRefund(0, 2))))
            .Should().Throw<ArgumentException>().WithMessage("Line 0 would have 4 units refunded but only 3 were ordered. (Parameter 'refund')");
        FluentActions.Invoking(() => Engine.ComputeRefund(Order150, recorded, [], OrderRefund.ForAmount(150.01m)))
            .Should().Throw<ArgumentException>().WithMessage("The refunds would total 150.01, more than the order's net subtotal 150. (Parameter 'refund')");
        FluentActions.Invoking(() => Engine.ComputeRefund(Order150, recorded, [null!], OrderRefund.ForAmount(1m)))
            .Should().Throw<ArgumentException>().WithMessage("previousRefunds[0] must not be null. (Parameter 'previousRefunds')");

        var other = new EarningOrder(OrderId.From("o-2"), Alice, Start, Currency.EUR, [Line("x", 1m)]);
        FluentActions.Invoking(() => Engine.ComputeRefund(other, recorded, [], OrderRefund.ForAmount(1m)))
            .Should().Throw<ArgumentException>().WithMessage("recorded is the result of order \"o-1\" with 2 lines, not of order \"o-2\" with 1 lines. (Parameter 'recorded')");

        var quote = Engine.Quote(Programme, Order150, MemberContext.Default, EarningUsage.Empty);
        FluentActions.Invoking(() => Engine.ComputeRefund(Order150, quote, [], OrderRefund.ForAmount(1m)))
            .Should().Throw<ArgumentException>().WithMessage("recorded is a quote; refunds are computed from the result recorded for the order. (Parameter 'recorded')");
    }

    [Fact]
    public void Refund_requests_validate_their_arguments()
    {
        FluentActions.Invoking(() => OrderRefund.ForLines())
            .Should().Throw<ArgumentException>().WithMessage("lines must hold at least one line refund. (Parameter 'lines')");
        FluentActions.Invoking(() => OrderRefund.ForLines(new LineRefund(0, 0)))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("lines[0].Quantity must be greater than 0 (was 0). (Parameter 'lines')*");
        FluentActions.Invoking(() => OrderRefund.ForLines(new LineRefund(-1, 1)))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("lines[0].LineIndex must be 0 or greater (was -1). (Parameter 'lines')*");
        FluentActions.Invoking(() => OrderRefund.ForAmount(0m))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("amount must be greater than 0 (was 0). (Parameter 'amount')*");
    }

    [Theory]
    [InlineData(20)]
    [InlineData(7)]
    [InlineData(200)]
    public void Refunding_a_third_of_the_money_at_a_time_takes_back_a_third_of_the_points_each_time(int price)
    {
        // 3 × price € at 1 point per euro, refunded by amount a third at a time.
        var rules = Rules().EarnPerUnit("base", 1m).Build();
        var order = Order(Line("item", price, quantity: 3));
        var recorded = Evaluate(rules, order);
        var third = OrderRefund.ForAmount(price);
        var previous = new List<OrderRefund>();
        var taken = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            taken.Add(Engine.ComputeRefund(order, recorded, previous, third).Total.Value);
            previous.Add(third);
        }

        taken.Should().Equal(price, price, price);
    }

    [Fact]
    public void Thirds_of_an_odd_amount_are_floored_once_on_the_cumulative_share()
    {
        // 100 points on 100 €; refunds of 33.33 €, 33.33 €, 33.34 €: cumulative shares 33.33, 66.66, 100.
        var rules = Rules().EarnPerUnit("base", 1m).Build();
        var order = Order(Line("a", 100m));
        var recorded = Evaluate(rules, order);
        var first = OrderRefund.ForAmount(33.33m);

        Engine.ComputeRefund(order, recorded, [], first).Total.Value.Should().Be(33);
        Engine.ComputeRefund(order, recorded, [first], first).Total.Value.Should().Be(33);
        Engine.ComputeRefund(order, recorded, [first, first], OrderRefund.ForAmount(33.34m)).Total.Value.Should().Be(34);
    }

    [Fact]
    public void A_refund_beyond_the_largest_amount_is_refused()
    {
        FluentActions.Invoking(() => OrderRefund.ForAmount(1e15m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("amount must be at most 1000000000000 (was 1000000000000000); amounts are in units of the currency (euros, not cents). (Parameter 'amount')*");
    }

    [Fact]
    public void The_largest_order_at_the_highest_rate_refunds_without_overflow()
    {
        var rules = Rules().EarnPerUnit("base", EarningLimits.MaxPointsPerUnit).Multiply("x", "base", EarningLimits.MaxMultiplier, LineSelector.ForCategories("a")).Build();
        var order = Order(Line("a", 999_999.999999m, quantity: 1_000_000, category: "a"));
        var recorded = Evaluate(rules, order);
        var half = OrderRefund.ForAmount(order.NetSubtotal / 2);

        var first = Engine.ComputeRefund(order, recorded, [], half);
        var second = Engine.ComputeRefund(order, recorded, [half], half);

        (first.Total + second.Total).Should().Be(recorded.Total);
        second.IsFullRefund.Should().BeTrue();
    }

    [Property(MaxTest = 300 / PropertyRuns.Divisor)]
    public Property Cumulative_take_back_after_each_refund_is_the_exact_share_floored_once() =>
        Prop.ForAll(
            (from count in Gen.Choose(1, 4) from l in Gen.ArrayOf(Gen.Zip(Gen.Choose(1, 5), Gen.Choose(1, 300), (q, p) => (Quantity: q, Price: p)), count) select l).ToArbitrary(),
            (from count in Gen.Choose(1, 8)
             from s in Gen.ArrayOf(from b in Gen.Elements(true, false) from i in Gen.Choose(0, 3) from z in Gen.Choose(1, 1000) select (ByLine: b, Index: i, Size: z), count)
             select s).ToArbitrary(),
            (shape, steps) =>
            {
                var rules = Rules().EarnPerUnit("base", 1m).FixedBonus("each", 3, BonusBasis.PerUnit, LineSelector.ForCategories("c0", "c2")).Build();
                var lines = shape.Select((l, i) => Line($"l{i}", l.Price, quantity: l.Quantity, category: $"c{i}")).ToArray();
                var order = Order(lines);
                var recorded = Evaluate(rules, order);
                var previous = new List<OrderRefund>();
                var refundedUnits = new int[lines.Length];
                var refundedCents = 0L;
                var taken = 0L;
                foreach (var (byLine, index, size) in steps)
                {
                    var remainingCents = RemainingCents(lines, refundedUnits, refundedCents);
                    OrderRefund refund;
                    var line = index % lines.Length;
                    if (byLine && refundedUnits[line] < lines[line].Quantity && ExactCents(lines, refundedUnits, line) <= remainingCents)
                    {
                        refund = OrderRefund.ForLines(new LineRefund(line, 1));
                        refundedUnits[line]++;
                    }
                    else if (remainingCents > 0)
                    {
                        var cents = 1 + (size * (remainingCents - 1) / 1000);
                        refund = OrderRefund.ForAmount(cents / 100m);
                        refundedCents += cents;
                    }
                    else
                    {
                        break;
                    }

                    var result = Engine.ComputeRefund(order, recorded, previous, refund);
                    previous.Add(refund);
                    taken += result.Total.Value;
                    if (result.Rules.Sum(r => r.Points.Value) != result.Total.Value || result.Total.Value < 0)
                    {
                        return false;
                    }

                    var expected = result.IsFullRefund ? recorded.Total.Value : ReferenceCumulative(order, recorded, refundedUnits, refundedCents);
                    if (taken != expected)
                    {
                        return false;
                    }
                }

                return true;
            });

    private static long RemainingCents(OrderLine[] lines, int[] units, long cents)
    {
        // What may still be refunded, in whole cents rounded down (line refunds of whole units only).
        var value = new System.Numerics.BigInteger(0);
        var total = 0L;
        for (var i = 0; i < lines.Length; i++)
        {
            total += (long)(lines[i].NetAmount * 100m);
            value += (long)(lines[i].NetAmount * 100m) * units[i] / lines[i].Quantity;
        }

        return total - (long)value - cents - lines.Length;
    }

    private static long ExactCents(OrderLine[] lines, int[] units, int line) => (long)(lines[line].NetAmount * 100m) / lines[line].Quantity + 1;

    /// <summary>The documented formula, in exact integers: per rule, floor(Σ lines min(a, a × (q/Q + A/N))).</summary>
    private static long ReferenceCumulative(EarningOrder order, EarningResult recorded, int[] units, long refundedCents)
    {
        var n = (long)(order.NetSubtotal * 100m);
        long total = 0;
        foreach (var rule in recorded.Rules.Where(r => r.Fired))
        {
            var allocation = rule.Allocation.ToArray();
            System.Numerics.BigInteger numerator = 0;
            System.Numerics.BigInteger denominator = 1;
            for (var i = 0; i < order.Lines.Count; i++)
            {
                var q = order.Lines[i].Quantity;

                // a × (u/Q + c/N) = a × (u × N + c × Q) / (Q × N), capped at a.
                System.Numerics.BigInteger num = allocation[i] * (((long)units[i] * n) + (refundedCents * q));
                System.Numerics.BigInteger den = (long)q * n;
                if (num > allocation[i] * den)
                {
                    (num, den) = (allocation[i], 1);
                }

                numerator = (numerator * den) + (num * denominator);
                denominator *= den;
            }

            total += (long)System.Numerics.BigInteger.Divide(numerator, denominator);
        }

        return total;
    }
}
