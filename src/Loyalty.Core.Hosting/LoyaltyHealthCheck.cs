using Loyalty.Core.Configuration;
using Loyalty.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Loyalty.Core.Hosting;

/// <summary>
/// The programme's health: its stores answer (the rule sets and the maintenance lease are read, in
/// a DI scope of their own), and the last successful maintenance of every partition ran as of no
/// longer ago than <see cref="LoyaltyMaintenanceOptions.HealthyWithin"/>.
/// </summary>
/// <remarks>
/// The last successful run is read from the shared lease, so an instance that serves requests and
/// does not run maintenance itself still sees the runs of the others. Before any run, the programme
/// is healthy for the threshold counted from this process's first health check. A store fault is
/// <c>failureStatus</c> (unhealthy by default); a late maintenance is degraded. Register it with
/// <see cref="LoyaltyHealthChecksBuilderExtensions.AddLoyalty"/>.
/// </remarks>
public sealed class LoyaltyHealthCheck : IHealthCheck
{
    /// <summary>The largest partition count whose partitions are checked one by one (64); above it only this instance's partition is.</summary>
    public const int MaxPartitionsChecked = 64;

    private readonly IServiceScopeFactory scopes;
    private readonly IClock clock;
    private readonly ProgramSettings settings;
    private readonly LoyaltyMaintenanceOptions options;
    private readonly LoyaltyHealthCheckStart start;

    /// <summary>Creates the check (DI does this).</summary>
    /// <param name="scopes">Creates the scope the stores are read in.</param>
    /// <param name="clock">The clock.</param>
    /// <param name="settings">The programme's settings.</param>
    /// <param name="options">The maintenance options (threshold and partitions).</param>
    /// <param name="start">When this process's checks began (the grace period before any run).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public LoyaltyHealthCheck(IServiceScopeFactory scopes, IClock clock, ProgramSettings settings, IOptions<LoyaltyMaintenanceOptions> options, LoyaltyHealthCheckStart start)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(start);
        this.scopes = scopes;
        this.clock = clock;
        this.settings = settings;
        this.options = options.Value;
        this.start = start;
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = new Dictionary<string, object>();
        var partitions = options.PartitionCount <= MaxPartitionsChecked
            ? Enumerable.Range(0, options.PartitionCount).Select(i => MemberPartition.Of(i, options.PartitionCount)).ToArray()
            : [MemberPartition.Of(options.PartitionIndex, options.PartitionCount)];
        var completed = new List<(MemberPartition Partition, Instant? At)>();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var ruleSets = scope.ServiceProvider.GetRequiredService<IRuleSetStore>();
            var history = await ruleSets.GetHistoryAsync(settings.ProgramId, cancellationToken).ConfigureAwait(false);
            data["ruleSetVersions"] = history.Versions.Count;
            var lease = scope.ServiceProvider.GetRequiredService<IMaintenanceLease>();
            foreach (var partition in partitions)
            {
                var state = await lease.GetAsync(settings.ProgramId, LoyaltyMaintenanceService.LeaseNameOf(partition), cancellationToken).ConfigureAwait(false);
                completed.Add((partition, state?.LastCompletedAt));
            }
        }
        catch (LoyaltyStoreException ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The loyalty stores of programme {settings.ProgramId} did not answer: {ex.Message}", ex, data);
        }

        var now = clock.GetCurrentInstant();
        var threshold = Duration.FromTimeSpan(options.HealthyWithin);
        var late = new List<string>();
        foreach (var (partition, at) in completed)
        {
            var key = $"lastMaintenance:{partition.Index}/{partition.Count}";
            if (at is { } done)
            {
                data[key] = done.ToString();
                if (now - done > threshold)
                {
                    late.Add($"partition {partition.Index}/{partition.Count} last completed as of {done} ({(now - done).TotalHours:0.#} h ago)");
                }
            }
            else
            {
                data[key] = "never";
                if (now - start.At > threshold)
                {
                    late.Add($"partition {partition.Index}/{partition.Count} never completed since {start.At}");
                }
            }
        }

        if (late.Count > 0)
        {
            return HealthCheckResult.Degraded(
                $"The loyalty maintenance of programme {settings.ProgramId} is late (threshold {options.HealthyWithin:c}): {string.Join("; ", late)}.",
                data: data);
        }

        return HealthCheckResult.Healthy($"The loyalty stores of programme {settings.ProgramId} answer and its maintenance is up to date.", data);
    }
}

/// <summary>When the health checks of this process began (the first check): before any maintenance run, the grace period counts from it.</summary>
/// <remarks>Registered as a singleton by <see cref="LoyaltyHealthChecksBuilderExtensions.AddLoyalty"/>; immutable.</remarks>
public sealed class LoyaltyHealthCheckStart
{
    /// <summary>Records the current instant (DI does this once).</summary>
    /// <param name="clock">The clock.</param>
    /// <exception cref="ArgumentNullException"><paramref name="clock"/> is null.</exception>
    public LoyaltyHealthCheckStart(IClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        At = clock.GetCurrentInstant();
    }

    /// <summary>The instant.</summary>
    public Instant At { get; }
}
