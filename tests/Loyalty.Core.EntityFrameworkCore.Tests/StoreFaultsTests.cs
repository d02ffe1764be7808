using Loyalty.Core.Configuration;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.EntityFrameworkCore.Tests;

public sealed class StoreFaultsTests
{
    [Fact]
    public void The_provider_classifies_its_own_exceptions()
    {
        Classify(new NpgsqlException("connection lost", new IOException("reset"))).Should().Be(true);
        Classify(new NpgsqlException("bad")).Should().Be(false);
        Classify(new SqliteException("database is locked", 5)).Should().Be(true);
        Classify(new SqliteException("database table is locked", 6)).Should().Be(true);
        Classify(new SqliteException("constraint failed", 19)).Should().Be(false);
        Classify(new TimeoutException()).Should().Be(true);
    }

    [Fact]
    public void The_execution_strategy_wrappers_are_classified_by_the_fault_inside()
    {
        var transient = new NpgsqlException("connection lost", new IOException("reset"));
        Classify(new InvalidOperationException("An exception has been raised that is likely due to a transient failure.", transient)).Should().Be(true);
        Classify(new RetryLimitExceededException("gave up", transient)).Should().Be(true);
        Classify(new RetryLimitExceededException("gave up")).Should().Be(true, "a strategy gives up only on faults it deemed transient");
        Classify(new DbUpdateException("failed", new SqliteException("constraint failed", 19))).Should().Be(false);
    }

    [Fact]
    public void Anything_else_is_not_a_store_fault()
    {
        Classify(new InvalidOperationException("a bug")).Should().BeNull();
        Classify(new InvalidOperationException("a bug", new ArgumentException("x"))).Should().BeNull();
        Classify(new OperationCanceledException()).Should().BeNull();
        Classify(new ArgumentException("x")).Should().BeNull();
    }

    [Fact]
    public void Wrap_names_the_store_and_the_operation_and_keeps_the_cause()
    {
        var cause = new SqliteException("database is locked", 5);
        var wrapped = StoreFaults.Wrap("ledger store", "read the head of club/alice", new InvalidOperationException("wrapper", cause));
        wrapped.Message.Should().Be("The ledger store could not read the head of club/alice: database is locked");
        wrapped.IsTransient.Should().BeTrue();
        wrapped.InnerException.Should().BeOfType<InvalidOperationException>().Which.InnerException.Should().BeSameAs(cause);
    }

    [Fact]
    public async Task A_locked_SQLite_database_is_a_transient_store_exception_on_write()
    {
        using var database = new SqliteDatabase();
        var locked = new SqliteConnectionStringBuilder(database.ConnectionString) { DefaultTimeout = 1 }.ToString();
        await using var blocker = new SqliteConnection(database.ConnectionString);
        await blocker.OpenAsync();
        await using var hold = blocker.CreateCommand();
        hold.CommandText = "BEGIN IMMEDIATE";
        await hold.ExecuteNonQueryAsync();

        await using var context = ShopContext.Create(b => b.UseSqlite(locked, s => s.CommandTimeout(1)), database.Loyalty);
        var options = new LoyaltyOptions { ProgramId = "club" };
        var ledger = new PointsLedger(new FakeClock(Instant.FromUtc(2026, 3, 2, 10, 0)), new EntityFrameworkLedgerStore(context), options.ToProgramSettings(), Options.Create(options.Ledger));
        var thrown = (await ledger.Invoking(l => l.EarnAsync(new EarnPoints(TransactionId.From("e-1"), MemberId.From("alice"), Points.FromInt64(10))))
            .Should().ThrowAsync<LoyaltyStoreException>()).Which;
        thrown.IsTransient.Should().BeTrue(thrown.ToString());
        thrown.Message.Should().StartWith("The ledger store could not ").And.Contain("database is locked");
    }

    private static bool? Classify(Exception exception) => StoreFaults.TryClassify(exception, out var transient) ? transient : null;
}
