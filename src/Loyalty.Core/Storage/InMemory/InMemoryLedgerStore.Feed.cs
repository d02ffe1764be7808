using System.Runtime.CompilerServices;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Storage.InMemory;

/// <content>The <see cref="ILedgerTransactionFeed"/> read: a programme's transactions recorded in a span of time.</content>
public sealed partial class InMemoryLedgerStore : ILedgerTransactionFeed
{
    /// <inheritdoc />
    /// <remarks>
    /// Reads the store's transaction log chunk by chunk (4,096 transactions each), skipping the chunks whose
    /// transactions were all recorded outside [<paramref name="from"/>, <paramref name="to"/>): the log is in
    /// append order, which follows the recording instants, so a period's read costs the transactions of that
    /// period (plus a skip per chunk), not a walk of every transaction of the store. The token is checked
    /// before the read and before each chunk.
    /// </remarks>
    public async IAsyncEnumerable<LedgerTransactionRecord> ReadRecordedAsync(ProgramId programId, Instant from, Instant to, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var tx in log.WithKeyIn(from.ToUnixTimeTicks(), to.ToUnixTimeTicks(), cancellationToken))
        {
            if (tx.ProgramId == programId)
            {
                yield return tx;
            }
        }
    }
}
