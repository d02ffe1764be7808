namespace Loyalty.Core.Earning;

/// <summary>
/// An order's money amounts (line net amounts, shipping, tax) as whole numbers at one common
/// decimal scale, so that the spend rules sum them and weigh their allocations with 64-bit
/// integer arithmetic instead of <see cref="decimal"/> arithmetic.
/// </summary>
/// <remarks>
/// Exact: a decimal sum of amounts has the largest scale of its terms and, while it fits in 96
/// bits, no rounding; <see cref="ToDecimal"/> rebuilds that very decimal (same value, same
/// scale) from the integer sum. <see cref="TryCreate"/> refuses orders whose amounts need more
/// than 12 decimal places or whose total does not fit in 64 bits at the common scale; the engine
/// then falls back to decimal arithmetic.
/// </remarks>
internal readonly ref struct ScaledAmounts
{
    private static readonly long[] PowersOfTen =
    [
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L,
        10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L,
    ];

    /// <summary>The largest mantissa that can be multiplied by 10^k without leaving 64 bits (no division on the hot path).</summary>
    private static readonly ulong[] LargestScalable = Enumerable.Range(0, PowersOfTen.Length).Select(k => (ulong)(long.MaxValue / PowersOfTen[k])).ToArray();

    private ScaledAmounts(ReadOnlySpan<long> lines, long shipping, long tax, int scale)
    {
        Lines = lines;
        Shipping = shipping;
        Tax = tax;
        Scale = scale;
    }

    /// <summary>Each line's net amount × 10^<see cref="Scale"/>.</summary>
    public ReadOnlySpan<long> Lines { get; }

    /// <summary>Shipping × 10^<see cref="Scale"/>.</summary>
    public long Shipping { get; }

    /// <summary>Tax × 10^<see cref="Scale"/>.</summary>
    public long Tax { get; }

    /// <summary>The common scale: the largest scale of the order's amounts.</summary>
    public int Scale { get; }

    /// <summary>Brings the order's amounts to one scale; false when they need decimal arithmetic.</summary>
    /// <param name="order">The order, or null for an activity (no amounts).</param>
    /// <param name="lineBuffer">Room for one value per line.</param>
    /// <param name="amounts">The scaled amounts.</param>
    /// <returns>True when every amount and their total fit in 64 bits at the common scale.</returns>
    public static bool TryCreate(EarningOrder? order, Span<long> lineBuffer, out ScaledAmounts amounts)
    {
        amounts = default;
        if (order is null)
        {
            return true;
        }

        var lines = order.Lines;
        var scale = Math.Max(order.Shipping.Scale, order.Tax.Scale);
        if (decimal.IsNegative(order.Shipping) || decimal.IsNegative(order.Tax))
        {
            return false;
        }

        for (var i = 0; i < lines.Count; i++)
        {
            var net = lines[i].NetAmount;
            if (decimal.IsNegative(net))
            {
                return false;
            }

            scale = Math.Max(scale, net.Scale);
        }

        if (scale >= PowersOfTen.Length)
        {
            return false;
        }

        Span<int> bits = stackalloc int[4];
        if (!TryScale(order.Shipping, scale, bits, out var shipping) || !TryScale(order.Tax, scale, bits, out var tax) || shipping > long.MaxValue - tax)
        {
            return false;
        }

        var total = shipping + tax;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!TryScale(lines[i].NetAmount, scale, bits, out var net) || net > long.MaxValue - total)
            {
                return false;
            }

            lineBuffer[i] = net;
            total += net;
        }

        amounts = new ScaledAmounts(lineBuffer[..lines.Count], shipping, tax, scale);
        return true;
    }

    /// <summary>
    /// The decimal that summing the terms in decimal arithmetic gives: the value
    /// <paramref name="sum"/> × 10^−<see cref="Scale"/> written with <paramref name="scale"/>
    /// decimal places (the largest scale of the terms, 0 for none).
    /// </summary>
    /// <param name="sum">A sum of scaled amounts (0 or greater).</param>
    /// <param name="scale">The largest scale among the summed amounts; at most <see cref="Scale"/>.</param>
    /// <returns>The decimal.</returns>
    public decimal ToDecimal(long sum, int scale)
    {
        var mantissa = (ulong)(scale == Scale ? sum : sum / PowersOfTen[Scale - scale]);
        return new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, isNegative: false, (byte)scale);
    }

    /// <summary>
    /// <c>value × factor</c>, skipping the multiplication when the factor is exactly 1 with no
    /// decimal places, which leaves every decimal unchanged (same value, same scale).
    /// </summary>
    /// <param name="value">The value.</param>
    /// <param name="factor">The factor.</param>
    /// <returns>The product.</returns>
    public static decimal Times(decimal value, decimal factor) => factor == 1m && factor.Scale == 0 ? value : value * factor;

    private static bool TryScale(decimal value, int scale, Span<int> bits, out long scaled)
    {
        scaled = 0;
        decimal.GetBits(value, bits);
        if (bits[2] != 0)
        {
            return false;
        }

        var mantissa = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        var shift = scale - value.Scale;
        if (mantissa > LargestScalable[shift])
        {
            return false;
        }

        scaled = shift == 0 ? (long)mantissa : (long)mantissa * PowersOfTen[shift];
        return true;
    }
}
