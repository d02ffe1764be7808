using System.Globalization;
using BenchmarkDotNet.Attributes;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// The amounts of an order's fingerprint (written on every order, refund and retry): 1,000 shop amounts
/// (0.01 to 999.99, with 0, 1 or 2 trailing zeros of scale) written the way the fingerprint's canonical
/// text always had them, with the custom format <c>0.####…</c> (baseline), against the same text written
/// as the value without its trailing zeros in the general format; and, for scale, the fingerprint of a
/// 3-line order.
/// </summary>
[MemoryDiagnoser]
public class FingerprintBenchmarks
{
    private const string CustomFormat = "0.############################";
    private decimal[] amounts = [];
    private EarningOrder order = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        amounts = Enumerable.Range(0, 1_000).Select(i => new decimal(random.Next(1, 100_000), 0, 0, false, 2) * (i % 3 == 0 ? 1.0m : 1m)).ToArray();
        order = new EarningOrder(OrderId.From("A-1001"), MemberId.From("alice"), Instant.FromUtc(2026, 3, 2, 9, 30), Currency.EUR,
            [new OrderLine("SHOE-42", 1, 89.90m, categories: ["shoes"]), new OrderLine("SOCK", 3, 4.50m, categories: ["clothing"]), new OrderLine("CAP", 1, 19m, categories: ["clothing"])]);
    }

    /// <summary>The custom format, as the canonical text defines it.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = 1_000)]
    public int CustomFormatAmounts()
    {
        Span<byte> digits = stackalloc byte[64];
        var total = 0;
        foreach (var amount in amounts)
        {
            amount.TryFormat(digits, out var written, CustomFormat, CultureInfo.InvariantCulture);
            total += written;
        }

        return total;
    }

    /// <summary>The same text: trailing zeros dropped, then the general format.</summary>
    [Benchmark(OperationsPerInvoke = 1_000)]
    public int TrimmedAmounts()
    {
        Span<byte> digits = stackalloc byte[64];
        var total = 0;
        foreach (var amount in amounts)
        {
            Fingerprint.WithoutTrailingZeros(amount).TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
            total += written;
        }

        return total;
    }

    /// <summary>A 3-line order's whole fingerprint (ids, instant, 3 lines of 7 fields, totals; SHA-256).</summary>
    [Benchmark]
    public string OrderFingerprint() => Fingerprint.Of(order);
}
