using System.Diagnostics;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;

using Loyalty.Core.Diagnostics;

namespace Loyalty.Core.Programs;

/// <summary>
/// The logs and spans of one programme facade: a span per call with its outcome, Debug logs of
/// refusals and repeats, Warning/Error logs of store faults, and the maintenance's progress. With no
/// listener and Debug off, a call goes straight through.
/// </summary>
internal sealed class ProgramDiagnostics
{
    /// <summary>The programme's activity source (one per process, like the meter's name).</summary>
    internal static readonly ActivitySource Source = new(LoyaltyTelemetry.ActivitySourceName);

    private const string Hidden = "(hidden)";
    private readonly ILogger logger;
    private readonly bool logMemberIds;
    private readonly string programId;

    private readonly ErasedMembers? erasedMembers;
    private readonly ProgramId program;

    public ProgramDiagnostics(ILogger logger, bool logMemberIds, ProgramId programId, ErasedMembers? erasedMembers = null)
    {
        this.logger = logger;
        this.logMemberIds = logMemberIds;
        this.programId = programId.Value;
        this.erasedMembers = erasedMembers;
        program = programId;
    }

    /// <summary>No logs (spans still go to listeners).</summary>
    public static ProgramDiagnostics None(ProgramId programId) => new(NullLogger.Instance, false, programId);

    /// <summary>The diagnostics DI gives a facade: the host's logger factory and <see cref="LoyaltyDiagnosticsOptions"/>, when registered.</summary>
    public static ProgramDiagnostics From(IServiceProvider services, ProgramId programId)
    {
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(LoyaltyTelemetry.ProgramLogCategory) ?? NullLogger.Instance;
        var options = services.GetService<IOptions<LoyaltyDiagnosticsOptions>>()?.Value;
        return new ProgramDiagnostics(logger, options?.LogMemberIds ?? false, programId, services.GetService<ErasedMembers>());
    }

    public ILogger Logger => logger;

    /// <summary>A member id as logs may show it.</summary>
    public string Member(MemberId? memberId) => logMemberIds && memberId is { IsDefault: false } id ? id.Value : Hidden;

    /// <summary>Runs a programme call in a span (<c>loyalty.{operation}</c>) tagged with its outcome, logging refusals, repeats and store faults.</summary>
    public Task<LoyaltyResult<T>> CallAsync<TState, T>(string operation, MemberId? memberId, TState state, Func<TState, CancellationToken, Task<LoyaltyResult<T>>> call, CancellationToken cancellationToken)
        where T : class
    {
        if (erasedMembers is not null && memberId is { IsDefault: false } member)
        {
            // Only a refusal as not enrolled costs a look-up of the erasure markers.
            // A call completed without a refusal as not enrolled is handed back as it is (no task around it).
            return CallCheckedAsync(operation, member, (this, state, call, member), static (s, ct) =>
                s.call(s.state, ct) is var task && task.IsCompletedSuccessfully && task.Result.ErrorCode != LoyaltyErrorCode.MemberNotFound
                    ? task
                    : s.Item1.ErasedOrAsync(task, s.member, ct), cancellationToken);
        }

        return CallCheckedAsync(operation, memberId, state, call, cancellationToken);
    }

    /// <summary>The call's result, or <see cref="LoyaltyErrorCode.MemberErased"/> when it refused a member as not enrolled whom the erasure markers name.</summary>
    private async Task<LoyaltyResult<T>> ErasedOrAsync<T>(Task<LoyaltyResult<T>> call, MemberId member, CancellationToken cancellationToken)
        where T : class
    {
        var result = await call.ConfigureAwait(false);
        return result.ErrorCode == LoyaltyErrorCode.MemberNotFound && await erasedMembers!.WasErasedAsync(program, member, cancellationToken).ConfigureAwait(false)
            ? LoyaltyResult<T>.Failure(LoyaltyErrorCode.MemberErased, $"Member '{member}' was erased from the programme at their request; nothing was recorded. Do not enrol the id again automatically.")
            : result;
    }

    private Task<LoyaltyResult<T>> CallCheckedAsync<TState, T>(string operation, MemberId? memberId, TState state, Func<TState, CancellationToken, Task<LoyaltyResult<T>>> call, CancellationToken cancellationToken)
        where T : class
    {
        if (!Source.HasListeners() && !logger.IsEnabled(LogLevel.Debug) && !logger.IsEnabled(LogLevel.Warning))
        {
            return call(state, cancellationToken);
        }

        return TracedAsync(operation, memberId, state, call, cancellationToken);
    }

    /// <summary>Runs a call that returns no business result (publishing, reading the catalogue) in a span, logging store faults.</summary>
    public Task<T> CallPlainAsync<TState, T>(string operation, TState state, Func<TState, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        if (!Source.HasListeners() && !logger.IsEnabled(LogLevel.Warning))
        {
            return call(state, cancellationToken);
        }

        return TracedPlainAsync(operation, state, call, cancellationToken);
    }

    /// <summary>Runs maintenance in a span (<c>loyalty.maintenance</c>) with a child span per page, logging its start, pages and result at Information.</summary>
    public async Task<MaintenanceReport> MaintenanceAsync(Instant asOf, MaintenanceScope scope, IProgress<MaintenanceProgress>? progress, Func<IProgress<MaintenanceProgress>?, Task<MaintenanceReport>> run)
    {
        var partition = $"{scope.Partition.Index}/{scope.Partition.Count}";
        using var activity = Source.StartActivity("loyalty.maintenance");
        activity?.SetTag("loyalty.program", programId);
        activity?.SetTag("loyalty.partition", partition);
        LoyaltyLog.MaintenanceStarted(logger, programId, partition, asOf);
        var pages = new PageProgress(this, activity, partition, progress);
        try
        {
            var report = await run(pages).ConfigureAwait(false);
            activity?.SetTag("loyalty.outcome", "ok");
            activity?.SetTag("loyalty.members", report.MembersExamined);
            activity?.SetTag("loyalty.points_expired", report.PointsExpired.Value);
            LoyaltyLog.MaintenanceCompleted(logger, programId, partition, asOf, report.MembersExamined, report.PointsExpired.Value, report.TierChanges.Count, report.Birthdays.Count, report.ExpiryAccountsSkipped);
            return report;
        }
        catch (Exception ex)
        {
            Failed(activity, "maintenance", null, ex);
            throw;
        }
    }

    private async Task<LoyaltyResult<T>> TracedAsync<TState, T>(string operation, MemberId? memberId, TState state, Func<TState, CancellationToken, Task<LoyaltyResult<T>>> call, CancellationToken cancellationToken)
        where T : class
    {
        using var activity = Source.StartActivity("loyalty." + operation);
        activity?.SetTag("loyalty.program", programId);
        activity?.SetTag("loyalty.operation", operation);
        try
        {
            var result = await call(state, cancellationToken).ConfigureAwait(false);
            if (result.Error is { } error)
            {
                activity?.SetTag("loyalty.outcome", error.Code.ToString());
                LoyaltyLog.CallRefused(logger, operation, error.Code.ToString(), Member(memberId));
            }
            else if (result.IsRepeat)
            {
                activity?.SetTag("loyalty.outcome", "repeat");
                LoyaltyLog.CallRepeated(logger, operation, Member(memberId));
            }
            else
            {
                activity?.SetTag("loyalty.outcome", "ok");
            }

            return result;
        }
        catch (Exception ex)
        {
            Failed(activity, operation, memberId, ex);
            throw;
        }
    }

    private async Task<T> TracedPlainAsync<TState, T>(string operation, TState state, Func<TState, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var activity = Source.StartActivity("loyalty." + operation);
        activity?.SetTag("loyalty.program", programId);
        activity?.SetTag("loyalty.operation", operation);
        try
        {
            var result = await call(state, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("loyalty.outcome", "ok");
            return result;
        }
        catch (Exception ex)
        {
            Failed(activity, operation, null, ex);
            throw;
        }
    }

    private void Failed(Activity? activity, string operation, MemberId? memberId, Exception ex)
    {
        switch (ex)
        {
            case LoyaltyStoreException store:
                activity?.SetTag("loyalty.outcome", store.IsTransient ? "transient_store_fault" : "store_fault");
                activity?.SetStatus(ActivityStatusCode.Error, store.IsTransient ? "transient store fault" : "store fault");
                if (store.IsTransient)
                {
                    LoyaltyLog.TransientStoreFault(logger, store, operation, Member(memberId));
                }
                else
                {
                    LoyaltyLog.StoreFault(logger, store, operation, Member(memberId));
                }

                break;
            case OperationCanceledException:
                activity?.SetTag("loyalty.outcome", "cancelled");
                break;
            case ArgumentException:
                activity?.SetTag("loyalty.outcome", "invalid_argument");
                activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
                break;
            default:
                activity?.SetTag("loyalty.outcome", "exception");
                activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
                break;
        }
    }

    /// <summary>
    /// Receives the runner's progress after each page (synchronously): logs it, records the page's
    /// span (from the end of the previous page to now, under the run's span) and passes it on.
    /// </summary>
    private sealed class PageProgress(ProgramDiagnostics owner, Activity? run, string partition, IProgress<MaintenanceProgress>? next) : IProgress<MaintenanceProgress>
    {
        private DateTime? pageStart = run?.StartTimeUtc;

        public void Report(MaintenanceProgress value)
        {
            LoyaltyLog.MaintenancePage(owner.logger, owner.programId, partition, value.Page, value.MembersInPage, value.MembersRead, value.PointsExpired.Value, value.TierChanges);
            if (run is not null && Source.HasListeners())
            {
                var current = Activity.Current;
                var page = Source.StartActivity("loyalty.maintenance.page", ActivityKind.Internal, run.Context, startTime: pageStart is { } start ? new DateTimeOffset(start, TimeSpan.Zero) : default);
                if (page is not null)
                {
                    page.SetTag("loyalty.program", owner.programId);
                    page.SetTag("loyalty.partition", partition);
                    page.SetTag("loyalty.page", value.Page);
                    page.SetTag("loyalty.members", value.MembersInPage);
                    page.SetTag("loyalty.points_expired", value.PointsExpired.Value);
                    page.SetTag("loyalty.tier_changes", value.TierChanges);
                    page.SetTag("loyalty.outcome", "ok");
                    page.Stop();
                    pageStart = page.StartTimeUtc + page.Duration;
                }

                Activity.Current = current;
            }

            next?.Report(value);
        }
    }
}
