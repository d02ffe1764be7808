using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Storage;

/// <summary>
/// An optional read capability of a ledger store: every transaction of a programme recorded in a
/// span of time, across accounts, with its lot movements — what a coalition settlement reads.
/// Detected at run time (<c>store as ILedgerTransactionFeed</c>); the in-memory and EF Core ledger
/// stores implement it.
/// </summary>
public interface ILedgerTransactionFeed
{
    /// <summary>Streams the transactions of a programme whose <see cref="LedgerTransactionRecord.RecordedAt"/> is in [<paramref name="from"/>, <paramref name="to"/>), in no particular order.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="from">The first instant (inclusive).</param>
    /// <param name="to">The end (exclusive).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The transactions, each with its movements.</returns>
    IAsyncEnumerable<LedgerTransactionRecord> ReadRecordedAsync(ProgramId programId, Instant from, Instant to, CancellationToken cancellationToken = default);
}
