using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using NodaTime;

namespace Loyalty.Core.Storage;

/// <summary>The outcome of <see cref="IRewardCatalogStore.ClaimStockAsync"/>.</summary>
public enum StockClaimStatus
{
    /// <summary>A unit was claimed for the redemption.</summary>
    Claimed = 1,

    /// <summary>The redemption already held a unit; nothing changed.</summary>
    AlreadyClaimed = 2,

    /// <summary>No unit is left; nothing changed.</summary>
    OutOfStock = 3,
}

/// <summary>
/// Persists a programme's rewards catalogue, the units of stock claimed by redemptions, and the
/// redemptions themselves. Small and atomic: every decision is the programme's.
/// </summary>
/// <remarks>
/// Implementations must be thread-safe; every operation is atomic. Infrastructure faults throw
/// <see cref="LoyaltyStoreException"/>.
/// </remarks>
public interface IRewardCatalogStore
{
    /// <summary>Reads the catalogue.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The catalogue; <see cref="RewardCatalog.Empty"/> when none was saved.</returns>
    ValueTask<RewardCatalog> GetCatalogAsync(ProgramId programId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the catalogue.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="catalog">The new catalogue.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when written.</returns>
    ValueTask SaveCatalogAsync(ProgramId programId, RewardCatalog catalog, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims one unit of a reward for a redemption, if fewer than <paramref name="stock"/> units are
    /// claimed; idempotent per redemption.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="rewardId">The reward.</param>
    /// <param name="redemptionId">The redemption claiming the unit.</param>
    /// <param name="stock">The reward's total stock.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Claimed, already claimed, or out of stock.</returns>
    ValueTask<StockClaimStatus> ClaimStockAsync(ProgramId programId, RewardId rewardId, RedemptionId redemptionId, long stock, CancellationToken cancellationToken = default);

    /// <summary>Gives a redemption's unit back; does nothing when it holds none.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="rewardId">The reward.</param>
    /// <param name="redemptionId">The redemption.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when a unit was given back.</returns>
    ValueTask<bool> ReturnStockAsync(ProgramId programId, RewardId rewardId, RedemptionId redemptionId, CancellationToken cancellationToken = default);

    /// <summary>Counts the units of a reward currently claimed.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="rewardId">The reward.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The number of units claimed.</returns>
    ValueTask<long> CountClaimedAsync(ProgramId programId, RewardId rewardId, CancellationToken cancellationToken = default);

    /// <summary>Inserts a redemption unless one with the same id exists.</summary>
    /// <param name="redemption">The redemption.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored redemption: <paramref name="redemption"/> when inserted, the existing one otherwise.</returns>
    ValueTask<RewardRedemption> AddRedemptionAsync(RewardRedemption redemption, CancellationToken cancellationToken = default);

    /// <summary>Reads a redemption.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="redemptionId">The id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The redemption, or null.</returns>
    ValueTask<RewardRedemption?> GetRedemptionAsync(ProgramId programId, RedemptionId redemptionId, CancellationToken cancellationToken = default);

    /// <summary>Marks a redemption cancelled, unless it already is.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="redemptionId">The id.</param>
    /// <param name="cancelledAt">When.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored redemption after the call (cancelled), or null when unknown.</returns>
    ValueTask<RewardRedemption?> MarkCancelledAsync(ProgramId programId, RedemptionId redemptionId, Instant cancelledAt, CancellationToken cancellationToken = default);

    /// <summary>Lists a member's redemptions, oldest first.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The redemptions.</returns>
    ValueTask<IReadOnlyList<RewardRedemption>> ListRedemptionsAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);
}
