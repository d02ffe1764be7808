namespace Loyalty.Cli.Input;

/// <summary>
/// Reads an orders file into a <see cref="PurchaseStore"/> on every core: the file is split into
/// byte ranges at line boundaries, and each range is parsed (Sylvan.Data.Csv, every value checked
/// as by <see cref="OrderCsvReader"/>) on its own thread.
/// </summary>
/// <remarks>
/// <para>A range boundary is a line break, which ends a record unless it is inside a quoted field;
/// so a range reader stops at the first double quote it meets, and a file with quotes is read
/// again whole, on one thread. A bad line found in a range stops every range, and the file is
/// read again whole up to that line, which gives the exact error: the first bad line of the file,
/// with its physical line number. Either way the result is the file's, as read by one reader.</para>
/// </remarks>
internal sealed class OrderScan : IReadProgress
{
    private readonly OrderCsvReader header;
    private readonly long headerEnd;
    private readonly int threads;
    private readonly long minimumRange;
    private OrderCsvReader?[] readers = [];

    /// <summary>Prepares the scan of the file whose header <paramref name="header"/> read.</summary>
    /// <param name="header">The reader of the whole file, positioned after its header (not read further unless the file is read whole).</param>
    /// <param name="threads">The ranges read at once (the processor count by default).</param>
    /// <param name="minimumRange">The smallest range in bytes (a smaller file is read whole).</param>
    public OrderScan(OrderCsvReader header, int threads = 0, long minimumRange = 4L * 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(header);
        this.header = header;
        this.threads = threads > 0 ? threads : Environment.ProcessorCount;
        this.minimumRange = Math.Max(1, minimumRange);
        headerEnd = HeaderEnd(header.FileName);
    }

    /// <summary>Whether the last read was split into ranges (false: read whole).</summary>
    public bool Split { get; private set; }

    /// <inheritdoc />
    public long Length => header.Length;

    /// <inheritdoc />
    public long BytesRead
    {
        get
        {
            var sum = header.BytesRead;
            foreach (var reader in Volatile.Read(ref readers))
            {
                sum += reader?.BytesRead ?? 0;
            }

            return Math.Min(sum, Length);
        }
    }

    /// <inheritdoc />
    public long Lines
    {
        get
        {
            var sum = header.Lines;
            foreach (var reader in Volatile.Read(ref readers))
            {
                sum += reader?.Lines ?? 0;
            }

            return sum;
        }
    }

    /// <summary>The threads the store needs writers for.</summary>
    public int Threads => threads;

    /// <summary>Reads every purchase of the file into the store.</summary>
    /// <param name="store">The store, with a writer per thread (<see cref="Threads"/>).</param>
    /// <returns>The data lines read.</returns>
    /// <exception cref="InputException">A line is bad: the first bad line of the file, by its number in the file.</exception>
    public long ReadInto(PurchaseStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var ranges = Ranges();
        if (ranges.Count > 1)
        {
            Split = true;
            if (TryRanges(ranges, store) is { } lines)
            {
                return lines;
            }

            // A quote or a bad line: read whole, for the file's own reading and line numbers.
            store.Clear();
            Volatile.Write(ref readers, []);
        }

        Split = false;
        var writer = store.WriterOf(0);
        ReadAll(header, writer);
        store.Complete();
        return header.Lines;
    }

    private long? TryRanges(List<(long Start, long End)> ranges, PurchaseStore store)
    {
        var opened = new OrderCsvReader?[ranges.Count];
        Volatile.Write(ref readers, opened);
        var failed = 0;
        var tasks = new Task[ranges.Count];
        for (var i = 0; i < ranges.Count; i++)
        {
            var index = i;
            tasks[i] = Task.Factory.StartNew(
                () =>
                {
                    using var reader = OrderCsvReader.OpenRange(header, ranges[index].Start, ranges[index].End);
                    opened[index] = reader;
                    try
                    {
                        ReadAll(reader, store.WriterOf(index), () => Volatile.Read(ref failed) != 0);
                        if (reader.SawQuote)
                        {
                            Volatile.Write(ref failed, 1);
                        }
                    }
                    catch (InputException)
                    {
                        Volatile.Write(ref failed, 1);
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }

        Task.WaitAll(tasks);
        if (failed != 0)
        {
            return null;
        }

        store.Complete();
        return opened.Sum(r => r!.Lines);
    }

    private static void ReadAll(OrderCsvReader reader, PurchaseStore.Writer writer, Func<bool>? stop = null)
    {
        var count = 0;
        while (reader.NextRecord())
        {
            var customer = reader.CustomerText();
            var order = reader.OrderText();
            var category = reader.Values(out var placedAt, out var amount);
            writer.Append(customer, order, placedAt, amount, category);
            if (stop is not null && (++count & 0xFFF) == 0 && stop())
            {
                return;
            }
        }
    }

    private List<(long Start, long End)> Ranges()
    {
        var length = header.Length;
        var data = length - headerEnd;
        var count = headerEnd < 0 ? 1 : (int)Math.Clamp(data / minimumRange, 1, threads);
        if (count <= 1)
        {
            return [(0, length)];
        }

        var ranges = new List<(long, long)>(count);
        using var file = new FileStream(header.FileName, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        var start = headerEnd;
        var buffer = new byte[64 * 1024];
        for (var i = 1; i < count && start < length; i++)
        {
            var end = LineStartAfter(file, buffer, Math.Max(start, headerEnd + (data * i / count)), length);
            if (end > start)
            {
                ranges.Add((start, end));
                start = end;
            }
        }

        if (start < length)
        {
            ranges.Add((start, length));
        }

        return ranges;
    }

    /// <summary>The first byte after the first line break at or after <paramref name="from"/> (or the end).</summary>
    private static long LineStartAfter(FileStream file, byte[] buffer, long from, long length)
    {
        file.Position = from;
        while (file.Position < length)
        {
            var at = file.Position;
            var read = file.Read(buffer);
            if (read == 0)
            {
                break;
            }

            var newLine = buffer.AsSpan(0, read).IndexOf((byte)'\n');
            if (newLine >= 0)
            {
                return at + newLine + 1;
            }
        }

        return length;
    }

    /// <summary>The byte after the header line, or -1 when the header holds a quote or a lone carriage return (read whole).</summary>
    private static long HeaderEnd(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            var buffer = new byte[64 * 1024];
            var read = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            var line = buffer.AsSpan(0, read);
            var newLine = line.IndexOf((byte)'\n');
            if (newLine < 0)
            {
                return -1;
            }

            var text = line[..newLine];
            if (text.EndsWith((ReadOnlySpan<byte>)[(byte)'\r']))
            {
                text = text[..^1];
            }

            return text.IndexOfAny((byte)'"', (byte)'\r') >= 0 ? -1 : newLine + 1;
        }
        catch (IOException)
        {
            return -1;
        }
    }
}

/// <summary>How far the read of an orders file is, for a progress bar (read from another thread).</summary>
internal interface IReadProgress
{
    /// <summary>The size of the file in bytes.</summary>
    long Length { get; }

    /// <summary>The bytes read so far.</summary>
    long BytesRead { get; }

    /// <summary>The data lines read so far.</summary>
    long Lines { get; }
}
