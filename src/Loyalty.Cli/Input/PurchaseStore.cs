using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using NodaTime;

namespace Loyalty.Cli.Input;

/// <summary>
/// The purchases of an orders file, checked and split by customer into partitions, in a compact
/// binary form: every purchase of a customer is in the same partition, so each partition can be
/// aggregated on its own and the customers of all partitions put together are exactly those of
/// the file. Each reading thread appends to blocks of its own (no lock); a partition's blocks
/// are read back together. Above a given size of file, full blocks are
/// written to temporary files (deleted on <see cref="Dispose"/>) so memory does not grow with
/// the file.
/// </summary>
/// <remarks>
/// A record: customer id and order id (UTF-8, length first), the instant (Unix ticks), the
/// amount (scale and sign, then 8 bytes, or the 16 bytes of a large decimal) and the category
/// (0 for none, else its number + 1). A record never spans two blocks.
/// </remarks>
internal sealed class PurchaseStore : IDisposable
{
    /// <summary>Bytes of a block (large enough to live in the large object heap, never copied by the collector).</summary>
    internal const int BlockSize = 128 * 1024;

    /// <summary>File bytes per partition: partitions small enough for the aggregation's tables to stay in the processor cache.</summary>
    internal const long BytesPerPartition = 2L * 1024 * 1024;

    /// <summary>The largest record: two ids of 128 characters of up to 3 UTF-8 bytes, their lengths, instant, amount, category.</summary>
    private const int MaxRecordSize = (2 * (5 + (3 * Loyalty.Core.Primitives.Identifier.MaxLength))) + 8 + 17 + 5;

    private const byte LargeAmount = 0xFF;

    private readonly Writer[] writers;
    private readonly List<Block>[] blocks;
    private readonly FileStream?[] files;
    private readonly object[] fileLocks;
    private readonly string? folder;
    private readonly List<string> categoryNames = [];
    private readonly Dictionary<string, int> categoryIds = new(StringComparer.Ordinal);

    /// <summary>Creates the store for a file of the given size read by the given number of threads.</summary>
    /// <param name="fileBytes">The size of the file (sets the number of partitions and whether blocks go to temporary files).</param>
    /// <param name="threads">The reading threads.</param>
    /// <param name="inMemoryLimit">The largest file kept in memory.</param>
    /// <param name="partitions">The number of partitions (0: from the file size).</param>
    public PurchaseStore(long fileBytes, int threads, long inMemoryLimit, int partitions = 0)
    {
        partitions = partitions > 0 ? partitions : (int)Math.Clamp(fileBytes / BytesPerPartition, 1, 2048);
        blocks = new List<Block>[partitions];
        files = new FileStream?[partitions];
        fileLocks = new object[partitions];
        for (var p = 0; p < partitions; p++)
        {
            blocks[p] = [];
            fileLocks[p] = new object();
        }

        if (fileBytes > inMemoryLimit)
        {
            folder = Path.Combine(Path.GetTempPath(), "loyalty-partitions-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(folder);
        }

        writers = new Writer[threads];
        for (var i = 0; i < threads; i++)
        {
            writers[i] = new Writer(this);
        }
    }

    /// <summary>The number of partitions.</summary>
    public int Partitions => blocks.Length;

    /// <summary>The latest purchase instant stored (default when none).</summary>
    public Instant Latest => writers.Where(w => w.Any).Select(w => w.Latest).DefaultIfEmpty().Max();

    /// <summary>Whether full blocks go to temporary files.</summary>
    public bool Spills => folder is not null;

    /// <summary>The writer of one reading thread.</summary>
    /// <param name="thread">The thread's number.</param>
    /// <returns>Its writer.</returns>
    public Writer WriterOf(int thread) => writers[thread];

    /// <summary>The category of a number stored in a record.</summary>
    /// <param name="id">The number.</param>
    /// <returns>The category.</returns>
    public string Category(int id) => categoryNames[id];

    /// <summary>Forgets every purchase (to read the file again another way).</summary>
    public void Clear()
    {
        for (var p = 0; p < blocks.Length; p++)
        {
            blocks[p].Clear();
            files[p]?.SetLength(0);
        }

        foreach (var writer in writers)
        {
            writer.Reset();
        }
    }

    /// <summary>Puts the blocks still being written in their partitions (after every thread is done).</summary>
    public void Complete()
    {
        foreach (var writer in writers)
        {
            writer.Complete();
        }
    }

    /// <summary>The blocks of a partition (read back from its temporary file when it spilled).</summary>
    /// <param name="partition">The partition.</param>
    /// <returns>Its blocks.</returns>
    public List<Block> Read(int partition)
    {
        var result = new List<Block>(blocks[partition]);
        if (files[partition] is { } file)
        {
            lock (fileLocks[partition])
            {
                file.Position = 0;
                Span<byte> length = stackalloc byte[4];
                while (file.Position < file.Length)
                {
                    file.ReadExactly(length);
                    var used = BinaryPrimitives.ReadInt32LittleEndian(length);
                    var data = GC.AllocateUninitializedArray<byte>(BlockSize);
                    file.ReadExactly(data, 0, used);
                    result.Add(new Block(data, used));
                }
            }
        }

        return result;
    }

    /// <summary>Lets a partition's blocks and file go once it is aggregated.</summary>
    /// <param name="partition">The partition.</param>
    public void Release(int partition)
    {
        blocks[partition] = [];
        files[partition]?.SetLength(0);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var file in files)
        {
            file?.Dispose();
        }

        if (folder is not null && Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Reads the record at <paramref name="at"/> of a block and moves past it.</summary>
    /// <param name="data">The block's bytes.</param>
    /// <param name="at">The record's offset; then the next one's.</param>
    /// <returns>The record (the ids as offsets into the block).</returns>
    public static Record ReadRecord(byte[] data, ref int at)
    {
        var customerLength = ReadLength(data, ref at);
        var customer = at;
        at += customerLength;
        var orderLength = ReadLength(data, ref at);
        var order = at;
        at += orderLength;
        var ticks = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(at));
        at += 8;
        decimal amount;
        var tag = data[at++];
        if (tag == LargeAmount)
        {
            amount = MemoryMarshal.Read<decimal>(data.AsSpan(at));
            at += 16;
        }
        else
        {
            var value = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(at));
            at += 8;
            amount = new decimal((int)value, (int)(value >> 32), 0, (tag & 0x80) != 0, (byte)(tag & 0x7F));
        }

        var category = ReadLength(data, ref at) - 1;
        return new Record(data, customer, customerLength, order, orderLength, Instant.FromUnixTimeTicks(ticks), amount, category);
    }

    private static int ReadLength(byte[] data, ref int at)
    {
        int value = data[at++];
        if (value < 0x80)
        {
            return value;
        }

        value &= 0x7F;
        var shift = 7;
        byte b;
        do
        {
            b = data[at++];
            value |= (b & 0x7F) << shift;
            shift += 7;
        }
        while (b >= 0x80);
        return value;
    }

    private static int WriteLength(Span<byte> data, int value)
    {
        var at = 0;
        while (value >= 0x80)
        {
            data[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        data[at++] = (byte)value;
        return at;
    }

    private int CategoryId(string category)
    {
        lock (categoryIds)
        {
            if (!categoryIds.TryGetValue(category, out var id))
            {
                id = categoryNames.Count;
                categoryNames.Add(category);
                categoryIds.Add(category, id);
            }

            return id;
        }
    }

    private void Seal(int partition, Block block)
    {
        if (folder is null)
        {
            lock (fileLocks[partition])
            {
                blocks[partition].Add(block);
            }

            return;
        }

        lock (fileLocks[partition])
        {
            var file = files[partition] ??= new FileStream(Path.Combine(folder, $"{partition}.bin"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            file.Seek(0, SeekOrigin.End);
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, block.Used);
            file.Write(length);
            file.Write(block.Data, 0, block.Used);
        }
    }

    /// <summary>A block of records.</summary>
    /// <param name="Data">The bytes.</param>
    /// <param name="Used">The bytes used.</param>
    internal readonly record struct Block(byte[] Data, int Used);

    /// <summary>One purchase as stored.</summary>
    /// <param name="Data">The block holding the ids.</param>
    /// <param name="Customer">The offset of the customer id's UTF-8 bytes.</param>
    /// <param name="CustomerLength">Their length.</param>
    /// <param name="Order">The offset of the order id's UTF-8 bytes.</param>
    /// <param name="OrderLength">Their length.</param>
    /// <param name="PlacedAt">The instant.</param>
    /// <param name="Amount">The net amount.</param>
    /// <param name="Category">The category's number, or -1.</param>
    internal readonly record struct Record(byte[] Data, int Customer, int CustomerLength, int Order, int OrderLength, Instant PlacedAt, decimal Amount, int Category)
    {
        /// <summary>The customer id's UTF-8 bytes.</summary>
        public ReadOnlySpan<byte> CustomerBytes => Data.AsSpan(Customer, CustomerLength);

        /// <summary>The order id's UTF-8 bytes.</summary>
        public ReadOnlySpan<byte> OrderBytes => Data.AsSpan(Order, OrderLength);
    }

    /// <summary>Appends the purchases read by one thread; not thread-safe (one per thread).</summary>
    internal sealed class Writer
    {
        private readonly PurchaseStore store;
        private readonly byte[]?[] current;
        private readonly int[] used;
        private readonly Dictionary<object, int> categories = new(ReferenceEqualityComparer.Instance);
        private object? lastCategory;
        private int lastCategoryId;

        internal Writer(PurchaseStore store)
        {
            this.store = store;
            current = new byte[]?[store.Partitions];
            used = new int[store.Partitions];
        }

        /// <summary>The latest instant appended (default when none).</summary>
        public Instant Latest { get; private set; }

        /// <summary>Whether a purchase was appended.</summary>
        public bool Any { get; private set; }

        /// <summary>Appends one checked purchase to its customer's partition.</summary>
        /// <param name="customer">The customer id.</param>
        /// <param name="order">The order id.</param>
        /// <param name="placedAt">The instant.</param>
        /// <param name="amount">The net amount (0 or more).</param>
        /// <param name="category">The category (the reader's shared array for its text), or null.</param>
        public void Append(ReadOnlySpan<char> customer, ReadOnlySpan<char> order, Instant placedAt, decimal amount, string[]? category)
        {
            if (!Any || placedAt > Latest)
            {
                Latest = placedAt;
                Any = true;
            }

            var partition = (int)((uint)FastHash.Of(customer) % (uint)current.Length);
            var block = current[partition];
            var at = used[partition];
            if (block is null || BlockSize - at < MaxRecordSize)
            {
                if (block is not null)
                {
                    store.Seal(partition, new Block(block, at));
                }

                block = current[partition] = GC.AllocateUninitializedArray<byte>(BlockSize);
                at = 0;
            }

            var span = block.AsSpan(at);
            var n = Id(span, customer);
            n += Id(span[n..], order);
            BinaryPrimitives.WriteInt64LittleEndian(span[n..], placedAt.ToUnixTimeTicks());
            n += 8;
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(amount, bits);
            if (bits[2] == 0)
            {
                span[n++] = (byte)(((bits[3] >> 16) & 0x7F) | (bits[3] < 0 ? 0x80 : 0));
                BinaryPrimitives.WriteUInt64LittleEndian(span[n..], ((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
                n += 8;
            }
            else
            {
                span[n++] = LargeAmount;
                MemoryMarshal.Write(span[n..], in amount);
                n += 16;
            }

            n += WriteLength(span[n..], category is null ? 0 : CategoryId(category) + 1);
            used[partition] = at + n;
        }

        internal void Reset()
        {
            Array.Clear(current);
            Array.Clear(used);
            Any = false;
            Latest = default;
        }

        internal void Complete()
        {
            for (var p = 0; p < current.Length; p++)
            {
                if (current[p] is { } block && used[p] > 0)
                {
                    store.Seal(p, new Block(block, used[p]));
                }

                current[p] = null;
                used[p] = 0;
            }
        }

        private static int Id(Span<byte> span, ReadOnlySpan<char> id)
        {
            // At most 128 characters of up to 3 bytes: the length takes 1 or 2 bytes; written after the bytes are known.
            var length = Encoding.UTF8.GetBytes(id, span[2..]);
            if (length < 0x80)
            {
                span[0] = (byte)length;
                span.Slice(2, length).CopyTo(span[1..]);
                return 1 + length;
            }

            WriteLength(span, length);
            return 2 + length;
        }

        private int CategoryId(string[] category)
        {
            if (ReferenceEquals(category, lastCategory))
            {
                return lastCategoryId;
            }

            if (!categories.TryGetValue(category, out var id))
            {
                id = store.CategoryId(category[0]);
                categories.Add(category, id);
            }

            lastCategory = category;
            lastCategoryId = id;
            return id;
        }
    }
}
