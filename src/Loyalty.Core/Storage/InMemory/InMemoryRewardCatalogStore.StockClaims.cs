using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using NodaTime;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>The in-memory store records who claimed each stock unit and when (see <see cref="IStockClaimRecovery"/>).</summary>
public sealed partial class InMemoryRewardCatalogStore : IStockClaimRecovery
{
    private readonly Dictionary<(ProgramId, RedemptionId), PendingStockClaim> claimRecords = [];

    /// <inheritdoc />
    public ValueTask<StockClaimStatus> ClaimRecordedStockAsync(ProgramId programId, RewardId rewardId, RedemptionId redemptionId, MemberId memberId, long stock, Instant claimedAt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var status = ClaimStockAsync(programId, rewardId, redemptionId, stock, cancellationToken).Result;
            if (status == StockClaimStatus.Claimed)
            {
                claimRecords[(programId, redemptionId)] = new PendingStockClaim(rewardId, redemptionId, memberId, claimedAt);
            }

            return new(status);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<PendingStockClaim>> ListClaimsWithoutRedemptionAsync(ProgramId programId, Instant claimedBefore, RedemptionId? afterRedemption, int maxCount, CancellationToken cancellationToken = default)
    {
        Internal.Preconditions.CheckInRange(maxCount, 1, int.MaxValue);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var after = afterRedemption?.Value;
            IReadOnlyList<PendingStockClaim> page = claimRecords
                .Where(c => c.Key.Item1 == programId && c.Value.ClaimedAt < claimedBefore && !redemptions.ContainsKey(c.Key)
                    && claims.TryGetValue((programId, c.Value.RewardId), out var set) && set.Contains(c.Key.Item2)
                    && (after is null || string.CompareOrdinal(c.Key.Item2.Value, after) > 0))
                .OrderBy(c => c.Key.Item2.Value, StringComparer.Ordinal)
                .Take(maxCount)
                .Select(c => c.Value)
                .ToList();
            return new(page);
        }
    }
}
