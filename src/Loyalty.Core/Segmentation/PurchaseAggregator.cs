using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
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
internal sealed class PurchaseAggregator
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

    /// <summary>Takes one count off a customer's orders for each run that repeats an order of the same customer.</summary>
    private void DedupePartitions(Run[] gathered, int[] starts, int from, int to)
    {
        var table = new RunSet();
        for (var p = from; p < to; p++)
        {
            var runs = gathered.AsSpan(starts[p], starts[p + 1] - starts[p]);
            table.Reset(runs.Length);
            foreach (ref readonly var run in runs)
            {
                if (!table.Add(in run))
                {
                    states[run.Customer].OrderCount--;
                }
            }
        }
    }

    private static ReadOnlySpan<Purchase> Lines(IEnumerable<Purchase> batch) =>
        batch is Purchase[] array ? array : CollectionsMarshal.AsSpan((List<Purchase>)batch);

    /// <summary>
    /// Adds an in-memory batch reading each line once: the batch is cut into contiguous parts
    /// (two on a multi-core machine, for batches large enough), each part folded into its own
    /// customer table on its own thread, then the later parts' customers merged into the first
    /// part's (every per-customer figure merges associatively). Distinct orders are counted from
    /// order runs (consecutive lines of a customer with the same order) and made exact, where a
    /// run may repeat an earlier order, by an exact dedupe of those customers' runs.
    /// </summary>
    private void AddOnePass(IEnumerable<Purchase> batch, int n)
    {
        var count = parts > 0 ? parts : (Environment.ProcessorCount > 1 && n >= 2 * MinimumLinesPerPart ? 2 : 1);
        count = Math.Clamp(count, 1, Math.Max(1, n));
        var pieces = new BatchPart[count];
        var others = new Task[count - 1];
        try
        {
            for (var k = 0; k < count; k++)
            {
                var start = (int)((long)n * k / count);
                var end = (int)((long)n * (k + 1) / count);
                pieces[k] = new BatchPart(this, start, end - start, position + start);
            }

            if (count == 1)
            {
                pieces[0].Run(Lines(batch));
            }
            else
            {
                for (var k = 1; k < count; k++)
                {
                    var piece = pieces[k];
                    others[k - 1] = Task.Run(() => piece.Run(Lines(batch)));
                }

                pieces[0].Run(Lines(batch));
                foreach (var other in others)
                {
                    other.GetAwaiter().GetResult();
                }
            }

            // The first bad line of the batch is the one reported, as when streaming.
            foreach (var piece in pieces)
            {
                piece.Error?.Throw();
            }

            var first = pieces[0];
            var remaps = new int[count][];
            for (var k = 1; k < count; k++)
            {
                remaps[k] = first.Merge(pieces[k]);
            }

            foreach (var piece in pieces)
            {
                AfterAsOf += piece.AfterAsOf;
                BeforeWindow += piece.BeforeWindow;
            }

            states = first.States;
            DedupeOrders(pieces, remaps);
            position += n;
            sealedByBatch = true;
        }
        finally
        {
            // No part may still be writing its runs when they go back to the pool.
            foreach (var other in others)
            {
                ((IAsyncResult?)other)?.AsyncWaitHandle.WaitOne();
            }

            foreach (var piece in pieces)
            {
                piece?.ReturnRuns();
            }
        }
    }

    /// <summary>
    /// Makes the order counts exact: each customer counted one order per run; a customer whose
    /// runs may repeat an order (two runs' orders share a bit of its order filter) has its runs
    /// deduplicated exactly, in customer-range partitions small enough for the processor cache.
    /// </summary>
    private void DedupeOrders(BatchPart[] pieces, int[][] remaps)
    {
        var customers = Count;
        var suspects = new ulong[(customers + 63) / 64];
        var any = false;
        for (var c = 0; c < customers; c++)
        {
            if (states[c].MaySeeOrderTwice)
            {
                suspects[c >> 6] |= 1UL << c;
                any = true;
            }
        }

        if (!any)
        {
            return;
        }

        var suspectRuns = 0;
        for (var k = 0; k < pieces.Length; k++)
        {
            var runs = pieces[k].Runs.AsSpan(0, pieces[k].RunCount);
            var remap = remaps[k];
            foreach (ref readonly var run in runs)
            {
                var c = remap is null ? run.Customer : remap[run.Customer];
                if ((suspects[c >> 6] & (1UL << c)) != 0)
                {
                    suspectRuns++;
                }
            }
        }

        var partitions = Math.Max(1, suspectRuns / RunsPerDedupePartition);
        var starts = new int[partitions + 1];
        var gathered = ArrayPool<Run>.Shared.Rent(suspectRuns);
        try
        {
            for (var pass = 0; pass < 2; pass++)
            {
                // Pass 0 counts the suspect runs per partition, pass 1 places them.
                var next = pass == 0 ? starts : (int[])starts.Clone();
                for (var k = 0; k < pieces.Length; k++)
                {
                    var runs = pieces[k].Runs.AsSpan(0, pieces[k].RunCount);
                    var remap = remaps[k];
                    foreach (ref readonly var run in runs)
                    {
                        var c = remap is null ? run.Customer : remap[run.Customer];
                        if ((suspects[c >> 6] & (1UL << c)) != 0)
                        {
                            var partition = (int)((ulong)(uint)c * (uint)partitions / (uint)customers);
                            if (pass == 0)
                            {
                                next[partition + 1]++;
                            }
                            else
                            {
                                gathered[next[partition]++] = new Run(c, run.Hash, run.Order);
                            }
                        }
                    }
                }

                if (pass == 0)
                {
                    for (var p = 0; p < partitions; p++)
                    {
                        starts[p + 1] += starts[p];
                    }
                }
            }

            // The partitions hold disjoint customers: two threads take half of them each.
            if (partitions > 1 && TwoThreads(customers))
            {
                var middle = partitions / 2;
                var upper = Task.Run(() => DedupePartitions(gathered, starts, middle, partitions));
                DedupePartitions(gathered, starts, 0, middle);
                upper.GetAwaiter().GetResult();
            }
            else
            {
                DedupePartitions(gathered, starts, 0, partitions);
            }
        }
        finally
        {
            ArrayPool<Run>.Shared.Return(gathered, clearArray: true);
        }
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
        var upper = Task.Run(() =>
        {
            FillKeys(keys, half, count);
            keys.AsSpan(half).Sort(comparer);
        });
        FillKeys(keys, 0, half);
        keys.AsSpan(0, half).Sort(comparer);
        upper.GetAwaiter().GetResult();

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
            var upper = Task.Run(() => FillActivities(indexes, result, half, indexes.Length));
            FillActivities(indexes, result, 0, half);
            upper.GetAwaiter().GetResult();
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

    /// <summary>The category's id, shared by the parts of a one-pass batch (assigned under a lock on first sight).</summary>
    private int SharedCategoryId(string category)
    {
        lock (categoryIds)
        {
            ref var known = ref CollectionsMarshal.GetValueRefOrAddDefault(categoryIds, category, out var exists);
            if (!exists)
            {
                known = categoryIds.Count - 1;
            }

            return known;
        }
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

    /// <summary>A run of lines of one customer with one order: (customer index, order hash, order id).</summary>
    private readonly record struct Run(int Customer, int Hash, string Order);

    /// <summary>A customer table slot: the id's hash and the state index + 1 (0 for a free slot).</summary>
    private struct Slot
    {
        public int Hash;
        public int Index;
    }

    /// <summary>An open-addressing set of runs (customer, order), emptied and reused per partition.</summary>
    private sealed class RunSet
    {
        private Run[] entries = [];
        private bool[] used = [];
        private int mask;

        public void Reset(int runs)
        {
            var capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, runs * 2));
            if (capacity > entries.Length)
            {
                entries = new Run[capacity];
                used = new bool[capacity];
            }
            else
            {
                Array.Clear(entries, 0, capacity);
                Array.Clear(used, 0, capacity);
            }

            mask = capacity - 1;
        }

        /// <summary>Adds the run's (customer, order); false when it was already there.</summary>
        public bool Add(in Run run)
        {
            var slot = (run.Hash ^ (int)((uint)run.Customer * 0x9E3779B1u)) & mask;
            while (used[slot])
            {
                ref readonly var entry = ref entries[slot];
                if (entry.Customer == run.Customer && entry.Hash == run.Hash && string.Equals(entry.Order, run.Order, StringComparison.Ordinal))
                {
                    return false;
                }

                slot = (slot + 1) & mask;
            }

            used[slot] = true;
            entries[slot] = run;
            return true;
        }
    }

    /// <summary>
    /// One contiguous part of a one-pass batch, folded on one thread into its own customer table
    /// and states; it records its order runs, exclusions and its first bad line.
    /// </summary>
    private sealed class BatchPart
    {
        private readonly PurchaseAggregator owner;
        private readonly int start;
        private readonly int length;
        private readonly long firstNumber;
        private readonly string?[] recentCategories = new string?[PartCategoryCacheSize];
        private readonly int[] recentCategoryIds = new int[PartCategoryCacheSize];
        private Slot[] slots;
        private int mask;

        public BatchPart(PurchaseAggregator owner, int start, int length, long firstNumber)
        {
            this.owner = owner;
            this.start = start;
            this.length = length;
            this.firstNumber = firstNumber;
            slots = new Slot[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(length, 64, 1 << 17))];
            mask = slots.Length - 1;
            Runs = ArrayPool<Run>.Shared.Rent(Math.Max(1, length));
        }

        public StateStore States { get; } = new();

        public Run[] Runs { get; private set; }

        public int RunCount { get; private set; }

        public long AfterAsOf { get; private set; }

        public long BeforeWindow { get; private set; }

        public ExceptionDispatchInfo? Error { get; private set; }

        public void ReturnRuns()
        {
            if (Runs.Length > 0)
            {
                ArrayPool<Run>.Shared.Return(Runs, clearArray: true);
                Runs = [];
            }
        }

        /// <summary>Folds the part's lines in one pass; stops at the first bad line.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(ReadOnlySpan<Purchase> batch)
        {
            var lines = batch.Slice(start, length);
            var currency = owner.currency;
            var asOf = owner.asOf;
            var hasWindow = owner.windowStart.HasValue;
            var windowStart = owner.windowStart.GetValueOrDefault();
            var runs = Runs;
            var runCount = 0;

            // Software pipeline hiding memory latency: the customer id (and order id) of line
            // i + 24 is prefetched, the id of line i + 12 hashed and its table slot prefetched, and
            // the state of line i + 6 prefetched from its slot, while line i is folded.
            Span<int> hashes = stackalloc int[HashRing];
            var primed = Math.Min(lines.Length, HashAhead);
            for (var j = 0; j < Math.Min(lines.Length, IdAhead); j++)
            {
                PrefetchIds(in lines[j]);
            }

            for (var j = 0; j < primed; j++)
            {
                hashes[j] = HashAndPrefetchSlot(in lines[j]);
            }

            for (var i = 0; i < lines.Length; i++)
            {
                if (i + IdAhead < lines.Length)
                {
                    PrefetchIds(in lines[i + IdAhead]);
                }

                if (i + HashAhead < lines.Length)
                {
                    hashes[(i + HashAhead) & (HashRing - 1)] = HashAndPrefetchSlot(in lines[i + HashAhead]);
                }

                if (i + StateAhead < lines.Length)
                {
                    PrefetchState(hashes[(i + StateAhead) & (HashRing - 1)]);
                }

                ref readonly var purchase = ref lines[i];
                if (purchase.Customer.IsDefault || purchase.Order.IsDefault || purchase.NetAmount.Currency != currency || purchase.NetAmount.IsNegative)
                {
                    Fail(in purchase, i);
                    break;
                }

                var placedAt = purchase.PlacedAt;
                if (placedAt > asOf || (hasWindow && placedAt < windowStart))
                {
                    // Excluded lines are still checked in full (their categories too).
                    if (!Valid(in purchase, i))
                    {
                        break;
                    }

                    if (placedAt > asOf)
                    {
                        AfterAsOf++;
                    }
                    else
                    {
                        BeforeWindow++;
                    }

                    continue;
                }

                var customer = purchase.Customer;
                var hash = hashes[i & (HashRing - 1)];
                var index = IndexOf(customer, hash, placedAt);
                ref var state = ref States[index];
                state.Amount += purchase.NetAmount.Amount;
                if (placedAt > state.LastAt)
                {
                    state.LastAt = placedAt;
                }

                if (purchase.Categories is { } categories && !AddCategories(ref state, categories))
                {
                    Fail(in purchase, i);
                    break;
                }

                var order = purchase.Order.Value;
                if (!ReferenceEquals(order, state.LastOrder))
                {
                    var orderHash = order.GetHashCode();
                    if (orderHash != state.LastOrderHash || !string.Equals(order, state.LastOrder, StringComparison.Ordinal))
                    {
                        // A new run of this customer: a new order unless it repeats an earlier one,
                        // which the customer's 128-bit filter (one bit per order) can rule out, not confirm.
                        var bit = 1UL << orderHash;
                        ref var bits = ref (orderHash & 64) == 0 ? ref state.OrderBits : ref state.MoreOrderBits;
                        if ((bits & bit) != 0)
                        {
                            state.MaySeeOrderTwice = true;
                        }

                        bits |= bit;
                        state.OrderCount++;
                        state.LastOrderHash = orderHash;
                        runs[runCount++] = new Run(index, orderHash, order);
                    }

                    state.LastOrder = order;
                }
            }

            RunCount = runCount;
        }

        /// <summary>Prefetches the two id strings of a line without reading them (a read would wait for the miss).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void PrefetchIds(in Purchase purchase)
        {
            if (Sse.IsSupported)
            {
                var customer = purchase.Customer.Value;
                var order = purchase.Order.Value;
                var at = Unsafe.As<string, nint>(ref customer);
                Sse.Prefetch0((void*)at);
                Sse.Prefetch0((void*)(at + 24));
                Sse.Prefetch0((void*)Unsafe.As<string, nint>(ref order));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int HashAndPrefetchSlot(in Purchase purchase)
        {
            var hash = purchase.Customer.Value.GetHashCode();
            Prefetch(ref slots[hash & mask]);
            return hash;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void PrefetchState(int hash)
        {
            var entry = slots[hash & mask];
            if (entry.Index != 0)
            {
                // A state spans two or three cache lines: fetch them all.
                ref var first = ref Unsafe.As<State, byte>(ref States[entry.Index - 1]);
                Prefetch(ref first);
                Prefetch(ref Unsafe.Add(ref first, 64));
                Prefetch(ref Unsafe.Add(ref first, Unsafe.SizeOf<State>() - 1));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Prefetch<T>(ref T location)
        {
            if (Sse.IsSupported)
            {
                Sse.Prefetch0(Unsafe.AsPointer(ref location));
            }
        }

        /// <summary>Merges a later part's customers into this part's; returns their indexes here.</summary>
        public int[] Merge(BatchPart other)
        {
            var remap = new int[other.States.Count];
            for (var i = 0; i < remap.Length; i++)
            {
                // The same pipeline as the fold: the slot of customer i + 12, the state of i + 6.
                if (i + HashAhead < remap.Length)
                {
                    Prefetch(ref slots[other.States[i + HashAhead].Hash & mask]);
                }

                if (i + StateAhead < remap.Length)
                {
                    PrefetchState(other.States[i + StateAhead].Hash);
                }

                ref var theirs = ref other.States[i];
                var index = Find(theirs.Customer, theirs.Hash);
                if (index < 0)
                {
                    index = Insert(in theirs);
                }
                else
                {
                    ref var mine = ref States[index];
                    mine.Amount += theirs.Amount;
                    if (theirs.LastAt > mine.LastAt)
                    {
                        mine.LastAt = theirs.LastAt;
                    }

                    mine.CategoryBits |= theirs.CategoryBits;
                    if (theirs.MoreCategories is { } more)
                    {
                        (mine.MoreCategories ??= []).UnionWith(more);
                    }

                    mine.OrderCount += theirs.OrderCount;
                    mine.MaySeeOrderTwice |= theirs.MaySeeOrderTwice
                        || (mine.OrderBits & theirs.OrderBits) != 0 || (mine.MoreOrderBits & theirs.MoreOrderBits) != 0;
                    mine.OrderBits |= theirs.OrderBits;
                    mine.MoreOrderBits |= theirs.MoreOrderBits;
                }

                remap[i] = index;
            }

            return remap;
        }

        private int IndexOf(MemberId customer, int hash, Instant placedAt)
        {
            var index = Find(customer, hash);
            return index >= 0 ? index : Insert(new State { Customer = customer, LastAt = placedAt, Hash = hash });
        }

        private int Find(MemberId customer, int hash)
        {
            var slot = hash & mask;
            while (true)
            {
                ref var entry = ref slots[slot];
                if (entry.Index == 0)
                {
                    return -1;
                }

                if (entry.Hash == hash && States[entry.Index - 1].Customer.Equals(customer))
                {
                    return entry.Index - 1;
                }

                slot = (slot + 1) & mask;
            }
        }

        private int Insert(in State state)
        {
            if ((States.Count + 1) * 2 > slots.Length)
            {
                Grow();
            }

            var index = States.Add(in state);
            var slot = state.Hash & mask;
            while (slots[slot].Index != 0)
            {
                slot = (slot + 1) & mask;
            }

            slots[slot] = new Slot { Hash = state.Hash, Index = index + 1 };
            return index;
        }

        private void Grow()
        {
            var old = slots;
            slots = new Slot[old.Length * 2];
            mask = slots.Length - 1;
            foreach (var entry in old)
            {
                if (entry.Index != 0)
                {
                    var slot = entry.Hash & mask;
                    while (slots[slot].Index != 0)
                    {
                        slot = (slot + 1) & mask;
                    }

                    slots[slot] = entry;
                }
            }
        }

        private bool AddCategories(ref State state, IReadOnlyList<string> categories)
        {
            if (categories is string[] array)
            {
                foreach (var category in array)
                {
                    if (!AddCategory(ref state, category))
                    {
                        return false;
                    }
                }

                return true;
            }

            for (var i = 0; i < categories.Count; i++)
            {
                if (!AddCategory(ref state, categories[i]))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Adds a category to the customer's set; false when it is null or blank.</summary>
        private bool AddCategory(ref State state, string category)
        {
            var cacheSlot = RuntimeHelpers.GetHashCode(category) & (PartCategoryCacheSize - 1);
            int id;
            if (category is not null && ReferenceEquals(recentCategories[cacheSlot], category))
            {
                id = recentCategoryIds[cacheSlot];
            }
            else
            {
                if (string.IsNullOrWhiteSpace(category))
                {
                    return false;
                }

                id = owner.SharedCategoryId(category);
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

            return true;
        }

        private bool Valid(in Purchase purchase, int i)
        {
            try
            {
                owner.Check(in purchase, firstNumber + i + 1);
                return true;
            }
            catch (ArgumentException e)
            {
                Error = ExceptionDispatchInfo.Capture(e);
                return false;
            }
        }

        private void Fail(in Purchase purchase, int i)
        {
            if (Valid(in purchase, i))
            {
                throw new InvalidOperationException($"Purchase #{firstNumber + i + 1} failed a quick check but passed the full one.");
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
