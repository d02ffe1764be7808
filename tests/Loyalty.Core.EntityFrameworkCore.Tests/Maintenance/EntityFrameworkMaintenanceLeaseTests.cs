using Loyalty.Core.DependencyInjection;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Hosting;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Maintenance;

/// <summary>Two instances of a shop (two hosts, each its own container and contexts) on one database run the nightly maintenance under the lease row.</summary>
[Collection(PostgresCollection.Name)]
public sealed class EntityFrameworkMaintenanceLeaseTests(PostgresServerFixture fixture)
{
    [Fact]
    public async Task Two_hosts_on_one_SQLite_database_never_run_the_same_maintenance_at_once()
    {
        using var database = new SqliteDatabase();

        var (maxInside, runs) = await RaceTwoHostsAsync(database.CreateContext);

        maxInside.Should().Be(1);
        runs.Should().Be(Nights);
    }

    [PostgresFact]
    public async Task Two_hosts_on_one_PostgreSQL_database_never_run_the_same_maintenance_at_once()
    {
        var database = fixture.Database("hosted_maintenance", LoyaltyModelOptions.Create("shop_loyalty", ""));

        var (maxInside, runs) = await RaceTwoHostsAsync(database.CreateContext);

        maxInside.Should().Be(1);
        runs.Should().Be(Nights);
    }

    [Fact]
    public void The_EF_Core_stores_register_the_lease_row_whatever_the_order_of_the_calls()
    {
        using var database = new SqliteDatabase();
        foreach (var maintenanceFirst in new[] { true, false })
        {
            var services = new ServiceCollection();
            services.AddScoped(_ => database.CreateContext());
            if (maintenanceFirst)
            {
                services.AddLoyaltyMaintenance();
            }

            services.AddLoyalty().UseEntityFrameworkCore<ShopContext>();
            if (!maintenanceFirst)
            {
                services.AddLoyaltyMaintenance();
            }

            using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
            using var scope = provider.CreateScope();
            scope.ServiceProvider.GetRequiredService<IMaintenanceLease>().Should().BeOfType<EntityFrameworkMaintenanceLease>();
        }
    }

    private const int Nights = 6;

    /// <summary>Two hosts race for the same nights; each run holds the lease while its callback waits a little.</summary>
    private static async Task<(int MaxInside, int Runs)> RaceTwoHostsAsync(Func<ShopContext> createContext)
    {
        var inside = 0;
        var maxInside = 0;
        var runs = 0;
        async Task Hold(MaintenanceRunContext run, CancellationToken ct)
        {
            var now = Interlocked.Increment(ref inside);
            int seen;
            while ((seen = Volatile.Read(ref maxInside)) < now && Interlocked.CompareExchange(ref maxInside, now, seen) != seen)
            {
            }

            Interlocked.Increment(ref runs);
            await Task.Delay(50, ct);
            Interlocked.Decrement(ref inside);
        }

        var programId = "hosted-" + Guid.NewGuid().ToString("N")[..8];
        var first = new LocalDate(2026, 3, 27);
        var clocks = new[] { new FakeClock(Instant.FromUtc(2026, 3, 27, 2, 0)), new FakeClock(Instant.FromUtc(2026, 3, 27, 2, 0)) };
        var providers = new List<ServiceProvider>();
        var hosts = new List<LoyaltyMaintenanceService>();
        for (var i = 0; i < 2; i++)
        {
            var services = new ServiceCollection();
            services.AddSingleton<IClock>(clocks[i]);
            services.AddScoped(_ => createContext());
            services.AddLoyalty(o =>
            {
                o.ProgramId = programId;
                o.TimeZone = "Europe/Paris";
            }).UseEntityFrameworkCore<ShopContext>();
            var holder = "host-" + i;
            services.AddLoyaltyMaintenance(o =>
            {
                o.HolderName = holder;
                o.OnCompleted = Hold;
            });
            var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
            providers.Add(provider);
            hosts.Add(new LoyaltyMaintenanceService(
                provider.GetRequiredService<IServiceScopeFactory>(),
                clocks[i],
                provider.GetRequiredService<IOptions<LoyaltyMaintenanceOptions>>(),
                provider.GetRequiredService<Configuration.ProgramSettings>(),
                provider.GetRequiredService<LoyaltyMaintenanceStatus>(),
                NullLoggerFactory.Instance,
                (_, _) => Task.CompletedTask,
                (_, ct) => Task.Delay(Timeout.Infinite, ct)));
        }

        try
        {
            await using (var scope = providers[0].CreateAsyncScope())
            {
                var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
                (await program.EnrolAsync(new Enrolment(MemberId.From("alice")))).Succeeded.Should().BeTrue();
            }

            for (var night = 0; night < Nights; night++)
            {
                var date = first.PlusDays(night);
                var due = hosts[0].Schedule.At(date);
                clocks[0].Reset(due);
                clocks[1].Reset(due);
                await Task.WhenAll(hosts.Select(host => Task.Run(async () =>
                {
                    while (await host.RunOnceAsync(date, due, CancellationToken.None) != LoyaltyMaintenanceService.RunOutcome.Done)
                    {
                        await Task.Delay(5);
                    }
                })));
            }

            await using var check = providers[1].CreateAsyncScope();
            var lease = await check.ServiceProvider.GetRequiredService<IMaintenanceLease>().GetAsync(ProgramId.From(programId), "maintenance:0/1");
            lease!.LastCompletedAt.Should().Be(hosts[0].Schedule.At(first.PlusDays(Nights - 1)));
            lease.Holder.Should().BeNull();
            return (maxInside, runs);
        }
        finally
        {
            foreach (var provider in providers)
            {
                await provider.DisposeAsync();
            }
        }
    }
}
