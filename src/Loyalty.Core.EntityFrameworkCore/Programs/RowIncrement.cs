using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Loyalty.Core.EntityFrameworkCore.Programs;

/// <summary>
/// <c>UPDATE … SET column = column + 1 WHERE key = …</c> on a row of the model, with the provider's
/// quoting and parameters: increments a counter in one statement, and holds the row's write lock
/// until the transaction ends (a row lock on PostgreSQL; SQLite writers are serialised anyway).
/// </summary>
internal static class RowIncrement
{
    /// <summary>Increments <paramref name="column"/> of the row of <typeparamref name="TRow"/> with these key values; returns the rows affected (0 when there is no such row).</summary>
    public static async Task<int> ExecuteAsync<TRow>(StoreSession session, DbTransaction transaction, string column, IReadOnlyList<(string Property, string Value)> key, CancellationToken cancellationToken)
        where TRow : class
    {
        var context = session.Context;
        var sql = context.GetService<ISqlGenerationHelper>();
        var entity = context.Model.FindEntityType(typeof(TRow))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        string Column(string property) => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(table)!);

        var command = context.Database.GetDbConnection().CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
            if (context.Database.GetCommandTimeout() is { } timeout)
            {
                command.CommandTimeout = timeout;
            }

            var counter = Column(column);
            var text = new System.Text.StringBuilder()
                .Append("UPDATE ").Append(sql.DelimitIdentifier(table.Name, table.Schema))
                .Append(" SET ").Append(counter).Append(" = ").Append(counter).Append(" + 1");
            for (var i = 0; i < key.Count; i++)
            {
                var name = "kp" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var parameter = command.CreateParameter();
                parameter.ParameterName = sql.GenerateParameterName(name);
                parameter.Value = key[i].Value;
                command.Parameters.Add(parameter);
                text.Append(i == 0 ? " WHERE " : " AND ").Append(Column(key[i].Property)).Append(" = ").Append(sql.GenerateParameterNamePlaceholder(name));
            }

            command.CommandText = text.Append(sql.StatementTerminator).ToString();
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
