using Loyalty.Core.DataRights;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore;

/// <content>The <see cref="ICampaignBudgetDataStore"/> capability: reservations listed and re-keyed by their transaction ids.</content>
public sealed partial class EntityFrameworkCampaignBudgetStore : ICampaignBudgetDataStore
{
    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<CampaignReservation>> ListReservationsAsync(ProgramId programId, IReadOnlyCollection<TransactionId> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return [];
        }

        var program = programId.Value;
        var ids = keys.Select(k => k.Value).Distinct().ToArray();
        var rows = await session.ReadAsync(
            ct => session.Rows<CampaignReservationRow>().Where(r => r.ProgramId == program && ids.Contains(r.TransactionId) && r.Points != 0).ToListAsync(ct),
            $"list the budget reservations of {ids.Length} key(s)",
            cancellationToken).ConfigureAwait(false);

        // Ordered here, not by the database, so that ids sort ordinally whatever its collation.
        return rows
            .OrderBy(r => r.TransactionId, StringComparer.Ordinal).ThenBy(r => r.RuleId, StringComparer.Ordinal)
            .Select(r => new CampaignReservation(RuleId.From(r.RuleId), TransactionId.From(r.TransactionId), Points.FromInt64(r.Points)))
            .ToArray();
    }

    /// <inheritdoc />
    public async ValueTask<int> RenameKeysAsync(ProgramId programId, IReadOnlyDictionary<TransactionId, TransactionId> renames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(renames);
        if (renames.Count == 0)
        {
            return 0;
        }

        var program = programId.Value;
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                // The rules' rows are not touched: a reservation keeps its points, so no rule's usage changes.
                var moved = 0;
                foreach (var (from, to) in renames)
                {
                    var old = from.Value;
                    var renamed = to.Value;
                    moved += await session.Rows<CampaignReservationRow>()
                        .Where(r => r.ProgramId == program && r.TransactionId == old)
                        .ExecuteUpdateAsync(s => s.SetProperty(r => r.TransactionId, renamed), ct).ConfigureAwait(false);
                }

                return (moved, true);
            },
            _ => Task.FromResult((false, 0)),
            $"re-key the budget reservations of {renames.Count} key(s)",
            cancellationToken).ConfigureAwait(false);
    }
}
