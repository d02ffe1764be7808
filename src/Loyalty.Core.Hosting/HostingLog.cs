using Loyalty.Core.Storage;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace Loyalty.Core.Hosting;

/// <summary>The hosted maintenance's log messages. Event ids are stable (2001–2099) and documented in docs/observability.md; none carries member data.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 2001, EventName = "MaintenanceScheduled", Level = LogLevel.Information,
        Message = "Loyalty maintenance of programme {ProgramId} (partition {Partition}) is next due at {ScheduledAt} ({ScheduledDate} {TimeOfDay} {TimeZone})")]
    public static partial void Scheduled(ILogger logger, string programId, MemberPartition partition, Instant scheduledAt, LocalDate scheduledDate, LocalTime timeOfDay, string timeZone);

    [LoggerMessage(EventId = 2002, EventName = "MaintenanceStarting", Level = LogLevel.Information,
        Message = "Loyalty maintenance of programme {ProgramId} (partition {Partition}) for {ScheduledDate} starting as of {AsOf}, lease held by {Holder}")]
    public static partial void Starting(ILogger logger, string programId, MemberPartition partition, LocalDate scheduledDate, Instant asOf, string holder);

    [LoggerMessage(EventId = 2003, EventName = "MaintenanceRunSummary", Level = LogLevel.Information,
        Message = "Loyalty maintenance of programme {ProgramId} (partition {Partition}) for {ScheduledDate} completed in {ElapsedMilliseconds} ms: {MembersExamined} members examined, {PointsExpired} points expired, {ActivatedMembers} members with points now spendable, {TierChanges} tier changes, {BirthdayGrants} birthday grants, {PendingStepsCompleted} interrupted calls completed")]
    public static partial void Completed(ILogger logger, string programId, MemberPartition partition, LocalDate scheduledDate, long elapsedMilliseconds, int membersExamined, long pointsExpired, int activatedMembers, int tierChanges, int birthdayGrants, int pendingStepsCompleted);

    [LoggerMessage(EventId = 2004, EventName = "MaintenanceAlreadyDone", Level = LogLevel.Information,
        Message = "Loyalty maintenance of programme {ProgramId} (partition {Partition}) for {ScheduledDate} skipped: already completed as of {LastCompletedAt}")]
    public static partial void AlreadyDone(ILogger logger, string programId, MemberPartition partition, LocalDate scheduledDate, Instant lastCompletedAt);

    [LoggerMessage(EventId = 2005, EventName = "MaintenanceLeaseHeldElsewhere", Level = LogLevel.Information,
        Message = "Loyalty maintenance of programme {ProgramId} (partition {Partition}) for {ScheduledDate}: another instance holds the lease; checking again in {RetryDelay}")]
    public static partial void HeldElsewhere(ILogger logger, string programId, MemberPartition partition, LocalDate scheduledDate, TimeSpan retryDelay);

    [LoggerMessage(EventId = 2006, EventName = "MaintenanceFailed", Level = LogLevel.Error,
        Message = "Loyalty maintenance of programme {ProgramId} (partition {Partition}) for {ScheduledDate} failed; trying again in {RetryDelay}")]
    public static partial void Failed(ILogger logger, Exception exception, string programId, MemberPartition partition, LocalDate scheduledDate, TimeSpan retryDelay);

    [LoggerMessage(EventId = 2007, EventName = "MaintenanceLeaseLost", Level = LogLevel.Warning,
        Message = "Loyalty maintenance of programme {ProgramId} (partition {Partition}): the lease {LeaseName} could not be renewed (it lapsed and another instance took it); the run stops and is resumed by the holder")]
    public static partial void LeaseLost(ILogger logger, string programId, MemberPartition partition, string leaseName);

    [LoggerMessage(EventId = 2008, EventName = "MaintenanceCallbackFailed", Level = LogLevel.Error,
        Message = "Loyalty maintenance of programme {ProgramId} (partition {Partition}) for {ScheduledDate}: the OnCompleted callback failed; the run itself is recorded as done")]
    public static partial void CallbackFailed(ILogger logger, Exception exception, string programId, MemberPartition partition, LocalDate scheduledDate);

    [LoggerMessage(EventId = 2009, EventName = "MaintenanceDisabled", Level = LogLevel.Information,
        Message = "Loyalty maintenance is disabled in this instance (Loyalty:Maintenance:Enabled = false)")]
    public static partial void Disabled(ILogger logger);
}
