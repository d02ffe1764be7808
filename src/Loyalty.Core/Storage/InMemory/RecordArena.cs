namespace Loyalty.Core.Storage.InMemory;

/// <summary>
/// An append-only sequence of records, shared by every member or account of a store, in chunks of a fixed
/// size: a member's or an account's own list keeps the positions of its records (numbers, not references).
/// </summary>
/// <remarks>
/// <para>Why: a store that keeps a list of references per member writes each new record into that member's
/// list, an older object somewhere in the old generation. Every such write marks a card of the older
/// generation, and each collection of the young generation scans each marked card (to find the new record)
/// and scans it again to update the reference when it moves the record. A shop's orders come from members
/// spread over the store, so each order marks cards that no other order marks. Appended here, the records
/// of consecutive orders sit side by side: a collection scans a few cards for thousands of orders.</para>
/// <para>Thread-safe: appends take a lock; reading a position handed out by <see cref="Add"/> takes none (the
/// position reaches a reader through the member's or account's own lock, taken after the append).</para>
/// <para>Given a key (an instant's ticks, say), the arena also keeps each chunk's lowest and highest key, so
/// that <see cref="WithKeyIn"/> reads only the chunks that can hold a key of a range: records appended in
/// roughly the key's order (transactions by the instant they were recorded) make a range read cost
/// O(chunks + records of the chunks it overlaps), not O(every record).</para>
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
internal sealed class RecordArena<T>
    where T : class
{
    private const int ChunkBits = 12;
    private const int ChunkSize = 1 << ChunkBits;
    private const int Mask = ChunkSize - 1;
    private readonly object gate = new();
    private readonly int capacity;
    private readonly Func<T, long>? key;
    private T?[][] chunks = new T?[16][];
    private long[] lowest = [];
    private long[] highest = [];
    private int count;

    /// <summary>An empty arena.</summary>
    /// <param name="capacity">The most records it holds (<see cref="int.MaxValue"/>: positions are <see cref="int"/>s; smaller in tests).</param>
    /// <param name="key">A record's key, whose span per chunk <see cref="WithKeyIn"/> reads; null for none.</param>
    public RecordArena(int capacity = int.MaxValue, Func<T, long>? key = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.capacity = capacity;
        this.key = key;
        if (key is not null)
        {
            lowest = new long[chunks.Length];
            highest = new long[chunks.Length];
        }
    }

    /// <summary>Appends <paramref name="record"/> and returns its position.</summary>
    /// <exception cref="InvalidOperationException">The arena is full (<see cref="int.MaxValue"/> records).</exception>
    public int Add(T record)
    {
        lock (gate)
        {
            var position = count;
            if (position == capacity)
            {
                throw new InvalidOperationException($"The in-memory store holds {capacity} records of type {typeof(T).Name}, its limit; a store that large needs a database-backed store.");
            }

            var chunk = position >> ChunkBits;
            if (chunk == chunks.Length)
            {
                var grown = new T?[chunks.Length * 2][];
                Array.Copy(chunks, grown, chunks.Length);
                if (key is not null)
                {
                    Array.Resize(ref lowest, grown.Length);
                    Array.Resize(ref highest, grown.Length);
                }

                Volatile.Write(ref chunks, grown);
            }

            if (chunks[chunk] is null)
            {
                chunks[chunk] = new T?[ChunkSize];
                if (key is not null)
                {
                    lowest[chunk] = long.MaxValue;
                    highest[chunk] = long.MinValue;
                }
            }

            Widen(chunk, record);
            chunks[chunk]![position & Mask] = record;
            count = position + 1;
            return position;
        }
    }

    /// <summary>The record at <paramref name="position"/> (one <see cref="Add"/> returned, not <see cref="Forget">forgotten</see>).</summary>
    public T this[int position] => Volatile.Read(ref chunks)[position >> ChunkBits]![position & Mask]
        ?? throw new InvalidOperationException($"The record at position {position} was forgotten (its member or account was rewritten).");

    /// <summary>Replaces the record at <paramref name="position"/> (one <see cref="Add"/> returned): a newer version of the same record.</summary>
    public void Set(int position, T record)
    {
        lock (gate)
        {
            Widen(position >> ChunkBits, record);
            chunks[position >> ChunkBits]![position & Mask] = record;
        }
    }

    /// <summary>
    /// The records (not forgotten) whose key is in [<paramref name="from"/>, <paramref name="to"/>), in
    /// position order, read chunk by chunk: a chunk whose keys all fall outside the range is skipped
    /// unread; an empty range reads nothing. Records appended or replaced during the walk may or may not be seen.
    /// </summary>
    /// <param name="from">The lowest key (inclusive).</param>
    /// <param name="to">The end (exclusive).</param>
    /// <param name="cancellationToken">Checked before each chunk read.</param>
    /// <exception cref="InvalidOperationException">The arena was made without a key.</exception>
    public IEnumerable<T> WithKeyIn(long from, long to, CancellationToken cancellationToken = default)
    {
        var keyOf = key ?? throw new InvalidOperationException("This arena keeps no key per record; pass one to its constructor to read a range of keys.");
        if (to <= from)
        {
            return [];
        }

        T?[][] seen;
        long[] low;
        long[] high;
        int n;
        lock (gate)
        {
            n = count;
            var used = (int)(((long)n + ChunkSize - 1) >> ChunkBits); // in long: n can be int.MaxValue
            seen = chunks[..used];
            low = lowest[..used];
            high = highest[..used];
        }

        return Walk();

        IEnumerable<T> Walk()
        {
            for (var c = 0; c < seen.Length; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (high[c] < from || low[c] >= to)
                {
                    continue;
                }

                var chunk = seen[c];
                var end = Math.Min(ChunkSize, n - (c << ChunkBits));
                for (var i = 0; i < end; i++)
                {
                    if (Volatile.Read(ref chunk[i]) is { } record && keyOf(record) is var k && k >= from && k < to)
                    {
                        yield return record;
                    }
                }
            }
        }
    }

    /// <summary>Widens the key span of <paramref name="chunk"/> to cover <paramref name="record"/>'s key (under the lock).</summary>
    private void Widen(int chunk, T record)
    {
        if (key is null)
        {
            return;
        }

        var k = key(record);
        if (k < lowest[chunk])
        {
            lowest[chunk] = k;
        }

        if (k > highest[chunk])
        {
            highest[chunk] = k;
        }
    }

    /// <summary>Drops the reference at <paramref name="position"/> (a record rewritten elsewhere: nothing keeps the old one alive).</summary>
    public void Forget(int position)
    {
        lock (gate)
        {
            chunks[position >> ChunkBits]![position & Mask] = null;
        }
    }
}
