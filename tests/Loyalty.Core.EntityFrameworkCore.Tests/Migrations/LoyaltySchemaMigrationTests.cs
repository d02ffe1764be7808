using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Npgsql;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Migrations;

/// <summary>
/// The two ways a shop gets the loyalty tables: its own EF Core migration (what
/// <c>dotnet ef migrations add</c> computes once <c>ApplyLoyaltyModel</c> is in its model), or the
/// shipped SQL scripts in <c>src/Loyalty.Core.EntityFrameworkCore/Sql</c>.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LoyaltySchemaMigrationTests(PostgresServerFixture fixture)
{
    /// <summary>Set to 1 to rewrite the shipped scripts from the model (then review the diff).</summary>
    private const string UpdateVariable = "LOYALTY_UPDATE_SQL_SCRIPTS";

    private static readonly LedgerAccountKey Account = new(ProgramId.From("club"), MemberId.From("alice"));

    [Fact]
    public void The_shipped_SQLite_script_is_what_the_model_generates()
        => CheckScript("loyalty-sqlite.sql", b => b.UseSqlite("Data Source=:memory:"));

    [Fact]
    public void The_shipped_PostgreSQL_script_is_what_the_model_generates()
        => CheckScript("loyalty-postgresql.sql", b => b.UseNpgsql("Host=localhost"));

    [Fact]
    public async Task The_shipped_SQLite_script_creates_a_working_ledger()
    {
        using var database = new TempFolder();
        var connectionString = $"Data Source={Path.Combine(database.Path, "shop.db")};Pooling=false";
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = await File.ReadAllTextAsync(ScriptPath("loyalty-sqlite.sql"));
            await command.ExecuteNonQueryAsync();
        }

        await using var context = ShopContext.Create(b => b.UseSqlite(connectionString), LoyaltyModelOptions.Default);
        await EarnAndReadBack(context);
    }

    [PostgresFact]
    public async Task The_shipped_PostgreSQL_script_creates_a_working_ledger()
    {
        var connectionString = fixture.Server.CreateDatabase("script");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = await File.ReadAllTextAsync(ScriptPath("loyalty-postgresql.sql"));
            await command.ExecuteNonQueryAsync();
        }

        await using var context = ShopContext.Create(b => b.UseNpgsql(connectionString), LoyaltyModelOptions.Default);
        await EarnAndReadBack(context);
    }

    [Fact]
    public async Task A_shop_migration_adds_the_loyalty_tables_to_an_existing_SQLite_database()
    {
        using var database = new TempFolder();
        var connectionString = $"Data Source={Path.Combine(database.Path, "shop.db")};Pooling=false";
        await MigrateExistingShop(b => b.UseSqlite(connectionString), LoyaltyModelOptions.Default);
    }

    [PostgresFact]
    public async Task A_shop_migration_adds_the_loyalty_tables_to_an_existing_PostgreSQL_database_in_its_own_schema()
    {
        var connectionString = fixture.Server.CreateDatabase("migration");
        await MigrateExistingShop(b => b.UseNpgsql(connectionString), LoyaltyModelOptions.Create("loyalty", "club_"));

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'loyalty'";
        (await command.ExecuteScalarAsync()).Should().Be("club_campaign_budget_reservations,club_campaign_budgets,club_card_range_locks,club_card_ranges,club_card_status_history,club_cards,club_contact_history,club_data_rights_audit,club_erased_members,club_household_members,club_households,club_ledger_accounts,club_ledger_holds,club_ledger_lots,club_ledger_movements,club_ledger_transactions,club_maintenance_leases,club_member_achievements,club_member_activities,club_member_consents,club_member_histories,club_member_orders,club_member_refunds,club_members,club_merchant_rule_sets,club_partner_agreements,club_partners,club_points_transfers,club_prepaid_blocks,club_prepaid_draws,club_reward_code_uses,club_reward_codes,club_reward_redemptions,club_reward_stock_claims,club_rewards,club_rule_sets,club_settlement_runs");
    }

    /// <summary>
    /// The shop's database exists (orders, with data); the shop adds <c>ApplyLoyaltyModel</c> to its
    /// model and migrates: the operations are those <c>dotnet ef migrations add</c> computes from the
    /// model difference, turned into SQL by the provider, as <c>dotnet ef database update</c> runs them.
    /// </summary>
    private static async Task MigrateExistingShop(Action<DbContextOptionsBuilder<ShopContext>> provider, LoyaltyModelOptions loyalty)
    {
        await using (var before = ShopContext.Create(provider, loyalty: null))
        {
            await before.Database.EnsureCreatedAsync();
            before.Orders.Add(new ShopOrder { Reference = "CMD-1001", Total = 40m });
            await before.SaveChangesAsync();
        }

        await using var after = ShopContext.Create(provider, loyalty);
        await using (var source = ShopContext.Create(provider, loyalty: null))
        {
            var differ = after.GetService<IMigrationsModelDiffer>();
            var operations = differ.GetDifferences(
                source.GetService<IDesignTimeModel>().Model.GetRelationalModel(),
                after.GetService<IDesignTimeModel>().Model.GetRelationalModel());
            operations.Should().NotBeEmpty();
            operations.Should().NotContain(o => o is DropTableOperation || o is AlterColumnOperation, "adding the loyalty model leaves the shop's tables alone");
            var commands = after.GetService<IMigrationsSqlGenerator>().Generate(operations, after.GetService<IDesignTimeModel>().Model);
            await after.GetService<IMigrationCommandExecutor>().ExecuteNonQueryAsync(commands, after.GetService<Microsoft.EntityFrameworkCore.Storage.IRelationalConnection>());

            // The guards of the append-only tables, as the shop's migration adds them after the tables.
            var guards = new MigrationBuilder(after.Database.ProviderName).CreateLoyaltyGuards(loyalty);
            var guardCommands = after.GetService<IMigrationsSqlGenerator>().Generate(guards.Operations, after.GetService<IDesignTimeModel>().Model);
            await after.GetService<IMigrationCommandExecutor>().ExecuteNonQueryAsync(guardCommands, after.GetService<Microsoft.EntityFrameworkCore.Storage.IRelationalConnection>());
        }

        (await after.Orders.SingleAsync()).Reference.Should().Be("CMD-1001");
        await EarnAndReadBack(after);
        var table = (loyalty.Schema is null ? "" : $"\"{loyalty.Schema}\".") + $"\"{loyalty.TablePrefix}ledger_transactions\"";
        var delete = "DELETE FROM " + table;
        var rewrite = () => after.Database.ExecuteSqlRawAsync(delete);
        (await rewrite.Should().ThrowAsync<System.Data.Common.DbException>()).Which.Message.Should().Contain("is append-only: DELETE is refused.");
    }

    private static async Task EarnAndReadBack(DbContext context)
    {
        var store = new EntityFrameworkLedgerStore(context);
        var at = Instant.FromUtc(2026, 5, 4, 10, 0);
        var tx = new LedgerTransactionRecord
        {
            ProgramId = Account.ProgramId,
            MemberId = Account.MemberId,
            Id = TransactionId.From("order-1001"),
            Version = 1,
            Kind = LedgerTransactionKind.Earn,
            RecordedAt = at,
            EffectiveAt = at,
            Amount = 40,
            AvailableAt = at,
            Movements = [new LedgerLotMovement(TransactionId.From("order-1001"), 40)],
        };
        var lot = new LedgerLotRecord { LotId = tx.Id, Sequence = 1, OriginalAmount = 40, Remaining = 40, CreatedAt = at, AvailableAt = at };
        var head = new LedgerAccountHead { ProgramId = Account.ProgramId, MemberId = Account.MemberId, Version = 1, UpdatedAt = at, LotPoints = 40, Earned = 40, AvailableSnapshot = 40 };

        var result = await store.AppendAsync(new LedgerAppend { Account = Account, ExpectedVersion = 0, Transactions = [tx], Head = head, Lots = [lot] });

        result.Status.Should().Be(LedgerAppendStatus.Appended);
        (await store.GetAccountAsync(Account)).Should().BeEquivalentTo(new LedgerAccountSnapshot(head, [lot], []));
    }

    private static void CheckScript(string file, Action<DbContextOptionsBuilder<LoyaltyOnlyContext>> provider)
    {
        var builder = new DbContextOptionsBuilder<LoyaltyOnlyContext>();
        provider(builder);
        using var context = new LoyaltyOnlyContext(builder.Options);
        // The tables, then the guards of the append-only tables (which EF Core does not model).
        var generated = Normalize(context.Database.GenerateCreateScript().TrimEnd() + "\n\n\n" + LoyaltyDatabaseGuards.CreateScript(context.Database.ProviderName!, LoyaltyModelOptions.Default));
        var path = ScriptPath(file);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, generated);
        }

        File.Exists(path).Should().BeTrue($"{path} ships with the package; create it with {UpdateVariable}=1");
        Normalize(File.ReadAllText(path)).Should().Be(generated, $"the script must match the model; regenerate it with {UpdateVariable}=1 dotnet test --filter LoyaltySchemaMigrationTests");
    }

    private static string Normalize(string sql) => sql.Replace("\r\n", "\n", StringComparison.Ordinal).Trim() + "\n";

    private static string ScriptPath(string file)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Loyalty.Core.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("Loyalty.Core.sln not found above the test binaries."), "src", "Loyalty.Core.EntityFrameworkCore", "Sql", file);
    }

    private sealed class TempFolder : IDisposable
    {
        public TempFolder()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "loyalty-migration-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public void Dispose()
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(Path, recursive: true);
        }
    }
}
