using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Segmentation;

/// <summary>
/// Streams purchases into one state per customer: distinct orders (lines of one order merged),
/// net amount, distinct categories, last and (optionally) per-order instants.
/// </summary>
/// <remarks>
/// <para>A large in-memory batch that does not need order instants is read once, in contiguous
/// parts folded on their own threads and then merged (see <see cref="BatchPart"/>); distinct
/// orders are counted from order runs and made exact by deduplicating the runs of the customers
/// whose order filter says a run may repeat an order.</para>
/// <para>Otherwise distinct orders are tracked in one flat set keyed by (customer index, order)
/// rather than in per-customer collections, so aggregating allocates nothing per customer (the set
/// is emptied after each customer-hash partition of an in-memory batch, so it stays cache-sized
/// there). Per-order instants, when tracked, go to flat growable arrays and are grouped by
/// customer once, on the first read.</para>
/// </remarks>
internal sealed partial class PurchaseAggregator
{
    private const int PartitionSize = 1 << 15;
    private const int MaxPartitionBits = 12;
    private const int CategoryCacheSize = 256;
    private const int PartCategoryCacheSize = 1024;
    private const int MinimumOnePassBatch = 1 << 15;
    private const int MinimumLinesPerPart = 1 << 16;
    private const int RunsPerDedupePartition = 1 << 13;
    private const int MinimumCustomersPerThread = 1 << 15;
    private const int IdAhead = 24;
    private const int HashAhead = 12;
    private const int StateAhead = 6;
    private const int HashRing = 16;

    private readonly Dictionary<MemberId, int> indexByCustomer = new();
    private readonly Dictionary<string, int> categoryIds = new(StringComparer.Ordinal);
    private readonly Dictionary<OrderKey, int> orderSlots = new();
    private readonly string?[] recentCategories = new string?[CategoryCacheSize];
    private readonly int[] recentCategoryIds = new int[CategoryCacheSize];
    private readonly Currency currency;
    private readonly Instant asOf;
    private readonly Instant? windowStart;
    private readonly bool trackOrderTimes;
    private StateStore states = new();
    private int[] slotCustomers = [];
    private Instant[] slotTimes = [];
    private int slotCount;
    private int[]? orderTimeStarts;
    private Instant[]? orderTimesByCustomer;
    private readonly int minimumOnePassBatch;
    private readonly int parts;
    private long position;
    private bool sealedByBatch;

    /// <summary>Creates an aggregator.</summary>
    /// <param name="currency">The programme's currency: every purchase must be in it.</param>
    /// <param name="asOf">Purchases after this instant are excluded (and counted).</param>
    /// <param name="windowStart">Purchases before this instant are excluded (and counted); null for no window.</param>
    /// <param name="trackOrderTimes">Whether to keep each order's instant (purchase cycles, retention).</param>
    /// <param name="minimumOnePassBatch">The smallest in-memory batch folded by the one-pass batch aggregation.</param>
    /// <param name="parts">How many contiguous parts (one per core) a one-pass batch is split into; 0 picks from the processor count and the batch size.</param>
    public PurchaseAggregator(Currency currency, Instant asOf, Instant? windowStart, bool trackOrderTimes, int minimumOnePassBatch = MinimumOnePassBatch, int parts = 0)
    {
        this.currency = currency;
        this.asOf = asOf;
        this.windowStart = windowStart;
        this.trackOrderTimes = trackOrderTimes;
        this.minimumOnePassBatch = minimumOnePassBatch;
        this.parts = parts;
    }

    public int Count => states.Count;

    public long AfterAsOf { get; private set; }

    public long BeforeWindow { get; private set; }

    public PurchaseExclusions Exclusions => AfterAsOf == 0 && BeforeWindow == 0 ? PurchaseExclusions.None : new(AfterAsOf, BeforeWindow);

    public void AddAll(IEnumerable<Purchase> purchases)
    {
        ArgumentNullException.ThrowIfNull(purchases);
        if (purchases is Purchase[] or List<Purchase>)
        {
            var lines = Lines(purchases);
            if (!trackOrderTimes && Count == 0 && !sealedByBatch && lines.Length >= minimumOnePassBatch)
            {
                AddOnePass(purchases, lines.Length);
            }
            else
            {
                AddPartitioned(lines);
            }
        }
        else
        {
            foreach (var p in purchases)
            {
                Add(in p);
            }
        }
    }

    public void Add(in Purchase purchase)
    {
        if (sealedByBatch)
        {
            throw new InvalidOperationException("This aggregator already took a partitioned batch; create a new one.");
        }

        var number = ++position;
        Check(in purchase, number);
        if (IsExcluded(in purchase))
        {
            return;
        }

        ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(indexByCustomer, purchase.Customer, out var exists);
        if (!exists)
        {
            index = NewState(purchase.Customer, purchase.PlacedAt);
        }

        Accumulate(index, in purchase);
    }

    private static ReadOnlySpan<Purchase> Lines(IEnumerable<Purchase> batch) =>
        batch is Purchase[] array ? array : CollectionsMarshal.AsSpan((List<Purchase>)batch);

    /// <summary>
    /// Adds an in-memory batch in three passes so that the customer table being written stays
    /// small enough for the processor cache: check and hash every purchase in input order, group
    /// the purchase positions by customer-hash partition, then aggregate one partition at a time.
    /// </summary>
    private void AddPartitioned(ReadOnlySpan<Purchase> purchases)
    {
        var n = purchases.Length;
        if (Count > 0 || n < PartitionSize)
        {
            foreach (ref readonly var p in purchases)
            {
                Add(in p);
            }

            return;
        }

        var bits = Math.Min(MaxPartitionBits, System.Numerics.BitOperations.Log2((uint)(n / PartitionSize)) + 1);
        var partitions = 1 << bits;
        var customerHashes = ArrayPool<int>.Shared.Rent(n);
        var orderHashes = ArrayPool<int>.Shared.Rent(n);
        var positions = ArrayPool<int>.Shared.Rent(n);
        var excluded = new ulong[(n + 63) / 64];
        try
        {
            // Pass 1, in input order: check, exclude, and hash both ids while the lines stream by.
            var starts = new int[partitions + 1];
            for (var i = 0; i < n; i++)
            {
                ref readonly var purchase = ref purchases[i];
                Check(in purchase, ++position);
                if (IsExcluded(in purchase))
                {
                    excluded[i >> 6] |= 1UL << i;
                    continue;
                }

                var hash = purchase.Customer.GetHashCode();
                customerHashes[i] = hash;
                orderHashes[i] = purchase.Order.GetHashCode();
                starts[(int)((uint)hash >> (32 - bits)) + 1]++;
            }

            for (var p = 0; p < partitions; p++)
            {
                starts[p + 1] += starts[p];
            }

            // Pass 2: the line positions grouped by customer-hash partition (input order kept inside).
            var next = (int[])starts.Clone();
            for (var i = 0; i < n; i++)
            {
                if ((excluded[i >> 6] & (1UL << i)) == 0)
                {
                    positions[next[(int)((uint)customerHashes[i] >> (32 - bits))]++] = i;
                }
            }

            // Pass 3: one partition at a time, with customer and order tables small enough for the cache.
            var tables = new PartitionTables();
            for (var p = 0; p < partitions; p++)
            {
                var lines = starts[p + 1] - starts[p];
                if (lines == 0)
                {
                    continue;
                }

                tables.Reset(lines);
                for (var j = starts[p]; j < starts[p + 1]; j++)
                {
                    var i = positions[j];
                    ref readonly var purchase = ref purchases[i];
                    var index = tables.CustomerIndex(this, purchase.Customer, customerHashes[i], purchase.PlacedAt);
                    ref var state = ref states[index];
                    AccumulateLine(ref state, in purchase);
                    ref var slot = ref tables.OrderSlot(index, purchase.Order, orderHashes[i], out var seen);
                    AddOrder(ref state, index, ref slot, seen, purchase.PlacedAt);
                }
            }

            // The batch leaves no global index behind: the aggregator takes no more purchases.
            sealedByBatch = true;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(customerHashes);
            ArrayPool<int>.Shared.Return(orderHashes);
            ArrayPool<int>.Shared.Return(positions);
        }
    }

    private bool IsExcluded(in Purchase purchase)
    {
        if (purchase.PlacedAt > asOf)
        {
            AfterAsOf++;
            return true;
        }

        if (windowStart is { } start && purchase.PlacedAt < start)
        {
            BeforeWindow++;
            return true;
        }

        return false;
    }

    private int NewState(MemberId customer, Instant placedAt) =>
        states.Add(new State { Customer = customer, LastAt = placedAt });

    private void Accumulate(int index, in Purchase purchase)
    {
        ref var state = ref states[index];
        AccumulateLine(ref state, in purchase);
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(orderSlots, new OrderKey(index, purchase.Order), out var seen);
        AddOrder(ref state, index, ref slot, seen, purchase.PlacedAt);
    }

    /// <summary>Amount, latest instant and categories of one line (everything but the order).</summary>
    private void AccumulateLine(ref State state, in Purchase purchase)
    {
        state.Amount += purchase.NetAmount.Amount;
        if (purchase.PlacedAt > state.LastAt)
        {
            state.LastAt = purchase.PlacedAt;
        }

        if (purchase.Categories is string[] array)
        {
            // The common case, read without interface calls.
            foreach (var category in array)
            {
                AddCategory(ref state, category);
            }
        }
        else if (purchase.Categories is { } categories)
        {
            for (var i = 0; i < categories.Count; i++)
            {
                AddCategory(ref state, categories[i]);
            }
        }
    }

    /// <summary>The customers, in ordinal order of their ids (so the output never depends on input order).</summary>
    /// <remarks>Many customers on a multi-core machine: each half sorted on its own thread, then the halves merged.</remarks>
    public int[] SortedIndexes()
    {
        // Ordinal order of the ids, sorted on packed 8-character prefixes first so that most
        // comparisons never touch the strings themselves.
        var count = Count;
        var keys = new SortKey[count];
        var comparer = new SortKeyComparer(states);
        if (!TwoThreads(count))
        {
            FillKeys(keys, 0, count);
            keys.AsSpan().Sort(comparer);
            return Array.ConvertAll(keys, k => k.Index);
        }

        var half = count / 2;
        Parallel.Invoke(
            () =>
            {
                FillKeys(keys, 0, half);
                keys.AsSpan(0, half).Sort(comparer);
            },
            () =>
            {
                FillKeys(keys, half, count);
                keys.AsSpan(half).Sort(comparer);
            });

        // The ids are distinct, so the merge has no ties to break.
        var result = new int[count];
        int a = 0, b = half, o = 0;
        while (a < half && b < count)
        {
            result[o++] = comparer.Compare(keys[a], keys[b]) < 0 ? keys[a++].Index : keys[b++].Index;
        }

        while (a < half)
        {
            result[o++] = keys[a++].Index;
        }

        while (b < count)
        {
            result[o++] = keys[b++].Index;
        }

        return result;
    }

    /// <summary>Whether work over this many customers is split over two threads.</summary>
    private bool TwoThreads(int customers) =>
        customers >= MinimumCustomersPerThread * 2 && (parts == 0 ? Environment.ProcessorCount > 1 : parts > 1);

    private void FillKeys(SortKey[] keys, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (i + IdAhead < to)
            {
                PrefetchObject(states[i + IdAhead].Customer.Value);
            }

            var id = states[i].Customer.Value;
            keys[i] = new SortKey(Pack(id, 0), Pack(id, 4), i);
        }
    }

    /// <summary>Asks the processor to load an object's first cache line, without waiting for it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchObject(object value)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0((void*)Unsafe.As<object, nint>(ref value));
        }
    }

    private static ulong Pack(string value, int start)
    {
        ulong packed = 0;
        for (var i = start; i < start + 4; i++)
        {
            packed = (packed << 16) | (i < value.Length ? value[i] : 0u);
        }

        return packed;
    }

    public CustomerActivity[] ToActivities()
    {
        var indexes = SortedIndexes();
        var result = new CustomerActivity[indexes.Length];
        if (TwoThreads(indexes.Length))
        {
            var half = indexes.Length / 2;
            Parallel.Invoke(
                () => FillActivities(indexes, result, 0, half),
                () => FillActivities(indexes, result, half, indexes.Length));
        }
        else
        {
            FillActivities(indexes, result, 0, indexes.Length);
        }

        return result;
    }

    private void FillActivities(int[] indexes, CustomerActivity[] result, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (i + StateAhead < to)
            {
                BatchPart.Prefetch(ref states[indexes[i + StateAhead]]);
            }

            ref var s = ref states[indexes[i]];
            result[i] = CustomerActivity.From(s.Customer, s.LastAt, s.OrderCount, Money.FromDecimal(s.Amount, currency), CategoryCount(ref s));
        }
    }

    public MemberId CustomerAt(int index) => states[index].Customer;

    /// <summary>The customer's order instants (earliest line of each order), ascending.</summary>
    public Instant[] OrderTimes(int index)
    {
        if (!trackOrderTimes)
        {
            throw new InvalidOperationException("This aggregator does not track order instants.");
        }

        if (orderTimeStarts is null)
        {
            GroupOrderTimes();
        }

        var start = orderTimeStarts![index];
        var times = orderTimesByCustomer.AsSpan(start, orderTimeStarts[index + 1] - start).ToArray();
        Array.Sort(times);
        return times;
    }

    /// <summary>Groups the tracked order instants by customer (a counting sort on the customer index).</summary>
    private void GroupOrderTimes()
    {
        var starts = new int[Count + 1];
        for (var i = 0; i < slotCount; i++)
        {
            starts[slotCustomers[i] + 1]++;
        }

        for (var c = 0; c < Count; c++)
        {
            starts[c + 1] += starts[c];
        }

        var next = starts.AsSpan(0, Count).ToArray();
        var times = new Instant[slotCount];
        for (var i = 0; i < slotCount; i++)
        {
            times[next[slotCustomers[i]]++] = slotTimes[i];
        }

        orderTimesByCustomer = times;
        orderTimeStarts = starts;
    }

    private static int CategoryCount(ref State s) =>
        System.Numerics.BitOperations.PopCount(s.CategoryBits) + (s.MoreCategories?.Count ?? 0);

    private void Check(in Purchase purchase, long number)
    {
        if (purchase.Customer.IsDefault)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Purchase #{number} has no customer (default(MemberId)); set Customer with MemberId.From(...)."),
                "purchases");
        }

        if (purchase.Order.IsDefault)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Purchase #{number} (customer {purchase.Customer}) has no order (default(OrderId)); set Order with OrderId.From(...)."),
                "purchases");
        }

        if (purchase.NetAmount.Currency != currency)
        {
            var code = purchase.NetAmount.Currency.IsDefault ? "no currency" : purchase.NetAmount.Currency.Code;
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Purchase #{number} (customer {purchase.Customer}, order {purchase.Order}) is in {code} but the programme's currency is {currency.Code}; convert it before segmenting (no conversion is ever made)."),
                "purchases");
        }

        if (purchase.Categories is { } categories)
        {
            var array = categories as string[];
            var count = array?.Length ?? categories.Count;
            for (var i = 0; i < count; i++)
            {
                if (string.IsNullOrWhiteSpace(array is null ? categories[i] : array[i]))
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"Purchase #{number} (customer {purchase.Customer}, order {purchase.Order}) lists a null or blank product category; leave unknown categories out of the list."),
                        "purchases");
                }
            }
        }

        if (purchase.NetAmount.IsNegative)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Purchase #{number} (customer {purchase.Customer}, order {purchase.Order}) has a negative net amount ({purchase.NetAmount}); net refunds against the orders they reverse before segmenting."),
                "purchases");
        }
    }

    /// <summary>Counts a new order of the customer, or keeps the earliest instant of one already seen.</summary>
    private void AddOrder(ref State state, int index, ref int slot, bool seen, Instant at)
    {
        if (!trackOrderTimes)
        {
            if (!seen)
            {
                state.OrderCount++;
            }

            return;
        }

        if (seen)
        {
            // An order's instant is its earliest line's.
            if (at < slotTimes[slot])
            {
                slotTimes[slot] = at;
            }

            return;
        }

        if (slotCount == slotTimes.Length)
        {
            var size = Math.Max(1024, slotCount * 2);
            Array.Resize(ref slotTimes, size);
            Array.Resize(ref slotCustomers, size);
        }

        slot = slotCount++;
        slotCustomers[slot] = index;
        slotTimes[slot] = at;
        state.OrderCount++;
    }

    private void AddCategory(ref State state, string category)
    {
        // Shops pass the same category string instances over and over: a small cache keyed by
        // reference skips hashing the text (equal references are equal texts, so the id is the same).
        var cacheSlot = RuntimeHelpers.GetHashCode(category) & (CategoryCacheSize - 1);
        int id;
        if (ReferenceEquals(recentCategories[cacheSlot], category))
        {
            id = recentCategoryIds[cacheSlot];
        }
        else
        {
            ref var known = ref CollectionsMarshal.GetValueRefOrAddDefault(categoryIds, category, out var exists);
            if (!exists)
            {
                known = categoryIds.Count - 1;
            }

            id = known;
            recentCategories[cacheSlot] = category;
            recentCategoryIds[cacheSlot] = id;
        }

        if (id < 64)
        {
            state.CategoryBits |= 1UL << id;
        }
        else
        {
            (state.MoreCategories ??= []).Add(id);
        }
    }

    /// <summary>
    /// Open-addressing tables for one customer-hash partition of a batch, keyed by the hashes
    /// computed in the first pass (ids are compared in full on every hash match), reused and
    /// emptied between partitions.
    /// </summary>
    private sealed class PartitionTables
    {
        private int[] customerSlots = [];
        private int[] customerHashes = [];
        private int[] orderCustomers = [];
        private int[] orderHashes = [];
        private OrderId[] orderIds = [];
        private int[] orderValues = [];
        private int mask;

        /// <summary>Empties the tables and sizes them for a partition of <paramref name="lines"/> lines.</summary>
        public void Reset(int lines)
        {
            var capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, lines * 2));
            if (capacity > customerSlots.Length)
            {
                customerSlots = new int[capacity];
                customerHashes = new int[capacity];
                orderCustomers = new int[capacity];
                orderHashes = new int[capacity];
                orderIds = new OrderId[capacity];
                orderValues = new int[capacity];
            }
            else
            {
                Array.Clear(customerSlots, 0, capacity);
                Array.Clear(orderCustomers, 0, capacity);
                Array.Clear(orderIds, 0, capacity);
            }

            mask = capacity - 1;
        }

        /// <summary>The customer's state index, created on the first line.</summary>
        public int CustomerIndex(PurchaseAggregator owner, MemberId customer, int hash, Instant placedAt)
        {
            var slot = hash & mask;
            while (true)
            {
                var stored = customerSlots[slot];
                if (stored == 0)
                {
                    var index = owner.NewState(customer, placedAt);
                    customerSlots[slot] = index + 1;
                    customerHashes[slot] = hash;
                    return index;
                }

                if (customerHashes[slot] == hash && owner.states[stored - 1].Customer.Equals(customer))
                {
                    return stored - 1;
                }

                slot = (slot + 1) & mask;
            }
        }

        /// <summary>The value slot of (customer, order); <paramref name="seen"/> is false on its first line.</summary>
        public ref int OrderSlot(int customer, OrderId order, int orderHash, out bool seen)
        {
            var slot = (orderHash ^ (int)((uint)customer * 0x9E3779B1u)) & mask;
            while (true)
            {
                var stored = orderCustomers[slot];
                if (stored == 0)
                {
                    orderCustomers[slot] = customer + 1;
                    orderHashes[slot] = orderHash;
                    orderIds[slot] = order;
                    seen = false;
                    return ref orderValues[slot];
                }

                if (stored == customer + 1 && orderHashes[slot] == orderHash && orderIds[slot].Equals(order))
                {
                    seen = true;
                    return ref orderValues[slot];
                }

                slot = (slot + 1) & mask;
            }
        }
    }

    private readonly record struct SortKey(ulong High, ulong Low, int Index);

    /// <summary>Packed prefixes first, the full ids (ordinal) only when the prefixes tie; a struct so the sort is specialised for it.</summary>
    private readonly struct SortKeyComparer(StateStore states) : IComparer<SortKey>
    {
        public int Compare(SortKey a, SortKey b)
        {
            var c = a.High.CompareTo(b.High);
            if (c == 0)
            {
                c = a.Low.CompareTo(b.Low);
            }

            return c != 0 ? c : string.CompareOrdinal(states[a.Index].Customer.Value, states[b.Index].Customer.Value);
        }
    }

    /// <summary>One order of one customer (the same order id under two customers is two orders).</summary>
    private readonly struct OrderKey(int customer, OrderId order) : IEquatable<OrderKey>
    {
        private readonly int customer = customer;
        private readonly OrderId order = order;

        public bool Equals(OrderKey other) => customer == other.customer && order.Equals(other.order);

        public override bool Equals(object? obj) => obj is OrderKey other && Equals(other);

        public override int GetHashCode() => order.GetHashCode() ^ (int)((uint)customer * 0x9E3779B1u);
    }

    private struct State
    {
        public MemberId Customer;
        public Instant LastAt;
        public decimal Amount;
        public int OrderCount;
        public ulong CategoryBits;
        public HashSet<int>? MoreCategories;

        // Kept by the one-pass batch only.
        public int Hash;
        public int LastOrderHash;
        public string? LastOrder;
        public ulong OrderBits;
        public ulong MoreOrderBits;
        public bool MaySeeOrderTwice;
    }

    /// <summary>
    /// The customer states in fixed-size chunks: adding never copies the states already there
    /// (no doubling of a large array), and an index stays valid for the aggregator's lifetime.
    /// </summary>
    private sealed class StateStore
    {
        private const int ChunkBits = 12;
        private const int ChunkMask = (1 << ChunkBits) - 1;
        private State[][] chunks = new State[16][];

        public int Count { get; private set; }

        public ref State this[int index] => ref chunks[index >> ChunkBits][index & ChunkMask];

        public int Add(in State state)
        {
            var index = Count;
            var chunk = index >> ChunkBits;
            if ((index & ChunkMask) == 0)
            {
                if (chunk == chunks.Length)
                {
                    Array.Resize(ref chunks, chunks.Length * 2);
                }

                // The first chunk grows to full size, so a handful of customers costs little.
                chunks[chunk] = new State[chunk == 0 ? 64 : 1 << ChunkBits];
            }
            else if (chunk == 0 && index == chunks[0].Length)
            {
                Array.Resize(ref chunks[0], index * 2);
            }

            chunks[chunk][index & ChunkMask] = state;
            Count = index + 1;
            return index;
        }
    }
}
