using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;

namespace Loyalty.Core.DataRights;

/// <summary>
/// The ledger's part: the account's head (balances), every transaction, lot and hold. A rewrite
/// re-keys the whole account and re-seals its hash chain under the new key; amounts, kinds,
/// instants, versions and lot movements are written back as read, so the programme's totals and
/// liability do not move by a point.
/// </summary>
internal sealed class LedgerParticipant(ILedgerStore store) : IMemberDataParticipant
{
    private const int PageSize = 500;

    private ILedgerDataStore DataStore => store as ILedgerDataStore
        ?? throw new InvalidOperationException($"The ledger store {store.GetType().Name} does not implement {nameof(ILedgerDataStore)}; implement it so that members can be exported, erased and rectified.");

    public string Section => "ledger";

    public async ValueTask<bool> HoldsDataAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        await store.GetHeadAsync(new LedgerAccountKey(programId, memberId), cancellationToken).ConfigureAwait(false) is not null;

    public async ValueTask<int> ExportAsync(MemberDataExport export, CancellationToken cancellationToken = default)
    {
        var key = new LedgerAccountKey(export.ProgramId, export.MemberId);
        var contents = await DataStore.ReadAccountContentsAsync(key, cancellationToken).ConfigureAwait(false);
        var w = export.Writer;
        var count = 0;
        w.WriteStartObject();
        w.WritePropertyName("account");
        ExportJson.Head(w, contents.Head);
        w.WriteStartArray("lots");
        foreach (var lot in contents.Lots)
        {
            ExportJson.Lot(export, lot);
            count++;
        }

        w.WriteEndArray();
        w.WriteStartArray("holds");
        foreach (var hold in contents.Holds)
        {
            ExportJson.Hold(export, hold);
            count++;
        }

        w.WriteEndArray();
        w.WriteStartArray("transactions");
        for (long after = 0; contents.Head is not null;)
        {
            var page = await store.ReadHistoryAsync(key, after, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var tx in page.Transactions)
            {
                ExportJson.Transaction(export, tx);
                count++;
            }

            await export.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (page.NextAfterVersion is not { } next)
            {
                break;
            }

            after = next;
        }

        w.WriteEndArray();
        w.WriteEndObject();
        return count;
    }

    public async ValueTask<MemberRewriteOutcome> RewriteAsync(MemberDataRewrite rewrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        var from = new LedgerAccountKey(rewrite.ProgramId, rewrite.From);
        var to = new LedgerAccountKey(rewrite.ProgramId, rewrite.To);
        var contents = await DataStore.ReadAccountContentsAsync(from, cancellationToken).ConfigureAwait(false);
        if (contents.Head is not { } head)
        {
            return MemberRewriteOutcome.NotFound;
        }

        var transactions = new List<LedgerTransactionRecord>((int)Math.Min(head.Version, 1 << 16));
        var link = default(LedgerHash);
        for (long after = 0; ;)
        {
            var page = await store.ReadHistoryAsync(from, after, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var tx in page.Transactions)
            {
                var moved = tx with
                {
                    MemberId = rewrite.To,
                    Id = rewrite.Map(tx.Id),
                    RelatedId = tx.RelatedId is { } related ? rewrite.Map(related) : null,
                    Reason = rewrite.Scrub(tx.Reason),
                    Actor = rewrite.Scrub(tx.Actor),
                    Movements = tx.Movements.Select(m => m with { LotId = rewrite.Map(m.LotId) }).ToArray(),
                    ChainHash = default,
                };
                if (!tx.ChainHash.IsNone)
                {
                    link = LedgerChain.Compute(link, moved);
                    moved = moved with { ChainHash = link };
                }

                transactions.Add(moved);
            }

            if (page.NextAfterVersion is not { } next)
            {
                break;
            }

            after = next;
        }

        if (transactions.Count != head.Version)
        {
            // The log moved on between the reads: retry from a consistent read.
            return new MemberRewriteOutcome(MemberRewriteStatus.Conflict, 0);
        }

        var status = await DataStore.RewriteAccountAsync(
            new LedgerAccountRewrite
            {
                From = from,
                ExpectedVersion = head.Version,
                To = to,
                Transactions = transactions,
                Lots = contents.Lots.Select(l => l with { LotId = rewrite.Map(l.LotId) }).ToArray(),
                Holds = contents.Holds.Select(h => h with { HoldId = rewrite.Map(h.HoldId), ClosedBy = h.ClosedBy is { } c ? rewrite.Map(c) : null }).ToArray(),
                Head = head with { MemberId = rewrite.To, ChainHash = link },
            },
            cancellationToken).ConfigureAwait(false);
        return new MemberRewriteOutcome(status, status == MemberRewriteStatus.Rewritten ? transactions.Count + contents.Lots.Count + contents.Holds.Count : 0);
    }
}
