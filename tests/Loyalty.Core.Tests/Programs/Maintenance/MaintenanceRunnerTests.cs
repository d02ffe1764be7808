using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs.Maintenance;

/// <summary>
/// Paged, partitioned maintenance: the same reports and the same state as the member-by-member
/// reference, whatever the partition count and page size; re-runs change nothing; progress per page;
/// bad scopes refused with their message.
/// </summary>
public sealed class MaintenanceRunnerTests
{
    /// <summary>Checkpoints of a shop's year: points activate, warnings come, points expire and tiers drop.</summary>
    private static readonly int[] Checkpoints = [20, 120, 340, 372, 400, 470];

    [Theory]
    [InlineData(1, 1, 500)]
    [InlineData(2, 3, 7)]
    [InlineData(3, 4, 1)]
    public async Task Partitioned_pages_report_and_leave_what_the_member_by_member_path_does(int seed, int partitions, int pageSize)
    {
        using var reference = await ShopAsync(seed);
        using var paged = await ShopAsync(seed);

        foreach (var day in Checkpoints)
        {
            reference.Clock.Reset(At(2026, 3, 2) + Duration.FromDays(day));
            paged.Clock.Reset(At(2026, 3, 2) + Duration.FromDays(day));
            var expected = await MemberByMemberMaintenance.RunAsync(reference.Program, reference.Members, reference.LedgerStore, reference.Ledger, reference.Now);
            var reports = new List<MaintenanceReport>();
            for (var i = 0; i < partitions; i++)
            {
                reports.Add(await paged.Program.RunMaintenanceAsync(paged.Now, MaintenanceScope.ForPartition(i, partitions) with { PageSize = pageSize }, null, CancellationToken.None));
            }

            Describe(Merge(reports)).Should().Be(Describe(expected), $"the night of day {day} must be the same");
            (await StateAsync(paged)).Should().Be(await StateAsync(reference), $"the state after day {day} must be the same");
        }
    }

    [Fact]
    public async Task The_year_later_night_does_everything_it_must()
    {
        using var h = await ShopAsync(7);
        h.Clock.Reset(At(2026, 3, 2) + Duration.FromDays(470));

        var report = await h.Program.RunMaintenanceAsync(h.Now, MaintenanceScope.ForPartition(0, 1) with { PageSize = 5 }, null, CancellationToken.None);

        report.MembersExamined.Should().Be(40);
        report.PointsExpired.Value.Should().BePositive();
        report.TierChanges.Should().NotBeEmpty();
        report.Birthdays.Should().NotBeEmpty();
    }

    [Fact]
    public async Task Re_running_a_night_or_one_partition_of_it_changes_nothing_and_reports_no_event_twice()
    {
        using var h = await ShopAsync(11);
        h.Clock.Reset(At(2026, 3, 2) + Duration.FromDays(400));
        var first = new List<MaintenanceReport>();
        for (var i = 0; i < 3; i++)
        {
            first.Add(await h.Program.RunMaintenanceAsync(h.Now, MaintenanceScope.ForPartition(i, 3) with { PageSize = 4 }, null, CancellationToken.None));
        }

        var state = await StateAsync(h);
        var partitionAgain = await h.Program.RunMaintenanceAsync(h.Now, MaintenanceScope.ForPartition(1, 3) with { PageSize = 4 }, null, CancellationToken.None);
        var nightAgain = await h.Program.RunMaintenanceAsync(h.Now);

        (await StateAsync(h)).Should().Be(state);
        foreach (var again in new[] { partitionAgain, nightAgain })
        {
            again.PointsExpired.Should().Be(Points.Zero);
            again.Activated.Should().BeEmpty();
            again.TierChanges.Should().BeEmpty();
            again.Birthdays.Should().BeEmpty();
        }

        // What is still true is reported again: warnings are state, not events.
        nightAgain.ExpiringSoon.Select(w => w.MemberId).Should().BeEquivalentTo(first.SelectMany(r => r.ExpiringSoon).Select(w => w.MemberId));
        nightAgain.DowngradeWarnings.Should().BeEquivalentTo(first.SelectMany(r => r.DowngradeWarnings));
        Merge(first).PointsExpired.Value.Should().BePositive("the first run had work to do");
    }

    [Fact]
    public async Task Progress_is_reported_after_every_page_and_a_run_resumes_after_the_last_page_reported()
    {
        using var h = await ShopAsync(5);
        h.Clock.Reset(At(2026, 3, 2) + Duration.FromDays(120));
        var pages = new List<MaintenanceProgress>();
        var progress = new SynchronousProgress<MaintenanceProgress>(pages.Add);

        var report = await h.Program.RunMaintenanceAsync(h.Now, MaintenanceScope.Whole with { PageSize = 6 }, progress, CancellationToken.None);

        pages.Select(p => p.Page).Should().Equal(1, 2, 3, 4, 5, 6, 7);
        pages.Select(p => p.MembersInPage).Should().Equal(6, 6, 6, 6, 6, 6, 4);
        pages.Select(p => p.MembersRead).Should().Equal(6, 12, 18, 24, 30, 36, 40);
        pages[^1].MembersExamined.Should().Be(report.MembersExamined);
        pages[^1].TierChanges.Should().Be(report.TierChanges.Count);
        pages[^1].PointsExpired.Should().Be(report.PointsExpired);
        pages.Should().AllSatisfy(p => p.Partition.Should().Be(MemberPartition.All));
        var order = (await h.Members.ReadMemberPageAsync(ProgramId.From("club"), MemberPartition.All, null, 100)).Select(e => e.Member.MemberId).ToList();
        pages.Select(p => p.LastMemberId).Should().Equal(order[5], order[11], order[17], order[23], order[29], order[35], order[39]);

        // A worker stopped after page 3 resumes after its last member: the last four pages, nothing before.
        h.Clock.Reset(h.Now + Duration.FromDays(1));
        var resumed = new List<MaintenanceProgress>();
        var rest = await h.Program.RunMaintenanceAsync(h.Now, MaintenanceScope.Whole with { PageSize = 6, ResumeAfter = pages[2].LastMemberId }, new SynchronousProgress<MaintenanceProgress>(resumed.Add), CancellationToken.None);
        resumed.Select(p => p.MembersRead).Should().Equal(6, 12, 18, 22);
        rest.MembersExamined.Should().Be(22);
        var maintained = await StateAsync(h);
        foreach (var member in order)
        {
            var record = (await h.Members.GetMemberAsync(ProgramId.From("club"), member))!;
            record.LastMaintainedAt.Should().Be(order.IndexOf(member) >= 18 ? h.Now : h.Now - Duration.FromDays(1), maintained);
        }
    }

    [Fact]
    public async Task Cancelling_between_pages_leaves_the_pages_reported_done()
    {
        using var h = await ShopAsync(5);
        h.Clock.Reset(At(2026, 3, 2) + Duration.FromDays(120));
        using var cancel = new CancellationTokenSource();
        var pages = new List<MaintenanceProgress>();
        var progress = new SynchronousProgress<MaintenanceProgress>(p =>
        {
            pages.Add(p);
            if (p.Page == 2)
            {
                cancel.Cancel();
            }
        });

        var run = async () => await h.Program.RunMaintenanceAsync(h.Now, MaintenanceScope.Whole with { PageSize = 10 }, progress, cancel.Token);

        await run.Should().ThrowAsync<OperationCanceledException>();
        pages.Should().HaveCount(2);
        var order = (await h.Members.ReadMemberPageAsync(ProgramId.From("club"), MemberPartition.All, null, 100)).Select(e => e.Member.MemberId).ToList();
        foreach (var member in order)
        {
            var record = (await h.Members.GetMemberAsync(ProgramId.From("club"), member))!;
            record.LastMaintainedAt.Should().Be(order.IndexOf(member) < 20 ? h.Now : null);
        }
    }

    [Fact]
    public async Task A_member_written_between_the_page_read_and_the_batch_write_is_re_read_and_maintained()
    {
        var store = new RacingMemberStore();
        using var h = await new ProgramHarness(replace: s => s.AddSingleton<IMemberStore>(store)).ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.EnrolAsync(Bob);
        await h.OrderAsync("A-1", Alice, 600m);
        h.AdvanceDays(20);
        store.RaceOnce = Alice;

        var report = await h.Program.RunMaintenanceAsync(h.Now, MaintenanceScope.Whole, null, CancellationToken.None);

        store.Raced.Should().BeTrue("another writer updated Alice after the page was read");
        report.MembersExamined.Should().Be(2);
        report.Activated.Should().ContainSingle(a => a.MemberId == Alice);
        var alice = (await store.GetMemberAsync(ProgramId.From("club"), Alice))!;
        alice.LastMaintainedAt.Should().Be(h.Now);
        alice.BirthDate.Should().Be(new LocalDate(1990, 5, 17), "the other writer's change is kept");
        alice.TierStatus!.EvaluatedAt.Should().Be(h.Now);
        (await store.GetMemberAsync(ProgramId.From("club"), Bob))!.LastMaintainedAt.Should().Be(h.Now);
    }

    [Theory]
    [InlineData(0, "scope.PageSize must be between 1 and 10000 (was 0).")]
    [InlineData(10_001, "scope.PageSize must be between 1 and 10000 (was 10001).")]
    public async Task A_page_size_out_of_range_is_refused_and_nothing_runs(int pageSize, string message)
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        var run = async () => await h.Program.RunMaintenanceAsync(h.Now, MaintenanceScope.Whole with { PageSize = pageSize }, null, CancellationToken.None);

        (await run.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().StartWith(message);
        (await h.Members.GetMemberAsync(ProgramId.From("club"), Alice)).Should().Match<MemberRecord>(m => m.LastMaintainedAt == null);
    }

    [Theory]
    [InlineData(0, "scope.ExpiryWarningDays must be between 1 and 3660 (was 0).")]
    [InlineData(3661, "scope.ExpiryWarningDays must be between 1 and 3660 (was 3661).")]
    public async Task An_expiry_warning_horizon_out_of_range_is_refused(int days, string message)
    {
        using var h = new ProgramHarness();
        var run = async () => await h.Program.RunMaintenanceAsync(h.Now, MaintenanceScope.Whole with { ExpiryWarningDays = days }, null, CancellationToken.None);

        (await run.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().StartWith(message);
    }

    [Fact]
    public async Task A_default_resume_point_a_null_scope_and_a_future_instant_are_refused()
    {
        using var h = new ProgramHarness();

        var resume = async () => await h.Program.RunMaintenanceAsync(h.Now, MaintenanceScope.Whole with { ResumeAfter = default(MemberId) }, null, CancellationToken.None);
        var nullScope = async () => await h.Program.RunMaintenanceAsync(h.Now, null!, null, CancellationToken.None);
        var future = async () => await h.Program.RunMaintenanceAsync(h.Now + Duration.FromSeconds(1), MaintenanceScope.ForPartition(0, 2), null, CancellationToken.None);

        (await resume.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("scope.ResumeAfter must not be default(MemberId); pass null to start at the beginning of the partition. (Parameter 'scope')");
        (await nullScope.Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be("scope");
        (await future.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().StartWith($"asOf ({h.Now + Duration.FromSeconds(1)}) must not be after the current instant ({h.Now}); maintenance cannot run ahead of the clock.");
    }

    [Theory]
    [InlineData(0, 0, "count", "The partition count must be between 1 and 65536 (was 0).")]
    [InlineData(2, 2, "index", "The partition index must be between 0 and 1 for 2 partitions (was 2); partitions are numbered from 0.")]
    [InlineData(-1, 4, "index", "The partition index must be between 0 and 3 for 4 partitions (was -1); partitions are numbered from 0.")]
    public void A_partition_out_of_range_is_refused(int index, int count, string parameter, string message)
    {
        var make = () => MaintenanceScope.ForPartition(index, count);

        var thrown = make.Should().Throw<ArgumentOutOfRangeException>().Which;
        thrown.ParamName.Should().Be(parameter);
        thrown.Message.Should().StartWith(message);
    }

    [Property(MaxTest = 15 / PropertyRuns.Divisor)]
    public Property Two_workers_splitting_a_night_maintain_every_member_exactly_once(PositiveInt seedArb, PositiveInt partitionsArb)
    {
        var seed = seedArb.Get % 1000;
        var partitions = 1 + (partitionsArb.Get % 5);
        return Check(seed, partitions).GetAwaiter().GetResult().ToProperty();

        static async Task<bool> Check(int seed, int partitions)
        {
            using var h = await ShopAsync(seed, members: 25, days: 20);
            h.Clock.Reset(At(2026, 3, 2) + Duration.FromDays(30));
            var examined = new List<MemberId>();
            var workers = Enumerable.Range(0, partitions).Select(i => Task.Run(async () =>
            {
                var seen = new List<MemberId>();
                var progress = new SynchronousProgress<MaintenanceProgress>(_ => { });
                await h.Program.RunMaintenanceAsync(h.Now, MaintenanceScope.ForPartition(i, partitions) with { PageSize = 3 }, progress, CancellationToken.None);
                foreach (var page in await ReadPartitionAsync(h, MemberPartition.Of(i, partitions)))
                {
                    seen.Add(page);
                }

                return seen;
            })).ToArray();
            foreach (var seen in await Task.WhenAll(workers))
            {
                examined.AddRange(seen);
            }

            var all = await h.Members.ListMembersAsync(ProgramId.From("club"), null, 1000);
            var maintained = 0;
            foreach (var member in all)
            {
                maintained += (await h.Members.GetMemberAsync(ProgramId.From("club"), member))!.LastMaintainedAt == h.Now ? 1 : 0;
            }

            return examined.Count == all.Count && examined.Distinct().Count() == all.Count && maintained == all.Count;
        }
    }

    private static async Task<List<MemberId>> ReadPartitionAsync(ProgramHarness h, MemberPartition partition)
    {
        var ids = new List<MemberId>();
        MemberId? after = null;
        while (true)
        {
            var page = await h.Members.ReadMemberPageAsync(ProgramId.From("club"), partition, after, 2);
            ids.AddRange(page.Select(e => e.Member.MemberId));
            if (page.Count < 2)
            {
                return ids;
            }

            after = page[^1].Member.MemberId;
        }
    }

    /// <summary>
    /// A shop's first months, the same for a seed: members enrol over the days (some with a birthday),
    /// order shoes and clothing, some return an order. Alice is one of them.
    /// </summary>
    private static async Task<ProgramHarness> ShopAsync(int seed, int members = 40, int days = 90)
    {
        var h = await new ProgramHarness().ConfigureAsync();
        var random = new Random(seed);
        var enrolled = new List<MemberId>();
        var orders = new List<(OrderId Order, MemberId Member)>();
        var enrolDays = Enumerable.Range(0, members).Select(_ => random.Next(days)).Order().ToArray();
        var next = 0;
        for (var day = 0; day < days; day++)
        {
            h.Clock.Reset(At(2026, 3, 2) + Duration.FromDays(day));
            while (next < members && enrolDays[next] == day)
            {
                var id = next == 0 ? Alice : MemberId.From("m-" + next.ToString("D3", CultureInfo.InvariantCulture));
                LocalDate? birthday = random.Next(3) == 0 ? null : new LocalDate(1980 + random.Next(30), 1 + random.Next(12), 1 + random.Next(28));
                (await h.Program.EnrolAsync(new Enrolment(id) { BirthDate = birthday })).Succeeded.Should().BeTrue();
                enrolled.Add(id);
                next++;
            }

            foreach (var member in enrolled)
            {
                if (random.Next(12) == 0)
                {
                    var orderId = $"O-{orders.Count + 1}";
                    await h.OrderAsync(orderId, member, 20m + random.Next(600), random.Next(3) == 0 ? "shoes" : "clothing");
                    orders.Add((OrderId.From(orderId), member));
                }
            }

            if (orders.Count > 0 && random.Next(6) == 0)
            {
                var (order, _) = orders[random.Next(orders.Count)];
                await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-" + order.Value), order, OrderRefund.ForLines(new LineRefund(0, 1))));
            }
        }

        return h;
    }

    private static MaintenanceReport Merge(IReadOnlyList<MaintenanceReport> reports) => new()
    {
        AsOf = reports[0].AsOf,
        MembersExamined = reports.Sum(r => r.MembersExamined),
        PointsExpired = Points.FromInt64(reports.Sum(r => r.PointsExpired.Value)),
        ExpiryAccountsSkipped = reports.Sum(r => r.ExpiryAccountsSkipped),
        Activated = reports.SelectMany(r => r.Activated).ToList(),
        ExpiringSoon = reports.SelectMany(r => r.ExpiringSoon).ToList(),
        TierChanges = reports.SelectMany(r => r.TierChanges).ToList(),
        DowngradeWarnings = reports.SelectMany(r => r.DowngradeWarnings).ToList(),
        Birthdays = reports.SelectMany(r => r.Birthdays).ToList(),
    };

    /// <summary>The report as text, each list in member order (the reference walks members by id, pages by partition key).</summary>
    private static string Describe(MaintenanceReport r)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{r.AsOf} examined {r.MembersExamined} expired {r.PointsExpired} skipped {r.ExpiryAccountsSkipped}");
        foreach (var a in r.Activated.OrderBy(a => a.MemberId.Value, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"activated {a}");
        }

        foreach (var w in r.ExpiringSoon.OrderBy(w => w.MemberId.Value, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"expiring {w.MemberId} {string.Join(";", w.Schedule)}");
        }

        foreach (var c in r.TierChanges.OrderBy(c => c.MemberId.Value, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"tier {c}");
        }

        foreach (var w in r.DowngradeWarnings.OrderBy(w => w.MemberId.Value, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"warning {w.MemberId} {w.Current} {w.Projected} {w.At} {w.Requalification}");
        }

        foreach (var b in r.Birthdays.OrderBy(b => b.MemberId.Value, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"birthday {b}");
        }

        return text.ToString();
    }

    /// <summary>Every member's stored tier status, last maintenance and balances, as text.</summary>
    private static async Task<string> StateAsync(ProgramHarness h)
    {
        var text = new StringBuilder();
        foreach (var member in await h.Members.ListMembersAsync(ProgramId.From("club"), null, 10_000))
        {
            var record = (await h.Members.GetMemberAsync(ProgramId.From("club"), member))!;
            var balance = await h.Ledger.GetBalanceAsOfAsync(member, h.Now);
            text.AppendLine(CultureInfo.InvariantCulture, $"{member} {record.TierStatus} {record.LastMaintainedAt} {balance.Available} {balance.Pending} {balance.Expired} {(await h.Members.GetHistoryAsync(ProgramId.From("club"), member)).Activities.Count}");
        }

        return text.ToString();
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>A member store where another writer updates one member once, right before the first batch write.</summary>
    private sealed class RacingMemberStore : IMemberStore
    {
        private readonly Loyalty.Core.Storage.InMemory.InMemoryMemberStore inner = new();

        public MemberId? RaceOnce { get; set; }

        public bool Raced { get; private set; }

        public async ValueTask<IReadOnlyList<MemberId>> UpdateMembersAsync(IReadOnlyList<MemberUpdate> updates, CancellationToken cancellationToken = default)
        {
            if (RaceOnce is { } member && !Raced)
            {
                var current = (await inner.GetMemberAsync(ProgramId.From("club"), member, cancellationToken))!;
                Raced = await inner.UpdateMemberAsync(current with { BirthDate = new LocalDate(1990, 5, 17), Version = current.Version + 1 }, current.Version, cancellationToken);
            }

            return await inner.UpdateMembersAsync(updates, cancellationToken);
        }

        public ValueTask<MemberRecord?> GetMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) => inner.GetMemberAsync(programId, memberId, cancellationToken);

        public ValueTask<MemberRecord?> FindByReferralCodeAsync(ProgramId programId, Loyalty.Core.Referrals.ReferralCode code, CancellationToken cancellationToken = default) => inner.FindByReferralCodeAsync(programId, code, cancellationToken);

        public ValueTask<MemberAddStatus> AddMemberAsync(MemberRecord member, CancellationToken cancellationToken = default) => inner.AddMemberAsync(member, cancellationToken);

        public ValueTask<bool> UpdateMemberAsync(MemberRecord member, long expectedVersion, CancellationToken cancellationToken = default) => inner.UpdateMemberAsync(member, expectedVersion, cancellationToken);

        public ValueTask<IReadOnlyList<MemberId>> ListMembersAsync(ProgramId programId, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default) => inner.ListMembersAsync(programId, afterMember, maxCount, cancellationToken);

        public ValueTask<IReadOnlyList<MemberPageEntry>> ReadMemberPageAsync(ProgramId programId, MemberPartition partition, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default) => inner.ReadMemberPageAsync(programId, partition, afterMember, maxCount, cancellationToken);

        public ValueTask<HistoryAddResult<OrderRecord>> AddOrderAsync(OrderRecord order, long expectedHistoryVersion, CancellationToken cancellationToken = default) => inner.AddOrderAsync(order, expectedHistoryVersion, cancellationToken);

        public ValueTask<OrderRecord?> GetOrderAsync(ProgramId programId, OrderId orderId, CancellationToken cancellationToken = default) => inner.GetOrderAsync(programId, orderId, cancellationToken);

        public ValueTask<RefundAddResult> AddRefundAsync(RefundRecord refund, int expectedRefundCount, CancellationToken cancellationToken = default) => inner.AddRefundAsync(refund, expectedRefundCount, cancellationToken);

        public ValueTask<RefundRecord?> GetRefundAsync(ProgramId programId, RefundId refundId, CancellationToken cancellationToken = default) => inner.GetRefundAsync(programId, refundId, cancellationToken);

        public ValueTask<IReadOnlyList<RefundRecord>> ListRefundsAsync(ProgramId programId, OrderId orderId, CancellationToken cancellationToken = default) => inner.ListRefundsAsync(programId, orderId, cancellationToken);

        public ValueTask<HistoryAddResult<ActivityRecord>> AddActivityAsync(ActivityRecord activity, long expectedHistoryVersion, CancellationToken cancellationToken = default) => inner.AddActivityAsync(activity, expectedHistoryVersion, cancellationToken);

        public ValueTask<ActivityRecord?> GetActivityAsync(ProgramId programId, ActivityId activityId, CancellationToken cancellationToken = default) => inner.GetActivityAsync(programId, activityId, cancellationToken);

        public ValueTask<MemberHistory> GetHistoryAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) => inner.GetHistoryAsync(programId, memberId, cancellationToken);

        public ValueTask<HistoryAddResult<OrderRecord>> AddOrderWithStateAsync(OrderRecord order, MemberRecord member, CancellationToken cancellationToken = default) => inner.AddOrderWithStateAsync(order, member, cancellationToken);

        public ValueTask<RefundAddResult> AddRefundWithStateAsync(RefundRecord refund, int expectedRefundCount, MemberRecord member, CancellationToken cancellationToken = default) => inner.AddRefundWithStateAsync(refund, expectedRefundCount, member, cancellationToken);

        public ValueTask<HistoryAddResult<ActivityRecord>> AddActivityWithStateAsync(ActivityRecord activity, MemberRecord member, CancellationToken cancellationToken = default) => inner.AddActivityWithStateAsync(activity, member, cancellationToken);

        public ValueTask<IReadOnlyList<OrderRecord>> ListOrdersRecordedAsync(ProgramId programId, Instant from, Instant until, (Instant RecordedAt, OrderId OrderId)? after, int maxCount, CancellationToken cancellationToken = default) => inner.ListOrdersRecordedAsync(programId, from, until, after, maxCount, cancellationToken);
    }
}
