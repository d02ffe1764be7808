using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Segmentation;

/// <summary>
/// Streams purchases into one state per customer: distinct orders (lines of one order merged),
/// net amount, distinct categories, last and (optionally) per-order instants.
/// </summary>
/// <remarks>
/// Distinct orders are tracked in one flat set keyed by (customer index, order) rather than in
/// per-customer collections, so aggregating allocates nothing per customer (the set is emptied
/// after each customer-hash partition of an in-memory batch, so it stays cache-sized there).
/// Per-order instants, when tracked, go to flat growable arrays and are grouped by customer once,
/// on the first read.
/// </remarks>
internal sealed class PurchaseAggregator
{
    private const int PartitionSize = 1 << 15;
    private const int MaxPartitionBits = 12;
    private const int CategoryCacheSize = 256;

    private readonly Dictionary<MemberId, int> indexByCustomer = new();
    private readonly Dictionary<string, int> categoryIds = new(StringComparer.Ordinal);
    private readonly Dictionary<OrderKey, int> orderSlots = new();
    private readonly string?[] recentCategories = new string?[CategoryCacheSize];
    private readonly int[] recentCategoryIds = new int[CategoryCacheSize];
    private readonly Currency currency;
    private readonly Instant asOf;
    private readonly Instant? windowStart;
    private readonly bool trackOrderTimes;
    private State[] states = new State[1024];
    private int[] slotCustomers = [];
    private Instant[] slotTimes = [];
    private int slotCount;
    private int[]? orderTimeStarts;
    private Instant[]? orderTimesByCustomer;
    private long position;
    private bool sealedByBatch;

    public PurchaseAggregator(Currency currency, Instant asOf, Instant? windowStart, bool trackOrderTimes)
    {
        this.currency = currency;
        this.asOf = asOf;
        this.windowStart = windowStart;
        this.trackOrderTimes = trackOrderTimes;
    }

    public int Count { get; private set; }

    public long AfterAsOf { get; private set; }

    public long BeforeWindow { get; private set; }

    public PurchaseExclusions Exclusions => AfterAsOf == 0 && BeforeWindow == 0 ? PurchaseExclusions.None : new(AfterAsOf, BeforeWindow);

    public void AddAll(IEnumerable<Purchase> purchases)
    {
        ArgumentNullException.ThrowIfNull(purchases);
        if (purchases is Purchase[] array)
        {
            AddPartitioned(array);
        }
        else if (purchases is List<Purchase> list)
        {
            AddPartitioned(CollectionsMarshal.AsSpan(list));
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
            var excludedCount = 0;
            for (var i = 0; i < n; i++)
            {
                ref readonly var purchase = ref purchases[i];
                Check(in purchase, ++position);
                if (IsExcluded(in purchase))
                {
                    excluded[i >> 6] |= 1UL << i;
                    excludedCount++;
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
                var before = Count;
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

                if (before == 0)
                {
                    ReserveStates(Count, lines, n - excludedCount);
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

    /// <summary>
    /// Sizes the customer states once for the whole batch from its first partition (the partitions
    /// are hash-uniform, so customers per line there estimate customers per line overall, with 1/8
    /// spare), instead of growing them by doubling through the batch; never past one per line.
    /// </summary>
    private void ReserveStates(int firstCustomers, int firstLines, int totalLines)
    {
        var estimate = (long)firstCustomers * totalLines / firstLines;
        var capacity = (int)Math.Min(totalLines, estimate + (estimate >> 3) + 1024);
        if (capacity > states.Length)
        {
            Array.Resize(ref states, capacity);
        }
    }

    private int NewState(MemberId customer, Instant placedAt)
    {
        var index = Count++;
        if (index == states.Length)
        {
            Array.Resize(ref states, states.Length * 2);
        }

        states[index] = new State { Customer = customer, LastAt = placedAt };
        return index;
    }

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
    public int[] SortedIndexes()
    {
        // Ordinal order of the ids, sorted on packed 8-character prefixes first so that most
        // comparisons never touch the strings themselves.
        var keys = new SortKey[Count];
        for (var i = 0; i < keys.Length; i++)
        {
            var id = states[i].Customer.Value;
            keys[i] = new SortKey(Pack(id, 0), Pack(id, 4), i);
        }

        keys.AsSpan().Sort(new SortKeyComparer(states));
        return Array.ConvertAll(keys, k => k.Index);
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
        for (var i = 0; i < indexes.Length; i++)
        {
            ref var s = ref states[indexes[i]];
            result[i] = CustomerActivity.From(s.Customer, s.LastAt, s.OrderCount, Money.FromDecimal(s.Amount, currency), CategoryCount(ref s));
        }

        return result;
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
    private readonly struct SortKeyComparer(State[] states) : IComparer<SortKey>
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
    }
}
