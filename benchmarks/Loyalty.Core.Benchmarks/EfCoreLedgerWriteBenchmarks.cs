using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.EntityFrameworkCore;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// Ledger writes per second through EF Core on PostgreSQL, 8 concurrent writers (each with its own
/// context, on its own account), against a raw Npgsql single-row insert per write (baseline). The
/// cluster is a throwaway one started for the run, with PostgreSQL's durable defaults (fsync and
/// synchronous commit on). One operation is one write; the Writes/s column is 1 / Mean.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(WritesPerSecondConfig))]
public class EfCoreLedgerWriteBenchmarks
{
    private const int Writers = 8;
    private const int WritesPerWriter = 50;
    private const int Operations = Writers * WritesPerWriter;
    private static readonly Instant Now = Instant.FromUtc(2026, 6, 1, 12, 0);

    private PostgresServer? server;
    private NpgsqlDataSource? dataSource;
    private DbContextOptions<BenchContext>? contextOptions;
    private int round;

    [GlobalSetup]
    public void Setup()
    {
        server = PostgresServer.Start(durable: true);
        var connectionString = server.CreateDatabase("bench");
        dataSource = NpgsqlDataSource.Create(connectionString);
        contextOptions = new DbContextOptionsBuilder<BenchContext>().UseNpgsql(connectionString).Options;
        using (var context = new BenchContext(contextOptions))
        {
            context.Database.EnsureCreated();
        }

        using var command = dataSource.CreateCommand(
            "CREATE TABLE raw_ledger (program_id varchar(128) NOT NULL, id varchar(128) NOT NULL, member_id varchar(128) NOT NULL, " +
            "version bigint NOT NULL, amount bigint NOT NULL, recorded_at bigint NOT NULL, PRIMARY KEY (program_id, id))");
        command.ExecuteNonQuery();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        dataSource?.Dispose();
        server?.Dispose();
    }

    /// <summary>The floor: one INSERT of one ledger row per write, autocommit, prepared.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public Task RawNpgsqlInsert()
    {
        var r = Interlocked.Increment(ref round);
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            await using var connection = await dataSource!.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("INSERT INTO raw_ledger VALUES ($1, $2, $3, $4, $5, $6)", connection);
            var parameters = new NpgsqlParameter[] { new() { Value = "bench" }, new() { Value = "" }, new() { Value = $"m-{r}-{w}" }, new() { Value = 0L }, new() { Value = 10L }, new() { Value = Now.ToUnixTimeTicks() } };
            command.Parameters.AddRange(parameters);
            await command.PrepareAsync();
            for (var i = 1; i <= WritesPerWriter; i++)
            {
                parameters[1].Value = $"raw-{r}-{w}-{i}";
                parameters[3].Value = (long)i;
                await command.ExecuteNonQueryAsync();
            }
        })));
    }

    /// <summary>The store's atomic compare-and-append: head update, transaction, movement and lot in one SaveChanges.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task EfCoreStoreAppend()
    {
        var r = Interlocked.Increment(ref round);
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            await using var context = new BenchContext(contextOptions!);
            var store = new EntityFrameworkLedgerStore(context);
            var account = new LedgerAccountKey(ProgramId.From("bench"), MemberId.From($"m-{r}-{w}"));
            LedgerAccountHead? head = null;
            for (var i = 1; i <= WritesPerWriter; i++)
            {
                var append = Earn(account, head, TransactionId.From($"ef-{r}-{w}-{i}"), 10);
                var result = await store.AppendAsync(append);
                if (result.Status != LedgerAppendStatus.Appended)
                {
                    throw new InvalidOperationException($"Append {i} of writer {w} was {result.Status}.");
                }

                head = append.Head;
            }
        })));
    }

    /// <summary>A full earn through the ledger service: idempotency look-up, snapshot read, decision, append.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task EfCorePointsLedgerEarn()
    {
        var r = Interlocked.Increment(ref round);
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            await using var context = new BenchContext(contextOptions!);
            var options = new LoyaltyOptions { ProgramId = "bench-service" };
            var ledger = new PointsLedger(new FixedClock(Now), new EntityFrameworkLedgerStore(context), ProgramSettings.FromOptions(options), Options.Create(options.Ledger));
            var member = MemberId.From($"m-{r}-{w}");
            for (var i = 1; i <= WritesPerWriter; i++)
            {
                var result = await ledger.EarnAsync(new EarnPoints(TransactionId.From($"svc-{r}-{w}-{i}"), member, Points.FromInt64(10)));
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException(result.ToString());
                }
            }
        })));
    }

    private static LedgerAppend Earn(LedgerAccountKey account, LedgerAccountHead? previous, TransactionId id, long amount)
    {
        var version = (previous?.Version ?? 0) + 1;
        var tx = new LedgerTransactionRecord
        {
            ProgramId = account.ProgramId,
            MemberId = account.MemberId,
            Id = id,
            Version = version,
            Kind = LedgerTransactionKind.Earn,
            RecordedAt = Now,
            EffectiveAt = Now,
            Amount = amount,
            AvailableAt = Now,
            Movements = [new LedgerLotMovement(id, amount)],
        };
        var head = (previous ?? new LedgerAccountHead { ProgramId = account.ProgramId, MemberId = account.MemberId, Version = 0, UpdatedAt = Now }) with
        {
            Version = version,
            UpdatedAt = Now,
            LotPoints = (previous?.LotPoints ?? 0) + amount,
            Earned = (previous?.Earned ?? 0) + amount,
            AvailableSnapshot = (previous?.AvailableSnapshot ?? 0) + amount,
            LastActivityAt = Now,
        };
        var lot = new LedgerLotRecord { LotId = id, Sequence = version, OriginalAmount = amount, Remaining = amount, CreatedAt = Now, AvailableAt = Now };
        return new LedgerAppend { Account = account, ExpectedVersion = version - 1, Transactions = [tx], Head = head, Lots = [lot] };
    }

    /// <summary>A clock stopped at one instant, so every run writes the same figures.</summary>
    private sealed class FixedClock(Instant now) : IClock
    {
        public Instant GetCurrentInstant() => now;
    }

    /// <summary>A shop's context holding only the loyalty model.</summary>
    private sealed class BenchContext(DbContextOptions<BenchContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyLoyaltyModel();
    }

    private sealed class WritesPerSecondConfig : ManualConfig
    {
        public WritesPerSecondConfig() => AddColumn(new WritesPerSecondColumn());
    }

    private sealed class WritesPerSecondColumn : IColumn
    {
        public string Id => nameof(WritesPerSecondColumn);

        public string ColumnName => "Writes/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Ledger writes per second with 8 concurrent writers (1 s / Mean)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
            => summary[benchmarkCase]?.ResultStatistics is { } stats
                ? (1e9 / stats.Mean).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)
                : "-";

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
