using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Loyalty.Core.Tests.Storage;
using NodaTime;
using static Loyalty.Core.Tests.Ledger.LedgerHarness;

namespace Loyalty.Core.Tests.Ledger;

/// <summary>The accounts' hash chains: every write seals its transaction, and verification finds the first link broken behind the library's back.</summary>
public class LedgerChainTests
{
    private static readonly MemberId Bob = MemberId.From("bob");

    [Fact]
    public async Task Every_kind_of_write_is_chained_and_an_untouched_account_verifies()
    {
        var (h, _) = await BusyAccountAsync();
        var history = await h.Ledger.GetHistoryAsync(Alice);
        history.Transactions.Should().HaveCountGreaterThan(7).And.OnlyContain(t => !t.ChainHash.IsNone);
        history.Transactions.Select(t => t.Kind).Distinct().Should().HaveCount(8, "earn, redeem, hold, capture, release, expire, reverse and adjust are all chained");
        history.Transactions.Select(t => t.ChainHash).Should().OnlyHaveUniqueItems();
        (await h.Store.GetHeadAsync(new LedgerAccountKey(ProgramId.From("club"), Alice)))!.ChainHash.Should().Be(history.Transactions[^1].ChainHash);

        var verification = await h.Ledger.VerifyAccountAsync(Alice);
        verification.IsIntact.Should().BeTrue(verification.FirstBreak?.Message);
        verification.TransactionsChecked.Should().Be(history.Transactions.Count);
    }

    [Fact]
    public async Task A_repeat_returns_the_sealed_original()
    {
        var h = new LedgerHarness();
        var first = await h.Ledger.EarnAsync(new EarnPoints(Id("order-1"), Alice, P(40)));
        var repeat = await h.Ledger.EarnAsync(new EarnPoints(Id("order-1"), Alice, P(40)));
        repeat.IsRepeat.Should().BeTrue();
        repeat.Transaction.Should().BeEquivalentTo(first.Transaction);
        first.Transaction!.ChainHash.IsNone.Should().BeFalse();
    }

    [Fact]
    public void The_canonical_form_is_pinned()
    {
        // A change of the canonical form would break every stored chain: it must be deliberate (a new format byte).
        var at = Instant.FromUtc(2026, 3, 15, 10, 0);
        var tx = new LedgerTransactionRecord
        {
            ProgramId = ProgramId.From("club"), MemberId = Alice, Id = Id("order-1001"), Version = 1, Kind = LedgerTransactionKind.Earn,
            RecordedAt = at, EffectiveAt = at, Amount = 70, AvailableAt = at + Duration.FromDays(14), ExpiresAt = at + Duration.FromDays(365),
            Movements = [new LedgerLotMovement(Id("order-1001"), 70)],
        };
        var first = LedgerChain.Compute(default, tx);
        // The value from an independent implementation of the documented form (Python: struct.pack big-endian, hashlib.sha256).
        first.ToString().Should().Be("7ef7cb8f745aea288d9f4feabeebb74a658ec173dfd37360b8f9eff8f6614340");
        LedgerChain.Compute(default, tx).Should().Be(first, "the hash is a function of the content");
        LedgerChain.Compute(first, tx).Should().NotBe(first, "the previous link is part of the hash");
        LedgerChain.Compute(default, tx with { Amount = 71 }).Should().NotBe(first);
        LedgerChain.Compute(default, tx with { Movements = [new LedgerLotMovement(Id("order-1001"), 69)] }).Should().NotBe(first);
        LedgerChain.Compute(default, tx with { MemberId = Bob }).Should().NotBe(first, "a transaction moved to another account breaks");
        LedgerChain.Compute(default, tx with { Reason = "" }).Should().NotBe(LedgerChain.Compute(default, tx), "an empty reason is not an absent one");
        LedgerChain.Compute(default, tx with { Reason = new string('é', 1000), Actor = new string('x', 256) }).IsNone.Should().BeFalse("long text takes the pooled buffer");
    }

    [Fact]
    public async Task An_edited_amount_is_reported_at_its_transaction_with_the_expected_and_found_hash()
    {
        var (h, store) = await BusyAccountAsync();
        var history = (await h.Ledger.GetHistoryAsync(Alice)).Transactions;
        var victim = history[2];
        store.Edit = tx => tx.Id == victim.Id ? tx with { Amount = tx.Amount + 1 } : tx;

        var broken = (await h.Ledger.VerifyAccountAsync(Alice)).FirstBreak!;
        broken.Kind.Should().Be(LedgerChainBreakKind.HashMismatch);
        broken.TransactionId.Should().Be(victim.Id);
        broken.Position.Should().Be(victim.Version);
        broken.Found.Should().Be(victim.ChainHash);
        broken.Expected.Should().Be(LedgerChain.Compute(history[1].ChainHash, victim with { Amount = victim.Amount + 1 }));
        broken.Message.Should().Be($"Account club/alice: transaction '{victim.Id}' at version {victim.Version} stores hash {victim.ChainHash} but its content and the previous link give {broken.Expected}; the row or its lot movements were changed.");
    }

    [Fact]
    public async Task An_edited_lot_movement_is_caught()
    {
        var (h, store) = await BusyAccountAsync();
        var redeem = (await h.Ledger.GetHistoryAsync(Alice)).Transactions.First(t => t.Kind == LedgerTransactionKind.Redeem);
        store.Edit = tx => tx.Id == redeem.Id ? tx with { Movements = [.. tx.Movements.Select(m => m with { Delta = m.Delta + 1 })] } : tx;
        var broken = (await h.Ledger.VerifyAccountAsync(Alice)).FirstBreak!;
        broken.Should().Match<LedgerChainBreak>(b => b.Kind == LedgerChainBreakKind.HashMismatch && b.TransactionId == redeem.Id);
    }

    [Fact]
    public async Task A_rewritten_hash_breaks_the_next_link()
    {
        // Someone edits a row and stores a matching hash for it: the next transaction's link no longer follows.
        var (h, store) = await BusyAccountAsync();
        var history = (await h.Ledger.GetHistoryAsync(Alice)).Transactions;
        var edited = history[1] with { Amount = history[1].Amount + 10 };
        edited = edited with { ChainHash = LedgerChain.Compute(history[0].ChainHash, edited) };
        store.Edit = tx => tx.Id == edited.Id ? edited : tx;

        var broken = (await h.Ledger.VerifyAccountAsync(Alice)).FirstBreak!;
        broken.Kind.Should().Be(LedgerChainBreakKind.HashMismatch);
        broken.TransactionId.Should().Be(history[2].Id);
        broken.Position.Should().Be(3);
    }

    [Fact]
    public async Task A_deleted_transaction_an_erased_hash_and_an_edited_head_are_each_caught()
    {
        var (h, store) = await BusyAccountAsync();
        var history = (await h.Ledger.GetHistoryAsync(Alice)).Transactions;

        store.Edit = tx => tx.Version == 4 ? null : tx;
        var gap = (await h.Ledger.VerifyAccountAsync(Alice)).FirstBreak!;
        gap.Should().Match<LedgerChainBreak>(b => b.Kind == LedgerChainBreakKind.VersionGap && b.Position == 4 && b.TransactionId == history[4].Id);
        gap.Message.Should().Be($"Account club/alice: after version 3 the log continues at version 5 ('{history[4].Id}'); a transaction is missing or was moved.");

        store.Edit = tx => tx.Version == 3 ? tx with { ChainHash = default } : tx;
        (await h.Ledger.VerifyAccountAsync(Alice)).FirstBreak!.Should().Match<LedgerChainBreak>(b => b.Kind == LedgerChainBreakKind.MissingHash && b.Position == 3);

        store.Edit = tx => tx.Version == history.Count ? null : tx;
        var truncated = (await h.Ledger.VerifyAccountAsync(Alice)).FirstBreak!;
        truncated.Should().Match<LedgerChainBreak>(b => b.Kind == LedgerChainBreakKind.HeadMismatch && b.TransactionId == null && b.Position == history.Count);
        truncated.Message.Should().Be($"Account club/alice: the head is at version {history.Count} but the log ends at version {history.Count - 1}; transactions are missing at the end, or the head was changed.");

        store.Edit = tx => tx;
        store.EditHead = head => head with { ChainHash = history[0].ChainHash };
        var last = history[^1].ChainHash;
        (await h.Ledger.VerifyAccountAsync(Alice)).FirstBreak!.Should().Match<LedgerChainBreak>(b => b.Kind == LedgerChainBreakKind.HeadMismatch && b.Found == history[0].ChainHash && b.Expected == last);
    }

    [Fact]
    public async Task Transactions_written_before_the_chain_existed_are_accepted_at_the_start_only()
    {
        var (h, store) = await BusyAccountAsync();
        var history = (await h.Ledger.GetHistoryAsync(Alice)).Transactions;

        // Versions 1 and 2 unsealed (an older library), the rest chained from a zero link as the ledger did after the upgrade.
        var link = default(LedgerHash);
        var rewritten = new Dictionary<long, LedgerTransactionRecord>();
        foreach (var tx in history)
        {
            if (tx.Version <= 2)
            {
                rewritten[tx.Version] = tx with { ChainHash = default };
                continue;
            }

            link = LedgerChain.Compute(link, tx);
            rewritten[tx.Version] = tx with { ChainHash = link };
        }

        store.Edit = tx => rewritten[tx.Version];
        store.EditHead = head => head with { ChainHash = link };
        (await h.Ledger.VerifyAccountAsync(Alice)).IsIntact.Should().BeTrue();
    }

    [Fact]
    public async Task The_programme_pass_reports_only_the_broken_accounts()
    {
        var (h, store) = await BusyAccountAsync();
        await h.EarnAsync(5, "bob-1", member: Bob);
        await h.EarnAsync(6, "bob-2", member: Bob);
        for (var i = 0; i < 3; i++)
        {
            await h.EarnAsync(1, $"m{i}-1", member: MemberId.From($"m{i}"));
        }

        (await h.Ledger.VerifyProgramAsync()).Should().Match<LedgerVerificationReport>(r => r.IsIntact && r.AccountsChecked == 5);

        store.Edit = tx => tx.Id == Id("bob-2") ? tx with { Amount = 600 } : tx;
        var seen = new List<LedgerVerification>();
        var report = await h.Ledger.VerifyProgramAsync(new SynchronousProgress(seen));
        report.AccountsChecked.Should().Be(5);
        seen.Should().HaveCount(5);
        report.Broken.Should().ContainSingle().Which.FirstBreak!.TransactionId.Should().Be(Id("bob-2"));
        report.Broken[0].Account.MemberId.Should().Be(Bob);
    }

    [Fact]
    public async Task A_default_member_is_refused()
    {
        var h = new LedgerHarness();
        await FluentActions.Awaiting(() => h.Ledger.VerifyAccountAsync(default)).Should().ThrowAsync<ArgumentException>().WithParameterName("memberId");
    }

    [Fact]
    public async Task A_store_that_cannot_list_accounts_is_refused_for_the_programme_pass()
    {
        var h = new LedgerHarness(store: new ListlessStore(new InMemoryLedgerStore()));
        await FluentActions.Awaiting(() => h.Ledger.VerifyProgramAsync()).Should().ThrowAsync<NotSupportedException>()
            .WithMessage("The ledger store ListlessStore cannot list a programme's accounts: implement ILedgerSnapshotSource on it, or verify members one by one with VerifyAccountAsync.");
    }

    /// <summary>An account with every kind of transaction: earn, redeem, hold, capture, release, reverse, adjust, expire.</summary>
    private static async Task<(LedgerHarness Harness, TamperingStore Store)> BusyAccountAsync()
    {
        var store = new TamperingStore(new InMemoryLedgerStore());
        var h = new LedgerHarness(store: store, cacheSlots: 0);
        await h.EarnAsync(100, "order-1");
        await h.Ledger.EarnAsync(new EarnPoints(Id("order-2"), Alice, P(50)) { ExpiresAt = h.Clock.GetCurrentInstant() + Duration.FromDays(1) });
        (await h.RedeemAsync(30, "redeem-1")).Succeeded.Should().BeTrue();
        (await h.Ledger.HoldAsync(new HoldPoints(Id("hold-1"), Alice, P(10)))).Succeeded.Should().BeTrue();
        (await h.Ledger.CaptureAsync(new CaptureHold(Id("capture-1"), Alice, Id("hold-1")))).Succeeded.Should().BeTrue();
        (await h.Ledger.HoldAsync(new HoldPoints(Id("hold-2"), Alice, P(5)))).Succeeded.Should().BeTrue();
        (await h.Ledger.ReleaseAsync(new ReleaseHold(Id("release-2"), Alice, Id("hold-2")))).Succeeded.Should().BeTrue();
        (await h.Ledger.ReverseAsync(new ReversePoints(Id("refund-1"), Alice, Id("order-1"), P(20)) { Reason = "returned" })).Succeeded.Should().BeTrue();
        (await h.Ledger.AdjustAsync(new AdjustPoints(Id("goodwill-1"), Alice, AdjustmentDirection.Credit, P(7), "late delivery", "agent-42"))).Succeeded.Should().BeTrue();
        h.Advance(Duration.FromDays(2));
        (await h.Ledger.ExpireDueAsync(h.Clock.GetCurrentInstant())).Should().NotBeNull();
        return (h, store);
    }

    /// <summary>Reads the in-memory store through an edit, as if rows had been changed behind the library's back.</summary>
    private sealed class TamperingStore(InMemoryLedgerStore inner) : ForwardingLedgerStore(inner), ILedgerSnapshotSource
    {
        private readonly InMemoryLedgerStore snapshots = inner;

        public Func<LedgerTransactionRecord, LedgerTransactionRecord?> Edit { get; set; } = tx => tx;

        public Func<LedgerAccountHead, LedgerAccountHead> EditHead { get; set; } = head => head;

        public override async ValueTask<LedgerAccountHead?> GetHeadAsync(LedgerAccountKey account, CancellationToken cancellationToken = default)
            => await Inner.GetHeadAsync(account, cancellationToken) is { } head ? EditHead(head) : null;

        public override async ValueTask<LedgerHistoryPage> ReadHistoryAsync(LedgerAccountKey account, long afterVersion, int maxCount, CancellationToken cancellationToken = default)
        {
            var page = await Inner.ReadHistoryAsync(account, afterVersion, maxCount, cancellationToken);
            return page with { Transactions = [.. page.Transactions.Select(Edit).OfType<LedgerTransactionRecord>()] };
        }

        public ValueTask<IReadOnlyList<LedgerAccountSnapshot>> ReadAccountSnapshotsAsync(ProgramId programId, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default)
            => snapshots.ReadAccountSnapshotsAsync(programId, afterMember, maxCount, cancellationToken);
    }

    /// <summary>A store without the optional account listing.</summary>
    private sealed class ListlessStore(InMemoryLedgerStore inner) : ForwardingLedgerStore(inner);

    private sealed class SynchronousProgress(List<LedgerVerification> seen) : IProgress<LedgerVerification>
    {
        public void Report(LedgerVerification value) => seen.Add(value);
    }
}
