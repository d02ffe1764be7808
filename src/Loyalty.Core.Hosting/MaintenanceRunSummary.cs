using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Hosting;

/// <summary>The summary of one hosted maintenance run, as logged (event 2003) and shown by the health check.</summary>
/// <param name="ScheduledDate">The local date (programme's time zone) whose run this is.</param>
/// <param name="ScheduledAt">The instant the run was due.</param>
/// <param name="AsOf">The instant maintenance ran as of.</param>
/// <param name="Partition">The partition of the members maintained.</param>
/// <param name="MembersExamined">Members examined.</param>
/// <param name="PointsExpired">Points expired.</param>
/// <param name="PointsActivatedMembers">Members whose pending points became spendable.</param>
/// <param name="TierChanges">Tier changes.</param>
/// <param name="BirthdayGrants">Birthday grants.</param>
/// <param name="PendingStepsCompleted">Orders, refunds and activities left half-done by an interrupted call, completed by the run.</param>
/// <param name="Elapsed">How long the run took.</param>
/// <remarks>Immutable. Holds counts only, no member data.</remarks>
public sealed record MaintenanceRunSummary(
    LocalDate ScheduledDate,
    Instant ScheduledAt,
    Instant AsOf,
    MemberPartition Partition,
    int MembersExamined,
    long PointsExpired,
    int PointsActivatedMembers,
    int TierChanges,
    int BirthdayGrants,
    int PendingStepsCompleted,
    TimeSpan Elapsed);
