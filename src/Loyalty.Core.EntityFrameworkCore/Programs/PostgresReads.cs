using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Text;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Loyalty.Core.EntityFrameworkCore.Programs;

/// <summary>
/// The hot reads of the programme on PostgreSQL, sent as prepared statements in one batch without
/// EF Core's query pipeline: a member with its ledger account (head, open lots, open holds) in one
/// round trip, and an account alone. The texts are generated once per EF Core model from its
/// table and column names; rows are materialised by delegates compiled once per row type.
/// </summary>
/// <remarks>
/// <para>The account's statements read the head first, then its open lots and holds. Under read
/// committed each statement of a batch sees the data committed when it starts, so the lots and
/// holds are as of the head's read or later; every write that changes them also moves the head's
/// version on (it is the account's concurrency token), so an append decided from a later
/// lot than the head's version fails on that version and the ledger reads again: a mixed read
/// never leads to a kept write.</para>
/// <para>A member read through <see cref="ReadMemberAsync"/> leaves its account's snapshot with the
/// context (<see cref="AccountPrefetch"/>), where the ledger store's next read of that account takes
/// it instead of asking the server again: an order's member and ledger account cost one round trip.</para>
/// </remarks>
internal sealed class PostgresReads
{
    private static readonly ConcurrentDictionary<IModel, PostgresReads> Plans = new();

    private readonly RowReader<MemberRow> member;
    private readonly RowReader<LedgerAccountRow> head;
    private readonly RowReader<LedgerLotRow> lots;
    private readonly RowReader<LedgerHoldRow> holds;

    private PostgresReads(IModel model, ISqlGenerationHelper sql)
    {
        member = RowReader<MemberRow>.Build(model, sql, null, null);
        head = RowReader<LedgerAccountRow>.Build(model, sql, null, null);
        lots = RowReader<LedgerLotRow>.Build(model, sql, c => $"{c("Remaining")} <> 0", "Sequence");
        holds = RowReader<LedgerHoldRow>.Build(model, sql, c => $"{c("Status")} = {(int)LedgerHoldStatus.Open}", "HoldId");
    }

    /// <summary>Whether <paramref name="context"/> reads this way: PostgreSQL, through a connection that batches.</summary>
    public static bool Supports(DbContext context) => WriteBehind.Supports(context);

    /// <summary>The reads of <paramref name="context"/>'s model, built on first use.</summary>
    public static PostgresReads For(DbContext context)
        => Plans.GetOrAdd(context.Model, static (model, helper) => new PostgresReads(model, helper), context.GetService<ISqlGenerationHelper>());

    /// <summary>Reads a member and its ledger account in one round trip; the account is left with the context for the ledger store.</summary>
    public async Task<MemberRow?> ReadMemberAsync(DbContext context, string program, string memberId, CancellationToken cancellationToken)
    {
        AccountPrefetch.Clear(context);
        var (row, account) = await RunAsync(
            context,
            batch =>
            {
                member.Add(batch, program, memberId);
                AddAccount(batch, program, memberId);
            },
            async (reader, ct) =>
            {
                var found = await member.ReadAllAsync(reader, program, memberId, ct).ConfigureAwait(false);
                await reader.NextResultAsync(ct).ConfigureAwait(false);
                var snapshot = await ReadAccountAsync(reader, program, memberId, ct).ConfigureAwait(false);
                return (found.Count == 0 ? null : found[0], snapshot);
            },
            cancellationToken).ConfigureAwait(false);
        if (row is not null)
        {
            AccountPrefetch.Set(context, program, memberId, account);
        }

        return row;
    }

    /// <summary>Reads a ledger account (head, open lots, open holds) in one round trip.</summary>
    public Task<LedgerAccountSnapshot> ReadAccountAsync(DbContext context, string program, string memberId, CancellationToken cancellationToken)
        => RunAsync(context, batch => AddAccount(batch, program, memberId), (reader, ct) => ReadAccountAsync(reader, program, memberId, ct), cancellationToken);

    private static async Task<T> RunAsync<T>(DbContext context, Action<DbBatch> build, Func<DbDataReader, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        var database = context.Database;
        await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var batch = database.GetDbConnection().CreateBatch();
            await using (batch.ConfigureAwait(false))
            {
                batch.Transaction = database.CurrentTransaction?.GetDbTransaction();
                if (database.GetCommandTimeout() is { } timeout)
                {
                    batch.Timeout = timeout;
                }

                build(batch);

                // Each text is fixed per model: prepared once per physical connection.
                await batch.PrepareAsync(cancellationToken).ConfigureAwait(false);
                var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    return await read(reader, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private void AddAccount(DbBatch batch, string program, string memberId)
    {
        // The head first: see the remarks on why the lots and holds read after it are safe to decide from.
        head.Add(batch, program, memberId);
        lots.Add(batch, program, memberId);
        holds.Add(batch, program, memberId);
    }

    private async Task<LedgerAccountSnapshot> ReadAccountAsync(DbDataReader reader, string program, string memberId, CancellationToken cancellationToken)
    {
        var heads = await head.ReadAllAsync(reader, program, memberId, cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var open = await lots.ReadAllAsync(reader, program, memberId, LedgerMapping.ToRecord, cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var held = await holds.ReadAllAsync(reader, program, memberId, LedgerMapping.ToRecord, cancellationToken).ConfigureAwait(false);

        // No head, no account: lots or holds without one (read after a racing creation) are not kept.
        return heads.Count == 0
            ? new LedgerAccountSnapshot(null, [], [])
            : new LedgerAccountSnapshot(LedgerMapping.ToRecord(heads[0]), open, held);
    }

    /// <summary>
    /// The <c>SELECT</c> of one row type's rows of a member (<c>ProgramId = $1 AND MemberId = $2</c>, and a
    /// filter) and its materialiser. The two key columns are not read back: every row of the result has the
    /// values the statement was given, so the rows take those strings instead of one new pair per row (an
    /// account's open lots are read on every order).
    /// </summary>
    private sealed class RowReader<TRow>
        where TRow : class, new()
    {
        private static readonly string[] Keys = ["ProgramId", "MemberId"];
        private readonly string sql;
        private readonly Action<DbDataReader, TRow> materialise;
        private readonly Action<TRow, string, string> setKeys;

        private RowReader(string sql, Action<DbDataReader, TRow> materialise, Action<TRow, string, string> setKeys)
        {
            this.sql = sql;
            this.materialise = materialise;
            this.setKeys = setKeys;
        }

        /// <param name="model">The model.</param>
        /// <param name="helper">The provider's quoting.</param>
        /// <param name="where">The filter after the member's keys, given the delimited column of a property name; or null.</param>
        /// <param name="orderBy">The property to order by, or null.</param>
        public static RowReader<TRow> Build(IModel model, ISqlGenerationHelper helper, Func<Func<string, string>, string>? where, string? orderBy)
        {
            var entity = model.FindEntityType(typeof(TRow)) ?? throw new InvalidOperationException($"The model has no entity type {typeof(TRow).Name}.");
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var properties = entity.GetProperties().ToArray();
            foreach (var p in properties)
            {
                if (p.GetValueConverter() is not null || p.PropertyInfo is null)
                {
                    throw new InvalidOperationException($"The loyalty model maps {typeof(TRow).Name}.{p.Name} with a value converter or without a property, which the PostgreSQL reads do not materialise.");
                }
            }

            var all = properties;
            string Column(string property) => helper.DelimitIdentifier(all.Single(p => p.Name == property).GetColumnName(table)!);
            var keys = Keys.Select(k => properties.SingleOrDefault(p => p.Name == k && p.ClrType == typeof(string))
                ?? throw new InvalidOperationException($"The loyalty model maps {typeof(TRow).Name} without a string property {k}, which the PostgreSQL reads filter on.")).ToArray();
            properties = properties.Except(keys).ToArray();
            var text = new StringBuilder(512).Append("SELECT ")
                .AppendJoin(", ", properties.Select(p => helper.DelimitIdentifier(p.GetColumnName(table)!)))
                .Append(" FROM ").Append(helper.DelimitIdentifier(table.Name, table.Schema)).Append(" WHERE ")
                .Append(Column(Keys[0])).Append(" = $1 AND ").Append(Column(Keys[1])).Append(" = $2");
            if (where is not null)
            {
                text.Append(" AND ").Append(where(Column));
            }

            if (orderBy is not null)
            {
                text.Append(" ORDER BY ").Append(Column(orderBy));
            }

            var reader = Expression.Parameter(typeof(DbDataReader), "reader");
            var row = Expression.Parameter(typeof(TRow), "row");
            var assignments = properties.Select((p, i) => Assign(reader, row, p.PropertyInfo!, i)).ToArray();
            var body = Expression.Block(assignments);
            var program = Expression.Parameter(typeof(string), "program");
            var member = Expression.Parameter(typeof(string), "member");
            var setKeys = Expression.Lambda<Action<TRow, string, string>>(
                Expression.Block(Expression.Assign(Expression.Property(row, keys[0].PropertyInfo!), program), Expression.Assign(Expression.Property(row, keys[1].PropertyInfo!), member)),
                row,
                program,
                member);
            return new RowReader<TRow>(text.ToString(), Expression.Lambda<Action<DbDataReader, TRow>>(body, reader, row).Compile(), setKeys.Compile());
        }

        public void Add(DbBatch batch, string program, string memberId)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = sql;
            AddText(command, program);
            AddText(command, memberId);
            batch.BatchCommands.Add(command);
        }

        /// <summary>
        /// The rows of the statement added with <paramref name="program"/> and <paramref name="memberId"/>, each
        /// converted as it is read: one row object serves them all (an account's open lots, read with every order).
        /// </summary>
        public async Task<List<TResult>> ReadAllAsync<TResult>(DbDataReader reader, string program, string memberId, Func<TRow, TResult> convert, CancellationToken cancellationToken)
        {
            var results = new List<TResult>();
            var row = new TRow();
            setKeys(row, program, memberId);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                materialise(reader, row);
                results.Add(convert(row));
            }

            return results;
        }

        /// <summary>The rows of the statement added with <paramref name="program"/> and <paramref name="memberId"/>.</summary>
        public async Task<List<TRow>> ReadAllAsync(DbDataReader reader, string program, string memberId, CancellationToken cancellationToken)
        {
            var rows = new List<TRow>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = new TRow();
                materialise(reader, row);
                setKeys(row, program, memberId);
                rows.Add(row);
            }

            return rows;
        }

        private static void AddText(DbBatchCommand command, string value)
        {
            var p = command.CreateParameter();
            p.DbType = System.Data.DbType.String;
            p.Value = value;
            command.Parameters.Add(p);
        }

        private static Expression Assign(ParameterExpression reader, ParameterExpression row, System.Reflection.PropertyInfo property, int ordinal)
        {
            var type = property.PropertyType;
            var underlying = Nullable.GetUnderlyingType(type) ?? type;
            var index = Expression.Constant(ordinal);
            var get = typeof(DbDataReader).GetMethod(nameof(DbDataReader.GetFieldValue))!.MakeGenericMethod(underlying);
            Expression value = Expression.Call(reader, get, index);
            if (underlying != type)
            {
                value = Expression.Convert(value, type);
            }

            if (!type.IsValueType || underlying != type)
            {
                var isNull = Expression.Call(reader, typeof(DbDataReader).GetMethod(nameof(DbDataReader.IsDBNull))!, index);
                value = Expression.Condition(isNull, Expression.Default(type), value);
            }

            return Expression.Assign(Expression.Property(row, property), value);
        }
    }
}

/// <summary>
/// The ledger account read with a member (<see cref="PostgresReads.ReadMemberAsync"/>), kept with the
/// context for the ledger store's next read of that account within the same call: taken once, and
/// dropped by any ledger append on the context, at the end of a unit of work, by the next member
/// read, when a pooled context is leased again, and after a second (a call's steps follow each
/// other within milliseconds; a snapshot any older is read again).
/// </summary>
internal sealed class AccountPrefetch
{
    private static readonly ConditionalWeakTable<DbContext, AccountPrefetch> Instances = new();
    private static readonly long MaxAge = Stopwatch.Frequency;

    private string? program;
    private string? member;
    private LedgerAccountSnapshot? snapshot;
    private long readAt;
    private DbContextId readBy;

    /// <summary>Keeps <paramref name="account"/> as the account of <paramref name="memberId"/> just read.</summary>
    public static void Set(DbContext context, string programId, string memberId, LedgerAccountSnapshot account)
    {
        var instance = Instances.GetValue(context, static _ => new AccountPrefetch());
        instance.program = programId;
        instance.member = memberId;
        instance.snapshot = account;
        instance.readAt = Stopwatch.GetTimestamp();
        instance.readBy = context.ContextId;
    }

    /// <summary>Takes the kept snapshot when it is <paramref name="memberId"/>'s and fresh; drops whatever was kept either way.</summary>
    public static LedgerAccountSnapshot? Take(DbContext context, string programId, string memberId)
    {
        if (!Instances.TryGetValue(context, out var instance) || instance.snapshot is not { } kept)
        {
            return null;
        }

        var match = string.Equals(instance.program, programId, StringComparison.Ordinal)
            && string.Equals(instance.member, memberId, StringComparison.Ordinal)
            && Stopwatch.GetTimestamp() - instance.readAt <= MaxAge

            // A pooled context leased again serves another request: nothing read for the last one is given.
            && instance.readBy.Equals(context.ContextId);
        instance.Drop();
        return match ? kept : null;
    }

    /// <summary>Drops what is kept for <paramref name="context"/>.</summary>
    public static void Clear(DbContext context)
    {
        if (Instances.TryGetValue(context, out var instance))
        {
            instance.Drop();
        }
    }

    private void Drop()
    {
        program = null;
        member = null;
        snapshot = null;
    }
}
