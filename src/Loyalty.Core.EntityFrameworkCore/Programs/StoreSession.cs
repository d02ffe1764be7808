using System.Data.Common;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Loyalty.Core.EntityFrameworkCore.Programs;

/// <summary>
/// What the programme's EF Core stores share: reads that turn provider faults into
/// <see cref="LoyaltyStoreException"/>, and writes that run in one database transaction of their
/// own, or behind a savepoint in the shop's transaction, so that a refused write leaves nothing and
/// the shop's transaction stays usable.
/// </summary>
internal sealed class StoreSession
{
    private const string Savepoint = "loyalty_store_write";
    private readonly string storeName;

    public StoreSession(DbContext context, string storeName)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Model.FindEntityType(typeof(MemberRow)) is null)
        {
            throw new InvalidOperationException(
                $"The DbContext '{context.GetType().Name}' has no loyalty tables: call modelBuilder.ApplyLoyaltyModel() in its OnModelCreating.");
        }

        Context = context;
        this.storeName = storeName;
    }

    public DbContext Context { get; }

    public IQueryable<TRow> Rows<TRow>()
        where TRow : class => Context.Set<TRow>().AsNoTracking();

    /// <summary>Runs a read; provider faults become <see cref="LoyaltyStoreException"/>.</summary>
    public async Task<T> ReadAsync<T>(Func<CancellationToken, Task<T>> read, string what, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // Writes a unit of work holds back are sent first, so that the read sees them.
            await WriteBehind.JoinAsync(Context, write: false, ledgerOnly: false, cancellationToken).ConfigureAwait(false);
            return await read(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreFaults.IsFault(ex))
        {
            throw Fault(what, ex);
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> atomically. It returns the outcome and whether to keep its
    /// writes; when it declines, or the database refuses a statement (a unique key taken by a racing
    /// writer), everything it wrote is undone. On a refusal <paramref name="explain"/> re-reads and
    /// returns the outcome, or Explained = false when the re-read does not explain it (then the fault is thrown).
    /// </summary>
    public async Task<T> WriteAsync<T>(
        Func<DbTransaction, CancellationToken, Task<(T Outcome, bool Keep)>> write,
        Func<CancellationToken, Task<(bool Explained, T Outcome)>> explain,
        string what,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // In a unit of work holding writes back: its transaction is begun (and what it holds sent) first.
        await WriteBehind.JoinAsync(Context, write: true, ledgerOnly: false, cancellationToken).ConfigureAwait(false);
        var database = Context.Database;
        var ambient = database.CurrentTransaction;
        IDbContextTransaction? own = null;
        var opened = false;
        Exception? refusal = null;
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

            var (outcome, keep) = await write((own ?? ambient)!.GetDbTransaction(), cancellationToken).ConfigureAwait(false);
            if (!keep)
            {
                await UndoAsync(own, ambient).ConfigureAwait(false);
                return outcome;
            }

            if (own is not null)
            {
                await own.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ambient!.ReleaseSavepointAsync(Savepoint, cancellationToken).ConfigureAwait(false);
            }

            return outcome;
        }
        catch (Exception ex) when (ex is not TimeoutException && StoreFaults.IsFault(ex))
        {
            await UndoAsync(own, ambient).ConfigureAwait(false);
            refusal = ex;
        }
        catch (TimeoutException ex)
        {
            await UndoAsync(own, ambient).ConfigureAwait(false);
            throw Fault(what, ex);
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

        // A key was taken by a racing writer, or the database failed: a re-read tells which.
        var (explained, result) = await ReadAsync(explain, what, CancellationToken.None).ConfigureAwait(false);
        return explained ? result : throw Fault(what, refusal!);
    }

    /// <summary>Executes one command built by <paramref name="build"/> in <paramref name="transaction"/>; returns the rows affected.</summary>
    public async Task<int> ExecuteAsync(DbTransaction transaction, Action<LedgerWriteCommand> build, CancellationToken cancellationToken)
    {
        var write = new LedgerWriteCommand(Context, Context.Database.GetDbConnection());
        build(write);
        var command = write.Command;
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
            if (Context.Database.GetCommandTimeout() is { } timeout)
            {
                command.CommandTimeout = timeout;
            }

            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public LoyaltyStoreException Fault(string what, Exception ex) => StoreFaults.Wrap(storeName, what, ex);

    private async Task UndoAsync(IDbContextTransaction? own, IDbContextTransaction? ambient)
    {
        try
        {
            if (own is not null)
            {
                await own.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            }
            else if (ambient is not null && Context.Database.CurrentTransaction == ambient)
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
}
