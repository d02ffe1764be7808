using System.Runtime.InteropServices;
using NodaTime;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>
/// Writes a record's fields for a <see cref="ByteArena{T}"/>: integers in 7-bit groups (small numbers
/// take a byte), signed ones zig-zagged, decimals by their parts with their scale, instants to the
/// nanosecond, strings whole (ASCII a byte per char, else UTF-16 code units, so that any string reads
/// back unchanged) or by their number in the arena's <see cref="StringTable"/>.
/// </summary>
internal ref struct RecordWriter
{
    private readonly StringTable strings;
    private byte[] buffer;
    private int length;

    /// <summary>A writer into <paramref name="buffer"/> (grown when full) from <paramref name="start"/>.</summary>
    public RecordWriter(byte[] buffer, int start, StringTable strings)
    {
        this.buffer = buffer;
        this.strings = strings;
        length = start;
    }

    /// <summary>The buffer (a larger one when it grew).</summary>
    public readonly byte[] Buffer => buffer;

    /// <summary>The bytes written, the start included.</summary>
    public readonly int Length => length;

    /// <summary>One byte.</summary>
    public void Byte(byte value)
    {
        if (length == buffer.Length)
        {
            Array.Resize(ref buffer, buffer.Length * 2);
        }

        buffer[length++] = value;
    }

    /// <summary>An unsigned integer, 7 bits per byte.</summary>
    public void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            Byte((byte)(value | 0x80));
            value >>= 7;
        }

        Byte((byte)value);
    }

    /// <summary>A signed integer, zig-zagged (small magnitudes take a byte).</summary>
    public void Signed(long value) => Varint((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>A decimal: sign and scale in a byte, then its 96-bit integer by parts (the upper two only when not zero), so 89.90m takes three bytes and keeps its scale.</summary>
    public void Amount(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0x1F;
        var wide = bits[1] != 0 || bits[2] != 0;
        Byte((byte)(scale | (bits[3] < 0 ? 0x80 : 0) | (wide ? 0x40 : 0)));
        Varint((uint)bits[0]);
        if (wide)
        {
            Varint((uint)bits[1]);
            Varint((uint)bits[2]);
        }
    }

    /// <summary>An instant, to the nanosecond: days since the Unix epoch and the nanosecond of the day.</summary>
    public void At(Instant value)
    {
        var since = value - NodaConstants.UnixEpoch;
        Signed(since.Days);
        Varint((ulong)since.NanosecondOfDay);
    }

    /// <summary>A duration, to the nanosecond: whole days and the nanosecond of the day.</summary>
    public void Span(Duration value)
    {
        Signed(value.Days);
        Varint((ulong)value.NanosecondOfDay);
    }

    /// <summary>A date with its calendar (ISO by default).</summary>
    public void Day(LocalDate value)
    {
        Signed(value.Year);
        Varint((uint)value.Month);
        Varint((uint)value.Day);
        Interned(value.Calendar == CalendarSystem.Iso ? null : value.Calendar.Id);
    }

    /// <summary>Bytes as they are (a hash, say): the reader knows their count.</summary>
    public void Raw(scoped ReadOnlySpan<byte> bytes)
    {
        Room(bytes.Length);
        bytes.CopyTo(buffer.AsSpan(length));
        length += bytes.Length;
    }

    /// <summary>
    /// A string whole, after a header (0 for null, else its length in chars doubled, plus 1 in ASCII or
    /// 2 in UTF-16): one byte per char when all are ASCII, else its UTF-16 code units as they are (an
    /// unpaired surrogate would not survive UTF-8).
    /// </summary>
    public void Text(string? value)
    {
        if (value is null)
        {
            Varint(0);
            return;
        }

        var ascii = System.Text.Ascii.IsValid(value);
        Varint(((ulong)(uint)value.Length << 1) + (ascii ? 1UL : 2UL));
        var bytes = ascii ? value.Length : value.Length * 2;
        Room(bytes);
        if (ascii)
        {
            System.Text.Encoding.ASCII.GetBytes(value, buffer.AsSpan(length));
        }
        else
        {
            MemoryMarshal.AsBytes(value.AsSpan()).CopyTo(buffer.AsSpan(length));
        }

        length += bytes;
    }

    /// <summary>A string by its number in the arena's table, plus 1 (0 for null): for values that repeat across records.</summary>
    public void Interned(string? value) => Varint(value is null ? 0 : (uint)strings.Intern(value) + 1);

    private void Room(int bytes)
    {
        while (buffer.Length - length < bytes)
        {
            Array.Resize(ref buffer, buffer.Length * 2);
        }
    }
}

/// <summary>Reads what a <see cref="RecordWriter"/> wrote, in the same order.</summary>
internal ref struct RecordReader
{
    private readonly byte[] chunk;
    private readonly StringTable strings;
    private int at;

    /// <summary>A reader of <paramref name="chunk"/> from <paramref name="start"/>.</summary>
    public RecordReader(byte[] chunk, int start, StringTable strings)
    {
        this.chunk = chunk;
        this.strings = strings;
        at = start;
    }

    /// <summary>One byte.</summary>
    public byte Byte() => chunk[at++];

    /// <summary>An unsigned integer.</summary>
    public ulong Varint()
    {
        ulong value = 0;
        var shift = 0;
        while (true)
        {
            var b = chunk[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }

            shift += 7;
        }
    }

    /// <summary>A signed integer.</summary>
    public long Signed()
    {
        var raw = Varint();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary>A decimal, with its scale.</summary>
    public decimal Amount()
    {
        var head = Byte();
        var lo = (int)(uint)Varint();
        int mid = 0, hi = 0;
        if ((head & 0x40) != 0)
        {
            mid = (int)(uint)Varint();
            hi = (int)(uint)Varint();
        }

        return new decimal(lo, mid, hi, (head & 0x80) != 0, (byte)(head & 0x1F));
    }

    /// <summary>An instant.</summary>
    public Instant At()
    {
        var days = (int)Signed();
        var nanos = (long)Varint();
        return NodaConstants.UnixEpoch + Duration.FromDays(days) + Duration.FromNanoseconds(nanos);
    }

    /// <summary>A duration.</summary>
    public Duration Span()
    {
        var days = (int)Signed();
        var nanos = (long)Varint();
        return Duration.FromDays(days) + Duration.FromNanoseconds(nanos);
    }

    /// <summary>A date with its calendar.</summary>
    public LocalDate Day()
    {
        var year = (int)Signed();
        var month = (int)Varint();
        var day = (int)Varint();
        var calendar = Interned() is { } id ? CalendarSystem.ForId(id) : CalendarSystem.Iso;
        return new LocalDate(year, month, day, calendar);
    }

    /// <summary><paramref name="count"/> bytes as they were written.</summary>
    public ReadOnlySpan<byte> Raw(int count)
    {
        var bytes = chunk.AsSpan(at, count);
        at += count;
        return bytes;
    }

    /// <summary>A string written whole.</summary>
    public string? Text()
    {
        var header = Varint();
        if (header == 0)
        {
            return null;
        }

        var chars = (int)((header - 1) >> 1);
        string value;
        if (((header - 1) & 1) == 0)
        {
            value = System.Text.Encoding.ASCII.GetString(chunk, at, chars);
            at += chars;
        }
        else
        {
            value = new string(MemoryMarshal.Cast<byte, char>(chunk.AsSpan(at, chars * 2)));
            at += chars * 2;
        }

        return value;
    }

    /// <summary>A string written by its number.</summary>
    public string? Interned() => (int)Varint() is var n and > 0 ? strings[n - 1] : null;
}
