using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Loyalty.Core.Tests.Storage;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>
/// A deliberately broken store: it writes an append's transactions one by one, each as its own
/// append, so a failure part-way (a taken id on the second transaction) leaves the first one
/// written. Reads are the reference store's. The specification must catch it.
/// </summary>
internal sealed class NonAtomicLedgerStore() : ForwardingLedgerStore(new InMemoryLedgerStore())
{
    public override async ValueTask<LedgerAppendResult> AppendAsync(LedgerAppend append, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(append);
        if (append.Transactions.Count <= 1)
        {
            return await Inner.AppendAsync(append, cancellationToken);
        }

        // The bug: one append per transaction, each committed before the next is tried.
        LedgerAppendResult result = default;
        for (var i = 0; i < append.Transactions.Count; i++)
        {
            var last = i == append.Transactions.Count - 1;
            var tx = append.Transactions[i];
            result = await Inner.AppendAsync(
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
