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
    /// one day of rows at a time. A day without transactions is followed by one query for the next
    /// recording instant of the span, and the read goes on from there: a gap of months costs one query,
    /// not one per day, and a span with nothing recorded two.
    /// </remarks>
    public async IAsyncEnumerable<LedgerTransactionRecord> ReadRecordedAsync(ProgramId programId, Instant from, Instant to, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var last = LedgerMapping.Ticks(to);
        var start = from;
        while (start < to)
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

            if (page.Count > 0)
            {
                start = end;
                continue;
            }

            // An empty day: on from the next transaction recorded in the span, if any.
            var next = await Guard(
                async ct => await TransactionRows.Where(t => t.ProgramId == program && t.RecordedAt >= hi && t.RecordedAt < last)
                    .MinAsync(t => (long?)t.RecordedAt, ct).ConfigureAwait(false),
                $"find the next transaction of programme {programId} recorded from {end} to {to}",
                cancellationToken).ConfigureAwait(false);
            if (next is not { } ticks)
            {
                yield break;
            }

            start = LedgerMapping.Instant(ticks);
        }
    }
}
