using System.Data.Common;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// An <see cref="ILedgerStore"/> on EF Core, in the shop's own <see cref="DbContext"/> (whose
/// model includes <see cref="LoyaltyModelBuilderExtensions.ApplyLoyaltyModel(ModelBuilder, LoyaltyModelOptions)"/>).
/// Works on any relational provider; tested on SQLite and PostgreSQL.
/// </summary>
/// <remarks>
/// <para>On PostgreSQL an append is one prepared statement sent in one round trip: data-modifying
/// common table expressions check and bump the head and write the rows only if it was written, and
/// the statement's result row tells an append from a version conflict or a used id. On every other
/// provider it is one database transaction holding one multi-statement command, built from
/// the EF Core model (table and column names, quoting and parameter types are the provider's):
/// the head is written by <c>UPDATE … WHERE version = @expected</c> (or inserted, for a new
/// account), then the transactions, their lot movements, the lots and the holds. An update that
/// matches no row, or a concurrent insert of the same account, is a
/// <see cref="LedgerAppendStatus.VersionConflict"/>; a transaction id already used in the
/// programme (the primary key of the transactions table) is a <see cref="LedgerAppendStatus.Duplicate"/>,
/// also when two writers race with the same id. Nothing is written unless the result is
/// <see cref="LedgerAppendStatus.Appended"/>.</para>
/// <para>When the shop has begun a transaction on the context (e.g. around an order), the append
/// runs inside it behind a savepoint, so the order and its points commit together and a refused
/// append rolls back only its own rows. The store bypasses the change tracker: it neither saves
/// the shop's pending changes (call <c>SaveChanges</c> as usual) nor leaves rows tracked.</para>
/// <para>Reads use no tracking; a snapshot (head, open lots, open holds) costs one round trip: on
/// PostgreSQL three prepared statements in one batch, the head first (a lot read later than the head
/// can only make the append miss its version), or none when the member store read the account with
/// its member a moment before in the same call; elsewhere one SQL statement. History pages and related transactions cost two
/// (rows, then all their movements), whatever the page size.</para>
/// <para>Like its <see cref="DbContext"/>, an instance is not thread-safe: use one per scope (as
/// <c>UseEntityFrameworkCore&lt;TContext&gt;()</c> registers it). Provider faults are thrown as
/// <see cref="LoyaltyStoreException"/>, transient when the provider says a retry may help.
/// Instants are stored as 100-nanosecond ticks since the Unix epoch; finer instants are refused.</para>
/// </remarks>
public sealed partial class EntityFrameworkLedgerStore : ILedgerStore
{
    private const string Savepoint = "loyalty_ledger_append";
    private readonly DbContext context;
    private readonly bool postgres;

    /// <summary>Creates a store on <paramref name="context"/>.</summary>
    /// <param name="context">The shop's context; its model must include the loyalty model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context's model has no loyalty tables.</exception>
    public EntityFrameworkLedgerStore(DbContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Model.FindEntityType(typeof(LedgerAccountRow)) is null)
        {
            throw new InvalidOperationException(
                $"The DbContext '{context.GetType().Name}' has no loyalty tables: call modelBuilder.ApplyLoyaltyModel() in its OnModelCreating.");
        }

        this.context = context;
        postgres = context.Database.ProviderName == PostgresLedgerAppend.ProviderName;
    }

    private IQueryable<LedgerAccountRow> AccountRows => context.Set<LedgerAccountRow>().AsNoTracking();

    private IQueryable<LedgerTransactionRow> TransactionRows => context.Set<LedgerTransactionRow>().AsNoTracking();

    private IQueryable<LedgerMovementRow> MovementRows => context.Set<LedgerMovementRow>().AsNoTracking();

    private IQueryable<LedgerLotRow> LotRows => context.Set<LedgerLotRow>().AsNoTracking();

    private IQueryable<LedgerHoldRow> HoldRows => context.Set<LedgerHoldRow>().AsNoTracking();

    /// <inheritdoc />
    public async ValueTask<LedgerAccountSnapshot> GetAccountAsync(LedgerAccountKey account, CancellationToken cancellationToken = default)
    {
        var (program, member) = Key(account);
        var open = (int)LedgerHoldStatus.Open;
        if (postgres && PostgresReads.Supports(context))
        {
            // Read with the member a moment ago (one round trip for both), or now: prepared statements, no query pipeline.
            var prefetched = AccountPrefetch.Take(context, program, member);
            return await Guard(
                ct => prefetched is not null
                    ? Task.FromResult(prefetched)
                    : PostgresReads.For(context).ReadAccountAsync(context, program, member, ct),
                "read the account " + account,
                cancellationToken).ConfigureAwait(false);
        }

        return await Guard(async ct =>
        {
            // One statement, so one consistent snapshot on every provider, and one round trip.
            var found = await AccountRows
                .Where(a => a.ProgramId == program && a.MemberId == member)
                .Select(a => new
                {
                    Head = a,
                    Lots = context.Set<LedgerLotRow>().Where(l => l.ProgramId == a.ProgramId && l.MemberId == a.MemberId && l.Remaining != 0).OrderBy(l => l.Sequence).ToList(),
                    Holds = context.Set<LedgerHoldRow>().Where(h => h.ProgramId == a.ProgramId && h.MemberId == a.MemberId && h.Status == open).OrderBy(h => h.HoldId).ToList(),
                })
                .AsSingleQuery()
                .FirstOrDefaultAsync(ct).ConfigureAwait(false);
            return found is null
                ? new LedgerAccountSnapshot(null, [], [])
                : new LedgerAccountSnapshot(
                    LedgerMapping.ToRecord(found.Head),
                    found.Lots.ConvertAll(LedgerMapping.ToRecord),
                    found.Holds.ConvertAll(LedgerMapping.ToRecord));
        }, "read the account " + account, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<LedgerAccountSnapshot>> GetAccountsAsync(ProgramId programId, IReadOnlyList<MemberId> members, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            return [];
        }

        var program = programId.Value;
        var ids = members.Select(m => m.Value).Distinct(StringComparer.Ordinal).ToList();
        var open = (int)LedgerHoldStatus.Open;
        return await Guard(async ct =>
        {
            // One statement for the page, so every account is consistent with itself, in one round trip.
            var found = await AccountRows
                .Where(a => a.ProgramId == program && ids.Contains(a.MemberId))
                .Select(a => new
                {
                    Head = a,
                    Lots = context.Set<LedgerLotRow>().Where(l => l.ProgramId == a.ProgramId && l.MemberId == a.MemberId && l.Remaining != 0).OrderBy(l => l.Sequence).ToList(),
                    Holds = context.Set<LedgerHoldRow>().Where(h => h.ProgramId == a.ProgramId && h.MemberId == a.MemberId && h.Status == open).OrderBy(h => h.HoldId).ToList(),
                })
                .AsSingleQuery()
                .ToListAsync(ct).ConfigureAwait(false);
            var byMember = found.ToDictionary(
                f => f.Head.MemberId,
                f => new LedgerAccountSnapshot(LedgerMapping.ToRecord(f.Head), f.Lots.ConvertAll(LedgerMapping.ToRecord), f.Holds.ConvertAll(LedgerMapping.ToRecord)),
                StringComparer.Ordinal);
            var empty = new LedgerAccountSnapshot(null, [], []);
            var snapshots = new LedgerAccountSnapshot[members.Count];
            for (var i = 0; i < snapshots.Length; i++)
            {
                snapshots[i] = byMember.GetValueOrDefault(members[i].Value) ?? empty;
            }

            return (IReadOnlyList<LedgerAccountSnapshot>)snapshots;
        }, $"read {ids.Count} accounts of programme {programId}", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<LedgerAccountHead?> GetHeadAsync(LedgerAccountKey account, CancellationToken cancellationToken = default)
    {
        var (program, member) = Key(account);
        var row = await Guard(
            ct => AccountRows.Where(a => a.ProgramId == program && a.MemberId == member).FirstOrDefaultAsync(ct),
            "read the head of " + account,
            cancellationToken).ConfigureAwait(false);
        return row is null ? null : LedgerMapping.ToRecord(row);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<LedgerLotRecord>> GetLotsAsync(LedgerAccountKey account, IReadOnlyCollection<TransactionId> lotIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lotIds);
        var (program, member) = Key(account);
        if (lotIds.Count == 0)
        {
            return [];
        }

        var ids = lotIds.Select(id => id.Value).Distinct(StringComparer.Ordinal).ToList();
        var rows = await Guard(
            ct => LotRows.Where(l => l.ProgramId == program && l.MemberId == member && ids.Contains(l.LotId)).ToListAsync(ct),
            "read lots of " + account,
            cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(LedgerMapping.ToRecord);
    }

    /// <inheritdoc />
    public async ValueTask<LedgerHoldRecord?> GetHoldAsync(LedgerAccountKey account, TransactionId holdId, CancellationToken cancellationToken = default)
    {
        var (program, member) = Key(account);
        var id = holdId.Value;
        var row = await Guard(
            ct => HoldRows.Where(h => h.ProgramId == program && h.MemberId == member && h.HoldId == id).FirstOrDefaultAsync(ct),
            "read a hold of " + account,
            cancellationToken).ConfigureAwait(false);
        return row is null ? null : LedgerMapping.ToRecord(row);
    }

    /// <inheritdoc />
    public async ValueTask<LedgerTransactionRecord?> FindTransactionAsync(ProgramId programId, TransactionId transactionId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var id = transactionId.Value;
        return await Guard(async ct =>
        {
            var row = await TransactionRows.Where(t => t.ProgramId == program && t.Id == id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (row is null)
            {
                return null;
            }

            var movements = await MovementRows.Where(m => m.ProgramId == program && m.MemberId == row.MemberId && m.Version == row.Version)
                .OrderBy(m => m.Ordinal).ToListAsync(ct).ConfigureAwait(false);
            return LedgerMapping.ToRecord(row, movements.ConvertAll(m => new LedgerLotMovement(TransactionId.From(m.LotId), m.Delta)));
        }, $"find transaction '{transactionId}'", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<LedgerTransactionRecord>> FindRelatedAsync(LedgerAccountKey account, TransactionId relatedId, CancellationToken cancellationToken = default)
    {
        var (program, member) = Key(account);
        var related = relatedId.Value;
        return await Guard(async ct =>
        {
            var rows = await TransactionRows.Where(t => t.ProgramId == program && t.MemberId == member && t.RelatedId == related)
                .OrderBy(t => t.Version).ToListAsync(ct).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                return (IReadOnlyList<LedgerTransactionRecord>)[];
            }

            var versions = rows.ConvertAll(r => r.Version);
            var movements = await MovementRows.Where(m => m.ProgramId == program && m.MemberId == member && versions.Contains(m.Version))
                .ToListAsync(ct).ConfigureAwait(false);
            return WithMovements(rows, movements);
        }, $"find transactions related to '{relatedId}'", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<LedgerHistoryPage> ReadHistoryAsync(LedgerAccountKey account, long afterVersion, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterVersion);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var (program, member) = Key(account);
        return await Guard(async ct =>
        {
            // One more than asked tells whether a next page exists; the movements of the page come in one query.
            var take = maxCount == int.MaxValue ? maxCount : maxCount + 1;
            var rows = await TransactionRows.Where(t => t.ProgramId == program && t.MemberId == member && t.Version > afterVersion)
                .OrderBy(t => t.Version).Take(take).ToListAsync(ct).ConfigureAwait(false);
            var more = rows.Count > maxCount;
            if (more)
            {
                rows.RemoveAt(rows.Count - 1);
            }

            if (rows.Count == 0)
            {
                return new LedgerHistoryPage([], null);
            }

            var last = rows[^1].Version;
            var movements = await MovementRows.Where(m => m.ProgramId == program && m.MemberId == member && m.Version > afterVersion && m.Version <= last)
                .ToListAsync(ct).ConfigureAwait(false);
            return new LedgerHistoryPage(WithMovements(rows, movements), more ? last : null);
        }, "read the history of " + account, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<LedgerAccountKey>> FindAccountsDueAsync(ProgramId programId, Instant dueBy, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var program = programId.Value;
        var due = LedgerMapping.Ticks(dueBy);
        var after = afterMember?.Value;
        var members = await Guard(ct =>
        {
            var query = AccountRows.Where(a => a.ProgramId == program && a.NextExpiryAt != null && a.NextExpiryAt <= due);
            if (after is not null)
            {
                query = query.Where(a => string.Compare(a.MemberId, after) > 0);
            }

            return query.OrderBy(a => a.MemberId).Select(a => a.MemberId).Take(maxCount).ToListAsync(ct);
        }, "find accounts due in programme " + programId, cancellationToken).ConfigureAwait(false);

        // The database orders by its collation; callers page with ordinal comparisons.
        var keys = members.ConvertAll(m => new LedgerAccountKey(programId, MemberId.From(m)));
        keys.Sort((a, b) => a.MemberId.CompareTo(b.MemberId));
        return keys;
    }

    /// <inheritdoc />
    public async ValueTask<LedgerAppendResult> AppendAsync(LedgerAppend append, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(append);
        cancellationToken.ThrowIfCancellationRequested();
        LedgerAppendValidation.Validate(append);
        var (program, member) = Key(append.Account);

        // An account snapshot read with its member is no longer the account's once anything is appended.
        AccountPrefetch.Clear(context);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tx in append.Transactions)
        {
            if (!seen.Add(tx.Id.Value))
            {
                // The same id twice in one append: refused like any reuse, after the version check.
                var version = await CurrentVersionAsync(program, member, cancellationToken).ConfigureAwait(false);
                return version != append.ExpectedVersion
                    ? new LedgerAppendResult(LedgerAppendStatus.VersionConflict, version)
                    : new LedgerAppendResult(LedgerAppendStatus.Duplicate, version, tx.Id);
            }
        }

        if (postgres && context.Database.GetDbConnection().CanCreateBatch)
        {
            return await AppendOnPostgresAsync(append, cancellationToken).ConfigureAwait(false);
        }

        // The portable path, for every other provider: one multi-statement command in a transaction.
        // Which lots and holds already exist (an update) rather than being created (an insert): a
        // lot or hold named after one of this append's transactions is new (that id was free, or
        // the append fails on the key); any other exists only if the table says so.
        var existingLots = await ExistingAsync(append.Lots.Select(l => l.LotId.Value), seen, ids => LotRows.Where(l => l.ProgramId == program && l.MemberId == member && ids.Contains(l.LotId)).Select(l => l.LotId), cancellationToken).ConfigureAwait(false);
        var existingHolds = await ExistingAsync(append.Holds.Select(h => h.HoldId.Value), seen, ids => HoldRows.Where(h => h.ProgramId == program && h.MemberId == member && ids.Contains(h.HoldId)).Select(h => h.HoldId), cancellationToken).ConfigureAwait(false);

        var database = context.Database;
        var ambient = database.CurrentTransaction;
        IDbContextTransaction? own = null;
        var opened = false;
        try
        {
            await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            opened = true;
            if (ambient is null)
            {
                own = await database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ambient.CreateSavepointAsync(Savepoint, cancellationToken).ConfigureAwait(false);
            }

            // One command: the head first (UPDATE … WHERE version = @expected, or the INSERT of a
            // new account, which a racing creator fails on the key), then every row of the append.
            var write = new LedgerWriteCommand(context, database.GetDbConnection());
            var head = LedgerMapping.ToRow(append.Head);
            if (append.ExpectedVersion == 0)
            {
                write.Insert(head);
            }
            else
            {
                write.Update(head, append.ExpectedVersion);
            }

            foreach (var tx in append.Transactions)
            {
                write.Insert(LedgerMapping.ToRow(tx));
                for (var i = 0; i < tx.Movements.Count; i++)
                {
                    write.Insert(LedgerMapping.ToRow(tx, i, tx.Movements[i]));
                }
            }

            foreach (var lot in append.Lots)
            {
                var row = LedgerMapping.ToRow(append.Account, lot);
                if (existingLots.Contains(row.LotId))
                {
                    write.Update(row);
                }
                else
                {
                    write.Insert(row);
                }
            }

            foreach (var hold in append.Holds)
            {
                var row = LedgerMapping.ToRow(append.Account, hold);
                if (existingHolds.Contains(row.HoldId))
                {
                    write.Update(row);
                }
                else
                {
                    write.Insert(row);
                }
            }

            var command = write.Command;
            await using (command.ConfigureAwait(false))
            {
                command.Transaction = (own ?? ambient)!.GetDbTransaction();
                if (database.GetCommandTimeout() is { } timeout)
                {
                    command.CommandTimeout = timeout;
                }

                var affected = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                if (affected != write.ExpectedRows)
                {
                    // The head's version moved (its UPDATE matched no row): undo the rest.
                    await UndoAsync(own, ambient).ConfigureAwait(false);
                    return await ExplainRefusalAsync(append, null).ConfigureAwait(false);
                }
            }

            if (own is not null)
            {
                await own.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ambient!.ReleaseSavepointAsync(Savepoint, cancellationToken).ConfigureAwait(false);
            }

            return new LedgerAppendResult(LedgerAppendStatus.Appended, append.Head.Version);
        }
        catch (Exception ex) when (ex is not TimeoutException && StoreFaults.IsFault(ex))
        {
            // A key was taken (a racing creator of the account, or a transaction id), or a racing
            // writer holds this version. Nothing was written; tell which, version first.
            await UndoAsync(own, ambient).ConfigureAwait(false);
            return await ExplainRefusalAsync(append, ex).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            await UndoAsync(own, ambient).ConfigureAwait(false);
            throw Fault("append to " + append.Account, ex);
        }
        catch (OperationCanceledException)
        {
            await UndoAsync(own, ambient).ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync().ConfigureAwait(false);
            }

            if (opened)
            {
                await database.CloseConnectionAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The PostgreSQL path: prepared statements (see <see cref="PostgresLedgerAppend"/>: a batch of plain
    /// statements for the common single shape, else one statement) sent in one round trip. Without a
    /// shop transaction the batch runs in one implicit transaction, which makes it atomic on its own;
    /// inside the shop's transaction it is sent between <c>SAVEPOINT</c> and <c>RELEASE SAVEPOINT</c>
    /// in the same batch, so a failing append rolls back only its own rows. Only a refusal (a version
    /// conflict or a used id on the single shape, a racing writer's id on the statement) or a fault
    /// costs more trips.
    /// </summary>
    private async Task<LedgerAppendResult> AppendOnPostgresAsync(LedgerAppend append, CancellationToken cancellationToken)
    {
        var statements = PostgresLedgerAppend.For(context);
        var rows = LedgerAppendRows.From(append);
        if (WriteBehind.Deferred(context) is { } behind)
        {
            // Held back by the unit of work, to go with its other writes in one batch: statements that
            // fail the batch unless the head is written (version moved, id used). A refused batch keeps
            // nothing and the unit runs again writing at once, which tells which.
            foreach (var statement in statements.ForDeferred(rows))
            {
                behind.Add(statement.Sql, command => statement.Bind(command, rows), ledger: true);
            }

            return new LedgerAppendResult(LedgerAppendStatus.Appended, append.Head.Version);
        }

        var commands = statements.For(rows);

        // The batch of plain statements returns no outcome row: it either fails as a whole or wrote everything.
        var single = PostgresLedgerAppend.IsSingle(rows);

        var database = context.Database;
        var ambient = database.CurrentTransaction;
        var opened = false;
        var written = false;
        long version = 0;
        string? duplicate = null;
        try
        {
            await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            opened = true;
            var batch = database.GetDbConnection().CreateBatch();
            await using (batch.ConfigureAwait(false))
            {
                batch.Transaction = ambient?.GetDbTransaction();
                if (database.GetCommandTimeout() is { } timeout)
                {
                    batch.Timeout = timeout;
                }

                if (ambient is not null)
                {
                    AddText(batch, "SAVEPOINT " + Savepoint);
                }

                foreach (var statement in commands)
                {
                    var command = batch.CreateBatchCommand();
                    command.CommandText = statement.Sql;
                    statement.Bind(command, rows);
                    batch.BatchCommands.Add(command);
                }

                if (ambient is not null)
                {
                    AddText(batch, "RELEASE SAVEPOINT " + Savepoint);
                }

                // Prepared once per physical connection; later appends on it skip parsing and planning.
                await batch.PrepareAsync(cancellationToken).ConfigureAwait(false);
                var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    do
                    {
                        if (reader.FieldCount == 3 && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            written = reader.GetInt64(0) > 0;
                            version = await reader.IsDBNullAsync(1, cancellationToken).ConfigureAwait(false) ? 0 : reader.GetInt64(1);
                            duplicate = await reader.IsDBNullAsync(2, cancellationToken).ConfigureAwait(false) ? null : reader.GetString(2);
                        }
                    }
                    while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
                }

                written |= single;
            }
        }
        catch (Exception ex) when (ex is not TimeoutException && StoreFaults.IsFault(ex))
        {
            // The single shape's batch stopped at the guarded head or at a key (version conflict, used
            // id), a racing writer took one of the ids, or a fault: nothing was written. Read why.
            await UndoAsync(null, ambient).ConfigureAwait(false);
            return await ExplainRefusalAsync(append, ex).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            await UndoAsync(null, ambient).ConfigureAwait(false);
            throw Fault("append to " + append.Account, ex);
        }
        catch (OperationCanceledException)
        {
            await UndoAsync(null, ambient).ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (opened)
            {
                await database.CloseConnectionAsync().ConfigureAwait(false);
            }
        }

        if (written)
        {
            return new LedgerAppendResult(LedgerAppendStatus.Appended, append.Head.Version);
        }

        // Nothing was written. As of the statement's snapshot: a version other than the expected one
        // is a conflict (checked first, as on every store); else a used id is a duplicate.
        if (version != append.ExpectedVersion)
        {
            return new LedgerAppendResult(LedgerAppendStatus.VersionConflict, version);
        }

        if (duplicate is not null)
        {
            return new LedgerAppendResult(LedgerAppendStatus.Duplicate, version, TransactionId.From(duplicate));
        }

        // The snapshot saw the expected version, yet the head was not written: a writer committed a
        // newer version (or created the account) while the statement waited for its lock. Read it.
        return await ExplainRefusalAsync(append, null).ConfigureAwait(false);

        static void AddText(DbBatch batch, string text)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = text;
            batch.BatchCommands.Add(command);
        }
    }

    private async Task<HashSet<string>> ExistingAsync(IEnumerable<string> ids, HashSet<string> created, Func<List<string>, IQueryable<string>> query, CancellationToken cancellationToken)
    {
        var candidates = ids.Where(id => !created.Contains(id)).Distinct(StringComparer.Ordinal).ToList();
        if (candidates.Count == 0)
        {
            return [];
        }

        var found = await Guard(ct => query(candidates).ToListAsync(ct), "read lots and holds", cancellationToken).ConfigureAwait(false);
        return found.ToHashSet(StringComparer.Ordinal);
    }

    private async Task UndoAsync(IDbContextTransaction? own, IDbContextTransaction? ambient)
    {
        try
        {
            if (own is not null)
            {
                await own.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            }
            else if (ambient is not null && context.Database.CurrentTransaction == ambient)
            {
                await ambient.RollbackToSavepointAsync(Savepoint, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (StoreFaults.IsFault(ex))
        {
            // The connection is gone: the database rolls the transaction back itself.
        }
        catch (InvalidOperationException)
        {
            // The transaction had already completed, or the savepoint was never created.
        }
    }

    private async Task<LedgerAppendResult> ExplainRefusalAsync(LedgerAppend append, Exception? cause)
    {
        var (program, member) = Key(append.Account);
        try
        {
            var current = await CurrentVersionAsync(program, member, CancellationToken.None).ConfigureAwait(false);
            if (current != append.ExpectedVersion)
            {
                return new LedgerAppendResult(LedgerAppendStatus.VersionConflict, current);
            }

            var ids = append.Transactions.Select(t => t.Id.Value).ToList();
            var used = await TransactionRows.Where(t => t.ProgramId == program && ids.Contains(t.Id))
                .Select(t => t.Id).ToListAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (var tx in append.Transactions)
            {
                if (used.Contains(tx.Id.Value, StringComparer.Ordinal))
                {
                    return new LedgerAppendResult(LedgerAppendStatus.Duplicate, current, tx.Id);
                }
            }
        }
        catch (Exception ex) when (StoreFaults.IsFault(ex))
        {
            throw Fault("append to " + append.Account, ex);
        }

        // Neither the version nor an id explains the refusal: a constraint the caller broke (e.g. a
        // lot id used twice, a lot of another account) or a fault of the database.
        throw cause is null
            ? new LoyaltyStoreException($"The ledger store could not append to {append.Account}: a row it had to update was missing.", isTransient: false)
            : Fault("append to " + append.Account, cause);
    }

    private async Task<long> CurrentVersionAsync(string program, string member, CancellationToken cancellationToken)
        => await Guard(
            ct => AccountRows.Where(a => a.ProgramId == program && a.MemberId == member).Select(a => (long?)a.Version).FirstOrDefaultAsync(ct),
            $"read the version of {program}/{member}",
            cancellationToken).ConfigureAwait(false) ?? 0;

    private static IReadOnlyList<LedgerTransactionRecord> WithMovements(List<LedgerTransactionRow> rows, List<LedgerMovementRow> movements)
    {
        var byVersion = movements.OrderBy(m => m.Ordinal).ToLookup(m => m.Version);
        return rows.ConvertAll(r => LedgerMapping.ToRecord(
            r,
            byVersion[r.Version].Select(m => new LedgerLotMovement(TransactionId.From(m.LotId), m.Delta)).ToArray()));
    }

    private static (string Program, string Member) Key(LedgerAccountKey account)
    {
        if (account.ProgramId.IsDefault || account.MemberId.IsDefault)
        {
            throw new ArgumentException("The account key must name a programme and a member; create it with new LedgerAccountKey(ProgramId.From(...), MemberId.From(...)).", nameof(account));
        }

        return (account.ProgramId.Value, account.MemberId.Value);
    }

    private async Task<T> Guard<T>(Func<CancellationToken, Task<T>> read, string what, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // Ledger writes a unit of work holds back are sent first, so that the read sees them.
            await WriteBehind.JoinAsync(context, write: false, ledgerOnly: true, cancellationToken).ConfigureAwait(false);
            return await read(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreFaults.IsFault(ex))
        {
            throw Fault(what, ex);
        }
    }

    private static LoyaltyStoreException Fault(string what, Exception ex) => StoreFaults.Wrap("ledger store", what, ex);
}
