namespace Loyalty.Cli.Input;

/// <summary>A fast non-cryptographic hash of short byte strings (ids), for hash tables and partitions within one run.</summary>
internal static class FastHash
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;

    /// <summary>Hashes bytes.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The hash.</returns>
    public static int Of(ReadOnlySpan<byte> data)
    {
        ulong h = Prime2 ^ (ulong)data.Length;
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            h = Mix(h, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }

        if (i < data.Length)
        {
            ulong tail = 0;
            for (var j = data.Length - 1; j >= i; j--)
            {
                tail = (tail << 8) | data[j];
            }

            h = Mix(h, tail);
        }

        h ^= h >> 29;
        h *= Prime1;
        h ^= h >> 32;
        return (int)h;
    }

    /// <summary>Hashes characters.</summary>
    /// <param name="text">The characters.</param>
    /// <returns>The hash.</returns>
    public static int Of(ReadOnlySpan<char> text) => Of(System.Runtime.InteropServices.MemoryMarshal.AsBytes(text));

    private static ulong Mix(ulong h, ulong value) => System.Numerics.BitOperations.RotateLeft(h ^ (value * Prime1), 27) * Prime2;
}
