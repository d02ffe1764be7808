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
/// <para>For records kept for good and read seldom, <see cref="ByteArena{T}"/> keeps them as bytes instead;
/// this arena keeps the records that change in place (an account's lots).</para>
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
    private T?[][] chunks = new T?[16][];
    private int count;

    /// <summary>An empty arena.</summary>
    /// <param name="capacity">The most records it holds (<see cref="int.MaxValue"/>: positions are <see cref="int"/>s; smaller in tests).</param>
    public RecordArena(int capacity = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.capacity = capacity;
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
                Volatile.Write(ref chunks, grown);
            }

            chunks[chunk] ??= new T?[ChunkSize];
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
            chunks[position >> ChunkBits]![position & Mask] = record;
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
