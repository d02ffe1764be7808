using BenchmarkDotNet.Attributes;
using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// The nightly run: 1,000,000 members (0 to 8 purchases each over two calendar years in
/// Europe/Paris, four tiers) re-evaluated as of one instant. Baseline: a straightforward LINQ
/// replay that converts every entry to the zone and re-sums the year at each event, computing
/// the tier only. Measured: <see cref="TierEvaluator.EvaluateMany(IEnumerable{TierMember}, Instant)"/> from
/// enrolment (full output: status, window value, projection, changes), continuing from
/// yesterday's status (the nightly run), and both on two threads; and the nightly batch
/// <see cref="TierEvaluator.EvaluateInto(ReadOnlySpan{TierMember}, Span{TierBatchResult}, Instant)"/>
/// continuing from yesterday's status into a buffer allocated once, on one and two threads.
/// </summary>
[MemoryDiagnoser]
public class TierBenchmarks
{
    private const int MemberCount = 1_000_000;
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    private static readonly long[] Thresholds = [0, 500, 1_000, 5_000];

    private TierEvaluator evaluator = null!;
    private TierMember[] members = [];
    private TierMember[] continuing = [];
    private TierBatchResult[] results = [];
    private Instant asOf;

    [GlobalSetup]
    public void Setup()
    {
        TierDefinition[] tiers =
        [
            TierDefinition.Entry(TierId.From("bronze"), "Bronze"),
            TierDefinition.Create(TierId.From("silver"), "Silver", ThresholdCombination.AllOf, [TierThreshold.FromPoints(Thresholds[1])], TierBenefits.Create(1.25m, "free-shipping")),
            TierDefinition.Create(TierId.From("gold"), "Gold", ThresholdCombination.AllOf, [TierThreshold.FromPoints(Thresholds[2])], TierBenefits.Create(1.5m, "free-shipping", "private-sales")),
            TierDefinition.Create(TierId.From("vip"), "VIP", ThresholdCombination.AllOf, [TierThreshold.FromPoints(Thresholds[3])], TierBenefits.Create(2m, "early-access")),
        ];
        evaluator = new TierEvaluator(TierLadder.Create(tiers, new TierPolicy { TimeZone = Paris }));

        var random = new Random(42);
        var start = new LocalDate(2025, 1, 1).AtStartOfDayInZone(Paris).ToInstant();
        asOf = new LocalDateTime(2026, 11, 25, 3, 0).InZoneStrictly(Paris).ToInstant();
        members = new TierMember[MemberCount];
        for (var i = 0; i < MemberCount; i++)
        {
            var count = random.Next(0, 9);
            var history = new QualificationEntry[count];
            for (var j = 0; j < count; j++)
            {
                var at = start + Duration.FromMinutes(random.Next(0, 698 * 24 * 60));
                history[j] = QualificationEntry.FromPoints(at, Points.FromInt64(random.Next(50, 700)));
            }

            members[i] = new TierMember { MemberId = MemberId.From(i), EnrolledAt = start, History = history };
        }

        var yesterday = asOf - Duration.FromDays(1);
        continuing = members
            .Select(m => m with { PriorStatus = evaluator.Evaluate(m, yesterday).Status })
            .ToArray();

        results = new TierBatchResult[MemberCount];
        var naive = Naive();
        var fast = FromEnrolment();
        var continued = FromYesterday();
        var parallel = FromEnrolmentOnTwoThreads();
        var nightly = FromYesterdayOnTwoThreads();
        var batch = NightlyBatch();
        var batchOnTwo = NightlyBatchOnTwoThreads();
        if (!naive.SequenceEqual(fast) || !naive.SequenceEqual(continued) || !naive.SequenceEqual(parallel) || !naive.SequenceEqual(nightly)
            || !naive.SequenceEqual(batch) || !naive.SequenceEqual(batchOnTwo))
        {
            throw new InvalidOperationException($"Results differ: naive [{string.Join(",", naive)}], evaluator [{string.Join(",", fast)}], continued [{string.Join(",", continued)}], batch [{string.Join(",", batch)}], batch on two threads [{string.Join(",", batchOnTwo)}].");
        }
    }

    [Benchmark(Baseline = true)]
    public int[] Naive()
    {
        var counts = new int[Thresholds.Length];
        foreach (var member in members)
        {
            counts[NaiveTier(member.History.ToArray(), asOf)]++;
        }

        return counts;
    }

    [Benchmark]
    public int[] FromEnrolment() => Count(members);

    [Benchmark]
    public int[] FromYesterday() => Count(continuing);

    [Benchmark]
    public int[] FromEnrolmentOnTwoThreads() => Count(members, 2);

    [Benchmark]
    public int[] FromYesterdayOnTwoThreads() => Count(continuing, 2);

    [Benchmark]
    public int[] NightlyBatch()
    {
        evaluator.EvaluateInto(continuing, results, asOf);
        return Count(results);
    }

    [Benchmark]
    public int[] NightlyBatchOnTwoThreads()
    {
        evaluator.EvaluateInto(continuing, results, asOf, 2);
        return Count(results);
    }

    private int[] Count(TierBatchResult[] batch)
    {
        var counts = new int[Thresholds.Length];
        var tiers = evaluator.Ladder.Tiers;
        foreach (ref readonly var result in batch.AsSpan())
        {
            var rank = 0;
            var tier = result.Tier;
            while (!ReferenceEquals(tiers[rank], tier))
            {
                rank++;
            }

            counts[rank]++;
        }

        return counts;
    }

    private int[] Count(TierMember[] input, int threads = 1)
    {
        var counts = new int[Thresholds.Length];
        var tiers = evaluator.Ladder.Tiers;
        foreach (var result in evaluator.EvaluateMany(input, asOf, threads))
        {
            var rank = 0;
            while (!ReferenceEquals(tiers[rank], result.Tier))
            {
                rank++;
            }

            counts[rank]++;
        }

        return counts;
    }

    /// <summary>Calendar year, valid to the end of the following year, one level down: re-sum per event.</summary>
    private static int NaiveTier(QualificationEntry[] history, Instant asOf)
    {
        var entries = history.Where(e => e.At <= asOf).OrderBy(e => e.At).ToList();
        var rank = 0;
        Instant? validUntil = null;
        var events = entries.Select(e => e.At).Distinct().Append(asOf);
        foreach (var t in events)
        {
            while (validUntil is { } v && v <= t)
            {
                var ended = (v - Duration.Epsilon).InZone(Paris).Year;
                var computed = Rank(entries.Where(e => e.At < v && e.At.InZone(Paris).Year == ended).Sum(e => e.Points));
                if (computed >= rank)
                {
                    validUntil = YearStart(ended + 2);
                }
                else
                {
                    rank = Math.Max(rank - 1, computed);
                    validUntil = rank == 0 ? null : YearStart(ended + 2);
                }
            }

            if (t == asOf && !entries.Any(e => e.At == t))
            {
                break;
            }

            var year = t.InZone(Paris).Year;
            var total = entries.Where(e => e.At <= t && e.At.InZone(Paris).Year == year).Sum(e => e.Points);
            var rankNow = Rank(total);
            if (rankNow > rank)
            {
                rank = rankNow;
                validUntil = YearStart(year + 2);
            }
            else if (rankNow == rank && rank > 0 && YearStart(year + 2) > validUntil)
            {
                validUntil = YearStart(year + 2);
            }
        }

        return rank;
    }

    private static int Rank(long points)
    {
        for (var r = Thresholds.Length - 1; r > 0; r--)
        {
            if (points >= Thresholds[r])
            {
                return r;
            }
        }

        return 0;
    }

    private static Instant YearStart(int year) => new LocalDate(year, 1, 1).AtStartOfDayInZone(Paris).ToInstant();
}
