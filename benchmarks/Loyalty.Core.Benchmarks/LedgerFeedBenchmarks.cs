using BenchmarkDotNet.Attributes;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// The in-memory store's transaction feed (what a coalition settlement reads once per period): a year
/// of 1,200,000 transactions over 20,000 accounts, appended in recording order, and one month of them
/// read. The baseline reads the whole log and keeps the month, which is what a feed without an index
/// by recording instant pays for every period.
/// </summary>
[MemoryDiagnoser]
public class LedgerFeedBenchmarks
{
    private static readonly ProgramId Club = ProgramId.From("club");
    private static readonly Instant Start = Instant.FromUtc(2026, 1, 1, 0, 0);
    private readonly InMemoryLedgerStore store = new();
    private Instant monthStart;
    private Instant monthEnd;

    /// <summary>The transactions of the year.</summary>
    [Params(1_200_000)]
    public int Transactions { get; set; }

    /// <summary>Appends the year, one transaction per append, to accounts taken in turn.</summary>
    [GlobalSetup]
    public void Setup()
    {
        const int accounts = 20_000;
        var versions = new long[accounts];
        var step = Duration.FromDays(365) / Transactions;
        for (var i = 0; i < Transactions; i++)
        {
            var a = i % accounts;
            var key = new LedgerAccountKey(Club, MemberId.From("m" + a));
            var at = Start + (step * i);
            var id = TransactionId.From("t" + i);
            var version = versions[a];
            var tx = new LedgerTransactionRecord
            {
                ProgramId = Club, MemberId = key.MemberId, Id = id, Version = version + 1, Kind = LedgerTransactionKind.Earn,
                RecordedAt = at, EffectiveAt = at, AvailableAt = at, Amount = 10, Movements = [new LedgerLotMovement(id, 10)],
            };
            var result = store.AppendAsync(new LedgerAppend
            {
                Account = key,
                ExpectedVersion = version,
                Transactions = [tx],
                Head = new LedgerAccountHead { ProgramId = Club, MemberId = key.MemberId, Version = version + 1, UpdatedAt = at },
                Lots = [],
            }).AsTask().GetAwaiter().GetResult();
            if (result.Status != LedgerAppendStatus.Appended)
            {
                throw new InvalidOperationException($"Setting up transaction {i} gave {result.Status}.");
            }

            versions[a] = version + 1;
        }

        monthStart = new LocalDate(2026, 6, 1).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        monthEnd = new LocalDate(2026, 7, 1).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
    }

    /// <summary>The feed's read of June.</summary>
    /// <returns>The transactions read.</returns>
    [Benchmark]
    public async Task<int> ReadMonth()
    {
        var n = 0;
        await foreach (var _ in store.ReadRecordedAsync(Club, monthStart, monthEnd))
        {
            n++;
        }

        return n;
    }

    /// <summary>The whole log read, June kept.</summary>
    /// <returns>The transactions kept.</returns>
    [Benchmark(Baseline = true)]
    public async Task<int> ReadAllAndFilter()
    {
        var n = 0;
        await foreach (var tx in store.ReadRecordedAsync(Club, Instant.MinValue, Instant.MaxValue))
        {
            if (tx.RecordedAt >= monthStart && tx.RecordedAt < monthEnd)
            {
                n++;
            }
        }

        return n;
    }
}
