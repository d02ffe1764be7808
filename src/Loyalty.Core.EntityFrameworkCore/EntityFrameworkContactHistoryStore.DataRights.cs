using Loyalty.Core.DataRights;
using Loyalty.Core.Engagement;
using Loyalty.Core.EntityFrameworkCore.Engagement;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore;

/// <content>The <see cref="IContactHistoryDataStore"/> capability: a member's sends replaced as a whole.</content>
public sealed partial class EntityFrameworkContactHistoryStore : IContactHistoryDataStore
{
    /// <inheritdoc />
    public async ValueTask<MemberRewriteStatus> RewriteContactsAsync(ProgramId programId, MemberId from, int expectedCount, IReadOnlyList<ContactRecord> replacement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        var program = programId.Value;
        var old = from.Value;
        var to = replacement.Count > 0 ? replacement[0].MemberId.Value : old;
        var rows = replacement.Select(r => new ContactRow
        {
            ProgramId = program,
            MessageId = r.MessageId,
            MemberId = r.MemberId.Value,
            Channel = (int)r.Channel,
            Category = (int)r.Category,
            MessageType = r.MessageType,
            SentAt = LedgerMapping.Ticks(r.SentAt),
        }).ToList();
        var messages = rows.Select(r => r.MessageId).ToArray();
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                var own = session.Rows<ContactRow>().Where(c => c.ProgramId == program && c.MemberId == old);
                var count = await own.CountAsync(ct).ConfigureAwait(false);
                if (count == 0)
                {
                    return (MemberRewriteStatus.NotFound, false);
                }

                if (count != expectedCount)
                {
                    return (MemberRewriteStatus.Conflict, false);
                }

                if (to != old && await session.Rows<ContactRow>().AnyAsync(c => c.ProgramId == program && c.MemberId == to, ct).ConfigureAwait(false))
                {
                    return (MemberRewriteStatus.TargetExists, false);
                }

                if (await session.Rows<ContactRow>().AnyAsync(c => c.ProgramId == program && c.MemberId != old && messages.Contains(c.MessageId), ct).ConfigureAwait(false))
                {
                    return (MemberRewriteStatus.TargetExists, false);
                }

                // The delete counts again under the write lock: a send recorded since the count makes it refuse.
                if (await own.ExecuteDeleteAsync(ct).ConfigureAwait(false) != expectedCount)
                {
                    return (MemberRewriteStatus.Conflict, false);
                }

                if (rows.Count > 0)
                {
                    await session.ExecuteAsync(tx, w => rows.ForEach(w.Insert), ct).ConfigureAwait(false);
                }

                return (MemberRewriteStatus.Rewritten, true);
            },
            async ct => await session.Rows<ContactRow>().AnyAsync(c => c.ProgramId == program && messages.Contains(c.MessageId), ct).ConfigureAwait(false) ? (true, MemberRewriteStatus.TargetExists) : (false, default),
            $"rewrite the contact history of member '{from}'",
            cancellationToken).ConfigureAwait(false);
    }
}
