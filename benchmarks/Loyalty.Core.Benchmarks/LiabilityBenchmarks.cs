using BenchmarkDotNet.Attributes;
using Loyalty.Core.Economics;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// The liability as of an instant over 1,000,000 accounts (1 to 5 open lots each, pending or
/// available, expiring over the next 0 to 30 months or never, four tiers, some holds), in
/// Europe/Paris. Baseline: a straightforward LINQ pass that flattens the lots, converts every
/// expiry to the zone to find its bucket, and groups by bucket and by tier. Measured:
/// <see cref="LiabilityCalculator.Compute"/> (one pass, bucket boundaries computed once).
/// </summary>
[MemoryDiagnoser]
public class LiabilityBenchmarks
{
    private const int AccountCount = 1_000_000;
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    private static readonly TierId[] Tiers = [TierId.From("bronze"), TierId.From("silver"), TierId.From("gold"), TierId.From("vip")];

    private readonly PointValuation valuation = PointValuation.PerPoint(Money.FromDecimal(0.01m, Currency.EUR));
    private LiabilityAccount[] accounts = [];
    private Instant asOf;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        asOf = new LocalDateTime(2026, 3, 29, 12, 0).InZoneStrictly(Paris).ToInstant();
        accounts = new LiabilityAccount[AccountCount];
        for (var i = 0; i < AccountCount; i++)
        {
            var lots = new LiabilityLot[random.Next(1, 6)];
            for (var j = 0; j < lots.Length; j++)
            {
                var available = asOf + Duration.FromHours(random.Next(-24 * 300, 24 * 14));
                Instant? expires = random.Next(10) == 0 ? null : asOf + Duration.FromHours(random.Next(-24 * 10, 24 * 900));
                lots[j] = new LiabilityLot(random.Next(1, 2_000), available, expires);
            }

            accounts[i] = new LiabilityAccount(MemberId.From(i), lots, heldAtOpenHolds: random.Next(20) == 0 ? 100 : 0, tier: Tiers[random.Next(Tiers.Length)]);
        }

        var naive = Naive();
        var fast = Calculator();
        if (naive != fast)
        {
            throw new InvalidOperationException($"Results differ: naive {naive}, calculator {fast}.");
        }
    }

    [Benchmark(Baseline = true)]
    public string Naive()
    {
        var month = asOf.InZone(Paris).Date;
        var monthIndex = (month.Year * 12) + month.Month;
        var live = accounts
            .SelectMany(a => a.Lots.Select(l => (Account: a, Lot: l)))
            .Where(x => x.Lot.ExpiresAt is not { } e || e > asOf)
            .Select(x =>
            {
                string bucket;
                if (x.Lot.ExpiresAt is { } e)
                {
                    var last = (e - Duration.Epsilon).InZone(Paris).Date;
                    var months = (last.Year * 12) + last.Month - monthIndex;
                    bucket = months <= 0 ? "ThisMonth" : months <= 2 ? "WithinThreeMonths" : months <= 11 ? "WithinTwelveMonths" : "Later";
                }
                else
                {
                    bucket = "Never";
                }

                return (x.Account, x.Lot, Bucket: bucket);
            })
            .ToList();
        var byBucket = live.GroupBy(x => x.Bucket).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Sum(x => x.Lot.Points)}");
        var byTier = live.GroupBy(x => x.Account.Tier!.Value).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Sum(x => x.Lot.Points)}");
        var total = live.Sum(x => x.Lot.Points);
        var value = Math.Round(total * valuation.CostPerPoint.Amount, 2, MidpointRounding.AwayFromZero);
        return $"{total} {value} {string.Join(",", byBucket)} {string.Join(",", byTier)}";
    }

    [Benchmark]
    public string Calculator()
    {
        var r = LiabilityCalculator.Compute(accounts, asOf, Paris, valuation);
        var byBucket = r.ByExpiry.Where(p => p.Value.Points != 0).OrderBy(p => p.Key.ToString(), StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.Points}");
        var byTier = r.ByTier.Select(p => $"{p.Key}={p.Value.Points}");
        return $"{r.Outstanding.Points} {r.Outstanding.Value.Amount} {string.Join(",", byBucket)} {string.Join(",", byTier)}";
    }
}
