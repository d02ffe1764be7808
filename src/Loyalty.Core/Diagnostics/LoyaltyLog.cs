using Microsoft.Extensions.Logging;
using NodaTime;

namespace Loyalty.Core.Diagnostics;

/// <summary>
/// The programme's log messages, source-generated. Event ids are stable (1001–1099) and documented
/// in docs/observability.md. Member ids appear only where the shop opts in
/// (<see cref="LoyaltyDiagnosticsOptions.LogMemberIds"/>), and never at Information.
/// </summary>
internal static partial class LoyaltyLog
{
    [LoggerMessage(EventId = 1001, EventName = "CallRefused", Level = LogLevel.Debug,
        Message = "Loyalty {Operation} refused with {ErrorCode} (member {MemberId})")]
    public static partial void CallRefused(ILogger logger, string operation, string errorCode, string memberId);

    [LoggerMessage(EventId = 1002, EventName = "CallRepeated", Level = LogLevel.Debug,
        Message = "Loyalty {Operation} repeated an earlier call with the same id; the original result is returned and nothing is written again (member {MemberId})")]
    public static partial void CallRepeated(ILogger logger, string operation, string memberId);

    [LoggerMessage(EventId = 1003, EventName = "VersionConflictRetry", Level = LogLevel.Debug,
        Message = "Loyalty member record changed concurrently; retrying the update (attempt {Attempt} of {MaxAttempts}, member {MemberId})")]
    public static partial void VersionConflictRetry(ILogger logger, int attempt, int maxAttempts, string memberId);

    [LoggerMessage(EventId = 1004, EventName = "LedgerConflictRetry", Level = LogLevel.Debug,
        Message = "Loyalty ledger account changed concurrently; retrying the {Kind} write (retry {Retry} of {MaxRetries}, member {MemberId})")]
    public static partial void LedgerConflictRetry(ILogger logger, string kind, int retry, int maxRetries, string memberId);

    [LoggerMessage(EventId = 1010, EventName = "TransientStoreFault", Level = LogLevel.Warning,
        Message = "Loyalty {Operation} failed on a transient store fault; calling again with the same id may succeed (member {MemberId})")]
    public static partial void TransientStoreFault(ILogger logger, Exception exception, string operation, string memberId);

    [LoggerMessage(EventId = 1011, EventName = "StoreFault", Level = LogLevel.Error,
        Message = "Loyalty {Operation} failed on a store fault that a retry will not fix (member {MemberId})")]
    public static partial void StoreFault(ILogger logger, Exception exception, string operation, string memberId);

    [LoggerMessage(EventId = 1020, EventName = "MaintenanceStarted", Level = LogLevel.Information,
        Message = "Loyalty maintenance of programme {ProgramId} (partition {Partition}) started as of {AsOf}")]
    public static partial void MaintenanceStarted(ILogger logger, string programId, string partition, Instant asOf);

    [LoggerMessage(EventId = 1021, EventName = "MaintenancePage", Level = LogLevel.Information,
        Message = "Loyalty maintenance of programme {ProgramId} (partition {Partition}) page {Page}: {MembersInPage} members, {MembersRead} read so far, {PointsExpired} points expired, {TierChanges} tier changes")]
    public static partial void MaintenancePage(ILogger logger, string programId, string partition, int page, int membersInPage, long membersRead, long pointsExpired, int tierChanges);

    [LoggerMessage(EventId = 1022, EventName = "MaintenanceCompleted", Level = LogLevel.Information,
        Message = "Loyalty maintenance of programme {ProgramId} (partition {Partition}) as of {AsOf} completed: {MembersExamined} members examined, {PointsExpired} points expired, {TierChanges} tier changes, {BirthdayGrants} birthday grants, {ExpiryAccountsSkipped} accounts left for a re-run")]
    public static partial void MaintenanceCompleted(ILogger logger, string programId, string partition, Instant asOf, int membersExamined, long pointsExpired, int tierChanges, int birthdayGrants, int expiryAccountsSkipped);
}
