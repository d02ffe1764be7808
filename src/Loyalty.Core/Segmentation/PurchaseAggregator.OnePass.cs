using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Segmentation;

/// <content>
/// The one-pass batch: a large in-memory batch read once, in contiguous parts folded on their
/// own threads with a prefetch pipeline, merged, then made exact on distinct orders.
/// </content>
internal sealed partial class PurchaseAggregator
{
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
        try
        {
            for (var k = 0; k < count; k++)
            {
                var start = (int)((long)n * k / count);
                var end = (int)((long)n * (k + 1) / count);
                pieces[k] = new BatchPart(this, start, end - start, position + start);
            }

            // Parallel.For returns only when every part is done, whatever happens to the others.
            if (count == 1)
            {
                pieces[0].Run(Lines(batch));
            }
            else
            {
                Parallel.For(0, count, k => pieces[k].Run(Lines(batch)));
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
                Parallel.Invoke(
                    () => DedupePartitions(gathered, starts, 0, middle),
                    () => DedupePartitions(gathered, starts, middle, partitions));
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
}
