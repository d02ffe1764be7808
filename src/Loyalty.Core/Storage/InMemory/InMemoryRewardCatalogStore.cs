using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using NodaTime;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>
/// A thread-safe, in-process <see cref="IRewardCatalogStore"/>: the default store, for tests,
/// samples and single-process shops that accept losing state on restart.
/// </summary>
/// <remarks>One lock guards the store; every member completes synchronously.</remarks>
public sealed partial class InMemoryRewardCatalogStore : IRewardCatalogStore
{
    private readonly object gate = new();
    private readonly Dictionary<ProgramId, RewardCatalog> catalogs = [];
    private readonly Dictionary<(ProgramId, RewardId), HashSet<RedemptionId>> claims = [];
    private readonly Dictionary<(ProgramId, RedemptionId), RewardRedemption> redemptions = [];
    private readonly Dictionary<(ProgramId, MemberId), List<RedemptionId>> byMember = [];

    /// <inheritdoc />
    public ValueTask<RewardCatalog> GetCatalogAsync(ProgramId programId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(catalogs.GetValueOrDefault(programId) ?? RewardCatalog.Empty);
        }
    }

    /// <inheritdoc />
    public ValueTask SaveCatalogAsync(ProgramId programId, RewardCatalog catalog, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(catalog);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            catalogs[programId] = catalog;
        }

        return default;
    }

    /// <inheritdoc />
    public ValueTask<StockClaimStatus> ClaimStockAsync(ProgramId programId, RewardId rewardId, RedemptionId redemptionId, long stock, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!claims.TryGetValue((programId, rewardId), out var set))
            {
                set = [];
                claims[(programId, rewardId)] = set;
            }

            if (set.Contains(redemptionId))
            {
                return new(StockClaimStatus.AlreadyClaimed);
            }

            if (set.Count >= stock)
            {
                return new(StockClaimStatus.OutOfStock);
            }

            set.Add(redemptionId);
            return new(StockClaimStatus.Claimed);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ReturnStockAsync(ProgramId programId, RewardId rewardId, RedemptionId redemptionId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            claimRecords.Remove((programId, redemptionId));
            return new(claims.TryGetValue((programId, rewardId), out var set) && set.Remove(redemptionId));
        }
    }

    /// <inheritdoc />
    public ValueTask<long> CountClaimedAsync(ProgramId programId, RewardId rewardId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(claims.TryGetValue((programId, rewardId), out var set) ? set.Count : 0L);
        }
    }

    /// <inheritdoc />
    public ValueTask<RewardRedemption> AddRedemptionAsync(RewardRedemption redemption, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(redemption);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var key = (redemption.ProgramId, redemption.Id);
            if (redemptions.TryGetValue(key, out var existing))
            {
                return new(existing);
            }

            redemptions[key] = redemption;
            if (!byMember.TryGetValue((redemption.ProgramId, redemption.MemberId), out var list))
            {
                list = [];
                byMember[(redemption.ProgramId, redemption.MemberId)] = list;
            }

            list.Add(redemption.Id);
            return new(redemption);
        }
    }

    /// <inheritdoc />
    public ValueTask<RewardRedemption?> GetRedemptionAsync(ProgramId programId, RedemptionId redemptionId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(redemptions.GetValueOrDefault((programId, redemptionId)));
        }
    }

    /// <inheritdoc />
    public ValueTask<RewardRedemption?> MarkCancelledAsync(ProgramId programId, RedemptionId redemptionId, Instant cancelledAt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!redemptions.TryGetValue((programId, redemptionId), out var existing))
            {
                return new((RewardRedemption?)null);
            }

            if (existing.Status == RedemptionStatus.Cancelled)
            {
                return new(existing);
            }

            var cancelled = existing with { Status = RedemptionStatus.Cancelled, CancelledAt = cancelledAt };
            redemptions[(programId, redemptionId)] = cancelled;
            return new(cancelled);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RewardRedemption>> ListRedemptionsAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            IReadOnlyList<RewardRedemption> result = byMember.TryGetValue((programId, memberId), out var list)
                ? list.Select(id => redemptions[(programId, id)]).ToArray()
                : [];
            return new(result);
        }
    }
}
