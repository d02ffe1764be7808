using Loyalty.Core.Configuration;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.Configuration.Tests.DependencyInjection;

public class LoyaltyConfigurationServiceCollectionExtensionsTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 6, 22, 10, 0);

    [Fact]
    public void The_full_appsettings_binds_to_the_same_programme_as_the_fluent_builders()
    {
        using var provider = Configured(ConfiguredProgrammes.Full());

        var definition = provider.GetRequiredService<ProgramDefinition>();

        definition.Settings.ToString().Should().Be("Club Fidélité (fidelite) EUR Europe/Paris");
        definition.Tiers!.ToJson().Should().Be(ConfiguredProgrammes.Ladder.ToJson());
        definition.RuleSets.Should().Equal(ConfiguredProgrammes.January, ConfiguredProgrammes.June);
        definition.Rewards.Rewards.Should().BeEquivalentTo(ConfiguredProgrammes.Rewards, o => o.WithStrictOrdering());
        provider.GetRequiredService<TierLadder>().Should().BeSameAs(definition.Tiers);
        var options = provider.GetRequiredService<IOptions<LoyaltyOptions>>().Value;
        options.Ledger.PendingPeriod.Should().Be(TimeSpan.FromDays(14));
        options.Ledger.Expiry.Months.Should().Be(12);
        options.Referral.RefereePoints.Should().Be(50);
        options.Referral.MinimumOrderAmount.Should().Be(20m);
    }

    [Fact]
    public async Task A_configured_programme_earns_exactly_as_the_same_programme_built_in_code()
    {
        var clock = new FakeClock(Start);
        using var configured = Configured(ConfiguredProgrammes.Full(), clock);
        (await configured.PublishLoyaltyProgrammeAsync()).Should().Be(new ProgramPublication(2, 0, 5, 0));

        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddLoyalty(o =>
        {
            o.ProgramId = "fidelite";
            o.DisplayName = "Club Fidélité";
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.FromDays(14);
            o.Ledger.Expiry = new Ledger.LedgerExpiryOptions { Policy = Ledger.ExpiryPolicyKind.Rolling, Months = 12 };
            o.Referral.RefereePoints = 50;
            o.Referral.MinimumOrderAmount = 20m;
        }).UseTiers(ConfiguredProgrammes.Ladder);
        using var coded = services.BuildServiceProvider(validateScopes: true);
        using (var scope = coded.CreateScope())
        {
            var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
            await program.PublishRuleSetAsync(ConfiguredProgrammes.January);
            await program.PublishRuleSetAsync(ConfiguredProgrammes.June);
            foreach (var reward in ConfiguredProgrammes.Rewards)
            {
                await program.PublishRewardAsync(reward);
            }
        }

        var fromConfiguration = await RunAsync(configured, clock);
        var fromCode = await RunAsync(coded, clock);

        fromConfiguration.Should().Equal(fromCode);
        fromConfiguration.Should().Contain("A-1: 219 points (2026-06)", "139.50 EUR earns 139 points, and the best of the summer group (80 on shoes) beats 50");
    }

    [Fact]
    public async Task Publishing_the_configured_programme_again_changes_nothing_and_a_changed_published_version_is_refused()
    {
        var clock = new FakeClock(Start);
        using (var provider = Configured(ConfiguredProgrammes.Full(), clock))
        {
            await provider.PublishLoyaltyProgrammeAsync();
            (await provider.PublishLoyaltyProgrammeAsync()).Should().Be(new ProgramPublication(0, 2, 0, 5));
            (await provider.PublishLoyaltyProgrammeAsync()).ToString().Should().Be("rule sets: 0 added, 2 unchanged; rewards: 0 published, 5 unchanged");
        }

        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddLoyalty(ConfiguredProgrammes.Full().GetSection("Loyalty"));
        using var changed = services.BuildServiceProvider();
        await changed.PublishLoyaltyProgrammeAsync();
        using var scope = changed.CreateScope();
        var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
        var edited = EarningRuleSet.Create(ConfiguredProgrammes.January.Definition with { Rules = [.. ConfiguredProgrammes.January.Definition.Rules.Take(1)] });

        var publish = () => program.PublishRuleSetAsync(edited);

        (await publish.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().StartWith("Version \"2026-01\" is already in the history; give the new rule set another version.");
    }

    [Fact]
    public async Task Publishing_from_code_at_run_time_is_checked_against_the_programmes_currency_time_zone_and_ladder()
    {
        using var provider = Configured(ConfiguredProgrammes.Full(), new FakeClock(Start));
        using var scope = provider.CreateScope();
        var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();

        var dollars = () => program.PublishRuleSetAsync(new EarningRuleSetBuilder("usd", Start, Currency.FromCode("USD"), "Europe/Paris").EarnPerUnit("base", 1m).Build());
        var london = () => program.PublishRuleSetAsync(new EarningRuleSetBuilder("london", Start, Currency.EUR, "Europe/London").EarnPerUnit("base", 1m).Build());
        var voucher = () => program.PublishRewardAsync(RewardDefinition.AmountOffVoucher(RewardId.From("usd-5"), "5 $", Points.FromInt64(500), Money.FromDecimal(5m, "USD")));
        var platinum = () => program.PublishRewardAsync(RewardDefinition.FreeShipping(RewardId.From("vip"), "VIP", Points.FromInt64(1)).WithRequiredTier(TierId.From("platinum")));

        (await dollars.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().StartWith("Rule set usd is in USD but the programme's currency is EUR; build it in EUR.");
        (await london.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().StartWith("Rule set london computes its calendar in Europe/London but the programme's time zone is Europe/Paris; build it in Europe/Paris.");
        (await voucher.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().StartWith("Reward 'usd-5' is in USD but the programme's currency is EUR.");
        (await platinum.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().StartWith("Reward 'vip' requires tier 'platinum', which is not in the ladder; known tiers are 'bronze', 'silver', 'gold'.");
    }

    [Fact]
    public async Task A_currency_or_time_zone_stated_against_the_programme_stops_the_host_at_start_up_with_every_mismatch()
    {
        var configuration = ConfiguredProgrammes.Full(
        [
            new("Loyalty:Tiers:Policy:Currency", "USD"),
            new("Loyalty:Tiers:Policy:TimeZone", "Europe/London"),
            new("Loyalty:RuleSets:1:Currency", "USD"),
            new("Loyalty:RuleSets:0:TimeZone", "America/New_York"),
            new("Loyalty:Rewards:0:Currency", "GBP"),
        ]);
        using var host = Host(configuration);

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Failures.Should().Equal(
            "Loyalty:Tiers:Policy:Currency is 'USD' but the programme's currency (Loyalty:Currency) is EUR; leave it out: the ladder inherits the programme's currency.",
            "Loyalty:Tiers:Policy:TimeZone is 'Europe/London' but the programme's time zone (Loyalty:TimeZone) is Europe/Paris; leave it out: the ladder inherits the programme's time zone.",
            "Loyalty:RuleSets:0:TimeZone is 'America/New_York' but the programme's time zone (Loyalty:TimeZone) is Europe/Paris; leave it out: the rule set inherits the programme's time zone.",
            "Loyalty:RuleSets:1:Currency is 'USD' but the programme's currency (Loyalty:Currency) is EUR; leave it out: the rule set inherits the programme's currency.",
            "Loyalty:Rewards:0:Currency is 'GBP' but the programme's currency (Loyalty:Currency) is EUR; leave it out: the reward inherits the programme's currency.");
    }

    [Fact]
    public async Task Stating_the_programmes_own_currency_and_time_zone_is_allowed()
    {
        var configuration = ConfiguredProgrammes.Full(
        [
            new("Loyalty:Tiers:Policy:Currency", "EUR"),
            new("Loyalty:Tiers:Policy:TimeZone", "Europe/Paris"),
            new("Loyalty:RuleSets:0:Currency", "EUR"),
            new("Loyalty:RuleSets:0:TimeZone", "Europe/Paris"),
            new("Loyalty:Rewards:0:Currency", "EUR"),
        ]);
        using var host = Host(configuration);

        await host.StartAsync();

        host.Services.GetRequiredService<ProgramDefinition>().RuleSets[0].Should().Be(ConfiguredProgrammes.January);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_ladder_given_in_code_in_another_currency_or_time_zone_stops_the_host_at_start_up()
    {
        var ladder = TierLadder.Create(
            [TierDefinition.Entry(TierId.From("a"), "A"), TierDefinition.Create(TierId.From("b"), "B", ThresholdCombination.AllOf, [TierThreshold.FromSpend(100m)], TierBenefits.None)],
            new TierPolicy { TimeZone = DateTimeZoneProviders.Tzdb["America/New_York"], Currency = Currency.FromCode("USD") });
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLoyalty(o => { o.Currency = "EUR"; o.TimeZone = "Europe/Paris"; }).UseTiers(ladder);
        using var host = builder.Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Failures.Should().Equal(
            "The tier ladder given to UseTiers counts spend in USD but the programme's currency (Loyalty:Currency) is EUR; build the ladder with TierPolicy.Currency EUR (or leave it unset).",
            "The tier ladder given to UseTiers computes its windows in America/New_York but the programme's time zone (Loyalty:TimeZone) is Europe/Paris; build the ladder with TierPolicy.TimeZone Europe/Paris.");
    }

    [Fact]
    public void Environment_variables_override_the_file_like_any_other_setting()
    {
        var prefix = "LOYALTY_TEST_" + Guid.NewGuid().ToString("N")[..8] + "_";
        var variables = new Dictionary<string, string>
        {
            [prefix + "Loyalty__Rewards__0__Cost"] = "600",
            [prefix + "Loyalty__RuleSets__0__Rules__0__PointsPerUnit"] = "2",
            [prefix + "Loyalty__Tiers__Tiers__2__Thresholds__0__Value"] = "2000",
            [prefix + "Loyalty__Rewards__5__Id"] = "mug",
            [prefix + "Loyalty__Rewards__5__Name"] = "Mug",
            [prefix + "Loyalty__Rewards__5__Kind"] = "GiftProduct",
            [prefix + "Loyalty__Rewards__5__Cost"] = "900",
            [prefix + "Loyalty__Rewards__5__GiftSku"] = "MUG",
        };
        try
        {
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            var configuration = new ConfigurationBuilder().AddJsonFile(ConfiguredProgrammes.FullPath).AddEnvironmentVariables(prefix).Build();
            using var provider = Configured(configuration);

            var definition = provider.GetRequiredService<ProgramDefinition>();

            definition.Rewards.Find(RewardId.From("voucher-5"))!.Cost.Should().Be(Points.FromInt64(600));
            definition.Rewards.Find(RewardId.From("mug"))!.ToString().Should().Be("Mug (mug): 900 points for gift MUG");
            ((SpendRule)definition.RuleSets[0].Find(RuleId.From("base"))!).PointsPerUnit.Should().Be(2m);
            definition.Tiers!.Tiers[2].Thresholds[0].Minimum.Should().Be(2000m);
        }
        finally
        {
            foreach (var name in variables.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    [Fact]
    public void A_bad_override_is_reported_with_its_path_like_a_bad_value_in_the_file()
    {
        using var provider = Configured(ConfiguredProgrammes.Full([new("Loyalty:Rewards:1:Cost", "free"), new("Loyalty:RuleSets:1:Rules:1:Multipliers:0:Multiplier", "0.5")]));

        var resolve = () => provider.GetRequiredService<ProgramDefinition>();

        resolve.Should().Throw<OptionsValidationException>().Which.Failures.Should().Equal(
            "Loyalty:Rewards:1:Cost: 'free' is not a whole number; write it in digits, e.g. 500.",
            "Loyalty:RuleSets:1:Rules:1:Multipliers:0:Multiplier must be 1 or greater (was 0.5).");
    }

    [Fact]
    public void The_code_delegate_applies_after_the_section()
    {
        var services = new ServiceCollection();
        services.AddLoyalty(ConfiguredProgrammes.Full().GetSection("Loyalty"), o => o.DisplayName = "Club");
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<ProgramSettings>().DisplayName.Should().Be("Club");
        provider.GetRequiredService<ProgramDefinition>().RuleSets.Should().HaveCount(2);
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        var noServices = () => LoyaltyConfigurationServiceCollectionExtensions.AddLoyalty(null!, new ConfigurationBuilder().Build());
        var noSection = () => new ServiceCollection().AddLoyalty((IConfiguration)null!);

        noServices.Should().Throw<ArgumentNullException>().WithParameterName("services");
        noSection.Should().Throw<ArgumentNullException>().WithParameterName("section");
    }

    private static ServiceProvider Configured(IConfiguration configuration, IClock? clock = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(clock ?? new FakeClock(Start));
        services.AddLoyalty(configuration.GetSection("Loyalty"));
        return services.BuildServiceProvider(validateScopes: true);
    }

    private static IHost Host(IConfiguration configuration)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<IClock>(new FakeClock(Start));
        builder.Services.AddLoyalty(configuration.GetSection("Loyalty"));
        return builder.Build();
    }

    private static async Task<List<string>> RunAsync(IServiceProvider provider, FakeClock clock)
    {
        var lines = new List<string>();
        await using var scope = provider.CreateAsyncScope();
        var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
        var alice = MemberId.From("alice");
        var profile = (await program.EnrolAsync(new Enrolment(alice))).GetValueOrThrow();
        lines.Add($"welcome {profile.WelcomePoints}");
        var orders = new[]
        {
            new EarningOrder(OrderId.From("A-1"), alice, clock.GetCurrentInstant(), Currency.EUR, [new OrderLine("RUN-SHOE", 1, 120m, categories: ["shoes"]), new OrderLine("SOCKS", 3, 6.50m, categories: ["accessories"])]),
            new EarningOrder(OrderId.From("A-2"), alice, clock.GetCurrentInstant(), Currency.EUR, [new OrderLine("CAP", 1, 24m, categories: ["accessories"])]),
        };
        foreach (var order in orders)
        {
            var receipt = (await program.RecordOrderAsync(order)).GetValueOrThrow();
            lines.Add($"{order.Id}: {receipt.Points} points ({receipt.RuleSetVersion})");
            lines.AddRange(receipt.Explanation.Select(e => "  " + e.Text));
        }

        var catalog = await program.GetCatalogAsync();
        lines.AddRange(catalog.Rewards.Select(r => r.ToString()));
        var summary = (await program.GetMemberSummaryAsync(alice)).GetValueOrThrow();
        lines.Add($"{summary.Balance.Available} available, {summary.Balance.Pending} pending, tier {summary.Tier.Tier.Id}");
        return lines;
    }
}
