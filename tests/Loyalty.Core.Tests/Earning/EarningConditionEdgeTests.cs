using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

/// <summary>Each condition kind at the edges of its bounds, on orders and on activities.</summary>
public class EarningConditionEdgeTests
{
    private static readonly RuleId R = RuleId.From("r");

    // Wednesday 4 March 2026; Paris is UTC+1, so 08:00 UTC is 09:00 local.
    private static EarningOrder At(int hour, int minute, params OrderLine[] lines) =>
        Order(Instant.FromUtc(2026, 3, 4, hour, minute), lines.Length == 0 ? [Line("x", 10m)] : lines);

    private static RuleOutcome Outcome(EarningCondition condition, EarningOrder order, MemberContext? member = null) =>
        Evaluate(Rules().FixedBonus("r", 1, configure: r => r with { Condition = condition }).Build(), order, member)[R].Outcome;

    private static RuleOutcome ActivityOutcome(EarningCondition condition, MemberContext? member = null) =>
        EarningEngine.Instance.Evaluate(
            Rules().Activity("r", ActivityKind.Review, 5, r => r with { Condition = condition }).Build(),
            new ActivityInput(ActivityKind.Review, Alice, Instant.FromUtc(2026, 3, 4, 8, 0)),
            member ?? MemberContext.Default,
            EarningUsage.Empty)[R].Outcome;

    [Theory]
    [InlineData(7, 59, RuleOutcome.OutsideWindow)]
    [InlineData(8, 0, RuleOutcome.Fired)]
    [InlineData(15, 59, RuleOutcome.Fired)]
    [InlineData(16, 0, RuleOutcome.OutsideWindow)]
    public void A_time_window_includes_its_start_and_excludes_its_end(int utcHour, int minute, RuleOutcome expected)
    {
        Outcome(Conditions.TimeOfDay(new LocalTime(9, 0), new LocalTime(17, 0)), At(utcHour, minute)).Should().Be(expected);
    }

    [Theory]
    [InlineData(20, 59, RuleOutcome.OutsideWindow)]
    [InlineData(21, 0, RuleOutcome.Fired)]
    [InlineData(23, 30, RuleOutcome.Fired)]
    [InlineData(0, 59, RuleOutcome.Fired)]
    [InlineData(1, 0, RuleOutcome.OutsideWindow)]
    [InlineData(11, 0, RuleOutcome.OutsideWindow)]
    public void A_time_window_across_midnight_includes_its_start_and_excludes_its_end(int utcHour, int minute, RuleOutcome expected)
    {
        Outcome(Conditions.TimeOfDay(new LocalTime(22, 0), new LocalTime(2, 0)), At(utcHour, minute)).Should().Be(expected);
    }

    [Fact]
    public void A_date_window_includes_both_of_its_days()
    {
        var wednesday = new LocalDate(2026, 3, 4);
        Outcome(Conditions.Between(wednesday, wednesday), At(10, 0)).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.Between(null, wednesday), At(10, 0)).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.Between(wednesday.PlusDays(1), null), At(10, 0)).Should().Be(RuleOutcome.OutsideWindow);
        Outcome(Conditions.Between(wednesday.PlusDays(-1), wednesday.PlusDays(-1)), At(10, 0)).Should().Be(RuleOutcome.OutsideWindow);
        Outcome(Conditions.Between(wednesday.PlusDays(1), wednesday.PlusDays(2)), At(10, 0)).Should().Be(RuleOutcome.OutsideWindow);
    }

    [Fact]
    public void A_day_of_the_week_is_found_anywhere_in_the_list()
    {
        Outcome(Conditions.DaysOfWeek(IsoDayOfWeek.Monday, IsoDayOfWeek.Wednesday), At(10, 0)).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.DaysOfWeek(IsoDayOfWeek.Tuesday, IsoDayOfWeek.Thursday), At(10, 0)).Should().Be(RuleOutcome.OutsideWindow);
    }

    [Fact]
    public void A_subtotal_range_includes_its_minimum_and_excludes_its_maximum_without_gift_cards()
    {
        var order = At(10, 0, Line("a", 30m), Line("b", 20m), Line("card", 100m, giftCard: true));

        Outcome(Conditions.Subtotal(50m), order).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.Subtotal(50.01m), order).Should().Be(RuleOutcome.ConditionNotMet);
        Outcome(Conditions.Subtotal(max: 50.01m), order).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.Subtotal(max: 50m), order).Should().Be(RuleOutcome.ConditionNotMet);
        Outcome(Conditions.Subtotal(49.99m, 50m), order).Should().Be(RuleOutcome.ConditionNotMet);
        Outcome(Conditions.Subtotal(50m, 50.01m), order).Should().Be(RuleOutcome.Fired);
    }

    [Fact]
    public void An_order_count_range_includes_both_bounds()
    {
        var order = At(10, 0);
        var member = new MemberContext(previousOrderCount: 4);

        Outcome(Conditions.OrderCount(4), order, member).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.OrderCount(5), order, member).Should().Be(RuleOutcome.ConditionNotMet);
        Outcome(Conditions.OrderCount(max: 4), order, member).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.OrderCount(3, 5), order, member).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.OrderCount(0, 3), order, member).Should().Be(RuleOutcome.ConditionNotMet);
        ActivityOutcome(Conditions.OrderCount(0, 0)).Should().Be(RuleOutcome.Fired);
    }

    [Fact]
    public void Member_conditions_look_through_every_tier_and_segment()
    {
        var order = At(10, 0);
        var member = new MemberContext(tier: TierId.From("gold"), segments: ["new", "vip"]);

        Outcome(Conditions.Tier(TierId.From("silver"), TierId.From("gold")), order, member).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.Tier(TierId.From("gold")), order).Should().Be(RuleOutcome.ConditionNotMet, "a member without a tier is in none");
        Outcome(Conditions.Segment("lost", "vip"), order, member).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.Segment("lost", "old"), order, member).Should().Be(RuleOutcome.ConditionNotMet);
        ActivityOutcome(Conditions.Tier(TierId.From("gold")), member).Should().Be(RuleOutcome.Fired);
        ActivityOutcome(Conditions.Segment("vip"), member).Should().Be(RuleOutcome.Fired);
    }

    [Fact]
    public void Order_conditions_look_through_every_coupon_store_channel_and_line()
    {
        var lines = new[] { Line("a", 10m, category: "tops"), new OrderLine("b", 1, 5m, 0m, ["sale", "shoes"], "Acme") };
        var order = new EarningOrder(OrderId.From("o"), Alice, Start, Currency.EUR, lines, channel: "app", store: MerchantId.From("lyon"), coupons: ["WELCOME", "SPRING"]);

        Outcome(Conditions.Coupon("AUTUMN", "SPRING"), order).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.Coupon("AUTUMN"), order).Should().Be(RuleOutcome.ConditionNotMet);
        Outcome(Conditions.Store(MerchantId.From("paris"), MerchantId.From("lyon")), order).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.Channel("web", "app"), order).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.AnyLine(LineSelector.ForCategories("shoes")), order).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.AnyLine(LineSelector.ForSkus("b")), order).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.AnyLine(LineSelector.ForBrands("Acme")), order).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.AnyLine(new LineSelector { Skus = ["z"], Categories = ["bags"], Brands = ["Other"] }), order).Should().Be(RuleOutcome.ConditionNotMet);
    }

    [Fact]
    public void An_order_without_channel_store_or_coupons_meets_none_of_those_conditions()
    {
        var order = At(10, 0);

        Outcome(Conditions.Channel("web"), order).Should().Be(RuleOutcome.ConditionNotMet);
        Outcome(Conditions.Store(MerchantId.From("paris")), order).Should().Be(RuleOutcome.ConditionNotMet);
        Outcome(Conditions.Coupon("SPRING"), order).Should().Be(RuleOutcome.ConditionNotMet);
        order.Coupons.Should().BeEmpty();
    }

    [Fact]
    public void Order_conditions_are_false_for_an_activity()
    {
        ActivityOutcome(Conditions.Subtotal(max: 10m)).Should().Be(RuleOutcome.ConditionNotMet);
        ActivityOutcome(Conditions.Subtotal(0m)).Should().Be(RuleOutcome.ConditionNotMet);
        ActivityOutcome(Conditions.AnyLine(LineSelector.ForSkus("x"))).Should().Be(RuleOutcome.ConditionNotMet);
        ActivityOutcome(Conditions.Channel("web")).Should().Be(RuleOutcome.ConditionNotMet);
        ActivityOutcome(Conditions.Store(MerchantId.From("paris"))).Should().Be(RuleOutcome.ConditionNotMet);
        ActivityOutcome(Conditions.Coupon("SPRING")).Should().Be(RuleOutcome.ConditionNotMet);
        ActivityOutcome(Conditions.Not(Conditions.Channel("web"))).Should().Be(RuleOutcome.Fired);
        ActivityOutcome(Conditions.DaysOfWeek(IsoDayOfWeek.Wednesday)).Should().Be(RuleOutcome.Fired);
        ActivityOutcome(Conditions.TimeOfDay(new LocalTime(9, 0), new LocalTime(9, 1))).Should().Be(RuleOutcome.Fired);
    }

    [Fact]
    public void Combined_conditions_say_whether_a_window_or_a_condition_failed()
    {
        var order = At(10, 0);
        var saturday = Conditions.DaysOfWeek(IsoDayOfWeek.Saturday);
        var night = Conditions.TimeOfDay(new LocalTime(22, 0), new LocalTime(23, 0));
        var web = Conditions.Channel("web");

        Outcome(Conditions.Any(saturday, night), order).Should().Be(RuleOutcome.OutsideWindow);
        Outcome(Conditions.Any(saturday, web), order).Should().Be(RuleOutcome.ConditionNotMet);
        Outcome(Conditions.Any(web, saturday), order).Should().Be(RuleOutcome.ConditionNotMet);
        Outcome(Conditions.Any(web, saturday, Conditions.Subtotal(1m)), order).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.All(saturday, web), order).Should().Be(RuleOutcome.OutsideWindow);
        Outcome(Conditions.All(web, saturday), order).Should().Be(RuleOutcome.ConditionNotMet);
        Outcome(Conditions.All(Conditions.Subtotal(1m), saturday), order).Should().Be(RuleOutcome.OutsideWindow);
        Outcome(Conditions.All(Conditions.Subtotal(1m), Conditions.DaysOfWeek(IsoDayOfWeek.Wednesday)), order).Should().Be(RuleOutcome.Fired);
        Outcome(Conditions.Not(Conditions.DaysOfWeek(IsoDayOfWeek.Wednesday)), order).Should().Be(RuleOutcome.ConditionNotMet);
        Outcome(Conditions.Not(saturday), order).Should().Be(RuleOutcome.Fired);
    }
}
