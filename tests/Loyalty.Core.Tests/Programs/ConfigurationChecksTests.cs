using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

/// <summary>A configuration that cannot work fails when the programme is built or a rule set published, never after a write.</summary>
public class ConfigurationChecksTests
{
    [Fact]
    public void A_tier_ladder_in_another_currency_fails_when_the_programme_is_built()
    {
        var ladder = TierLadder.Create(Ladder.Tiers.ToArray(), Ladder.Policy with { Currency = Currency.USD });

        var act = () => new ProgramHarness(replace: s => Replace(s, ladder));

        act.Should().Throw<ArgumentException>()
            .WithMessage("The tier ladder counts spend in USD but the programme's currency is EUR; set TierPolicy.Currency to EUR (or leave it unset). (Parameter 'tiers')");
    }

    [Fact]
    public void A_tier_ladder_in_another_time_zone_fails_when_the_programme_is_built()
    {
        var ladder = TierLadder.Create(Ladder.Tiers.ToArray(), Ladder.Policy with { TimeZone = NodaTime.DateTimeZone.Utc });

        var act = () => new ProgramHarness(replace: s => Replace(s, ladder));

        act.Should().Throw<ArgumentException>()
            .WithMessage("The tier ladder computes its windows in UTC but the programme's time zone is Europe/Paris; set TierPolicy.TimeZone to Europe/Paris. (Parameter 'tiers')");
    }

    [Fact]
    public async Task A_rule_set_in_another_time_zone_is_refused_when_published()
    {
        using var h = new ProgramHarness();
        var utc = new EarningRuleSetBuilder("utc", At(2026, 1, 1), Currency.EUR, "UTC").EarnPerUnit("base", 1m).Build();

        var act = () => h.Program.PublishRuleSetAsync(utc);

        await act.Should().ThrowAsync<ArgumentException>()
            .WithMessage("Rule set utc computes its calendar in UTC but the programme's time zone is Europe/Paris; build it in Europe/Paris. (Parameter 'ruleSet')");
    }

    [Fact]
    public async Task A_rule_set_the_programme_cannot_use_in_the_store_stops_an_order_before_anything_is_written()
    {
        using var h = new ProgramHarness();
        await h.EnrolAsync(Alice);
        var usd = new EarningRuleSetBuilder("usd", At(2026, 1, 1), Currency.USD, "Europe/Paris").EarnPerUnit("base", 1m).Build();
        await h.RuleSets.AddAsync(Loyalty.Core.Primitives.ProgramId.From("club"), usd);
        h.Advance(NodaTime.Duration.FromSeconds(31)); // written by another process: read once the cached read is 30 seconds old

        var act = () => h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 40m)));

        await act.Should().ThrowAsync<InvalidOperationException>()
            .WithMessage("The rule set store holds a rule set this programme cannot use, so nothing is recorded: Rule set usd is in USD but the programme's currency is EUR; build it in EUR. Publish a corrected version, or fix the programme's settings.");
        (await h.Members.GetOrderAsync(Loyalty.Core.Primitives.ProgramId.From("club"), OrderId.From("A-1"))).Should().BeNull();
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(0));
    }

    private static void Replace(IServiceCollection services, TierLadder ladder)
    {
        services.RemoveAll<TierLadder>();
        services.AddSingleton(ladder);
    }
}
