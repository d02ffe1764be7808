using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage.InMemory;

/// <content>An account's lots: positions in the store-wide lot log, found by the hash of their id.</content>
public sealed partial class InMemoryLedgerStore
{
    /// <summary>
    /// An account's lots, every one it ever had, as positions in the store's lot log (see <see cref="RecordArena{T}"/>):
    /// found by the hash of their id, the open ones listed apart. The account's dictionaries hold numbers only, so an
    /// order's new lot is written side by side with the other accounts' in the log, and no card of the account's own
    /// older objects is marked for it (a dictionary keyed by the lot's id would hold the new id's string).
    /// A lot is written again in place when it changes (spent, expired, reversed): rarer than the orders that create them.
    /// Not thread-safe: used under the account's lock.
    /// </summary>
    private sealed class LotIndex
    {
        private readonly Dictionary<int, int> byHash = [];
        private readonly HashSet<int> open = [];

        // The lots whose id's hash another lot of the account had first (rare: created with the first one).
        private Dictionary<TransactionId, int>? collided;

        /// <summary>The number of open lots.</summary>
        public int OpenCount => open.Count;

        /// <summary>The open lots' positions.</summary>
        public HashSet<int> Open => open;

        /// <summary>Every lot's position, open or closed.</summary>
        public IEnumerable<int> All => collided is null ? byHash.Values : byHash.Values.Concat(collided.Values);

        /// <summary>Inserts <paramref name="lot"/>, or replaces the lot of its id, and lists it open when it has points left.</summary>
        public void Set(RecordArena<LedgerLotRecord> log, LedgerLotRecord lot)
        {
            var position = Find(log, lot.LotId);
            if (position >= 0)
            {
                log.Set(position, lot);
            }
            else
            {
                position = log.Add(lot);
                var hash = Hash(lot.LotId);
                if (!byHash.TryAdd(hash, position))
                {
                    (collided ??= [])[lot.LotId] = position;
                }
            }

            if (lot.Remaining != 0)
            {
                open.Add(position);
            }
            else
            {
                open.Remove(position);
            }
        }

        /// <summary>The position of the lot <paramref name="id"/>, or -1.</summary>
        public int Find(RecordArena<LedgerLotRecord> log, TransactionId id)
        {
            if (byHash.TryGetValue(Hash(id), out var position) && log[position].LotId == id)
            {
                return position;
            }

            return collided is not null && collided.TryGetValue(id, out position) ? position : -1;
        }

        /// <summary>Drops every lot from the log (the account was rewritten elsewhere) and from this index.</summary>
        public void Forget(RecordArena<LedgerLotRecord> log)
        {
            foreach (var position in All)
            {
                log.Forget(position);
            }

            byHash.Clear();
            collided = null;
            open.Clear();
        }

        private static int Hash(TransactionId id) => StringComparer.Ordinal.GetHashCode(id.Value);
    }
}
