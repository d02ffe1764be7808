using System.Diagnostics;
using Loyalty.Core.Configuration;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Loyalty.Core.Hosting;

/// <summary>
/// Runs the programme's maintenance once per local day at the configured time in the programme's
/// time zone, in its own DI scope, under a lease so that two instances never run the same
/// maintenance (the same partition) at once, and logs a summary of each run.
/// </summary>
internal sealed class LoyaltyMaintenanceService : BackgroundService
{
    /// <summary>The longest single wait: a long sleep is cut so a clock change (or a suspended machine) is noticed within the hour.</summary>
    internal static readonly Duration MaxWait = Duration.FromHours(1);

    private readonly IServiceScopeFactory scopes;
    private readonly IClock clock;
    private readonly LoyaltyMaintenanceOptions options;
    private readonly ProgramSettings settings;
    private readonly LoyaltyMaintenanceStatus status;
    private readonly ILogger logger;
    private readonly Func<Duration, CancellationToken, Task> wait;
    private readonly Func<Duration, CancellationToken, Task> renewalWait;

    public LoyaltyMaintenanceService(
        IServiceScopeFactory scopes,
        IClock clock,
        IOptions<LoyaltyMaintenanceOptions> options,
        ProgramSettings settings,
        LoyaltyMaintenanceStatus status,
        ILoggerFactory? loggerFactory = null)
        : this(scopes, clock, options, settings, status, loggerFactory, RealWaitAsync, RealWaitAsync)
    {
    }

    /// <summary>Creates the service with its waits replaced (tests pass a wait that moves a fake clock on).</summary>
    internal LoyaltyMaintenanceService(
        IServiceScopeFactory scopes,
        IClock clock,
        IOptions<LoyaltyMaintenanceOptions> options,
        ProgramSettings settings,
        LoyaltyMaintenanceStatus status,
        ILoggerFactory? loggerFactory,
        Func<Duration, CancellationToken, Task> wait,
        Func<Duration, CancellationToken, Task> renewalWait)
    {
        this.scopes = scopes;
        this.clock = clock;
        this.options = options.Value;
        this.settings = settings;
        this.status = status;
        logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Loyalty.Core.Hosting.Maintenance");
        this.wait = wait;
        this.renewalWait = renewalWait;
        Schedule = new MaintenanceSchedule(settings.TimeZone, MaintenanceSchedule.ParseTimeOfDay(this.options.TimeOfDay) ?? new LocalTime(3, 0));
        Partition = MemberPartition.Of(this.options.PartitionIndex, this.options.PartitionCount);
        LeaseName = LeaseNameOf(Partition);
        Holder = this.options.HolderName ?? DefaultHolder();
    }

    internal MaintenanceSchedule Schedule { get; }

    internal MemberPartition Partition { get; }

    internal string LeaseName { get; }

    internal string Holder { get; }

    /// <summary>The lease name of a partition: <c>maintenance:{index}/{count}</c>.</summary>
    internal static string LeaseNameOf(MemberPartition partition) => $"maintenance:{partition.Index}/{partition.Count}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunAsync(stoppingToken);

    /// <summary>The service's loop, until <paramref name="stoppingToken"/> is cancelled.</summary>
    internal async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            HostingLog.Disabled(logger);
            return;
        }

        // Let the host finish starting before the first run (a missed run starts at once otherwise).
        await Task.Yield();
        LocalDate? lastDone = null;
        LocalDate? planned = null;
        LocalDate? announced = null;
        var retry = Duration.FromTimeSpan(options.RetryDelay);
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetCurrentInstant();

            // The date is chosen once and kept until its run is done (at its due instant "today's time
            // has passed" would otherwise move it to tomorrow), unless it fell behind today.
            var date = planned is { } kept && kept >= Schedule.DateOf(now) ? kept : Schedule.NextDate(now, lastDone, options.RunMissedOnStart);
            planned = date;
            var due = Schedule.At(date);
            if (announced != date)
            {
                HostingLog.Scheduled(logger, settings.ProgramId.Value, Partition, due, date, Schedule.TimeOfDay, Schedule.Zone.Id);
                announced = date;
            }

            if (due > now)
            {
                var remaining = due - now;
                if (!await WaitAsync(remaining < MaxWait ? remaining : MaxWait, stoppingToken).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            RunOutcome outcome;
            try
            {
                outcome = await RunOnceAsync(date, due, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            if (outcome is RunOutcome.Done)
            {
                lastDone = date;
                planned = null;
                continue;
            }

            if (!await WaitAsync(retry, stoppingToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Waits; false when the host is stopping.</summary>
    private async Task<bool> WaitAsync(Duration duration, CancellationToken stoppingToken)
    {
        try
        {
            await wait(duration, stoppingToken).ConfigureAwait(false);
            return !stoppingToken.IsCancellationRequested;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>One attempt at a date's run: take the lease, run unless already done, record it, release.</summary>
    internal async Task<RunOutcome> RunOnceAsync(LocalDate date, Instant due, CancellationToken stoppingToken)
    {
        var programId = settings.ProgramId;
        var leaseDuration = Duration.FromTimeSpan(options.LeaseDuration);
        await using var leaseScope = scopes.CreateAsyncScope();
        var lease = leaseScope.ServiceProvider.GetRequiredService<IMaintenanceLease>();
        MaintenanceLeaseState? taken;
        try
        {
            taken = await lease.TryAcquireAsync(programId, LeaseName, Holder, clock.GetCurrentInstant(), leaseDuration, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            status.Failed(clock.GetCurrentInstant(), ex);
            HostingLog.Failed(logger, ex, programId.Value, Partition, date, options.RetryDelay);
            return RunOutcome.Retry;
        }

        if (taken is null)
        {
            HostingLog.HeldElsewhere(logger, programId.Value, Partition, date, options.RetryDelay);
            return RunOutcome.Retry;
        }

        if (taken.LastCompletedAt is { } completed && completed >= due)
        {
            HostingLog.AlreadyDone(logger, programId.Value, Partition, date, completed);
            await ReleaseQuietlyAsync(lease, null).ConfigureAwait(false);
            return RunOutcome.Done;
        }

        using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var renewalStop = new CancellationTokenSource();
        var leaseLost = false;
        var renewal = RenewAsync(lease, leaseDuration, () => { leaseLost = true; run.Cancel(); }, renewalStop.Token);
        Instant? completedAsOf = null;
        try
        {
            var asOf = clock.GetCurrentInstant();
            HostingLog.Starting(logger, programId.Value, Partition, date, asOf, Holder);
            var started = Stopwatch.GetTimestamp();
            await using var workScope = scopes.CreateAsyncScope();
            var program = workScope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
            var scope = new MaintenanceScope { Partition = Partition, PageSize = options.PageSize, ExpiryWarningDays = options.ExpiryWarningDays };
            var report = await program.RunMaintenanceAsync(asOf, scope, null, run.Token).ConfigureAwait(false);
            var summary = new MaintenanceRunSummary(
                date,
                due,
                asOf,
                Partition,
                report.MembersExamined,
                report.PointsExpired.Value,
                report.Activated.Count,
                report.TierChanges.Count,
                report.Birthdays.Count,
                report.PendingOrdersCompleted + report.PendingRefundsCompleted + report.PendingActivitiesCompleted,
                Stopwatch.GetElapsedTime(started));
            completedAsOf = asOf;
            HostingLog.Completed(logger, programId.Value, Partition, date, (long)summary.Elapsed.TotalMilliseconds, summary.MembersExamined, summary.PointsExpired, summary.PointsActivatedMembers, summary.TierChanges, summary.BirthdayGrants, summary.PendingStepsCompleted);
            status.Succeeded(summary);
            if (options.OnCompleted is { } callback)
            {
                try
                {
                    await callback(new MaintenanceRunContext(summary, report, workScope.ServiceProvider), run.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!run.IsCancellationRequested)
                {
                    HostingLog.CallbackFailed(logger, ex, programId.Value, Partition, date);
                }
            }

            return RunOutcome.Done;
        }
        catch (OperationCanceledException) when (leaseLost && !stoppingToken.IsCancellationRequested)
        {
            HostingLog.LeaseLost(logger, programId.Value, Partition, LeaseName);
            return RunOutcome.Retry;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            status.Failed(clock.GetCurrentInstant(), ex);
            HostingLog.Failed(logger, ex, programId.Value, Partition, date, options.RetryDelay);
            return RunOutcome.Retry;
        }
        finally
        {
            await renewalStop.CancelAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!leaseLost)
            {
                await ReleaseQuietlyAsync(lease, completedAsOf).ConfigureAwait(false);
            }
        }
    }

    private static string DefaultHolder()
    {
        var holder = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
        return holder.Length <= MaintenanceLeaseState.MaxNameLength ? holder : holder[^MaintenanceLeaseState.MaxNameLength..];
    }

    private static Task RealWaitAsync(Duration duration, CancellationToken cancellationToken) =>
        Task.Delay(duration.ToTimeSpan(), cancellationToken);

    private async Task RenewAsync(IMaintenanceLease lease, Duration leaseDuration, Action lost, CancellationToken stop)
    {
        var every = leaseDuration / 3;
        while (!stop.IsCancellationRequested)
        {
            await renewalWait(every, stop).ConfigureAwait(false);
            if (stop.IsCancellationRequested)
            {
                return;
            }

            bool renewed;
            try
            {
                renewed = await lease.RenewAsync(settings.ProgramId, LeaseName, Holder, clock.GetCurrentInstant(), leaseDuration, stop).ConfigureAwait(false);
            }
            catch (LoyaltyStoreException)
            {
                // A failed renewal is tried again at the next interval; the lease lasts three of them.
                continue;
            }

            if (!renewed)
            {
                lost();
                return;
            }
        }
    }

    private async Task ReleaseQuietlyAsync(IMaintenanceLease lease, Instant? completedAt)
    {
        try
        {
            await lease.ReleaseAsync(settings.ProgramId, LeaseName, Holder, completedAt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (LoyaltyStoreException ex)
        {
            // The lease lapses by itself; a completed run not recorded is run again (maintenance is safe to re-run).
            HostingLog.Failed(logger, ex, settings.ProgramId.Value, Partition, Schedule.DateOf(clock.GetCurrentInstant()), options.RetryDelay);
        }
    }

    internal enum RunOutcome
    {
        Done,
        Retry,
    }
}
