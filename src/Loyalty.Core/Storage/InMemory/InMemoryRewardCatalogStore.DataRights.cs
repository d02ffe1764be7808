using Loyalty.Core.DataRights;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage.InMemory;

/// <content>The <see cref="IRedemptionDataStore"/> capability.</content>
public sealed partial class InMemoryRewardCatalogStore : IRedemptionDataStore
{
    /// <inheritdoc />
    public ValueTask<MemberRewriteStatus> RewriteRedemptionsAsync(ProgramId programId, MemberId from, IReadOnlyList<RedemptionRewrite> rewrites, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rewrites);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!byMember.TryGetValue((programId, from), out var ids) || ids.Count == 0)
            {
                return new(MemberRewriteStatus.NotFound);
            }

            if (ids.Count != rewrites.Count || !ids.ToHashSet().SetEquals(rewrites.Select(r => r.OldId)))
            {
                return new(MemberRewriteStatus.Conflict);
            }

            if (rewrites.Any(r => r.Replacement.Id != r.OldId && redemptions.ContainsKey((programId, r.Replacement.Id))))
            {
                return new(MemberRewriteStatus.TargetExists);
            }

            byMember.Remove((programId, from));
            foreach (var r in rewrites)
            {
                redemptions.Remove((programId, r.OldId));
            }

            foreach (var (oldId, replacement) in rewrites)
            {
                redemptions[(programId, replacement.Id)] = replacement;
                if (!byMember.TryGetValue((programId, replacement.MemberId), out var list))
                {
                    byMember[(programId, replacement.MemberId)] = list = [];
                }

                list.Add(replacement.Id);
                if (claims.TryGetValue((programId, replacement.RewardId), out var claimed) && claimed.Remove(oldId))
                {
                    claimed.Add(replacement.Id);
                }

                if (claimRecords.Remove((programId, oldId), out var claim))
                {
                    claimRecords[(programId, replacement.Id)] = claim with { RedemptionId = replacement.Id, MemberId = replacement.MemberId };
                }
            }

            // A claim whose redemption was never written follows the member too, so the sweep can still release it.
            var to = rewrites[0].Replacement.MemberId;
            foreach (var key in claimRecords.Where(c => c.Key.Item1 == programId && c.Value.MemberId == from).Select(c => c.Key).ToList())
            {
                claimRecords[key] = claimRecords[key] with { MemberId = to };
            }

            return new(MemberRewriteStatus.Rewritten);
        }
    }
}
