using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore;

/// <content>The <see cref="ILedgerSnapshotSource"/> read: all accounts of a programme, paged by member id.</content>
public sealed partial class EntityFrameworkLedgerStore : ILedgerSnapshotSource
{
    /// <inheritdoc />
    /// <remarks>
    /// One statement per page (heads, their open lots and open holds), ordered by member id in the
    /// database's collation, which the next page's <c>afterMember</c> comparison uses too, so the
    /// pages neither skip nor repeat an account.
    /// </remarks>
    public async ValueTask<IReadOnlyList<LedgerAccountSnapshot>> ReadAccountSnapshotsAsync(ProgramId programId, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var program = programId.Value;
        var after = afterMember?.Value;
        var open = (int)LedgerHoldStatus.Open;
        return await Guard(async ct =>
        {
            var query = AccountRows.Where(a => a.ProgramId == program);
            if (after is not null)
            {
                query = query.Where(a => string.Compare(a.MemberId, after) > 0);
            }

            var found = await query
                .OrderBy(a => a.MemberId)
                .Take(maxCount)
                .Select(a => new
                {
                    Head = a,
                    Lots = context.Set<LedgerLotRow>().Where(l => l.ProgramId == a.ProgramId && l.MemberId == a.MemberId && l.Remaining != 0).OrderBy(l => l.Sequence).ToList(),
                    Holds = context.Set<LedgerHoldRow>().Where(h => h.ProgramId == a.ProgramId && h.MemberId == a.MemberId && h.Status == open).OrderBy(h => h.HoldId).ToList(),
                })
                .AsSingleQuery()
                .ToListAsync(ct).ConfigureAwait(false);
            IReadOnlyList<LedgerAccountSnapshot> page = found.ConvertAll(f => new LedgerAccountSnapshot(
                LedgerMapping.ToRecord(f.Head),
                f.Lots.ConvertAll(LedgerMapping.ToRecord),
                f.Holds.ConvertAll(LedgerMapping.ToRecord)));
            return page;
        }, "read the account snapshots of programme " + programId, cancellationToken).ConfigureAwait(false);
    }
}
