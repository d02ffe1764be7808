namespace Loyalty.Core.Storage.InMemory;

/// <summary>
/// A sorted set kept as a list of sorted chunks: add and remove cost O(log n + chunk size), a seek
/// to the first item after a key costs O(log n), and walking on costs O(1) per item, so keyset
/// paging through n items costs O(n) in all, whatever the page size (a <see cref="SortedSet{T}"/>
/// view counts its whole range when made, which made each page cost O(n)).
/// </summary>
/// <remarks>Not thread-safe: the owner locks.</remarks>
internal sealed class OrderedIndex<T>(IComparer<T> comparer)
{
    private const int MaxChunk = 512;
    private readonly List<List<T>> chunks = [];

    public int Count { get; private set; }

    /// <summary>The number of chunks (for tests: an index grown in its own order keeps them full).</summary>
    internal int ChunkCount => chunks.Count;

    /// <summary>Adds an item; false when an equal item is already there.</summary>
    public bool Add(T item)
    {
        if (chunks.Count == 0)
        {
            chunks.Add(NewChunk(item));
            Count = 1;
            return true;
        }

        var c = ChunkFor(item);
        var chunk = chunks[c];
        var i = chunk.BinarySearch(item, comparer);
        if (i >= 0)
        {
            return false;
        }

        Count++;
        if (chunk.Count < MaxChunk)
        {
            chunk.Insert(~i, item);
            return true;
        }

        if (~i == chunk.Count && c == chunks.Count - 1)
        {
            // Past the end of a full last chunk (the index grows in its own order: orders by the instant they
            // were recorded): a new chunk, the full one left full rather than split into two half-empty ones.
            chunks.Add(NewChunk(item));
            return true;
        }

        // A full chunk splits in two halves, each with room for a full chunk, and the item goes into its half.
        var half = chunk.Count / 2;
        var upper = new List<T>(MaxChunk);
        for (var k = half; k < chunk.Count; k++)
        {
            upper.Add(chunk[k]);
        }

        chunk.RemoveRange(half, chunk.Count - half);
        chunks.Insert(c + 1, upper);
        if (~i <= half)
        {
            chunk.Insert(~i, item);
        }
        else
        {
            upper.Insert(~i - half, item);
        }

        return true;
    }

    /// <summary>Removes an item; false when it was not there.</summary>
    public bool Remove(T item)
    {
        if (chunks.Count == 0)
        {
            return false;
        }

        var c = ChunkFor(item);
        var chunk = chunks[c];
        var i = chunk.BinarySearch(item, comparer);
        if (i < 0)
        {
            return false;
        }

        chunk.RemoveAt(i);
        Count--;
        if (chunk.Count == 0)
        {
            chunks.RemoveAt(c);
        }

        return true;
    }

    /// <summary>
    /// Calls <paramref name="take"/> on the items in order, starting after <paramref name="after"/>
    /// (at or after it when <paramref name="inclusive"/>), until it returns <see cref="Step.Stop"/>
    /// or the items end.
    /// </summary>
    public void Walk(T after, bool inclusive, Func<T, Step> take)
    {
        if (chunks.Count == 0)
        {
            return;
        }

        var c = ChunkFor(after);
        var chunk = chunks[c];
        var i = chunk.BinarySearch(after, comparer);
        i = i >= 0 ? (inclusive ? i : i + 1) : ~i;
        for (; c < chunks.Count; c++, i = 0)
        {
            chunk = chunks[c];
            for (; i < chunk.Count; i++)
            {
                if (take(chunk[i]) == Step.Stop)
                {
                    return;
                }
            }
        }
    }

    /// <summary>A chunk holding <paramref name="item"/>, with room for a full chunk (no copy as it fills).</summary>
    private static List<T> NewChunk(T item) => new(MaxChunk) { item };

    /// <summary>The chunk an item belongs in: the first whose last item is not less than it, else the last chunk.</summary>
    private int ChunkFor(T item)
    {
        int lo = 0, hi = chunks.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var last = chunks[mid][^1];
            if (comparer.Compare(last, item) < 0)
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

    public enum Step
    {
        Go,
        Stop,
    }
}
