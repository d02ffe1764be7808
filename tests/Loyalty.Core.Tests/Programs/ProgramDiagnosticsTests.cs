using System.Collections.Concurrent;
using System.Diagnostics;
using Loyalty.Core.Diagnostics;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Loyalty.Core.Tests.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

public sealed class ProgramDiagnosticsTests
{
    private static readonly MemberId Claire = MemberId.From("claire.dupont@example.fr");

    [Fact]
    public async Task Refusals_and_repeats_are_logged_at_Debug_with_their_event_ids_and_no_member_id()
    {
        var logs = new CapturingLoggerProvider();
        using var h = await Harness(logs).ConfigureAsync();

        await h.Program.EnrolAsync(new Enrolment(Claire));
        await h.Program.EnrolAsync(new Enrolment(Claire));
        await h.Program.RecordOrderAsync(Order("A-1", MemberId.From("unknown@example.fr"), h.Now, Line("SKU-1", 1, 40m)));

        var repeat = logs.Entries.Should().ContainSingle(e => e.EventId.Id == 1002).Subject;
        repeat.Level.Should().Be(LogLevel.Debug);
        repeat.EventId.Name.Should().Be("CallRepeated");
        repeat.Category.Should().Be(LoyaltyTelemetry.ProgramLogCategory);
        repeat.Message.Should().Be("Loyalty enrol repeated an earlier call with the same id; the original result is returned and nothing is written again (member (hidden))");
        var refusal = logs.Entries.Should().ContainSingle(e => e.EventId.Id == 1001).Subject;
        refusal.Level.Should().Be(LogLevel.Debug);
        refusal.Message.Should().Be("Loyalty record_order refused with MemberNotFound (member (hidden))");
        logs.Entries.Should().NotContain(e => e.Message.Contains("example.fr", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Member_ids_appear_only_when_the_shop_opts_in()
    {
        var logs = new CapturingLoggerProvider();
        using var h = await Harness(logs, s => s.Configure<LoyaltyDiagnosticsOptions>(o => o.LogMemberIds = true)).ConfigureAsync();

        await h.Program.EnrolAsync(new Enrolment(Claire));
        await h.Program.EnrolAsync(new Enrolment(Claire));

        logs.Entries.Should().ContainSingle(e => e.EventId.Id == 1002).Which.Message.Should().EndWith("(member claire.dupont@example.fr)");
    }

    [Fact]
    public async Task Maintenance_logs_its_start_pages_and_result_at_Information_without_personal_data()
    {
        var logs = new CapturingLoggerProvider();
        using var h = await Harness(logs, s => s.Configure<LoyaltyDiagnosticsOptions>(o => o.LogMemberIds = true)).ConfigureAsync();
        foreach (var i in Enumerable.Range(0, 5))
        {
            await h.Program.EnrolAsync(new Enrolment(MemberId.From($"member{i}@example.fr")));
        }

        await h.Program.RunMaintenanceAsync(h.Now, MaintenanceScope.Whole with { PageSize = 2 }, null, CancellationToken.None);

        logs.Entries.Where(e => e.Level == LogLevel.Information).Select(e => e.EventId.Id).Should().Equal(1020, 1021, 1021, 1021, 1022);
        logs.Entries.Where(e => e.EventId.Id == 1021).Select(e => e.Message).First()
            .Should().Be("Loyalty maintenance of programme club (partition 0/1) page 1: 2 members, 2 read so far, 0 points expired, 0 tier changes");
        logs.Entries.Single(e => e.EventId.Id == 1022).Message.Should().StartWith("Loyalty maintenance of programme club (partition 0/1) as of ")
            .And.EndWith(" completed: 5 members examined, 0 points expired, 0 tier changes, 0 birthday grants, 0 accounts left for a re-run");
        logs.Entries.Where(e => e.Level >= LogLevel.Information)
            .SelectMany(e => e.Values.Select(v => Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture)).Append(e.Message))
            .Should().NotContain(text => text != null && text.Contains("example.fr", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Store_faults_are_logged_at_Warning_when_transient_and_at_Error_otherwise()
    {
        foreach (var (transient, id, level) in new[] { (true, 1010, LogLevel.Warning), (false, 1011, LogLevel.Error) })
        {
            var logs = new CapturingLoggerProvider();
            using var h = Harness(logs, s => s.AddSingleton<IRuleSetStore>(new DownRuleSetStore(transient)));

            var call = () => h.Program.QuoteAsync(Order("A-1", Claire, h.Now, Line("SKU-1", 1, 40m)));

            await call.Should().ThrowAsync<LoyaltyStoreException>();
            var fault = logs.Entries.Should().ContainSingle(e => e.EventId.Id == id).Subject;
            fault.Level.Should().Be(level);
            fault.Exception.Should().BeOfType<LoyaltyStoreException>();
        }
    }

    [Fact]
    public async Task An_activity_listener_sees_a_span_per_call_with_its_outcome_and_a_span_per_maintenance_page()
    {
        var programId = "traced-" + Guid.NewGuid().ToString("N")[..8];
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == LoyaltyTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("loyalty.program") as string == programId)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var h = await new ProgramHarness(o => o.ProgramId = programId).ConfigureAsync();

        await h.Program.EnrolAsync(new Enrolment(Alice));
        await h.Program.EnrolAsync(new Enrolment(Alice));
        await h.Program.EnrolAsync(new Enrolment(Bob));
        await h.Program.EnrolAsync(new Enrolment(Claire));
        await h.Program.RecordOrderAsync(Order("A-1", MemberId.From("nobody"), h.Now, Line("SKU-1", 1, 40m)));
        await h.Program.RunMaintenanceAsync(h.Now, MaintenanceScope.Whole with { PageSize = 2 }, null, CancellationToken.None);

        spans.Where(s => s.OperationName == "loyalty.enrol").Select(s => s.GetTagItem("loyalty.outcome")).Should().Equal("ok", "repeat", "ok", "ok");
        spans.Should().ContainSingle(s => s.OperationName == "loyalty.record_order").Which.GetTagItem("loyalty.outcome").Should().Be("MemberNotFound");
        var run = spans.Should().ContainSingle(s => s.OperationName == "loyalty.maintenance").Subject;
        run.GetTagItem("loyalty.members").Should().Be(3);
        var pages = spans.Where(s => s.OperationName == "loyalty.maintenance.page").ToList();
        pages.Select(p => p.GetTagItem("loyalty.page")).Should().Equal(1, 2);
        pages.Select(p => p.GetTagItem("loyalty.members")).Should().Equal(2, 1);
        pages.Should().OnlyContain(p => p.ParentSpanId == run.SpanId && p.TraceId == run.TraceId && p.StartTimeUtc >= run.StartTimeUtc);
        pages[1].StartTimeUtc.Should().Be(pages[0].StartTimeUtc + pages[0].Duration, "a page span starts where the previous one ended");
    }

    [Fact]
    public async Task The_reward_code_calls_get_a_span_with_their_outcome_and_log_their_refusals()
    {
        var programId = "codes-" + Guid.NewGuid().ToString("N")[..8];
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == LoyaltyTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("loyalty.program") as string == programId)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var logs = new CapturingLoggerProvider();
        using var h = await new ProgramHarness(o => o.ProgramId = programId, replace: s => s.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace))).ConfigureAsync();
        await h.Program.EnrolAsync(new Enrolment(Alice));

        await h.Program.ValidateCodeAsync("NOPE", Alice, OrderId.From("o-1"));
        await h.Program.ConsumeCodeAsync("NOPE", Alice, OrderId.From("o-1"));
        await h.Program.ExpireRewardCodesAsync(h.Now);

        spans.Should().ContainSingle(s => s.OperationName == "loyalty.validate_code").Which.GetTagItem("loyalty.outcome").Should().Be("RewardCodeNotFound");
        spans.Should().ContainSingle(s => s.OperationName == "loyalty.consume_code").Which.GetTagItem("loyalty.outcome").Should().Be("RewardCodeNotFound");
        spans.Should().ContainSingle(s => s.OperationName == "loyalty.expire_reward_codes").Which.GetTagItem("loyalty.outcome").Should().Be("ok");
        logs.Entries.Where(e => e.Level == LogLevel.Debug && e.Message.Contains("RewardCodeNotFound", StringComparison.Ordinal)).Should().HaveCount(2);
    }

    [Fact]
    public async Task The_ledger_DI_builds_logs_its_retries_with_the_programmes_logger_and_member_id_choice()
    {
        var logs = new CapturingLoggerProvider();
        using var h = await Harness(logs, s => s.Configure<LoyaltyDiagnosticsOptions>(o => o.LogMemberIds = true)).ConfigureAsync();
        using var hidden = await Harness(new CapturingLoggerProvider()).ConfigureAsync();
        using var silent = new ProgramHarness();

        h.Ledger.Logger.IsEnabled(LogLevel.Debug).Should().BeTrue();
        h.Ledger.LogMemberIds.Should().BeTrue();
        hidden.Ledger.LogMemberIds.Should().BeFalse();
        silent.Ledger.Logger.Should().BeSameAs(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, "no logger factory, no logs");
    }

    private static ProgramHarness Harness(CapturingLoggerProvider logs, Action<IServiceCollection>? more = null) => new(
        o => o.ProgramId = "club",
        replace: s =>
        {
            s.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
            more?.Invoke(s);
        });

    private sealed class DownRuleSetStore(bool transient) : IRuleSetStore
    {
        public ValueTask<Loyalty.Core.Earning.EarningRuleSetHistory> GetHistoryAsync(ProgramId programId, CancellationToken cancellationToken = default)
            => throw new LoyaltyStoreException("The database is unreachable.", transient);

        public ValueTask<bool> AddAsync(ProgramId programId, Loyalty.Core.Earning.EarningRuleSet ruleSet, CancellationToken cancellationToken = default)
            => throw new LoyaltyStoreException("The database is unreachable.", transient);
    }
}
