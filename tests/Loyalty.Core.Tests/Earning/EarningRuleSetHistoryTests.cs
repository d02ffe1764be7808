using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

public class EarningRuleSetHistoryTests
{
    private static EarningRuleSet Version(string version, Instant from, decimal rate) =>
        new EarningRuleSetBuilder(version, from, Currency.EUR, "Europe/Paris").EarnPerUnit("base", rate).Build();

    [Fact]
    public void An_order_is_evaluated_by_the_rules_in_force_at_its_time()
    {
        var march = Instant.FromUtc(2026, 3, 1, 0, 0);
        var history = EarningRuleSetHistory.Create([Version("v2", march, 2m), Version("v1", Start, 1m)]);
        var order = Order(Instant.FromUtc(2026, 2, 28, 23, 59), Line("x", 10m));

        history.Versions.Select(v => v.Version).Should().Equal("v1", "v2");
        history.InForceAt(Instant.FromUtc(2025, 12, 31, 0, 0)).Should().BeNull();
        history.InForceAt(Start)!.Version.Should().Be("v1");
        history.InForceAt(march)!.Version.Should().Be("v2");
        var result = Evaluate(history.InForceAt(order.PlacedAt)!, order);
        result.RuleSetVersion.Should().Be("v1");
        result.Total.Should().Be(Points.FromInt64(10));
    }

    [Fact]
    public void A_history_refuses_duplicate_versions_and_instants()
    {
        var history = EarningRuleSetHistory.Empty.Add(Version("v1", Start, 1m));

        FluentActions.Invoking(() => history.Add(Version("v1", Start.PlusTicks(1), 1m))).Should().Throw<ArgumentException>()
            .WithMessage("Version \"v1\" is already in the history; give the new rule set another version. (Parameter 'ruleSet')");
        FluentActions.Invoking(() => history.Add(Version("v2", Start, 1m))).Should().Throw<ArgumentException>()
            .WithMessage("Version \"v1\" already takes effect at 2026-01-01T00:00:00Z; give \"v2\" another effective instant. (Parameter 'ruleSet')");
        history.Versions.Should().HaveCount(1);
    }
}
