using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;

namespace Loyalty.Core.DataRights;

/// <summary>
/// The rewards' part: the member's redemptions with their codes, and the stock units they claim. An
/// erasure replaces the ids and codes (an outstanding code of an erased member no longer works) and
/// keeps the points spent and the units claimed.
/// </summary>
internal sealed class RedemptionParticipant(IRewardCatalogStore store) : IMemberDataParticipant
{
    private IRedemptionDataStore DataStore => store as IRedemptionDataStore
        ?? throw new InvalidOperationException($"The reward catalogue store {store.GetType().Name} does not implement {nameof(IRedemptionDataStore)}; implement it so that members can be exported, erased and rectified.");

    public string Section => "redemptions";

    public async ValueTask<bool> HoldsDataAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        (await store.ListRedemptionsAsync(programId, memberId, cancellationToken).ConfigureAwait(false)).Count > 0;

    public async ValueTask<int> ExportAsync(MemberDataExport export, CancellationToken cancellationToken = default)
    {
        var redemptions = await store.ListRedemptionsAsync(export.ProgramId, export.MemberId, cancellationToken).ConfigureAwait(false);
        export.Writer.WriteStartArray();
        foreach (var redemption in redemptions)
        {
            ExportJson.Redemption(export, redemption);
        }

        export.Writer.WriteEndArray();
        return redemptions.Count;
    }

    public async ValueTask<MemberRewriteOutcome> RewriteAsync(MemberDataRewrite rewrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        var redemptions = await store.ListRedemptionsAsync(rewrite.ProgramId, rewrite.From, cancellationToken).ConfigureAwait(false);
        if (redemptions.Count == 0)
        {
            return MemberRewriteOutcome.NotFound;
        }

        var rewrites = redemptions.Select(r => new RedemptionRewrite(
            r.Id,
            r with
            {
                Id = rewrite.Map(r.Id),
                MemberId = rewrite.To,
                Code = rewrite.IsErasure ? rewrite.MapId(r.Code) : r.Code,
                LedgerTransactionId = rewrite.Map(r.LedgerTransactionId),
            })).ToArray();
        var status = await DataStore.RewriteRedemptionsAsync(rewrite.ProgramId, rewrite.From, rewrites, cancellationToken).ConfigureAwait(false);
        return new MemberRewriteOutcome(status, status == MemberRewriteStatus.Rewritten ? rewrites.Length : 0);
    }
}
