using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

/// <summary>The member-facing description of every kind of rule, condition and cap, word for word.</summary>
public class DescriberTests
{
    private static readonly EarningRuleSet Empty = Rules().Build();

    private static string Describe(Func<EarningRuleSetBuilder, EarningRuleSetBuilder> add)
    {
        var ruleSet = add(Rules().EarnPerUnit("base", 1m)).Build();
        return ruleSet.Descriptions[^1].Text;
    }

    private static string DescribeBonusWhen(EarningCondition condition) =>
        Rules().FixedBonus("r", 10, configure: r => r with { Condition = condition }).Build().Describe(RuleId.From("r"));

    [Fact]
    public void A_spend_rule_names_what_it_leaves_out()
    {
        Rules().EarnPerUnit("r", 1.0m, r => r with { IncludeShipping = true, IncludeTax = true, IncludeGiftCards = true, IncludePaidWithPoints = true }).Build()
            .Describe(RuleId.From("r")).Should().Be("Earn 1 point per EUR spent.");
        Rules().EarnPerUnit("r", 2.50m, r => r with { IncludeShipping = true, IncludeGiftCards = true, IncludePaidWithPoints = true }).Build()
            .Describe(RuleId.From("r")).Should().Be("Earn 2.5 points per EUR spent (excluding tax).");
        Rules().EarnPerUnit("r", 3m, r => r with { IncludeTax = true, IncludeGiftCards = true, IncludePaidWithPoints = true }).Build()
            .Describe(RuleId.From("r")).Should().Be("Earn 3 points per EUR spent (excluding shipping).");
        Rules().EarnPerUnit("r", 0.5m, r => r with { IncludeShipping = true, IncludeTax = true }).Build()
            .Describe(RuleId.From("r")).Should().Be("Earn 0.5 points per EUR spent (excluding gift cards and the part paid with points).");
        Rules().EarnPerUnit("r", 1m, r => r with { IncludeShipping = true, IncludeTax = true, IncludeGiftCards = true, IncludePaidWithPoints = true, ExcludedLines = LineSelector.ForBrands("Cheap") }).Build()
            .Describe(RuleId.From("r")).Should().Be("Earn 1 point per EUR spent (excluding Cheap products).");
    }

    [Fact]
    public void A_line_selector_reads_categories_then_brands_then_items()
    {
        var lines = new LineSelector { Skus = ["X1", "X2"], Categories = ["shoes", "bags"], Brands = ["Acme"] };

        Rules().EarnPerUnit("r", 0.25m, r => r with { Lines = lines, ExcludedLines = LineSelector.ForSkus("X3"), IncludeShipping = true, IncludeGiftCards = true }).Build()
            .Describe(RuleId.From("r")).Should().Be("Earn 0.25 points per EUR spent on shoes or bags or Acme products or item X1 or X2 (excluding tax, the part paid with points and item X3).");
        Describer.Lines(new LineSelector { Skus = [], Categories = [], Brands = ["B", "C"] }).Should().Be("B or C products");
        Describer.Lines(new LineSelector { Skus = ["S"], Categories = [] }).Should().Be("item S");
        Describer.Lines(new LineSelector { Categories = ["c"], Skus = ["S"] }).Should().Be("c or item S");
    }

    [Fact]
    public void Every_other_kind_of_rule_describes_its_action()
    {
        Describe(b => b.Multiply("r", "base", 1.5m, LineSelector.ForCategories("shoes"))).Should().Be("Earn 1.5× points on shoes.");
        Describe(b => b.FixedBonus("r", 10)).Should().Be("Earn 10 bonus points per order.");
        Describe(b => b.FixedBonus("r", 10, BonusBasis.PerOrder, LineSelector.ForSkus("GIFT"))).Should().Be("Earn 10 bonus points on orders with item GIFT.");
        Describe(b => b.FixedBonus("r", 7, BonusBasis.PerUnit, LineSelector.ForCategories("eco"))).Should().Be("Earn 7 bonus points for each item of eco.");
        Describe(b => b.ThresholdBonus("r", 99.50m, 500)).Should().Be("Earn 500 bonus points when your basket reaches 99.5 EUR.");
        Describe(b => b.OrderCountBonus("r", 1, 300)).Should().Be("Earn 300 bonus points on your 1st order.");
        Describe(b => b.TierMultiplier("r", "base", [new TierMultiplier(TierId.From("silver"), 1.25m), new TierMultiplier(TierId.From("gold"), 2.0m)]))
            .Should().Be("Earn more as you move up: silver ×1.25, gold ×2.");
        Describe(b => b.Activity("r", ActivityKind.SignUp, 250)).Should().Be("Earn 250 points when you join.");
        Describe(b => b.Activity("r", ActivityKind.Survey, 5)).Should().Be("Earn 5 points for each survey you answer.");
        Describe(b => b.Activity("r", ActivityKind.ReferralCompleted, 500)).Should().Be("Earn 500 points when a friend you referred places their first order.");
        Describe(b => b.CustomEvent("r", "newsletter-signup", 30)).Should().Be("Earn 30 points for \"newsletter-signup\".");
    }

    [Fact]
    public void Caps_are_listed_after_the_action()
    {
        Describe(b => b.FixedBonus("r", 10, configure: r => r with
        {
            Caps = new RuleCaps
            {
                PerOrder = Points.FromInt64(50),
                PerMember = new PeriodCap { Period = CapPeriod.Week, MaxAwards = 2, MaxPoints = Points.FromInt64(100) },
                CampaignBudget = Points.FromInt64(1_000),
            },
        })).Should().Be("Earn 10 bonus points per order, up to 50 points per order, at most 2 times a week, up to 100 points a week and while the campaign lasts.");
        Describe(b => b.Activity("r", ActivityKind.Survey, 5, r => r with { Caps = new RuleCaps { PerOrder = Points.FromInt64(3) } }))
            .Should().Be("Earn 5 points for each survey you answer, up to 3 points per activity.");
        Describe(b => b.FixedBonus("r", 10, configure: r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Day, MaxAwards = 1 } } }))
            .Should().Be("Earn 10 bonus points per order, once a day.");
        Describe(b => b.FixedBonus("r", 10, configure: r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Month, MaxPoints = Points.FromInt64(40) } } }))
            .Should().Be("Earn 10 bonus points per order, up to 40 points a month.");
        Describe(b => b.FixedBonus("r", 10, configure: r => r with { Caps = new RuleCaps { CampaignBudget = Points.FromInt64(5) } }))
            .Should().Be("Earn 10 bonus points per order, while the campaign lasts.");
        Describe(b => b.FixedBonus("r", 10, configure: r => r with { Caps = new RuleCaps() })).Should().Be("Earn 10 bonus points per order.");
    }

    [Fact]
    public void A_custom_description_replaces_the_generated_one_whole()
    {
        Describe(b => b.FixedBonus("r", 10, configure: r => r with { Description = "Ten points", Condition = Conditions.Channel("web"), Caps = new RuleCaps { CampaignBudget = Points.One } }))
            .Should().Be("Ten points");
    }

    public static TheoryData<EarningCondition, string> ConditionTexts() => new()
    {
        { Conditions.All(Conditions.Channel("web", "app"), Conditions.Coupon("SPRING")), "when ordering on web or app and with coupon SPRING" },
        { Conditions.Any(Conditions.Tier(TierId.From("gold"), TierId.From("silver")), Conditions.Segment("vip", "champions")), "(for gold or silver members or for members in vip or champions)" },
        { Conditions.Not(Conditions.Store(MerchantId.From("paris-1"), MerchantId.From("lyon-2"))), "not in store paris-1 or lyon-2" },
        { Conditions.Subtotal(20m, 50m), "when the basket is between 20 and 50 EUR" },
        { Conditions.Subtotal(20m), "when the basket is 20 EUR or more" },
        { Conditions.Subtotal(max: 50m), "when the basket is under 50 EUR" },
        { Conditions.AnyLine(LineSelector.ForSkus("X")), "when the basket holds item X" },
        { Conditions.Between(new LocalDate(2026, 3, 1), new LocalDate(2026, 3, 31)), "from 2026-03-01 to 2026-03-31" },
        { Conditions.Between(new LocalDate(2026, 3, 1), null), "from 2026-03-01" },
        { Conditions.Between(null, new LocalDate(2026, 3, 31)), "until 2026-03-31" },
        { Conditions.TimeOfDay(new LocalTime(22, 0), new LocalTime(2, 30)), "between 22:00 and 02:30" },
        { Conditions.DaysOfWeek(IsoDayOfWeek.Monday), "on Mondays" },
        { Conditions.OrderCount(2, 5), "after 2 to 5 earlier orders" },
        { Conditions.OrderCount(3), "after at least 3 earlier orders" },
        { Conditions.OrderCount(max: 1), "after at most 1 earlier orders" },
    };

    [Fact]
    public void Every_condition_reads_after_the_action()
    {
        using var scope = new FluentAssertions.Execution.AssertionScope();
        foreach (var row in ConditionTexts())
        {
            DescribeBonusWhen((EarningCondition)row[0]).Should().Be($"Earn 10 bonus points per order {row[1]}.");
        }
    }

    [Fact]
    public void Conditions_without_bounds_read_as_no_restriction()
    {
        new SubtotalCondition().Describe(Empty).Should().Be("on any basket");
        new DateWindowCondition().Describe(Empty).Should().Be("at any date");
        new OrderCountCondition().Describe(Empty).Should().Be("after any number of orders");
        new ChannelCondition { Channels = null! }.Describe(Empty).Should().Be("when ordering on ");
    }

    [Theory]
    [InlineData(1, "1st")]
    [InlineData(2, "2nd")]
    [InlineData(3, "3rd")]
    [InlineData(4, "4th")]
    [InlineData(10, "10th")]
    [InlineData(11, "11th")]
    [InlineData(12, "12th")]
    [InlineData(13, "13th")]
    [InlineData(21, "21st")]
    [InlineData(22, "22nd")]
    [InlineData(23, "23rd")]
    [InlineData(100, "100th")]
    [InlineData(101, "101st")]
    [InlineData(111, "111th")]
    [InlineData(112, "112th")]
    [InlineData(113, "113th")]
    [InlineData(1002, "1002nd")]
    public void Order_numbers_read_as_ordinals(int n, string text)
    {
        Describer.Ordinal(n).Should().Be(text);
    }

    [Fact]
    public void Fragments_read_as_plain_english()
    {
        Describer.List([]).Should().BeEmpty();
        Describer.List(["a"]).Should().Be("a");
        Describer.List(["a", "b"]).Should().Be("a and b");
        Describer.List(["a", "b", "c", "d"]).Should().Be("a, b, c and d");
        Describer.Period(CapPeriod.Day).Should().Be("a day");
        Describer.Period(CapPeriod.Week).Should().Be("a week");
        Describer.Period(CapPeriod.Month).Should().Be("a month");
        Describer.Period(CapPeriod.Year).Should().Be("a year");
        Describer.PointsWord(1m).Should().Be("point");
        Describer.PointsWord(1.00m).Should().Be("point");
        Describer.PointsWord(0.99m).Should().Be("points");
        Describer.PointsWord(2m).Should().Be("points");
        Describer.Date(new LocalDate(2026, 1, 9)).Should().Be("2026-01-09");
        Describer.Time(new LocalTime(9, 5, 59)).Should().Be("09:05");
    }
}
