using System.Data.Common;
using Loyalty.Core.Storage;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// The unit of work of the EF Core stores: the steps of one programme call run in one database
/// transaction of the shop's context — its own, committed at the end, or, when the shop has a
/// transaction open, the shop's, behind a savepoint (the shop's commit keeps them; a failed call
/// rolls back to the savepoint and leaves the shop's transaction usable). Every store of the
/// context writes in that transaction, so an order, its member state and its points are kept
/// together or not at all. On PostgreSQL the writes that can be checked by guarded statements are
/// held back and sent as one batch at the end (<see cref="WriteBehind"/>): PostgreSQL runs a batch
/// as one transaction, so a call whose other steps only read costs no <c>BEGIN</c> and no
/// <c>COMMIT</c>; a refused batch keeps nothing and the call's steps run again, writing at once.
/// </summary>
/// <remarks>Scoped like the context; not thread-safe (neither is a <see cref="DbContext"/>). A unit
/// of work started inside another (a referral's activity recorded by an order) joins it.</remarks>
internal sealed class EntityFrameworkUnitOfWork : ILoyaltyUnitOfWork
{
    private const string Savepoint = WriteBehind.Savepoint;
    private readonly DbContext context;
    private int depth;

    public EntityFrameworkUnitOfWork(DbContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        this.context = context;
    }

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        cancellationToken.ThrowIfCancellationRequested();
        if (depth > 0)
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await RunOutermostAsync(work, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // An account read with a member serves the call it was read for, not a later one.
            AccountPrefetch.Clear(context);
        }
    }

    private async Task<T> RunOutermostAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var strategy = context.Database.CreateExecutionStrategy();
        if (strategy.RetriesOnFailure && context.Database.CurrentTransaction is null)
        {
            // EF Core accepts a transaction under a retrying execution strategy only when the strategy runs
            // it: the unit runs once inside the strategy. Its faults leave as LoyaltyStoreException, which the
            // strategy never retries (the caller retries the call with the same id, as for any store fault).
            return await strategy.ExecuteAsync(
                work,
                (_, w, ct) => RunOnceAsync(w, ct),
                verifySucceeded: null,
                cancellationToken).ConfigureAwait(false);
        }

        return await RunOnceAsync(work, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> RunOnceAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (WriteBehind.Supports(context))
        {
            try
            {
                return await RunDeferredAsync(work, cancellationToken).ConfigureAwait(false);
            }
            catch (WriteBehindRefusedException)
            {
                // The held-back writes were refused (a version moved, an id was used) and nothing of the
                // unit was kept: run it again writing at once, which gives every store's true answer.
            }
        }

        return await RunImmediateAsync(work, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The unit with its writes held back (PostgreSQL): the transaction is begun only when a store
    /// needs it before the end; otherwise the queued writes go as one batch, in PostgreSQL's implicit
    /// transaction (behind a savepoint in the shop's), and no commit is sent.
    /// </summary>
    private async Task<T> RunDeferredAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var database = context.Database;
        var ambient = database.CurrentTransaction;
        var behind = WriteBehind.Of(context);
        var opened = false;
        try
        {
            await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            opened = true;
            behind.Start(ambient);
            T result;
            depth++;
            try
            {
                result = await work(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                depth--;
            }

            await behind.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (behind.Own is { } own)
            {
                await own.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (ambient is not null && behind.Started)
            {
                await ambient.ReleaseSavepointAsync(WriteBehind.Savepoint, cancellationToken).ConfigureAwait(false);
            }

            return result;
        }
        catch (Exception ex)
        {
            await UndoAsync(behind.Own, behind.HasSavepoint ? ambient : null).ConfigureAwait(false);
            if (ex is not LoyaltyStoreException and not WriteBehindRefusedException && StoreFaults.TryClassify(ex, out var transient))
            {
                throw new LoyaltyStoreException($"The loyalty stores could not commit the call's writes: {ex.GetBaseException().Message}; nothing of the call was kept, retry it.", transient, ex);
            }

            throw;
        }
        finally
        {
            var own = behind.Own;
            behind.Stop();
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

    private async Task<T> RunImmediateAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var database = context.Database;
        var ambient = database.CurrentTransaction;
        IDbContextTransaction? own = null;
        var opened = false;
        var started = false;
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

            started = true;
            T result;
            depth++;
            try
            {
                result = await work(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                depth--;
            }

            if (own is not null)
            {
                await own.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ambient!.ReleaseSavepointAsync(Savepoint, cancellationToken).ConfigureAwait(false);
            }

            return result;
        }
        catch (Exception ex)
        {
            if (started)
            {
                await UndoAsync(own, ambient).ConfigureAwait(false);
            }

            if (ex is not LoyaltyStoreException && StoreFaults.TryClassify(ex, out var transient))
            {
                throw new LoyaltyStoreException($"The loyalty stores could not commit the call's writes: {ex.GetBaseException().Message}; nothing of the call was kept, retry it.", transient, ex);
            }

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
        catch (DbException)
        {
            // The connection is gone: the database rolls the transaction back itself.
        }
        catch (InvalidOperationException)
        {
            // The transaction had already completed.
        }
    }
}
