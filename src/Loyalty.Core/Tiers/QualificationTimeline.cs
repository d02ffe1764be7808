using System.Collections;
using NodaTime;

namespace Loyalty.Core.Tiers;

/// <summary>
/// A member's qualification entries in time order with their running totals, kept between
/// evaluations so that moving it past one more entry, dropping the entries a window no longer
/// counts and evaluating from it cost O(1) (amortised) and O(log n), never O(n):
/// <list type="bullet">
/// <item>the entries live in a buffer shared by every version of the timeline; a version is a view
/// <c>[start, end)</c> of it, immutable once made;</item>
/// <item>appending an entry later than the newest claims the buffer's next slot when no other version
/// has claimed it (a compare-and-swap), so the previous version stays valid and nothing is copied;
/// otherwise (the slot was taken by another version, or the buffer is full) the view's entries are
/// copied into a new buffer of twice their number, which amortises the copy over as many appends;</item>
/// <item>dropping the entries before an instant moves <c>start</c> forward (a binary search);</item>
/// <item>the running totals (qualifying points, spend, orders) are prefix sums over the buffer, so a
/// window's totals are two subtractions; an entry that sums several (<see cref="QualificationEntry.IsSum"/>)
/// is kept with the instant of its earliest part, so that a window starting inside it is seen.</item>
/// </list>
/// An entry at or before the newest (merged into one of the same instant, kind and sign, or inserted
/// late) is not appended: the owner builds a new timeline from the merged list, an O(n) copy the
/// common path never takes.
/// </summary>
/// <remarks>Immutable as seen by its readers and safe to share between threads.</remarks>
internal sealed class QualificationTimeline : IReadOnlyList<QualificationEntry>
{
    private readonly Buffer buffer;
    private readonly int start;
    private readonly int end;

    private QualificationTimeline(Buffer buffer, int start, int end)
    {
        this.buffer = buffer;
        this.start = start;
        this.end = end;
    }

    /// <summary>The qualifying-kind mask the running points were summed with.</summary>
    public int KindMask => buffer.KindMask;

    /// <summary>The number of entries.</summary>
    public int Count => end - start;

    /// <summary>The entry at <paramref name="index"/> (0 is the oldest).</summary>
    public QualificationEntry this[int index] =>
        (uint)index < (uint)(end - start) ? buffer.Entries[start + index] : throw new ArgumentOutOfRangeException(nameof(index), index, $"index must be between 0 and {end - start - 1}.");

    /// <summary>The instant of the newest entry; only when <see cref="Count"/> is positive.</summary>
    public Instant Newest => buffer.Times[end - 1];

    // What the evaluator's replay reads: absolute indexes into the shared arrays, entries in [First, End),
    // running totals at [First, End] (the totals before entry i are at index i).
    internal int First => start;

    internal int End => end;

    internal Instant[] Times => buffer.Times;

    /// <summary>Each entry's <see cref="QualificationEntry.Since"/>: before its instant for a sum of several entries.</summary>
    internal Instant[] Sinces => buffer.Sinces;

    internal bool[] Reductions => buffer.Reductions;

    internal long[] Points => buffer.Points;

    internal decimal[] Spend => buffer.Spend;

    internal long[] Orders => buffer.Orders;

    /// <summary>
    /// An empty timeline with no slot, which can be shared: appending to it always makes a new buffer (no
    /// version can claim a slot of it), so one stands for every member without entries, on any thread.
    /// </summary>
    public static QualificationTimeline Empty(int kindMask) => new(new Buffer(kindMask, 0), 0, 0);

    /// <summary>A timeline of <paramref name="sorted"/> (in time order, ties in any order), with room to grow.</summary>
    /// <param name="sorted">The entries.</param>
    /// <param name="kindMask">The qualifying kinds the running points sum.</param>
    /// <param name="capacity">The entries the buffer holds before an append copies them (at least the count); 0 for twice the count, at least 16.</param>
    /// <exception cref="ArgumentException">The entries are not in time order.</exception>
    public static QualificationTimeline From(IReadOnlyList<QualificationEntry> sorted, int kindMask, int capacity = 0)
    {
        var buffer = new Buffer(kindMask, capacity > 0 ? Math.Max(capacity, sorted.Count) : Math.Max(16, sorted.Count * 2));
        for (var i = 0; i < sorted.Count; i++)
        {
            if (i > 0 && sorted[i].At < sorted[i - 1].At)
            {
                throw new ArgumentException($"The qualification entries must be in time order; entry {i} at {sorted[i].At} is before entry {i - 1} at {sorted[i - 1].At}.", nameof(sorted));
            }

            buffer.Write(i, sorted[i]);
        }

        buffer.Used = sorted.Count;
        return new QualificationTimeline(buffer, 0, sorted.Count);
    }

    /// <summary>
    /// This timeline with <paramref name="entry"/> after its newest, or null when the entry is not later
    /// than the newest (merge or insert it into a list and build a new timeline instead).
    /// </summary>
    public QualificationTimeline? Append(QualificationEntry entry)
    {
        if (end > start && entry.At <= buffer.Times[end - 1])
        {
            return null;
        }

        // Claim the next slot: only the version that ends where the buffer's claimed part ends can, once.
        if (end < buffer.Entries.Length && Interlocked.CompareExchange(ref buffer.Used, end + 1, end) == end)
        {
            buffer.Write(end, entry);
            return new QualificationTimeline(buffer, start, end + 1);
        }

        var count = end - start;
        var copy = new Buffer(buffer.KindMask, Math.Max(16, (count + 1) * 2));
        for (var i = 0; i < count; i++)
        {
            copy.Write(i, buffer.Entries[start + i]);
        }

        copy.Write(count, entry);
        copy.Used = count + 1;
        return new QualificationTimeline(copy, 0, count + 1);
    }

    /// <summary>This timeline without the entries before <paramref name="from"/>.</summary>
    public QualificationTimeline DropBefore(Instant from)
    {
        var first = LowerBound(from);
        return first == start ? this : new QualificationTimeline(buffer, first, end);
    }

    /// <summary>The absolute index of the first entry at or after <paramref name="t"/> (in [First, End]).</summary>
    internal int LowerBound(Instant t)
    {
        var times = buffer.Times;
        int lo = start, hi = end;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (times[mid] < t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The absolute index of the first entry after <paramref name="t"/> (in [First, End]).</summary>
    internal int UpperBound(Instant t)
    {
        var times = buffer.Times;
        int lo = start, hi = end;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (times[mid] <= t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <inheritdoc />
    public IEnumerator<QualificationEntry> GetEnumerator()
    {
        for (var i = start; i < end; i++)
        {
            yield return buffer.Entries[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The shared storage: entries, their instants and signs, and the running totals before each.</summary>
    private sealed class Buffer
    {
        public readonly int KindMask;
        public readonly QualificationEntry[] Entries;
        public readonly Instant[] Times;
        public readonly Instant[] Sinces;
        public readonly bool[] Reductions;
        public readonly long[] Points;
        public readonly decimal[] Spend;
        public readonly long[] Orders;

        /// <summary>How many slots some version has claimed.</summary>
        public int Used;

        public Buffer(int kindMask, int capacity)
        {
            KindMask = kindMask;
            Entries = new QualificationEntry[capacity];
            Times = new Instant[capacity];
            Sinces = new Instant[capacity];
            Reductions = new bool[capacity];
            Points = new long[capacity + 1];
            Spend = new decimal[capacity + 1];
            Orders = new long[capacity + 1];
        }

        public void Write(int i, in QualificationEntry e)
        {
            Entries[i] = e;
            Times[i] = e.At;
            Sinces[i] = e.Since;
            Reductions[i] = e.IsReduction;
            Points[i + 1] = (KindMask & (1 << (int)e.Kind)) != 0 ? checked(Points[i] + e.Points) : Points[i];
            Spend[i + 1] = Spend[i] + e.Spend;
            Orders[i + 1] = Orders[i] + e.Orders;
        }
    }
}
