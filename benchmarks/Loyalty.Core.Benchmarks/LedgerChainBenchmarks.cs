using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Loyalty.Core.Configuration;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// The cost of the ledger's hash chain per append. Baseline: the in-memory ledger's earn + redeem
/// pairs as in <see cref="LedgerBenchmarks"/> (one operation is one transaction, the chain included).
/// Against it, per operation: the link of one earn (canonical form + one SHA-256, what every append
/// adds), the seal (the link plus the transaction's copy carrying it), and a bare one-shot SHA-256 of
/// 200 bytes (the floor of any per-append hash).
/// </summary>
[MemoryDiagnoser]
public class LedgerChainBenchmarks
{
    private const int Pairs = 1_000;
    private static readonly MemberId Member = MemberId.From("m1");
    private readonly ProgramSettings settings = new LoyaltyOptions { ProgramId = "bench" }.ToProgramSettings();
    private readonly IOptions<LedgerOptions> options = Options.Create(new LedgerOptions());
    private readonly FixedClock clock = new(Instant.FromUtc(2026, 3, 15, 10, 0));
    private readonly byte[] block = new byte[200];
    private readonly byte[] digest = new byte[32];
    private TransactionId[] ids = [];
    private LedgerTransactionRecord earn = null!;
    private AccountState state = null!;

    [GlobalSetup]
    public void Setup()
    {
        ids = Enumerable.Range(0, 2 * Pairs).Select(i => TransactionId.From(i)).ToArray();
        var ledger = new PointsLedger(clock, new InMemoryLedgerStore(), settings, options);
        earn = ledger.EarnAsync(new EarnPoints(TransactionId.From("order-1001"), Member, Points.FromInt64(70))).GetAwaiter().GetResult().Transaction!;
        state = new AccountState(new LedgerAccountKey(settings.ProgramId, Member), ExpiryPolicy.Never, settings.TimeZone);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * Pairs)]
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

    [Benchmark]
    public LedgerHash Chain_Link() => LedgerChain.Compute(earn.ChainHash, earn);

    [Benchmark]
    public LedgerTransactionRecord Chain_Seal() => LedgerChain.Seal(state, earn);

    [Benchmark]
    public int Sha256_200_bytes() => SHA256.HashData(block, digest);

    private sealed class FixedClock(Instant now) : IClock
    {
        public Instant GetCurrentInstant() => now;
    }
}
