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
/// <para>
/// The most common append, one transaction with one movement and one lot and no hold (an earn, or a
/// spend from one lot), is written instead as a batch of plain statements (<see cref="CreateSingle"/>,
/// <see cref="UpdateSingle"/>), which PostgreSQL runs several times faster than the statement with
/// common table expressions: the head's <c>INSERT</c>, or its <c>UPDATE … WHERE version = $e</c>
/// wrapped in a <c>SELECT</c> that fails unless exactly one row was updated; then the transaction's
/// <c>INSERT</c> (a used id fails on the transactions' key), the movement's and the lot's (upserted).
/// A batch runs in one transaction (implicit, or the shop's, within a savepoint), so any failure leaves
/// nothing; the store then reads why the append was refused, as it does on the other providers.
/// </para>
/// <para>
/// The text is generated once per EF Core model (table and column names, schema and prefix come from
/// the model) and per kind (new account or existing one), so each connection prepares at most two
/// statements with common table expressions and five plain ones. In the statement with common table
/// expressions rows are bound as arrays and expanded with <c>unnest</c>, and the account key is bound
/// once. Nothing here references Npgsql: parameters are created through ADO.NET and typed with
/// <see cref="DbType"/> (scalars) or by their CLR array type (arrays).
/// </para>
/// </remarks>
internal sealed class PostgresLedgerAppend
{
    /// <summary>The EF Core provider this path is chosen for.</summary>
    public const string ProviderName = "Npgsql.EntityFrameworkCore.PostgreSQL";

    private static readonly ConcurrentDictionary<IModel, PostgresLedgerAppend> Plans = new();
    private static readonly MethodInfo ScalarMethod = typeof(PostgresLedgerAppend).GetMethod(nameof(Scalar), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo FirstMethod = typeof(PostgresLedgerAppend).GetMethod(nameof(FirstOf), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo ArrayMethod = typeof(PostgresLedgerAppend).GetMethod(nameof(ArrayOf), BindingFlags.NonPublic | BindingFlags.Static)!;

    private PostgresLedgerAppend(Statement create, Statement update, Statement[] createSingle, Statement[] updateSingle, Statement guardedCreate, Statement guardedUpdate)
    {
        Create = create;
        Update = update;
        GuardedCreate = guardedCreate;
        GuardedUpdate = guardedUpdate;
        CreateSingle = createSingle;
        UpdateSingle = updateSingle;
    }

    /// <summary>The statement for an account's first append (expected version 0).</summary>
    public Statement Create { get; }

    /// <summary>The statement for every later append.</summary>
    public Statement Update { get; }

    /// <summary>The statement for an account's first append, failing unless the head was written (for a batch held back by a unit of work).</summary>
    public Statement GuardedCreate { get; }

    /// <summary>The statement for every later append, failing unless the head was written (for a batch held back by a unit of work).</summary>
    public Statement GuardedUpdate { get; }

    /// <summary>The batch for an account's first append of the single shape (see <see cref="IsSingle"/>): head, transaction, movement and lot inserts.</summary>
    public IReadOnlyList<Statement> CreateSingle { get; }

    /// <summary>The batch for every later append of the single shape (see <see cref="IsSingle"/>): guarded head update, then the inserts.</summary>
    public IReadOnlyList<Statement> UpdateSingle { get; }

    /// <summary>
    /// Whether <paramref name="rows"/> have the single shape (one transaction with one movement, one lot
    /// and no hold), which is written as a batch of plain statements.
    /// </summary>
    public static bool IsSingle(LedgerAppendRows rows)
        => rows.Transactions.Count == 1 && rows.Movements.Count == 1 && rows.Lots.Count == 1 && rows.Holds.Count == 0;

    /// <summary>The statements that write <paramref name="rows"/>, in order: the batch of the single shape, or the one statement with common table expressions.</summary>
    public IReadOnlyList<Statement> For(LedgerAppendRows rows)
        => IsSingle(rows)
            ? rows.ExpectedVersion == 0 ? CreateSingle : UpdateSingle
            : [rows.ExpectedVersion == 0 ? Create : Update];

    /// <summary>
    /// The statements that write <paramref name="rows"/> in a batch held back by a unit of work, each
    /// failing (and so failing the batch) unless the append is written whole: the single shape's
    /// batch, which fails by itself, or the guarded statement with common table expressions.
    /// </summary>
    public IReadOnlyList<Statement> ForDeferred(LedgerAppendRows rows)
        => IsSingle(rows)
            ? rows.ExpectedVersion == 0 ? CreateSingle : UpdateSingle
            : [rows.ExpectedVersion == 0 ? GuardedCreate : GuardedUpdate];

    /// <summary>The statements of <paramref name="context"/>'s model, built on first use.</summary>
    public static PostgresLedgerAppend For(DbContext context)
        => Plans.GetOrAdd(context.Model, static (model, helper) => Build(model, helper), context.GetService<ISqlGenerationHelper>());

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
        Statement[] inserts =
        [
            Plain(transactions, r => r.Transactions, upsert: false),
            Plain(movements, r => r.Movements, upsert: false),
            Plain(lots, r => r.Lots, upsert: true),
        ];
        return new PostgresLedgerAppend(
            Compose(creating: true, guarded: false, accounts, transactions, movements, lots, holds),
            Compose(creating: false, guarded: false, accounts, transactions, movements, lots, holds),
            [HeadInsert(accounts), .. inserts],
            [GuardedHeadUpdate(accounts), .. inserts],
            Compose(creating: true, guarded: true, accounts, transactions, movements, lots, holds),
            Compose(creating: false, guarded: true, accounts, transactions, movements, lots, holds));
    }

    /// <summary>The new account's head: a plain <c>INSERT</c>; an existing account fails on the key.</summary>
    private static Statement HeadInsert(Table accounts)
    {
        var parameters = new List<Parameter>();
        var values = accounts.Columns.Select(c => Positional(parameters, KeyOrHead(c), c.PostgresType)).ToList();
        return new Statement($"INSERT INTO {accounts.Name} ({accounts.ColumnList}) VALUES ({string.Join(", ", values)})", [.. parameters]);
    }

    /// <summary>
    /// The head's <c>UPDATE</c> at the expected version, inside a <c>SELECT</c> that fails (an invalid
    /// integer, whose text says why) unless exactly one row was updated, so that the batch stops there
    /// and its transaction rolls back. The failing text depends on the count so that PostgreSQL cannot
    /// evaluate it ahead of time.
    /// </summary>
    private static Statement GuardedHeadUpdate(Table accounts)
    {
        var parameters = new List<Parameter>();
        var values = accounts.Columns.ToDictionary(c => c.Name, c => Positional(parameters, KeyOrHead(c), c.PostgresType), StringComparer.Ordinal);
        var expected = Positional(parameters, new Parameter(r => r.ExpectedVersion, DbType.Int64), "bigint");
        var text = new StringBuilder(1024)
            .Append("WITH head AS (\n    UPDATE ").Append(accounts.Name).Append(" AS a SET ")
            .AppendJoin(", ", accounts.Values.Select(c => $"{c.Name} = {values[c.Name]}"))
            .Append("\n    WHERE ").AppendJoin(" AND ", accounts.Keys.Select(c => $"a.{c.Name} = {values[c.Name]}"))
            .Append(" AND a.").Append(accounts.Column(nameof(LedgerAccountRow.Version)).Name).Append(" = ").Append(expected)
            .Append("\n    RETURNING 1\n)\nSELECT CASE WHEN count(*) = 1 THEN 1 ELSE ('loyalty ledger append refused: ' || count(*) || ' account heads at the expected version')::integer END FROM head");
        return new Statement(text.ToString(), [.. parameters]);
    }

    /// <summary>A plain <c>INSERT</c> of the one row of <paramref name="table"/> (upserted on its key when <paramref name="upsert"/>).</summary>
    private static Statement Plain<TRow>(Table table, Func<LedgerAppendRows, List<TRow>> rows, bool upsert)
    {
        var parameters = new List<Parameter>();
        var values = table.Columns.Select(c => Positional(parameters, IsAccountKey(c) ? AccountKey(c) : c.First(rows), c.PostgresType)).ToList();
        var text = new StringBuilder(512)
            .Append("INSERT INTO ").Append(table.Name).Append(" (").Append(table.ColumnList).Append(") VALUES (").AppendJoin(", ", values).Append(')');
        if (upsert)
        {
            text.Append(" ON CONFLICT (").AppendJoin(", ", table.Keys.Select(c => c.Name)).Append(") DO UPDATE SET ")
                .AppendJoin(", ", table.Values.Select(c => $"{c.Name} = EXCLUDED.{c.Name}"));
        }

        return new Statement(text.ToString(), [.. parameters]);
    }

    private static string Positional(List<Parameter> parameters, Parameter parameter, string type)
    {
        parameters.Add(parameter);
        return "$" + parameters.Count.ToString(CultureInfo.InvariantCulture) + "::" + type;
    }

    private static Parameter KeyOrHead(Column column) => IsAccountKey(column) ? AccountKey(column) : column.HeadScalar();

    private static Parameter AccountKey(Column column)
        => column.Property == nameof(LedgerAccountRow.ProgramId)
            ? new Parameter(r => r.ProgramId, DbType.String)
            : new Parameter(r => r.MemberId, DbType.String);

    private static Statement Compose(bool creating, bool guarded, Table accounts, Table transactions, Table movements, Table lots, Table holds)
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

        // The transaction ids are one of the transactions' arrays; the id check and the result reuse it.
        var transactionColumns = Arrays(transactions, r => r.Transactions, Add, out var idArrays);
        var ids = idArrays[transactions.Column(nameof(LedgerTransactionRow.Id)).Name];
        var unused = $"NOT EXISTS (SELECT 1 FROM {transactions.Name} AS t WHERE t.{transactions.Column(nameof(LedgerTransactionRow.ProgramId)).Name} = {program} AND t.{transactions.Column(nameof(LedgerTransactionRow.Id)).Name} = ANY({ids}))";

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
        Insert(text, "tx", transactions, transactionColumns, program, member, upsert: false);
        Insert(text, "movements", movements, Arrays(movements, r => r.Movements, Add, out _), program, member, upsert: false);
        Insert(text, "lots", lots, Arrays(lots, r => r.Lots, Add, out _), program, member, upsert: true);
        Insert(text, "holds", holds, Arrays(holds, r => r.Holds, Add, out _), program, member, upsert: true);

        if (guarded)
        {
            // Held back in a batch: the statement fails unless the head (and so every row) was written.
            text.Append("\nSELECT CASE WHEN h.n = 1 THEN 1 ELSE ('loyalty ledger append refused: ' || h.n || ' account heads written')::integer END\nFROM (SELECT count(*) AS n FROM head) AS h");
            return new Statement(text.ToString(), [.. parameters]);
        }

        // One row: was the head written; else (only then are they looked up) the account's version
        // and the first used id in the append's order, both as of the statement's snapshot.
        text.Append("\nSELECT h.n,\n    CASE WHEN h.n = 0 THEN (SELECT a.").Append(accounts.Column(nameof(LedgerAccountRow.Version)).Name)
            .Append(" FROM ").Append(accounts.Name).Append(" AS a WHERE a.").Append(accounts.Column(nameof(LedgerAccountRow.ProgramId)).Name).Append(" = ").Append(program)
            .Append(" AND a.").Append(accounts.Column(nameof(LedgerAccountRow.MemberId)).Name).Append(" = ").Append(member).Append(") END,\n    ")
            .Append("CASE WHEN h.n = 0 THEN (SELECT u.id FROM unnest(").Append(ids).Append(") WITH ORDINALITY AS u(id, n) WHERE EXISTS (SELECT 1 FROM ").Append(transactions.Name)
            .Append(" AS t WHERE t.").Append(transactions.Column(nameof(LedgerTransactionRow.ProgramId)).Name).Append(" = ").Append(program)
            .Append(" AND t.").Append(transactions.Column(nameof(LedgerTransactionRow.Id)).Name).Append(" = u.id) ORDER BY u.n LIMIT 1) END\nFROM (SELECT count(*) AS n FROM head) AS h");
        return new Statement(text.ToString(), [.. parameters]);
    }

    /// <summary>One array parameter per column of <paramref name="table"/> except the account key.</summary>
    private static Dictionary<string, string> Arrays<TRow>(Table table, Func<LedgerAppendRows, List<TRow>> rows, Func<Parameter, string, string> add, out Dictionary<string, string> byColumn)
    {
        byColumn = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var column in table.Columns)
        {
            if (!IsAccountKey(column))
            {
                byColumn[column.Name] = add(column.Array(rows), column.PostgresType + "[]");
            }
        }

        return byColumn;
    }

    private static void Insert(StringBuilder text, string name, Table table, Dictionary<string, string> arrays, string program, string member, bool upsert)
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
            else
            {
                var alias = "c" + aliases.Count.ToString(CultureInfo.InvariantCulture);
                aliases.Add(alias);
                select.Add("u." + alias);
                unnest.Add(arrays[column.Name]);
            }
        }

        text.Append(",\n").Append(name).Append(" AS (\n    INSERT INTO ").Append(table.Name).Append(" (").Append(table.ColumnList).Append(")\n    SELECT ")
            .AppendJoin(", ", select).Append(" FROM head, unnest(").AppendJoin(", ", unnest).Append(") AS u(").AppendJoin(", ", aliases).Append(')');
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

            if (type == typeof(byte[]))
            {
                return ("bytea", DbType.Binary);
            }

            throw new InvalidOperationException($"The ledger model maps a {type.Name} column, which the PostgreSQL append does not bind.");
        }
    }
}
