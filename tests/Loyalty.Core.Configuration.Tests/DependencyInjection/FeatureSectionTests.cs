using Loyalty.Core.Cards;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Diagnostics;
using Loyalty.Core.Hosting;
using Loyalty.Core.Households;
using Loyalty.Core.Transfers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.Configuration.Tests.DependencyInjection;

/// <summary>The features' sub-sections of the one Loyalty section: Maintenance, Diagnostics, Transfers, Households, Cards.</summary>
public class FeatureSectionTests
{
    [Fact]
    public void Every_feature_binds_from_its_sub_section_of_the_one_loyalty_section()
    {
        using var host = Host(ConfiguredProgrammes.Full());
        var services = host.Services;

        var maintenance = services.GetRequiredService<IOptions<LoyaltyMaintenanceOptions>>().Value;
        maintenance.TimeOfDay.Should().Be("03:30");
        (maintenance.PartitionIndex, maintenance.PartitionCount, maintenance.LeaseDuration).Should().Be((1, 2, TimeSpan.FromMinutes(10)));
        services.GetRequiredService<IOptions<LoyaltyDiagnosticsOptions>>().Value.LogMemberIds.Should().BeTrue();
        var transfers = services.GetRequiredService<IOptions<PointsTransferOptions>>().Value;
        (transfers.MinimumPoints, transfers.MaxPointsPerTransfer, transfers.MaxPointsPerPeriod, transfers.Period).Should().Be((10L, 400L, 1000L, TransferPeriod.Week));
        var households = services.GetRequiredService<IOptions<HouseholdOptions>>().Value;
        (households.MaxMembers, households.SpendingOrder, households.PooledTierQualification).Should().Be((4, HouseholdSpendingOrder.Proportional, true));
        var cards = services.GetRequiredService<IOptions<CardOptions>>().Value;
        (cards.Prefix, cards.Length, cards.CheckDigit, cards.IssueVirtualCardAtEnrolment).Should().Be(("29", 13, CheckDigitAlgorithm.Ean13, true));
    }

    [Fact]
    public void Code_configuration_of_a_feature_is_applied_after_its_sub_section()
    {
        using var host = Host(ConfiguredProgrammes.Full(), b => b.AddHouseholds(o => o.MaxMembers = 3));

        var households = host.Services.GetRequiredService<IOptions<HouseholdOptions>>().Value;

        (households.MaxMembers, households.SpendingOrder).Should().Be((3, HouseholdSpendingOrder.Proportional));
    }

    [Fact]
    public async Task Every_bad_value_of_every_feature_stops_the_host_at_start_up_with_its_configuration_path()
    {
        var configuration = ConfiguredProgrammes.Full(
        [
            new("Loyalty:Diagnostics:LogMemberIds", "sometimes"),
            new("Loyalty:Transfers:Period", "Fortnight"),
            new("Loyalty:Transfers:MaxPointsPerPeriod", "100"),
            new("Loyalty:Households:MaxMembers", "1"),
            new("Loyalty:Households:Pooled", "true"),
            new("Loyalty:Cards:Length", "7"),
        ]);
        using var host = Host(configuration, maintenance: false);

        var start = () => host.StartAsync();

        var failures = (await start.Should().ThrowAsync<AggregateException>()).Which.InnerExceptions
            .Cast<OptionsValidationException>().SelectMany(e => e.Failures).Order(StringComparer.Ordinal);
        failures.Should().Equal(
            "Loyalty:Cards:Length must be 13 for EAN-13 card numbers (was 7).",
            "Loyalty:Diagnostics:LogMemberIds: 'sometimes' is not true or false.",
            "Loyalty:Households:MaxMembers must be 2 to 50 (was 1).",
            "Loyalty:Households:Pooled is not a setting of the Loyalty:Households section; the settings are MaxMembers, PooledTierQualification, SpendingOrder.",
            "Loyalty:Transfers:MaxPointsPerPeriod must be at least MaxPointsPerTransfer (400) (was 100).",
            "Loyalty:Transfers:Period: 'Fortnight' is not one of Day, Week, Month, Year.");
    }

    [Fact]
    public async Task Bad_maintenance_values_stop_the_host_with_their_configuration_paths()
    {
        var configuration = ConfiguredProgrammes.Full(
        [
            new("Loyalty:Maintenance:PartitionCount", "two"),
            new("Loyalty:Maintenance:PartitionIndex", "0"),
            new("Loyalty:Maintenance:TimeOfDay", "25:00"),
            new("Loyalty:Maintenance:OnCompleted", "send-mails"),
        ]);
        using var host = Host(configuration);

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Failures.Should().Equal(
            "Loyalty:Maintenance:OnCompleted is not a setting of the Loyalty:Maintenance section (a callback is set in code); the settings are Enabled, ExpiryWarningDays, HealthyWithin, HolderName, LeaseDuration, PageSize, PartitionCount, PartitionIndex, RetryDelay, RunMissedOnStart, TimeOfDay.",
            "Loyalty:Maintenance:PartitionCount: 'two' is not a whole number (at most 2147483647); write it in digits, e.g. 500.",
            "Loyalty:Maintenance:TimeOfDay: '25:00' is not a time of day; use HH:mm or HH:mm:ss on a 24-hour clock, such as 03:00.");
    }

    [Fact]
    public void An_unknown_feature_key_is_reported_with_the_features_among_the_settings()
    {
        var configuration = ConfiguredProgrammes.Full([new("Loyalty:Household:MaxMembers", "4")]);
        using var provider = new ServiceCollection().AddSingleton<IClock>(new FakeClock(Instant.FromUtc(2026, 6, 22, 10, 0)))
            .AddLoyalty(configuration.GetSection("Loyalty")).Services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IOptions<LoyaltyOptions>>().Value;

        resolve.Should().Throw<OptionsValidationException>().Which.Failures.Should().Equal(
            "Loyalty:Household is not a setting of the Loyalty section; the settings are Cards, Currency, Diagnostics, DisplayName, Households, Ledger, Maintenance, ProgramId, Referral, Rewards, RuleSets, Tiers, TimeZone, Transfers.");
    }

    private static IHost Host(IConfiguration configuration, Action<LoyaltyBuilder>? features = null, bool maintenance = true)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<IClock>(new FakeClock(Instant.FromUtc(2026, 6, 22, 10, 0)));
        var loyalty = builder.Services.AddLoyalty(configuration.GetSection("Loyalty")).AddPointsTransfers().AddHouseholds().AddCards();
        features?.Invoke(loyalty);
        if (maintenance)
        {
            builder.Services.AddLoyaltyMaintenance();
        }

        return builder.Build();
    }
}
