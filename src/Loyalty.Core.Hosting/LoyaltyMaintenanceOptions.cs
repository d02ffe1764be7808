using Loyalty.Core.Programs;

namespace Loyalty.Core.Hosting;

/// <summary>
/// The settings of the hosted maintenance (<see cref="LoyaltyHostingServiceCollectionExtensions.AddLoyaltyMaintenance"/>),
/// usually bound from the section <see cref="SectionName"/> or set in code.
/// </summary>
/// <remarks>
/// A plain, mutable options object, validated at start-up: every bad value is reported at once
/// with its configuration path (e.g. <c>Loyalty:Maintenance:TimeOfDay</c>).
/// </remarks>
public sealed class LoyaltyMaintenanceOptions
{
    /// <summary>The configuration section these options are usually bound from: <c>Loyalty:Maintenance</c>.</summary>
    public const string SectionName = "Loyalty:Maintenance";

    /// <summary>False to register the service but never run maintenance (an instance that only serves requests). Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The local time of day, in the programme's time zone, at which maintenance runs, as
    /// <c>HH:mm</c> or <c>HH:mm:ss</c>. Default <c>03:00</c>. The run stays at this local time across
    /// daylight-saving changes; a time skipped by a change (02:30 on the spring-forward night in
    /// Europe/Paris) runs shifted forward by the gap (03:30 that night), and a time that occurs
    /// twice (02:30 on the fall-back night) runs once, at its first occurrence.
    /// </summary>
    public string TimeOfDay { get; set; } = "03:00";

    /// <summary>
    /// True (the default) to run at start-up when today's time has already passed and today's
    /// maintenance is not recorded as done under the lease; false to wait for the next day's time.
    /// </summary>
    public bool RunMissedOnStart { get; set; } = true;

    /// <summary>The partition of the members this instance maintains (0-based). Default 0.</summary>
    public int PartitionIndex { get; set; }

    /// <summary>
    /// How many partitions the members are split into, 1 to 65,536. Default 1 (the whole programme).
    /// Instances given different partitions run at the same time, each on its own members; instances
    /// given the same partition share one lease, so one of them runs it.
    /// </summary>
    public int PartitionCount { get; set; } = 1;

    /// <summary>Members per page, 1 to <see cref="MaintenanceScope.MaxPageSize"/>. Default <see cref="MaintenanceScope.DefaultPageSize"/>.</summary>
    public int PageSize { get; set; } = MaintenanceScope.DefaultPageSize;

    /// <summary>The horizon of the expiry warnings in each run's report, 1 to 3,660 days. Default 30.</summary>
    public int ExpiryWarningDays { get; set; } = 30;

    /// <summary>
    /// How long the lease lasts without renewal, 10 seconds to 1 day. Default 5 minutes. The running
    /// instance renews it every third of this; an instance that crashes leaves it to lapse after
    /// at most this long.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait before trying again after a failed run or while another instance holds the lease, 1 second to 1 day. Default 5 minutes.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The health check reports unhealthy when the last successful maintenance ran as of longer ago
    /// than this, 1 minute to 366 days. Default 26 hours (one daily run plus two hours).
    /// </summary>
    public TimeSpan HealthyWithin { get; set; } = TimeSpan.FromHours(26);

    /// <summary>
    /// The lease holder's name, 1 to 200 characters, or null (the default) for the machine name,
    /// process id and a random suffix. Two instances must never share a holder name.
    /// </summary>
    public string? HolderName { get; set; }

    /// <summary>
    /// Called after each successful run with its report, in the run's DI scope, to send the shop's
    /// e-mails (points now spendable, expiring soon, tier changes, downgrade warnings, birthdays).
    /// The lease is still held while it runs. Default null.
    /// </summary>
    public Func<MaintenanceRunContext, CancellationToken, Task>? OnCompleted { get; set; }
}
