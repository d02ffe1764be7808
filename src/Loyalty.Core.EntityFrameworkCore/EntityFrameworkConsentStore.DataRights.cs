using Loyalty.Core.DataRights;
using Loyalty.Core.Engagement;
using Loyalty.Core.EntityFrameworkCore.Engagement;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore;

/// <content>The <see cref="IConsentDataStore"/> capability: a member's consent log replaced as a whole.</content>
public sealed partial class EntityFrameworkConsentStore : IConsentDataStore
{
    /// <inheritdoc />
    public async ValueTask<MemberRewriteStatus> RewriteConsentsAsync(ProgramId programId, MemberId from, int expectedCount, IReadOnlyList<ConsentRecord> replacement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        var program = programId.Value;
        var old = from.Value;
        var to = replacement.Count > 0 ? replacement[0].MemberId.Value : old;
        var rows = replacement.Select(r => new ConsentRow
        {
            ProgramId = program,
            MemberId = r.MemberId.Value,
            Channel = (int)r.Channel,
            At = LedgerMapping.Ticks(r.At),
            Status = (int)r.Status,
            Source = r.Source,
        }).ToList();
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                var own = session.Rows<ConsentRow>().Where(c => c.ProgramId == program && c.MemberId == old);
                var count = await own.CountAsync(ct).ConfigureAwait(false);
                if (count == 0)
                {
                    return (MemberRewriteStatus.NotFound, false);
                }

                if (count != expectedCount)
                {
                    return (MemberRewriteStatus.Conflict, false);
                }

                if (to != old && await session.Rows<ConsentRow>().AnyAsync(c => c.ProgramId == program && c.MemberId == to, ct).ConfigureAwait(false))
                {
                    return (MemberRewriteStatus.TargetExists, false);
                }

                // The delete counts again under the write lock: a record added since the count makes it refuse.
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
            async ct => await session.Rows<ConsentRow>().AnyAsync(c => c.ProgramId == program && c.MemberId == to, ct).ConfigureAwait(false) ? (true, MemberRewriteStatus.TargetExists) : (false, default),
            $"rewrite the consents of member '{from}'",
            cancellationToken).ConfigureAwait(false);
    }
}
