using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Text;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Loyalty.Core.EntityFrameworkCore.Ledger;

/// <summary>
/// The rows of one append, as the PostgreSQL statement binds them: the account key and expected
/// version as scalars, the head's columns as scalars, and every other table's rows as one array per
/// column (so that the statement's text does not depend on how many rows the append carries).
/// </summary>
internal sealed class LedgerAppendRows
{
    public required string ProgramId { get; init; }

    public required string MemberId { get; init; }

    public required long ExpectedVersion { get; init; }

    public required LedgerAccountRow Head { get; init; }

    public List<LedgerTransactionRow> Transactions { get; } = [];

    public List<LedgerMovementRow> Movements { get; } = [];

    public List<LedgerLotRow> Lots { get; } = [];

    public List<LedgerHoldRow> Holds { get; } = [];

    /// <summary>The rows of <paramref name="append"/>.</summary>
    public static LedgerAppendRows From(LedgerAppend append)
    {
        var rows = new LedgerAppendRows
        {
            ProgramId = append.Account.ProgramId.Value,
            MemberId = append.Account.MemberId.Value,
            ExpectedVersion = append.ExpectedVersion,
            Head = LedgerMapping.ToRow(append.Head),
        };
        foreach (var tx in append.Transactions)
        {
            rows.Transactions.Add(LedgerMapping.ToRow(tx));
            for (var i = 0; i < tx.Movements.Count; i++)
            {
                rows.Movements.Add(LedgerMapping.ToRow(tx, i, tx.Movements[i]));
            }
        }

        foreach (var lot in append.Lots)
        {
            rows.Lots.Add(LedgerMapping.ToRow(append.Account, lot));
        }

        foreach (var hold in append.Holds)
        {
            rows.Holds.Add(LedgerMapping.ToRow(append.Account, hold));
        }

        return rows;
    }
}

/// <summary>
/// An append on PostgreSQL as one statement with data-modifying common table expressions, which
/// PostgreSQL runs atomically: the head is checked and bumped (<c>UPDATE … WHERE version = $e</c>,
/// or <c>INSERT … ON CONFLICT DO NOTHING</c> for a new account), on the condition that none of the
/// append's transaction ids is used in the programme yet; the transactions, movements, lots
/// (upserted) and holds (upserted) are inserted from the head's <c>RETURNING</c> row, so they are
/// written only when the head was. The statement's one result row tells what happened: whether the
/// head was written, the account's version and the first used id, as of the statement's snapshot.
/// </summary>
/// <remarks>
/// The text is generated once per EF Core model (table and column names, schema and prefix come from
/// the model), per kind (new account or existing one) and per shape (the single shape of
/// <see cref="IsSingle"/> or any other), so each connection prepares at most four statements. The
/// single shape binds every value as a scalar, which lets PostgreSQL reuse one generic plan; other
/// appends bind their rows as arrays, expanded with <c>unnest</c>, so that the text does not depend on
/// how many rows they carry (PostgreSQL plans those afresh on each execution). The account key is
/// bound once. Nothing here references Npgsql: parameters are created through ADO.NET and typed with
/// <see cref="DbType"/> (scalars) or by their CLR array type (arrays).
/// </remarks>
internal sealed class PostgresLedgerAppend
{
    /// <summary>The EF Core provider this path is chosen for.</summary>
    public const string ProviderName = "Npgsql.EntityFrameworkCore.PostgreSQL";

    private static readonly ConcurrentDictionary<IModel, PostgresLedgerAppend> Plans = new();
    private static readonly MethodInfo ScalarMethod = typeof(PostgresLedgerAppend).GetMethod(nameof(Scalar), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo FirstMethod = typeof(PostgresLedgerAppend).GetMethod(nameof(FirstOf), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo ArrayMethod = typeof(PostgresLedgerAppend).GetMethod(nameof(ArrayOf), BindingFlags.NonPublic | BindingFlags.Static)!;

    private PostgresLedgerAppend(Statement create, Statement update, Statement createSingle, Statement updateSingle)
    {
        Create = create;
        Update = update;
        CreateSingle = createSingle;
        UpdateSingle = updateSingle;
    }

    /// <summary>The statement for an account's first append (expected version 0).</summary>
    public Statement Create { get; }

    /// <summary>The statement for every later append.</summary>
    public Statement Update { get; }

    /// <summary>The statement for an account's first append of the single shape (see <see cref="IsSingle"/>).</summary>
    public Statement CreateSingle { get; }

    /// <summary>The statement for every later append of the single shape (see <see cref="IsSingle"/>).</summary>
    public Statement UpdateSingle { get; }

    /// <summary>The statements of <paramref name="context"/>'s model, built on first use.</summary>
    public static PostgresLedgerAppend For(DbContext context)
        => Plans.GetOrAdd(context.Model, static (model, helper) => Build(model, helper), context.GetService<ISqlGenerationHelper>());

    /// <summary>
    /// Whether <paramref name="rows"/> have the single shape: one transaction with one movement, one
    /// lot and no hold (an earn, or a spend from one lot). That shape is bound with scalar parameters:
    /// with array parameters PostgreSQL cannot tell the rows' count from a generic plan, so it keeps
    /// planning the statement anew on every execution.
    /// </summary>
    public static bool IsSingle(LedgerAppendRows rows)
        => rows.Transactions.Count == 1 && rows.Movements.Count == 1 && rows.Lots.Count == 1 && rows.Holds.Count == 0;

    /// <summary>The statement that writes <paramref name="rows"/>.</summary>
    public Statement For(LedgerAppendRows rows)
        => IsSingle(rows)
            ? rows.ExpectedVersion == 0 ? CreateSingle : UpdateSingle
            : rows.ExpectedVersion == 0 ? Create : Update;

    /// <summary>One statement's text and, in order, how to bind its parameters <c>$1 … $n</c>.</summary>
    internal sealed class Statement(string sql, Parameter[] parameters)
    {
        public string Sql { get; } = sql;

        public void Bind(DbBatchCommand command, LedgerAppendRows rows)
        {
            foreach (var parameter in parameters)
            {
                var p = command.CreateParameter();
                if (parameter.Type is { } type)
                {
                    p.DbType = type;
                }

                p.Value = parameter.Value(rows) ?? DBNull.Value;
                command.Parameters.Add(p);
            }
        }
    }

    /// <summary>A positional parameter: its value from the rows and, for scalars, its type.</summary>
    internal sealed record Parameter(Func<LedgerAppendRows, object?> Value, DbType? Type);

    private static PostgresLedgerAppend Build(IModel model, ISqlGenerationHelper sql)
    {
        var accounts = Table.Of<LedgerAccountRow>(model, sql);
        var transactions = Table.Of<LedgerTransactionRow>(model, sql);
        var movements = Table.Of<LedgerMovementRow>(model, sql);
        var lots = Table.Of<LedgerLotRow>(model, sql);
        var holds = Table.Of<LedgerHoldRow>(model, sql);
        return new PostgresLedgerAppend(
            Compose(creating: true, single: false, accounts, transactions, movements, lots, holds),
            Compose(creating: false, single: false, accounts, transactions, movements, lots, holds),
            Compose(creating: true, single: true, accounts, transactions, movements, lots, holds),
            Compose(creating: false, single: true, accounts, transactions, movements, lots, holds));
    }

    private static Statement Compose(bool creating, bool single, Table accounts, Table transactions, Table movements, Table lots, Table holds)
    {
        var parameters = new List<Parameter>();
        string Add(Parameter parameter, string type)
        {
            parameters.Add(parameter);
            return "$" + parameters.Count.ToString(CultureInfo.InvariantCulture) + "::" + type;
        }

        var program = Add(new Parameter(r => r.ProgramId, DbType.String), "text");
        var member = Add(new Parameter(r => r.MemberId, DbType.String), "text");
        var expected = creating ? null : Add(new Parameter(r => r.ExpectedVersion, DbType.Int64), "bigint");

        // The transaction ids are one of the transactions' arrays (or, single, a scalar); the id check and the result reuse it.
        var transactionColumns = Values(single, transactions, r => r.Transactions, Add);
        var ids = transactionColumns[transactions.Column(nameof(LedgerTransactionRow.Id)).Name];
        var idColumn = transactions.Column(nameof(LedgerTransactionRow.Id)).Name;
        var unused = $"NOT EXISTS (SELECT 1 FROM {transactions.Name} AS t WHERE t.{transactions.Column(nameof(LedgerTransactionRow.ProgramId)).Name} = {program} AND t.{idColumn} " + (single ? $"= {ids})" : $"= ANY({ids}))");

        var text = new StringBuilder(4096).Append("WITH head AS (\n    ");
        var headValues = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var column in accounts.Columns)
        {
            headValues[column.Name] = column.Property switch
            {
                nameof(LedgerAccountRow.ProgramId) => program,
                nameof(LedgerAccountRow.MemberId) => member,
                _ => Add(column.HeadScalar(), column.PostgresType),
            };
        }

        if (creating)
        {
            text.Append("INSERT INTO ").Append(accounts.Name).Append(" (").Append(accounts.ColumnList).Append(")\n    SELECT ")
                .AppendJoin(", ", accounts.Columns.Select(c => headValues[c.Name]))
                .Append("\n    WHERE ").Append(unused)
                .Append("\n    ON CONFLICT (").AppendJoin(", ", accounts.Keys.Select(c => c.Name)).Append(") DO NOTHING");
        }
        else
        {
            text.Append("UPDATE ").Append(accounts.Name).Append(" AS a SET ")
                .AppendJoin(", ", accounts.Values.Select(c => $"{c.Name} = {headValues[c.Name]}"))
                .Append("\n    WHERE ").AppendJoin(" AND ", accounts.Keys.Select(c => $"a.{c.Name} = {headValues[c.Name]}"))
                .Append(" AND a.").Append(accounts.Column(nameof(LedgerAccountRow.Version)).Name).Append(" = ").Append(expected)
                .Append("\n    AND ").Append(unused);
        }

        text.Append("\n    RETURNING 1\n)");
        Insert(text, "tx", single, transactions, transactionColumns, program, member, upsert: false);
        Insert(text, "movements", single, movements, Values(single, movements, r => r.Movements, Add), program, member, upsert: false);
        Insert(text, "lots", single, lots, Values(single, lots, r => r.Lots, Add), program, member, upsert: true);
        if (!single)
        {
            Insert(text, "holds", single, holds, Values(single, holds, r => r.Holds, Add), program, member, upsert: true);
        }

        // One row: was the head written; else (only then are they looked up) the account's version
        // and the first used id in the append's order, both as of the statement's snapshot.
        text.Append("\nSELECT h.n,\n    CASE WHEN h.n = 0 THEN (SELECT a.").Append(accounts.Column(nameof(LedgerAccountRow.Version)).Name)
            .Append(" FROM ").Append(accounts.Name).Append(" AS a WHERE a.").Append(accounts.Column(nameof(LedgerAccountRow.ProgramId)).Name).Append(" = ").Append(program)
            .Append(" AND a.").Append(accounts.Column(nameof(LedgerAccountRow.MemberId)).Name).Append(" = ").Append(member).Append(") END,\n    ")
            .Append("CASE WHEN h.n = 0 THEN ");
        if (single)
        {
            text.Append("(SELECT t.").Append(idColumn).Append(" FROM ").Append(transactions.Name)
                .Append(" AS t WHERE t.").Append(transactions.Column(nameof(LedgerTransactionRow.ProgramId)).Name).Append(" = ").Append(program)
                .Append(" AND t.").Append(idColumn).Append(" = ").Append(ids).Append(')');
        }
        else
        {
            text.Append("(SELECT u.id FROM unnest(").Append(ids).Append(") WITH ORDINALITY AS u(id, n) WHERE EXISTS (SELECT 1 FROM ").Append(transactions.Name)
                .Append(" AS t WHERE t.").Append(transactions.Column(nameof(LedgerTransactionRow.ProgramId)).Name).Append(" = ").Append(program)
                .Append(" AND t.").Append(idColumn).Append(" = u.id) ORDER BY u.n LIMIT 1)");
        }

        text.Append(" END\nFROM (SELECT count(*) AS n FROM head) AS h");
        return new Statement(text.ToString(), [.. parameters]);
    }

    /// <summary>
    /// One parameter per column of <paramref name="table"/> except the account key: an array of the
    /// rows' values, or (<paramref name="single"/>) the one row's value as a scalar.
    /// </summary>
    private static Dictionary<string, string> Values<TRow>(bool single, Table table, Func<LedgerAppendRows, List<TRow>> rows, Func<Parameter, string, string> add)
    {
        var byColumn = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var column in table.Columns)
        {
            if (!IsAccountKey(column))
            {
                byColumn[column.Name] = single
                    ? add(column.First(rows), column.PostgresType)
                    : add(column.Array(rows), column.PostgresType + "[]");
            }
        }

        return byColumn;
    }

    private static void Insert(StringBuilder text, string name, bool single, Table table, Dictionary<string, string> values, string program, string member, bool upsert)
    {
        var aliases = new List<string>();
        var select = new List<string>();
        var unnest = new List<string>();
        foreach (var column in table.Columns)
        {
            if (IsAccountKey(column))
            {
                select.Add(column.Property == nameof(LedgerAccountRow.ProgramId) ? program : member);
            }
            else if (single)
            {
                select.Add(values[column.Name]);
            }
            else
            {
                var alias = "c" + aliases.Count.ToString(CultureInfo.InvariantCulture);
                aliases.Add(alias);
                select.Add("u." + alias);
                unnest.Add(values[column.Name]);
            }
        }

        text.Append(",\n").Append(name).Append(" AS (\n    INSERT INTO ").Append(table.Name).Append(" (").Append(table.ColumnList).Append(")\n    SELECT ")
            .AppendJoin(", ", select).Append(" FROM head");
        if (!single)
        {
            text.Append(", unnest(").AppendJoin(", ", unnest).Append(") AS u(").AppendJoin(", ", aliases).Append(')');
        }

        if (upsert)
        {
            text.Append("\n    ON CONFLICT (").AppendJoin(", ", table.Keys.Select(c => c.Name)).Append(") DO UPDATE SET ")
                .AppendJoin(", ", table.Values.Select(c => $"{c.Name} = EXCLUDED.{c.Name}"));
        }

        text.Append("\n)");
    }

    private static bool IsAccountKey(Column column)
        => column.Property is nameof(LedgerAccountRow.ProgramId) or nameof(LedgerAccountRow.MemberId);

    private static Parameter Scalar<TValue>(Func<LedgerAccountRow, TValue> get, DbType type)
        => new(r => get(r.Head), type);

    private static Parameter FirstOf<TRow, TValue>(Func<LedgerAppendRows, List<TRow>> rows, Func<TRow, TValue> get, DbType type)
        => new(r => get(rows(r)[0]), type);

    private static Parameter ArrayOf<TRow, TValue>(Func<LedgerAppendRows, List<TRow>> rows, Func<TRow, TValue> get)
        => new(r =>
        {
            var list = rows(r);
            var values = new TValue[list.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = get(list[i]);
            }

            return values;
        }, null);

    /// <summary>A column: its delimited name, the row property it maps and its PostgreSQL type.</summary>
    private sealed record Column(string Name, string Property, PropertyInfo Getter, Type Clr, string PostgresType, DbType DbType)
    {
        public Parameter HeadScalar()
            => (Parameter)ScalarMethod.MakeGenericMethod(Clr).Invoke(null, [Getter.GetMethod!.CreateDelegate(typeof(Func<,>).MakeGenericType(typeof(LedgerAccountRow), Clr)), DbType])!;

        public Parameter First<TRow>(Func<LedgerAppendRows, List<TRow>> rows)
            => (Parameter)FirstMethod.MakeGenericMethod(typeof(TRow), Clr).Invoke(null, [rows, Getter.GetMethod!.CreateDelegate(typeof(Func<,>).MakeGenericType(typeof(TRow), Clr)), DbType])!;

        public Parameter Array<TRow>(Func<LedgerAppendRows, List<TRow>> rows)
            => (Parameter)ArrayMethod.MakeGenericMethod(typeof(TRow), Clr).Invoke(null, [rows, Getter.GetMethod!.CreateDelegate(typeof(Func<,>).MakeGenericType(typeof(TRow), Clr))])!;
    }

    /// <summary>A table of the model: its delimited name and columns in model order.</summary>
    private sealed record Table(string Name, Column[] Columns, Column[] Keys, Column[] Values)
    {
        public string ColumnList => string.Join(", ", Columns.Select(c => c.Name));

        public Column Column(string property) => Columns.Single(c => c.Property == property);

        public static Table Of<TRow>(IModel model, ISqlGenerationHelper sql)
        {
            var entity = model.FindEntityType(typeof(TRow)) ?? throw new InvalidOperationException($"The model has no entity type {typeof(TRow).Name}.");
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var key = entity.FindPrimaryKey()!.Properties;
            var columns = entity.GetProperties().Select(p =>
            {
                var (type, dbType) = Types(p.ClrType);
                return new Column(sql.DelimitIdentifier(p.GetColumnName(table)!), p.Name, p.PropertyInfo!, p.ClrType, type, dbType);
            }).ToArray();
            return new Table(
                sql.DelimitIdentifier(table.Name, table.Schema),
                columns,
                columns.Where(c => key.Any(k => k.Name == c.Property)).ToArray(),
                columns.Where(c => key.All(k => k.Name != c.Property)).ToArray());
        }

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

            throw new InvalidOperationException($"The ledger model maps a {type.Name} column, which the PostgreSQL append does not bind.");
        }
    }
}
