using Loyalty.Core.DataRights;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore;

/// <content>
/// The <see cref="IMemberDataStore"/> capability: the members a member referred, and the re-keying of a
/// member's record, history version, orders, refunds and activities for an erasure or a rectification.
/// </content>
/// <remarks>
/// The rewrite runs in one database transaction (or behind a savepoint in the shop's): the member row is
/// locked at the version read (<c>UPDATE … WHERE version = @expected</c>) and so is the history version;
/// the new id, referral code and record ids are checked; the old rows are deleted and the new ones
/// inserted; the members the old id referred point to the new one, their version moved on. A refusal
/// writes nothing.
/// </remarks>
public sealed partial class EntityFrameworkMemberStore : IMemberDataStore
{
    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<MemberRecord>> ListReferredMembersAsync(ProgramId programId, MemberId referrer, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var by = referrer.Value;
        var rows = await session.ReadAsync(
            ct => session.Rows<MemberRow>().Where(m => m.ProgramId == program && m.ReferredBy == by).ToListAsync(ct),
            $"list the members referred by '{referrer}'",
            cancellationToken).ConfigureAwait(false);

        // Ordinal id order, whatever the database's collation.
        rows.Sort((a, b) => string.CompareOrdinal(a.MemberId, b.MemberId));
        return rows.ConvertAll(ToRecord);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A record of the rewrite is not of <see cref="MemberRewrite.Member"/>'s programme and id, or the member is in another programme than <see cref="MemberRewrite.ProgramId"/>.</exception>
    public async ValueTask<MemberRewriteStatus> RewriteMemberAsync(MemberRewrite rewrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        Check(rewrite);
        var program = rewrite.ProgramId.Value;
        var from = rewrite.From.Value;
        var to = rewrite.Member.MemberId.Value;
        var expectedVersion = rewrite.ExpectedVersion;
        var expectedHistory = rewrite.ExpectedHistoryVersion;
        var member = ToRow(rewrite.Member);
        var orders = rewrite.Orders.Select(ToRow).ToArray();
        var activities = rewrite.Activities.Select(ToRow).ToArray();

        // The refunds of an order are numbered from 0 (the next refund is written at the number of refunds read).
        var refundCounts = new Dictionary<OrderId, int>();
        var refunds = new RefundRow[rewrite.Refunds.Count];
        for (var i = 0; i < refunds.Length; i++)
        {
            var refund = rewrite.Refunds[i];
            var sequence = refundCounts.GetValueOrDefault(refund.OrderId);
            refundCounts[refund.OrderId] = sequence + 1;
            refunds[i] = ToRow(refund, sequence);
        }

        var orderIds = orders.Select(o => o.OrderId).ToArray();
        var refundIds = refunds.Select(r => r.RefundId).ToArray();
        var activityIds = activities.Select(a => a.ActivityId).ToArray();

        async Task<bool> IdsTakenAsync(CancellationToken ct) =>
            await RowBatches.AnyAsync(orderIds, (ids, c) => session.Rows<OrderRow>().AnyAsync(o => o.ProgramId == program && ids.Contains(o.OrderId) && o.MemberId != from, c), ct).ConfigureAwait(false)
            || await RowBatches.AnyAsync(refundIds, (ids, c) => session.Rows<RefundRow>().AnyAsync(r => r.ProgramId == program && ids.Contains(r.RefundId) && r.MemberId != from, c), ct).ConfigureAwait(false)
            || await RowBatches.AnyAsync(activityIds, (ids, c) => session.Rows<ActivityRow>().AnyAsync(a => a.ProgramId == program && ids.Contains(a.ActivityId) && a.MemberId != from, c), ct).ConfigureAwait(false);

        async Task<bool> TargetTakenAsync(CancellationToken ct) =>
            (to != from && (await session.Rows<MemberRow>().AnyAsync(m => m.ProgramId == program && m.MemberId == to, ct).ConfigureAwait(false)
                || await session.Rows<MemberHistoryRow>().AnyAsync(h => h.ProgramId == program && h.MemberId == to, ct).ConfigureAwait(false)))
            || await session.Rows<MemberRow>().AnyAsync(m => m.ProgramId == program && m.ReferralCode == member.ReferralCode && m.MemberId != from, ct).ConfigureAwait(false)
            || await IdsTakenAsync(ct).ConfigureAwait(false);

        return await session.WriteAsync(
            async (tx, ct) =>
            {
                var context = session.Context;

                // The member row first, at the version read: a racing writer of the member waits on its lock, then misses the version.
                var locked = await context.Set<MemberRow>()
                    .Where(m => m.ProgramId == program && m.MemberId == from && m.Version == expectedVersion)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.Version, m => m.Version), ct).ConfigureAwait(false);
                if (locked != 1)
                {
                    var exists = await session.Rows<MemberRow>().AnyAsync(m => m.ProgramId == program && m.MemberId == from, ct).ConfigureAwait(false);
                    return (exists ? MemberRewriteStatus.Conflict : MemberRewriteStatus.NotFound, false);
                }

                // The history version, locked the same way (no row reads as version 0).
                var historyHeld = expectedHistory == 0
                    ? !await session.Rows<MemberHistoryRow>().AnyAsync(h => h.ProgramId == program && h.MemberId == from, ct).ConfigureAwait(false)
                    : await context.Set<MemberHistoryRow>()
                        .Where(h => h.ProgramId == program && h.MemberId == from && h.Version == expectedHistory)
                        .ExecuteUpdateAsync(s => s.SetProperty(h => h.Version, h => h.Version), ct).ConfigureAwait(false) == 1;
                if (!historyHeld)
                {
                    return (MemberRewriteStatus.Conflict, false);
                }

                if (await TargetTakenAsync(ct).ConfigureAwait(false))
                {
                    return (MemberRewriteStatus.TargetExists, false);
                }

                // Every row of the old id goes.
                await context.Set<RefundRow>().Where(r => r.ProgramId == program && r.MemberId == from).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                await context.Set<OrderRow>().Where(o => o.ProgramId == program && o.MemberId == from).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                await context.Set<ActivityRow>().Where(a => a.ProgramId == program && a.MemberId == from).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                await context.Set<MemberHistoryRow>().Where(h => h.ProgramId == program && h.MemberId == from).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                await context.Set<MemberRow>().Where(m => m.ProgramId == program && m.MemberId == from).ExecuteDeleteAsync(ct).ConfigureAwait(false);

                // Then the member under the new id, with its history version carried over.
                await RowBatches.InsertAsync(session, tx, [member], ct).ConfigureAwait(false);
                if (expectedHistory > 0)
                {
                    await RowBatches.InsertAsync(session, tx, [new MemberHistoryRow { ProgramId = program, MemberId = to, Version = expectedHistory }], ct).ConfigureAwait(false);
                }

                await RowBatches.InsertAsync(session, tx, orders, ct).ConfigureAwait(false);
                await RowBatches.InsertAsync(session, tx, refunds, ct).ConfigureAwait(false);
                await RowBatches.InsertAsync(session, tx, activities, ct).ConfigureAwait(false);

                // The members the old id referred point to the new one; their version moves so that a writer holding the old record re-reads it.
                await context.Set<MemberRow>()
                    .Where(m => m.ProgramId == program && m.ReferredBy == from)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.ReferredBy, to).SetProperty(m => m.Version, m => m.Version + 1), ct).ConfigureAwait(false);
                return (MemberRewriteStatus.Rewritten, true);
            },
            async ct => (await TargetTakenAsync(ct).ConfigureAwait(false), MemberRewriteStatus.TargetExists),
            $"rewrite member '{rewrite.From}' as '{rewrite.Member.MemberId}'",
            cancellationToken).ConfigureAwait(false);
    }

    private static void Check(MemberRewrite rewrite)
    {
        ArgumentNullException.ThrowIfNull(rewrite.Member, nameof(rewrite));
        if (rewrite.Member.ProgramId != rewrite.ProgramId)
        {
            throw new ArgumentException($"The rewritten member is in programme '{rewrite.Member.ProgramId}' but the rewrite is for programme '{rewrite.ProgramId}'; a member is rewritten within its programme.", nameof(rewrite));
        }

        static void Of(ProgramId programId, MemberId memberId, string kind, string id, MemberRewrite rewrite)
        {
            if (programId != rewrite.ProgramId || memberId != rewrite.Member.MemberId)
            {
                throw new ArgumentException($"The rewrite's {kind} '{id}' is of member '{memberId}' in programme '{programId}', not of the rewritten member '{rewrite.Member.MemberId}' in programme '{rewrite.ProgramId}'.", nameof(rewrite));
            }
        }

        foreach (var order in rewrite.Orders)
        {
            Of(order.ProgramId, order.MemberId, "order", order.OrderId.Value, rewrite);
        }

        foreach (var refund in rewrite.Refunds)
        {
            Of(refund.ProgramId, refund.MemberId, "refund", refund.RefundId.Value, rewrite);
        }

        foreach (var activity in rewrite.Activities)
        {
            Of(activity.ProgramId, activity.MemberId, "activity", activity.ActivityId.Value, rewrite);
        }

    }
}
