using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore.Tests;

/// <summary>What only the relational store does (the shared behaviour is in the specification suite).</summary>
public sealed class EntityFrameworkLedgerStoreTests
{
    private static readonly LedgerAccountKey Alice = new(ProgramId.From("club"), MemberId.From("alice"));
    private static readonly Instant At = Instant.FromUtc(2026, 5, 4, 10, 0);

    [Fact]
    public async Task An_instant_finer_than_a_tick_is_refused_rather_than_rounded()
    {
        using var database = new SqliteDatabase();
        await using var context = database.CreateContext();
        var store = new EntityFrameworkLedgerStore(context);
        var append = Earn(At + Duration.FromNanoseconds(1));

        var act = async () => await store.AppendAsync(append);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be(
            "The value 2026-05-04T10:00:00.000000001Z is finer than 100 ns, which the relational ledger store keeps; round instants and durations to whole ticks (the system clock already does). (Parameter 'append')");
        (await store.GetHeadAsync(Alice)).Should().BeNull();
    }

    [Fact]
    public async Task A_database_fault_surfaces_as_a_store_exception()
    {
        var path = Path.Combine(Path.GetTempPath(), "loyalty-empty-" + Guid.NewGuid().ToString("N")[..8] + ".db");
        try
        {
            // A database without the loyalty tables: the model says they exist, the database does not.
            await using var context = ShopContext.Create(b => b.UseSqlite($"Data Source={path};Pooling=false"), LoyaltyModelOptions.Default);
            var store = new EntityFrameworkLedgerStore(context);

            var read = async () => await store.GetHeadAsync(Alice);
            var write = async () => await store.AppendAsync(Earn(At));

            var readFault = (await read.Should().ThrowAsync<LoyaltyStoreException>()).Which;
            readFault.Message.Should().Be("The ledger store could not read the head of club/alice: SQLite Error 1: 'no such table: loyalty_ledger_accounts'.");
            readFault.IsTransient.Should().BeFalse();
            (await write.Should().ThrowAsync<LoyaltyStoreException>()).Which.Message.Should().StartWith("The ledger store could not ");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_replaced_lot_that_does_not_exist_is_inserted_like_in_memory()
    {
        using var database = new SqliteDatabase();
        await using var context = database.CreateContext();
        var store = new EntityFrameworkLedgerStore(context);
        await store.AppendAsync(Earn(At));
        var foreign = new LedgerLotRecord { LotId = TransactionId.From("imported-lot"), Sequence = 2, OriginalAmount = 5, Remaining = 5, CreatedAt = At, AvailableAt = At };
        var adjust = new LedgerTransactionRecord
        {
            ProgramId = Alice.ProgramId, MemberId = Alice.MemberId, Id = TransactionId.From("adjust-1"), Version = 2,
            Kind = LedgerTransactionKind.Adjust, RecordedAt = At, EffectiveAt = At, Amount = 5, Reason = "migration", Actor = "ops",
        };
        var head = (await store.GetHeadAsync(Alice))! with { Version = 2, LotPoints = 45 };

        var result = await store.AppendAsync(new LedgerAppend { Account = Alice, ExpectedVersion = 1, Transactions = [adjust], Head = head, Lots = [foreign] });

        result.Status.Should().Be(LedgerAppendStatus.Appended);
        (await store.GetLotsAsync(Alice, [foreign.LotId])).Should().Equal(foreign);
    }

    [Fact]
    public async Task The_feed_reads_across_a_gap_of_years_in_a_few_queries()
    {
        var counter = new SelectCounter();
        using var database = new SqliteDatabase();
        await using var context = ShopContext.Create(b => b.UseSqlite(database.ConnectionString).AddInterceptors(counter), LoyaltyModelOptions.Default);
        var store = new EntityFrameworkLedgerStore(context);
        Instant[] recorded = [Instant.FromUtc(2020, 1, 1, 9, 0), Instant.FromUtc(2023, 6, 30, 23, 0), Instant.FromUtc(2023, 7, 1, 1, 0), Instant.FromUtc(2026, 5, 4, 10, 0)];
        for (var i = 0; i < recorded.Length; i++)
        {
            (await store.AppendAsync(Earn(recorded[i], i + 1))).Status.Should().Be(LedgerAppendStatus.Appended);
        }

        counter.Selects = 0;
        var read = await ReadAsync(store, Instant.FromUtc(2019, 1, 1, 0, 0), Instant.FromUtc(2027, 1, 1, 0, 0));

        read.Select(t => t.RecordedAt).Should().Equal(recorded);
        read.Select(t => t.Movements.Single().Delta).Should().Equal(40, 40, 40, 40);
        counter.Selects.Should().BeLessThan(20, "eight years read day by day would take some 2,900 queries");

        counter.Selects = 0;
        (await ReadAsync(store, Instant.FromUtc(2024, 1, 1, 0, 0), Instant.FromUtc(2026, 1, 1, 0, 0))).Should().BeEmpty();
        counter.Selects.Should().Be(2, "the first day's read finds nothing and nothing comes after it in the span");
        (await ReadAsync(store, Instant.FromUtc(2023, 6, 30, 23, 0), Instant.FromUtc(2023, 7, 1, 1, 0))).Select(t => t.RecordedAt).Should().Equal(recorded[1]);
    }

    private static async Task<List<LedgerTransactionRecord>> ReadAsync(ILedgerTransactionFeed feed, Instant from, Instant to)
    {
        var read = new List<LedgerTransactionRecord>();
        await foreach (var tx in feed.ReadRecordedAsync(Alice.ProgramId, from, to))
        {
            read.Add(tx);
        }

        return read;
    }

    /// <summary>Counts the queries the store sends.</summary>
    private sealed class SelectCounter : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
    {
        public int Selects { get; set; }

        public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Selects += command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) ? 1 : 0;
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<object>> ScalarExecutingAsync(System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Selects += command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) ? 1 : 0;
            return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
        }
    }

    private static LedgerAppend Earn(Instant at, long version)
    {
        var id = TransactionId.From("order-" + version);
        var tx = new LedgerTransactionRecord
        {
            ProgramId = Alice.ProgramId, MemberId = Alice.MemberId, Id = id, Version = version, Kind = LedgerTransactionKind.Earn,
            RecordedAt = at, EffectiveAt = at, Amount = 40, AvailableAt = at, Movements = [new LedgerLotMovement(id, 40)],
        };
        var lot = new LedgerLotRecord { LotId = id, Sequence = version, OriginalAmount = 40, Remaining = 40, CreatedAt = at, AvailableAt = at };
        var head = new LedgerAccountHead { ProgramId = Alice.ProgramId, MemberId = Alice.MemberId, Version = version, UpdatedAt = at, LotPoints = 40 * version, Earned = 40 * version };
        return new LedgerAppend { Account = Alice, ExpectedVersion = version - 1, Transactions = [tx], Head = head, Lots = [lot] };
    }

    private static LedgerAppend Earn(Instant at)
    {
        var id = TransactionId.From("order-1");
        var tx = new LedgerTransactionRecord
        {
            ProgramId = Alice.ProgramId, MemberId = Alice.MemberId, Id = id, Version = 1, Kind = LedgerTransactionKind.Earn,
            RecordedAt = at, EffectiveAt = at, Amount = 40, AvailableAt = at, Movements = [new LedgerLotMovement(id, 40)],
        };
        var lot = new LedgerLotRecord { LotId = id, Sequence = 1, OriginalAmount = 40, Remaining = 40, CreatedAt = at, AvailableAt = at };
        var head = new LedgerAccountHead { ProgramId = Alice.ProgramId, MemberId = Alice.MemberId, Version = 1, UpdatedAt = at, LotPoints = 40, Earned = 40 };
        return new LedgerAppend { Account = Alice, ExpectedVersion = 0, Transactions = [tx], Head = head, Lots = [lot] };
    }
}
