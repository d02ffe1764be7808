using System.Collections.Concurrent;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="ILedgerStore"/> must have: appends and reads, the idempotency
/// matrix, optimistic version checks, atomicity (a refused append leaves nothing) and many
/// concurrent writers on one account. Subclass it once per store and implement <see cref="CreateStore"/>.
/// </summary>
/// <remarks>
/// <para>xunit creates one instance per test. Each instance works in its own programme (a fresh
/// <see cref="ProgramId"/>), so a subclass may share one database between all its tests.</para>
/// <para><see cref="CreateStore"/> is called once for each independent writer (the concurrency
/// tests call it from several tasks), as a shop resolves one store per request scope.</para>
/// </remarks>
public abstract class LedgerStoreSpecification : IAsyncLifetime
{
    private static readonly Instant Start = Instant.FromUtc(2026, 3, 2, 9, 30);

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected LedgerStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many writers the concurrency tests run at once. Default 8.</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>How many appends each concurrent writer lands. Default 15.</summary>
    protected virtual int AppendsPerWriter => 15;

    /// <summary>
    /// Returns a store over this test's storage. Every call must see the same data; each may be a
    /// new session (e.g. a new <c>DbContext</c>) for use by one writer at a time.
    /// </summary>
    /// <returns>The store.</returns>
    protected abstract ILedgerStore CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    // ---- reads of what is not there --------------------------------------------------------

    /// <summary>An account with no transaction reads as empty everywhere.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task An_unknown_account_reads_as_empty()
    {
        var store = CreateStore();
        var account = Account("nobody");

        var snapshot = await store.GetAccountAsync(account);
        Assert.Null(snapshot.Head);
        Assert.Empty(snapshot.OpenLots);
        Assert.Empty(snapshot.OpenHolds);
        Assert.Equal(0, snapshot.Version);
        Assert.Null(await store.GetHeadAsync(account));
        Assert.Empty(await store.GetLotsAsync(account, [Id("lot")]));
        Assert.Null(await store.GetHoldAsync(account, Id("hold")));
        Assert.Null(await store.FindTransactionAsync(Program, Id("tx")));
        Assert.Empty(await store.FindRelatedAsync(account, Id("tx")));
        var page = await store.ReadHistoryAsync(account, 0, 10);
        Assert.Empty(page.Transactions);
        Assert.Null(page.NextAfterVersion);
        Assert.Empty(await store.FindAccountsDueAsync(Program, Start + Duration.FromDays(10_000), null, 10));
    }

    // ---- appends and reads -------------------------------------------------------------------

    /// <summary>A first earn creates the account: head, lot and transaction read back as written.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_first_earn_creates_the_account_with_its_head_lot_and_transaction()
    {
        var store = CreateStore();
        var account = Account("alice");
        var earn = LedgerAppends.Earn(account, Empty, Id("order-1001"), 40, Start, expiresAt: Start + Duration.FromDays(365));

        var result = await store.AppendAsync(earn);

        Assert.Equal(new LedgerAppendResult(LedgerAppendStatus.Appended, 1), result);
        var snapshot = await store.GetAccountAsync(account);
        Assert.Equal(earn.Head, snapshot.Head);
        Assert.Equal(earn.Lots, snapshot.OpenLots);
        Assert.Empty(snapshot.OpenHolds);
        Assert.Equal(earn.Head, await store.GetHeadAsync(account));
        AssertSameTransaction(earn.Transactions[0], await store.FindTransactionAsync(Program, Id("order-1001")));
        Assert.Equal(earn.Lots, await store.GetLotsAsync(account, [Id("order-1001"), Id("unknown")]));
    }

    /// <summary>Every field of a transaction, head, lot and hold survives the round trip.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Every_field_round_trips()
    {
        var store = CreateStore();
        var account = Account("bob");
        var at = Start + Duration.FromTicks(1234567);
        var lot = new LedgerLotRecord
        {
            LotId = Id("adjust-1"),
            Sequence = 1,
            OriginalAmount = 250,
            Remaining = 250,
            CreatedAt = at,
            AvailableAt = at + Duration.FromDays(30),
            ExpiresAt = at + Duration.FromDays(395),
        };
        var hold = new LedgerHoldRecord
        {
            HoldId = Id("hold-1"),
            Amount = 75,
            CreatedAt = at,
            ExpiresAt = at + Duration.FromMinutes(30),
            Status = LedgerHoldStatus.Captured,
            Captured = 60,
            ClosedBy = Id("capture-1"),
        };
        var tx = new LedgerTransactionRecord
        {
            ProgramId = Program,
            MemberId = account.MemberId,
            Id = Id("adjust-1"),
            Version = 1,
            Kind = LedgerTransactionKind.Adjust,
            RecordedAt = at,
            EffectiveAt = at - Duration.FromHours(1),
            Amount = -250,
            RelatedId = Id("order-77"),
            PendingPeriod = Duration.FromDays(30),
            RequestedExpiresAt = at + Duration.FromDays(400),
            IsWholeCapture = true,
            AvailableAt = at + Duration.FromDays(30),
            ExpiresAt = at + Duration.FromDays(395),
            Reason = "Geste commercial – colis arrivé abîmé ✓",
            Actor = "agent:élodie",
            Applied = 12,
            DebtChange = -7,
            WrittenOff = 3,
            Movements = [new LedgerLotMovement(Id("adjust-1"), 250), new LedgerLotMovement(Id("other-lot"), -5)],
            ChainHash = LedgerHash.FromBytes(Enumerable.Range(1, LedgerHash.Size).Select(i => (byte)(i * 7)).ToArray()),
        };
        var head = new LedgerAccountHead
        {
            ProgramId = Program,
            MemberId = account.MemberId,
            Version = 1,
            UpdatedAt = at,
            LotPoints = 250,
            Debt = 9,
            Earned = 1000,
            Redeemed = 300,
            Expired = 40,
            Reversed = 20,
            Adjusted = -250,
            WrittenOff = 3,
            LastActivityAt = at - Duration.FromDays(2),
            AvailableSnapshot = 150,
            PendingSnapshot = 250,
            HeldSnapshot = 75,
            NextChangeAt = at + Duration.FromMinutes(30),
            NextExpiryAt = at + Duration.FromDays(395),
            ChainHash = LedgerHash.FromBytes(Enumerable.Range(1, LedgerHash.Size).Select(i => (byte)(255 - i)).ToArray()),
        };

        var result = await store.AppendAsync(new LedgerAppend { Account = account, ExpectedVersion = 0, Transactions = [tx], Head = head, Lots = [lot], Holds = [hold] });

        Assert.Equal(LedgerAppendStatus.Appended, result.Status);
        Assert.Equal(head, await store.GetHeadAsync(account));
        AssertSameTransaction(tx, await store.FindTransactionAsync(Program, tx.Id));
        AssertSameTransaction(tx, Assert.Single((await store.ReadHistoryAsync(account, 0, 10)).Transactions));
        AssertSameTransaction(tx, Assert.Single(await store.FindRelatedAsync(account, Id("order-77"))));
        Assert.Equal(lot, Assert.Single(await store.GetLotsAsync(account, [lot.LotId])));
        Assert.Equal(hold, await store.GetHoldAsync(account, hold.HoldId));
        Assert.Empty((await store.GetAccountAsync(account)).OpenHolds);
    }

    /// <summary>A redemption replaces the lots it draws from and records its movements in allocation order.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_redemption_replaces_the_lots_it_draws_from_and_keeps_its_movements_in_order()
    {
        var store = CreateStore();
        var account = Account("carol");
        await AppendOk(store, s => LedgerAppends.Earn(account, s, Id("earn-late"), 100, Start, expiresAt: Start + Duration.FromDays(300)), account);
        await AppendOk(store, s => LedgerAppends.Earn(account, s, Id("earn-soon"), 30, Start, expiresAt: Start + Duration.FromDays(10)), account);

        var redeem = await AppendOk(store, s => LedgerAppends.Redeem(account, s, Id("redeem-1"), 50, Start + Duration.FromHours(1))!, account);

        var stored = await store.FindTransactionAsync(Program, Id("redeem-1"));
        Assert.NotNull(stored);
        Assert.Equal([new LedgerLotMovement(Id("earn-soon"), -30), new LedgerLotMovement(Id("earn-late"), -20)], stored.Movements);
        var snapshot = await store.GetAccountAsync(account);
        var open = Assert.Single(snapshot.OpenLots);
        Assert.Equal(Id("earn-late"), open.LotId);
        Assert.Equal(80, open.Remaining);
        var spent = Assert.Single(await store.GetLotsAsync(account, [Id("earn-soon")]));
        Assert.Equal(0, spent.Remaining);
        Assert.Equal(redeem.Head, snapshot.Head);
    }

    /// <summary>Several transactions appended together get consecutive versions and all read back.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Several_transactions_in_one_append_are_written_together()
    {
        var store = CreateStore();
        var account = Account("dan");
        var append = LedgerAppends.EarnMany(account, Empty, [Id("a"), Id("b"), Id("c")], 10, Start);

        var result = await store.AppendAsync(append);

        Assert.Equal(new LedgerAppendResult(LedgerAppendStatus.Appended, 3), result);
        var history = await store.ReadHistoryAsync(account, 0, 10);
        Assert.Equal([1L, 2L, 3L], history.Transactions.Select(t => t.Version));
        Assert.Equal(3, (await store.GetAccountAsync(account)).OpenLots.Count);
        Assert.Equal(30, (await store.GetHeadAsync(account))!.LotPoints);
    }

    /// <summary>An open hold is in the snapshot; once released it leaves it but stays readable, and its release is related to it.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_released_hold_leaves_the_snapshot_but_stays_readable()
    {
        var store = CreateStore();
        var account = Account("erin");
        await AppendOk(store, s => LedgerAppends.Earn(account, s, Id("earn"), 100, Start), account);
        var hold = await AppendOk(store, s => LedgerAppends.Hold(account, s, Id("hold"), 60, Start, Start + Duration.FromMinutes(20)), account);

        Assert.Equal(hold.Holds, (await store.GetAccountAsync(account)).OpenHolds);

        await AppendOk(store, s => LedgerAppends.Release(account, s, Id("release"), Id("hold"), Start + Duration.FromMinutes(5)), account);

        var snapshot = await store.GetAccountAsync(account);
        Assert.Empty(snapshot.OpenHolds);
        var stored = await store.GetHoldAsync(account, Id("hold"));
        Assert.Equal(LedgerHoldStatus.Released, stored!.Status);
        Assert.Equal(Id("release"), stored.ClosedBy);
        var related = Assert.Single(await store.FindRelatedAsync(account, Id("hold")));
        Assert.Equal(Id("release"), related.Id);
        Assert.Equal(LedgerTransactionKind.Release, related.Kind);
    }

    /// <summary>History comes in version order, page by page, with the cursor of the next page.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task History_pages_in_version_order()
    {
        var store = CreateStore();
        var account = Account("fay");
        for (var i = 1; i <= 5; i++)
        {
            var n = i;
            await AppendOk(store, s => LedgerAppends.Earn(account, s, Id($"earn-{n}"), n, Start + Duration.FromMinutes(n)), account);
        }

        var first = await store.ReadHistoryAsync(account, 0, 2);
        var second = await store.ReadHistoryAsync(account, first.NextAfterVersion!.Value, 2);
        var third = await store.ReadHistoryAsync(account, second.NextAfterVersion!.Value, 2);
        var beyond = await store.ReadHistoryAsync(account, 5, 2);

        Assert.Equal(["earn-1", "earn-2"], first.Transactions.Select(t => t.Id.Value));
        Assert.Equal(2, first.NextAfterVersion);
        Assert.Equal(["earn-3", "earn-4"], second.Transactions.Select(t => t.Id.Value));
        Assert.Equal(4, second.NextAfterVersion);
        Assert.Equal(["earn-5"], third.Transactions.Select(t => t.Id.Value));
        Assert.Null(third.NextAfterVersion);
        Assert.Empty(beyond.Transactions);
        Assert.Null(beyond.NextAfterVersion);
        Assert.All(first.Transactions.Concat(second.Transactions).Concat(third.Transactions), t => Assert.Equal(t.Id, Assert.Single(t.Movements).LotId));
    }

    /// <summary>The expiry sweep finds the programme's accounts due by an instant, by member id, page by page.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Accounts_due_are_found_by_member_in_pages_within_their_programme()
    {
        var store = CreateStore();
        var day = Duration.FromDays(1);
        foreach (var (member, expiry) in new[] { ("m-3", 5), ("m-1", 3), ("m-2", 40), ("m-4", 1), ("m-5", 10) })
        {
            var account = Account(member);
            await AppendOk(store, s => LedgerAppends.Earn(account, s, Id("earn-" + member), 10, Start, expiresAt: Start + (day * expiry)), account);
        }

        var never = Account("m-0");
        await AppendOk(store, s => LedgerAppends.Earn(never, s, Id("earn-m-0"), 10, Start), never);
        var elsewhere = new LedgerAccountKey(ProgramId.From(Program.Value + "-other"), MemberId.From("m-1"));
        await AppendOk(store, s => LedgerAppends.Earn(elsewhere, s, Id("earn-elsewhere"), 10, Start, expiresAt: Start + day), elsewhere);

        var dueBy = Start + (day * 10);
        var all = await store.FindAccountsDueAsync(Program, dueBy, null, 100);
        var first = await store.FindAccountsDueAsync(Program, dueBy, null, 2);
        var next = await store.FindAccountsDueAsync(Program, dueBy, first[^1].MemberId, 2);
        var last = await store.FindAccountsDueAsync(Program, dueBy, next[^1].MemberId, 2);

        Assert.Equal(["m-1", "m-3", "m-4", "m-5"], all.Select(a => a.MemberId.Value));
        Assert.All(all, a => Assert.Equal(Program, a.ProgramId));
        Assert.Equal(["m-1", "m-3"], first.Select(a => a.MemberId.Value));
        Assert.Equal(["m-4", "m-5"], next.Select(a => a.MemberId.Value));
        Assert.Empty(last);
        Assert.Equal(["m-4"], (await store.FindAccountsDueAsync(Program, Start + day, null, 10)).Select(a => a.MemberId.Value));
    }

    /// <summary>An account whose last dated lot is spent leaves the due list; one that gets a dated lot again joins it.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task An_account_leaves_and_rejoins_the_due_list_with_its_dated_lots()
    {
        var store = CreateStore();
        var account = Account("m-1");
        var dueBy = Start + Duration.FromDays(30);
        await AppendOk(store, s => LedgerAppends.Earn(account, s, Id("earn-1"), 10, Start, expiresAt: Start + Duration.FromDays(5)), account);
        Assert.Equal(["m-1"], (await store.FindAccountsDueAsync(Program, dueBy, null, 10)).Select(a => a.MemberId.Value));

        await AppendOk(store, s => LedgerAppends.Redeem(account, s, Id("redeem-1"), 10, Start + Duration.FromHours(1))!, account);
        Assert.Empty(await store.FindAccountsDueAsync(Program, dueBy, null, 10));

        await AppendOk(store, s => LedgerAppends.Earn(account, s, Id("earn-2"), 10, Start + Duration.FromHours(2), expiresAt: Start + Duration.FromDays(6)), account);
        Assert.Equal(["m-1"], (await store.FindAccountsDueAsync(Program, dueBy, null, 10)).Select(a => a.MemberId.Value));
    }

    /// <summary>The accounts of several members read in one call, in the caller's order, each as <see cref="ILedgerStore.GetAccountAsync"/> reads it; an unknown member reads as empty.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Several_accounts_read_in_one_call_in_the_callers_order()
    {
        var store = CreateStore();
        foreach (var member in new[] { "m-1", "m-2", "m-3" })
        {
            var account = Account(member);
            await AppendOk(store, s => LedgerAppends.Earn(account, s, Id("earn-" + member), 10, Start, expiresAt: Start + Duration.FromDays(30)), account);
        }

        await AppendOk(store, s => LedgerAppends.Hold(Account("m-2"), s, Id("hold-m-2"), 4, Start, Start + Duration.FromMinutes(20)), Account("m-2"));
        var elsewhere = new LedgerAccountKey(ProgramId.From(Program.Value + "-other"), MemberId.From("m-4"));
        await AppendOk(store, s => LedgerAppends.Earn(elsewhere, s, Id("earn-elsewhere"), 10, Start), elsewhere);
        var asked = new[] { "m-3", "m-4", "m-1", "m-2" }.Select(MemberId.From).ToArray();

        var snapshots = await CreateStore().GetAccountsAsync(Program, asked);

        Assert.Equal(asked.Length, snapshots.Count);
        for (var i = 0; i < asked.Length; i++)
        {
            var one = await CreateStore().GetAccountAsync(new LedgerAccountKey(Program, asked[i]));
            Assert.Equal(one.Head, snapshots[i].Head);
            Assert.Equal(one.OpenLots, snapshots[i].OpenLots);
            Assert.Equal(one.OpenHolds, snapshots[i].OpenHolds);
        }

        Assert.Null(snapshots[1].Head);
        Assert.Empty(snapshots[1].OpenLots);
        Assert.Single(snapshots[3].OpenHolds);
        Assert.Empty(await CreateStore().GetAccountsAsync(Program, []));
    }

    // ---- bad arguments -------------------------------------------------------------------------

    /// <summary>An append without transactions is refused with a message.</summary>
    [SpecificationFact]
    public async Task An_append_without_transactions_is_refused()
    {
        var store = CreateStore();
        var account = Account("gil");
        var earn = LedgerAppends.Earn(account, Empty, Id("x"), 1, Start);

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await store.AppendAsync(earn with { Transactions = [] }));

        Assert.Equal("An append must carry at least one transaction. (Parameter 'append')", ex.Message);
    }

    /// <summary>A transaction whose version does not follow the expected one is refused with a message.</summary>
    [SpecificationFact]
    public async Task A_transaction_with_the_wrong_version_is_refused()
    {
        var store = CreateStore();
        var account = Account("hal");
        var earn = LedgerAppends.Earn(account, Empty, Id("x"), 1, Start);

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await store.AppendAsync(earn with { Transactions = [earn.Transactions[0] with { Version = 4 }] }));

        Assert.Equal($"Transaction 'x' must belong to account {account} with version 1 (was {account} version 4). (Parameter 'append')", ex.Message);
        Assert.Null(await store.GetHeadAsync(account));
    }

    /// <summary>A head whose version is not that of the last transaction is refused with a message.</summary>
    [SpecificationFact]
    public async Task A_head_with_the_wrong_version_is_refused()
    {
        var store = CreateStore();
        var account = Account("ivy");
        var earn = LedgerAppends.Earn(account, Empty, Id("x"), 1, Start);

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await store.AppendAsync(earn with { Head = earn.Head with { Version = 2 } }));

        Assert.Equal($"The head must belong to account {account} with version 1 (was version 2). (Parameter 'append')", ex.Message);
    }

    /// <summary>History paging arguments out of range are refused.</summary>
    [SpecificationFact]
    public async Task History_paging_arguments_out_of_range_are_refused()
    {
        var store = CreateStore();
        var account = Account("jo");

        var negative = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.ReadHistoryAsync(account, -1, 10));
        var empty = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.ReadHistoryAsync(account, 0, 0));
        var due = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.FindAccountsDueAsync(Program, Start, null, 0));

        Assert.Equal("afterVersion", negative.ParamName);
        Assert.StartsWith("afterVersion ('-1') must be a non-negative value.", negative.Message, StringComparison.Ordinal);
        Assert.Equal("maxCount", empty.ParamName);
        Assert.StartsWith("maxCount ('0') must be greater than or equal to '1'.", empty.Message, StringComparison.Ordinal);
        Assert.Equal("maxCount", due.ParamName);
    }

    // ---- idempotency ---------------------------------------------------------------------------

    /// <summary>The same append again is a duplicate naming the id; nothing changes.</summary>
    [SpecificationFact]
    public async Task The_same_append_again_is_a_duplicate_and_changes_nothing()
    {
        var store = CreateStore();
        var account = Account("kim");
        var earn = LedgerAppends.Earn(account, Empty, Id("order-1"), 40, Start);
        await store.AppendAsync(earn);
        var snapshot = await store.GetAccountAsync(account);
        var retry = LedgerAppends.Earn(account, snapshot, Id("order-1"), 40, Start);

        var result = await store.AppendAsync(retry);

        Assert.Equal(new LedgerAppendResult(LedgerAppendStatus.Duplicate, 1, Id("order-1")), result);
        await AssertUnchanged(store, account, snapshot, 1);
    }

    /// <summary>An id used on one account is a duplicate on another account of the same programme.</summary>
    [SpecificationFact]
    public async Task An_id_is_unique_across_the_accounts_of_a_programme()
    {
        var store = CreateStore();
        await store.AppendAsync(LedgerAppends.Earn(Account("lea"), Empty, Id("shared"), 10, Start));
        var other = Account("max");

        var result = await store.AppendAsync(LedgerAppends.Earn(other, Empty, Id("shared"), 99, Start));

        Assert.Equal(new LedgerAppendResult(LedgerAppendStatus.Duplicate, 0, Id("shared")), result);
        Assert.Null(await store.GetHeadAsync(other));
        Assert.Equal(10, (await store.FindTransactionAsync(Program, Id("shared")))!.Amount);
    }

    /// <summary>The same id in another programme is a different transaction.</summary>
    [SpecificationFact]
    public async Task The_same_id_in_another_programme_is_another_transaction()
    {
        var store = CreateStore();
        var here = Account("ned");
        var there = new LedgerAccountKey(ProgramId.From(Program.Value + "-b"), MemberId.From("ned"));
        await store.AppendAsync(LedgerAppends.Earn(here, Empty, Id("order-9"), 10, Start));

        var result = await store.AppendAsync(LedgerAppends.Earn(there, Empty, Id("order-9"), 20, Start));

        Assert.Equal(new LedgerAppendResult(LedgerAppendStatus.Appended, 1), result);
        Assert.Equal(10, (await store.FindTransactionAsync(Program, Id("order-9")))!.Amount);
        Assert.Equal(20, (await store.FindTransactionAsync(there.ProgramId, Id("order-9")))!.Amount);
    }

    /// <summary>An id used twice within one append is a duplicate; nothing is written.</summary>
    [SpecificationFact]
    public async Task The_same_id_twice_in_one_append_is_a_duplicate()
    {
        var store = CreateStore();
        var account = Account("ola");
        var append = LedgerAppends.EarnMany(account, Empty, [Id("twice"), Id("twice")], 10, Start);

        var result = await store.AppendAsync(append);

        Assert.Equal(new LedgerAppendResult(LedgerAppendStatus.Duplicate, 0, Id("twice")), result);
        Assert.Null(await store.GetHeadAsync(account));
        Assert.Null(await store.FindTransactionAsync(Program, Id("twice")));
    }

    /// <summary>A stale version wins over a duplicate id: the writer must re-read first.</summary>
    [SpecificationFact]
    public async Task A_duplicate_with_a_stale_version_is_a_version_conflict()
    {
        var store = CreateStore();
        var account = Account("pia");
        var first = LedgerAppends.Earn(account, Empty, Id("order-1"), 10, Start);
        await store.AppendAsync(first);

        var result = await store.AppendAsync(first);

        Assert.Equal(new LedgerAppendResult(LedgerAppendStatus.VersionConflict, 1), result);
    }

    // ---- versions and atomicity ------------------------------------------------------------------

    /// <summary>An append at a stale version is a conflict that reports the current version and writes nothing.</summary>
    [SpecificationFact]
    public async Task A_stale_version_is_a_conflict_and_writes_nothing()
    {
        var store = CreateStore();
        var account = Account("quinn");
        await AppendOk(store, s => LedgerAppends.Earn(account, s, Id("e1"), 10, Start), account);
        var stale = await store.GetAccountAsync(account);
        await AppendOk(store, s => LedgerAppends.Earn(account, s, Id("e2"), 10, Start), account);
        var current = await store.GetAccountAsync(account);

        var result = await store.AppendAsync(LedgerAppends.Earn(account, stale, Id("late"), 500, Start));

        Assert.Equal(new LedgerAppendResult(LedgerAppendStatus.VersionConflict, 2), result);
        await AssertUnchanged(store, account, current, 2);
        Assert.Null(await store.FindTransactionAsync(Program, Id("late")));
        Assert.Empty(await store.GetLotsAsync(account, [Id("late")]));
    }

    /// <summary>A version ahead of the account's, or an existing account written as new, is a conflict.</summary>
    [SpecificationFact]
    public async Task A_version_ahead_or_a_second_creation_is_a_conflict()
    {
        var store = CreateStore();
        var account = Account("rui");
        var ahead = LedgerAppends.Earn(account, Empty, Id("e1"), 10, Start);
        var tooFar = ahead with
        {
            ExpectedVersion = 1,
            Transactions = [ahead.Transactions[0] with { Version = 2 }],
            Head = ahead.Head with { Version = 2 },
        };

        Assert.Equal(new LedgerAppendResult(LedgerAppendStatus.VersionConflict, 0), await store.AppendAsync(tooFar));
        Assert.Null(await store.GetHeadAsync(account));

        await store.AppendAsync(ahead);
        var again = await store.AppendAsync(LedgerAppends.Earn(account, Empty, Id("e2"), 10, Start));

        Assert.Equal(new LedgerAppendResult(LedgerAppendStatus.VersionConflict, 1), again);
        Assert.Null(await store.FindTransactionAsync(Program, Id("e2")));
    }

    /// <summary>Two writers that read the same version: the first lands, the second conflicts.</summary>
    [SpecificationFact]
    public async Task Two_writers_from_the_same_version_one_lands_one_conflicts()
    {
        var writerA = CreateStore();
        var writerB = CreateStore();
        var account = Account("sam");
        await AppendOk(writerA, s => LedgerAppends.Earn(account, s, Id("e0"), 100, Start), account);
        var seenByA = await writerA.GetAccountAsync(account);
        var seenByB = await writerB.GetAccountAsync(account);

        var a = await writerA.AppendAsync(LedgerAppends.Redeem(account, seenByA, Id("ra"), 80, Start)!);
        var b = await writerB.AppendAsync(LedgerAppends.Redeem(account, seenByB, Id("rb"), 80, Start)!);

        Assert.Equal(LedgerAppendStatus.Appended, a.Status);
        Assert.Equal(new LedgerAppendResult(LedgerAppendStatus.VersionConflict, 2), b);
        Assert.Equal(20, (await writerB.GetHeadAsync(account))!.LotPoints);
    }

    /// <summary>
    /// A failure in the middle of an append (its second transaction's id is taken) leaves nothing:
    /// not the first transaction, not its lot, not the head.
    /// </summary>
    [SpecificationFact]
    public async Task A_failure_in_the_middle_of_an_append_leaves_nothing()
    {
        var store = CreateStore();
        var account = Account("tao");
        await AppendOk(store, s => LedgerAppends.Earn(account, s, Id("e1"), 10, Start), account);
        await store.AppendAsync(LedgerAppends.Earn(Account("uma"), Empty, Id("taken"), 5, Start));
        var before = await store.GetAccountAsync(account);

        var result = await store.AppendAsync(LedgerAppends.EarnMany(account, before, [Id("fresh"), Id("taken")], 10, Start));

        Assert.Equal(new LedgerAppendResult(LedgerAppendStatus.Duplicate, 1, Id("taken")), result);
        Assert.Null(await store.FindTransactionAsync(Program, Id("fresh")));
        Assert.Empty(await store.GetLotsAsync(account, [Id("fresh")]));
        await AssertUnchanged(store, account, before, 1);

        // And the account is still writable at its version.
        var next = await store.AppendAsync(LedgerAppends.Earn(account, before, Id("fresh"), 10, Start));
        Assert.Equal(new LedgerAppendResult(LedgerAppendStatus.Appended, 2), next);
    }

    // ---- concurrency -----------------------------------------------------------------------------

    /// <summary>Many writers on one account, each retrying on conflict: every append lands exactly once, in a gap-free version order.</summary>
    [SpecificationFact]
    public async Task Many_writers_on_one_account_all_land_once_in_order()
    {
        var account = Account("crowd");
        var writers = ConcurrentWriters;
        var perWriter = AppendsPerWriter;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var store = CreateStore();
            for (var i = 0; i < perWriter; i++)
            {
                var id = Id($"w{w}-{i}");
                await AppendWithRetry(store, account, s => LedgerAppends.Earn(account, s, id, w + 1, Start));
            }
        })));

        var reader = CreateStore();
        var head = await reader.GetHeadAsync(account);
        var total = writers * perWriter;
        Assert.Equal(total, head!.Version);
        Assert.Equal(Enumerable.Range(0, writers).Sum(w => (w + 1L) * perWriter), head.Earned);
        var history = await reader.ReadHistoryAsync(account, 0, total + 10);
        Assert.Equal(Enumerable.Range(1, total).Select(v => (long)v), history.Transactions.Select(t => t.Version));
        Assert.Equal(total, history.Transactions.Select(t => t.Id).Distinct().Count());
        Assert.Equal(total, (await reader.GetAccountAsync(account)).OpenLots.Count);
    }

    /// <summary>Writers racing to create the same account: exactly one lands, the others conflict.</summary>
    [SpecificationFact]
    public async Task Writers_racing_to_create_an_account_one_lands()
    {
        var account = Account("fresh");
        var results = await Task.WhenAll(Enumerable.Range(0, ConcurrentWriters).Select(w => Task.Run(async () =>
            await CreateStore().AppendAsync(LedgerAppends.Earn(account, Empty, Id($"create-{w}"), 10, Start)))));

        Assert.Single(results, r => r.Status == LedgerAppendStatus.Appended);
        Assert.All(results.Where(r => r.Status != LedgerAppendStatus.Appended), r => Assert.Equal(new LedgerAppendResult(LedgerAppendStatus.VersionConflict, 1), r));
        Assert.Equal(1, (await CreateStore().GetHeadAsync(account))!.Version);
    }

    /// <summary>Writers racing with the same id on different accounts: exactly one lands, the others are duplicates.</summary>
    [SpecificationFact]
    public async Task Writers_racing_with_the_same_id_one_lands()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, ConcurrentWriters).Select(w => Task.Run(async () =>
            await CreateStore().AppendAsync(LedgerAppends.Earn(Account($"racer-{w}"), Empty, Id("same-order"), 10, Start)))));

        Assert.Single(results, r => r.Status == LedgerAppendStatus.Appended);
        Assert.All(results.Where(r => r.Status != LedgerAppendStatus.Appended), r => Assert.Equal(new LedgerAppendResult(LedgerAppendStatus.Duplicate, 0, Id("same-order")), r));
        var reader = CreateStore();
        var landed = 0;
        for (var w = 0; w < ConcurrentWriters; w++)
        {
            landed += await reader.GetHeadAsync(Account($"racer-{w}")) is null ? 0 : 1;
        }

        Assert.Equal(1, landed);
    }

    /// <summary>Concurrent redeemers on one account never spend more than it holds.</summary>
    [SpecificationFact]
    public async Task Concurrent_redeemers_never_overspend()
    {
        var account = Account("spender");
        await AppendOk(CreateStore(), s => LedgerAppends.Earn(account, s, Id("salary"), 1000, Start), account);
        var granted = new ConcurrentBag<long>();

        await Task.WhenAll(Enumerable.Range(0, ConcurrentWriters).Select(w => Task.Run(async () =>
        {
            var store = CreateStore();
            for (var i = 0; ; i++)
            {
                var id = Id($"redeem-{w}-{i}");
                var result = await AppendWithRetry(store, account, s => LedgerAppends.Redeem(account, s, id, 70, Start));
                if (result is null)
                {
                    return;
                }

                granted.Add(70);
            }
        })));

        var head = await CreateStore().GetHeadAsync(account);
        Assert.Equal(1000 / 70, granted.Count);
        Assert.Equal(granted.Sum(), head!.Redeemed);
        Assert.Equal(1000 - granted.Sum(), head.LotPoints);
        var lot = Assert.Single(await CreateStore().GetLotsAsync(account, [Id("salary")]));
        Assert.Equal(1000 % 70, lot.Remaining);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static LedgerAccountSnapshot Empty { get; } = new(null, [], []);

    private LedgerAccountKey Account(string member) => new(Program, MemberId.From(member));

    private static TransactionId Id(string value) => TransactionId.From(value);

    /// <summary>Reads the account, builds an append from it and requires it to land.</summary>
    private static async Task<LedgerAppend> AppendOk(ILedgerStore store, Func<LedgerAccountSnapshot, LedgerAppend> build, LedgerAccountKey account)
    {
        var append = build(await store.GetAccountAsync(account));
        var result = await store.AppendAsync(append);
        Assert.Equal(LedgerAppendStatus.Appended, result.Status);
        Assert.Equal(append.Head.Version, result.CurrentVersion);
        return append;
    }

    /// <summary>Read, decide, append; on a version conflict read again (bounded). Returns null when the decision is "nothing to write".</summary>
    private static async Task<LedgerAppendResult?> AppendWithRetry(ILedgerStore store, LedgerAccountKey account, Func<LedgerAccountSnapshot, LedgerAppend?> decide)
    {
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            var append = decide(await store.GetAccountAsync(account));
            if (append is null)
            {
                return null;
            }

            var result = await store.AppendAsync(append);
            if (result.Status != LedgerAppendStatus.VersionConflict)
            {
                Assert.Equal(LedgerAppendStatus.Appended, result.Status);
                return result;
            }

            await Task.Yield();
        }

        throw new InvalidOperationException("An append kept conflicting 10,000 times.");
    }

    private static async Task AssertUnchanged(ILedgerStore store, LedgerAccountKey account, LedgerAccountSnapshot expected, long version)
    {
        var actual = await store.GetAccountAsync(account);
        Assert.Equal(version, actual.Version);
        Assert.Equal(expected.Head, actual.Head);
        Assert.Equal(expected.OpenLots.OrderBy(l => l.Sequence), actual.OpenLots.OrderBy(l => l.Sequence));
        Assert.Equal(expected.OpenHolds.OrderBy(h => h.HoldId.Value, StringComparer.Ordinal), actual.OpenHolds.OrderBy(h => h.HoldId.Value, StringComparer.Ordinal));
        Assert.Equal(version, (await store.ReadHistoryAsync(account, 0, 1000)).Transactions.Count);
    }

    private static void AssertSameTransaction(LedgerTransactionRecord expected, LedgerTransactionRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Movements = [] }, actual with { Movements = [] });
        Assert.Equal(expected.Movements, actual.Movements);
    }
}
