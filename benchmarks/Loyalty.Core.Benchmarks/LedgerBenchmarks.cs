using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Loyalty.Core.Configuration;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage.InMemory;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// The in-memory ledger. "Write": 1,000 earn + redeem pairs (2,000 transactions) on a fresh
/// account per invocation, so one operation is one transaction; each redemption spends what the
/// earn before it gave, so the account keeps a steady, small set of open lots, as a member who
/// shops regularly does. The baseline is a naive ledger
/// that keeps a list and folds it to check the balance. "Read": the balance of an account with
/// 1,000 transactions, O(1) from the account head, against folding the log. The "NoStateCache"
/// write runs the ledger with its account-state cache off, as every write decoded the store's
/// snapshot before the cache.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class LedgerBenchmarks
{
    private const int Pairs = 1_000;
    private static readonly MemberId Member = MemberId.From("m1");
    private readonly ProgramSettings settings = new LoyaltyOptions { ProgramId = "bench" }.ToProgramSettings();
    private readonly IOptions<LedgerOptions> options = Options.Create(new LedgerOptions());
    private readonly FixedClock clock = new(Instant.FromUtc(2026, 3, 15, 10, 0));
    private TransactionId[] ids = [];
    private PointsLedger readLedger = null!;
    private NaiveLedger naiveRead = null!;

    [GlobalSetup]
    public void Setup()
    {
        ids = Enumerable.Range(0, 2 * Pairs).Select(i => TransactionId.From(i)).ToArray();
        readLedger = new PointsLedger(clock, new InMemoryLedgerStore(), settings, options);
        naiveRead = new NaiveLedger();
        for (var i = 0; i < Pairs / 2; i++)
        {
            readLedger.EarnAsync(new EarnPoints(ids[2 * i], Member, Points.FromInt64(100))).GetAwaiter().GetResult();
            readLedger.RedeemAsync(new RedeemPoints(ids[(2 * i) + 1], Member, Points.FromInt64(60))).GetAwaiter().GetResult();
            naiveRead.Earn(ids[2 * i].Value, 100);
            naiveRead.Redeem(ids[(2 * i) + 1].Value, 60);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * Pairs)]
    [BenchmarkCategory("Write")]
    public long NaiveListLedger_EarnRedeem()
    {
        var ledger = new NaiveLedger();
        for (var i = 0; i < Pairs; i++)
        {
            ledger.Earn(ids[2 * i].Value, 100);
            ledger.Redeem(ids[(2 * i) + 1].Value, 100);
        }

        return ledger.Balance();
    }

    [Benchmark(OperationsPerInvoke = 2 * Pairs)]
    [BenchmarkCategory("Write")]
    public long PointsLedger_EarnRedeem()
    {
        var ledger = new PointsLedger(clock, new InMemoryLedgerStore(), settings, options);
        long version = 0;
        for (var i = 0; i < Pairs; i++)
        {
            ledger.EarnAsync(new EarnPoints(ids[2 * i], Member, Points.FromInt64(100))).GetAwaiter().GetResult();
            version = ledger.RedeemAsync(new RedeemPoints(ids[(2 * i) + 1], Member, Points.FromInt64(100))).GetAwaiter().GetResult().Transaction!.Version;
        }

        return version;
    }

    /// <summary>The same work with the account-state cache off: every write decodes the store's snapshot.</summary>
    [Benchmark(OperationsPerInvoke = 2 * Pairs)]
    [BenchmarkCategory("Write")]
    public long PointsLedger_EarnRedeem_NoStateCache()
    {
        var ledger = new PointsLedger(clock, new InMemoryLedgerStore(), settings, options, cacheSlots: 0);
        long version = 0;
        for (var i = 0; i < Pairs; i++)
        {
            ledger.EarnAsync(new EarnPoints(ids[2 * i], Member, Points.FromInt64(100))).GetAwaiter().GetResult();
            version = ledger.RedeemAsync(new RedeemPoints(ids[(2 * i) + 1], Member, Points.FromInt64(100))).GetAwaiter().GetResult().Transaction!.Version;
        }

        return version;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Read")]
    public long NaiveListLedger_Balance() => naiveRead.Balance();

    [Benchmark]
    [BenchmarkCategory("Read")]
    public long PointsLedger_Balance() => readLedger.GetBalanceAsync(Member).GetAwaiter().GetResult().Available.Value;

    /// <summary>What a shop might write first: a list of signed movements, folded on every check.</summary>
    private sealed class NaiveLedger
    {
        private readonly List<(string Id, long Delta)> log = [];
        private readonly HashSet<string> seen = [];

        public void Earn(string id, long amount)
        {
            if (seen.Add(id))
            {
                log.Add((id, amount));
            }
        }

        public bool Redeem(string id, long amount)
        {
            if (seen.Contains(id) || Balance() < amount)
            {
                return false;
            }

            seen.Add(id);
            log.Add((id, -amount));
            return true;
        }

        public long Balance()
        {
            long sum = 0;
            foreach (var (_, delta) in log)
            {
                sum += delta;
            }

            return sum;
        }
    }

    private sealed class FixedClock(Instant now) : IClock
    {
        public Instant GetCurrentInstant() => now;
    }
}
