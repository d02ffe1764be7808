using System.Runtime.CompilerServices;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Storage.InMemory;

/// <content>The <see cref="ILedgerTransactionFeed"/> read: a programme's transactions recorded in a span of time.</content>
public sealed partial class InMemoryLedgerStore : ILedgerTransactionFeed
{
    /// <inheritdoc />
    public async IAsyncEnumerable<LedgerTransactionRecord> ReadRecordedAsync(ProgramId programId, Instant from, Instant to, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        // A token cancelled before the read stops it at once; during the walk it is checked every 65,536 transactions.
        cancellationToken.ThrowIfCancellationRequested();
        var seen = 0;
        foreach (var tx in transactions.Values())
        {
            if ((++seen & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (tx.ProgramId == programId && tx.RecordedAt >= from && tx.RecordedAt < to)
            {
                yield return tx;
            }
        }
    }
}
