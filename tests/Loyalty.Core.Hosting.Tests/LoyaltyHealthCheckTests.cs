using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.Hosting.Tests;

public sealed class LoyaltyHealthCheckTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 6, 10, 12, 0);

    [Fact]
    public async Task Before_any_run_the_programme_is_healthy_for_the_grace_period_then_degraded()
    {
        var clock = new FakeClock(Start);
        using var provider = Build(clock);

        var fresh = await CheckAsync(provider);
        clock.Advance(Duration.FromHours(27));
        var late = await CheckAsync(provider);

        fresh.Status.Should().Be(HealthStatus.Healthy);
        fresh.Description.Should().Be("The loyalty stores of programme club answer and its maintenance is up to date.");
        fresh.Data["lastMaintenance:0/1"].Should().Be("never");
        late.Status.Should().Be(HealthStatus.Degraded);
        late.Description.Should().Be("The loyalty maintenance of programme club is late (threshold 1.02:00:00): partition 0/1 never completed since 2026-06-10T12:00:00Z.");
    }

    [Fact]
    public async Task A_recent_run_recorded_under_the_lease_is_healthy_and_an_old_one_is_degraded()
    {
        var clock = new FakeClock(Start);
        var lease = new InMemoryMaintenanceLease();
        using var provider = Build(clock, lease, o => o.HealthyWithin = TimeSpan.FromHours(25));
        var club = ProgramId.From("club");
        await lease.TryAcquireAsync(club, "maintenance:0/1", "another-instance", Start, Duration.FromMinutes(5));
        await lease.ReleaseAsync(club, "maintenance:0/1", "another-instance", Start);

        clock.Advance(Duration.FromHours(24));
        var recent = await CheckAsync(provider);
        clock.Advance(Duration.FromHours(2));
        var old = await CheckAsync(provider);

        recent.Status.Should().Be(HealthStatus.Healthy);
        recent.Data["lastMaintenance:0/1"].Should().Be("2026-06-10T12:00:00Z");
        old.Status.Should().Be(HealthStatus.Degraded);
        old.Description.Should().Be("The loyalty maintenance of programme club is late (threshold 1.01:00:00): partition 0/1 last completed as of 2026-06-10T12:00:00Z (26 h ago).");
    }

    [Fact]
    public async Task Every_partition_is_checked()
    {
        var clock = new FakeClock(Start);
        var lease = new InMemoryMaintenanceLease();
        using var provider = Build(clock, lease, o => o.PartitionCount = 2);
        var club = ProgramId.From("club");
        (await CheckAsync(provider)).Status.Should().Be(HealthStatus.Healthy, "the grace period counts from the first check");
        await lease.TryAcquireAsync(club, "maintenance:1/2", "b", Start, Duration.FromMinutes(5));
        await lease.ReleaseAsync(club, "maintenance:1/2", "b", Start);
        clock.Advance(Duration.FromHours(30));

        var result = await CheckAsync(provider);

        result.Status.Should().Be(HealthStatus.Degraded);
        result.Description.Should().Be("The loyalty maintenance of programme club is late (threshold 1.02:00:00): partition 0/2 never completed since 2026-06-10T12:00:00Z; partition 1/2 last completed as of 2026-06-10T12:00:00Z (30 h ago).");
    }

    [Fact]
    public async Task Stores_that_do_not_answer_make_it_unhealthy_with_the_reason()
    {
        using var provider = Build(new FakeClock(Start), configureServices: s => s.AddSingleton<IRuleSetStore, DownRuleSetStore>());

        var result = await CheckAsync(provider);

        result.Status.Should().Be(HealthStatus.Unhealthy);
        result.Description.Should().Be("The loyalty stores of programme club did not answer: The database is unreachable.");
        result.Exception.Should().BeOfType<LoyaltyStoreException>();
    }

    [Fact]
    public void A_blank_name_is_refused()
    {
        var builder = new ServiceCollection().AddHealthChecks();

        var add = () => builder.AddLoyalty(" ");

        add.Should().Throw<ArgumentException>().WithParameterName("name");
    }

    private static ServiceProvider Build(IClock clock, IMaintenanceLease? lease = null, Action<LoyaltyMaintenanceOptions>? configure = null, Action<IServiceCollection>? configureServices = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(clock);
        services.AddLoyalty(o => o.ProgramId = "club");
        configureServices?.Invoke(services);
        if (lease is not null)
        {
            services.AddSingleton(lease);
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddHealthChecks().AddLoyalty();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    private static async Task<HealthReportEntry> CheckAsync(ServiceProvider provider)
    {
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries["loyalty"];
    }

    private sealed class DownRuleSetStore : IRuleSetStore
    {
        public ValueTask<EarningRuleSetHistory> GetHistoryAsync(ProgramId programId, CancellationToken cancellationToken = default)
            => throw new LoyaltyStoreException("The database is unreachable.", isTransient: true);

        public ValueTask<bool> AddAsync(ProgramId programId, EarningRuleSet ruleSet, CancellationToken cancellationToken = default)
            => throw new LoyaltyStoreException("The database is unreachable.", isTransient: true);
    }
}
