using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage.InMemory;

/// <content>The programme-wide index of transaction ids.</content>
public sealed partial class InMemoryLedgerStore
{
    /// <summary>
    /// Every transaction by (programme, id): plain dictionaries in shards chosen by the key's hash, each
    /// under its own lock, so writers on different accounts rarely wait for each other. A dictionary keeps
    /// its entries inline in one array, so the index costs no object per transaction and growing it copies
    /// that array (a concurrent dictionary re-creates a node for every entry when it grows, and on a large
    /// ledger those nodes are what the garbage collector then copies).
    /// </summary>
    private sealed class TransactionIndex
    {
        private const int ShardCount = 256;
        private readonly Dictionary<(ProgramId, TransactionId), int>[] shards;

        public TransactionIndex()
        {
            shards = new Dictionary<(ProgramId, TransactionId), int>[ShardCount];
            for (var i = 0; i < shards.Length; i++)
            {
                shards[i] = [];
            }
        }

        /// <summary>Adds the transaction unless its id is taken.</summary>
        public bool TryAdd((ProgramId, TransactionId) key, int transaction)
        {
            var shard = Shard(key);
            lock (shard)
            {
                return shard.TryAdd(key, transaction);
            }
        }

        /// <summary>Adds or replaces the transaction.</summary>
        public void Set((ProgramId, TransactionId) key, int transaction)
        {
            var shard = Shard(key);
            lock (shard)
            {
                shard[key] = transaction;
            }
        }

        public void Remove((ProgramId, TransactionId) key)
        {
            var shard = Shard(key);
            lock (shard)
            {
                shard.Remove(key);
            }
        }

        public int Find((ProgramId, TransactionId) key)
        {
            var shard = Shard(key);
            lock (shard)
            {
                return shard.TryGetValue(key, out var position) ? position : -1;
            }
        }

        public bool Contains((ProgramId, TransactionId) key) => Find(key) >= 0;

        private Dictionary<(ProgramId, TransactionId), int> Shard((ProgramId, TransactionId) key)
            => shards[(int)((uint)key.Item2.GetHashCode() % ShardCount)];
    }
}
