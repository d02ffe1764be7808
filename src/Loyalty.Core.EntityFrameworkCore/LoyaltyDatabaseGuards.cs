using System.Text;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// Makes the database itself refuse an <c>UPDATE</c> or <c>DELETE</c> (and, on PostgreSQL, a
/// <c>TRUNCATE</c>) of the ledger's append-only tables, the transactions and their lot movements,
/// which the library only ever inserts into. EF Core models no triggers, so they are created by this
/// class: from a migration (<see cref="CreateLoyaltyGuards"/>), on a database created by
/// <c>EnsureCreated</c> (<see cref="ApplyLoyaltyGuardsAsync"/>), and in the shipped SQL scripts.
/// </summary>
/// <remarks>
/// <para>On PostgreSQL a row trigger and a statement trigger call one function that raises
/// <c>The loyalty ledger table … is append-only</c>. There are two documented ways past them. A member's
/// erasure or rectification (<c>ILedgerDataStore.RewriteAccountAsync</c>) deletes the rows of one account,
/// in its own transaction, after <c>set_config('loyalty.rewrite_program', …, true)</c> and
/// <c>set_config('loyalty.rewrite_member', …, true)</c> (<see cref="PostgreSqlRewriteProgramSetting"/>,
/// <see cref="PostgreSqlRewriteMemberSetting"/>): the function then lets a <c>DELETE</c> of that account's
/// rows through, and nothing else (an <c>UPDATE</c> is still refused, and so is a row of another account);
/// the store clears both settings before it writes the account again under its new key, whose hash chain
/// is sealed again. A database administrator, in a transaction of their own, may
/// <c>SET LOCAL loyalty.allow_ledger_rewrite = 'on'</c> (for instance to delete a test programme); the
/// library never sets it, and the account's hash chain reports any row changed that way. On SQLite two
/// triggers abort an <c>UPDATE</c> or <c>DELETE</c>; the account rewrite drops the two <c>DELETE</c> triggers
/// inside its transaction and creates them again, from their stored definition, before it commits (SQLite
/// has one writer at a time, so no other statement runs without them); dropping them is also the
/// administrator's way past. The scripts are idempotent (they replace the function and triggers).</para>
/// </remarks>
public static class LoyaltyDatabaseGuards
{
    /// <summary>The PostgreSQL setting that lets an administrator's transaction rewrite the append-only tables.</summary>
    public const string PostgreSqlOverrideSetting = "loyalty.allow_ledger_rewrite";

    /// <summary>
    /// The PostgreSQL setting that names the programme of the one account whose rows a member's erasure or
    /// rectification may delete, set transaction-locally with <see cref="PostgreSqlRewriteMemberSetting"/>.
    /// </summary>
    public const string PostgreSqlRewriteProgramSetting = "loyalty.rewrite_program";

    /// <summary>
    /// The PostgreSQL setting that names the member of the one account whose rows a member's erasure or
    /// rectification may delete, set transaction-locally with <see cref="PostgreSqlRewriteProgramSetting"/>.
    /// </summary>
    public const string PostgreSqlRewriteMemberSetting = "loyalty.rewrite_member";

    private const string Sqlite = "Microsoft.EntityFrameworkCore.Sqlite";

    /// <summary>The SQL that creates the guards for <paramref name="providerName"/>, for tables placed as <paramref name="options"/> says.</summary>
    /// <param name="providerName">The EF Core provider's name (<c>Npgsql.EntityFrameworkCore.PostgreSQL</c> or <c>Microsoft.EntityFrameworkCore.Sqlite</c>), as in <c>DatabaseFacade.ProviderName</c> or <c>MigrationBuilder.ActiveProvider</c>.</param>
    /// <param name="options">The schema and table prefix of the loyalty tables.</param>
    /// <returns>The script.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="NotSupportedException">The provider is neither PostgreSQL nor SQLite.</exception>
    public static string CreateScript(string providerName, LoyaltyModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(providerName);
        ArgumentNullException.ThrowIfNull(options);
        return providerName switch
        {
            PostgresLedgerAppend.ProviderName => PostgreSql(options),
            Sqlite => SqliteScript(options),
            _ => throw new NotSupportedException(
                $"The loyalty database guards exist for PostgreSQL ({PostgresLedgerAppend.ProviderName}) and SQLite ({Sqlite}), not for '{providerName}'; on another database, grant the application's role INSERT and SELECT only on the tables {options.Table(LedgerModel.Transactions)} and {options.Table(LedgerModel.Movements)}."),
        };
    }

    /// <summary>Adds the guards to a migration (after the one that creates the loyalty tables).</summary>
    /// <param name="migrationBuilder">The migration's builder; its active provider chooses the SQL.</param>
    /// <param name="options">The schema and table prefix of the loyalty tables.</param>
    /// <returns><paramref name="migrationBuilder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="NotSupportedException">The provider is neither PostgreSQL nor SQLite.</exception>
    public static MigrationBuilder CreateLoyaltyGuards(this MigrationBuilder migrationBuilder, LoyaltyModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql(CreateScript(migrationBuilder.ActiveProvider ?? "", options));
        return migrationBuilder;
    }

    /// <summary>Creates (or replaces) the guards in the context's database, e.g. after <c>EnsureCreated</c>.</summary>
    /// <param name="database">The shop context's database.</param>
    /// <param name="options">The schema and table prefix of the loyalty tables.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the guards exist.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="NotSupportedException">The provider is neither PostgreSQL nor SQLite.</exception>
    public static async Task ApplyLoyaltyGuardsAsync(this DatabaseFacade database, LoyaltyModelOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        var script = CreateScript(database.ProviderName ?? "", options);
        // Built from validated identifiers (LoyaltyModelOptions) only, never from user input.
        await database.ExecuteSqlRawAsync(script, cancellationToken).ConfigureAwait(false);
    }

    private static string PostgreSql(LoyaltyModelOptions options)
    {
        var schema = options.Schema is null ? "" : Quote(options.Schema) + ".";
        var function = schema + Quote(options.TablePrefix + "ledger_refuse_rewrite");
        var text = new StringBuilder();
        text.Append("CREATE OR REPLACE FUNCTION ").Append(function).Append("() RETURNS trigger LANGUAGE plpgsql AS $$\n")
            .Append("BEGIN\n")
            .Append("    IF coalesce(current_setting('").Append(PostgreSqlOverrideSetting).Append("', true), '') = 'on' THEN\n")
            .Append("        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\n")
            .Append("        RETURN NEW;\n")
            .Append("    END IF;\n")
            .Append("    IF TG_OP = 'DELETE' THEN\n")
            .Append("        IF OLD.program_id = current_setting('").Append(PostgreSqlRewriteProgramSetting).Append("', true)\n")
            .Append("           AND OLD.member_id = current_setting('").Append(PostgreSqlRewriteMemberSetting).Append("', true) THEN\n")
            .Append("            RETURN OLD;\n")
            .Append("        END IF;\n")
            .Append("    END IF;\n")
            .Append("    RAISE EXCEPTION 'The loyalty ledger table % is append-only: % is refused.', TG_TABLE_NAME, TG_OP\n")
            .Append("        USING HINT = 'Ledger rows are only ever inserted; to correct a balance, append an adjustment or a reversal.';\n")
            .Append("END\n$$;\n\n");
        foreach (var table in new[] { LedgerModel.Transactions, LedgerModel.Movements })
        {
            var name = options.Table(table);
            var qualified = schema + Quote(name);
            var rows = Quote(name + "_append_only");
            var truncate = Quote(name + "_no_truncate");
            text.Append("DROP TRIGGER IF EXISTS ").Append(rows).Append(" ON ").Append(qualified).Append(";\n")
                .Append("CREATE TRIGGER ").Append(rows).Append(" BEFORE UPDATE OR DELETE ON ").Append(qualified)
                .Append(" FOR EACH ROW EXECUTE FUNCTION ").Append(function).Append("();\n")
                .Append("DROP TRIGGER IF EXISTS ").Append(truncate).Append(" ON ").Append(qualified).Append(";\n")
                .Append("CREATE TRIGGER ").Append(truncate).Append(" BEFORE TRUNCATE ON ").Append(qualified)
                .Append(" FOR EACH STATEMENT EXECUTE FUNCTION ").Append(function).Append("();\n\n");
        }

        return text.ToString().TrimEnd() + "\n";
    }

    private static string SqliteScript(LoyaltyModelOptions options)
    {
        var text = new StringBuilder();
        foreach (var table in new[] { LedgerModel.Transactions, LedgerModel.Movements })
        {
            var name = options.Table(table);
            foreach (var operation in new[] { "UPDATE", "DELETE" })
            {
                var trigger = Quote($"{name}_no_{operation.ToLowerInvariant()}");
                text.Append("DROP TRIGGER IF EXISTS ").Append(trigger).Append(";\n")
                    .Append("CREATE TRIGGER ").Append(trigger).Append(" BEFORE ").Append(operation).Append(" ON ").Append(Quote(name))
                    .Append(" BEGIN SELECT RAISE(ABORT, 'The loyalty ledger table ").Append(name).Append(" is append-only: ").Append(operation).Append(" is refused.'); END;\n");
            }
        }

        return text.ToString();
    }

    // The schema and prefix are plain identifiers (LoyaltyModelOptions validates them), so quoting is enough.
    private static string Quote(string identifier) => "\"" + identifier + "\"";
}
