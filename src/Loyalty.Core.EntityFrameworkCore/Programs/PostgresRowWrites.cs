using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Loyalty.Core.EntityFrameworkCore.Programs;

/// <summary>
/// Guarded single-row writes on PostgreSQL, for writes a unit of work holds back
/// (<see cref="WriteBehind"/>): a plain <c>INSERT</c> (a used key fails the statement), and an
/// <c>UPDATE</c> of every non-key column at an expected version wrapped in a <c>SELECT</c> that fails
/// (an invalid integer, whose text says why) unless exactly one row was updated. Any failure stops
/// the batch, whose transaction then keeps nothing.
/// </summary>
/// <remarks>The text is generated once per EF Core model and row type (names, schema and prefix from
/// the model), with positional parameters typed in the text, so each connection prepares it once.</remarks>
internal sealed class PostgresRowWrites
{
    private static readonly ConcurrentDictionary<(IModel Model, Type Row), PostgresRowWrites> Plans = new();

    private readonly Column[] insertColumns;
    private readonly Column[] updateColumns;

    private PostgresRowWrites(string insert, Column[] insertColumns, string guardedUpdate, Column[] updateColumns)
    {
        Insert = insert;
        this.insertColumns = insertColumns;
        GuardedUpdate = guardedUpdate;
        this.updateColumns = updateColumns;
    }

    /// <summary>The <c>INSERT</c> of one row.</summary>
    public string Insert { get; }

    /// <summary>The guarded <c>UPDATE</c> of one row at an expected version (the last parameter).</summary>
    public string GuardedUpdate { get; }

    /// <summary>The statements of <typeparamref name="TRow"/> in <paramref name="context"/>'s model, built on first use.</summary>
    public static PostgresRowWrites For<TRow>(DbContext context)
        where TRow : class
        => Plans.GetOrAdd((context.Model, typeof(TRow)), static (key, helper) => Build(key.Model, key.Row, helper), context.GetService<ISqlGenerationHelper>());

    /// <summary>Queues the insert of <paramref name="row"/>.</summary>
    public void QueueInsert(WriteBehind behind, object row)
        => behind.Add(Insert, command => Bind(command, insertColumns, row, null), ledger: false);

    /// <summary>Queues the update of <paramref name="row"/>, refused unless its stored version is <paramref name="expectedVersion"/>.</summary>
    public void QueueUpdate(WriteBehind behind, object row, long expectedVersion)
        => behind.Add(GuardedUpdate, command => Bind(command, updateColumns, row, expectedVersion), ledger: false);

    private static void Bind(DbBatchCommand command, Column[] columns, object row, long? expectedVersion)
    {
        foreach (var column in columns)
        {
            var p = command.CreateParameter();
            p.DbType = column.DbType;
            p.Value = column.Getter.GetValue(row) ?? DBNull.Value;
            command.Parameters.Add(p);
        }

        if (expectedVersion is { } version)
        {
            var p = command.CreateParameter();
            p.DbType = DbType.Int64;
            p.Value = version;
            command.Parameters.Add(p);
        }
    }

    private static PostgresRowWrites Build(IModel model, Type rowType, ISqlGenerationHelper sql)
    {
        var entity = model.FindEntityType(rowType) ?? throw new InvalidOperationException($"The model has no entity type {rowType.Name}.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var name = sql.DelimitIdentifier(table.Name, table.Schema);
        var key = entity.FindPrimaryKey()!.Properties;
        var columns = entity.GetProperties().Select(p =>
        {
            var (type, dbType) = Types(p.ClrType);
            return new Column(sql.DelimitIdentifier(p.GetColumnName(table)!), p.PropertyInfo!, key.Contains(p), type, dbType, p.Name);
        }).ToArray();

        var insert = new StringBuilder(512).Append("INSERT INTO ").Append(name).Append(" (").AppendJoin(", ", columns.Select(c => c.Name)).Append(") VALUES (")
            .AppendJoin(", ", columns.Select((c, i) => Positional(i, c.Type))).Append(')').ToString();

        // The update binds the non-key columns, then the key columns, then the expected version.
        var values = columns.Where(c => !c.IsKey).ToArray();
        var keys = columns.Where(c => c.IsKey).ToArray();
        var ordered = values.Concat(keys).ToArray();
        var version = columns.SingleOrDefault(c => c.Property == "Version");
        string update;
        if (version is null)
        {
            update = string.Empty;
        }
        else
        {
            var text = new StringBuilder(1024).Append("WITH written AS (\n    UPDATE ").Append(name).Append(" AS r SET ")
                .AppendJoin(", ", values.Select((c, i) => $"{c.Name} = {Positional(i, c.Type)}"))
                .Append("\n    WHERE ").AppendJoin(" AND ", keys.Select((c, i) => $"r.{c.Name} = {Positional(values.Length + i, c.Type)}"))
                .Append(" AND r.").Append(version.Name).Append(" = ").Append(Positional(ordered.Length, "bigint"))
                .Append("\n    RETURNING 1\n)\nSELECT CASE WHEN count(*) = 1 THEN 1 ELSE ('loyalty write refused: ' || count(*) || ' rows of ")
                .Append(table.Name.Replace("'", "''", StringComparison.Ordinal)).Append(" at the expected version')::integer END FROM written");
            update = text.ToString();
        }

        return new PostgresRowWrites(insert, columns, update, ordered);
    }

    private static string Positional(int index, string type) => "$" + (index + 1).ToString(CultureInfo.InvariantCulture) + "::" + type;

    private static (string Type, DbType DbType) Types(Type clr)
    {
        var type = Nullable.GetUnderlyingType(clr) ?? clr;
        if (type == typeof(string))
        {
            return ("text", DbType.String);
        }

        if (type == typeof(long))
        {
            return ("bigint", DbType.Int64);
        }

        if (type == typeof(int))
        {
            return ("integer", DbType.Int32);
        }

        if (type == typeof(bool))
        {
            return ("boolean", DbType.Boolean);
        }

        if (type == typeof(decimal))
        {
            return ("numeric", DbType.Decimal);
        }

        throw new InvalidOperationException($"The loyalty model maps a {type.Name} column, which the PostgreSQL write-behind does not bind.");
    }

    private sealed record Column(string Name, PropertyInfo Getter, bool IsKey, string Type, DbType DbType, string Property);
}
