using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// RFMP at shop scale. Scoring: 1,000,000 pre-aggregated customers scored (R, F, M, P) and
/// segmented, against a plain LINQ sort-and-rank of the same customers (NTILE-style position
/// ranks, the common public recipe) with the same segment lookup. Aggregation: 10,000,000
/// purchase lines (1 or 2 lines per order, customers interleaved) folded into 1,000,000
/// customers (absolute budget); and, against a plain LINQ GroupBy of the same lines (distinct
/// orders, sum, latest instant, distinct categories, ordinal order of ids), 1,000,000 lines
/// folded into 100,000 customers (the GroupBy is too slow and memory-hungry to repeat at
/// 10,000,000 lines in every run).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RfmpBenchmarks
{
    private const int CustomerCount = 1_000_000;
    private const int PurchaseCount = 10_000_000;
    private const int SmallCustomerCount = 100_000;
    private const int SmallPurchaseCount = 1_000_000;
    private const int K = 5;

    private static readonly Instant AsOf = Instant.FromUtc(2025, 12, 31, 23, 0);

    private RfmpSegmenter segmenter = null!;
    private CustomerActivity[] customers = [];
    private Purchase[] purchases = [];

    [GlobalSetup(Targets = [nameof(Score_and_segment), nameof(Linq_sort_and_rank)])]
    public void SetupCustomers()
    {
        segmenter = CreateSegmenter();
        var random = new Random(42);
        var eur = Currency.EUR;
        customers = new CustomerActivity[CustomerCount];
        for (var i = 0; i < customers.Length; i++)
        {
            // About half the customers buy once (a real e-commerce skew); amounts and categories follow.
            var orders = random.NextDouble() < 0.5 ? 1 : 2 + (int)(-Math.Log(1 - random.NextDouble()) * 4);
            var amount = Math.Round((decimal)(orders * 20 * Math.Exp(random.NextDouble() * 2)), 2);
            customers[i] = CustomerActivity.From(
                MemberId.From(i + 1), AsOf - Duration.FromMinutes(random.Next(0, 730 * 24 * 60)), orders,
                Money.FromDecimal(amount, eur), Math.Min(orders, random.Next(0, 12)));
        }
    }

    [GlobalSetup(Target = nameof(Aggregate_purchases))]
    public void SetupPurchases()
    {
        segmenter = CreateSegmenter();
        purchases = Purchases(PurchaseCount, CustomerCount, seed: 7);
    }

    [GlobalSetup(Targets = [nameof(Aggregate_1M_purchases), nameof(Linq_group_by_1M_purchases)])]
    public void SetupSmallPurchases()
    {
        segmenter = CreateSegmenter();
        purchases = Purchases(SmallPurchaseCount, SmallCustomerCount, seed: 8);
    }

    private static Purchase[] Purchases(int count, int customerCount, int seed)
    {
        var random = new Random(seed);
        var ids = Enumerable.Range(1, customerCount).Select(i => MemberId.From(i)).ToArray();
        string[][] categories = Enumerable.Range(0, 40).Select(c => new[] { "category-" + (c % 25), "category-" + ((c * 7) % 25) }.Distinct().ToArray()).ToArray();
        var amounts = Enumerable.Range(0, 1000).Select(a => Money.FromDecimal(a / 4m, Currency.EUR)).ToArray();
        var result = new Purchase[count];
        var order = 0L;
        for (var i = 0; i < result.Length;)
        {
            var customer = ids[random.Next(ids.Length)];
            var orderId = OrderId.From(++order);
            var at = AsOf - Duration.FromMinutes(random.Next(0, 730 * 24 * 60));
            var lines = random.Next(4) == 0 ? 2 : 1;
            for (var l = 0; l < lines && i < result.Length; l++, i++)
            {
                result[i] = new Purchase(customer, orderId, at, amounts[random.Next(amounts.Length)], categories[random.Next(categories.Length)]);
            }
        }

        return result;
    }

    [BenchmarkCategory("Score 1M customers"), Benchmark]
    public RfmpResult Score_and_segment() => segmenter.Segment(customers);

    [BenchmarkCategory("Score 1M customers"), Benchmark(Baseline = true)]
    public string[] Linq_sort_and_rank()
    {
        var n = customers.Length;
        var r = Ranks(customers.OrderByDescending(c => c.LastPurchaseAt), n);
        var f = Ranks(customers.OrderBy(c => c.Orders), n);
        var m = Ranks(customers.OrderBy(c => c.NetAmount.Amount), n);
        var p = Ranks(customers.OrderBy(c => c.Categories), n);
        var map = SegmentMap.Default;
        return customers.Select(c => map.SegmentOf(r[c.Customer], f[c.Customer]) + (m[c.Customer] > 3 ? "+M" : string.Empty) + (p[c.Customer] > 3 ? "+P" : string.Empty)).ToArray();
    }

    [BenchmarkCategory("Aggregate 10M purchases"), Benchmark]
    public IReadOnlyList<CustomerActivity> Aggregate_purchases() => segmenter.Aggregate(purchases, out _);

    [BenchmarkCategory("Aggregate 1M purchases"), Benchmark]
    public IReadOnlyList<CustomerActivity> Aggregate_1M_purchases() => segmenter.Aggregate(purchases, out _);

    [BenchmarkCategory("Aggregate 1M purchases"), Benchmark(Baseline = true)]
    public CustomerActivity[] Linq_group_by_1M_purchases() =>
        purchases.Where(p => p.PlacedAt <= AsOf)
            .GroupBy(p => p.Customer)
            .Select(g => CustomerActivity.From(
                g.Key,
                g.Max(p => p.PlacedAt),
                g.Select(p => p.Order).Distinct().Count(),
                Money.FromDecimal(g.Sum(p => p.NetAmount.Amount), Currency.EUR),
                g.SelectMany(p => p.Categories ?? []).Distinct(StringComparer.Ordinal).Count()))
            .OrderBy(c => c.Customer.Value, StringComparer.Ordinal)
            .ToArray();

    private static RfmpSegmenter CreateSegmenter() => new(new RfmpOptions
    {
        AsOf = AsOf,
        TimeZone = DateTimeZoneProviders.Tzdb["Europe/Paris"],
        Currency = Currency.EUR,
    });

    private static Dictionary<MemberId, int> Ranks(IEnumerable<CustomerActivity> ordered, int n) =>
        ordered.Select((c, rank) => (c.Customer, Score: 1 + (int)((long)rank * K / n))).ToDictionary(x => x.Customer, x => x.Score);
}
