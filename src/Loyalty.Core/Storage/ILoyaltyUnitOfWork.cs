namespace Loyalty.Core.Storage;

/// <summary>
/// An optional store capability: runs the steps of one programme call (an order with the member's
/// state and its ledger transaction, a refund and its reversal, a redemption with its stock claim
/// and spend…) so that their writes are kept together or not at all. Stores that share one
/// database implement it with one transaction (the shop's own when one is open); the programme
/// detects it at run time.
/// </summary>
/// <remarks>
/// <para>Without it, or with one that cannot undo a write (the in-memory stores'), each call still
/// leaves a record of its pending steps and maintenance completes them after a grace period, so a
/// call interrupted between two writes is never left half-done.</para>
/// <para>Implementations must be safe to call once per programme call from the scope the stores
/// live in; the work passed runs exactly once per call.</para>
/// </remarks>
public interface ILoyaltyUnitOfWork
{
    /// <summary>
    /// Runs <paramref name="work"/> so that the store writes it makes are committed together when it
    /// returns and, where the stores can undo writes (a database transaction), none of them is kept
    /// when it throws.
    /// </summary>
    /// <typeparam name="T">The work's result.</typeparam>
    /// <param name="work">The steps of one call; receives the token to pass to the stores.</param>
    /// <param name="cancellationToken">Cancels the call before the commit.</param>
    /// <returns>What <paramref name="work"/> returned, after the commit.</returns>
    /// <exception cref="LoyaltyStoreException">The commit failed; nothing of the work was kept.</exception>
    Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken = default);
}

/// <summary>
/// A unit of work that runs the work at once on the caller's thread, without wrapping it (the in-memory
/// stores'): once started, the work runs to its end and is passed <see cref="CancellationToken.None"/>.
/// The programme then calls the work itself, without wrapping it for <see cref="ILoyaltyUnitOfWork.RunAsync"/>.
/// </summary>
internal interface IInlineUnitOfWork : ILoyaltyUnitOfWork
{
}
