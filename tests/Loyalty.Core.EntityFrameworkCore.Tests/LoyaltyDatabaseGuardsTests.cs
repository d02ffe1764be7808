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

namespace Loyalty.Core.EntityFrameworkCore.Tests;

/// <summary>
/// The database refuses what the library never writes: an UPDATE or DELETE of a ledger transaction or
/// movement (triggers), and a row breaking a ledger invariant (CHECK constraints), on SQLite and PostgreSQL.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LoyaltyDatabaseGuardsTests(PostgresServerFixture fixture)
{
    private static readonly Instant Now = Instant.FromUtc(2026, 3, 2, 10, 0);

    public static TheoryData<string, string> AppendOnlyStatements => new()
    {
        { "UPDATE loyalty_ledger_transactions SET amount = amount + 1", "The loyalty ledger table loyalty_ledger_transactions is append-only: UPDATE is refused." },
        { "DELETE FROM loyalty_ledger_transactions", "The loyalty ledger table loyalty_ledger_transactions is append-only: DELETE is refused." },
        { "UPDATE loyalty_ledger_movements SET delta = delta + 1", "The loyalty ledger table loyalty_ledger_movements is append-only: UPDATE is refused." },
        { "DELETE FROM loyalty_ledger_movements", "The loyalty ledger table loyalty_ledger_movements is append-only: DELETE is refused." },
    };

    public static TheoryData<string, string> BrokenInvariants => new()
    {
        { "UPDATE loyalty_ledger_lots SET remaining = -1", "ck_loyalty_ledger_lots_remaining" },
        { "UPDATE loyalty_ledger_lots SET remaining = original_amount + 1", "ck_loyalty_ledger_lots_remaining" },
        { "UPDATE loyalty_ledger_accounts SET debt = -5", "ck_loyalty_ledger_accounts_totals" },
        { "UPDATE loyalty_ledger_accounts SET version = 0", "ck_loyalty_ledger_accounts_version" },
        { "INSERT INTO loyalty_ledger_transactions (program_id, id, member_id, version, kind, recorded_at, effective_at, amount, is_whole_capture, applied, debt_change, written_off) VALUES ('club', 'zero', 'alice', 2, 1, 0, 0, 0, false, 0, 0, 0)", "ck_loyalty_ledger_transactions_amount" },
        { "INSERT INTO loyalty_ledger_holds (program_id, member_id, hold_id, amount, created_at, expires_at, status, captured) VALUES ('club', 'alice', 'h', 10, 0, 1, 1, 3)", "ck_loyalty_ledger_holds_captured" },
    };

    [Theory]
    [MemberData(nameof(AppendOnlyStatements))]
    public async Task SQLite_refuses_an_update_or_delete_of_the_append_only_tables(string sql, string message)
    {
        using var database = new SqliteDatabase();
        await EarnAsync(database.CreateContext());
        var thrown = (await FluentActions.Awaiting(() => Execute(new SqliteConnection(database.ConnectionString), sql)).Should().ThrowAsync<SqliteException>()).Which;
        thrown.Message.Should().Be($"SQLite Error 19: '{message}'.");
        await ExpectEarnedAsync(database.CreateContext(), 10);
    }

    [Theory]
    [MemberData(nameof(BrokenInvariants))]
    public async Task SQLite_refuses_a_row_breaking_a_ledger_invariant(string sql, string constraint)
    {
        using var database = new SqliteDatabase();
        await EarnAsync(database.CreateContext());
        var thrown = (await FluentActions.Awaiting(() => Execute(new SqliteConnection(database.ConnectionString), sql.Replace("false", "0", StringComparison.Ordinal))).Should().ThrowAsync<SqliteException>()).Which;
        thrown.Message.Should().Be($"SQLite Error 19: 'CHECK constraint failed: {constraint}'.");
    }

    [PostgresTheory]
    [MemberData(nameof(AppendOnlyStatements))]
    public async Task PostgreSQL_refuses_an_update_or_delete_of_the_append_only_tables(string sql, string message)
    {
        var database = new PostgresDatabase(fixture.Server, "guards", LoyaltyModelOptions.Default);
        await EarnAsync(database.CreateContext());
        var thrown = (await FluentActions.Awaiting(() => Execute(new NpgsqlConnection(database.ConnectionString), sql)).Should().ThrowAsync<PostgresException>()).Which;
        thrown.MessageText.Should().Be(message);
        thrown.Hint.Should().Be("Ledger rows are only ever inserted; to correct a balance, append an adjustment or a reversal.");
        await ExpectEarnedAsync(database.CreateContext(), 10);
    }

    [PostgresFact]
    public async Task PostgreSQL_refuses_a_truncate_and_lets_an_administrator_transaction_through_with_the_documented_setting()
    {
        var database = new PostgresDatabase(fixture.Server, "guards", LoyaltyModelOptions.Default);
        await EarnAsync(database.CreateContext());
        (await FluentActions.Awaiting(() => Execute(new NpgsqlConnection(database.ConnectionString), "TRUNCATE loyalty_ledger_movements")).Should().ThrowAsync<PostgresException>())
            .Which.MessageText.Should().Be("The loyalty ledger table loyalty_ledger_movements is append-only: TRUNCATE is refused.");

        await Execute(
            new NpgsqlConnection(database.ConnectionString),
            $"BEGIN; SET LOCAL {LoyaltyDatabaseGuards.PostgreSqlOverrideSetting} = 'on'; DELETE FROM loyalty_ledger_movements; DELETE FROM loyalty_ledger_transactions; COMMIT;");
        await using var check = new NpgsqlConnection(database.ConnectionString);
        await check.OpenAsync();
        await using var count = check.CreateCommand();
        count.CommandText = "SELECT count(*) FROM loyalty_ledger_transactions";
        ((long)(await count.ExecuteScalarAsync())!).Should().Be(0);
    }

    [PostgresFact]
    public async Task PostgreSQL_lets_through_only_the_deletes_of_the_account_named_for_a_data_rights_rewrite_in_its_transaction()
    {
        var database = new PostgresDatabase(fixture.Server, "guards", LoyaltyModelOptions.Default);
        await EarnAsync(database.CreateContext());
        await EarnAsync(database.CreateContext(), "bob");
        const string Allow = $"SELECT set_config('{LoyaltyDatabaseGuards.PostgreSqlRewriteProgramSetting}', 'club', true), set_config('{LoyaltyDatabaseGuards.PostgreSqlRewriteMemberSetting}', 'alice', true);";

        // A hand-written UPDATE is refused, even of the account named.
        (await FluentActions.Awaiting(() => Execute(new NpgsqlConnection(database.ConnectionString), $"BEGIN; {Allow} UPDATE loyalty_ledger_transactions SET amount = amount + 1 WHERE member_id = 'alice'; COMMIT;")).Should().ThrowAsync<PostgresException>())
            .Which.MessageText.Should().Be("The loyalty ledger table loyalty_ledger_transactions is append-only: UPDATE is refused.");

        // So is a DELETE of another account, and of the account named once its transaction has ended.
        (await FluentActions.Awaiting(() => Execute(new NpgsqlConnection(database.ConnectionString), $"BEGIN; {Allow} DELETE FROM loyalty_ledger_movements WHERE member_id = 'bob'; COMMIT;")).Should().ThrowAsync<PostgresException>())
            .Which.MessageText.Should().Be("The loyalty ledger table loyalty_ledger_movements is append-only: DELETE is refused.");
        (await FluentActions.Awaiting(() => Execute(new NpgsqlConnection(database.ConnectionString), $"BEGIN; {Allow} COMMIT; DELETE FROM loyalty_ledger_movements WHERE member_id = 'alice';")).Should().ThrowAsync<PostgresException>())
            .Which.MessageText.Should().Be("The loyalty ledger table loyalty_ledger_movements is append-only: DELETE is refused.");
        (await FluentActions.Awaiting(() => Execute(new NpgsqlConnection(database.ConnectionString), $"BEGIN; {Allow} TRUNCATE loyalty_ledger_movements; COMMIT;")).Should().ThrowAsync<PostgresException>())
            .Which.MessageText.Should().Be("The loyalty ledger table loyalty_ledger_movements is append-only: TRUNCATE is refused.");

        // The named account's rows go inside that transaction.
        await Execute(new NpgsqlConnection(database.ConnectionString), $"BEGIN; {Allow} DELETE FROM loyalty_ledger_movements WHERE member_id = 'alice'; DELETE FROM loyalty_ledger_transactions WHERE member_id = 'alice'; COMMIT;");
        await using var check = new NpgsqlConnection(database.ConnectionString);
        await check.OpenAsync();
        await using var count = check.CreateCommand();
        count.CommandText = "SELECT member_id, count(*) FROM loyalty_ledger_transactions GROUP BY member_id";
        await using var reader = await count.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeTrue();
        (reader.GetString(0), reader.GetInt64(1)).Should().Be(("bob", 1L));
        (await reader.ReadAsync()).Should().BeFalse();
    }

    [Fact]
    public void The_PostgreSQL_guard_function_compares_each_deleted_row_with_the_rewrite_settings()
        => LoyaltyDatabaseGuards.CreateScript("Npgsql.EntityFrameworkCore.PostgreSQL", LoyaltyModelOptions.Default).Should().Contain(
            "    IF TG_OP = 'DELETE' THEN\n"
            + "        IF OLD.program_id = current_setting('loyalty.rewrite_program', true)\n"
            + "           AND OLD.member_id = current_setting('loyalty.rewrite_member', true) THEN\n"
            + "            RETURN OLD;\n");

    [PostgresTheory]
    [MemberData(nameof(BrokenInvariants))]
    public async Task PostgreSQL_refuses_a_row_breaking_a_ledger_invariant(string sql, string constraint)
    {
        var database = new PostgresDatabase(fixture.Server, "guards", LoyaltyModelOptions.Default);
        await EarnAsync(database.CreateContext());
        var thrown = (await FluentActions.Awaiting(() => Execute(new NpgsqlConnection(database.ConnectionString), sql)).Should().ThrowAsync<PostgresException>()).Which;
        thrown.SqlState.Should().Be(PostgresErrorCodes.CheckViolation);
        thrown.ConstraintName.Should().Be(constraint);
    }

    [Fact]
    public void Another_provider_is_refused_with_what_to_do_instead()
        => FluentActions.Invoking(() => LoyaltyDatabaseGuards.CreateScript("Microsoft.EntityFrameworkCore.SqlServer", LoyaltyModelOptions.Create("shop", "fid_")))
            .Should().Throw<NotSupportedException>()
            .WithMessage("The loyalty database guards exist for PostgreSQL (Npgsql.EntityFrameworkCore.PostgreSQL) and SQLite (Microsoft.EntityFrameworkCore.Sqlite), not for 'Microsoft.EntityFrameworkCore.SqlServer'; on another database, grant the application's role INSERT and SELECT only on the tables fid_ledger_transactions and fid_ledger_movements.");

    [Fact]
    public void The_PostgreSQL_guards_follow_the_schema_and_prefix()
    {
        var script = LoyaltyDatabaseGuards.CreateScript("Npgsql.EntityFrameworkCore.PostgreSQL", LoyaltyModelOptions.Create("shop", "fid_"));
        script.Should().Contain("CREATE OR REPLACE FUNCTION \"shop\".\"fid_ledger_refuse_rewrite\"()")
            .And.Contain("CREATE TRIGGER \"fid_ledger_transactions_append_only\" BEFORE UPDATE OR DELETE ON \"shop\".\"fid_ledger_transactions\"")
            .And.Contain("CREATE TRIGGER \"fid_ledger_movements_no_truncate\" BEFORE TRUNCATE ON \"shop\".\"fid_ledger_movements\"");
    }

    private static async Task Execute(DbConnection connection, string sql)
    {
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }
    }

    private static PointsLedger Ledger(DbContext context)
    {
        var options = new LoyaltyOptions { ProgramId = "club" };
        return new PointsLedger(new FakeClock(Now), new EntityFrameworkLedgerStore(context), options.ToProgramSettings(), Options.Create(options.Ledger));
    }

    private static async Task EarnAsync(DbContext context, string memberId = "alice")
    {
        await using (context)
        {
            var member = MemberId.From(memberId);
            (await Ledger(context).EarnAsync(new EarnPoints(TransactionId.From("e-" + Guid.NewGuid().ToString("N")[..8]), member, Points.FromInt64(10)))).Succeeded.Should().BeTrue();
        }
    }

    private static async Task ExpectEarnedAsync(DbContext context, long points)
    {
        await using (context)
        {
            (await Ledger(context).GetBalanceAsync(MemberId.From("alice"))).Earned.Value.Should().BeGreaterThanOrEqualTo(points);
        }
    }
}
