using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// An <see cref="IRewardCatalogStore"/> on EF Core, in the shop's own <see cref="DbContext"/>: one row
/// per reward (in catalogue order), per unit of stock claimed, and per redemption.
/// </summary>
/// <remarks>
/// <para>Saving a catalogue replaces its rows in one transaction. A stock claim takes a numbered
/// unit below the reward's stock; the unit number is a unique key, so racing claims never take more
/// units than there are, and the redemption id is the claim's key, so a retried claim takes nothing
/// more. Inserting a redemption is idempotent by its id, also between racing writers.</para>
/// <para>Writes run in one database transaction, or behind a savepoint in the shop's transaction;
/// the store bypasses the change tracker. Like its context, an instance is not thread-safe: use one
/// per scope. Provider faults are thrown as <see cref="LoyaltyStoreException"/>.</para>
/// </remarks>
public sealed partial class EntityFrameworkRewardCatalogStore : IRewardCatalogStore
{
    private const int ClaimAttempts = 16;
    private readonly StoreSession session;

    /// <summary>Creates a store on <paramref name="context"/>.</summary>
    /// <param name="context">The shop's context; its model must include the loyalty model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context's model has no loyalty tables.</exception>
    public EntityFrameworkRewardCatalogStore(DbContext context)
    {
        session = new StoreSession(context, "reward catalogue store");
    }

    /// <inheritdoc />
    public async ValueTask<RewardCatalog> GetCatalogAsync(ProgramId programId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var rows = await session.ReadAsync(
            ct => session.Rows<RewardRow>().Where(r => r.ProgramId == program).OrderBy(r => r.Position).ToListAsync(ct),
            "read the catalogue of programme " + programId,
            cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? RewardCatalog.Empty : RewardCatalog.Create(rows.ConvertAll(RewardMapping.ToReward));
    }

    /// <inheritdoc />
    public async ValueTask SaveCatalogAsync(ProgramId programId, RewardCatalog catalog, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var program = programId.Value;
        var rows = catalog.Rewards.Select((r, i) => RewardMapping.ToRow(programId, i, r)).ToList();
        await session.WriteAsync(
            async (tx, ct) =>
            {
                await session.Rows<RewardRow>().Where(r => r.ProgramId == program).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                if (rows.Count > 0)
                {
                    await session.ExecuteAsync(tx, w => rows.ForEach(w.Insert), ct).ConfigureAwait(false);
                }

                return (true, true);
            },
            _ => Task.FromResult((false, false)),
            "save the catalogue of programme " + programId,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<StockClaimStatus> ClaimStockAsync(ProgramId programId, RewardId rewardId, RedemptionId redemptionId, long stock, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var reward = rewardId.Value;
        var redemption = redemptionId.Value;
        var what = $"claim a unit of reward '{rewardId}' for redemption '{redemptionId}'";
        for (var attempt = 1; ; attempt++)
        {
            // The units taken, then the lowest free one: a racing claim of the same unit fails on
            // its unique key, and this claim looks again.
            var units = await session.ReadAsync(
                ct => session.Rows<StockClaimRow>().Where(c => c.ProgramId == program && c.RewardId == reward)
                    .Select(c => new { c.Unit, c.RedemptionId }).ToListAsync(ct),
                what,
                cancellationToken).ConfigureAwait(false);
            if (units.Exists(u => u.RedemptionId == redemption))
            {
                return StockClaimStatus.AlreadyClaimed;
            }

            if (units.Count >= stock)
            {
                return StockClaimStatus.OutOfStock;
            }

            var taken = units.Select(u => u.Unit).ToHashSet();
            long unit = 0;
            while (taken.Contains(unit))
            {
                unit++;
            }

            if (unit >= stock)
            {
                return StockClaimStatus.OutOfStock;
            }

            var row = new StockClaimRow { ProgramId = program, RewardId = reward, Unit = unit, RedemptionId = redemption };
            var last = attempt == ClaimAttempts;
            var (done, status) = await session.WriteAsync(
                async (tx, ct) =>
                {
                    await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false);
                    return ((true, StockClaimStatus.Claimed), true);
                },
                async ct =>
                {
                    var mine = await session.Rows<StockClaimRow>().AnyAsync(c => c.ProgramId == program && c.RewardId == reward && c.RedemptionId == redemption, ct).ConfigureAwait(false);
                    var unitTaken = await session.Rows<StockClaimRow>().AnyAsync(c => c.ProgramId == program && c.RewardId == reward && c.Unit == unit, ct).ConfigureAwait(false);
                    return mine ? (true, (true, StockClaimStatus.AlreadyClaimed))
                        : unitTaken && !last ? (true, (false, default))
                        : (false, default);
                },
                what,
                cancellationToken).ConfigureAwait(false);
            if (done)
            {
                return status;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> ReturnStockAsync(ProgramId programId, RewardId rewardId, RedemptionId redemptionId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var reward = rewardId.Value;
        var redemption = redemptionId.Value;
        var deleted = await session.ReadAsync(
            ct => session.Rows<StockClaimRow>().Where(c => c.ProgramId == program && c.RewardId == reward && c.RedemptionId == redemption).ExecuteDeleteAsync(ct),
            $"return the unit of reward '{rewardId}' held by redemption '{redemptionId}'",
            cancellationToken).ConfigureAwait(false);
        return deleted > 0;
    }

    /// <inheritdoc />
    public async ValueTask<long> CountClaimedAsync(ProgramId programId, RewardId rewardId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var reward = rewardId.Value;
        return await session.ReadAsync(
            ct => session.Rows<StockClaimRow>().LongCountAsync(c => c.ProgramId == program && c.RewardId == reward, ct),
            $"count the units of reward '{rewardId}'",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<RewardRedemption> AddRedemptionAsync(RewardRedemption redemption, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(redemption);
        var existing = await GetRedemptionAsync(redemption.ProgramId, redemption.Id, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing;
        }

        var row = RewardMapping.ToRow(redemption);
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false);
                return (redemption, true);
            },
            async ct => await FindAsync(row.ProgramId, row.RedemptionId, ct).ConfigureAwait(false) is { } stored ? (true, stored) : (false, redemption),
            $"add redemption '{redemption.Id}'",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<RewardRedemption?> GetRedemptionAsync(ProgramId programId, RedemptionId redemptionId, CancellationToken cancellationToken = default)
        => await session.ReadAsync(ct => FindAsync(programId.Value, redemptionId.Value, ct), $"read redemption '{redemptionId}'", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<RewardRedemption?> MarkCancelledAsync(ProgramId programId, RedemptionId redemptionId, Instant cancelledAt, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var id = redemptionId.Value;
        var active = (int)RedemptionStatus.Active;
        var cancelled = (int)RedemptionStatus.Cancelled;
        var at = LedgerMapping.Ticks(cancelledAt);
        var what = $"cancel redemption '{redemptionId}'";

        // Only an active redemption changes, so the first cancellation's instant stays.
        await session.ReadAsync(
            ct => session.Rows<RedemptionRow>().Where(r => r.ProgramId == program && r.RedemptionId == id && r.Status == active)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, cancelled).SetProperty(r => r.CancelledAt, at), ct),
            what,
            cancellationToken).ConfigureAwait(false);
        return await session.ReadAsync(ct => FindAsync(program, id, ct), what, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RewardRedemption>> ListRedemptionsAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var member = memberId.Value;
        var rows = await session.ReadAsync(
            ct => session.Rows<RedemptionRow>().Where(r => r.ProgramId == program && r.MemberId == member)
                .OrderBy(r => r.RedeemedAt).ThenBy(r => r.RedemptionId).ToListAsync(ct),
            $"list the redemptions of member '{memberId}'",
            cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(RewardMapping.ToRecord);
    }

    private async Task<RewardRedemption?> FindAsync(string program, string id, CancellationToken cancellationToken)
    {
        var row = await session.Rows<RedemptionRow>().FirstOrDefaultAsync(r => r.ProgramId == program && r.RedemptionId == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : RewardMapping.ToRecord(row);
    }
}
