using System.Runtime.CompilerServices;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore;

/// <content>The <see cref="ILedgerTransactionFeed"/> read: a programme's transactions recorded in a span of time.</content>
public sealed partial class EntityFrameworkLedgerStore : ILedgerTransactionFeed
{
    /// <inheritdoc />
    /// <remarks>
    /// Reads the span day by day (index <c>(program_id, recorded_at)</c>): each day's transactions in
    /// one query and their movements in a second one joined on the same condition, so memory holds
    /// one day of rows at a time.
    /// </remarks>
    public async IAsyncEnumerable<LedgerTransactionRecord> ReadRecordedAsync(ProgramId programId, Instant from, Instant to, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        for (var start = from; start < to; start += Duration.FromDays(1))
        {
            var end = start + Duration.FromDays(1) < to ? start + Duration.FromDays(1) : to;
            var (lo, hi) = (LedgerMapping.Ticks(start), LedgerMapping.Ticks(end));
            var page = await Guard(async ct =>
            {
                var rows = await TransactionRows.Where(t => t.ProgramId == program && t.RecordedAt >= lo && t.RecordedAt < hi)
                    .OrderBy(t => t.MemberId).ThenBy(t => t.Version).ToListAsync(ct).ConfigureAwait(false);
                if (rows.Count == 0)
                {
                    return new List<LedgerTransactionRecord>();
                }

                var movements = await MovementRows
                    .Join(TransactionRows.Where(t => t.ProgramId == program && t.RecordedAt >= lo && t.RecordedAt < hi),
                        m => new { m.ProgramId, m.MemberId, m.Version },
                        t => new { t.ProgramId, t.MemberId, t.Version },
                        (m, t) => m)
                    .ToListAsync(ct).ConfigureAwait(false);
                var byTransaction = movements.GroupBy(m => (m.MemberId, m.Version))
                    .ToDictionary(g => g.Key, g => (IReadOnlyList<LedgerLotMovement>)g.OrderBy(m => m.Ordinal).Select(m => new LedgerLotMovement(TransactionId.From(m.LotId), m.Delta)).ToArray());
                return rows.ConvertAll(r => LedgerMapping.ToRecord(r, byTransaction.TryGetValue((r.MemberId, r.Version), out var found) ? found : []));
            }, $"read the transactions of programme {programId} recorded from {start} to {end}", cancellationToken).ConfigureAwait(false);
            foreach (var tx in page)
            {
                yield return tx;
            }
        }
    }
}
