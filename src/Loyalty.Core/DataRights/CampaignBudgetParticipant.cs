using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;

namespace Loyalty.Core.DataRights;

/// <summary>
/// The campaign budgets' part: the reservations held by the member's orders and activities. They name
/// no member, but their keys are the member's ledger transaction ids, which a rewrite replaces; the
/// points reserved per rule (the budgets' usage) do not change.
/// </summary>
internal sealed class CampaignBudgetParticipant(ICampaignBudgetStore store, IMemberStore members) : IMemberDataParticipant
{
    private ICampaignBudgetDataStore DataStore => store as ICampaignBudgetDataStore
        ?? throw new InvalidOperationException($"The campaign budget store {store.GetType().Name} does not implement {nameof(ICampaignBudgetDataStore)}; implement it so that members can be exported, erased and rectified.");

    public string Section => "campaignBudgets";

    public async ValueTask<bool> HoldsDataAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        (await DataStore.ListReservationsAsync(programId, await KeysAsync(programId, memberId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)).Count > 0;

    public async ValueTask<int> ExportAsync(MemberDataExport export, CancellationToken cancellationToken = default)
    {
        var keys = await KeysAsync(export.ProgramId, export.MemberId, cancellationToken).ConfigureAwait(false);
        var reservations = await DataStore.ListReservationsAsync(export.ProgramId, keys, cancellationToken).ConfigureAwait(false);
        export.Writer.WriteStartArray();
        foreach (var reservation in reservations)
        {
            ExportJson.Reservation(export, reservation);
        }

        export.Writer.WriteEndArray();
        return reservations.Count;
    }

    public async ValueTask<MemberRewriteOutcome> RewriteAsync(MemberDataRewrite rewrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rewrite);

        // Runs after the member and ledger stores: the keys are the transaction ids this request mapped
        // while rewriting them, so every order or activity the member store moved has its reservations
        // moved too, even one that landed after this request began (its rows were read when rewritten).
        var mapped = rewrite.MappedIds().Where(m => m.Key != m.Value).ToArray();
        if (mapped.Length == 0)
        {
            return MemberRewriteOutcome.NotFound;
        }

        var held = await DataStore.ListReservationsAsync(rewrite.ProgramId, mapped.Select(m => TransactionId.From(m.Key)).ToArray(), cancellationToken).ConfigureAwait(false);
        var keys = held.Select(r => r.Key).ToHashSet();
        if (keys.Count == 0)
        {
            return MemberRewriteOutcome.NotFound;
        }

        var renames = keys.ToDictionary(k => k, rewrite.Map);
        var moved = await DataStore.RenameKeysAsync(rewrite.ProgramId, renames, cancellationToken).ConfigureAwait(false);
        return moved == 0 ? MemberRewriteOutcome.NotFound : new MemberRewriteOutcome(MemberRewriteStatus.Rewritten, moved);
    }

    /// <summary>The budget keys of the member: the ledger transactions of its orders and activities.</summary>
    private async ValueTask<IReadOnlyCollection<TransactionId>> KeysAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken)
    {
        var history = await members.GetHistoryAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        var keys = new HashSet<TransactionId>();
        foreach (var order in history.Orders)
        {
            keys.Add(order.TransactionId);
        }

        foreach (var activity in history.Activities)
        {
            if (activity.TransactionId is { } tx)
            {
                keys.Add(tx);
            }
        }

        return keys;
    }
}
