using Loyalty.Core.DataRights;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Loyalty.Core.Tests.Ledger;
using Loyalty.Core.Tests.Storage;
using static Loyalty.Core.Tests.Ledger.LedgerHarness;

namespace Loyalty.Core.Tests.DataRights;

/// <summary>
/// An erasure moves a member's ledger account away from the id in the in-memory store; a later write of the
/// id creates the account again from version 0, so its versions repeat the old account's numbers. A write
/// decided on the old account before the erasure and appended after such a late write must be refused and
/// decided again, never applied on top of the other account's state.
/// </summary>
public class InMemoryLedgerRewriteRaceTests
{
    private static readonly ProgramId Club = ProgramId.From("club");

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    public async Task A_write_decided_before_the_erasure_does_not_land_on_the_account_created_again_at_the_same_version(int? cacheSlots)
    {
        var inner = new InMemoryLedgerStore();
        var store = new PausingLedgerStore(inner, TransactionId.From("order-1"));
        var h = new LedgerHarness(store: store, cacheSlots: cacheSlots);
        await h.EarnAsync(100, "welcome");

        // The order's earn is decided on the account at version 1 (the welcome) and held before its append.
        var stale = h.Ledger.EarnAsync(new EarnPoints(Id("order-1"), Alice, P(190)));
        await store.Paused;

        var erasure = MemberDataRewrite.ForErasure(Club, Alice);
        (await new LedgerParticipant(inner).RewriteAsync(erasure)).Status.Should().Be(MemberRewriteStatus.Rewritten);
        h.Ledger.ForgetCachedAccounts();

        // A late earn of the id creates the account again: version 1 once more, with other contents.
        await h.EarnAsync(190, "order-2");
        store.Release();
        var result = await stale;

        result.Succeeded.Should().BeTrue(result.ToString());
        result.Transaction!.Version.Should().Be(2, "the write was refused at version 1 and decided again on the account as it is");
        var head = (await inner.GetHeadAsync(new LedgerAccountKey(Club, Alice)))!;
        head.Version.Should().Be(2);
        head.Earned.Should().Be(380, "both earns of the id, and nothing of the erased account");
        head.LotPoints.Should().Be(380);
        (await h.Ledger.GetBalanceAsync(Alice)).Available.Should().Be(P(380));
        (await h.Ledger.VerifyAccountAsync(Alice)).IsIntact.Should().BeTrue();
        var erased = (await inner.GetHeadAsync(new LedgerAccountKey(Club, erasure.To)))!;
        erased.Earned.Should().Be(100, "the erased account keeps the welcome only");
        (await h.Ledger.VerifyAccountAsync(erasure.To)).IsIntact.Should().BeTrue();
    }

    [Fact]
    public async Task An_erasure_leaves_no_record_of_the_old_id_in_the_store()
    {
        // The store keeps transactions as bytes in one store-wide log: the erased account's records are wiped from it.
        var inner = new InMemoryLedgerStore();
        await EarnTwiceAsync(inner);
        LogText(inner).Should().Contain("alice").And.Contain("order-1");

        var erasure = MemberDataRewrite.ForErasure(Club, Alice);
        (await new LedgerParticipant(inner).RewriteAsync(erasure)).Status.Should().Be(MemberRewriteStatus.Rewritten);

        LogText(inner).Should().NotContain("alice").And.NotContain("order-1", "the records of the erased id are wiped, not kept beside the rewritten ones");
        (await inner.ReadHistoryAsync(new LedgerAccountKey(Club, Alice), 0, 10)).Transactions.Should().BeEmpty();
        var moved = await inner.ReadHistoryAsync(new LedgerAccountKey(Club, erasure.To), 0, 10);
        moved.Transactions.Should().HaveCount(2).And.OnlyContain(t => t.MemberId == erasure.To);
    }

    private static async Task EarnTwiceAsync(InMemoryLedgerStore store)
    {
        var h = new LedgerHarness(store: store);
        await h.EarnAsync(100, "welcome");
        await h.EarnAsync(50, "order-1");
    }

    private static string LogText(InMemoryLedgerStore store) => string.Concat(store.TransactionLog.CopyChunks().Select(c => System.Text.Encoding.Latin1.GetString(c)));

    [Fact]
    public async Task A_write_decided_before_an_in_place_rewrite_is_decided_again_on_the_renamed_lots()
    {
        var inner = new InMemoryLedgerStore();
        var store = new PausingLedgerStore(inner, TransactionId.From("redeem-1"));
        var h = new LedgerHarness(store: store);
        await h.EarnAsync(100, "welcome");

        // The redemption is decided on the account at version 1: it takes 50 points from lot 'welcome'.
        var stale = h.Ledger.RedeemAsync(new RedeemPoints(Id("redeem-1"), Alice, P(50)));
        await store.Paused;

        // The same key and the same version, but the lot is now 'welcome-renamed': the state read before is stale.
        var rename = MemberDataRewrite.ForRenames(Club, Alice, new Dictionary<string, string>(StringComparer.Ordinal) { ["welcome"] = "welcome-renamed" });
        (await new LedgerParticipant(inner).RewriteAsync(rename)).Status.Should().Be(MemberRewriteStatus.Rewritten);
        h.Ledger.ForgetCachedAccounts();
        store.Release();
        var result = await stale;

        result.Succeeded.Should().BeTrue(result.ToString());
        result.Transaction!.Movements.Should().Equal(new LedgerLotMovement(Id("welcome-renamed"), -50));
        var snapshot = await inner.GetAccountAsync(new LedgerAccountKey(Club, Alice));
        snapshot.OpenLots.Select(l => (l.LotId.Value, l.Remaining)).Should().Equal([("welcome-renamed", 50L)], "no lot of the old id comes back");
        snapshot.Head!.LotPoints.Should().Be(50);
        (await h.Ledger.VerifyAccountAsync(Alice)).IsIntact.Should().BeTrue();
    }

    /// <summary>Forwards to the in-memory store, holding the append of one transaction until released.</summary>
    private sealed class PausingLedgerStore(ILedgerStore inner, TransactionId pauseBefore) : ForwardingLedgerStore(inner)
    {
        private readonly TaskCompletionSource paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int pauses;

        public Task Paused => paused.Task;

        public void Release() => released.TrySetResult();

        public override async ValueTask<LedgerAppendResult> AppendAsync(LedgerAppend append, CancellationToken cancellationToken = default)
        {
            if (append.Transactions[0].Id == pauseBefore && Interlocked.Increment(ref pauses) == 1)
            {
                paused.TrySetResult();
                await released.Task.ConfigureAwait(false);
            }

            return await Inner.AppendAsync(append, cancellationToken).ConfigureAwait(false);
        }
    }
}
