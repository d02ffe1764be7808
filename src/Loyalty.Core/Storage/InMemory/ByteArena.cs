using System.Buffers.Binary;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>
/// An append-only sequence of records kept as bytes: each record encoded once by a
/// <see cref="RecordCodec{T}"/> into chunks of bytes shared by the whole store, and decoded into a new
/// object on each read. What <see cref="RecordArena{T}"/> does with references, for the records a store
/// keeps for good and reads seldom (orders, ledger transactions).
/// </summary>
/// <remarks>
/// <para>Why: a record kept as objects (an order is eight of them, about 900 bytes; a ledger transaction
/// three, about 270) is marked and moved when it leaves generation 0 and again when it leaves
/// generation 1, and lands on memory the process has to fault in; a store keeps every one. Kept here it
/// is a third of those bytes or less, in arrays of bytes that the collector never traces (chunks of up to
/// 1 MiB, in the large-object heap once they reach 85,000 bytes, never moved): a busy shop's collections
/// pay for the calls in flight, not for everything the store ever recorded.</para>
/// <para>Layout: a record is its length (4 bytes), a state byte (1 live, 0 forgotten), its key (8 bytes,
/// when the arena keeps one) and the codec's bytes. A record never straddles two chunks. Strings that
/// repeat across records are kept once in the arena's <see cref="StringTable"/> and written as numbers;
/// the codecs write ids that identify a person or one record in full, so that <see cref="Forget"/>,
/// which zeroes a record's bytes, leaves nothing of it.</para>
/// <para>Thread-safe: one lock guards appends, reads and forgets (a read decodes under it, so it never
/// sees a record half-written or half-wiped).</para>
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
internal sealed class ByteArena<T>
    where T : class
{
    private const int FirstChunkSize = 4 << 10;
    private const int MaxChunkSize = 1 << 20;
    private const int IndexBits = 12;
    private const int IndexSize = 1 << IndexBits;
    private const long Forgotten = -1;
    private const byte Live = 1;

    private readonly object gate = new();
    private readonly RecordCodec<T> codec;
    private readonly bool keyed;
    private readonly int capacity;
    private readonly int headerSize;
    private readonly StringTable strings = new();
    private readonly List<byte[]> chunks = [];
    private readonly List<long> lowest = [];
    private readonly List<long> highest = [];
    private long[]?[] index = new long[4][];
    private int used;
    private int count;
    private long written;
    private byte[] scratch = new byte[256];

    /// <summary>An empty arena.</summary>
    /// <param name="codec">How a record is written and read.</param>
    /// <param name="keyed">True to keep each record's <see cref="RecordCodec{T}.KeyOf">key</see> and each chunk's span of keys, for <see cref="WithKeyIn"/>.</param>
    /// <param name="capacity">The most records it holds (<see cref="int.MaxValue"/>: positions are <see cref="int"/>s; smaller in tests).</param>
    public ByteArena(RecordCodec<T> codec, bool keyed = false, int capacity = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.codec = codec;
        this.keyed = keyed;
        this.capacity = capacity;
        headerSize = keyed ? 13 : 5;
    }

    /// <summary>The records added so far, forgotten ones included.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return count;
            }
        }
    }

    /// <summary>The bytes the chunks hold (for tests and profiles).</summary>
    internal long ChunkBytes
    {
        get
        {
            lock (gate)
            {
                return chunks.Sum(static c => (long)c.Length);
            }
        }
    }

    /// <summary>The bytes of the records added, headers included (for tests and profiles: the chunks' unused ends left out).</summary>
    internal long RecordBytes
    {
        get
        {
            lock (gate)
            {
                return written;
            }
        }
    }

    /// <summary>A copy of every chunk's bytes (for tests: what a forgotten record leaves).</summary>
    internal IReadOnlyList<byte[]> CopyChunks()
    {
        lock (gate)
        {
            return chunks.Select(static c => c.ToArray()).ToArray();
        }
    }

    /// <summary>Encodes <paramref name="record"/> at the end of the arena and returns its position.</summary>
    /// <exception cref="InvalidOperationException">The arena is full (<see cref="int.MaxValue"/> records).</exception>
    public int Add(T record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (gate)
        {
            if (count == capacity)
            {
                throw new InvalidOperationException($"The in-memory store holds {capacity} records of type {typeof(T).Name}, its limit; a store that large needs a database-backed store.");
            }

            var key = keyed ? codec.KeyOf(record) : 0;
            var writer = new RecordWriter(scratch, headerSize, strings);
            codec.Write(ref writer, record);
            scratch = writer.Buffer;
            var length = writer.Length;
            BinaryPrimitives.WriteInt32LittleEndian(scratch, length);
            scratch[4] = Live;
            if (keyed)
            {
                BinaryPrimitives.WriteInt64LittleEndian(scratch.AsSpan(5), key);
            }

            // To the last chunk when it fits, else to a new one: twice the last's size up to 1 MiB, or the
            // record's own size when larger.
            var last = chunks.Count - 1;
            if (last < 0 || chunks[last].Length - used < length)
            {
                var size = last < 0 ? FirstChunkSize : Math.Min(MaxChunkSize, chunks[last].Length * 2);
                chunks.Add(new byte[Math.Max(size, length)]);
                lowest.Add(long.MaxValue);
                highest.Add(long.MinValue);
                last++;
                used = 0;
            }

            scratch.AsSpan(0, length).CopyTo(chunks[last].AsSpan(used));
            if (keyed)
            {
                lowest[last] = Math.Min(lowest[last], key);
                highest[last] = Math.Max(highest[last], key);
            }

            var position = count;
            var block = position >> IndexBits;
            if (block == index.Length)
            {
                Array.Resize(ref index, index.Length * 2);
            }

            (index[block] ??= new long[IndexSize])[position & (IndexSize - 1)] = ((long)last << 32) | (uint)used;
            used += length;
            written += length;
            count = position + 1;
            return position;
        }
    }

    /// <summary>A new record decoded from the one at <paramref name="position"/> (one <see cref="Add"/> returned, not forgotten).</summary>
    /// <exception cref="ArgumentOutOfRangeException">No record was added at <paramref name="position"/>.</exception>
    /// <exception cref="InvalidOperationException">The record was forgotten.</exception>
    public T this[int position]
    {
        get
        {
            lock (gate)
            {
                var at = Locate(position);
                return Decode(chunks[(int)(at >> 32)], (int)at);
            }
        }
    }

    /// <summary>A new record decoded from the one at <paramref name="position"/> (one <see cref="Add"/> returned), or null when it was forgotten (by a rewrite that ran meanwhile).</summary>
    /// <exception cref="ArgumentOutOfRangeException">No record was added at <paramref name="position"/>.</exception>
    public T? Find(int position)
    {
        lock (gate)
        {
            var at = Entry(position);
            return at == Forgotten ? null : Decode(chunks[(int)(at >> 32)], (int)at);
        }
    }

    /// <summary>
    /// The records at <paramref name="positions"/> (none forgotten), in that order, as a list that decodes each
    /// on its first read from a copy of their bytes made now; an empty array when there are none.
    /// </summary>
    /// <exception cref="InvalidOperationException">A record was forgotten.</exception>
    public IReadOnlyList<T> Snapshot(List<int>? positions)
    {
        if (positions is not { Count: > 0 })
        {
            return [];
        }

        lock (gate)
        {
            var total = 0;
            for (var i = 0; i < positions.Count; i++)
            {
                var at = Locate(positions[i]);
                total += BinaryPrimitives.ReadInt32LittleEndian(chunks[(int)(at >> 32)].AsSpan((int)at));
            }

            var bytes = new byte[total];
            var offsets = new int[positions.Count];
            var offset = 0;
            for (var i = 0; i < positions.Count; i++)
            {
                var at = Locate(positions[i]);
                var chunk = chunks[(int)(at >> 32)];
                var length = BinaryPrimitives.ReadInt32LittleEndian(chunk.AsSpan((int)at));
                chunk.AsSpan((int)at, length).CopyTo(bytes.AsSpan(offset));
                offsets[i] = offset;
                offset += length;
            }

            return new ArenaList<T>(this, bytes, offsets);
        }
    }

    /// <summary>Decodes a record from a copy <see cref="Snapshot"/> made (under the lock: the string table may be growing).</summary>
    internal T DecodeCopy(byte[] bytes, int offset)
    {
        lock (gate)
        {
            return Decode(bytes, offset);
        }
    }

    /// <summary>Wipes the record at <paramref name="position"/> (its member or account was rewritten): its bytes are zeroed, its length kept.</summary>
    /// <exception cref="InvalidOperationException">The record was forgotten already.</exception>
    public void Forget(int position)
    {
        lock (gate)
        {
            var at = Locate(position);
            var chunk = chunks[(int)(at >> 32)];
            var start = (int)at;
            var length = BinaryPrimitives.ReadInt32LittleEndian(chunk.AsSpan(start));
            Array.Clear(chunk, start + 4, length - 4);
            index[position >> IndexBits]![position & (IndexSize - 1)] = Forgotten;
        }
    }

    /// <summary>
    /// The records (not forgotten) whose key is in [<paramref name="from"/>, <paramref name="to"/>), in
    /// position order, read chunk by chunk: a chunk whose keys all fall outside the range is skipped unread,
    /// a record outside it is skipped by its key, undecoded; an empty range reads nothing. Records appended
    /// or forgotten during the walk may or may not be seen.
    /// </summary>
    /// <param name="from">The lowest key (inclusive).</param>
    /// <param name="to">The end (exclusive).</param>
    /// <param name="cancellationToken">Checked before each chunk read.</param>
    /// <exception cref="InvalidOperationException">The arena keeps no key.</exception>
    public IEnumerable<T> WithKeyIn(long from, long to, CancellationToken cancellationToken = default)
    {
        if (!keyed)
        {
            throw new InvalidOperationException("This arena keeps no key per record; make it keyed to read a range of keys.");
        }

        return to <= from ? [] : Walk(from, to, cancellationToken);
    }

    private IEnumerable<T> Walk(long from, long to, CancellationToken cancellationToken)
    {
        int chunkCount;
        lock (gate)
        {
            chunkCount = chunks.Count;
        }

        for (var c = 0; c < chunkCount; c++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            byte[] chunk;
            lock (gate)
            {
                if (highest[c] < from || lowest[c] >= to)
                {
                    continue;
                }

                chunk = chunks[c];
            }

            var offset = 0;
            while (true)
            {
                T? found = null;
                lock (gate)
                {
                    if (chunk.Length - offset < headerSize || BinaryPrimitives.ReadInt32LittleEndian(chunk.AsSpan(offset)) is var length && length == 0)
                    {
                        break;
                    }

                    if (chunk[offset + 4] == Live && BinaryPrimitives.ReadInt64LittleEndian(chunk.AsSpan(offset + 5)) is var key && key >= from && key < to)
                    {
                        found = Decode(chunk, offset);
                    }

                    offset += length;
                }

                if (found is not null)
                {
                    yield return found;
                }
            }
        }
    }

    /// <summary>Where the record at <paramref name="position"/> is (chunk and offset), or <see cref="Forgotten"/>; under the lock.</summary>
    private long Entry(int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, count);
        return index[position >> IndexBits]![position & (IndexSize - 1)];
    }

    /// <summary>Where the live record at <paramref name="position"/> is; under the lock.</summary>
    private long Locate(int position)
    {
        var at = Entry(position);
        return at == Forgotten
            ? throw new InvalidOperationException($"The record at position {position} was forgotten (its member or account was rewritten).")
            : at;
    }

    private T Decode(byte[] chunk, int start)
    {
        var reader = new RecordReader(chunk, start + headerSize, strings);
        return codec.Read(ref reader);
    }
}

/// <summary>How a <see cref="ByteArena{T}"/> writes and reads one record type.</summary>
/// <typeparam name="T">The record type.</typeparam>
internal abstract class RecordCodec<T>
    where T : class
{
    /// <summary>Writes every field of <paramref name="record"/>, so that <see cref="Read"/> gives back an equal record.</summary>
    public abstract void Write(ref RecordWriter writer, T record);

    /// <summary>Reads a record <see cref="Write"/> wrote.</summary>
    public abstract T Read(ref RecordReader reader);

    /// <summary>The record's key for a keyed arena (an instant's ticks, say); 0 by default.</summary>
    public virtual long KeyOf(T record) => 0;
}

/// <summary>The strings an arena keeps once and writes as numbers (not thread-safe: the arena's lock guards it).</summary>
internal sealed class StringTable
{
    private readonly List<string> strings = [];
    private readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);

    /// <summary>The string's number, added when new.</summary>
    public int Intern(string value)
    {
        if (!ids.TryGetValue(value, out var id))
        {
            id = strings.Count;
            strings.Add(value);
            ids.Add(value, id);
        }

        return id;
    }

    /// <summary>The string of a number <see cref="Intern"/> gave.</summary>
    public string this[int id] => strings[id];
}

/// <summary>
/// Records of a <see cref="ByteArena{T}"/> as a read-only list over a copy of their bytes, each decoded when
/// first read (and kept by the list): a history handed to a caller that reads only some of it, or none (a
/// nightly run reading members whose kept state makes their orders unnecessary), costs a copy of bytes,
/// not the decoding of every record.
/// </summary>
/// <remarks>
/// The bytes are copied when the list is made (<see cref="ByteArena{T}.Snapshot"/>), so the list reads the
/// same records whatever happens to the store afterwards, like a list of decoded records would. Reading
/// from several threads at once is safe (a record may then be decoded twice, into equal records).
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
internal sealed class ArenaList<T> : IReadOnlyList<T>
    where T : class
{
    private readonly ByteArena<T> arena;
    private readonly byte[] bytes;
    private readonly int[] offsets;
    private T?[]? decoded;

    /// <summary>A list of the records whose bytes <paramref name="bytes"/> holds, each at its offset.</summary>
    internal ArenaList(ByteArena<T> arena, byte[] bytes, int[] offsets)
    {
        this.arena = arena;
        this.bytes = bytes;
        this.offsets = offsets;
    }

    /// <inheritdoc />
    public int Count => offsets.Length;

    /// <inheritdoc />
    public T this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, offsets.Length);
            var cache = decoded ??= new T?[offsets.Length];
            return cache[index] ??= arena.DecodeCopy(bytes, offsets[index]);
        }
    }

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < offsets.Length; i++)
        {
            yield return this[i];
        }
    }

    /// <inheritdoc />
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
