namespace Loyalty.Core.Analytics.Internal;

internal static class Ranking
{
    /// <summary>Runs body(from, to) over [0, n) in a few contiguous chunks per core (no per-item delegate call).</summary>
    internal static void Chunks(int n, Action<int, int> body)
    {
        var parts = n < 16_384 ? 1 : Environment.ProcessorCount * 4;
        if (parts == 1)
        {
            body(0, n);
            return;
        }

        Parallel.For(0, parts, part => body((int)((long)n * part / parts), (int)((long)n * (part + 1) / parts)));
    }

    /// <summary>
    /// The indexes 0..n-1 ordered by value, largest first; equal values keep their index order (a
    /// stable least-significant-digit radix sort on the values' order-preserving bit patterns: four
    /// passes of 16 bits, linear in n, each pass split into contiguous chunks sorted on their own cores).
    /// </summary>
    internal static int[] Descending(double[] values)
    {
        const int Digits = 1 << 16;
        var n = values.Length;
        if (n == 0)
        {
            return [];
        }

        var keys = new ulong[n];
        var order = new int[n];
        Chunks(n, (from, to) =>
        {
            for (var i = from; i < to; i++)
            {
                var bits = BitConverter.DoubleToUInt64Bits(values[i] + 0.0); // -0.0 → 0.0
                var ascending = (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
                keys[i] = ~ascending;
                order[i] = i;
            }
        });

        var parts = n < 65_536 ? 1 : Environment.ProcessorCount;
        var keys2 = new ulong[n];
        var order2 = new int[n];
        var counts = new int[parts * Digits];
        for (var shift = 0; shift < 64; shift += 16)
        {
            Array.Clear(counts);
            var sourceKeys = keys;
            Parallel.For(0, parts, part =>
            {
                int from = (int)((long)n * part / parts), to = (int)((long)n * (part + 1) / parts), o = part * Digits;
                for (var i = from; i < to; i++)
                {
                    counts[o + (int)((sourceKeys[i] >> shift) & 0xFFFF)]++;
                }
            });

            var first = (int)((keys[0] >> shift) & 0xFFFF);
            var same = 0;
            for (var part = 0; part < parts; part++)
            {
                same += counts[(part * Digits) + first];
            }

            if (same == n)
            {
                continue; // every key has the same digit: this pass would not move anything
            }

            // Offsets digit-major, then chunk: chunk 0's keys of a digit land before chunk 1's (stable).
            var sum = 0;
            for (var d = 0; d < Digits; d++)
            {
                for (var part = 0; part < parts; part++)
                {
                    var c = counts[(part * Digits) + d];
                    counts[(part * Digits) + d] = sum;
                    sum += c;
                }
            }

            var (k1, o1, k2, o2) = (keys, order, keys2, order2);
            Parallel.For(0, parts, part =>
            {
                int from = (int)((long)n * part / parts), to = (int)((long)n * (part + 1) / parts), o = part * Digits;
                for (var i = from; i < to; i++)
                {
                    var at = counts[o + (int)((k1[i] >> shift) & 0xFFFF)]++;
                    k2[at] = k1[i];
                    o2[at] = o1[i];
                }
            });

            (keys, keys2) = (keys2, keys);
            (order, order2) = (order2, order);
        }

        return order;
    }
}
