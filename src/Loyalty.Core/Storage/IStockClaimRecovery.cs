using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using NodaTime;

namespace Loyalty.Core.Storage;

/// <summary>A stock claim whose redemption record was never written (see <see cref="IStockClaimRecovery"/>).</summary>
/// <param name="RewardId">The reward whose unit is claimed.</param>
/// <param name="RedemptionId">The redemption that claimed it.</param>
/// <param name="MemberId">The member who was redeeming.</param>
/// <param name="ClaimedAt">When the unit was claimed.</param>
public sealed record PendingStockClaim(RewardId RewardId, RedemptionId RedemptionId, MemberId MemberId, Instant ClaimedAt);

/// <summary>
/// Implemented by a reward catalogue store that records who claimed each stock unit and when, so
/// maintenance can finish or give back the claims of redemptions whose record was never written
/// (a crash or a store fault between the claim and the redemption write, with stores that share no
/// unit of work). Optional: without it a unit claimed by an interrupted redemption stays claimed until
/// the call is retried with the same redemption id.
/// </summary>
public interface IStockClaimRecovery
{
    /// <summary>
    /// <see cref="IRewardCatalogStore.ClaimStockAsync"/>, recording the member and the instant with the
    /// claim (a repeat keeps the first instant).
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="rewardId">The reward.</param>
    /// <param name="redemptionId">The redemption claiming the unit.</param>
    /// <param name="memberId">The member redeeming.</param>
    /// <param name="stock">The reward's total stock.</param>
    /// <param name="claimedAt">The instant of the claim.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Claimed, already claimed, or out of stock.</returns>
    ValueTask<StockClaimStatus> ClaimRecordedStockAsync(ProgramId programId, RewardId rewardId, RedemptionId redemptionId, MemberId memberId, long stock, Instant claimedAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// The claims made before <paramref name="claimedBefore"/> whose redemption has no record, in
    /// redemption id order (ordinal), after <paramref name="afterRedemption"/>.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="claimedBefore">Only claims made strictly before this instant.</param>
    /// <param name="afterRedemption">The last redemption id of the previous page, or null for the first page.</param>
    /// <param name="maxCount">The page size, at least 1.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>At most <paramref name="maxCount"/> claims.</returns>
    ValueTask<IReadOnlyList<PendingStockClaim>> ListClaimsWithoutRedemptionAsync(ProgramId programId, Instant claimedBefore, RedemptionId? afterRedemption, int maxCount, CancellationToken cancellationToken = default);
}
