using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore.Programs;

/// <summary>
/// The version of a member's history (<see cref="MemberHistoryRow"/>), changed in the transaction
/// that writes an order, refund or activity: compared and set for orders and activities (written
/// only from the version read), incremented for refunds (which check their order's refund count instead).
/// </summary>
internal static class HistoryHead
{
    /// <summary>Reads the version; 0 when the member has no history row.</summary>
    public static async Task<long> ReadAsync(StoreSession session, string program, string member, CancellationToken cancellationToken)
        => await session.Rows<MemberHistoryRow>()
            .Where(h => h.ProgramId == program && h.MemberId == member)
            .Select(h => (long?)h.Version)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false) ?? 0;

    /// <summary>
    /// Moves the version from <paramref name="expected"/> to the next one; false when it is not
    /// <paramref name="expected"/>. From 0 the row is inserted, so a racing first write fails on the key.
    /// </summary>
    public static async Task<bool> AdvanceAsync(StoreSession session, DbTransaction transaction, string program, string member, long expected, CancellationToken cancellationToken)
    {
        var row = new MemberHistoryRow { ProgramId = program, MemberId = member, Version = expected + 1 };
        if (expected == 0)
        {
            await session.ExecuteAsync(transaction, w => w.Insert(row), cancellationToken).ConfigureAwait(false);
            return true;
        }

        return await session.ExecuteAsync(transaction, w => w.Update(row, expected), cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Increments the version whatever it is (inserting the row at version 1 when there is none).</summary>
    public static async Task IncrementAsync(StoreSession session, DbTransaction transaction, string program, string member, CancellationToken cancellationToken)
    {
        var key = new[] { (nameof(MemberHistoryRow.ProgramId), program), (nameof(MemberHistoryRow.MemberId), member) };
        if (await RowIncrement.ExecuteAsync<MemberHistoryRow>(session, transaction, nameof(MemberHistoryRow.Version), key, cancellationToken).ConfigureAwait(false) == 0)
        {
            await AdvanceAsync(session, transaction, program, member, 0, cancellationToken).ConfigureAwait(false);
        }
    }
}
