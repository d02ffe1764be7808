using System.Data.Common;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Ledger;

/// <summary>
/// Rows of the relational ledger edited behind the library's back (past the append-only guards, as
/// an administrator could) are caught by the hash chain, on SQLite and PostgreSQL.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LedgerChainTamperTests(PostgresServerFixture fixture)
{
    private static readonly Instant Now = Instant.FromUtc(2026, 3, 2, 10, 0);
    private static readonly MemberId Alice = MemberId.From("alice");

    [Fact]
    public async Task An_amount_edited_in_SQLite_is_reported_at_its_transaction()
    {
        using var database = new SqliteDatabase();
        await WriteAsync(database.CreateContext());
        await ExecuteAsync(
            new SqliteConnection(database.ConnectionString),
            "DROP TRIGGER loyalty_ledger_transactions_no_update; UPDATE loyalty_ledger_transactions SET amount = amount * 10 WHERE id = 'order-2';");
        await ExpectBreakAsync(database.CreateContext(), "order-2", 2);
    }

    [Fact]
    public async Task A_movement_edited_in_SQLite_is_reported_at_its_transaction()
    {
        using var database = new SqliteDatabase();
        await WriteAsync(database.CreateContext());
        await ExecuteAsync(
            new SqliteConnection(database.ConnectionString),
            "DROP TRIGGER loyalty_ledger_movements_no_update; UPDATE loyalty_ledger_movements SET delta = delta + 1 WHERE version = 3;");
        await ExpectBreakAsync(database.CreateContext(), "redeem-1", 3);
    }

    [PostgresFact]
    public async Task An_amount_edited_in_PostgreSQL_is_reported_at_its_transaction()
    {
        var database = new PostgresDatabase(fixture.Server, "tamper", LoyaltyModelOptions.Default);
        await WriteAsync(database.CreateContext());
        await ExecuteAsync(
            new NpgsqlConnection(database.ConnectionString),
            $"BEGIN; SET LOCAL {LoyaltyDatabaseGuards.PostgreSqlOverrideSetting} = 'on'; UPDATE loyalty_ledger_transactions SET amount = amount * 10 WHERE id = 'order-2'; COMMIT;");
        await ExpectBreakAsync(database.CreateContext(), "order-2", 2);
    }

    [PostgresFact]
    public async Task A_transaction_deleted_in_PostgreSQL_is_reported_as_a_gap()
    {
        var database = new PostgresDatabase(fixture.Server, "tamper", LoyaltyModelOptions.Default);
        await WriteAsync(database.CreateContext());
        await ExecuteAsync(
            new NpgsqlConnection(database.ConnectionString),
            $"BEGIN; SET LOCAL {LoyaltyDatabaseGuards.PostgreSqlOverrideSetting} = 'on'; DELETE FROM loyalty_ledger_movements WHERE version = 2; DELETE FROM loyalty_ledger_transactions WHERE version = 2; COMMIT;");
        await using var context = database.CreateContext();
        var broken = (await Ledger(context).VerifyAccountAsync(Alice)).FirstBreak!;
        broken.Kind.Should().Be(LedgerChainBreakKind.VersionGap);
        broken.Position.Should().Be(2);
        broken.TransactionId.Should().Be(TransactionId.From("redeem-1"));
    }

    /// <summary>Three writes: two earns and a redemption.</summary>
    private static async Task WriteAsync(DbContext context)
    {
        await using (context)
        {
            var ledger = Ledger(context);
            (await ledger.EarnAsync(new EarnPoints(TransactionId.From("order-1"), Alice, Points.FromInt64(40)))).Succeeded.Should().BeTrue();
            (await ledger.EarnAsync(new EarnPoints(TransactionId.From("order-2"), Alice, Points.FromInt64(25)))).Succeeded.Should().BeTrue();
            (await ledger.RedeemAsync(new RedeemPoints(TransactionId.From("redeem-1"), Alice, Points.FromInt64(50)))).Succeeded.Should().BeTrue();
            var verification = await ledger.VerifyAccountAsync(Alice);
            verification.IsIntact.Should().BeTrue(verification.FirstBreak?.Message);
            verification.TransactionsChecked.Should().Be(3);
            (await ledger.VerifyProgramAsync()).IsIntact.Should().BeTrue();
        }
    }

    private static async Task ExpectBreakAsync(DbContext context, string id, long position)
    {
        await using (context)
        {
            var ledger = Ledger(context);
            var broken = (await ledger.VerifyAccountAsync(Alice)).FirstBreak!;
            broken.Kind.Should().Be(LedgerChainBreakKind.HashMismatch);
            broken.TransactionId.Should().Be(TransactionId.From(id));
            broken.Position.Should().Be(position);
            broken.Expected.Should().NotBe(broken.Found);
            var report = await ledger.VerifyProgramAsync();
            report.Broken.Should().ContainSingle().Which.FirstBreak.Should().Be(broken);
        }
    }

    private static PointsLedger Ledger(DbContext context)
    {
        var options = new LoyaltyOptions { ProgramId = "club" };
        options.Ledger.PendingPeriod = TimeSpan.Zero;
        return new PointsLedger(new FakeClock(Now), new EntityFrameworkLedgerStore(context), options.ToProgramSettings(), Options.Create(options.Ledger));
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }
    }
}
