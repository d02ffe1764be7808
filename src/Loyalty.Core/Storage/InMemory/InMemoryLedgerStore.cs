using System.Collections.Concurrent;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>
/// A thread-safe, in-process <see cref="ILedgerStore"/>: the default store, for tests, samples
/// and single-process shops that accept losing the ledger on restart.
/// </summary>
/// <remarks>
/// Each account is guarded by its own lock, so writes on different accounts run in parallel;
/// transaction ids are reserved programme-wide in the same critical section, so a duplicate id
/// or a version conflict leaves nothing written. Every member completes synchronously. The accounts
/// that ever had a dated expiry are indexed by member id per programme (a sorted chunk list an account
/// joins with its first dated lot and stays in), so <see cref="FindAccountsDueAsync"/> pages through
/// them in one pass, skipping those with nothing dated now: O(log n + accounts walked) per page, never
/// a scan and sort of every account, and an append never has to take an account out of the index.
/// Each account also keeps the ledger's decoded state of its open lots and holds (bounded like the
/// ledger's own cache), so a write through the ledger never decodes an account it wrote before.
/// Transactions are kept as bytes in one store-wide log, encoded once when appended: a transaction read
/// back is a new record equal in content to the one appended (its movements a new list), not that instance.
/// </remarks>
public sealed partial class InMemoryLedgerStore : ILedgerStore, IAccountStateKeeper
{
    private readonly ConcurrentDictionary<LedgerAccountKey, Account> accounts = new();
    private readonly TransactionIndex transactions = new();
    // Every transaction as bytes (see ByteArena), by recording instant for the feed; decoded on read.
    private readonly ByteArena<LedgerTransactionRecord> log = new(LedgerTransactionCodec.Instance, keyed: true);
    private readonly RecordArena<LedgerLotRecord> lotLog = new();
    private readonly ConcurrentDictionary<ProgramId, OrderedIndex<string>> expiring = new();
    private long keptEntries;

    /// <summary>The transaction log (for tests: what a rewrite leaves in it).</summary>
    internal ByteArena<LedgerTransactionRecord> TransactionLog => log;

    /// <inheritdoc />
    public ValueTask<LedgerAccountSnapshot> GetAccountAsync(LedgerAccountKey account, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new(Snapshot(account));
    }

    /// <inheritdoc />
    public ValueTask<LedgerAccountHead?> GetHeadAsync(LedgerAccountKey account, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!accounts.TryGetValue(account, out var data))
        {
            return new((LedgerAccountHead?)null);
        }

        lock (data)
        {
            return new(data.Head);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<LedgerLotRecord>> GetLotsAsync(LedgerAccountKey account, IReadOnlyCollection<TransactionId> lotIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lotIds);
        cancellationToken.ThrowIfCancellationRequested();
        if (!accounts.TryGetValue(account, out var data))
        {
            return new(Array.Empty<LedgerLotRecord>());
        }

        lock (data)
        {
            var found = new List<LedgerLotRecord>(lotIds.Count);
            foreach (var id in lotIds)
            {
                if (data.Lots.Find(lotLog, id) is var position and >= 0)
                {
                    found.Add(lotLog[position]);
                }
            }

            return new(found);
        }
    }

    /// <inheritdoc />
    public ValueTask<LedgerHoldRecord?> GetHoldAsync(LedgerAccountKey account, TransactionId holdId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!accounts.TryGetValue(account, out var data))
        {
            return new((LedgerHoldRecord?)null);
        }

        lock (data)
        {
            return new(data.HoldsIfAny?.GetValueOrDefault(holdId));
        }
    }

    /// <inheritdoc />
    public ValueTask<LedgerTransactionRecord?> FindTransactionAsync(ProgramId programId, TransactionId transactionId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new(transactions.Find((programId, transactionId)) is var position and >= 0 ? log.Find(position) : null);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<LedgerTransactionRecord>> FindRelatedAsync(LedgerAccountKey account, TransactionId relatedId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!accounts.TryGetValue(account, out var data))
        {
            return new(Array.Empty<LedgerTransactionRecord>());
        }

        lock (data)
        {
            return new(data.RelatedIfAny is { } related && related.TryGetValue(relatedId, out var list) ? list.Select(p => log[p]).ToArray() : Array.Empty<LedgerTransactionRecord>());
        }
    }

    /// <inheritdoc />
    public ValueTask<LedgerHistoryPage> ReadHistoryAsync(LedgerAccountKey account, long afterVersion, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterVersion);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        cancellationToken.ThrowIfCancellationRequested();
        if (!accounts.TryGetValue(account, out var data))
        {
            return new(new LedgerHistoryPage([], null));
        }

        lock (data)
        {
            var start = (int)Math.Min(afterVersion, data.Log.Count);
            var count = Math.Min(maxCount, data.Log.Count - start);
            var page = new LedgerTransactionRecord[count];
            for (var i = 0; i < count; i++)
            {
                page[i] = log[data.Log[start + i]];
            }

            long? next = start + count < data.Log.Count ? start + count : null;
            return new(new LedgerHistoryPage(page, next));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<LedgerAccountKey>> FindAccountsDueAsync(ProgramId programId, Instant dueBy, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var due = new List<LedgerAccountKey>();
        if (!expiring.TryGetValue(programId, out var index))
        {
            return new(due);
        }

        lock (index)
        {
            index.Walk(afterMember?.Value ?? string.Empty, inclusive: afterMember is null, id =>
            {
                var key = new LedgerAccountKey(programId, MemberId.From(id));
                if (accounts.TryGetValue(key, out var data) && Volatile.Read(ref data.NextExpiry) is { } next && next.At <= dueBy)
                {
                    due.Add(key);
                }

                return due.Count < maxCount ? OrderedIndex<string>.Step.Go : OrderedIndex<string>.Step.Stop;
            });
        }

        return new(due);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<LedgerAccountSnapshot>> GetAccountsAsync(ProgramId programId, IReadOnlyList<MemberId> members, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        cancellationToken.ThrowIfCancellationRequested();
        var snapshots = new LedgerAccountSnapshot[members.Count];
        for (var i = 0; i < snapshots.Length; i++)
        {
            snapshots[i] = Snapshot(new LedgerAccountKey(programId, members[i]));
        }

        return new(snapshots);
    }

    /// <inheritdoc />
    public ValueTask<LedgerAppendResult> AppendAsync(LedgerAppend append, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(append);
        cancellationToken.ThrowIfCancellationRequested();
        append.EnsureWellFormed();

        var data = accounts.GetOrAdd(append.Account, static _ => new Account());
        lock (data)
        {
            var current = data.Version;
            if (data.Retired || current != append.ExpectedVersion || !data.IsIncarnation(append.Incarnation))
            {
                return new(new LedgerAppendResult(LedgerAppendStatus.VersionConflict, current));
            }

            var programId = append.Account.ProgramId;
            var positions = append.Transactions.Count == 1 ? null : new int[append.Transactions.Count];
            var first = -1;
            for (var i = 0; i < append.Transactions.Count; i++)
            {
                var tx = append.Transactions[i];
                var position = log.Add(tx);
                if (positions is null)
                {
                    first = position;
                }
                else
                {
                    positions[i] = position;
                }

                if (!transactions.TryAdd((programId, tx.Id), position))
                {
                    // A duplicate id: the transactions indexed so far leave the index, and all of them the log.
                    for (var j = 0; j <= i; j++)
                    {
                        if (j < i)
                        {
                            transactions.Remove((programId, append.Transactions[j].Id));
                        }

                        log.Forget(positions?[j] ?? first);
                    }

                    return new(new LedgerAppendResult(LedgerAppendStatus.Duplicate, current, tx.Id));
                }
            }

            for (var i = 0; i < append.Transactions.Count; i++)
            {
                var tx = append.Transactions[i];
                var position = positions?[i] ?? first;
                data.Log.Add(position);
                if (tx.RelatedId is { } related)
                {
                    if (!data.Related.TryGetValue(related, out var list))
                    {
                        data.Related[related] = list = [];
                    }

                    list.Add(position);
                }
            }

            for (var i = 0; i < append.Lots.Count; i++)
            {
                data.Lots.Set(lotLog, append.Lots[i]);
            }

            for (var i = 0; i < append.Holds.Count; i++)
            {
                var hold = append.Holds[i];
                data.Holds[hold.HoldId] = hold;
                if (hold.Status == LedgerHoldStatus.Open)
                {
                    data.OpenHolds.Add(hold.HoldId);
                }
                else
                {
                    data.OpenHoldsIfAny?.Remove(hold.HoldId);
                }
            }

            if (current == 0)
            {
                data.Incarnation = append.Incarnation ?? new object();
            }

            data.Head = append.Head;

            // A state still kept here is of the version before this append (the ledger takes it before deciding):
            // written by another writer, it is stale now and would only cost that ledger a refused append.
            TakeKept(data);
            if (append.Head.NextExpiryAt is not null && !data.Indexed)
            {
                // Listed once, when the account first has a dated expiry, and never taken out: an account whose
                // last dated lot went is skipped by the due check of the walk, and an expiry night that empties
                // thousands of accounts never shifts the index.
                var index = expiring.GetOrAdd(programId, static _ => new OrderedIndex<string>(StringComparer.Ordinal));
                lock (index)
                {
                    index.Add(append.Account.MemberId.Value);
                }

                data.Indexed = true;
            }

            return new(new LedgerAppendResult(LedgerAppendStatus.Appended, append.Head.Version));
        }
    }

    /// <inheritdoc />
    AccountState? IAccountStateKeeper.TakeState(LedgerAccountKey account)
    {
        if (!accounts.TryGetValue(account, out var data))
        {
            return null;
        }

        lock (data)
        {
            return TakeKept(data);
        }
    }

    /// <inheritdoc />
    void IAccountStateKeeper.KeepState(AccountState state)
    {
        var count = state.Lots.Count + state.Holds.Count;
        if (count > AccountStateCache.MaxOpenEntries || !accounts.TryGetValue(state.Key, out var data))
        {
            return;
        }

        lock (data)
        {
            // Only the store's current version is kept: a state decided on an older one, or on an account
            // re-keyed since (or on an account created again under the same key), would serve a later write with
            // what the store no longer has.
            if (data.Retired || data.Version != state.Version || !data.IsIncarnation(state.Incarnation))
            {
                return;
            }

            TakeKept(data);
            if (Interlocked.Add(ref keptEntries, count) > AccountStateCache.MaxCachedEntries)
            {
                Interlocked.Add(ref keptEntries, -count);
                return;
            }

            state.CachedEntries = count;
            data.State = state;
        }
    }

    /// <summary>Removes and returns the account's kept state (the caller holds the account's lock), or null.</summary>
    private AccountState? TakeKept(Account data)
    {
        if (data.State is not { } state)
        {
            return null;
        }

        data.State = null;
        Interlocked.Add(ref keptEntries, -state.CachedEntries);
        return state;
    }

    private LedgerAccountSnapshot Snapshot(LedgerAccountKey account)
    {
        if (!accounts.TryGetValue(account, out var data))
        {
            return new LedgerAccountSnapshot(null, [], []);
        }

        lock (data)
        {
            var lots = data.Lots.ReadOpen(lotLog);
            var holds = data.OpenHoldsIfAny is not { Count: > 0 } open ? [] : new LedgerHoldRecord[open.Count];
            if (holds.Length > 0)
            {
                var i = 0;
                foreach (var id in data.OpenHoldsIfAny!)
                {
                    holds[i++] = data.Holds[id];
                }
            }

            // A snapshot is read to decode an account or to walk a page of due accounts: its head is built for it
            // and not kept (kept, it would outlive the young generation on every account a night reads).
            return new LedgerAccountSnapshot(data.HeadUncached, lots, holds) { Incarnation = data.Incarnation };
        }
    }

    private sealed class Account
    {
        /// <summary>The account's transactions in version order: their positions in the store's log (see <see cref="ByteArena{T}"/>).</summary>
        public readonly List<int> Log = [];
        /// <summary>The account's lots (in the store's lot log).</summary>
        public readonly LotIndex Lots = new();
        // The head's values, kept in place: every write replaces the head, and a head kept as given would live
        // until the account's next write, copied out of the young generation by the next collection and marked
        // through this older object, for every account written since (see InMemoryMemberStore's member data).
        private HeadParts head;

        // The head built for the last read, until the next write: a balance asked twice builds one head (a write
        // never keeps one, so the write path points the account at no new object).
        private LedgerAccountHead? read;

        /// <summary>The next dated expiry, for the due walk that reads it without the account's lock (replaced only when it changes).</summary>
        public NextExpiryBox? NextExpiry;

        /// <summary>The account's head (built on the first read after a write), or null before its first transaction; read and set under the account's lock.</summary>
        public LedgerAccountHead? Head
        {
            get => read ??= head.ToHead();
            set
            {
                head = new HeadParts(value);
                read = null;
                var next = value?.NextExpiryAt;
                if (NextExpiry?.At != next)
                {
                    Volatile.Write(ref NextExpiry, next is { } at ? new NextExpiryBox(at) : null);
                }
            }
        }

        /// <summary>The head built by the last <see cref="Head"/> read if there is one, else a new head not kept (for reads that do not come back before the next write); read under the account's lock.</summary>
        public LedgerAccountHead? HeadUncached => read ?? head.ToHead();

        /// <summary>Whether the account has a head (a transaction, or a rewrite that gave it one).</summary>
        public bool HasHead => head.Present;

        /// <summary>The head's version, 0 before the first transaction.</summary>
        public long Version => head.Version;

        // Holds and related transactions (captures, releases, reversals) are created with the first one: most
        // accounts never have any, and a store keeps an account per member, so three empty collections per
        // account would be three more objects for every collection of the old generation to trace.
        private Dictionary<TransactionId, LedgerHoldRecord>? holds;
        private HashSet<TransactionId>? openHolds;
        private Dictionary<TransactionId, List<int>>? related;

        /// <summary>Every hold by id (created on first use: for writes).</summary>
        public Dictionary<TransactionId, LedgerHoldRecord> Holds => holds ??= [];

        /// <summary>The open holds' ids (created on first use: for writes).</summary>
        public HashSet<TransactionId> OpenHolds => openHolds ??= [];

        /// <summary>The transactions (their positions in the store's log) by the transaction they relate to (created on first use: for writes).</summary>
        public Dictionary<TransactionId, List<int>> Related => related ??= [];

        /// <summary>Every hold by id, or null when the account never had one (for reads).</summary>
        public Dictionary<TransactionId, LedgerHoldRecord>? HoldsIfAny => holds;

        /// <summary>The open holds' ids, or null when the account never had a hold (for reads).</summary>
        public HashSet<TransactionId>? OpenHoldsIfAny => openHolds;

        /// <summary>The transactions by related transaction, or null when none relates to another (for reads).</summary>
        public Dictionary<TransactionId, List<int>>? RelatedIfAny => related;

        /// <summary>Whether the account is in its programme's index of accounts with a dated expiry (it stays there).</summary>
        public bool Indexed;
        /// <summary>Set when the account was re-keyed (data rights) and removed: a writer holding it re-reads.</summary>
        public bool Retired;

        /// <summary>The ledger's decoded state at <see cref="Head"/>'s version, kept between its writes; null when none is kept.</summary>
        public AccountState? State;

        /// <summary>
        /// This incarnation of the key, set by its first append (or by the rewrite that created it). A rewrite
        /// that moves an account away frees its key, and a later write creates the account again from version
        /// 0: its versions then repeat the old account's numbers, so the version alone cannot tell a writer
        /// that read the old account (a stale state) from one that read this one.
        /// </summary>
        public object? Incarnation;

        /// <summary>
        /// Whether an append decided on <paramref name="incarnation"/> may land on this account: always on an
        /// account without transactions (the version check is enough), and when either side does not know it.
        /// </summary>
        public bool IsIncarnation(object? incarnation)
            => !HasHead || incarnation is null || Incarnation is null || ReferenceEquals(incarnation, Incarnation);
    }

    /// <summary>An account's next dated expiry, immutable (see <see cref="Account.NextExpiry"/>).</summary>
    private sealed class NextExpiryBox(Instant at)
    {
        public Instant At { get; } = at;
    }

    /// <summary>A head's values (default: no head), see <see cref="Account.Head"/>.</summary>
    private readonly struct HeadParts
    {
        private readonly ProgramId programId;
        private readonly MemberId memberId;
        private readonly Instant updatedAt;
        private readonly long lotPoints;
        private readonly long debt;
        private readonly long earned;
        private readonly long redeemed;
        private readonly long expired;
        private readonly long reversed;
        private readonly long adjusted;
        private readonly long writtenOff;
        private readonly Instant? lastActivityAt;
        private readonly long availableSnapshot;
        private readonly long pendingSnapshot;
        private readonly long heldSnapshot;
        private readonly Instant? nextChangeAt;
        private readonly Instant? nextExpiryAt;
        private readonly LedgerHash chainHash;

        public HeadParts(LedgerAccountHead? head)
        {
            if (head is null)
            {
                return;
            }

            Present = true;
            programId = head.ProgramId;
            memberId = head.MemberId;
            Version = head.Version;
            updatedAt = head.UpdatedAt;
            lotPoints = head.LotPoints;
            debt = head.Debt;
            earned = head.Earned;
            redeemed = head.Redeemed;
            expired = head.Expired;
            reversed = head.Reversed;
            adjusted = head.Adjusted;
            writtenOff = head.WrittenOff;
            lastActivityAt = head.LastActivityAt;
            availableSnapshot = head.AvailableSnapshot;
            pendingSnapshot = head.PendingSnapshot;
            heldSnapshot = head.HeldSnapshot;
            nextChangeAt = head.NextChangeAt;
            nextExpiryAt = head.NextExpiryAt;
            chainHash = head.ChainHash;
        }

        public bool Present { get; }

        public long Version { get; }

        public LedgerAccountHead? ToHead() => !Present ? null : new LedgerAccountHead
        {
            ProgramId = programId,
            MemberId = memberId,
            Version = Version,
            UpdatedAt = updatedAt,
            LotPoints = lotPoints,
            Debt = debt,
            Earned = earned,
            Redeemed = redeemed,
            Expired = expired,
            Reversed = reversed,
            Adjusted = adjusted,
            WrittenOff = writtenOff,
            LastActivityAt = lastActivityAt,
            AvailableSnapshot = availableSnapshot,
            PendingSnapshot = pendingSnapshot,
            HeldSnapshot = heldSnapshot,
            NextChangeAt = nextChangeAt,
            NextExpiryAt = nextExpiryAt,
            ChainHash = chainHash,
        };
    }
}
