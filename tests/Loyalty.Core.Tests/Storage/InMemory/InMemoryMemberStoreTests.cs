using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using NodaTime;

namespace Loyalty.Core.Tests.Storage.InMemory;

public class InMemoryMemberStoreTests
{
    private static readonly ProgramId Club = ProgramId.From("club");
    private static readonly Instant T0 = Instant.FromUtc(2026, 3, 2, 9, 0);

    private static MemberRecord Member(string id, string code) => new()
    {
        ProgramId = Club,
        MemberId = MemberId.From(id),
        EnrolledAt = T0,
        ReferralCode = ReferralCode.From(code),
    };

    [Fact]
    public async Task Members_are_added_once_with_unique_referral_codes()
    {
        var store = new InMemoryMemberStore();

        (await store.AddMemberAsync(Member("a", "CODE-A"))).Should().Be(MemberAddStatus.Added);
        (await store.AddMemberAsync(Member("a", "CODE-X"))).Should().Be(MemberAddStatus.MemberExists);
        (await store.AddMemberAsync(Member("b", "CODE-A"))).Should().Be(MemberAddStatus.ReferralCodeTaken);
        (await store.FindByReferralCodeAsync(Club, ReferralCode.From("code-a")))!.MemberId.Should().Be(MemberId.From("a"));
        (await store.GetMemberAsync(ProgramId.From("other"), MemberId.From("a"))).Should().BeNull("programmes are separate");
    }

    [Fact]
    public async Task Updates_need_the_version_read()
    {
        var store = new InMemoryMemberStore();
        await store.AddMemberAsync(Member("a", "CODE-A"));
        var read = (await store.GetMemberAsync(Club, MemberId.From("a")))!;

        (await store.UpdateMemberAsync(read with { BirthDate = new LocalDate(1990, 1, 1), Version = 2 }, expectedVersion: 1)).Should().BeTrue();
        (await store.UpdateMemberAsync(read with { BirthDate = new LocalDate(1991, 1, 1), Version = 2 }, expectedVersion: 1)).Should().BeFalse();
        var now = (await store.GetMemberAsync(Club, MemberId.From("a")))!;
        now.Version.Should().Be(2);
        now.BirthDate.Should().Be(new LocalDate(1990, 1, 1));
    }

    [Fact]
    public async Task Members_are_listed_in_ordinal_pages()
    {
        var store = new InMemoryMemberStore();
        var n = 0;
        foreach (var id in new[] { "c", "a", "B", "b" })
        {
            (await store.AddMemberAsync(Member(id, "CODE-" + n++))).Should().Be(MemberAddStatus.Added);
        }

        (await store.ListMembersAsync(Club, null, 2)).Select(m => m.Value).Should().Equal("B", "a");
        (await store.ListMembersAsync(Club, MemberId.From("a"), 10)).Select(m => m.Value).Should().Equal("b", "c");
        (await store.ListMembersAsync(Club, MemberId.From("z"), 10)).Should().BeEmpty();
    }

    [Fact]
    public async Task Refunds_of_one_order_are_added_only_from_the_state_read()
    {
        var store = new InMemoryMemberStore();
        await store.AddMemberAsync(Member("a", "CODE-A"));
        var first = Refund("R-1");

        (await store.AddRefundAsync(first, expectedRefundCount: 0)).Status.Should().Be(RefundAddStatus.Added);
        (await store.AddRefundAsync(Refund("R-2"), expectedRefundCount: 0)).Status.Should().Be(RefundAddStatus.Conflict);
        var again = await store.AddRefundAsync(Refund("R-1"), expectedRefundCount: 1);
        again.Status.Should().Be(RefundAddStatus.Exists);
        again.Existing.Should().BeSameAs(first);
        (await store.AddRefundAsync(Refund("R-2"), expectedRefundCount: 1)).Status.Should().Be(RefundAddStatus.Added);
        (await store.ListRefundsAsync(Club, OrderId.From("A-1"))).Select(r => r.RefundId.Value).Should().Equal("R-1", "R-2");
        (await store.GetHistoryAsync(Club, MemberId.From("a"))).Refunds.Should().HaveCount(2);
    }

    [Fact]
    public async Task Orders_and_activities_are_inserted_once()
    {
        var store = new InMemoryMemberStore();
        await store.AddMemberAsync(Member("a", "CODE-A"));
        var order = Order("A-1");

        (await store.AddOrderAsync(order, 0)).Status.Should().Be(HistoryAddStatus.Added);
        var again = await store.AddOrderAsync(Order("A-1"), 0);
        again.Status.Should().Be(HistoryAddStatus.Exists);
        again.Existing.Should().BeEquivalentTo(order, RecordEquivalence.ByContent);
        (await store.GetOrderAsync(Club, OrderId.From("A-1"))).Should().BeEquivalentTo(order, RecordEquivalence.ByContent);
        var history = await store.GetHistoryAsync(Club, MemberId.From("a"));
        history.Orders.Should().ContainSingle();
        history.Version.Should().Be(1);
        (await store.GetHistoryAsync(Club, MemberId.From("nobody"))).Orders.Should().BeEmpty();
        (await store.AddOrderAsync(Order("A-2"), 0)).Status.Should().Be(HistoryAddStatus.Conflict, "the history moved on to version 1");
        (await store.AddOrderAsync(Order("A-2"), 1)).Status.Should().Be(HistoryAddStatus.Added);
    }

    [Fact]
    public async Task Orders_come_back_in_placement_order_and_a_rewrite_wipes_the_old_records()
    {
        // The store keeps orders as bytes in one store-wide log, a member keeping their positions; a rewrite
        // zeroes the old records' bytes, and a history read before it still reads what it read.
        var store = new InMemoryMemberStore();
        await store.AddMemberAsync(Member("a", "CODE-A"));
        await store.AddMemberAsync(Member("b", "CODE-B"));
        await AddOrdersAsync(store);
        var before = await store.GetHistoryAsync(Club, MemberId.From("a"));
        LogText(store).Should().Contain("fingerprint-before-A-1").And.Contain("fingerprint-before-A-2");
        var to = MemberId.From("erased-a");

        (await RewriteAsync(store, to)).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.Rewritten);

        LogText(store).Should().NotContain("fingerprint-before").And.Contain("fingerprint-after");
        before.Orders.Select(o => (o.OrderId.Value, o.MemberId.Value, o.Fingerprint)).Should().Equal([("A-2", "a", "fingerprint-before-A-2"), ("A-1", "a", "fingerprint-before-A-1")]);
        (await store.GetHistoryAsync(Club, to)).Orders.Select(o => (o.OrderId.Value, o.MemberId)).Should().Equal([("A-2", to), ("A-1", to)]);
        (await store.GetOrderAsync(Club, OrderId.From("A-1")))!.MemberId.Should().Be(to);
    }

    [Fact]
    public async Task A_history_in_placement_order_decodes_each_order_once_when_read()
    {
        var store = new InMemoryMemberStore();
        await store.AddMemberAsync(Member("a", "CODE-A"));
        (await store.AddOrderAsync(Order("A-1"), 0)).Status.Should().Be(HistoryAddStatus.Added);
        (await store.AddOrderAsync(Order("A-2"), 1)).Status.Should().Be(HistoryAddStatus.Added);

        var history = await store.GetHistoryAsync(Club, MemberId.From("a"));

        history.Orders.Should().HaveCount(2);
        history.Orders[1].Should().BeSameAs(history.Orders[1], "a record read is kept by the history");
        history.Orders.Select(o => o.OrderId.Value).Should().Equal("A-1", "A-2");
        var read = () => history.Orders[2];
        read.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("index");
    }

    private static string LogText(InMemoryMemberStore store) => string.Concat(store.OrderLog.CopyChunks().Select(c => System.Text.Encoding.Latin1.GetString(c)));

    [Fact]
    public async Task Every_call_with_a_cancelled_token_throws_and_changes_nothing()
    {
        var store = new InMemoryMemberStore();
        await store.AddMemberAsync(Member("a", "CODE-A"));
        await store.AddMemberAsync(Member("referee", "CODE-R") with { ReferredBy = MemberId.From("a") });
        (await store.AddOrderAsync(Order("A-1"), 0)).Status.Should().Be(HistoryAddStatus.Added);
        var a = MemberId.From("a");
        var member = (await store.GetMemberAsync(Club, a))!;
        var kept = member with { Version = member.Version + 1, Evaluation = MemberEvaluationState.Empty with { HistoryVersion = 2 } };
        var activity = new ActivityRecord
        {
            ProgramId = Club, MemberId = a, ActivityId = ActivityId.From("review-1"), Fingerprint = "f",
            Activity = new ActivityInput(ActivityKind.Review, a, T0), Earning = Order("A-1").Earning, RecordedAt = T0,
        };
        var rewrite = new Loyalty.Core.DataRights.MemberRewrite
        {
            ProgramId = Club, From = a, ExpectedVersion = member.Version, ExpectedHistoryVersion = 1,
            Member = member with { MemberId = MemberId.From("erased-a") }, Orders = [], Refunds = [], Activities = [],
        };
        using var source = new CancellationTokenSource();
        source.Cancel();
        var token = source.Token;
        var calls = new (string Name, Func<Task> Call)[]
        {
            ("GetMemberAsync", async () => await store.GetMemberAsync(Club, a, token)),
            ("FindByReferralCodeAsync", async () => await store.FindByReferralCodeAsync(Club, member.ReferralCode, token)),
            ("AddMemberAsync", async () => await store.AddMemberAsync(Member("b", "CODE-B"), token)),
            ("UpdateMemberAsync", async () => await store.UpdateMemberAsync(member with { Version = member.Version + 1, BirthDate = new LocalDate(1990, 1, 1) }, member.Version, token)),
            ("ListMembersAsync", async () => await store.ListMembersAsync(Club, null, 10, token)),
            ("ReadMemberPageAsync", async () => await store.ReadMemberPageAsync(Club, MemberPartition.All, null, 10, token)),
            ("UpdateMembersAsync", async () => await store.UpdateMembersAsync([new MemberUpdate(member with { Version = member.Version + 1 }, member.Version)], token)),
            ("AddOrderAsync", async () => await store.AddOrderAsync(Order("A-2"), 1, token)),
            ("GetOrderAsync", async () => await store.GetOrderAsync(Club, OrderId.From("A-1"), token)),
            ("AddRefundAsync", async () => await store.AddRefundAsync(Refund("R-1"), 0, token)),
            ("GetRefundAsync", async () => await store.GetRefundAsync(Club, RefundId.From("R-1"), token)),
            ("ListRefundsAsync", async () => await store.ListRefundsAsync(Club, OrderId.From("A-1"), token)),
            ("AddActivityAsync", async () => await store.AddActivityAsync(activity, 1, token)),
            ("GetActivityAsync", async () => await store.GetActivityAsync(Club, activity.ActivityId, token)),
            ("GetHistoryAsync", async () => await store.GetHistoryAsync(Club, a, token)),
            ("AddOrderWithStateAsync", async () => await store.AddOrderWithStateAsync(Order("A-2"), kept, token)),
            ("AddRefundWithStateAsync", async () => await store.AddRefundWithStateAsync(Refund("R-1"), 0, kept, token)),
            ("AddActivityWithStateAsync", async () => await store.AddActivityWithStateAsync(activity, kept, token)),
            ("ListOrdersRecordedAsync", async () => await store.ListOrdersRecordedAsync(Club, T0, T0 + Duration.FromDays(1), null, 10, token)),
            ("ListReferredMembersAsync", async () => await store.ListReferredMembersAsync(Club, a, token)),
            ("RewriteMemberAsync", async () => await store.RewriteMemberAsync(rewrite, token)),
        };

        foreach (var (name, call) in calls)
        {
            await call.Should().ThrowAsync<OperationCanceledException>(name);
        }

        (await store.GetMemberAsync(Club, a)).Should().Be(member);
        (await store.GetMemberAsync(Club, MemberId.From("b"))).Should().BeNull();
        (await store.GetMemberAsync(Club, MemberId.From("erased-a"))).Should().BeNull();
        var history = await store.GetHistoryAsync(Club, a);
        history.Version.Should().Be(1);
        history.Orders.Select(o => o.OrderId.Value).Should().Equal("A-1");
        history.Refunds.Should().BeEmpty();
        history.Activities.Should().BeEmpty();
    }

    private static ActivityRecord Activity(string id) => new()
    {
        ProgramId = Club, MemberId = MemberId.From("a"), ActivityId = ActivityId.From(id), Fingerprint = "f",
        Activity = new ActivityInput(ActivityKind.Review, MemberId.From("a"), T0), Earning = Order("A-1").Earning, RecordedAt = T0,
    };

    // Member 'a' with an order, a refund of it and an activity (history version 3), and 'r', whom 'a' referred.
    private static async Task<InMemoryMemberStore> MemberWithHistoryAsync()
    {
        var store = new InMemoryMemberStore();
        await store.AddMemberAsync(Member("a", "CODE-A"));
        await store.AddMemberAsync(Member("r", "CODE-R") with { ReferredBy = MemberId.From("a") });
        (await store.AddOrderAsync(Order("A-1"), 0)).Status.Should().Be(HistoryAddStatus.Added);
        (await store.AddRefundAsync(Refund("R-1"), 0)).Status.Should().Be(RefundAddStatus.Added);
        (await store.AddActivityAsync(Activity("review-1"), 2)).Status.Should().Be(HistoryAddStatus.Added);
        return store;
    }

    private static Loyalty.Core.DataRights.MemberRewrite RewriteOf(MemberRecord member, MemberHistory history, MemberId to) => new()
    {
        ProgramId = Club, From = member.MemberId, ExpectedVersion = member.Version, ExpectedHistoryVersion = history.Version,
        Member = member with { MemberId = to, ReferralCode = ReferralCode.From("CODE-Z") },
        Orders = [.. history.Orders.Select(o => o with { MemberId = to })],
        Refunds = [.. history.Refunds.Select(r => r with { MemberId = to })],
        Activities = [.. history.Activities.Select(a => a with { MemberId = to })],
    };

    [Fact]
    public async Task A_rewrite_moves_every_row_and_index_to_the_new_id_and_moves_the_referees_version()
    {
        var store = await MemberWithHistoryAsync();
        var a = MemberId.From("a");
        var to = MemberId.From("erased-a");
        var member = (await store.GetMemberAsync(Club, a))!;
        var referee = (await store.GetMemberAsync(Club, MemberId.From("r")))!;

        (await store.RewriteMemberAsync(RewriteOf(member, await store.GetHistoryAsync(Club, a), to))).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.Rewritten);

        (await store.ListMembersAsync(Club, null, 10)).Select(m => m.Value).Should().Equal("erased-a", "r");
        (await store.ReadMemberPageAsync(Club, MemberPartition.All, null, 10)).Select(e => e.Member.MemberId.Value).Should().BeEquivalentTo(["erased-a", "r"]);
        (await store.FindByReferralCodeAsync(Club, ReferralCode.From("CODE-Z")))!.MemberId.Should().Be(to);
        (await store.FindByReferralCodeAsync(Club, ReferralCode.From("CODE-A"))).Should().BeNull();
        var history = await store.GetHistoryAsync(Club, to);
        history.Version.Should().Be(3);
        history.Orders.Select(o => o.MemberId).Should().Equal(to);
        history.Refunds.Select(r => (r.RefundId.Value, r.MemberId)).Should().Equal(("R-1", to));
        history.Activities.Select(x => (x.ActivityId.Value, x.MemberId)).Should().Equal(("review-1", to));
        (await store.ListRefundsAsync(Club, OrderId.From("A-1"))).Select(r => r.MemberId).Should().Equal(to);
        (await store.GetRefundAsync(Club, RefundId.From("R-1")))!.MemberId.Should().Be(to);
        (await store.GetActivityAsync(Club, ActivityId.From("review-1")))!.MemberId.Should().Be(to);
        var movedReferee = (await store.GetMemberAsync(Club, MemberId.From("r")))!;
        (movedReferee.ReferredBy, movedReferee.Version).Should().Be((to, referee.Version + 1));
        (await store.GetHistoryAsync(Club, a)).Should().BeEquivalentTo(new { Version = 0L, Orders = Array.Empty<OrderRecord>(), Refunds = Array.Empty<RefundRecord>() });
    }

    [Fact]
    public async Task A_rewrite_read_before_another_write_or_onto_ids_in_use_is_refused_and_changes_nothing()
    {
        var store = await MemberWithHistoryAsync();
        var a = MemberId.From("a");
        var to = MemberId.From("erased-a");
        var member = (await store.GetMemberAsync(Club, a))!;
        var history = await store.GetHistoryAsync(Club, a);
        var rewrite = RewriteOf(member, history, to);
        await store.AddMemberAsync(Member("b", "CODE-B"));
        (await store.AddOrderAsync(Order("B-1") with { MemberId = MemberId.From("b") }, 0)).Status.Should().Be(HistoryAddStatus.Added);
        (await store.AddRefundAsync(Refund("R-B") with { MemberId = MemberId.From("b"), OrderId = OrderId.From("B-1") }, 0)).Status.Should().Be(RefundAddStatus.Added);
        (await store.AddActivityAsync(Activity("review-b") with { MemberId = MemberId.From("b") }, 2)).Status.Should().Be(HistoryAddStatus.Added);
        (await store.AddOrderAsync(Order("G-1") with { MemberId = MemberId.From("ghost") }, 0)).Status.Should().Be(HistoryAddStatus.Added, "an order may name an id with no member record");

        (await store.RewriteMemberAsync(rewrite with { ExpectedHistoryVersion = 2 })).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.Conflict, "the history moved on since it was read");
        (await store.RewriteMemberAsync(rewrite with { ExpectedVersion = 2 })).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.Conflict);
        (await store.RewriteMemberAsync(rewrite with { Member = rewrite.Member with { MemberId = MemberId.From("ghost") } })).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.TargetExists, "the id has a history");
        (await store.RewriteMemberAsync(rewrite with { Member = rewrite.Member with { ReferralCode = ReferralCode.From("CODE-B") } })).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.TargetExists);
        (await store.RewriteMemberAsync(rewrite with { Orders = [.. rewrite.Orders, Order("B-1") with { MemberId = to }] })).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.TargetExists);
        (await store.RewriteMemberAsync(rewrite with { Refunds = [.. rewrite.Refunds, Refund("R-B") with { MemberId = to }] })).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.TargetExists);
        (await store.RewriteMemberAsync(rewrite with { Activities = [.. rewrite.Activities, Activity("review-b") with { MemberId = to }] })).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.TargetExists);

        (await store.GetMemberAsync(Club, a)).Should().Be(member);
        (await store.GetHistoryAsync(Club, a)).Version.Should().Be(3);
        (await store.GetMemberAsync(Club, to)).Should().BeNull();
        (await store.RewriteMemberAsync(rewrite)).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.Rewritten, "the same rewrite with nothing in its way");
    }

    [Fact]
    public async Task A_partition_s_page_holds_the_members_on_its_first_and_last_keys()
    {
        // Ids whose key is the first, and the last, of their partition (1 in 65,536 of all ids, found by trying).
        // Upper-case ids sort before most strings, so a walk that started after any id at the first key would miss them.
        static (MemberId Id, MemberPartition Partition) OnEdge(bool first)
        {
            for (var i = 0; ; i++)
            {
                var id = MemberId.From("A" + i);
                var key = MemberPartition.KeyOf(id);
                var partition = MemberPartition.Of((int)(key >> 16), MemberPartition.MaxCount);
                if (key == (first ? partition.FirstKey : partition.LastKey))
                {
                    return (id, partition);
                }
            }
        }

        var store = new InMemoryMemberStore();
        var (low, lowPartition) = OnEdge(first: true);
        var (high, highPartition) = OnEdge(first: false);
        await store.AddMemberAsync(Member(low.Value, "CODE-LOW"));
        await store.AddMemberAsync(Member(high.Value, "CODE-HIGH"));

        (await store.ReadMemberPageAsync(Club, lowPartition, null, 10)).Select(e => e.Member.MemberId).Should().Equal(low);
        (await store.ReadMemberPageAsync(Club, highPartition, null, 10)).Select(e => e.Member.MemberId).Should().Equal(high);
        (await store.ReadMemberPageAsync(Club, highPartition, high, 10)).Should().BeEmpty("the page after the last member of the partition");
        (await store.ReadMemberPageAsync(Club, MemberPartition.All, null, 1)).Should().ContainSingle();
    }

    [Fact]
    public async Task Orders_recorded_in_a_span_are_paged_by_instant_then_id_from_the_cursor()
    {
        var store = new InMemoryMemberStore();
        await store.AddMemberAsync(Member("a", "CODE-A"));
        var until = T0 + Duration.FromDays(1);
        (string Id, Instant At)[] recorded = [("B-1", T0), ("A-1", T0), ("C-1", T0 + Duration.FromHours(1)), ("D-1", until), ("Z-0", T0 - Duration.FromTicks(1))];
        for (var i = 0; i < recorded.Length; i++)
        {
            (await store.AddOrderAsync(Order(recorded[i].Id) with { RecordedAt = recorded[i].At }, i)).Status.Should().Be(HistoryAddStatus.Added);
        }

        async Task<string[]> PageAsync((Instant, OrderId)? after, int maxCount) =>
            [.. (await store.ListOrdersRecordedAsync(Club, T0, until, after, maxCount)).Select(o => o.OrderId.Value)];

        (await PageAsync(null, 2)).Should().Equal("A-1", "B-1");
        (await PageAsync((T0, OrderId.From("B-1")), 2)).Should().Equal("C-1");
        (await PageAsync((T0, OrderId.From("A-1")), 1)).Should().Equal("B-1");
        (await PageAsync((T0 - Duration.FromDays(1), OrderId.From("X")), 10)).Should().Equal(["A-1", "B-1", "C-1"], "a cursor before the span starts at its first instant");
        (await store.ListOrdersRecordedAsync(ProgramId.From("other"), T0, until, null, 10)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_write_with_the_kept_state_is_refused_naming_what_is_wrong_and_writes_nothing()
    {
        var store = new InMemoryMemberStore();
        await store.AddMemberAsync(Member("a", "CODE-A"));
        var member = (await store.GetMemberAsync(Club, MemberId.From("a")))!;
        var kept = member with { Version = 2, Evaluation = MemberEvaluationState.Empty with { HistoryVersion = 1 } };

        var noState = (await FluentActions.Awaiting(async () => await store.AddOrderWithStateAsync(Order("A-1"), member)).Should().ThrowAsync<ArgumentException>()).Which;
        (noState.ParamName, noState.Message).Should().Be(("member", "member.Evaluation must be set: the record written with an order, refund or activity carries the member's kept evaluation state. (Parameter 'member')"));
        var other = (await FluentActions.Awaiting(async () => await store.AddOrderWithStateAsync(Order("A-1"), kept with { MemberId = MemberId.From("b") })).Should().ThrowAsync<ArgumentException>()).Which;
        (other.ParamName, other.Message).Should().Be(("member", "member is 'b' of programme 'club' but the record written with it is for 'a' of programme 'club'. (Parameter 'member')"));
        var elsewhere = (await FluentActions.Awaiting(async () => await store.AddOrderWithStateAsync(Order("A-1"), kept with { ProgramId = ProgramId.From("other") })).Should().ThrowAsync<ArgumentException>()).Which;
        elsewhere.Message.Should().Be("member is 'a' of programme 'other' but the record written with it is for 'a' of programme 'club'. (Parameter 'member')");

        (await store.AddOrderWithStateAsync(Order("A-1"), kept with { Version = 3 })).Status.Should().Be(HistoryAddStatus.Conflict, "the record read was not version 2's predecessor");
        (await store.AddOrderWithStateAsync(Order("A-1"), kept with { Evaluation = kept.Evaluation! with { HistoryVersion = 2 } })).Status.Should().Be(HistoryAddStatus.Conflict, "the history read was not at version 1");
        (await store.AddOrderWithStateAsync(Order("A-1") with { MemberId = MemberId.From("ghost") }, kept with { MemberId = MemberId.From("ghost") })).Status.Should().Be(HistoryAddStatus.Conflict, "no member 'ghost'");
        (await store.GetOrderAsync(Club, OrderId.From("A-1"))).Should().BeNull();
        (await store.GetMemberAsync(Club, member.MemberId)).Should().Be(member);
        (await store.GetHistoryAsync(Club, member.MemberId)).Version.Should().Be(0);

        (await store.AddOrderWithStateAsync(Order("A-1"), kept with { ReferralCode = ReferralCode.From("CODE-ELSE") })).Status.Should().Be(HistoryAddStatus.Added);
        var written = (await store.GetMemberAsync(Club, member.MemberId))!;
        (written.Version, written.ReferralCode).Should().Be((2L, ReferralCode.From("CODE-A")), "a write with the kept state does not change the referral code");
        (await store.FindByReferralCodeAsync(Club, ReferralCode.From("CODE-ELSE"))).Should().BeNull();
    }

    [Fact]
    public async Task An_update_takes_the_next_version_and_moves_the_referral_code_unless_it_is_taken()
    {
        var store = new InMemoryMemberStore();
        await store.AddMemberAsync(Member("a", "CODE-A"));
        await store.AddMemberAsync(Member("b", "CODE-B"));
        var member = (await store.GetMemberAsync(Club, MemberId.From("a")))!;

        (await store.UpdateMemberAsync(member with { ReferralCode = ReferralCode.From("CODE-B") }, 1)).Should().BeFalse("the code is b's");
        (await store.UpdateMemberAsync(member with { Version = 99, ReferralCode = ReferralCode.From("CODE-NEW") }, 1)).Should().BeTrue();

        var updated = (await store.GetMemberAsync(Club, member.MemberId))!;
        (updated.Version, updated.ReferralCode).Should().Be((2L, ReferralCode.From("CODE-NEW")));
        (await store.FindByReferralCodeAsync(Club, ReferralCode.From("CODE-NEW")))!.MemberId.Should().Be(member.MemberId);
        (await store.FindByReferralCodeAsync(Club, ReferralCode.From("CODE-A"))).Should().BeNull("the old code is free again");
        (await store.AddMemberAsync(Member("c", "CODE-A"))).Should().Be(MemberAddStatus.Added);
        (await store.UpdateMembersAsync([new MemberUpdate(updated with { Version = 3 }, 1), new MemberUpdate(updated with { Version = 3, BirthDate = new LocalDate(1990, 1, 1) }, 2)]))
            .Should().Equal([member.MemberId], "the first update of the batch expected version 1");
        (await store.GetMemberAsync(Club, member.MemberId))!.BirthDate.Should().Be(new LocalDate(1990, 1, 1));
    }

    [Fact]
    public async Task Members_whose_partition_keys_collide_are_paged_in_ordinal_order_of_their_ids()
    {
        // Two ids with the same 32-bit key (a birthday search: about 80,000 ids to try).
        var seen = new Dictionary<uint, string>();
        var (first, second) = (string.Empty, string.Empty);
        for (var i = 0; ; i++)
        {
            var id = "m" + i;
            if (seen.TryGetValue(MemberPartition.KeyOf(MemberId.From(id)), out var other))
            {
                (first, second) = string.CompareOrdinal(other, id) < 0 ? (other, id) : (id, other);
                break;
            }

            seen.Add(MemberPartition.KeyOf(MemberId.From(id)), id);
        }

        var store = new InMemoryMemberStore();
        await store.AddMemberAsync(Member(second, "CODE-2"));
        await store.AddMemberAsync(Member(first, "CODE-1"));

        (await store.ReadMemberPageAsync(Club, MemberPartition.All, null, 10)).Select(e => e.Member.MemberId.Value).Should().Equal(first, second);
        (await store.ReadMemberPageAsync(Club, MemberPartition.All, MemberId.From(first), 10)).Select(e => e.Member.MemberId.Value).Should().Equal(second);
    }

    [Fact]
    public async Task Missing_records_and_out_of_range_pages_are_refused_naming_the_argument()
    {
        var store = new InMemoryMemberStore();
        await store.AddMemberAsync(Member("a", "CODE-A"));

        async Task NullAsync(Func<Task> call, string parameter) =>
            (await call.Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be(parameter);
        async Task OutOfRangeAsync(Func<Task> call, string parameter, object actual, string message) =>
            (await call.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Should().Match<ArgumentOutOfRangeException>(e => e.ParamName == parameter && Equals(e.ActualValue, actual) && e.Message.StartsWith(message, StringComparison.Ordinal));

        await NullAsync(async () => await store.UpdateMembersAsync(null!), "updates");
        await NullAsync(async () => await store.UpdateMembersAsync([new MemberUpdate(null!, 1)]), "updates");
        await NullAsync(async () => await store.AddOrderWithStateAsync(Order("A-1"), null!), "member");
        await NullAsync(async () => await store.RewriteMemberAsync(null!), "rewrite");
        await OutOfRangeAsync(async () => await store.ListMembersAsync(Club, null, 0), "maxCount", 0, "maxCount must be between 1 and 2147483647 inclusive (was 0).");
        await OutOfRangeAsync(async () => await store.ReadMemberPageAsync(Club, MemberPartition.All, null, 0), "maxCount", 0, "maxCount must be between 1 and 2147483647 inclusive (was 0).");
        await OutOfRangeAsync(async () => await store.ListOrdersRecordedAsync(Club, T0, T0, null, 0), "maxCount", 0, "maxCount must be between 1 and 2147483647 inclusive (was 0).");
        await OutOfRangeAsync(async () => await store.AddOrderAsync(Order("A-1"), -1), "expectedHistoryVersion", -1L, "expectedHistoryVersion must be 0 or greater (was -1).");
        await OutOfRangeAsync(async () => await store.AddActivityAsync(Activity("review-1"), -1), "expectedHistoryVersion", -1L, "expectedHistoryVersion must be 0 or greater (was -1).");
        (await store.GetHistoryAsync(Club, MemberId.From("a"))).Version.Should().Be(0, "nothing was written");
        (await store.ListMembersAsync(ProgramId.From("other"), null, 10)).Should().BeEmpty();
    }

    [Fact]
    public async Task Referred_members_are_listed_in_ordinal_order_of_their_ids()
    {
        var store = new InMemoryMemberStore();
        await store.AddMemberAsync(Member("a", "CODE-A"));
        var n = 0;
        foreach (var id in new[] { "c", "B", "b", "a2" })
        {
            await store.AddMemberAsync(Member(id, "CODE-R" + n++) with { ReferredBy = MemberId.From("a") });
        }

        await store.AddMemberAsync(Member("d", "CODE-D") with { ReferredBy = MemberId.From("c") });

        (await store.ListReferredMembersAsync(Club, MemberId.From("a"))).Select(m => m.MemberId.Value).Should().Equal("B", "a2", "b", "c");
        (await store.ListReferredMembersAsync(ProgramId.From("other"), MemberId.From("a"))).Should().BeEmpty();
    }

    // The orders given are dropped with this method: only the store may keep them after it.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Task AddOrdersAsync(InMemoryMemberStore store)
    {
        var late = Order("A-2") with { Order = new EarningOrder(OrderId.From("A-2"), MemberId.From("a"), T0 - Duration.FromHours(1), Currency.EUR, [new OrderLine("SKU", 1, 10m)]) };
        OrderRecord[] orders = [Order("A-1") with { Fingerprint = "fingerprint-before-A-1" }, late with { Fingerprint = "fingerprint-before-A-2" }];
        for (var i = 0; i < orders.Length; i++)
        {
            (await store.AddOrderAsync(orders[i], i)).Status.Should().Be(HistoryAddStatus.Added);
        }
    }

    // Reads and rewrites member 'a' as 'to', each order with a new fingerprint.
    private static async Task<Loyalty.Core.DataRights.MemberRewriteStatus> RewriteAsync(InMemoryMemberStore store, MemberId to)
    {
        var member = (await store.GetMemberAsync(Club, MemberId.From("a")))!;
        var history = await store.GetHistoryAsync(Club, MemberId.From("a"));
        history.Orders.Select(o => o.OrderId.Value).Should().Equal(["A-2", "A-1"], "placed first, recorded second");
        (await store.GetHistoryAsync(Club, MemberId.From("b"))).Orders.Should().BeEmpty();
        return await store.RewriteMemberAsync(new Loyalty.Core.DataRights.MemberRewrite
        {
            ProgramId = Club, From = MemberId.From("a"), ExpectedVersion = member.Version, ExpectedHistoryVersion = history.Version,
            Member = member with { MemberId = to, ReferralCode = ReferralCode.From("CODE-Z") },
            Orders = history.Orders.Select(o => o with { MemberId = to, Fingerprint = "fingerprint-after" }).ToArray(), Refunds = [], Activities = [],
        });
    }

    private static OrderRecord Order(string id)
    {
        var order = new EarningOrder(OrderId.From(id), MemberId.From("a"), T0, Currency.EUR, [new OrderLine("SKU", 1, 10m)]);
        var rules = new EarningRuleSetBuilder("v1", T0 - Duration.FromDays(1), Currency.EUR, "UTC").EarnPerUnit("base", 1m).Build();
        return new OrderRecord
        {
            ProgramId = Club,
            MemberId = MemberId.From("a"),
            OrderId = order.Id,
            Fingerprint = "f",
            Order = order,
            Earning = EarningEngine.Instance.Evaluate(rules, order, MemberContext.Default, EarningUsage.Empty),
            TransactionId = TransactionId.From("order:" + id),
            RecordedAt = T0,
        };
    }

    private static RefundRecord Refund(string id) => new()
    {
        ProgramId = Club,
        MemberId = MemberId.From("a"),
        RefundId = RefundId.From(id),
        OrderId = OrderId.From("A-1"),
        Fingerprint = "f",
        Refund = OrderRefund.ForAmount(1m),
        Result = new RefundResult(Points.One, [], false),
        Amount = Money.FromDecimal(1m, Currency.EUR),
        RefundedAt = T0,
        RecordedAt = T0,
    };
}
