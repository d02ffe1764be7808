namespace Loyalty.Core.Storage.InMemory;

/// <summary>
/// The unit of work of the in-memory stores. Their writes have no I/O and cannot fail on their
/// own (a crash loses the whole store), so the only thing that could split the steps of a call is
/// its cancellation: once started, the work runs to its end without observing it.
/// </summary>
/// <remarks>Stores wrapped or replaced by others that can fail between two writes rely on the
/// pending-steps recovery of maintenance instead.</remarks>
internal sealed class InMemoryUnitOfWork : ILoyaltyUnitOfWork
{
    public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        cancellationToken.ThrowIfCancellationRequested();
        return work(CancellationToken.None);
    }
}
