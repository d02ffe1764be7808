using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Loyalty.Core.EntityFrameworkCore.Ledger;

/// <summary>
/// Lets one account's append-only rows (transactions and lot movements) be deleted inside the current
/// transaction, for a member's erasure or rectification, and nothing else: the documented way past the
/// database guards (<see cref="LoyaltyDatabaseGuards"/>). On PostgreSQL it names the account in two
/// transaction-local settings that the guard function compares with each deleted row; on SQLite it drops
/// the two <c>DELETE</c> triggers in the transaction and creates them again from their stored definition
/// (SQLite runs one writer at a time, so no other statement runs meanwhile). On another provider there
/// are no guards to pass.
/// </summary>
internal sealed class LedgerRewriteGuard
{
    private const string Sqlite = "Microsoft.EntityFrameworkCore.Sqlite";

    private readonly DbContext context;
    private readonly DbTransaction transaction;
    private readonly List<string> droppedTriggers = [];
    private bool postgres;

    private LedgerRewriteGuard(DbContext context, DbTransaction transaction)
    {
        this.context = context;
        this.transaction = transaction;
    }

    /// <summary>Opens the way for the deletes of one account's rows in <paramref name="transaction"/>.</summary>
    public static async Task<LedgerRewriteGuard> OpenAsync(DbContext context, DbTransaction transaction, string program, string member, CancellationToken cancellationToken)
    {
        var guard = new LedgerRewriteGuard(context, transaction);
        switch (context.Database.ProviderName)
        {
            case PostgresLedgerAppend.ProviderName:
                guard.postgres = true;
                await guard.SetAccountAsync(program, member, cancellationToken).ConfigureAwait(false);
                break;
            case Sqlite:
                await guard.DropSqliteTriggersAsync(cancellationToken).ConfigureAwait(false);
                break;
        }

        return guard;
    }

    /// <summary>Closes it again: the settings are cleared, or the triggers are back, before anything else runs in the transaction.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (postgres)
        {
            await SetAccountAsync("", "", cancellationToken).ConfigureAwait(false);
        }

        foreach (var definition in droppedTriggers)
        {
            await ExecuteAsync(definition, [], cancellationToken).ConfigureAwait(false);
        }

        droppedTriggers.Clear();
    }

    private Task SetAccountAsync(string program, string member, CancellationToken cancellationToken)
        => ExecuteAsync(
            "SELECT set_config(@setting_program, @program, true), set_config(@setting_member, @member, true)",
            [
                ("setting_program", LoyaltyDatabaseGuards.PostgreSqlRewriteProgramSetting),
                ("program", program),
                ("setting_member", LoyaltyDatabaseGuards.PostgreSqlRewriteMemberSetting),
                ("member", member),
            ],
            cancellationToken);

    private async Task DropSqliteTriggersAsync(CancellationToken cancellationToken)
    {
        // The names the guards script gives the DELETE triggers: {table}_no_delete.
        var names = new[] { typeof(LedgerTransactionRow), typeof(LedgerMovementRow) }
            .Select(row => context.Model.FindEntityType(row)!.GetTableName() + "_no_delete")
            .ToArray();
        var found = new List<(string Name, string Sql)>();
        var command = Command("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (@t0, @t1) ORDER BY name", [("t0", names[0]), ("t1", names[1])]);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    found.Add((reader.GetString(0), reader.GetString(1)));
                }
            }
        }

        foreach (var (name, sql) in found)
        {
            // The names are the model's table names with a fixed suffix (validated identifiers), quoted.
            await ExecuteAsync("DROP TRIGGER \"" + name + "\"", [], cancellationToken).ConfigureAwait(false);
            droppedTriggers.Add(sql);
        }
    }

    private async Task ExecuteAsync(string sql, IReadOnlyList<(string Name, string Value)> parameters, CancellationToken cancellationToken)
    {
        var command = Command(sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private DbCommand Command(string sql, IReadOnlyList<(string Name, string Value)> parameters)
    {
        var command = context.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        if (context.Database.GetCommandTimeout() is { } timeout)
        {
            command.CommandTimeout = timeout;
        }

        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
