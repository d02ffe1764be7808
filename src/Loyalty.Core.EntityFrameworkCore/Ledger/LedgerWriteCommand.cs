using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Loyalty.Core.EntityFrameworkCore.Ledger;

/// <summary>
/// Builds one multi-statement command for an append (the head's conditional update or insert, the
/// transactions, movements, lots and holds), from the EF Core model: table and column names,
/// identifier quoting and parameter types are the provider's own, so it works on any relational
/// provider. It bypasses the change tracker, which dominates the cost of small writes.
/// </summary>
internal sealed class LedgerWriteCommand
{
    private static readonly ConcurrentDictionary<(IModel Model, Type Row), RowShape> Shapes = new();

    private readonly DbContext context;
    private readonly ISqlGenerationHelper sql;
    private readonly DbCommand command;
    private readonly StringBuilder text = new(1024);

    public LedgerWriteCommand(DbContext context, DbConnection connection)
    {
        this.context = context;
        sql = context.GetService<ISqlGenerationHelper>();
        command = connection.CreateCommand();
    }

    /// <summary>The rows the statements must affect for the append to be whole.</summary>
    public int ExpectedRows { get; private set; }

    public DbCommand Command
    {
        get
        {
            command.CommandText = text.ToString();
            return command;
        }
    }

    public void Insert<TRow>(TRow row)
        where TRow : class
    {
        var shape = Shape<TRow>();
        text.Append("INSERT INTO ").Append(shape.Table).Append(" (").Append(shape.AllColumns).Append(") VALUES (");
        for (var i = 0; i < shape.All.Length; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(Value(shape.All[i], row));
        }

        text.Append(')').Append(sql.StatementTerminator).Append('\n');
        ExpectedRows++;
    }

    /// <summary>Updates every non-key column of the row found by its key (and, when given, only at <paramref name="expectedVersion"/>).</summary>
    public void Update<TRow>(TRow row, long? expectedVersion = null)
        where TRow : class
    {
        var shape = Shape<TRow>();
        text.Append("UPDATE ").Append(shape.Table).Append(" SET ");
        for (var i = 0; i < shape.Values.Length; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(shape.Values[i].Name).Append(" = ").Append(Value(shape.Values[i], row));
        }

        text.Append(" WHERE ");
        for (var i = 0; i < shape.Keys.Length; i++)
        {
            text.Append(i == 0 ? "" : " AND ").Append(shape.Keys[i].Name).Append(" = ").Append(Value(shape.Keys[i], row));
        }

        if (expectedVersion is { } version)
        {
            var column = shape.All.Single(c => c.Property.Name == nameof(LedgerAccountRow.Version));
            text.Append(" AND ").Append(column.Name).Append(" = ").Append(Parameter(column, (object)version));
        }

        text.Append(sql.StatementTerminator).Append('\n');
        ExpectedRows++;
    }

    private string Value(Column column, object row) => Parameter(column, column.Property.PropertyInfo!.GetValue(row));

    private string Parameter(Column column, object? value)
    {
        var name = "lp" + command.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        command.Parameters.Add(column.Mapping.CreateParameter(command, sql.GenerateParameterName(name), value, column.Property.IsNullable));
        return sql.GenerateParameterNamePlaceholder(name);
    }

    private RowShape Shape<TRow>()
        => Shapes.GetOrAdd((context.Model, typeof(TRow)), static (key, helper) => RowShape.From(key.Model, key.Row, helper), sql);

    private sealed record Column(IProperty Property, string Name, RelationalTypeMapping Mapping);

    private sealed record RowShape(string Table, Column[] All, Column[] Keys, Column[] Values, string AllColumns)
    {
        public static RowShape From(IModel model, Type row, ISqlGenerationHelper helper)
        {
            var entity = model.FindEntityType(row) ?? throw new InvalidOperationException($"The model has no entity type {row.Name}.");
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var key = entity.FindPrimaryKey()!.Properties;
            var columns = entity.GetProperties()
                .Select(p => new Column(p, helper.DelimitIdentifier(p.GetColumnName(table)!), (RelationalTypeMapping)p.GetRelationalTypeMapping()))
                .ToArray();
            return new RowShape(
                helper.DelimitIdentifier(table.Name, table.Schema),
                columns,
                columns.Where(c => key.Contains(c.Property)).ToArray(),
                columns.Where(c => !key.Contains(c.Property)).ToArray(),
                string.Join(", ", columns.Select(c => c.Name)));
        }
    }
}
