using Loyalty.Core.Programs;

namespace Loyalty.Core.Hosting;

/// <summary>What <see cref="LoyaltyMaintenanceOptions.OnCompleted"/> receives after a successful run.</summary>
/// <param name="Summary">The run's summary (schedule, partition, counts, duration).</param>
/// <param name="Report">The full report of the run, for the shop's e-mails.</param>
/// <param name="Services">The run's DI scope (the programme and stores the run used).</param>
/// <remarks>Immutable; the scope is disposed when the callback returns.</remarks>
public sealed record MaintenanceRunContext(MaintenanceRunSummary Summary, MaintenanceReport Report, IServiceProvider Services);
