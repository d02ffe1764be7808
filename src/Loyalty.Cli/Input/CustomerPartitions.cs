using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;

namespace Loyalty.Cli.Input;

/// <summary>
/// Splits a stream of purchases by customer into partitions, so that a large file can be
/// aggregated by the engine's in-memory batch path one partition at a time with bounded memory.
/// Every purchase of a customer lands in the same partition, so aggregating each partition on
/// its own and putting the customers together gives exactly the whole file's customers.
/// </summary>
/// <remarks>
/// One partition stays in memory. With several, purchases are written to temporary files (a
/// compact binary form) as they stream in and read back one partition at a time; the files are
/// deleted on <see cref="Dispose"/>. Not thread-safe: one thread adds, then one thread reads.
/// </remarks>
internal sealed class CustomerPartitions : IDisposable
{
    /// <summary>File bytes per partition: a partition of about this much CSV fits comfortably in memory.</summary>
    internal const long BytesPerPartition = 96L * 1024 * 1024;

    private readonly Currency currency;
    private readonly List<Purchase>? memory;
    private readonly string? folder;
    private readonly BinaryWriter[] writers = [];
    private readonly long[] counts;
    private readonly List<string> categoryNames = [];
    private readonly Dictionary<string, int> categoryIds = new(StringComparer.Ordinal);
    private readonly List<string[]> categoryLists = [];
    private bool any;

    /// <summary>Creates the partitions for a file of the given size.</summary>
    /// <param name="fileBytes">The size of the CSV file.</param>
    /// <param name="currency">The currency of the amounts.</param>
    public CustomerPartitions(long fileBytes, Currency currency)
    {
        this.currency = currency;
        var count = (int)Math.Clamp((fileBytes + BytesPerPartition - 1) / BytesPerPartition, 1, 256);
        counts = new long[count];
        if (count == 1)
        {
            memory = [];
            return;
        }

        folder = Path.Combine(Path.GetTempPath(), "loyalty-partitions-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        writers = new BinaryWriter[count];
        for (var i = 0; i < count; i++)
        {
            var stream = new FileStream(Path.Combine(folder, $"{i}.bin"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            writers[i] = new BinaryWriter(stream);
        }
    }

    /// <summary>The number of partitions.</summary>
    public int Count => counts.Length;

    /// <summary>The latest purchase instant added (default when none).</summary>
    public Instant Latest { get; private set; }

    /// <summary>Adds every purchase of a stream.</summary>
    /// <param name="purchases">The purchases.</param>
    /// <returns>This instance.</returns>
    public CustomerPartitions AddAll(IEnumerable<Purchase> purchases)
    {
        foreach (var purchase in purchases)
        {
            Add(in purchase);
        }

        return this;
    }

    /// <summary>Adds a purchase to its customer's partition.</summary>
    /// <param name="purchase">The purchase.</param>
    public void Add(in Purchase purchase)
    {
        if (!any || purchase.PlacedAt > Latest)
        {
            Latest = purchase.PlacedAt;
            any = true;
        }

        if (memory is not null)
        {
            memory.Add(purchase);
            counts[0]++;
            return;
        }

        var customer = purchase.Customer.ToString();
        var partition = (int)((uint)string.GetHashCode(customer, StringComparison.Ordinal) % (uint)counts.Length);
        counts[partition]++;
        var writer = writers[partition];
        WriteText(writer, customer);
        WriteText(writer, purchase.Order.ToString());
        writer.Write(purchase.PlacedAt.ToUnixTimeTicks());
        writer.Write(purchase.NetAmount.Amount);
        writer.Write(CategoryId(purchase.Categories));
    }

    /// <summary>
    /// The partitions one at a time; the next partition is read back from its file while the
    /// caller works on the current one.
    /// </summary>
    /// <returns>The purchases of each partition (a list is not used again by this instance once the next is returned).</returns>
    public IEnumerable<List<Purchase>> Read()
    {
        if (memory is not null)
        {
            yield return memory;
            yield break;
        }

        foreach (var writer in writers)
        {
            writer.Flush();
        }

        var next = Task.Run(() => ReadPartition(0));
        for (var i = 0; i < writers.Length; i++)
        {
            var current = next.GetAwaiter().GetResult();
            var following = i + 1;
            next = following < writers.Length ? Task.Run(() => ReadPartition(following)) : Task.FromResult<List<Purchase>>([]);
            yield return current;
        }
    }

    private List<Purchase> ReadPartition(int index)
    {
        var stream = writers[index].BaseStream;
        stream.Position = 0;
        var list = new List<Purchase>((int)Math.Min(counts[index], int.MaxValue));
        using (var reader = new BinaryReader(new BufferedStream(stream, 1 << 16), System.Text.Encoding.UTF8, leaveOpen: true))
        {
            for (var n = 0L; n < counts[index]; n++)
            {
                var customer = MemberId.From(ReadText(reader));
                var order = OrderId.From(ReadText(reader));
                var at = Instant.FromUnixTimeTicks(reader.ReadInt64());
                var amount = reader.ReadDecimal();
                var category = reader.ReadInt32();
                list.Add(new Purchase(customer, order, at, Money.FromDecimal(amount, currency), category < 0 ? null : categoryLists[category]));
            }
        }

        // The partition's file is no longer needed.
        stream.SetLength(0);
        return list;
    }

    private static void WriteText(BinaryWriter writer, string text)
    {
        writer.Write(text.Length);
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(text.AsSpan()));
    }

    private static string ReadText(BinaryReader reader)
    {
        var length = reader.ReadInt32();
        return string.Create(length, reader, static (chars, r) => r.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(chars)));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var writer in writers)
        {
            writer.Dispose();
        }

        if (folder is not null && Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private int CategoryId(IReadOnlyList<string>? categories)
    {
        if (categories is null || categories.Count == 0)
        {
            return -1;
        }

        // The reader gives one category per line; several are joined into one key.
        var key = categories.Count == 1 ? categories[0] : string.Join('\u001F', categories);
        if (!categoryIds.TryGetValue(key, out var id))
        {
            id = categoryNames.Count;
            categoryNames.Add(key);
            categoryLists.Add([.. categories]);
            categoryIds.Add(key, id);
        }

        return id;
    }
}
