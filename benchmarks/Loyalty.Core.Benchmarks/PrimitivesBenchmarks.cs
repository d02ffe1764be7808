using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// What the strong types cost: summing a member's 1,000 point movements with checked
/// <see cref="Points"/> arithmetic against raw unchecked <see cref="long"/> (baseline), and
/// keying a dictionary by <see cref="MemberId"/> against raw strings.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class PrimitivesBenchmarks
{
    private long[] raw = [];
    private Points[] points = [];
    private Dictionary<string, int> byString = [];
    private Dictionary<MemberId, int> byMemberId = [];
    private string[] stringKeys = [];
    private MemberId[] memberKeys = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        raw = Enumerable.Range(0, 1_000).Select(_ => (long)random.Next(-500, 5_000)).ToArray();
        points = raw.Select(Points.FromInt64).ToArray();
        stringKeys = Enumerable.Range(0, 1_000).Select(i => "customer-" + i).ToArray();
        memberKeys = stringKeys.Select(MemberId.From).ToArray();
        byString = stringKeys.Select((k, i) => (k, i)).ToDictionary(p => p.k, p => p.i);
        byMemberId = memberKeys.Select((k, i) => (k, i)).ToDictionary(p => p.k, p => p.i);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Sum")]
    public long SumRawLong()
    {
        long total = 0;
        foreach (var v in raw)
        {
            total += v;
        }

        return total;
    }

    [Benchmark]
    [BenchmarkCategory("Sum")]
    public Points SumCheckedPoints()
    {
        var total = Points.Zero;
        foreach (var p in points)
        {
            total += p;
        }

        return total;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Lookup")]
    public int LookupByString()
    {
        var hits = 0;
        foreach (var k in stringKeys)
        {
            hits += byString[k];
        }

        return hits;
    }

    [Benchmark]
    [BenchmarkCategory("Lookup")]
    public int LookupByMemberId()
    {
        var hits = 0;
        foreach (var k in memberKeys)
        {
            hits += byMemberId[k];
        }

        return hits;
    }
}
