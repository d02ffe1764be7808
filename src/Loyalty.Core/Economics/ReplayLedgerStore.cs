using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Economics;

/// <summary>
/// The ledger store of one backtest: what <see cref="PointsLedger"/> writes, kept in plain
/// dictionaries for one writer. The ledger decides every transaction (lots, pending points, expiry,
/// spending order, reversals) exactly as in production; this store only keeps what it appends, with
/// the same compare-and-append contract as <see cref="Storage.InMemory.InMemoryLedgerStore"/> (version
/// check, programme-wide unique transaction ids) but without the locks, the expiry index and the
/// snapshot copies a shared store needs. It also hands the backtest each account's open lots at a
/// month end without decoding a snapshot.
/// </summary>
/// <remarks>Not thread-safe: a backtest replays on one thread per store. Holds are not kept (a backtest never places one).</remarks>
internal sealed class ReplayLedgerStore(ProgramId program, int expectedAccounts, int expectedTransactions) : ILedgerStore
{
    private readonly Dictionary<MemberId, Account> accounts = new(expectedAccounts);
    private readonly Dictionary<TransactionId, LedgerTransactionRecord> transactions = new(expectedTransactions);

    /// <summary>The account of <paramref name="member"/>, or null when it has no transaction.</summary>
    public Account? Find(MemberId member) => accounts.GetValueOrDefault(member);

    /// <inheritdoc />
    public ValueTask<LedgerAccountSnapshot> GetAccountAsync(LedgerAccountKey account, CancellationToken cancellationToken = default)
    {
        Check(account);
        if (!accounts.TryGetValue(account.MemberId, out var data))
        {
            return new(new LedgerAccountSnapshot(null, [], []));
        }

        var open = new List<LedgerLotRecord>(data.Lots.Count);
        foreach (var lot in data.Lots)
        {
            if (lot.Remaining != 0)
            {
                open.Add(lot);
            }
        }

        return new(new LedgerAccountSnapshot(data.Head, open, []));
    }

    /// <inheritdoc />
    public ValueTask<LedgerAccountHead?> GetHeadAsync(LedgerAccountKey account, CancellationToken cancellationToken = default)
    {
        Check(account);
        return new(accounts.TryGetValue(account.MemberId, out var data) ? data.Head : null);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<LedgerLotRecord>> GetLotsAsync(LedgerAccountKey account, IReadOnlyCollection<TransactionId> lotIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lotIds);
        Check(account);
        var found = new List<LedgerLotRecord>(lotIds.Count);
        if (accounts.TryGetValue(account.MemberId, out var data))
        {
            foreach (var id in lotIds)
            {
                if (data.IndexOf(id) is var i and >= 0)
                {
                    found.Add(data.Lots[i]);
                }
            }
        }

        return new(found);
    }

    /// <inheritdoc />
    public ValueTask<LedgerHoldRecord?> GetHoldAsync(LedgerAccountKey account, TransactionId holdId, CancellationToken cancellationToken = default)
    {
        Check(account);
        return new((LedgerHoldRecord?)null);
    }

    /// <inheritdoc />
    public ValueTask<LedgerTransactionRecord?> FindTransactionAsync(ProgramId programId, TransactionId transactionId, CancellationToken cancellationToken = default)
        => new(programId == program ? transactions.GetValueOrDefault(transactionId) : null);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<LedgerTransactionRecord>> FindRelatedAsync(LedgerAccountKey account, TransactionId relatedId, CancellationToken cancellationToken = default)
    {
        Check(account);
        return new(accounts.TryGetValue(account.MemberId, out var data) && data.Related?.GetValueOrDefault(relatedId) is { } list
            ? list.ToArray()
            : Array.Empty<LedgerTransactionRecord>());
    }

    /// <inheritdoc />
    public ValueTask<LedgerHistoryPage> ReadHistoryAsync(LedgerAccountKey account, long afterVersion, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterVersion);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        Check(account);
        if (!accounts.TryGetValue(account.MemberId, out var data))
        {
            return new(new LedgerHistoryPage([], null));
        }

        var start = (int)Math.Min(afterVersion, data.Log.Count);
        var count = Math.Min(maxCount, data.Log.Count - start);
        long? next = start + count < data.Log.Count ? start + count : null;
        return new(new LedgerHistoryPage(data.Log.GetRange(start, count), next));
    }

    /// <summary>Every account's whole history (the backtest's breakage estimate reads them once, at the end).</summary>
    public IReadOnlyList<LedgerTransactionRecord> History(MemberId member) => accounts.TryGetValue(member, out var data) ? data.Log : [];

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<LedgerAccountKey>> FindAccountsDueAsync(ProgramId programId, Instant dueBy, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var due = new List<LedgerAccountKey>();
        if (programId != program)
        {
            return new(due);
        }

        foreach (var (member, data) in accounts.OrderBy(a => a.Key))
        {
            if ((afterMember is null || member.CompareTo(afterMember.Value) > 0) && data.Head?.NextExpiryAt is { } next && next <= dueBy)
            {
                due.Add(new LedgerAccountKey(program, member));
                if (due.Count == maxCount)
                {
                    break;
                }
            }
        }

        return new(due);
    }

    /// <inheritdoc />
    public ValueTask<LedgerAppendResult> AppendAsync(LedgerAppend append, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(append);
        append.EnsureWellFormed();
        Check(append.Account);
        if (append.Holds.Count > 0)
        {
            throw new InvalidOperationException("A backtest's ledger store keeps no holds; the replay never places one.");
        }

        if (!accounts.TryGetValue(append.Account.MemberId, out var data))
        {
            data = new Account();
            accounts.Add(append.Account.MemberId, data);
        }

        var current = data.Head?.Version ?? 0;
        if (current != append.ExpectedVersion)
        {
            return new(new LedgerAppendResult(LedgerAppendStatus.VersionConflict, current));
        }

        var txs = append.Transactions;
        for (var i = 0; i < txs.Count; i++)
        {
            if (!transactions.TryAdd(txs[i].Id, txs[i]))
            {
                for (var j = 0; j < i; j++)
                {
                    transactions.Remove(txs[j].Id);
                }

                return new(new LedgerAppendResult(LedgerAppendStatus.Duplicate, current, txs[i].Id));
            }
        }

        for (var i = 0; i < txs.Count; i++)
        {
            var tx = txs[i];
            data.Log.Add(tx);
            if (tx.RelatedId is { } related)
            {
                data.Related ??= [];
                if (!data.Related.TryGetValue(related, out var list))
                {
                    data.Related[related] = list = [];
                }

                list.Add(tx);
            }
        }

        for (var i = 0; i < append.Lots.Count; i++)
        {
            var lot = append.Lots[i];
            if (data.IndexOf(lot.LotId) is var at and >= 0)
            {
                data.Lots[at] = lot;
            }
            else
            {
                data.Lots.Add(lot);
            }
        }

        data.Head = append.Head;
        return new(new LedgerAppendResult(LedgerAppendStatus.Appended, append.Head.Version));
    }

    private void Check(LedgerAccountKey account)
    {
        if (account.ProgramId != program)
        {
            throw new InvalidOperationException($"The backtest's ledger store holds programme '{program}' only, not '{account.ProgramId}'.");
        }
    }

    /// <summary>One account: head, log, every lot (open or spent) and the transactions relating to another.</summary>
    internal sealed class Account
    {
        public LedgerAccountHead? Head { get; set; }

        public List<LedgerTransactionRecord> Log { get; } = new(8);

        public List<LedgerLotRecord> Lots { get; } = new(8);

        public Dictionary<TransactionId, List<LedgerTransactionRecord>>? Related { get; set; }

        /// <summary>The liability view built at the version it was built from (reused while the account is unchanged).</summary>
        public (long Version, LiabilityAccount Account)? Liability { get; set; }

        public int IndexOf(TransactionId lotId)
        {
            for (var i = Lots.Count - 1; i >= 0; i--)
            {
                if (Lots[i].LotId == lotId)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
