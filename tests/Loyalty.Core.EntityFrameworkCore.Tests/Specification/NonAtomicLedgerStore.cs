using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>
/// A deliberately broken store: it writes an append's transactions one by one, each as its own
/// append, so a failure part-way (a taken id on the second transaction) leaves the first one
/// written. Reads are the reference store's. The specification must catch it.
/// </summary>
internal sealed class NonAtomicLedgerStore : ILedgerStore
{
    private readonly InMemoryLedgerStore inner = new();

    public ValueTask<LedgerAccountSnapshot> GetAccountAsync(LedgerAccountKey account, CancellationToken cancellationToken = default) => inner.GetAccountAsync(account, cancellationToken);

    public ValueTask<LedgerAccountHead?> GetHeadAsync(LedgerAccountKey account, CancellationToken cancellationToken = default) => inner.GetHeadAsync(account, cancellationToken);

    public ValueTask<IReadOnlyList<LedgerLotRecord>> GetLotsAsync(LedgerAccountKey account, IReadOnlyCollection<TransactionId> lotIds, CancellationToken cancellationToken = default) => inner.GetLotsAsync(account, lotIds, cancellationToken);

    public ValueTask<LedgerHoldRecord?> GetHoldAsync(LedgerAccountKey account, TransactionId holdId, CancellationToken cancellationToken = default) => inner.GetHoldAsync(account, holdId, cancellationToken);

    public ValueTask<LedgerTransactionRecord?> FindTransactionAsync(ProgramId programId, TransactionId transactionId, CancellationToken cancellationToken = default) => inner.FindTransactionAsync(programId, transactionId, cancellationToken);

    public ValueTask<IReadOnlyList<LedgerTransactionRecord>> FindRelatedAsync(LedgerAccountKey account, TransactionId relatedId, CancellationToken cancellationToken = default) => inner.FindRelatedAsync(account, relatedId, cancellationToken);

    public ValueTask<LedgerHistoryPage> ReadHistoryAsync(LedgerAccountKey account, long afterVersion, int maxCount, CancellationToken cancellationToken = default) => inner.ReadHistoryAsync(account, afterVersion, maxCount, cancellationToken);

    public ValueTask<IReadOnlyList<LedgerAccountKey>> FindAccountsDueAsync(ProgramId programId, Instant dueBy, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default) => inner.FindAccountsDueAsync(programId, dueBy, afterMember, maxCount, cancellationToken);

    public async ValueTask<LedgerAppendResult> AppendAsync(LedgerAppend append, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(append);
        if (append.Transactions.Count <= 1)
        {
            return await inner.AppendAsync(append, cancellationToken);
        }

        // The bug: one append per transaction, each committed before the next is tried.
        LedgerAppendResult result = default;
        for (var i = 0; i < append.Transactions.Count; i++)
        {
            var last = i == append.Transactions.Count - 1;
            var tx = append.Transactions[i];
            result = await inner.AppendAsync(
                new LedgerAppend
                {
                    Account = append.Account,
                    ExpectedVersion = tx.Version - 1,
                    Transactions = [tx],
                    Head = append.Head with { Version = tx.Version },
                    Lots = last ? append.Lots : append.Lots.Where(l => l.LotId == tx.Id).ToList(),
                    Holds = last ? append.Holds : [],
                },
                cancellationToken);
            if (result.Status != LedgerAppendStatus.Appended)
            {
                return result;
            }
        }

        return result;
    }
}
