namespace Loyalty.Cli.Input;

/// <summary>
/// A read-only pass-through stream that counts the bytes read, readable from another thread for
/// a progress bar; optionally limited to a number of bytes and stopping at the first double quote.
/// </summary>
/// <param name="inner">The stream read.</param>
/// <param name="limit">The bytes to read at most (the end of a range of a file).</param>
/// <param name="stopAtQuote">Whether to end the stream at the first block holding a <c>"</c> (see <see cref="SawQuote"/>).</param>
internal sealed class CountingStream(Stream inner, long limit = long.MaxValue, bool stopAtQuote = false) : Stream
{
    private long position;

    /// <summary>Whether the stream ends at the first double quote.</summary>
    public bool StopsAtQuote => stopAtQuote;

    /// <summary>Whether the stream stopped at a double quote.</summary>
    public bool SawQuote { get; private set; }

    /// <summary>The bytes read so far.</summary>
    public long BytesRead => Volatile.Read(ref position);

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => inner.Length;

    /// <inheritdoc />
    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var left = limit - position;
        if (left <= 0 || SawQuote)
        {
            return 0;
        }

        if (buffer.Length > left)
        {
            buffer = buffer[..(int)left];
        }

        var read = inner.Read(buffer);
        if (stopAtQuote && buffer[..read].Contains((byte)'"'))
        {
            SawQuote = true;
            return 0;
        }

        return Count(read);
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Count(int read)
    {
        Volatile.Write(ref position, position + read);
        return read;
    }
}
