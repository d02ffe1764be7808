using System.Buffers;
using System.Text;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage;

/// <summary>
/// One of <see cref="Count"/> disjoint slices of a programme's members, so that several workers
/// (instances of the shop, or a job scheduler's parallel jobs) split a batch run between them
/// without overlap. Every member belongs to exactly one partition of a given count.
/// </summary>
/// <remarks>
/// <para>A member's place is its <see cref="KeyOf(MemberId)">partition key</see>, a stable 32-bit
/// hash of its id: FNV-1a (64-bit) over the id's UTF-8 bytes, mixed by the MurmurHash3 64-bit
/// finaliser (<c>fmix64</c>), upper 32 bits. It never depends on the process, the platform or the
/// .NET version (unlike <see cref="string.GetHashCode()"/>), so workers on different machines agree,
/// and a relational store can keep it in an indexed column.</para>
/// <para>Partition <c>i</c> of <c>n</c> holds the keys from ⌈i·2³²/n⌉ to ⌈(i+1)·2³²/n⌉ − 1: a
/// contiguous range, so a store reads one partition with a range scan of an index on
/// (key, member id), and the partitions of one count cover every key exactly once.</para>
/// <para>Immutable and thread-safe. <c>default(MemberPartition)</c> is <see cref="All"/>.</para>
/// </remarks>
public readonly struct MemberPartition : IEquatable<MemberPartition>
{
    /// <summary>The largest partition count, 65,536.</summary>
    public const int MaxCount = 65_536;

    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    // Stored as count - 1 so that default(MemberPartition) is the whole programme.
    private readonly int countMinusOne;

    private MemberPartition(int index, int count)
    {
        Index = index;
        countMinusOne = count - 1;
    }

    /// <summary>The whole programme: partition 0 of 1.</summary>
    public static MemberPartition All => default;

    /// <summary>The partition's number, from 0 to <see cref="Count"/> − 1.</summary>
    public int Index { get; }

    /// <summary>The number of partitions the programme is split into, 1 to <see cref="MaxCount"/>.</summary>
    public int Count => countMinusOne + 1;

    /// <summary>The smallest partition key in this partition.</summary>
    public uint FirstKey => Boundary(Index, Count);

    /// <summary>The largest partition key in this partition (inclusive).</summary>
    public uint LastKey => (uint)(Boundary64(Index + 1, Count) - 1);

    /// <summary>Partition <paramref name="index"/> of <paramref name="count"/>.</summary>
    /// <param name="index">The partition's number, 0 to <paramref name="count"/> − 1.</param>
    /// <param name="count">The number of partitions, 1 to <see cref="MaxCount"/>.</param>
    /// <returns>The partition.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> or <paramref name="index"/> is out of range.</exception>
    public static MemberPartition Of(int index, int count)
    {
        if (count < 1 || count > MaxCount)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The partition count must be between 1 and {MaxCount} (was {count}).");
        }

        if (index < 0 || index >= count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The partition index must be between 0 and {count - 1} for {count} partitions (was {index}); partitions are numbered from 0.");
        }

        return new MemberPartition(index, count);
    }

    /// <summary>
    /// The member's partition key: FNV-1a 64 over the UTF-8 bytes of <see cref="MemberId.Value"/>,
    /// then MurmurHash3's <c>fmix64</c>, upper 32 bits. Stable across processes and platforms.
    /// </summary>
    /// <param name="memberId">The member; not default.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default.</exception>
    public static uint KeyOf(MemberId memberId)
    {
        Internal.Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        return KeyOf(memberId.Value);
    }

    /// <summary>Whether the member belongs to this partition.</summary>
    /// <param name="memberId">The member; not default.</param>
    /// <returns>True when its key is in this partition's range.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default.</exception>
    public bool Contains(MemberId memberId) => ContainsKey(KeyOf(memberId));

    /// <summary>Whether a partition key belongs to this partition.</summary>
    /// <param name="key">The key.</param>
    /// <returns>True when it is between <see cref="FirstKey"/> and <see cref="LastKey"/>.</returns>
    public bool ContainsKey(uint key) => key >= FirstKey && key <= LastKey;

    /// <inheritdoc />
    public bool Equals(MemberPartition other) => Index == other.Index && countMinusOne == other.countMinusOne;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MemberPartition other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Index, countMinusOne);

    /// <summary>Whether two partitions are the same.</summary>
    /// <param name="left">One.</param>
    /// <param name="right">The other.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(MemberPartition left, MemberPartition right) => left.Equals(right);

    /// <summary>Whether two partitions differ.</summary>
    /// <param name="left">One.</param>
    /// <param name="right">The other.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(MemberPartition left, MemberPartition right) => !left.Equals(right);

    /// <summary>The partition as <c>index/count</c>, e.g. <c>2/8</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Index}/{Count}";

    internal static uint KeyOf(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        Span<byte> bytes = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        var length = Encoding.UTF8.GetBytes(value, bytes);
        var hash = FnvOffset;
        foreach (var b in bytes[..length])
        {
            hash = (hash ^ b) * FnvPrime;
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        // MurmurHash3 fmix64: every input bit moves every output bit, so ids that differ only in
        // their last character spread over the whole key range.
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return (uint)(hash >> 32);
    }

    private static uint Boundary(int index, int count) => (uint)Boundary64(index, count);

    // ⌈index · 2³² / count⌉, from 0 to 2³².
    private static ulong Boundary64(int index, int count) => (((ulong)index << 32) + (ulong)count - 1) / (ulong)count;
}
