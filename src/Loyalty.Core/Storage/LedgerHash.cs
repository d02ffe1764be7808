using System.Buffers.Binary;

namespace Loyalty.Core.Storage;

/// <summary>
/// A SHA-256 link of an account's hash chain: the hash a transaction stores (of its canonical content
/// and of the previous transaction's hash), and the hash an account head keeps of its last transaction.
/// </summary>
/// <remarks>
/// An immutable 32-byte value with equality by content. <c>default</c> (<see cref="IsNone"/>) means no
/// hash: a transaction written before the chain existed, or an account without transactions.
/// </remarks>
public readonly struct LedgerHash : IEquatable<LedgerHash>
{
    /// <summary>The size of a hash in bytes.</summary>
    public const int Size = 32;

    private readonly ulong a;
    private readonly ulong b;
    private readonly ulong c;
    private readonly ulong d;

    private LedgerHash(ulong a, ulong b, ulong c, ulong d)
    {
        this.a = a;
        this.b = b;
        this.c = c;
        this.d = d;
    }

    /// <summary>Whether this is the absent hash (<c>default</c>).</summary>
    public bool IsNone => (a | b | c | d) == 0;

    /// <summary>The hash of exactly <see cref="Size"/> bytes.</summary>
    /// <param name="bytes">The 32 bytes of a SHA-256 hash.</param>
    /// <returns>The hash.</returns>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public static LedgerHash FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A ledger hash is {Size} bytes (SHA-256); got {bytes.Length}.", nameof(bytes));
        }

        return new LedgerHash(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));
    }

    /// <summary>Writes the 32 bytes to <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <see cref="Size"/> bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"A ledger hash needs {Size} bytes; the destination has {destination.Length}.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], d);
    }

    /// <summary>The 32 bytes in a new array.</summary>
    /// <returns>The bytes.</returns>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>The hash in lower-case hexadecimal (64 characters), or an empty string for <see cref="IsNone"/>.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        if (IsNone)
        {
            return "";
        }

        Span<byte> bytes = stackalloc byte[Size];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <inheritdoc />
    public bool Equals(LedgerHash other) => a == other.a && b == other.b && c == other.c && d == other.d;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is LedgerHash other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(a, b, c, d);

    /// <summary>Whether two hashes are equal.</summary>
    /// <param name="left">A hash.</param>
    /// <param name="right">Another.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(LedgerHash left, LedgerHash right) => left.Equals(right);

    /// <summary>Whether two hashes differ.</summary>
    /// <param name="left">A hash.</param>
    /// <param name="right">Another.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(LedgerHash left, LedgerHash right) => !left.Equals(right);
}
