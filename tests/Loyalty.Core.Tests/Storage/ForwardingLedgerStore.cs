using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Tests.Storage;

/// <summary>
/// A ledger store decorator that forwards every member to an inner store; test doubles derive from it
/// and override only what they change (an append that fails, pauses or reports a conflict, a read that is counted or edited).
/// </summary>
/// <remarks>
/// <see cref="ILedgerStore.GetAccountsAsync"/> is deliberately not forwarded: the interface's default
/// reads account by account through <see cref="GetAccountAsync"/>, so a decorator that changes or counts
/// that read sees batch reads too. Optional interfaces (such as <see cref="ILedgerSnapshotSource"/>) are not
/// implemented here; a decorator that needs one declares it, so a store "without" it stays possible.
/// </remarks>
/// <param name="inner">The store every call goes to.</param>
internal abstract class ForwardingLedgerStore(ILedgerStore inner) : ILedgerStore
{
    /// <summary>Gets the store every call goes to.</summary>
    protected ILedgerStore Inner { get; } = inner;

    public virtual ValueTask<LedgerAccountSnapshot> GetAccountAsync(LedgerAccountKey account, CancellationToken cancellationToken = default) => Inner.GetAccountAsync(account, cancellationToken);

    public virtual ValueTask<LedgerAccountHead?> GetHeadAsync(LedgerAccountKey account, CancellationToken cancellationToken = default) => Inner.GetHeadAsync(account, cancellationToken);

    public virtual ValueTask<IReadOnlyList<LedgerLotRecord>> GetLotsAsync(LedgerAccountKey account, IReadOnlyCollection<TransactionId> lotIds, CancellationToken cancellationToken = default) => Inner.GetLotsAsync(account, lotIds, cancellationToken);

    public virtual ValueTask<LedgerHoldRecord?> GetHoldAsync(LedgerAccountKey account, TransactionId holdId, CancellationToken cancellationToken = default) => Inner.GetHoldAsync(account, holdId, cancellationToken);

    public virtual ValueTask<LedgerTransactionRecord?> FindTransactionAsync(ProgramId programId, TransactionId transactionId, CancellationToken cancellationToken = default) => Inner.FindTransactionAsync(programId, transactionId, cancellationToken);

    public virtual ValueTask<IReadOnlyList<LedgerTransactionRecord>> FindRelatedAsync(LedgerAccountKey account, TransactionId relatedId, CancellationToken cancellationToken = default) => Inner.FindRelatedAsync(account, relatedId, cancellationToken);

    public virtual ValueTask<LedgerHistoryPage> ReadHistoryAsync(LedgerAccountKey account, long afterVersion, int maxCount, CancellationToken cancellationToken = default) => Inner.ReadHistoryAsync(account, afterVersion, maxCount, cancellationToken);

    public virtual ValueTask<IReadOnlyList<LedgerAccountKey>> FindAccountsDueAsync(ProgramId programId, Instant dueBy, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default) => Inner.FindAccountsDueAsync(programId, dueBy, afterMember, maxCount, cancellationToken);

    public virtual ValueTask<LedgerAppendResult> AppendAsync(LedgerAppend append, CancellationToken cancellationToken = default) => Inner.AppendAsync(append, cancellationToken);
}
