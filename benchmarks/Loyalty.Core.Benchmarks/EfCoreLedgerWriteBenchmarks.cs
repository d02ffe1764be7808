using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Loyalty.Core.Configuration;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.EntityFrameworkCore;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// Ledger writes per second through EF Core on PostgreSQL, 8 concurrent writers (each with its own
/// context, on its own account), against the same ledger write done by hand with raw Npgsql (baseline). The
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
    private DbContextOptions<BenchContext>? noResetContextOptions;
    private int round;

    [GlobalSetup]
    public void Setup()
    {
        server = PostgresServer.Start(durable: true);
        var connectionString = server.CreateDatabase("bench");
        dataSource = NpgsqlDataSource.Create(connectionString);
        contextOptions = new DbContextOptionsBuilder<BenchContext>().UseNpgsql(connectionString).Options;
        noResetContextOptions = new DbContextOptionsBuilder<BenchContext>()
            .UseNpgsql(new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true }.ConnectionString).Options;
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

    /// <summary>
    /// The baseline: the same ledger write by hand with raw Npgsql. Each write puts the same rows in
    /// the same tables (with their keys, indexes and foreign keys) as the store's append does — the
    /// head (inserted for the account's first write, then updated at its expected version), the
    /// transaction, its lot movement and its lot — as one prepared batch in one round trip, committed
    /// atomically (a batch without a transaction runs in one implicit transaction). What it leaves out
    /// is what the store adds: the conflict and duplicate checks and their outcome, and EF Core.
    /// </summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public Task RawNpgsqlInsert()
    {
        var r = Interlocked.Increment(ref round);
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            await using var connection = await dataSource!.OpenConnectionAsync();
            await using var create = await RawWrite.PrepareAsync(connection, creating: true);
            await using var update = await RawWrite.PrepareAsync(connection, creating: false);
            var member = $"m-{r}-{w}";
            for (var i = 1; i <= WritesPerWriter; i++)
            {
                await (i == 1 ? create : update).WriteAsync(member, $"raw-{r}-{w}-{i}", i, 10);
            }
        })));
    }

    /// <summary>For continuity with earlier reports: one prepared INSERT of a single row into a table without foreign keys or secondary indexes, per write.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task RawNpgsqlSingleRowInsert()
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

    /// <summary>The store's atomic compare-and-append: head check-and-bump, transaction, movement and lot, in one prepared statement.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task EfCoreStoreAppend() => StoreAppendAsync(contextOptions!, "ef");

    /// <summary>
    /// The store's append with <c>No Reset On Close=true</c> in the shop's connection string: the
    /// context still opens and closes its pooled connection around each append, but Npgsql no longer
    /// resets the session when it goes back to the pool.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task EfCoreStoreAppendNoResetOnClose() => StoreAppendAsync(noResetContextOptions!, "nr");

    private Task StoreAppendAsync(DbContextOptions<BenchContext> options, string prefix)
    {
        var r = Interlocked.Increment(ref round);
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            await using var context = new BenchContext(options);
            var store = new EntityFrameworkLedgerStore(context);
            var account = new LedgerAccountKey(ProgramId.From("bench"), MemberId.From($"{prefix}-{r}-{w}"));
            LedgerAccountHead? head = null;
            for (var i = 1; i <= WritesPerWriter; i++)
            {
                var append = Earn(account, head, TransactionId.From($"{prefix}-{r}-{w}-{i}"), 10);
                var result = await store.AppendAsync(append);
                if (result.Status != LedgerAppendStatus.Appended)
                {
                    throw new InvalidOperationException($"Append {i} of writer {w} was {result.Status}.");
                }

                head = append.Head;
            }
        })));
    }

    /// <summary>
    /// Diagnostic: the store's own PostgreSQL statements for this earn (the same texts and parameters:
    /// the batch of plain statements of the single shape) sent with raw Npgsql on a connection kept
    /// open, without EF Core; separates the statements' cost from EF Core's.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task RawNpgsqlStoreStatement() => StoreStatementAsync("st", (statements, rows) => statements.For(rows));

    /// <summary>
    /// Diagnostic: the store's one statement with data-modifying common table expressions (rows bound
    /// as arrays), which every append used before the single shape's batch and other shapes still use.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task RawNpgsqlStoreCteStatement() => StoreStatementAsync("sc", (statements, rows) => [rows.ExpectedVersion == 0 ? statements.Create : statements.Update]);

    /// <summary>A full earn through the ledger service: idempotency look-up, snapshot read, decision, append.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task EfCorePointsLedgerEarn()
    {
        var r = Interlocked.Increment(ref round);
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            await using var context = new BenchContext(contextOptions!);
            var options = new LoyaltyOptions { ProgramId = "bench-service" };
            var ledger = new PointsLedger(new FixedClock(Now), new EntityFrameworkLedgerStore(context), options.ToProgramSettings(), Options.Create(options.Ledger));
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

    private Task StoreStatementAsync(string prefix, Func<PostgresLedgerAppend, LedgerAppendRows, IReadOnlyList<PostgresLedgerAppend.Statement>> pick)
    {
        var r = Interlocked.Increment(ref round);
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            PostgresLedgerAppend statements;
            using (var context = new BenchContext(contextOptions!))
            {
                statements = PostgresLedgerAppend.For(context);
            }

            await using var connection = await dataSource!.OpenConnectionAsync();
            var account = new LedgerAccountKey(ProgramId.From("bench"), MemberId.From($"{prefix}-{r}-{w}"));
            LedgerAccountHead? head = null;
            for (var i = 1; i <= WritesPerWriter; i++)
            {
                var append = Earn(account, head, TransactionId.From($"{prefix}-{r}-{w}-{i}"), 10);
                var rows = LedgerAppendRows.From(append);
                var commands = pick(statements, rows);
                await using var batch = connection.CreateBatch();
                foreach (var statement in commands)
                {
                    var command = batch.CreateBatchCommand();
                    command.CommandText = statement.Sql;
                    statement.Bind(command, rows);
                    batch.BatchCommands.Add(command);
                }

                await batch.PrepareAsync();
                await using (var reader = await batch.ExecuteReaderAsync())
                {
                    // The statement with common table expressions reports whether it wrote; the batch fails if it does not.
                    if (commands.Count == 1 && (!await reader.ReadAsync() || reader.GetInt64(0) == 0))
                    {
                        throw new InvalidOperationException($"Statement {i} of writer {w} wrote nothing.");
                    }
                }

                head = append.Head;
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

    /// <summary>The raw ledger write: four statements in one prepared Npgsql batch, values bound positionally.</summary>
    private sealed class RawWrite : IAsyncDisposable
    {
        private const string Program = "bench-raw";
        private const string Head = "program_id, member_id, version, updated_at, lot_points, debt, earned, redeemed, expired, reversed, adjusted, written_off, last_activity_at, available_snapshot, pending_snapshot, held_snapshot, next_change_at, next_expiry_at";

        private const string InsertHead = $"INSERT INTO loyalty_ledger_accounts ({Head}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";

        private const string UpdateHead = "UPDATE loyalty_ledger_accounts SET version = $3, updated_at = $4, lot_points = $5, debt = $6, earned = $7, redeemed = $8, expired = $9, reversed = $10, " +
            "adjusted = $11, written_off = $12, last_activity_at = $13, available_snapshot = $14, pending_snapshot = $15, held_snapshot = $16, next_change_at = $17, next_expiry_at = $18 " +
            "WHERE program_id = $1 AND member_id = $2 AND version = $19";

        private const string InsertTransaction = "INSERT INTO loyalty_ledger_transactions (program_id, id, member_id, version, kind, recorded_at, effective_at, amount, related_id, pending_period, " +
            "requested_expires_at, is_whole_capture, available_at, expires_at, reason, actor, applied, debt_change, written_off) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)";

        private const string InsertMovement = "INSERT INTO loyalty_ledger_movements (program_id, member_id, version, ordinal, lot_id, delta) VALUES ($1, $2, $3, $4, $5, $6)";

        private const string InsertLot = "INSERT INTO loyalty_ledger_lots (program_id, member_id, lot_id, sequence, original_amount, remaining, created_at, available_at, expires_at) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

        private const NpgsqlDbType T = NpgsqlDbType.Varchar;
        private const NpgsqlDbType B = NpgsqlDbType.Bigint;
        private readonly NpgsqlBatch batch;
        private readonly bool creating;

        private RawWrite(NpgsqlBatch batch, bool creating)
        {
            this.batch = batch;
            this.creating = creating;
        }

        public static async Task<RawWrite> PrepareAsync(NpgsqlConnection connection, bool creating)
        {
            var batch = new NpgsqlBatch(connection);
            NpgsqlDbType[] head = [T, T, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B];
            Add(batch, creating ? InsertHead : UpdateHead, creating ? head : [.. head, B]);
            Add(batch, InsertTransaction, [T, T, T, B, NpgsqlDbType.Integer, B, B, B, T, B, B, NpgsqlDbType.Boolean, B, B, T, T, B, B, B]);
            Add(batch, InsertMovement, [T, T, B, NpgsqlDbType.Integer, T, B]);
            Add(batch, InsertLot, [T, T, T, B, B, B, B, B, B]);
            await batch.PrepareAsync();
            return new RawWrite(batch, creating);
        }

        /// <summary>Writes an earn of <paramref name="amount"/> as the account's version <paramref name="version"/>; the head must match.</summary>
        public async Task WriteAsync(string member, string id, long version, long amount)
        {
            var now = Now.ToUnixTimeTicks();
            var total = amount * version;
            object?[] head = [Program, member, version, now, total, 0L, total, 0L, 0L, 0L, 0L, 0L, now, total, 0L, 0L, null, null];
            Set(batch.BatchCommands[0], creating ? head : [.. head, version - 1]);
            Set(batch.BatchCommands[1], [Program, id, member, version, (int)LedgerTransactionKind.Earn, now, now, amount, null, null, null, false, now, null, null, null, 0L, 0L, 0L]);
            Set(batch.BatchCommands[2], [Program, member, version, 0, id, amount]);
            Set(batch.BatchCommands[3], [Program, member, id, version, amount, amount, now, now, null]);
            await batch.ExecuteNonQueryAsync();
            if (batch.BatchCommands[0].RecordsAffected != 1)
            {
                throw new InvalidOperationException($"The head of {member} was not at version {version - 1}.");
            }
        }

        public ValueTask DisposeAsync() => batch.DisposeAsync();

        private static void Add(NpgsqlBatch batch, string sql, NpgsqlDbType[] types)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var type in types)
            {
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = type, Value = DBNull.Value });
            }

            batch.BatchCommands.Add(command);
        }

        private static void Set(NpgsqlBatchCommand command, object?[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }
        }
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
        public WritesPerSecondConfig() => AddColumn(new PerSecondColumn("Writes/s", "Ledger writes per second with 8 concurrent writers (1 s / Mean)"));
    }
}
