namespace Loyalty.Core.Storage.InMemory;

/// <summary>
/// The unit of work of the in-memory stores. Their writes have no I/O and cannot fail on their
/// own (a crash loses the whole store), so the only thing that could split the steps of a call is
/// its cancellation: once started, the work runs to its end without observing it.
/// </summary>
/// <remarks>It cannot undo a write: when the work throws after one (a points account still busy
/// after the ledger's retries, or stores wrapped by others that can fail), the record written is
/// the record of the pending steps, completed by a retry or by maintenance.</remarks>
internal sealed class InMemoryUnitOfWork : IInlineUnitOfWork
{
    public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        cancellationToken.ThrowIfCancellationRequested();
        return work(CancellationToken.None);
    }
}
