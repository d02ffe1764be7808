using Loyalty.Core.DataRights;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore;

/// <content>
/// The <see cref="IRedemptionDataStore"/> and <see cref="IRewardCodeDataStore"/> capabilities: a member's
/// redemptions replaced as a whole, with their stock units following the new redemption ids, and a
/// member's codes moved to another id.
/// </content>
public sealed partial class EntityFrameworkRewardCatalogStore : IRedemptionDataStore, IRewardCodeDataStore
{
    /// <inheritdoc />
    public async ValueTask<MemberRewriteStatus> RewriteRedemptionsAsync(ProgramId programId, MemberId from, IReadOnlyList<RedemptionRewrite> rewrites, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rewrites);
        var program = programId.Value;
        var member = from.Value;
        var oldIds = rewrites.Select(r => r.OldId.Value).ToArray();
        var newIds = rewrites.Where(r => r.Replacement.Id != r.OldId).Select(r => r.Replacement.Id.Value).ToArray();
        var rows = rewrites.Select(r => RewardMapping.ToRow(r.Replacement)).ToList();
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                var stored = await session.Rows<RedemptionRow>().Where(r => r.ProgramId == program && r.MemberId == member).Select(r => r.RedemptionId).ToListAsync(ct).ConfigureAwait(false);
                if (stored.Count == 0)
                {
                    return (MemberRewriteStatus.NotFound, false);
                }

                if (stored.Count != oldIds.Length || !stored.ToHashSet(StringComparer.Ordinal).SetEquals(oldIds))
                {
                    return (MemberRewriteStatus.Conflict, false);
                }

                if (newIds.Length > 0 && await session.Rows<RedemptionRow>().AnyAsync(r => r.ProgramId == program && newIds.Contains(r.RedemptionId), ct).ConfigureAwait(false))
                {
                    return (MemberRewriteStatus.TargetExists, false);
                }

                // The delete counts again under the write lock: a redemption added since the read makes it refuse.
                var deleted = await session.Rows<RedemptionRow>().Where(r => r.ProgramId == program && r.MemberId == member && oldIds.Contains(r.RedemptionId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                if (deleted != oldIds.Length)
                {
                    return (MemberRewriteStatus.Conflict, false);
                }

                await session.ExecuteAsync(tx, w => rows.ForEach(w.Insert), ct).ConfigureAwait(false);
                foreach (var (oldId, replacement) in rewrites)
                {
                    if (replacement.Id == oldId)
                    {
                        continue;
                    }

                    // The unit stays claimed (the reward's count does not move); only the id that holds it changes.
                    var old = oldId.Value;
                    var renamed = replacement.Id.Value;
                    await session.Rows<StockClaimRow>().Where(c => c.ProgramId == program && c.RedemptionId == old)
                        .ExecuteUpdateAsync(s => s.SetProperty(c => c.RedemptionId, renamed), ct).ConfigureAwait(false);
                }

                return (MemberRewriteStatus.Rewritten, true);
            },
            async ct => newIds.Length > 0 && await session.Rows<RedemptionRow>().AnyAsync(r => r.ProgramId == program && newIds.Contains(r.RedemptionId), ct).ConfigureAwait(false)
                ? (true, MemberRewriteStatus.TargetExists)
                : (false, default),
            $"rewrite the redemptions of member '{from}'",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<int> RenameMemberCodesAsync(ProgramId programId, MemberId from, MemberId to, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var old = from.Value;
        var renamed = to.Value;
        return await session.ReadAsync(
            ct => session.Rows<RewardCodeRow>().Where(c => c.ProgramId == program && c.MemberId == old).ExecuteUpdateAsync(s => s.SetProperty(c => c.MemberId, renamed), ct),
            $"move the reward codes of member '{from}'",
            cancellationToken).ConfigureAwait(false);
    }
}
