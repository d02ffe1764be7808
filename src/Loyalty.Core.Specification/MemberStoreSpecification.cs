using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="IMemberStore"/> must have: members added once with unique
/// referral codes and updated under optimistic concurrency; orders, refunds and activities inserted
/// once and read back whole; orders and activities added only from the member's history version
/// read, and refunds of an order only from the count read (also between racing writers); a
/// member's history in time order with its version. Subclass it once per store and implement
/// <see cref="CreateStore"/>.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class MemberStoreSpecification : IAsyncLifetime
{
    private static readonly Instant Start = Instant.FromUtc(2026, 3, 2, 9, 30);
    private static readonly MemberId Alice = MemberId.From("alice");
    private static readonly MemberId Bob = MemberId.From("bob");

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected MemberStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many writers the concurrency tests run at once. Default 8.</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>Returns a store over this test's storage; every call must see the same data, each may be a new session for one writer.</summary>
    /// <returns>The store.</returns>
    protected abstract IMemberStore CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>An unknown member, order, refund or activity reads as null; an unknown history as empty.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task What_is_not_there_reads_as_null_or_empty()
    {
        var store = CreateStore();
        Assert.Null(await store.GetMemberAsync(Program, Alice));
        Assert.Null(await store.FindByReferralCodeAsync(Program, ReferralCode.From("NOPE-0000")));
        Assert.Null(await store.GetOrderAsync(Program, OrderId.From("A-1")));
        Assert.Null(await store.GetRefundAsync(Program, RefundId.From("R-1")));
        Assert.Null(await store.GetActivityAsync(Program, ActivityId.From("signup")));
        Assert.Empty(await store.ListRefundsAsync(Program, OrderId.From("A-1")));
        Assert.Empty(await store.ListMembersAsync(Program, null, 10));
        var history = await store.GetHistoryAsync(Program, Alice);
        Assert.Empty(history.Orders);
        Assert.Empty(history.Refunds);
        Assert.Empty(history.Activities);
    }

    /// <summary>Every field of a member, tier status included, reads back as written, also by referral code.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_member_reads_back_whole()
    {
        var member = Member("alice", "ALICE-2026") with
        {
            BirthDate = new LocalDate(1990, 2, 28),
            ReferredBy = MemberId.From("bob"),
            ReferralCompletedBy = OrderId.From("A-1"),
            LastMaintainedAt = Start + Duration.FromDays(1),
            TierStatus = new TierStatus
            {
                Tier = TierId.From("gold"),
                Since = Start,
                ValidUntil = Start + Duration.FromDays(365),
                GraceUntil = Start + Duration.FromDays(395),
                AutomaticTier = TierId.From("silver"),
                AutomaticSince = Start - Duration.FromDays(10),
                AutomaticValidUntil = Start + Duration.FromDays(355),
                LastQualifiedAt = Start,
                ValidUntilBeforeLastQualification = Start + Duration.FromDays(200),
                FallbackTier = TierId.From("bronze"),
                FallbackValidUntil = Start + Duration.FromDays(100),
                EvaluatedAt = Start + Duration.FromHours(1),
            },
        };
        Assert.Equal(MemberAddStatus.Added, await CreateStore().AddMemberAsync(member));

        Assert.Equal(member, await CreateStore().GetMemberAsync(Program, Alice));
        Assert.Equal(member, await CreateStore().FindByReferralCodeAsync(Program, ReferralCode.From("alice-2026")));
    }

    /// <summary>A member id and a referral code are each used once in a programme.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Members_are_added_once_with_unique_referral_codes()
    {
        var store = CreateStore();
        Assert.Equal(MemberAddStatus.Added, await store.AddMemberAsync(Member("alice", "CODE-AAAA")));
        Assert.Equal(MemberAddStatus.MemberExists, await store.AddMemberAsync(Member("alice", "CODE-XXXX")));
        Assert.Equal(MemberAddStatus.ReferralCodeTaken, await store.AddMemberAsync(Member("bob", "CODE-AAAA")));
        Assert.Null(await store.GetMemberAsync(Program, MemberId.From("bob")));
        Assert.Equal(MemberAddStatus.Added, await store.AddMemberAsync(Member("alice", "CODE-AAAA") with { ProgramId = ProgramId.From(Program.Value + "-other") }));
    }

    /// <summary>An update needs the version read; a stale one, or a referral code another member has, writes nothing.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Updates_need_the_version_read()
    {
        var store = CreateStore();
        await store.AddMemberAsync(Member("alice", "CODE-AAAA"));
        await store.AddMemberAsync(Member("bob", "CODE-BBBB"));
        var read = (await store.GetMemberAsync(Program, Alice))!;

        Assert.True(await store.UpdateMemberAsync(read with { BirthDate = new LocalDate(1990, 1, 1), Version = 2 }, expectedVersion: 1));
        Assert.False(await CreateStore().UpdateMemberAsync(read with { BirthDate = new LocalDate(1991, 1, 1), Version = 2 }, expectedVersion: 1));
        var now = (await store.GetMemberAsync(Program, Alice))!;
        Assert.Equal(2, now.Version);
        Assert.Equal(new LocalDate(1990, 1, 1), now.BirthDate);

        Assert.False(await store.UpdateMemberAsync(now with { ReferralCode = ReferralCode.From("CODE-BBBB"), Version = 3 }, expectedVersion: 2));
        Assert.True(await store.UpdateMemberAsync(now with { ReferralCode = ReferralCode.From("CODE-CCCC"), Version = 3 }, expectedVersion: 2));
        Assert.Equal(Alice, (await store.FindByReferralCodeAsync(Program, ReferralCode.From("CODE-CCCC")))!.MemberId);
        Assert.Null(await store.FindByReferralCodeAsync(Program, ReferralCode.From("CODE-AAAA")));
        Assert.False(await store.UpdateMemberAsync(Member("carol", "CODE-DDDD") with { Version = 2 }, expectedVersion: 1));
    }

    /// <summary>Members are listed in ordinal order of their ids, in pages.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Members_are_listed_in_ordinal_pages()
    {
        var store = CreateStore();
        var n = 0;
        foreach (var id in new[] { "c", "a", "B", "b" })
        {
            Assert.Equal(MemberAddStatus.Added, await store.AddMemberAsync(Member(id, "CODE-000" + n++)));
        }

        Assert.Equal(["B", "a"], (await store.ListMembersAsync(Program, null, 2)).Select(m => m.Value));
        Assert.Equal(["b", "c"], (await store.ListMembersAsync(Program, MemberId.From("a"), 10)).Select(m => m.Value));
        Assert.Empty(await store.ListMembersAsync(Program, MemberId.From("z"), 10));
    }

    /// <summary>A page of fewer than one member is refused with the reference store's message.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_page_size_below_one_is_refused()
    {
        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await CreateStore().ListMembersAsync(Program, null, 0));
        Assert.Equal("maxCount", ex.ParamName);
        Assert.StartsWith("maxCount must be between 1 and 2147483647 inclusive (was 0).", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A null record is refused before anything is written.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Null_records_are_refused()
    {
        var store = CreateStore();
        Assert.Equal("member", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.AddMemberAsync(null!))).ParamName);
        Assert.Equal("member", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.UpdateMemberAsync(null!, 1))).ParamName);
        Assert.Equal("order", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.AddOrderAsync(null!, 0))).ParamName);
        Assert.Equal("refund", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.AddRefundAsync(null!, 0))).ParamName);
        Assert.Equal("activity", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.AddActivityAsync(null!, 0))).ParamName);
    }

    /// <summary>Orders and activities are inserted once, read back whole, and a second insert returns the stored one.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Orders_and_activities_are_inserted_once_and_read_back_whole()
    {
        var store = CreateStore();
        await store.AddMemberAsync(Member("alice", "CODE-AAAA"));
        var order = Order("A-1", Start);
        Assert.Equal(HistoryAddStatus.Added, (await store.AddOrderAsync(order, 0)).Status);
        var again = await CreateStore().AddOrderAsync(order with { Fingerprint = "other" }, 1);
        Assert.Equal(HistoryAddStatus.Exists, again.Status);
        Assert.Equal(Describe(order), Describe(again.Existing!));
        Assert.Equal(Describe(order), Describe((await CreateStore().GetOrderAsync(Program, order.OrderId))!));

        var activity = Activity("review-1", Start + Duration.FromHours(1));
        Assert.Equal(HistoryAddStatus.Added, (await store.AddActivityAsync(activity, 1)).Status);
        var repeat = await CreateStore().AddActivityAsync(activity with { Fingerprint = "other" }, 2);
        Assert.Equal(HistoryAddStatus.Exists, repeat.Status);
        Assert.Equal(Describe(activity), Describe(repeat.Existing!));
        Assert.Equal(Describe(activity), Describe((await CreateStore().GetActivityAsync(Program, activity.ActivityId))!));
        Assert.Equal(2, (await CreateStore().GetHistoryAsync(Program, Alice)).Version);
    }

    /// <summary>
    /// An order or activity is added only from the member's current history version; every order,
    /// refund and activity moves it on; the same id again is a repeat (the stored record), not a conflict.
    /// </summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Orders_and_activities_are_added_only_from_the_history_version_read()
    {
        var store = CreateStore();
        await store.AddMemberAsync(Member("alice", "CODE-AAAA"));
        Assert.Equal(0, (await store.GetHistoryAsync(Program, Alice)).Version);

        Assert.Equal(HistoryAddStatus.Added, (await store.AddOrderAsync(Order("A-1", Start), 0)).Status);
        Assert.Equal(HistoryAddStatus.Conflict, (await CreateStore().AddOrderAsync(Order("A-2", Start), 0)).Status);
        Assert.Null(await CreateStore().GetOrderAsync(Program, OrderId.From("A-2")));
        var replay = await CreateStore().AddOrderAsync(Order("A-1", Start), 0);
        Assert.Equal(HistoryAddStatus.Exists, replay.Status);
        Assert.Equal("f-A-1", replay.Existing!.Fingerprint);

        Assert.Equal(HistoryAddStatus.Conflict, (await CreateStore().AddActivityAsync(Activity("review-1", Start), 0)).Status);
        Assert.Equal(HistoryAddStatus.Conflict, (await CreateStore().AddActivityAsync(Activity("review-1", Start), 2)).Status);
        Assert.Null(await CreateStore().GetActivityAsync(Program, ActivityId.From("review-1")));
        Assert.Equal(HistoryAddStatus.Added, (await store.AddActivityAsync(Activity("review-1", Start), 1)).Status);
        Assert.Equal(RefundAddStatus.Added, (await store.AddRefundAsync(Refund("R-1", Start + Duration.FromDays(1)), 0)).Status);

        var history = await CreateStore().GetHistoryAsync(Program, Alice);
        Assert.Equal(3, history.Version);
        Assert.Equal(HistoryAddStatus.Conflict, (await CreateStore().AddOrderAsync(Order("A-2", Start), 2)).Status);
        Assert.Equal(HistoryAddStatus.Added, (await CreateStore().AddOrderAsync(Order("A-2", Start), history.Version)).Status);
        Assert.Equal(4, (await CreateStore().GetHistoryAsync(Program, Alice)).Version);
        Assert.Equal(0, (await CreateStore().GetHistoryAsync(Program, MemberId.From("bob"))).Version);
    }

    /// <summary>A negative expected history version is refused with the reference store's message.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_negative_history_version_is_refused()
    {
        var store = CreateStore();
        var order = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.AddOrderAsync(Order("A-1", Start), -1));
        Assert.Equal("expectedHistoryVersion", order.ParamName);
        Assert.StartsWith("expectedHistoryVersion must be 0 or greater (was -1).", order.Message, StringComparison.Ordinal);
        var activity = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.AddActivityAsync(Activity("review-1", Start), -2));
        Assert.StartsWith("expectedHistoryVersion must be 0 or greater (was -2).", activity.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetOrderAsync(Program, OrderId.From("A-1")));
    }

    /// <summary>Writers racing to add different orders of one member from the same history version: exactly one lands.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_orders_from_one_history_version_one_lands()
    {
        await CreateStore().AddMemberAsync(Member("alice", "CODE-AAAA"));
        var writers = Enumerable.Range(0, ConcurrentWriters).Select(i => (Store: CreateStore(), Order: Order("A-" + i, Start))).ToArray();
        var results = await Task.WhenAll(writers.Select(w => Task.Run(async () => await w.Store.AddOrderAsync(w.Order, 0))));
        Assert.Equal(1, results.Count(r => r.Status == HistoryAddStatus.Added));
        Assert.Equal(writers.Length - 1, results.Count(r => r.Status == HistoryAddStatus.Conflict));
        var history = await CreateStore().GetHistoryAsync(Program, Alice);
        Assert.Single(history.Orders);
        Assert.Equal(1, history.Version);
    }

    /// <summary>
    /// Parallel distinct orders of one member, each evaluated from the history it read under a
    /// first-order bonus and a monthly per-member cap, and re-evaluated when its add conflicts: all
    /// land, exactly one gets the first-order bonus, and the cap is never exceeded.
    /// </summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Orders_re_evaluated_on_conflict_give_one_first_order_bonus_and_keep_the_cap()
    {
        await CreateStore().AddMemberAsync(Member("alice", "CODE-AAAA"));
        var rules = new EarningRuleSetBuilder("v1", Start - Duration.FromDays(30), Currency.EUR, "Europe/Paris")
            .EarnPerUnit("base", 1m, r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Month, MaxPoints = Points.FromInt64(150) } } })
            .OrderCountBonus("first", 1, 500)
            .Build();
        var writers = Enumerable.Range(0, ConcurrentWriters).Select(i => (Store: CreateStore(), Id: "P-" + i)).ToArray();

        await Task.WhenAll(writers.Select(w => Task.Run(async () =>
        {
            for (var attempt = 0; ; attempt++)
            {
                Assert.True(attempt < 10 * writers.Length, "an order kept conflicting: the store never lets a re-read writer through");
                var history = await w.Store.GetHistoryAsync(Program, Alice);
                var record = Order(w.Id, Start + Duration.FromHours(1), rules: rules, history: history);
                var added = await w.Store.AddOrderAsync(record, history.Version);
                if (added.Status == HistoryAddStatus.Added)
                {
                    return;
                }

                Assert.Equal(HistoryAddStatus.Conflict, added.Status);
            }
        })));

        var final = await CreateStore().GetHistoryAsync(Program, Alice);
        Assert.Equal(writers.Length, final.Orders.Count);
        Assert.Equal(writers.Length, final.Version);
        Assert.Equal(500, final.Orders.Sum(o => o.Earning[RuleId.From("first")].Awarded.Value));
        var uncapped = Order("uncapped", Start, rules: rules).Earning[RuleId.From("base")].Awarded.Value;
        Assert.Equal(Math.Min(150, uncapped * writers.Length), final.Orders.Sum(o => o.Earning[RuleId.From("base")].Awarded.Value));
    }

    /// <summary>A refund is added only when the order still has the count of refunds the caller read.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Refunds_are_added_only_from_the_count_read()
    {
        var store = CreateStore();
        await store.AddMemberAsync(Member("alice", "CODE-AAAA"));
        await store.AddOrderAsync(Order("A-1", Start), 0);
        var first = Refund("R-1", Start + Duration.FromDays(1));

        Assert.Equal(RefundAddStatus.Added, (await store.AddRefundAsync(first, expectedRefundCount: 0)).Status);
        Assert.Equal(RefundAddStatus.Conflict, (await CreateStore().AddRefundAsync(Refund("R-2", Start + Duration.FromDays(2)), expectedRefundCount: 0)).Status);
        Assert.Equal(RefundAddStatus.Conflict, (await CreateStore().AddRefundAsync(Refund("R-2", Start + Duration.FromDays(2)), expectedRefundCount: 2)).Status);
        var again = await CreateStore().AddRefundAsync(Refund("R-1", Start + Duration.FromDays(1)) with { Fingerprint = "other" }, expectedRefundCount: 1);
        Assert.Equal(RefundAddStatus.Exists, again.Status);
        Assert.Equal(Describe(first), Describe(again.Existing!));
        Assert.Equal(RefundAddStatus.Added, (await store.AddRefundAsync(Refund("R-2", Start + Duration.FromDays(2)), expectedRefundCount: 1)).Status);

        Assert.Equal(["R-1", "R-2"], (await CreateStore().ListRefundsAsync(Program, OrderId.From("A-1"))).Select(r => r.RefundId.Value));
        Assert.Equal(Describe(first), Describe((await CreateStore().GetRefundAsync(Program, first.RefundId))!));
    }

    /// <summary>Writers racing to refund one order from the same count: exactly one refund lands.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_refunds_from_the_same_count_one_lands()
    {
        await CreateStore().AddMemberAsync(Member("alice", "CODE-AAAA"));
        var writers = Enumerable.Range(0, ConcurrentWriters).Select(i => (Store: CreateStore(), Refund: Refund("R-" + i, Start + Duration.FromDays(1)))).ToArray();
        var results = await Task.WhenAll(writers.Select(w => Task.Run(async () => await w.Store.AddRefundAsync(w.Refund, expectedRefundCount: 0))));
        Assert.Equal(1, results.Count(r => r.Status == RefundAddStatus.Added));
        Assert.Equal(writers.Length - 1, results.Count(r => r.Status == RefundAddStatus.Conflict));
        Assert.Single(await CreateStore().ListRefundsAsync(Program, OrderId.From("A-1")));
    }

    /// <summary>Writers racing to enrol members with the same referral code: exactly one lands.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_members_with_one_referral_code_one_lands()
    {
        var writers = Enumerable.Range(0, ConcurrentWriters).Select(i => (Store: CreateStore(), Member: Member("m" + i, "SAME-CODE"))).ToArray();
        var results = await Task.WhenAll(writers.Select(w => Task.Run(async () => await w.Store.AddMemberAsync(w.Member))));
        Assert.Equal(1, results.Count(r => r == MemberAddStatus.Added));
        Assert.Equal(writers.Length - 1, results.Count(r => r == MemberAddStatus.ReferralCodeTaken));
        Assert.Single(await CreateStore().ListMembersAsync(Program, null, 100));
    }

    /// <summary>A member's history holds only their records, each kind in time order, whatever the order of the writes.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task The_history_is_the_members_in_time_order()
    {
        var store = CreateStore();
        await store.AddMemberAsync(Member("alice", "CODE-AAAA"));
        await store.AddOrderAsync(Order("A-2", Start + Duration.FromDays(3)), 0);
        await store.AddOrderAsync(Order("A-1", Start), 1);
        await store.AddOrderAsync(Order("B-1", Start, MemberId.From("bob")), 0);
        await store.AddRefundAsync(Refund("R-2", Start + Duration.FromDays(5), "A-2"), 0);
        await store.AddRefundAsync(Refund("R-1", Start + Duration.FromDays(1)), 0);
        await store.AddActivityAsync(Activity("survey", Start + Duration.FromDays(2)), 4);
        await store.AddActivityAsync(Activity("signup", Start - Duration.FromDays(1)), 5);

        var history = await CreateStore().GetHistoryAsync(Program, Alice);
        Assert.Equal(6, history.Version);
        Assert.Equal(1, (await CreateStore().GetHistoryAsync(Program, MemberId.From("bob"))).Version);
        Assert.Equal(["A-1", "A-2"], history.Orders.Select(o => o.OrderId.Value));
        Assert.Equal(["R-1", "R-2"], history.Refunds.Select(r => r.RefundId.Value));
        Assert.Equal(["signup", "survey"], history.Activities.Select(a => a.ActivityId.Value));
        Assert.Equal(Describe(Order("A-1", Start)), Describe(history.Orders[0]));
    }

    /// <summary>
    /// An order, refund or activity written with its member's kept state lands with the member's new
    /// record in one write, only from the member version and history version read; the state reads
    /// back whole; a stale write changes nothing; the same id again is a repeat whatever the versions.
    /// </summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Records_written_with_the_member_state_land_only_from_the_versions_read()
    {
        var store = CreateStore();
        await store.AddMemberAsync(Member("alice", "CODE-AAAA") with { Evaluation = MemberEvaluationState.Empty });
        var member = (await store.GetMemberAsync(Program, Alice))!;
        var state = KeptState(1);
        var written = member with { Version = member.Version + 1, Evaluation = state, TierStatus = Status(Start) };

        Assert.Equal(HistoryAddStatus.Added, (await store.AddOrderWithStateAsync(Order("A-1", Start), written)).Status);
        var read = (await CreateStore().GetMemberAsync(Program, Alice))!;
        Assert.Equal(2, read.Version);
        Assert.Equal(Describe(state), Describe(read.Evaluation!));
        Assert.Equal(Status(Start), read.TierStatus);
        Assert.Equal(1, (await CreateStore().GetHistoryAsync(Program, Alice)).Version);

        // Evaluated from the same member version: refused, nothing written.
        Assert.Equal(HistoryAddStatus.Conflict, (await CreateStore().AddOrderWithStateAsync(Order("A-2", Start), written)).Status);
        Assert.Null(await CreateStore().GetOrderAsync(Program, OrderId.From("A-2")));
        Assert.Equal(HistoryAddStatus.Conflict, (await CreateStore().AddActivityWithStateAsync(Activity("review-1", Start), written)).Status);
        Assert.Equal(RefundAddStatus.Conflict, (await CreateStore().AddRefundWithStateAsync(Refund("R-1", Start), 0, written)).Status);
        Assert.Equal(1, (await CreateStore().GetHistoryAsync(Program, Alice)).Version);

        // The same id is a repeat, whatever the versions.
        var repeat = await CreateStore().AddOrderWithStateAsync(Order("A-1", Start), written);
        Assert.Equal(HistoryAddStatus.Exists, repeat.Status);
        Assert.Equal("f-A-1", repeat.Existing!.Fingerprint);

        // A write that moved the history but not the member (the plain add) makes the kept state stale: refused.
        Assert.Equal(HistoryAddStatus.Added, (await store.AddActivityAsync(Activity("survey", Start), 1)).Status);
        var stale = read with { Version = 3, Evaluation = KeptState(2) };
        Assert.Equal(HistoryAddStatus.Conflict, (await CreateStore().AddOrderWithStateAsync(Order("A-2", Start), stale)).Status);

        var fresh = read with { Version = 3, Evaluation = KeptState(3) };
        Assert.Equal(RefundAddStatus.Conflict, (await CreateStore().AddRefundWithStateAsync(Refund("R-1", Start), 1, fresh)).Status);
        Assert.Equal(RefundAddStatus.Added, (await CreateStore().AddRefundWithStateAsync(Refund("R-1", Start), 0, fresh)).Status);
        var last = fresh with { Version = 4, Evaluation = KeptState(4) };
        Assert.Equal(HistoryAddStatus.Added, (await CreateStore().AddActivityWithStateAsync(Activity("review-1", Start), last)).Status);
        Assert.Equal(RefundAddStatus.Exists, (await CreateStore().AddRefundWithStateAsync(Refund("R-1", Start), 0, last)).Status);

        var history = await CreateStore().GetHistoryAsync(Program, Alice);
        Assert.Equal(4, history.Version);
        Assert.Equal(["A-1"], history.Orders.Select(o => o.OrderId.Value));
        Assert.Equal(4, (await CreateStore().GetMemberAsync(Program, Alice))!.Version);
    }

    /// <summary>A member record without kept state, or of another member, is refused with the reference store's message.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_member_record_without_state_or_of_another_member_is_refused()
    {
        var store = CreateStore();
        var member = Member("alice", "CODE-AAAA");
        var none = await Assert.ThrowsAsync<ArgumentException>(async () => await store.AddOrderWithStateAsync(Order("A-1", Start), member));
        Assert.Equal("member", none.ParamName);
        Assert.StartsWith("member.Evaluation must be set: the record written with an order, refund or activity carries the member's kept evaluation state.", none.Message, StringComparison.Ordinal);
        var other = await Assert.ThrowsAsync<ArgumentException>(async () => await store.AddActivityWithStateAsync(Activity("review-1", Start), Member("bob", "CODE-BBBB") with { Evaluation = KeptState(1) }));
        Assert.StartsWith($"member is 'bob' of programme '{Program}' but the record written with it is for 'alice' of programme '{Program}'.", other.Message, StringComparison.Ordinal);
        Assert.Equal("order", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.AddOrderWithStateAsync(null!, member))).ParamName);
        Assert.Equal("member", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.AddRefundWithStateAsync(Refund("R-1", Start), 0, null!))).ParamName);
    }

    private static MemberEvaluationState KeptState(long version) => new()
    {
        HistoryVersion = version,
        OrderCount = 1,
        FirstOrderAt = Start,
        FirstQualifyingOrder = OrderId.From("A-1"),
        FirstQualifyingOrderPlacedAt = Start,
        WelcomePoints = Points.FromInt64(100),
        Usage = [new RuleUsageDelta(RuleId.From("daily"), new UsagePeriod(CapPeriod.Day, new LocalDate(2026, 3, 2)), Points.FromInt64(40), 1), new RuleUsageDelta(RuleId.From("spring"), null, Points.FromInt64(20), 1)],
        TierCheckpoint = Status(Start - Duration.FromTicks(1)) with
        {
            AutomaticTier = TierId.From("bronze"),
            AutomaticSince = Start - Duration.FromDays(40),
            GraceUntil = Start + Duration.FromDays(30),
            ValidUntilBeforeLastQualification = Start + Duration.FromDays(200),
            FallbackTier = TierId.From("bronze"),
            FallbackValidUntil = Start + Duration.FromDays(100),
        },
        Qualification =
        [
            QualificationEntry.FromSums(Start - Duration.FromHours(9), Start - Duration.FromHours(2), -240, EarnKind.Purchase, -180.50m, 3),
            QualificationEntry.FromAmounts(Start, 57, EarnKind.Purchase, 57.30m, 1),
            QualificationEntry.FromAmounts(Start, 100, EarnKind.Activity, 0m, 0),
        ],
    };

    private static TierStatus Status(Instant at) => new()
    {
        Tier = TierId.From("silver"),
        Since = at - Duration.FromDays(3),
        ValidUntil = at + Duration.FromDays(365),
        AutomaticTier = TierId.From("silver"),
        AutomaticSince = at - Duration.FromDays(3),
        AutomaticValidUntil = at + Duration.FromDays(365),
        LastQualifiedAt = at - Duration.FromDays(3),
        EvaluatedAt = at,
    };

    private static string Describe(MemberEvaluationState s) => string.Join(
        '|',
        s.HistoryVersion,
        s.OrderCount,
        s.FirstOrderAt,
        s.FirstQualifyingOrder,
        s.FirstQualifyingOrderPlacedAt,
        s.WelcomePoints,
        string.Join(';', s.Usage),
        s.TierCheckpoint,
        string.Join(';', s.Qualification));

    /// <summary>
    /// Pages of a partition come in (partition key, member id) order, each after the last of the
    /// previous page, with each member's history; the partitions of one count hold every member
    /// exactly once, and only the members whose key is in their range.
    /// </summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Member_pages_walk_each_partition_in_key_order_and_the_partitions_cover_every_member_once()
    {
        var store = CreateStore();
        var ids = Enumerable.Range(0, 40).Select(i => "m-" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        foreach (var id in ids)
        {
            Assert.Equal(MemberAddStatus.Added, await store.AddMemberAsync(Member(id, "CODE-" + id)));
        }

        await store.AddMemberAsync(Member("alice", "CODE-ALICE"));
        await store.AddOrderAsync(Order("A-1", Start), 0);
        await store.AddActivityAsync(Activity("signup", Start), 1);
        var elsewhere = Member("m-000", "CODE-ELSEWHERE") with { ProgramId = ProgramId.From(Program.Value + "-other") };
        await store.AddMemberAsync(elsewhere);
        var expected = ids.Append("alice").OrderBy(id => MemberPartition.KeyOf(MemberId.From(id))).ThenBy(id => id, StringComparer.Ordinal).ToArray();

        var whole = await ReadAllAsync(MemberPartition.All, pageSize: 7);
        Assert.Equal(expected, whole.Select(e => e.Member.MemberId.Value));
        var alice = Assert.Single(whole, e => e.Member.MemberId == Alice);
        Assert.Equal(["A-1"], alice.History.Orders.Select(o => o.OrderId.Value));
        Assert.Equal(["signup"], alice.History.Activities.Select(a => a.ActivityId.Value));
        Assert.Equal(2, alice.History.Version);
        Assert.Equal(Describe(Order("A-1", Start)), Describe(alice.History.Orders[0]));
        Assert.All(whole.Where(e => e.Member.MemberId != Alice), e => Assert.Empty(e.History.Orders));

        var seen = new List<string>();
        for (var index = 0; index < 3; index++)
        {
            var partition = MemberPartition.Of(index, 3);
            var part = await ReadAllAsync(partition, pageSize: 4);
            Assert.All(part, e => Assert.True(partition.Contains(e.Member.MemberId), $"{e.Member.MemberId} is not in partition {partition}"));
            Assert.Equal(expected.Where(id => partition.Contains(MemberId.From(id))), part.Select(e => e.Member.MemberId.Value));
            seen.AddRange(part.Select(e => e.Member.MemberId.Value));
        }

        Assert.Equal(expected.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.Empty(await CreateStore().ReadMemberPageAsync(ProgramId.From(Program.Value + "-none"), MemberPartition.All, null, 10));
        Assert.Equal(expected.Skip(1).Take(3), (await CreateStore().ReadMemberPageAsync(Program, MemberPartition.All, MemberId.From(expected[0]), 3)).Select(e => e.Member.MemberId.Value));
        var thrown = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await CreateStore().ReadMemberPageAsync(Program, MemberPartition.All, null, 0));
        Assert.Equal("maxCount", thrown.ParamName);

        async Task<List<MemberPageEntry>> ReadAllAsync(MemberPartition partition, int pageSize)
        {
            var all = new List<MemberPageEntry>();
            MemberId? after = null;
            while (true)
            {
                var page = await CreateStore().ReadMemberPageAsync(Program, partition, after, pageSize);
                Assert.True(page.Count <= pageSize);
                all.AddRange(page);
                if (page.Count < pageSize)
                {
                    return all;
                }

                after = page[^1].Member.MemberId;
            }
        }
    }

    /// <summary>
    /// Orders recorded in a period come in (recorded instant, order id) order, from inclusive, until
    /// exclusive, only the programme's, each page after the cursor; the recovery of interrupted calls
    /// pages through them.
    /// </summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Orders_recorded_in_a_period_are_listed_in_recording_order_by_keyset()
    {
        var store = CreateStore();
        await store.AddMemberAsync(Member("alice", "CODE-AAAA"));
        await store.AddMemberAsync(Member("bob", "CODE-BBBB"));
        var version = 0L;
        foreach (var (id, hour) in new[] { ("A-3", 2), ("A-1", 2), ("A-2", 1), ("A-4", 5), ("A-0", 0) })
        {
            var order = Order(id, Start + Duration.FromHours(hour)) with { RecordedAt = Start + Duration.FromHours(hour) };
            Assert.Equal(HistoryAddStatus.Added, (await store.AddOrderAsync(order, version++)).Status);
        }

        var bobs = Order("B-1", Start + Duration.FromHours(2), Bob) with { RecordedAt = Start + Duration.FromHours(2) };
        Assert.Equal(HistoryAddStatus.Added, (await store.AddOrderAsync(bobs, 0)).Status);
        var elsewhere = Member("carol", "CODE-CCCC") with { ProgramId = ProgramId.From(Program.Value + "-other") };
        await store.AddMemberAsync(elsewhere);

        var from = Start + Duration.FromHours(1);
        var until = Start + Duration.FromHours(5);
        var all = await CreateStore().ListOrdersRecordedAsync(Program, from, until, null, 10);
        Assert.Equal(["A-2", "A-1", "A-3", "B-1"], all.Select(o => o.OrderId.Value));
        Assert.Equal(Describe(bobs), Describe(all[3]));

        var first = await CreateStore().ListOrdersRecordedAsync(Program, from, until, null, 2);
        Assert.Equal(["A-2", "A-1"], first.Select(o => o.OrderId.Value));
        var second = await CreateStore().ListOrdersRecordedAsync(Program, from, until, (first[^1].RecordedAt, first[^1].OrderId), 2);
        Assert.Equal(["A-3", "B-1"], second.Select(o => o.OrderId.Value));
        Assert.Empty(await CreateStore().ListOrdersRecordedAsync(Program, from, until, (second[^1].RecordedAt, second[^1].OrderId), 2));
        Assert.Empty(await CreateStore().ListOrdersRecordedAsync(ProgramId.From(Program.Value + "-other"), from, until, null, 10));
        var thrown = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await CreateStore().ListOrdersRecordedAsync(Program, from, until, null, 0));
        Assert.Equal("maxCount", thrown.ParamName);
    }

    /// <summary>A batch of member updates writes each member still at the version read and names the others, which it leaves alone.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_batch_of_member_updates_writes_those_at_the_version_read_and_names_the_others()
    {
        var store = CreateStore();
        foreach (var id in new[] { "m-1", "m-2", "m-3" })
        {
            await store.AddMemberAsync(Member(id, "CODE-" + id));
        }

        var moved = await store.GetMemberAsync(Program, MemberId.From("m-2"));
        Assert.True(await store.UpdateMemberAsync(moved! with { Version = 2, BirthDate = new LocalDate(1990, 1, 1) }, 1));
        var maintainedAt = Start + Duration.FromDays(1);
        var updates = new[] { "m-1", "m-2", "m-3" }
            .Select(id => new MemberUpdate(Member(id, "CODE-" + id) with { Version = 2, LastMaintainedAt = maintainedAt }, 1))
            .ToArray();

        var refused = await CreateStore().UpdateMembersAsync(updates);

        Assert.Equal(["m-2"], refused.Select(m => m.Value));
        Assert.Equal(maintainedAt, (await CreateStore().GetMemberAsync(Program, MemberId.From("m-1")))!.LastMaintainedAt);
        Assert.Equal(maintainedAt, (await CreateStore().GetMemberAsync(Program, MemberId.From("m-3")))!.LastMaintainedAt);
        var kept = (await CreateStore().GetMemberAsync(Program, MemberId.From("m-2")))!;
        Assert.Null(kept.LastMaintainedAt);
        Assert.Equal(new LocalDate(1990, 1, 1), kept.BirthDate);
        Assert.Equal(2, (await CreateStore().GetMemberAsync(Program, MemberId.From("m-1")))!.Version);
        Assert.Empty(await CreateStore().UpdateMembersAsync([]));
    }

    private MemberRecord Member(string id, string code) => new()
    {
        ProgramId = Program,
        MemberId = MemberId.From(id),
        EnrolledAt = Start,
        ReferralCode = ReferralCode.From(code),
    };

    private OrderRecord Order(string id, Instant placedAt, MemberId? member = null, EarningRuleSet? rules = null, MemberHistory? history = null)
    {
        var who = member ?? Alice;
        var order = new EarningOrder(
            OrderId.From(id),
            who,
            placedAt,
            Currency.EUR,
            [new OrderLine("SKU-1", 2, 19.90m, 1.50m, ["shoes", "sale"], "Acme"), new OrderLine("GIFT", 1, 25m, isGiftCard: true)],
            shipping: 4.90m,
            tax: 3.10m,
            paidWithPoints: 2m,
            channel: "web",
            store: MerchantId.From("paris-1"),
            coupons: ["WELCOME"]);
        rules ??= new EarningRuleSetBuilder("v1", Start - Duration.FromDays(30), Currency.EUR, "Europe/Paris").EarnPerUnit("base", 1m).Build();
        var context = history is null ? MemberContext.Default : new MemberContext(previousOrderCount: history.Orders.Count);
        var usage = history is null ? EarningUsage.Empty : EarningUsage.Empty.Apply(history.Orders.SelectMany(o => o.Earning.UsageDeltas));
        return new OrderRecord
        {
            ProgramId = Program,
            MemberId = who,
            OrderId = order.Id,
            Fingerprint = "f-" + id,
            Order = order,
            Earning = EarningEngine.Instance.Evaluate(rules, order, context, usage),
            Tier = TierId.From("silver"),
            TransactionId = TransactionId.From("order:" + id),
            RecordedAt = placedAt + Duration.FromSeconds(1),
        };
    }

    private RefundRecord Refund(string id, Instant at, string orderId = "A-1") => new()
    {
        ProgramId = Program,
        MemberId = Alice,
        RefundId = RefundId.From(id),
        OrderId = OrderId.From(orderId),
        Fingerprint = "f-" + id,
        Refund = id == "R-1" ? OrderRefund.ForLines(new LineRefund(0, 1)) : OrderRefund.ForAmount(12.5m),
        Result = new RefundResult(Points.FromInt64(18), [new RuleRefund(RuleId.From("base"), Points.FromInt64(18))], false),
        Amount = Money.FromDecimal(18.40m, Currency.EUR),
        RefundedAt = at,
        TransactionId = TransactionId.From("refund:" + id),
        RecordedAt = at,
    };

    private ActivityRecord Activity(string id, Instant at)
    {
        var input = new ActivityInput(id == "signup" ? ActivityKind.SignUp : ActivityKind.Custom, Alice, at, id == "signup" ? null : id);
        return new ActivityRecord
        {
            ProgramId = Program,
            MemberId = Alice,
            ActivityId = ActivityId.From(id),
            Fingerprint = "f-" + id,
            Activity = input,
            Earning = EarningEngine.Instance.Evaluate(
                new EarningRuleSetBuilder("v1", Start - Duration.FromDays(30), Currency.EUR, "Europe/Paris").EarnPerUnit("base", 1m).Build(),
                input,
                MemberContext.Default,
                EarningUsage.Empty),
            RecordedAt = at,
        };
    }

    private static string Describe(OrderRecord r)
    {
        var o = r.Order;
        var lines = string.Join(";", o.Lines.Select(l => string.Join(',', l.Sku, l.Quantity, l.UnitPrice, l.Discount, string.Join('+', l.Categories), l.Brand, l.IsGiftCard)));
        return string.Join('|', r.ProgramId, r.MemberId, r.OrderId, r.Fingerprint, o.Id, o.Member, o.PlacedAt, o.Currency, lines, o.Shipping, o.Tax, o.PaidWithPoints, o.Channel, o.Store, string.Join('+', o.Coupons), r.Earning.ToJson(), r.Tier, r.TransactionId, r.RecordedAt);
    }

    private static string Describe(RefundRecord r)
        => string.Join('|', r.ProgramId, r.MemberId, r.RefundId, r.OrderId, r.Fingerprint, string.Join(';', r.Refund.Lines), r.Refund.Amount, r.Result.Total, string.Join(';', r.Result.Rules), r.Result.IsFullRefund, r.Amount, r.RefundedAt, r.TransactionId, r.RecordedAt);

    private static string Describe(ActivityRecord r)
        => string.Join('|', r.ProgramId, r.MemberId, r.ActivityId, r.Fingerprint, r.Activity.Kind, r.Activity.Member, r.Activity.OccurredAt, r.Activity.EventName, r.Earning.ToJson(), r.TransactionId, r.RecordedAt);
}
