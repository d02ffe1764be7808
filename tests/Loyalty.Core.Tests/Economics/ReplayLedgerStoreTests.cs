using Loyalty.Core.Economics;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using NodaTime;
using NodaTime.Testing;
using static Loyalty.Core.Tests.Economics.ReplayLedgerSetup;

namespace Loyalty.Core.Tests.Economics;

public class ReplayLedgerStoreTests
{
    private static readonly MemberId Alice = MemberId.From("alice");
    private static readonly Instant Start = Instant.FromUtc(2026, 3, 20, 10, 0);

    [Fact]
    public async Task A_ledger_over_it_gives_the_balances_history_and_lots_it_gives_over_the_in_memory_store()
    {
        var clock = new FakeClock(Start);
        var replay = new ReplayLedgerStore(Program, 4, 16);
        var shared = new InMemoryLedgerStore();
        var ledgers = new[] { NewLedger(clock, replay), NewLedger(clock, shared) };
        var balances = new List<string>[] { [], [] };

        async Task Both(Func<PointsLedger, Task<LedgerResult>> write)
        {
            for (var i = 0; i < ledgers.Length; i++)
            {
                (await write(ledgers[i])).Succeeded.Should().BeTrue();
                var b = await ledgers[i].GetBalanceAsync(Alice);
                balances[i].Add($"{clock.GetCurrentInstant()} {b.Available} {b.Pending} {b.Earned} {b.Redeemed} {b.Reversed} {b.Expired}");
            }
        }

        await Both(l => l.EarnAsync(new EarnPoints(TransactionId.From("e1"), Alice, Points.FromInt64(300))));
        clock.AdvanceDays(20);
        await Both(l => l.EarnAsync(new EarnPoints(TransactionId.From("e2"), Alice, Points.FromInt64(200))));
        clock.AdvanceDays(15);
        await Both(l => l.RedeemAsync(new RedeemPoints(TransactionId.From("r1"), Alice, Points.FromInt64(400))));
        await Both(l => l.ReverseAsync(new ReversePoints(TransactionId.From("x1"), Alice, TransactionId.From("e2"), Points.FromInt64(50)) { Reason = "refund" }));
        await Both(l => l.ReverseAsync(new ReversePoints(TransactionId.From("x2"), Alice, TransactionId.From("r1"), Points.FromInt64(100)) { Reason = "cancelled" }));
        clock.AdvanceDays(120);
        await Both(l => l.EarnAsync(new EarnPoints(TransactionId.From("e3"), Alice, Points.FromInt64(70))));

        balances[0].Should().Equal(balances[1]);
        var key = new LedgerAccountKey(Program, Alice);
        var history = (await replay.ReadHistoryAsync(key, 0, 100)).Transactions;
        history.Should().BeEquivalentTo((await shared.ReadHistoryAsync(key, 0, 100)).Transactions, o => o.WithStrictOrdering());
        history.Select(t => t.Id.Value).Should().Equal("e1", "e2", "r1", "x1", "x2", "e3");
        (await replay.GetAccountAsync(key)).Should().BeEquivalentTo(await shared.GetAccountAsync(key));

        // The month-end view from the kept lot records is the one decoded from the store's snapshot.
        var at = clock.GetCurrentInstant();
        var data = replay.Find(Alice)!;
        var fromLots = LiabilityAccount.FromLots(data.Head!, data.Lots, ledgers[0].ExpiryPolicy, Paris, null);
        var fromSnapshot = LiabilityAccount.FromSnapshot(await shared.GetAccountAsync(key), ledgers[1].ExpiryPolicy, Paris, at);
        fromLots.Should().BeEquivalentTo(fromSnapshot);
        fromLots.Lots.Should().NotBeEmpty();
    }

    [Fact]
    public async Task An_append_at_a_stale_version_or_with_a_used_id_is_refused_and_changes_nothing()
    {
        var clock = new FakeClock(Start);
        var store = new ReplayLedgerStore(Program, 4, 16);
        var ledger = NewLedger(clock, store);
        (await ledger.EarnAsync(new EarnPoints(TransactionId.From("e1"), Alice, Points.FromInt64(300)))).Succeeded.Should().BeTrue();
        var key = new LedgerAccountKey(Program, Alice);
        var first = (await store.ReadHistoryAsync(key, 0, 10)).Transactions.Single();
        var head = store.Find(Alice)!.Head!;

        var stale = await store.AppendAsync(new LedgerAppend { Account = key, ExpectedVersion = 0, Transactions = [first], Head = head });
        stale.Should().Be(new LedgerAppendResult(LedgerAppendStatus.VersionConflict, 1));

        var reused = first with { Version = 2 };
        var duplicate = await store.AppendAsync(new LedgerAppend { Account = key, ExpectedVersion = 1, Transactions = [reused], Head = head with { Version = 2 } });
        duplicate.Should().Be(new LedgerAppendResult(LedgerAppendStatus.Duplicate, 1, first.Id));

        (await store.ReadHistoryAsync(key, 0, 10)).Transactions.Should().Equal(first);
        store.Find(Alice)!.Head.Should().BeSameAs(head);
        (await store.FindTransactionAsync(Program, first.Id)).Should().BeSameAs(first);
        (await store.FindTransactionAsync(ProgramId.From("other"), first.Id)).Should().BeNull();
        var otherProgramme = async () => await store.GetHeadAsync(new LedgerAccountKey(ProgramId.From("other"), Alice));
        await otherProgramme.Should().ThrowAsync<InvalidOperationException>().WithMessage("The backtest's ledger store holds programme 'backtest' only, not 'other'.");
    }
}
