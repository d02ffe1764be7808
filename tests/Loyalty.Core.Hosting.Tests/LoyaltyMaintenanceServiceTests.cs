using System.Collections.Concurrent;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Hosting.Tests.Infrastructure;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace Loyalty.Core.Hosting.Tests;

public sealed class LoyaltyMaintenanceServiceTests
{
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];

    [Fact]
    public async Task Runs_once_per_local_day_at_three_in_Paris_across_both_daylight_saving_changes()
    {
        var start = Instant.FromUtc(2026, 3, 20, 12, 0);
        var end = Instant.FromUtc(2026, 11, 5, 12, 0);
        var runs = new ConcurrentQueue<MaintenanceRunSummary>();
        using var bed = new HostingTestBed(start, o =>
        {
            o.RunMissedOnStart = false;
            o.OnCompleted = (run, _) =>
            {
                runs.Enqueue(run.Summary);
                return Task.CompletedTask;
            };
        });
        using var stop = new CancellationTokenSource();
        var service = bed.CreateService((d, _) =>
        {
            bed.Clock.Advance(d);
            if (bed.Clock.GetCurrentInstant() > end)
            {
                stop.Cancel();
            }

            return Task.CompletedTask;
        });

        await service.RunAsync(stop.Token);

        bed.Logs.Entries.Where(e => e.Level >= LogLevel.Warning).Should().BeEmpty();
        var expectedDates = Enumerable.Range(1, Period.Between(new LocalDate(2026, 3, 20), new LocalDate(2026, 11, 5), PeriodUnits.Days).Days)
            .Select(d => new LocalDate(2026, 3, 20).PlusDays(d)).ToList();
        runs.Select(r => r.ScheduledDate).Should().Equal(expectedDates);
        runs.Should().OnlyContain(r => r.AsOf.InZone(Paris).TimeOfDay == new LocalTime(3, 0) && r.AsOf == r.ScheduledAt);
        runs.Single(r => r.ScheduledDate == new LocalDate(2026, 3, 29)).AsOf.Should().Be(Instant.FromUtc(2026, 3, 29, 1, 0), "the spring-forward night runs at 03:00 summer time");
        runs.Single(r => r.ScheduledDate == new LocalDate(2026, 10, 25)).AsOf.Should().Be(Instant.FromUtc(2026, 10, 25, 2, 0), "the fall-back night runs once, at 03:00 winter time");
        bed.Status.SuccessfulRuns.Should().Be(expectedDates.Count);
    }

    [Fact]
    public async Task A_time_inside_the_changing_hour_still_runs_once_on_each_change_night()
    {
        var runs = new ConcurrentQueue<MaintenanceRunSummary>();
        foreach (var (from, to) in new[] { (new LocalDate(2026, 3, 27), new LocalDate(2026, 3, 31)), (new LocalDate(2026, 10, 23), new LocalDate(2026, 10, 27)) })
        {
            using var bed = new HostingTestBed(from.At(new LocalTime(12, 0)).InZoneStrictly(Paris).ToInstant(), o =>
            {
                o.TimeOfDay = "02:30";
                o.OnCompleted = (run, _) =>
                {
                    runs.Enqueue(run.Summary);
                    return Task.CompletedTask;
                };
                o.RunMissedOnStart = false;
            });
            using var stop = new CancellationTokenSource();
            var end = to.At(new LocalTime(12, 0)).InZoneStrictly(Paris).ToInstant();
            var service = bed.CreateService((d, _) =>
            {
                bed.Clock.Advance(d);
                if (bed.Clock.GetCurrentInstant() > end)
                {
                    stop.Cancel();
                }

                return Task.CompletedTask;
            });
            await service.RunAsync(stop.Token);
        }

        runs.Select(r => (r.ScheduledDate.Day, r.AsOf.InZone(Paris).ToString("HH:mm o<g>", null))).Should().Equal(
            (28, "02:30 +01"),
            (29, "03:30 +02"),
            (30, "02:30 +02"),
            (31, "02:30 +02"),
            (24, "02:30 +02"),
            (25, "02:30 +02"),
            (26, "02:30 +01"),
            (27, "02:30 +01"));
    }

    [Fact]
    public async Task A_missed_run_is_made_up_at_start_unless_told_otherwise()
    {
        var tenInTheMorning = Instant.FromUtc(2026, 6, 10, 8, 0);
        foreach (var (runMissed, expected) in new[] { (true, tenInTheMorning), (false, Instant.FromUtc(2026, 6, 11, 1, 0)) })
        {
            var runs = new ConcurrentQueue<Instant>();
            using var bed = new HostingTestBed(tenInTheMorning, o =>
            {
                o.RunMissedOnStart = runMissed;
                o.OnCompleted = (run, _) =>
                {
                    runs.Enqueue(run.Summary.AsOf);
                    return Task.CompletedTask;
                };
            });
            using var stop = new CancellationTokenSource();
            await bed.CreateService((d, _) =>
            {
                bed.Clock.Advance(d);
                if (!runs.IsEmpty)
                {
                    stop.Cancel();
                }

                return Task.CompletedTask;
            }).RunAsync(stop.Token);

            runs.Should().Equal(expected);
        }
    }

    [Fact]
    public async Task Maintenance_runs_in_a_scope_of_its_own_on_the_programme_and_logs_a_summary()
    {
        using var bed = new HostingTestBed(Instant.FromUtc(2026, 6, 10, 1, 0));
        await using (var scope = bed.Provider.CreateAsyncScope())
        {
            var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
            (await program.EnrolAsync(new Enrolment(MemberId.From("alice@example.com")))).Succeeded.Should().BeTrue();
            (await program.EnrolAsync(new Enrolment(MemberId.From("bob@example.com")))).Succeeded.Should().BeTrue();
        }

        var service = bed.CreateService();
        var outcome = await service.RunOnceAsync(new LocalDate(2026, 6, 10), Instant.FromUtc(2026, 6, 10, 1, 0), CancellationToken.None);

        outcome.Should().Be(LoyaltyMaintenanceService.RunOutcome.Done);
        bed.Status.LastSuccess!.MembersExamined.Should().Be(2);
        var summary = bed.Logs.Entries.Should().ContainSingle(e => e.EventId.Id == 2003).Subject;
        summary.Level.Should().Be(LogLevel.Information);
        summary.EventId.Name.Should().Be("MaintenanceRunSummary");
        summary.Message.Should().StartWith("Loyalty maintenance of programme club (partition 0/1) for Wednesday, 10 June 2026 completed in ")
            .And.EndWith(" ms: 2 members examined, 0 points expired, 0 members with points now spendable, 0 tier changes, 0 birthday grants, 0 interrupted calls completed");
        bed.Logs.Entries.Should().Contain(e => e.EventId.Id == 2002 && e.Level == LogLevel.Information);
        bed.Logs.Entries.Where(e => e.Level >= LogLevel.Information).Should().NotContain(e => e.Message.Contains("example.com", StringComparison.Ordinal));
        (await bed.Provider.GetRequiredService<IMaintenanceLease>().GetAsync(ProgramId.From("club"), "maintenance:0/1"))
            .Should().Be(new MaintenanceLeaseState("maintenance:0/1", null, Instant.FromUtc(2026, 6, 10, 1, 5), Instant.FromUtc(2026, 6, 10, 1, 0)));
    }

    [Fact]
    public async Task Two_hosts_with_one_lease_never_run_the_same_maintenance_at_once_and_run_each_day_once()
    {
        var (overlap, runs) = await RaceTwoHostsAsync(shareLease: true);

        overlap.Should().Be(1);
        runs.Should().Be(20);
    }

    [Fact]
    public async Task Without_a_shared_lease_two_hosts_do_overlap_which_the_race_detects()
    {
        var (overlap, runs) = await RaceTwoHostsAsync(shareLease: false);

        overlap.Should().Be(2);
        runs.Should().Be(40);
    }

    [Fact]
    public async Task A_failed_run_is_logged_as_an_error_and_tried_again_after_the_retry_delay()
    {
        var lease = new FailingOnceLease();
        var runs = 0;
        using var bed = new HostingTestBed(Instant.FromUtc(2026, 6, 10, 1, 0), o =>
        {
            o.RetryDelay = TimeSpan.FromMinutes(7);
            o.OnCompleted = (_, _) =>
            {
                runs++;
                return Task.CompletedTask;
            };
        }, sharedLease: lease);
        var waits = new List<Duration>();
        using var stop = new CancellationTokenSource();

        await bed.CreateService((d, _) =>
        {
            waits.Add(d);
            bed.Clock.Advance(d);
            if (runs > 0)
            {
                stop.Cancel();
            }

            return Task.CompletedTask;
        }).RunAsync(stop.Token);

        waits[0].Should().Be(Duration.FromMinutes(7));
        runs.Should().Be(1);
        var failure = bed.Logs.Entries.Should().ContainSingle(e => e.EventId.Id == 2006).Subject;
        failure.Level.Should().Be(LogLevel.Error);
        failure.Exception.Should().BeOfType<LoyaltyStoreException>();
        bed.Status.LastFailure.Should().Be("LoyaltyStoreException: The lease store is down.");
        bed.Status.LastFailureAt.Should().Be(Instant.FromUtc(2026, 6, 10, 1, 0));
    }

    [Fact]
    public async Task A_run_that_loses_its_lease_stops_and_leaves_the_run_to_the_new_holder()
    {
        var lease = new InMemoryMaintenanceLease();
        using var bed = new HostingTestBed(Instant.FromUtc(2026, 6, 10, 1, 0), o =>
        {
            o.HolderName = "a";
            o.OnCompleted = async (_, ct) => await Task.Delay(Timeout.Infinite, ct);
        }, sharedLease: lease);
        var service = new LoyaltyMaintenanceService(
            bed.Provider.GetRequiredService<IServiceScopeFactory>(),
            bed.Clock,
            bed.Provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<LoyaltyMaintenanceOptions>>(),
            bed.Provider.GetRequiredService<Configuration.ProgramSettings>(),
            bed.Status,
            bed.Provider.GetRequiredService<ILoggerFactory>(),
            (_, _) => Task.CompletedTask,
            async (d, ct) =>
            {
                // Another instance takes the lapsed lease while this one's renewal waits.
                bed.Clock.Advance(Duration.FromMinutes(6));
                await lease.TryAcquireAsync(ProgramId.From("club"), "maintenance:0/1", "b", bed.Clock.GetCurrentInstant(), Duration.FromMinutes(5), ct);
            });

        var outcome = await service.RunOnceAsync(new LocalDate(2026, 6, 10), Instant.FromUtc(2026, 6, 10, 1, 0), CancellationToken.None);

        outcome.Should().Be(LoyaltyMaintenanceService.RunOutcome.Retry);
        bed.Logs.Entries.Should().ContainSingle(e => e.EventId.Id == 2007).Which.Level.Should().Be(LogLevel.Warning);
        (await lease.GetAsync(ProgramId.From("club"), "maintenance:0/1"))!.Holder.Should().Be("b");
    }

    [Fact]
    public async Task A_disabled_service_logs_it_and_does_nothing()
    {
        using var bed = new HostingTestBed(Instant.FromUtc(2026, 6, 10, 1, 0), o => o.Enabled = false);

        await bed.CreateService().RunAsync(CancellationToken.None);

        bed.Logs.Entries.Should().ContainSingle(e => e.EventId.Id == 2009);
        bed.Status.SuccessfulRuns.Should().Be(0);
    }

    [Fact]
    public void The_hosted_service_is_registered_once_and_resolves_from_the_container()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddLoyalty();
        services.AddLoyaltyMaintenance();
        services.AddLoyaltyMaintenance(o => o.TimeOfDay = "04:15");
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

        var hosted = provider.GetServices<IHostedService>().Should().ContainSingle().Subject.Should().BeOfType<LoyaltyMaintenanceService>().Subject;
        hosted.Schedule.TimeOfDay.Should().Be(new LocalTime(4, 15));
        hosted.Schedule.Zone.Id.Should().Be("UTC");
        hosted.LeaseName.Should().Be("maintenance:0/1");
        provider.GetRequiredService<IMaintenanceLease>().Should().BeOfType<InMemoryMaintenanceLease>();
    }

    /// <summary>Two hosts race for the same 20 nights; each night's run holds the lease for a few milliseconds.</summary>
    private static async Task<(int MaxInside, int Runs)> RaceTwoHostsAsync(bool shareLease)
    {
        var inside = 0;
        var maxInside = 0;
        async Task Hold(MaintenanceRunContext run, CancellationToken ct)
        {
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref maxInside, now);
            await Task.Delay(15, ct);
            Interlocked.Decrement(ref inside);
        }

        var first = Instant.FromUtc(2026, 3, 20, 2, 0);
        var shared = new InMemoryMaintenanceLease();
        using var a = new HostingTestBed(first, o => { o.HolderName = "a"; o.OnCompleted = Hold; }, shareLease ? shared : new InMemoryMaintenanceLease());
        using var b = new HostingTestBed(first, o => { o.HolderName = "b"; o.OnCompleted = Hold; }, shareLease ? shared : new InMemoryMaintenanceLease());
        var hostA = a.CreateService();
        var hostB = b.CreateService();
        for (var day = 0; day < 20; day++)
        {
            var date = new LocalDate(2026, 3, 20).PlusDays(day);
            var due = hostA.Schedule.At(date);
            a.Clock.Reset(due);
            b.Clock.Reset(due);

            async Task UntilDone(LoyaltyMaintenanceService host)
            {
                while (await host.RunOnceAsync(date, due, CancellationToken.None) != LoyaltyMaintenanceService.RunOutcome.Done)
                {
                    await Task.Delay(1);
                }
            }

            await Task.WhenAll(Task.Run(() => UntilDone(hostA)), Task.Run(() => UntilDone(hostB)));
        }

        return (maxInside, a.Status.SuccessfulRuns + b.Status.SuccessfulRuns);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    /// <summary>A lease store that fails on its first call, then works.</summary>
    private sealed class FailingOnceLease : IMaintenanceLease
    {
        private readonly InMemoryMaintenanceLease inner = new();
        private int calls;

        public ValueTask<MaintenanceLeaseState?> TryAcquireAsync(ProgramId programId, string name, string holder, Instant now, Duration duration, CancellationToken cancellationToken = default)
            => Interlocked.Increment(ref calls) == 1
                ? throw new LoyaltyStoreException("The lease store is down.", isTransient: true)
                : inner.TryAcquireAsync(programId, name, holder, now, duration, cancellationToken);

        public ValueTask<bool> RenewAsync(ProgramId programId, string name, string holder, Instant now, Duration duration, CancellationToken cancellationToken = default)
            => inner.RenewAsync(programId, name, holder, now, duration, cancellationToken);

        public ValueTask<bool> ReleaseAsync(ProgramId programId, string name, string holder, Instant? completedAt, CancellationToken cancellationToken = default)
            => inner.ReleaseAsync(programId, name, holder, completedAt, cancellationToken);

        public ValueTask<MaintenanceLeaseState?> GetAsync(ProgramId programId, string name, CancellationToken cancellationToken = default)
            => inner.GetAsync(programId, name, cancellationToken);
    }
}
