using System.Runtime.InteropServices;
using System.Text;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;

namespace Loyalty.Cli.Input;

/// <summary>
/// Folds the purchases of a <see cref="PurchaseStore"/> into one <see cref="CustomerActivity"/>
/// per customer, partition by partition on every core, by the rules of
/// <see cref="RfmpSegmenter.Aggregate"/>: a line after the as-of instant or before the window is
/// left out and counted; lines of one customer and order are one order; amounts add up; the
/// last purchase is the latest line; categories are counted once each. The ids stay bytes until
/// a customer is kept (one string per customer, none per line or order).
/// </summary>
/// <remarks>Checked against <see cref="RfmpSegmenter.Aggregate"/> on random purchases by the tests.</remarks>
internal sealed class PartitionAggregator
{
    private readonly Dictionary<Key, int> customers = [];
    private readonly HashSet<OrderKey> orders = [];
    private readonly HashSet<long> moreCategories = [];
    private readonly List<State> states = [];
    private readonly Currency currency;
    private readonly Instant asOf;
    private readonly Instant? windowStart;

    private PartitionAggregator(Currency currency, Instant asOf, Instant? windowStart)
    {
        this.currency = currency;
        this.asOf = asOf;
        this.windowStart = windowStart;
    }

    private long AfterAsOf { get; set; }

    private long BeforeWindow { get; set; }

    /// <summary>Aggregates every partition of the store for each set of options (one pass over a partition serves them all).</summary>
    /// <param name="store">The purchases.</param>
    /// <param name="options">The options (as-of instant, window, currency) of each aggregation.</param>
    /// <param name="threads">The threads (the processor count by default).</param>
    /// <returns>For each options, the customers in ordinal order of their ids and the lines left out.</returns>
    public static (CustomerActivity[] Customers, PurchaseExclusions Exclusions)[] Aggregate(PurchaseStore store, IReadOnlyList<RfmpOptions> options, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var parts = new List<CustomerActivity>[store.Partitions, options.Count];
        var after = new long[options.Count];
        var before = new long[options.Count];
        var next = -1;
        var workers = Enumerable.Range(0, Math.Max(1, Math.Min(threads > 0 ? threads : Environment.ProcessorCount, store.Partitions))).Select(_ => Task.Factory.StartNew(
            () =>
            {
                var aggregators = options.Select(o => new PartitionAggregator(o.Currency, o.AsOf, o.WindowStart)).ToArray();
                int partition;
                while ((partition = Interlocked.Increment(ref next)) < store.Partitions)
                {
                    var blocks = store.Read(partition);
                    for (var o = 0; o < aggregators.Length; o++)
                    {
                        parts[partition, o] = aggregators[o].Run(blocks);
                    }

                    store.Release(partition);
                }

                lock (after)
                {
                    for (var o = 0; o < aggregators.Length; o++)
                    {
                        after[o] += aggregators[o].AfterAsOf;
                        before[o] += aggregators[o].BeforeWindow;
                    }
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        Task.WaitAll(workers);

        var result = new (CustomerActivity[], PurchaseExclusions)[options.Count];
        for (var o = 0; o < options.Count; o++)
        {
            var all = new CustomerActivity[Enumerable.Range(0, store.Partitions).Sum(p => parts[p, o].Count)];
            var at = 0;
            for (var p = 0; p < store.Partitions; p++)
            {
                parts[p, o].CopyTo(all, at);
                at += parts[p, o].Count;
            }

            SortByCustomer(all);
            result[o] = (all, after[o] == 0 && before[o] == 0 ? PurchaseExclusions.None : new PurchaseExclusions(after[o], before[o]));
        }

        return result;
    }

    /// <summary>Sorts in ordinal order of the customer ids, each half on its own thread, then merges.</summary>
    private static void SortByCustomer(CustomerActivity[] all)
    {
        static int Compare(CustomerActivity a, CustomerActivity b) => string.CompareOrdinal(a.Customer.Value, b.Customer.Value);
        if (all.Length < 1 << 16 || Environment.ProcessorCount < 2)
        {
            Array.Sort(all, Compare);
            return;
        }

        var half = all.Length / 2;
        Parallel.Invoke(() => Array.Sort(all, 0, half, Comparer<CustomerActivity>.Create(Compare)), () => Array.Sort(all, half, all.Length - half, Comparer<CustomerActivity>.Create(Compare)));
        var left = all[..half];
        int i = 0, j = half, k = 0;
        while (i < left.Length && j < all.Length)
        {
            all[k++] = Compare(left[i], all[j]) <= 0 ? left[i++] : all[j++];
        }

        while (i < left.Length)
        {
            all[k++] = left[i++];
        }
    }

    private List<CustomerActivity> Run(List<PurchaseStore.Block> blocks)
    {
        customers.Clear();
        orders.Clear();
        moreCategories.Clear();
        states.Clear();
        foreach (var block in blocks)
        {
            var at = 0;
            while (at < block.Used)
            {
                var record = PurchaseStore.ReadRecord(block.Data, ref at);
                Add(in record);
            }
        }

        var result = new List<CustomerActivity>(states.Count);
        foreach (var s in CollectionsMarshal.AsSpan(states))
        {
            var id = MemberId.From(Encoding.UTF8.GetString(s.Key.Data, s.Key.Offset, s.Key.Length));
            var categories = System.Numerics.BitOperations.PopCount(s.CategoryBits) + s.MoreCategories;
            result.Add(CustomerActivity.From(id, s.LastAt, s.Orders, Money.FromDecimal(s.Amount, currency), categories));
        }

        return result;
    }

    private void Add(in PurchaseStore.Record record)
    {
        if (record.PlacedAt > asOf)
        {
            AfterAsOf++;
            return;
        }

        if (windowStart is { } start && record.PlacedAt < start)
        {
            BeforeWindow++;
            return;
        }

        var key = new Key(record.Data, record.Customer, record.CustomerLength);
        ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(customers, key, out var exists);
        if (!exists)
        {
            index = states.Count;
            states.Add(new State { Key = key, LastAt = record.PlacedAt });
        }

        ref var state = ref CollectionsMarshal.AsSpan(states)[index];
        state.Amount += record.Amount;
        if (record.PlacedAt > state.LastAt)
        {
            state.LastAt = record.PlacedAt;
        }

        if (orders.Add(new OrderKey(index, new Key(record.Data, record.Order, record.OrderLength))))
        {
            state.Orders++;
        }

        if (record.Category >= 0)
        {
            if (record.Category < 64)
            {
                state.CategoryBits |= 1UL << record.Category;
            }
            else if (moreCategories.Add(((long)index << 32) | (uint)record.Category))
            {
                state.MoreCategories++;
            }
        }
    }

    private struct State
    {
        public Key Key;
        public Instant LastAt;
        public decimal Amount;
        public int Orders;
        public ulong CategoryBits;
        public int MoreCategories;
    }

    /// <summary>An id's UTF-8 bytes in a block (valid ids are equal exactly when their bytes are).</summary>
    private readonly struct Key : IEquatable<Key>
    {
        private readonly int hash;

        public Key(byte[] data, int offset, int length)
        {
            Data = data;
            Offset = offset;
            Length = length;
            hash = FastHash.Of(data.AsSpan(offset, length));
        }

        public byte[] Data { get; }

        public int Offset { get; }

        public int Length { get; }

        public bool Equals(Key other) => hash == other.hash && Data.AsSpan(Offset, Length).SequenceEqual(other.Data.AsSpan(other.Offset, other.Length));

        public override bool Equals(object? obj) => obj is Key other && Equals(other);

        public override int GetHashCode() => hash;
    }

    private readonly record struct OrderKey(int Customer, Key Order)
    {
        public bool Equals(OrderKey other) => Customer == other.Customer && Order.Equals(other.Order);

        public override int GetHashCode() => Order.GetHashCode() ^ (Customer * -1640531535);
    }
}
