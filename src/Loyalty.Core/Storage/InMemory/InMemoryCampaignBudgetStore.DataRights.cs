using Loyalty.Core.DataRights;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage.InMemory;

/// <content>The <see cref="ICampaignBudgetDataStore"/> capability.</content>
public sealed partial class InMemoryCampaignBudgetStore : ICampaignBudgetDataStore
{
    /// <inheritdoc />
    public ValueTask<IReadOnlyList<CampaignReservation>> ListReservationsAsync(ProgramId programId, IReadOnlyCollection<TransactionId> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var found = new List<CampaignReservation>();
            foreach (var key in keys.OrderBy(k => k.Value, StringComparer.Ordinal))
            {
                if (held.TryGetValue((programId, key), out var rules))
                {
                    found.AddRange(rules.Where(r => r.Value != 0).OrderBy(r => r.Key.Value, StringComparer.Ordinal).Select(r => new CampaignReservation(r.Key, key, Points.FromInt64(r.Value))));
                }
            }

            return new(found);
        }
    }

    /// <inheritdoc />
    public ValueTask<int> RenameKeysAsync(ProgramId programId, IReadOnlyDictionary<TransactionId, TransactionId> renames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(renames);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var moved = 0;
            foreach (var (from, to) in renames)
            {
                if (held.Remove((programId, from), out var rules))
                {
                    held[(programId, to)] = rules;
                    moved += rules.Count;
                }
            }

            return new(moved);
        }
    }
}
