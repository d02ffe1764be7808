using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

public class EarningInputTests
{
    [Fact]
    public void An_order_line_computes_its_net_amount()
    {
        var line = new OrderLine("sku", 3, 10m, 5m, ["shoes"], "Acme");

        line.NetAmount.Should().Be(25m);
        line.Categories.Should().Equal("shoes");
        new OrderLine("sku", 1, 1m).Categories.Should().BeEmpty();
    }

    [Fact]
    public void Order_lines_refuse_bad_arguments()
    {
        FluentActions.Invoking(() => new OrderLine(" ", 1, 1m)).Should().Throw<ArgumentException>()
            .WithMessage("sku must not be empty; give the product's stock-keeping unit. (Parameter 'sku')");
        FluentActions.Invoking(() => new OrderLine("a", 0, 1m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("quantity must be greater than 0 (was 0). (Parameter 'quantity')*");
        FluentActions.Invoking(() => new OrderLine("a", 1, -1m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("unitPrice must be 0 or greater (was -1). (Parameter 'unitPrice')*");
        FluentActions.Invoking(() => new OrderLine("a", 2, 5m, 10.5m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("discount must be between 0 and the line's gross amount 10 (was 10.5). (Parameter 'discount')*");
    }

    [Fact]
    public void Orders_refuse_bad_arguments()
    {
        var id = OrderId.From("o");
        OrderLine[] lines = [Line("a", 10m)];

        FluentActions.Invoking(() => new EarningOrder(default, Alice, Start, Currency.EUR, lines)).Should().Throw<ArgumentException>()
            .WithMessage("OrderId must not be default; create one with OrderId.From(...). (Parameter 'id')");
        FluentActions.Invoking(() => new EarningOrder(id, default, Start, Currency.EUR, lines)).Should().Throw<ArgumentException>()
            .WithMessage("MemberId must not be default; create one with MemberId.From(...). (Parameter 'member')");
        FluentActions.Invoking(() => new EarningOrder(id, Alice, Start, default, lines)).Should().Throw<ArgumentException>()
            .WithMessage("currency must not be default(Currency); use Currency.FromCode(\"EUR\") or another ISO 4217 code. (Parameter 'currency')");
        FluentActions.Invoking(() => new EarningOrder(id, Alice, Start, Currency.EUR, null!)).Should().Throw<ArgumentNullException>()
            .WithParameterName("lines");
        FluentActions.Invoking(() => new EarningOrder(id, Alice, Start, Currency.EUR, [])).Should().Throw<ArgumentException>()
            .WithMessage("lines must hold at least one line; an order without lines earns nothing. (Parameter 'lines')");
        FluentActions.Invoking(() => new EarningOrder(id, Alice, Start, Currency.EUR, [null!])).Should().Throw<ArgumentException>()
            .WithMessage("lines[0] must not be null. (Parameter 'lines')");
        FluentActions.Invoking(() => new EarningOrder(id, Alice, Start, Currency.EUR, lines, shipping: -1m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("shipping must be 0 or greater (was -1). (Parameter 'shipping')*");
        FluentActions.Invoking(() => new EarningOrder(id, Alice, Start, Currency.EUR, lines, tax: -2m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("tax must be 0 or greater (was -2). (Parameter 'tax')*");
        FluentActions.Invoking(() => new EarningOrder(id, Alice, Start, Currency.EUR, lines, paidWithPoints: -3m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("paidWithPoints must be 0 or greater (was -3). (Parameter 'paidWithPoints')*");
        FluentActions.Invoking(() => new EarningOrder(id, Alice, Start, Currency.EUR, lines, shipping: 2m, paidWithPoints: 12.5m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("paidWithPoints must not exceed the order total 12 (was 12.5). (Parameter 'paidWithPoints')*");
    }

    [Fact]
    public void Activities_refuse_bad_arguments()
    {
        FluentActions.Invoking(() => new ActivityInput((ActivityKind)9, Alice, Start)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("kind must be one of SignUp, Review, Survey, Birthday, ReferralCompleted, Custom (was 9). (Parameter 'kind')*");
        FluentActions.Invoking(() => new ActivityInput(ActivityKind.Review, default, Start)).Should().Throw<ArgumentException>()
            .WithMessage("MemberId must not be default; create one with MemberId.From(...). (Parameter 'member')");
        FluentActions.Invoking(() => new ActivityInput(ActivityKind.Custom, Alice, Start)).Should().Throw<ArgumentException>()
            .WithMessage("eventName is required for a Custom activity; give the event's name, e.g. \"newsletter-signup\". (Parameter 'eventName')");
        FluentActions.Invoking(() => new ActivityInput(ActivityKind.Survey, Alice, Start, "x")).Should().Throw<ArgumentException>()
            .WithMessage("eventName is only for Custom activities (kind was Survey); pass null. (Parameter 'eventName')");
    }

    [Fact]
    public void Member_contexts_refuse_bad_arguments()
    {
        FluentActions.Invoking(() => new MemberContext(tierEarnMultiplier: -0.5m)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("tierEarnMultiplier must be 0 or greater (was -0.5); use 1 for no multiplier. (Parameter 'tierEarnMultiplier')*");
        FluentActions.Invoking(() => new MemberContext(previousOrderCount: -1)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("previousOrderCount must be 0 or greater (was -1). (Parameter 'previousOrderCount')*");
    }

    [Fact]
    public void Usage_refuses_negative_totals_and_adds_deltas()
    {
        var rule = RuleId.From("r");
        var month = new UsagePeriod(CapPeriod.Month, new LocalDate(2026, 3, 1));

        FluentActions.Invoking(() => EarningUsage.Empty.WithPeriod(rule, month, new UsageTotals(Points.FromInt64(-1), 0))).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("totals must not be negative (was -1 points, 0 awards). (Parameter 'totals')*");
        FluentActions.Invoking(() => EarningUsage.Empty.WithCampaign(rule, Points.FromInt64(-1))).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("used must be 0 or greater (was -1). (Parameter 'used')*");

        var usage = EarningUsage.Empty.Apply([new RuleUsageDelta(rule, month, Points.FromInt64(20), 1), new RuleUsageDelta(rule, month, Points.FromInt64(20), 1), new RuleUsageDelta(rule, null, Points.FromInt64(7), 1)]);
        usage.ForPeriod(rule, month).Should().Be(new UsageTotals(Points.FromInt64(40), 2));
        usage.ForCampaign(rule).Should().Be(Points.FromInt64(7));
        EarningUsage.Empty.ForPeriod(rule, month).Should().Be(default(UsageTotals));
    }

    [Theory]
    [InlineData(CapPeriod.Day, "2026-03-04", "2026-03-04")]
    [InlineData(CapPeriod.Week, "2026-03-04", "2026-03-02")]
    [InlineData(CapPeriod.Week, "2026-03-08", "2026-03-02")]
    [InlineData(CapPeriod.Month, "2026-03-31", "2026-03-01")]
    [InlineData(CapPeriod.Year, "2026-12-31", "2026-01-01")]
    [InlineData(CapPeriod.Week, "2026-03-02", "2026-03-02")]
    [InlineData(CapPeriod.Week, "2026-03-01", "2026-02-23")]
    [InlineData(CapPeriod.Month, "2026-03-01", "2026-03-01")]
    [InlineData(CapPeriod.Year, "2026-01-01", "2026-01-01")]
    [InlineData(CapPeriod.Day, "2026-12-31", "2026-12-31")]
    public void Periods_start_on_the_first_day_of_their_unit(CapPeriod unit, string date, string start)
    {
        var pattern = NodaTime.Text.LocalDatePattern.Iso;
        UsagePeriod.Containing(unit, pattern.Parse(date).Value).Should().Be(new UsagePeriod(unit, pattern.Parse(start).Value));
        FluentActions.Invoking(() => UsagePeriod.Containing((CapPeriod)9, pattern.Parse(date).Value)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("unit must be Day, Week, Month or Year (was 9). (Parameter 'unit')*");
    }
}

public class EarningResultAndBuilderTests
{
    [Fact]
    public void Asking_a_result_for_an_unknown_rule_says_which()
    {
        var rules = EarningFixtures.Rules().EarnPerUnit("base", 1m).Build();
        var result = EarningFixtures.Evaluate(rules, EarningFixtures.Order(EarningFixtures.Line("x", 1m)));

        FluentActions.Invoking(() => result[RuleId.From("nope")]).Should().Throw<ArgumentException>()
            .WithMessage("The result has no entry for rule \"nope\". (Parameter 'ruleId')");
        FluentActions.Invoking(() => EarningResult.FromJson("null")).Should().Throw<System.Text.Json.JsonException>()
            .WithMessage("The JSON holds null instead of an earning result.");
    }

    [Fact]
    public void The_builder_refuses_a_configure_that_returns_null()
    {
        FluentActions.Invoking(() => EarningFixtures.Rules().EarnPerUnit("base", 1m, _ => null!)).Should().Throw<ArgumentException>()
            .WithMessage("configure must return the rule (e.g. r => r with { Priority = 10 }), not null. (Parameter 'configure')");
        FluentActions.Invoking(() => EarningFixtures.Rules().Add(null!)).Should().Throw<ArgumentNullException>().WithParameterName("rule");
    }

    [Fact]
    public void The_builder_definition_round_trips_through_create()
    {
        var builder = EarningFixtures.Rules().Group("g", StackingMode.FirstMatch).EarnPerUnit("base", 1m, r => r with { Group = "g" });

        var definition = builder.ToDefinition();

        definition.Currency.Should().Be("EUR");
        definition.TimeZone.Should().Be("Europe/Paris");
        EarningRuleSet.Create(definition).Should().Be(builder.Build());
    }
}
