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
/// <remarks>
/// <para>Not thread-safe: a backtest replays on one thread per store. Holds are not kept (a backtest never places one).</para>
/// <para>A store made with <see cref="ReplayLedgerStore(ProgramId, int, IReadOnlySet{TransactionId}, ExpiryPolicy, DateTimeZone, Instant)"/>
/// keeps only what the replay reads again, so that what it holds does not grow with the orders: each
/// account as the ledger's own <see cref="AccountState"/> (its open lots; no head, lot or transaction
/// record per write), no history (<see cref="ReadHistoryAsync"/> refuses), and of the transactions
/// and spent lots only the earns a refund will reverse, their lots and the reversals (the replay's
/// other ids — order, sign-up and redemption ids — are unique by construction, so the store does not
/// check them). The replay writes its earns and redemptions straight into those states
/// (<see cref="Open"/>, <see cref="Writing"/>, <see cref="PointsLedger.EarnInto"/> or
/// <see cref="PointsLedger.RedeemFrom"/>, <see cref="Written"/>); a ledger over the store (the
/// refunds' reversals) reads a snapshot of the state and its append replaces the state with the one
/// decoded from what it wrote. It feeds the breakage cohorts as it is written instead: each
/// transaction's movements, then each account's open lots as they stand at the cohorts' instant.</para>
/// </remarks>
internal sealed class ReplayLedgerStore : ILedgerStore
{
    private readonly ProgramId program;
    private readonly Dictionary<MemberId, Account> accounts;
    private readonly Dictionary<TransactionId, LedgerTransactionRecord> transactions;
    private readonly Dictionary<TransactionId, LedgerLotRecord> reversibleLots = [];
    private readonly IReadOnlySet<TransactionId>? reversible;
    private readonly ExpiryPolicy? policy;
    private readonly DateTimeZone? zone;
    private readonly Instant cohortsAsOf;

    /// <summary>A store that keeps every transaction, lot and account history.</summary>
    public ReplayLedgerStore(ProgramId program, int expectedAccounts, int expectedTransactions)
    {
        this.program = program;
        accounts = new(expectedAccounts);
        transactions = new(expectedTransactions);
    }

    /// <summary>
    /// A store that keeps no history and no spent lot, only the transactions <paramref name="reversible"/>
    /// names and the reversals, and accumulates the breakage cohorts as of <paramref name="cohortsAsOf"/> in <see cref="Cohorts"/>.
    /// </summary>
    /// <param name="program">The programme.</param>
    /// <param name="expectedAccounts">The accounts to size for.</param>
    /// <param name="reversible">The ids of the transactions a reversal will name (their lots are kept when spent).</param>
    /// <param name="policy">The ledger's expiry policy.</param>
    /// <param name="zone">The programme's zone.</param>
    /// <param name="cohortsAsOf">The instant of the breakage estimate: transactions recorded after it are not counted, and each account's open lots are counted as they stand at it.</param>
    public ReplayLedgerStore(ProgramId program, int expectedAccounts, IReadOnlySet<TransactionId> reversible, ExpiryPolicy policy, DateTimeZone zone, Instant cohortsAsOf)
    {
        this.program = program;
        accounts = new(expectedAccounts);
        this.reversible = reversible;
        transactions = new(reversible.Count * 2);
        this.policy = policy;
        this.zone = zone;
        this.cohortsAsOf = cohortsAsOf;
        Cohorts = new BreakageCohorts(zone);
    }

    /// <summary>The breakage cohorts fed so far (null for a store that keeps every history).</summary>
    public BreakageCohorts? Cohorts { get; }

    private bool KeepsHistory => reversible is null;

    /// <summary>The account of <paramref name="member"/>, or null when it has no transaction.</summary>
    public Account? Find(MemberId member) => accounts.GetValueOrDefault(member);

    /// <summary>
    /// The account of <paramref name="member"/> with its state, opened (empty, under <paramref name="ledger"/>'s
    /// policy, with room for <paramref name="expectedLots"/> lots) when it has none: what the replay writes
    /// into (a store that keeps no history only).
    /// </summary>
    public Account Open(MemberId member, PointsLedger ledger, int expectedLots = 0)
    {
        EnsureCompact();
        if (!accounts.TryGetValue(member, out var data))
        {
            data = new Account();
            accounts.Add(member, data);
        }

        if (data.State is null)
        {
            data.State = ledger.NewAccountState(member);
            data.State.Lots.EnsureCapacity(expectedLots);
        }

        return data;
    }

    /// <summary>
    /// Called before the replay writes at <paramref name="now"/> into <paramref name="account"/>'s state (or
    /// through a ledger over this store): the first write after the cohorts' instant counts the account's open
    /// lots as they stand before it.
    /// </summary>
    public void Writing(Account account, Instant now)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (Cohorts is not null && now > cohortsAsOf)
        {
            CountOpenLots(account);
        }
    }

    /// <summary>
    /// Called once the ledger has applied <paramref name="tx"/> to <paramref name="account"/>'s state
    /// (<see cref="PointsLedger.EarnInto"/>, <see cref="PointsLedger.RedeemFrom"/>): feeds the cohorts, keeps
    /// the transaction and the lots a reversal will name, and settles the state.
    /// </summary>
    public void Written(Account account, LedgerTransactionRecord tx)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(tx);
        var state = account.State ?? throw new InvalidOperationException("The account has no state; open it first.");
        if (tx.MemberId != state.Key.MemberId || tx.Version != state.Version)
        {
            throw new InvalidOperationException($"Transaction '{tx.Id}' (version {tx.Version} of member '{tx.MemberId}') is not the last one applied to account {state.Key} (version {state.Version}).");
        }

        if (Cohorts is not null && tx.RecordedAt <= cohortsAsOf)
        {
            Cohorts.Add(tx, new StateLotCreations(state));
        }

        if (Kept(tx))
        {
            transactions.Add(tx.Id, tx);
        }

        Relate(account, tx);
        if (reversible!.Count > 0)
        {
            var movements = tx.Movements;
            for (var i = 0; i < movements.Count; i++)
            {
                if (reversible.Contains(movements[i].LotId))
                {
                    reversibleLots[movements[i].LotId] = state.Lots[movements[i].LotId].ToRecord();
                }
            }
        }

        state.Settle();
    }

    /// <inheritdoc />
    public ValueTask<LedgerAccountSnapshot> GetAccountAsync(LedgerAccountKey account, CancellationToken cancellationToken = default)
    {
        Check(account);
        if (!accounts.TryGetValue(account.MemberId, out var data))
        {
            return new(new LedgerAccountSnapshot(null, [], []));
        }

        if (!KeepsHistory)
        {
            return new(Snapshot(data));
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
        return new(accounts.TryGetValue(account.MemberId, out var data) ? HeadOf(data) : null);
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
                if (!KeepsHistory)
                {
                    if (data.State?.Lots.GetValueOrDefault(id) is { } lot)
                    {
                        found.Add(lot.ToRecord());
                    }
                    else if (reversibleLots.TryGetValue(id, out var record))
                    {
                        found.Add(record);
                    }
                }
                else if (data.IndexOf(id) is var i and >= 0)
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
    /// <remarks>A store that keeps no history finds only the transactions it was told a reversal will name, and the reversals.</remarks>
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
        if (!KeepsHistory)
        {
            throw new InvalidOperationException("This backtest ledger store keeps no history; make it with the constructor that keeps every transaction to read one.");
        }

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

    /// <summary>
    /// Adds to <see cref="Cohorts"/> the open lots of every account not yet counted (each as it stands
    /// now): called once the replay has written everything recorded up to the cohorts' instant.
    /// </summary>
    public void CountOpenLots()
    {
        foreach (var (_, data) in accounts)
        {
            CountOpenLots(data);
        }
    }

    private void CountOpenLots(Account data)
    {
        if (Cohorts is null || data.OpenLotsCounted)
        {
            return;
        }

        // An account whose first transaction comes after the cohorts' instant had nothing at it.
        data.OpenLotsCounted = true;
        if (data.State is { Version: > 0 } state)
        {
            // The ledger's own account state, settled: its open lots, as it would decode them from a snapshot.
            Cohorts.AddOpenLots(state, cohortsAsOf);
        }
    }

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
            if ((afterMember is null || member.CompareTo(afterMember.Value) > 0) && HeadOf(data)?.NextExpiryAt is { } next && next <= dueBy)
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

        var current = KeepsHistory ? data.Head?.Version ?? 0 : data.State?.Version ?? 0;
        if (current != append.ExpectedVersion)
        {
            return new(new LedgerAppendResult(LedgerAppendStatus.VersionConflict, current));
        }

        var txs = append.Transactions;
        for (var i = 0; i < txs.Count; i++)
        {
            if (Kept(txs[i]) && !transactions.TryAdd(txs[i].Id, txs[i]))
            {
                for (var j = 0; j < i; j++)
                {
                    if (Kept(txs[j]))
                    {
                        transactions.Remove(txs[j].Id);
                    }
                }

                return new(new LedgerAppendResult(LedgerAppendStatus.Duplicate, current, txs[i].Id));
            }
        }

        if (Cohorts is not null)
        {
            Count(append, data);
        }

        for (var i = 0; i < txs.Count; i++)
        {
            var tx = txs[i];
            if (KeepsHistory)
            {
                data.Log.Add(tx);
            }

            Relate(data, tx);
        }

        if (!KeepsHistory)
        {
            Replace(append, data);
            return new(new LedgerAppendResult(LedgerAppendStatus.Appended, append.Head.Version));
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

    /// <summary>
    /// A store that keeps no history: the account's state after <paramref name="append"/>, decoded as the
    /// ledger decodes a snapshot (the append's head, the open lots as the append leaves them), and the latest
    /// record of every lot a reversal will name.
    /// </summary>
    private void Replace(LedgerAppend append, Account data)
    {
        var changed = new Dictionary<TransactionId, LedgerLotRecord>(append.Lots.Count);
        foreach (var lot in append.Lots)
        {
            changed[lot.LotId] = lot;
            if (reversible!.Contains(lot.LotId))
            {
                reversibleLots[lot.LotId] = lot;
            }
        }

        var open = new List<LedgerLotRecord>();
        if (data.State is { } before)
        {
            foreach (var lot in before.Lots.Values)
            {
                var record = changed.Remove(lot.Id, out var after) ? after : lot.ToRecord();
                if (record.Remaining != 0)
                {
                    open.Add(record);
                }
            }
        }

        foreach (var lot in append.Lots)
        {
            if (changed.ContainsKey(lot.LotId) && lot.Remaining != 0)
            {
                open.Add(lot);
            }
        }

        data.State = AccountState.FromSnapshot(append.Account, new LedgerAccountSnapshot(append.Head, open, []), policy!, zone!);
    }

    /// <summary>A store that keeps no history: the account's snapshot, from its state.</summary>
    private static LedgerAccountSnapshot Snapshot(Account data)
    {
        if (data.State is not { Version: > 0 } state)
        {
            return new LedgerAccountSnapshot(null, [], []);
        }

        var open = new List<LedgerLotRecord>(state.Lots.Count);
        foreach (var lot in state.Lots.Values)
        {
            if (lot.Remaining != 0)
            {
                open.Add(lot.ToRecord());
            }
        }

        return new LedgerAccountSnapshot(state.ToHead(state.UpdatedAt), open, []);
    }

    /// <summary>The account's head: the last one appended, or (a store that keeps no history) the state's after its last write.</summary>
    private LedgerAccountHead? HeadOf(Account data)
        => KeepsHistory ? data.Head : data.State is { Version: > 0 } state ? state.ToHead(state.UpdatedAt) : null;

    private static void Relate(Account data, LedgerTransactionRecord tx)
    {
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

    private void EnsureCompact()
    {
        if (KeepsHistory)
        {
            throw new InvalidOperationException("This backtest ledger store keeps every transaction; only a store that keeps no history is written into directly.");
        }
    }

    /// <summary>Whether the store keeps <paramref name="tx"/> (every one when it keeps the history).</summary>
    private bool Kept(LedgerTransactionRecord tx) => KeepsHistory || tx.RelatedId is not null || reversible!.Contains(tx.Id);

    /// <summary>Feeds the cohorts with the append's transactions recorded by their instant; at the first one after it, counts the account's open lots first.</summary>
    private void Count(LedgerAppend append, Account data)
    {
        var txs = append.Transactions;
        if (txs[0].RecordedAt > cohortsAsOf)
        {
            CountOpenLots(data);
            return;
        }

        if (txs[^1].RecordedAt > cohortsAsOf)
        {
            throw new InvalidOperationException($"An append to account {append.Account} has transactions recorded before and after {cohortsAsOf}; a backtest writes one transaction at a time.");
        }

        foreach (var tx in txs)
        {
            Cohorts!.Add(tx, new LotCreations(append, data));
        }
    }

    /// <summary>A lot's creation instant: from the append's lots (every lot a transaction moves is among them), else from the account's.</summary>
    private readonly struct LotCreations(LedgerAppend append, Account data) : BreakageCohorts.ILotCreations
    {
        public Instant CreatedAt(TransactionId lot)
        {
            var lots = append.Lots;
            for (var i = 0; i < lots.Count; i++)
            {
                if (lots[i].LotId == lot)
                {
                    return lots[i].CreatedAt;
                }
            }

            if (data.State is { } state)
            {
                return state.Lots.TryGetValue(lot, out var own) ? own.CreatedAt
                    : throw new InvalidOperationException($"A transaction moves lot '{lot}', which account {append.Account} does not have.");
            }

            return data.IndexOf(lot) is var at and >= 0
                ? data.Lots[at].CreatedAt
                : throw new InvalidOperationException($"A transaction moves lot '{lot}', which account {append.Account} does not have.");
        }
    }

    /// <summary>A lot's creation instant from an account's state (every lot a transaction applied to it moves is among its lots until it settles).</summary>
    private readonly struct StateLotCreations(AccountState state) : BreakageCohorts.ILotCreations
    {
        public Instant CreatedAt(TransactionId lot) => state.Lots[lot].CreatedAt;
    }

    private void Check(LedgerAccountKey account)
    {
        if (account.ProgramId != program)
        {
            throw new InvalidOperationException($"The backtest's ledger store holds programme '{program}' only, not '{account.ProgramId}'.");
        }
    }

    /// <summary>
    /// One account: head, log and lots (a store that keeps the history), or the ledger's state of the account
    /// (a store that keeps none), and the transactions relating to another.
    /// </summary>
    internal sealed class Account
    {
        private List<LedgerTransactionRecord>? log;
        private List<LedgerLotRecord>? lots;

        public LedgerAccountHead? Head { get; set; }

        public List<LedgerTransactionRecord> Log => log ??= new(8);

        public List<LedgerLotRecord> Lots => lots ??= new(8);

        /// <summary>The account's state, settled (a store that keeps no history), or null before it is opened or written.</summary>
        public AccountState? State { get; set; }

        public Dictionary<TransactionId, List<LedgerTransactionRecord>>? Related { get; set; }

        /// <summary>Whether the account's open lots were added to the breakage cohorts.</summary>
        public bool OpenLotsCounted { get; set; }

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
