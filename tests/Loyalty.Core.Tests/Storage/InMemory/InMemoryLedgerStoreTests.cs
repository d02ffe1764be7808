using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using NodaTime;

namespace Loyalty.Core.Tests.Storage.InMemory;

public class InMemoryLedgerStoreTests
{
    private static readonly ProgramId Club = ProgramId.From("club");
    private static readonly LedgerAccountKey Alice = new(Club, MemberId.From("alice"));
    private static readonly LedgerAccountKey Bob = new(Club, MemberId.From("bob"));
    private static readonly Instant T0 = Instant.FromUtc(2026, 1, 1, 0, 0);

    private static LedgerTransactionRecord Tx(LedgerAccountKey account, string id, long version, TransactionId? related = null) => new()
    {
        ProgramId = account.ProgramId, MemberId = account.MemberId, Id = TransactionId.From(id), Version = version,
        Kind = LedgerTransactionKind.Earn, RecordedAt = T0, EffectiveAt = T0, Amount = 10, RelatedId = related,
        AvailableAt = T0, Movements = [new LedgerLotMovement(TransactionId.From(id), 10)],
    };

    private static LedgerAppend Append(LedgerAccountKey account, long expected, Instant? nextExpiry, params LedgerTransactionRecord[] txs) => new()
    {
        Account = account,
        ExpectedVersion = expected,
        Transactions = txs,
        Head = new LedgerAccountHead { ProgramId = account.ProgramId, MemberId = account.MemberId, Version = expected + txs.Length, UpdatedAt = T0, NextExpiryAt = nextExpiry },
        Lots = txs.Select(t => new LedgerLotRecord { LotId = t.Id, Sequence = t.Version, OriginalAmount = 10, Remaining = 10, CreatedAt = T0, AvailableAt = T0 }).ToList(),
    };

    [Fact]
    public async Task Every_call_with_a_cancelled_token_throws_and_changes_nothing()
    {
        var store = new InMemoryLedgerStore();
        (await store.AppendAsync(Append(Alice, 0, T0 + Duration.FromDays(365), Tx(Alice, "a", 1)))).Status.Should().Be(LedgerAppendStatus.Appended);
        var before = await store.ReadAccountContentsAsync(Alice);
        var rewrite = new Loyalty.Core.DataRights.LedgerAccountRewrite
        {
            From = Alice, ExpectedVersion = 1, To = Bob, Transactions = [Tx(Bob, "a", 1)], Lots = Append(Bob, 0, null, Tx(Bob, "a", 1)).Lots, Holds = [],
            Head = before.Head! with { MemberId = Bob.MemberId },
        };
        using var source = new CancellationTokenSource();
        source.Cancel();
        var token = source.Token;
        var calls = new (string Name, Func<Task> Call)[]
        {
            ("ReadAccountContentsAsync", async () => await store.ReadAccountContentsAsync(Alice, token)),
            ("RewriteAccountAsync", async () => await store.RewriteAccountAsync(rewrite, token)),
            ("ReadRecordedAsync", async () =>
            {
                await foreach (var _ in store.ReadRecordedAsync(Club, T0 - Duration.FromDays(1), T0 + Duration.FromDays(1), token))
                {
                }
            }),
            ("ReadAccountSnapshotsAsync", async () => await store.ReadAccountSnapshotsAsync(Club, null, 10, token)),
            ("GetAccountAsync", async () => await store.GetAccountAsync(Alice, token)),
            ("GetHeadAsync", async () => await store.GetHeadAsync(Alice, token)),
            ("GetLotsAsync", async () => await store.GetLotsAsync(Alice, [TransactionId.From("a")], token)),
            ("GetHoldAsync", async () => await store.GetHoldAsync(Alice, TransactionId.From("h"), token)),
            ("FindTransactionAsync", async () => await store.FindTransactionAsync(Club, TransactionId.From("a"), token)),
            ("FindRelatedAsync", async () => await store.FindRelatedAsync(Alice, TransactionId.From("a"), token)),
            ("ReadHistoryAsync", async () => await store.ReadHistoryAsync(Alice, 0, 10, token)),
            ("FindAccountsDueAsync", async () => await store.FindAccountsDueAsync(Club, T0 + Duration.FromDays(400), null, 10, token)),
            ("GetAccountsAsync", async () => await store.GetAccountsAsync(Club, [Alice.MemberId], token)),
            ("AppendAsync", async () => await store.AppendAsync(Append(Alice, 1, null, Tx(Alice, "b", 2)), token)),
        };

        foreach (var (name, call) in calls)
        {
            await call.Should().ThrowAsync<OperationCanceledException>(name);
        }

        var after = await store.ReadAccountContentsAsync(Alice);
        after.Head.Should().Be(before.Head);
        after.Lots.Should().Equal(before.Lots);
        (await store.GetHeadAsync(Bob)).Should().BeNull();
        (await store.FindTransactionAsync(Club, TransactionId.From("b"))).Should().BeNull();
    }

    [Fact]
    public async Task The_feed_reads_the_programme_s_transactions_recorded_from_the_first_instant_up_to_the_end()
    {
        var store = new InMemoryLedgerStore();
        var other = new LedgerAccountKey(ProgramId.From("other"), MemberId.From("alice"));
        await store.AppendAsync(Append(Alice, 0, null, Tx(Alice, "at-start", 1) with { RecordedAt = T0 }, Tx(Alice, "inside", 2) with { RecordedAt = T0 + Duration.FromHours(1) }));
        await store.AppendAsync(Append(Bob, 0, null, Tx(Bob, "before", 1) with { RecordedAt = T0 - Duration.FromTicks(1) }, Tx(Bob, "at-end", 2) with { RecordedAt = T0 + Duration.FromDays(1) }));
        await store.AppendAsync(Append(other, 0, null, Tx(other, "elsewhere", 1)));

        var read = new List<LedgerTransactionRecord>();
        await foreach (var tx in ((ILedgerTransactionFeed)store).ReadRecordedAsync(Club, T0, T0 + Duration.FromDays(1)))
        {
            read.Add(tx);
        }

        read.Select(t => t.Id.Value).Should().BeEquivalentTo(["at-start", "inside"]);
        read.Single(t => t.Id.Value == "inside").Movements.Should().Equal(new LedgerLotMovement(TransactionId.From("inside"), 10));
    }

    [Fact]
    public async Task The_feed_reads_a_day_out_of_many_including_transactions_appended_late_and_none_of_an_account_rewritten_away()
    {
        var store = new InMemoryLedgerStore();
        var expected = new List<string>();
        var day = T0 + Duration.FromDays(5);
        var version = 0L;
        for (var i = 0; i < 12_000; i++)
        {
            // Ten days of transactions in recording order, every hundredth appended late (recorded two days earlier).
            var at = T0 + Duration.FromSeconds(i * 72) - (i % 100 == 99 ? Duration.FromDays(2) : Duration.Zero);
            var id = "t" + i;
            (await store.AppendAsync(Append(Alice, version, null, Tx(Alice, id, version + 1) with { RecordedAt = at }))).Status.Should().Be(LedgerAppendStatus.Appended);
            version++;
            if (at >= day && at < day + Duration.FromDays(1))
            {
                expected.Add(id);
            }
        }

        expected.Should().HaveCountGreaterThan(1_000).And.Contain("t9099", "some of the day's transactions were appended late, in a later chunk");
        (await Read(store, day, day + Duration.FromDays(1))).Select(t => t.Id.Value).Should().BeEquivalentTo(expected);

        var contents = await store.ReadAccountContentsAsync(Alice);
        var erased = new LedgerAccountKey(Club, MemberId.From("erased-alice"));
        var moved = Tx(erased, "moved", 1) with { RecordedAt = day };
        (await store.RewriteAccountAsync(Rewrite(Alice, erased, version, contents) with { Transactions = [moved] })).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.Rewritten);
        (await Read(store, day, day + Duration.FromDays(1))).Should().BeEquivalentTo([moved], o => o.WithStrictOrdering(), "the old account's transactions left the log with it");
        (await Read(store, T0, T0 + Duration.FromDays(30))).Should().BeEquivalentTo([moved], o => o.WithStrictOrdering());
    }

    private static async Task<List<LedgerTransactionRecord>> Read(ILedgerTransactionFeed feed, Instant from, Instant to)
    {
        var read = new List<LedgerTransactionRecord>();
        await foreach (var tx in feed.ReadRecordedAsync(Club, from, to))
        {
            read.Add(tx);
        }

        return read;
    }

    private static Loyalty.Core.DataRights.LedgerAccountRewrite Rewrite(LedgerAccountKey from, LedgerAccountKey to, long expectedVersion, Loyalty.Core.DataRights.LedgerAccountContents contents) => new()
    {
        From = from,
        ExpectedVersion = expectedVersion,
        To = to,
        Transactions = contents.Head is null ? [] : [.. contents.Lots.Select(l => Tx(to, l.LotId.Value, l.Sequence))],
        Lots = contents.Lots,
        Holds = contents.Holds,
        Head = (contents.Head ?? new LedgerAccountHead { ProgramId = to.ProgramId, MemberId = to.MemberId, Version = 0, UpdatedAt = T0 }) with { MemberId = to.MemberId },
    };

    [Fact]
    public async Task A_rewrite_moves_transactions_related_lookups_holds_and_the_due_entry_to_the_new_key()
    {
        var store = new InMemoryLedgerStore();
        var expiry = T0 + Duration.FromDays(365);
        await store.AppendAsync(Append(Alice, 0, expiry, Tx(Alice, "a", 1), Tx(Alice, "b", 2)) with
        {
            Holds = [new LedgerHoldRecord { HoldId = TransactionId.From("h"), Amount = 5, CreatedAt = T0, ExpiresAt = T0 + Duration.FromDays(1), Status = LedgerHoldStatus.Open }],
        });
        var contents = await store.ReadAccountContentsAsync(Alice);
        var erased = new LedgerAccountKey(Club, MemberId.From("erased-alice"));
        var rewrite = Rewrite(Alice, erased, 2, contents) with
        {
            Transactions = [Tx(erased, "a", 1), Tx(erased, "c", 2, TransactionId.From("a"))],
        };

        (await store.RewriteAccountAsync(rewrite)).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.Rewritten);

        (await store.GetHeadAsync(Alice)).Should().BeNull();
        (await store.GetHeadAsync(erased))!.Version.Should().Be(2);
        (await store.FindTransactionAsync(Club, TransactionId.From("c")))!.MemberId.Should().Be(erased.MemberId);
        (await store.FindTransactionAsync(Club, TransactionId.From("b"))).Should().BeNull("the old key's transactions leave with it");
        (await store.FindRelatedAsync(erased, TransactionId.From("a"))).Select(t => t.Id.Value).Should().Equal("c");
        (await store.GetHoldAsync(erased, TransactionId.From("h")))!.Status.Should().Be(LedgerHoldStatus.Open);
        (await store.FindAccountsDueAsync(Club, expiry, null, 10)).Should().Equal(erased);
        (await store.RewriteAccountAsync(Rewrite(Alice, erased, 2, contents))).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.NotFound, "the old key is gone");
    }

    [Fact]
    public async Task A_rewrite_without_an_expiry_leaves_the_due_list_and_one_from_a_stale_version_or_onto_a_taken_key_changes_nothing()
    {
        var store = new InMemoryLedgerStore();
        var expiry = T0 + Duration.FromDays(365);
        await store.AppendAsync(Append(Alice, 0, expiry, Tx(Alice, "a", 1)));
        await store.AppendAsync(Append(Bob, 0, null, Tx(Bob, "b", 1)));
        var contents = await store.ReadAccountContentsAsync(Alice);
        var erased = new LedgerAccountKey(Club, MemberId.From("erased-alice"));

        (await store.RewriteAccountAsync(Rewrite(Alice, erased, 0, contents))).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.Conflict);
        (await store.RewriteAccountAsync(Rewrite(Alice, Bob, 1, contents))).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.TargetExists);
        (await store.RewriteAccountAsync(Rewrite(Alice, erased, 1, contents) with { Transactions = [Tx(erased, "b", 1)] }))
            .Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.TargetExists, "transaction b belongs to Bob");
        (await store.GetHeadAsync(Alice))!.Version.Should().Be(1);
        (await store.GetHeadAsync(erased)).Should().BeNull();
        (await store.FindAccountsDueAsync(Club, expiry, null, 10)).Should().Equal(Alice);

        (await store.RewriteAccountAsync(Rewrite(erased, Alice, 0, contents))).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.NotFound, "the refused rewrites wrote nothing under the new key");

        var withoutExpiry = Rewrite(Alice, erased, 1, contents);
        (await store.RewriteAccountAsync(withoutExpiry with { Head = withoutExpiry.Head with { NextExpiryAt = null } })).Should().Be(Loyalty.Core.DataRights.MemberRewriteStatus.Rewritten);
        (await store.FindAccountsDueAsync(Club, expiry, null, 10)).Should().BeEmpty("neither the old key nor the new one has anything to expire");
    }

    [Fact]
    public async Task A_hold_leaves_the_open_holds_once_captured_and_an_account_is_due_once_however_many_writes_date_an_expiry()
    {
        var store = new InMemoryLedgerStore();
        var expiry = T0 + Duration.FromDays(365);
        var open = new LedgerHoldRecord { HoldId = TransactionId.From("h"), Amount = 5, CreatedAt = T0, ExpiresAt = T0 + Duration.FromDays(1), Status = LedgerHoldStatus.Open };
        await store.AppendAsync(Append(Alice, 0, expiry, Tx(Alice, "a", 1)) with { Holds = [open] });
        (await store.GetAccountAsync(Alice)).OpenHolds.Should().Equal(open);

        await store.AppendAsync(Append(Alice, 1, expiry, Tx(Alice, "b", 2)) with { Holds = [open with { Status = LedgerHoldStatus.Captured, Captured = 5 }] });

        (await store.GetAccountAsync(Alice)).OpenHolds.Should().BeEmpty();
        (await store.GetHoldAsync(Alice, TransactionId.From("h")))!.Status.Should().Be(LedgerHoldStatus.Captured);
        (await store.FindAccountsDueAsync(Club, expiry, null, 10)).Should().Equal(Alice);
    }

    [Fact]
    public async Task Snapshots_are_paged_in_member_order_whatever_the_order_accounts_were_opened_in()
    {
        var store = new InMemoryLedgerStore();
        foreach (var id in new[] { "e", "b", "g", "a", "f", "c", "d" })
        {
            var key = new LedgerAccountKey(Club, MemberId.From(id));
            await store.AppendAsync(Append(key, 0, null, Tx(key, "t-" + id, 1)));
        }

        var other = new LedgerAccountKey(ProgramId.From("other"), MemberId.From("a0"));
        await store.AppendAsync(Append(other, 0, null, Tx(other, "t-other", 1)));

        var pages = new List<string[]>();
        MemberId? after = null;
        while (true)
        {
            var page = await store.ReadAccountSnapshotsAsync(Club, after, 3);
            if (page.Count == 0)
            {
                break;
            }

            pages.Add([.. page.Select(p => p.Head!.MemberId.Value)]);
            after = page[^1].Head!.MemberId;
        }

        pages.Should().BeEquivalentTo(new[] { new[] { "a", "b", "c" }, ["d", "e", "f"], ["g"] }, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task An_account_s_contents_list_its_lots_by_sequence_and_its_holds_by_creation_then_id()
    {
        var store = new InMemoryLedgerStore();
        LedgerHoldRecord Hold(string id, Instant at) => new() { HoldId = TransactionId.From(id), Amount = 1, CreatedAt = at, ExpiresAt = at + Duration.FromDays(1), Status = LedgerHoldStatus.Open };
        await store.AppendAsync(Append(Alice, 0, null, Tx(Alice, "b", 1), Tx(Alice, "a", 2)) with
        {
            Holds = [Hold("h-late", T0 + Duration.FromHours(1)), Hold("h-b", T0), Hold("h-a", T0)],
        });

        var contents = await store.ReadAccountContentsAsync(Alice);

        contents.Lots.Select(l => l.LotId.Value).Should().Equal("b", "a");
        contents.Holds.Select(h => h.HoldId.Value).Should().Equal("h-a", "h-b", "h-late");
        (await store.ReadAccountContentsAsync(Bob)).Should().BeEquivalentTo(new { Head = (LedgerAccountHead?)null, Lots = Array.Empty<LedgerLotRecord>(), Holds = Array.Empty<LedgerHoldRecord>() });
    }

    [Fact]
    public async Task Missing_lists_and_out_of_range_pages_are_refused_naming_the_argument()
    {
        var store = new InMemoryLedgerStore();

        (await FluentActions.Awaiting(async () => await store.GetLotsAsync(Alice, null!)).Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be("lotIds");
        (await FluentActions.Awaiting(async () => await store.GetAccountsAsync(Club, null!)).Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be("members");
        (await FluentActions.Awaiting(async () => await store.AppendAsync(null!)).Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be("append");
        (await FluentActions.Awaiting(async () => await store.RewriteAccountAsync(null!)).Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be("rewrite");
        var negative = (await FluentActions.Awaiting(async () => await store.ReadHistoryAsync(Alice, -1, 10)).Should().ThrowAsync<ArgumentOutOfRangeException>()).Which;
        (negative.ParamName, negative.ActualValue).Should().Be(("afterVersion", -1L));
        var empty = (await FluentActions.Awaiting(async () => await store.ReadHistoryAsync(Alice, 0, 0)).Should().ThrowAsync<ArgumentOutOfRangeException>()).Which;
        (empty.ParamName, empty.ActualValue).Should().Be(("maxCount", 0));
        var due = (await FluentActions.Awaiting(async () => await store.FindAccountsDueAsync(Club, T0, null, 0)).Should().ThrowAsync<ArgumentOutOfRangeException>()).Which;
        (due.ParamName, due.ActualValue).Should().Be(("maxCount", 0));
    }

    [Fact]
    public async Task Compare_and_append_appends_then_reports_version_conflicts()
    {
        var store = new InMemoryLedgerStore();
        (await store.AppendAsync(Append(Alice, 0, null, Tx(Alice, "a", 1)))).Should().Be(new LedgerAppendResult(LedgerAppendStatus.Appended, 1));
        (await store.AppendAsync(Append(Alice, 0, null, Tx(Alice, "b", 1)))).Should().Be(new LedgerAppendResult(LedgerAppendStatus.VersionConflict, 1));
        var snapshot = await store.GetAccountAsync(Alice);
        snapshot.Version.Should().Be(1);
        snapshot.OpenLots.Should().ContainSingle().Which.LotId.Should().Be(TransactionId.From("a"));
        (await store.FindTransactionAsync(Club, TransactionId.From("b"))).Should().BeNull();
    }

    [Fact]
    public async Task A_duplicate_id_anywhere_in_the_programme_writes_nothing()
    {
        var store = new InMemoryLedgerStore();
        await store.AppendAsync(Append(Alice, 0, null, Tx(Alice, "a", 1)));
        var result = await store.AppendAsync(Append(Bob, 0, null, Tx(Bob, "b", 1), Tx(Bob, "a", 2)));
        result.Should().Be(new LedgerAppendResult(LedgerAppendStatus.Duplicate, 0, TransactionId.From("a")));
        (await store.GetHeadAsync(Bob)).Should().BeNull();
        (await store.FindTransactionAsync(Club, TransactionId.From("b"))).Should().BeNull();
        (await store.AppendAsync(Append(Bob, 0, null, Tx(Bob, "b", 1)))).Status.Should().Be(LedgerAppendStatus.Appended);
    }

    [Fact]
    public async Task History_pages_related_lookup_and_lots_by_id()
    {
        var store = new InMemoryLedgerStore();
        await store.AppendAsync(Append(Alice, 0, null, Tx(Alice, "a", 1), Tx(Alice, "b", 2)));
        await store.AppendAsync(Append(Alice, 2, null, Tx(Alice, "c", 3, TransactionId.From("a"))));
        var page = await store.ReadHistoryAsync(Alice, 0, 2);
        page.Transactions.Select(t => t.Version).Should().Equal(1, 2);
        page.NextAfterVersion.Should().Be(2);
        var rest = await store.ReadHistoryAsync(Alice, 2, 2);
        rest.Transactions.Select(t => t.Version).Should().Equal(3);
        rest.NextAfterVersion.Should().BeNull();
        (await store.FindRelatedAsync(Alice, TransactionId.From("a"))).Select(t => t.Id.Value).Should().Equal("c");
        (await store.GetLotsAsync(Alice, [TransactionId.From("b"), TransactionId.From("zz")])).Should().ContainSingle();
    }

    [Fact]
    public async Task The_head_read_back_equals_the_head_written_in_every_field()
    {
        // The store keeps a head's values in place, not the object given: every property must come back.
        var store = new InMemoryLedgerStore();
        var head = new LedgerAccountHead
        {
            ProgramId = Club, MemberId = Alice.MemberId, Version = 1, UpdatedAt = T0, LotPoints = 2, Debt = 3, Earned = 4, Redeemed = 5,
            Expired = 6, Reversed = 7, Adjusted = 8, WrittenOff = 9, LastActivityAt = T0 + Duration.FromDays(1), AvailableSnapshot = 10,
            PendingSnapshot = 11, HeldSnapshot = 12, NextChangeAt = T0 + Duration.FromDays(2), NextExpiryAt = T0 + Duration.FromDays(3),
            ChainHash = LedgerHash.FromBytes(Enumerable.Range(1, LedgerHash.Size).Select(i => (byte)i).ToArray()),
        };
        typeof(LedgerAccountHead).GetProperties().Where(p => p.Name != "EqualityContract")
            .Should().OnlyContain(p => !Equals(p.GetValue(head), p.PropertyType.IsValueType ? Activator.CreateInstance(p.PropertyType) : null), "the head above sets every property");
        await store.AppendAsync(Append(Alice, 0, null, Tx(Alice, "a", 1)) with { Head = head });

        var read = await store.GetHeadAsync(Alice);
        read.Should().Be(head).And.NotBeSameAs(head);
        (await store.GetAccountAsync(Alice)).Head.Should().Be(head);
        (await store.GetHeadAsync(Alice)).Should().BeSameAs(read, "a head is built once per write, on its first read");
        await store.AppendAsync(Append(Alice, 1, null, Tx(Alice, "b", 2)));
        var next = await store.GetHeadAsync(Alice);
        next!.Version.Should().Be(2);
        read!.Version.Should().Be(1, "a head read before a write is not changed by it");
    }

    [Fact]
    public async Task A_snapshot_builds_its_own_head_and_the_store_does_not_keep_it()
    {
        // A night reads every account's snapshot once: a head kept for it would outlive the young generation.
        var store = new InMemoryLedgerStore();
        await store.AppendAsync(Append(Alice, 0, null, Tx(Alice, "a", 1)));

        var weak = await WeakSnapshotHeadAsync(store, Alice);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        weak.IsAlive.Should().BeFalse("the store keeps a head's values, not the head a snapshot was given");

        var head = await store.GetHeadAsync(Alice);
        (await store.GetAccountAsync(Alice)).Head.Should().BeSameAs(head, "a snapshot taken after a head read shares the head already built");
        (await store.GetHeadAsync(Alice)).Should().BeSameAs(head);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> WeakSnapshotHeadAsync(InMemoryLedgerStore store, LedgerAccountKey account)
    {
        var first = await store.GetAccountAsync(account);
        var second = await store.GetAccountAsync(account);
        second.Head.Should().Be(first.Head).And.NotBeSameAs(first.Head, "each snapshot builds its head");
        return new WeakReference(first.Head);
    }

    [Fact]
    public async Task Two_lots_whose_ids_hash_alike_are_kept_apart()
    {
        // An account finds its lots by the hash of their id (string hashes are randomised per process: look for a pair).
        var (first, second) = CollidingIds();
        var store = new InMemoryLedgerStore();
        await store.AppendAsync(Append(Alice, 0, null, Tx(Alice, first, 1), Tx(Alice, second, 2)));

        (await store.GetLotsAsync(Alice, [TransactionId.From(second), TransactionId.From(first)])).Select(l => l.LotId.Value)
            .Should().BeEquivalentTo([first, second]);
        var spent = new LedgerLotRecord { LotId = TransactionId.From(second), Sequence = 2, OriginalAmount = 10, Remaining = 0, CreatedAt = T0, AvailableAt = T0 };
        await store.AppendAsync(Append(Alice, 2, null, Tx(Alice, "c", 3)) with { Lots = [spent] });

        (await store.GetAccountAsync(Alice)).OpenLots.Select(l => l.LotId.Value).Should().Equal(first);
        (await store.GetLotsAsync(Alice, [TransactionId.From(second)])).Should().Equal(spent);
        (await ((Loyalty.Core.DataRights.ILedgerDataStore)store).ReadAccountContentsAsync(Alice)).Lots.Select(l => (l.LotId.Value, l.Remaining))
            .Should().Equal([(first, 10L), (second, 0L)]);
    }

    private static (string First, string Second) CollidingIds()
    {
        var seen = new Dictionary<int, string>();
        for (var i = 0; ; i++)
        {
            var id = "lot-" + i;
            if (!seen.TryAdd(StringComparer.Ordinal.GetHashCode(id), id))
            {
                return (seen[StringComparer.Ordinal.GetHashCode(id)], id);
            }
        }
    }

    [Fact]
    public async Task The_due_walk_follows_the_next_expiry_as_writes_move_it()
    {
        var store = new InMemoryLedgerStore();
        await store.AppendAsync(Append(Alice, 0, T0 + Duration.FromDays(5), Tx(Alice, "a1", 1)));
        (await store.FindAccountsDueAsync(Club, T0 + Duration.FromDays(4), null, 10)).Should().BeEmpty();
        await store.AppendAsync(Append(Alice, 1, T0 + Duration.FromDays(2), Tx(Alice, "a2", 2)));
        (await store.FindAccountsDueAsync(Club, T0 + Duration.FromDays(4), null, 10)).Should().Equal(Alice);
        await store.AppendAsync(Append(Alice, 2, T0 + Duration.FromDays(2), Tx(Alice, "a3", 3)));
        (await store.FindAccountsDueAsync(Club, T0 + Duration.FromDays(2), null, 10)).Should().Equal(Alice);
        await store.AppendAsync(Append(Alice, 3, null, Tx(Alice, "a4", 4)));
        (await store.FindAccountsDueAsync(Club, T0 + Duration.FromDays(400), null, 10)).Should().BeEmpty();
    }

    [Fact]
    public async Task Due_accounts_are_found_by_next_expiry_in_member_order_and_paged()
    {
        var store = new InMemoryLedgerStore();
        var carol = new LedgerAccountKey(Club, MemberId.From("carol"));
        await store.AppendAsync(Append(Bob, 0, T0, Tx(Bob, "b1", 1)));
        await store.AppendAsync(Append(Alice, 0, T0 + Duration.FromDays(1), Tx(Alice, "a1", 1)));
        await store.AppendAsync(Append(carol, 0, null, Tx(carol, "c1", 1)));

        (await store.FindAccountsDueAsync(Club, T0, null, 10)).Should().Equal(Bob);
        (await store.FindAccountsDueAsync(Club, T0 + Duration.FromDays(1), null, 10)).Should().Equal(Alice, Bob);
        (await store.FindAccountsDueAsync(Club, T0 + Duration.FromDays(1), null, 1)).Should().Equal(Alice);
        (await store.FindAccountsDueAsync(Club, T0 + Duration.FromDays(1), Alice.MemberId, 1)).Should().Equal(Bob);
        (await store.FindAccountsDueAsync(ProgramId.From("other"), T0 + Duration.FromDays(1), null, 10)).Should().BeEmpty();
    }

    [Fact]
    public async Task Inconsistent_appends_are_refused_with_what_is_wrong()
    {
        var store = new InMemoryLedgerStore();
        await FluentActions.Awaiting(async () => await store.AppendAsync(Append(Alice, 0, null, Tx(Alice, "a", 2))))
            .Should().ThrowAsync<ArgumentException>()
            .WithMessage("Transaction 'a' must belong to account club/alice with version 1 (was club/alice version 2). (Parameter 'append')");
        await FluentActions.Awaiting(async () => await store.AppendAsync(Append(Alice, 0, null)))
            .Should().ThrowAsync<ArgumentException>()
            .WithMessage("An append must carry at least one transaction. (Parameter 'append')");
    }

    [Fact]
    public async Task Concurrent_appends_at_the_same_version_let_exactly_one_win()
    {
        var store = new InMemoryLedgerStore();
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () => await store.AppendAsync(Append(Alice, 0, null, Tx(Alice, $"x{i}", 1))))));
        results.Count(r => r.Status == LedgerAppendStatus.Appended).Should().Be(1);
        results.Count(r => r.Status == LedgerAppendStatus.VersionConflict).Should().Be(15);
        (await store.ReadHistoryAsync(Alice, 0, 100)).Transactions.Should().ContainSingle();
    }

    [Fact]
    public void Store_exception_says_whether_a_retry_may_help()
    {
        new LoyaltyStoreException("timeout", isTransient: true).IsTransient.Should().BeTrue();
        new LoyaltyStoreException("disk full").IsTransient.Should().BeFalse();
    }
}
