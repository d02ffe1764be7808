using Loyalty.Core.DataRights;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore;

/// <content>
/// The <see cref="ILedgerDataStore"/> capability: an account's whole contents, and the re-keying of an
/// account for a member's erasure or rectification.
/// </content>
/// <remarks>
/// The rewrite is the one operation that deletes ledger rows. It runs in one database transaction (or
/// behind a savepoint in the shop's): the head is locked at the version read (<c>UPDATE … WHERE version = @expected</c>),
/// the new key and the new transaction ids are checked, the account's rows are deleted through the
/// documented way past the append-only guards (see <see cref="LoyaltyDatabaseGuards"/>), which is closed
/// again at once, and the rows are inserted under the new key with the hash chain the caller sealed again.
/// </remarks>
public sealed partial class EntityFrameworkLedgerStore : ILedgerDataStore
{
    private StoreSession? session;

    private StoreSession Session => session ??= new StoreSession(context, "ledger store");

    /// <inheritdoc />
    public async ValueTask<LedgerAccountContents> ReadAccountContentsAsync(LedgerAccountKey account, CancellationToken cancellationToken = default)
    {
        var (program, member) = Key(account);
        return await Guard(async ct =>
        {
            // One statement, so the head, lots and holds are consistent with each other.
            var found = await AccountRows
                .Where(a => a.ProgramId == program && a.MemberId == member)
                .Select(a => new
                {
                    Head = a,
                    Lots = context.Set<LedgerLotRow>().Where(l => l.ProgramId == a.ProgramId && l.MemberId == a.MemberId).OrderBy(l => l.Sequence).ToList(),
                    Holds = context.Set<LedgerHoldRow>().Where(h => h.ProgramId == a.ProgramId && h.MemberId == a.MemberId).ToList(),
                })
                .AsSingleQuery()
                .FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (found is null)
            {
                return new LedgerAccountContents(null, [], []);
            }

            // Holds by creation instant then id, ordinal whatever the database's collation.
            var holds = found.Holds.ConvertAll(LedgerMapping.ToRecord);
            holds.Sort((a, b) => a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : string.CompareOrdinal(a.HoldId.Value, b.HoldId.Value));
            return new LedgerAccountContents(LedgerMapping.ToRecord(found.Head), found.Lots.ConvertAll(LedgerMapping.ToRecord), holds);
        }, "read the contents of " + account, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The rewrite moves the account to another programme, or a row of it is not under <see cref="LedgerAccountRewrite.To"/>.</exception>
    public async ValueTask<MemberRewriteStatus> RewriteAccountAsync(LedgerAccountRewrite rewrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        cancellationToken.ThrowIfCancellationRequested();
        var (program, from) = Key(rewrite.From);
        var (_, to) = Key(rewrite.To);
        Check(rewrite);

        var head = LedgerMapping.ToRow(rewrite.Head);
        var transactions = rewrite.Transactions.Select(LedgerMapping.ToRow).ToArray();
        var movements = rewrite.Transactions.SelectMany(tx => tx.Movements.Select((m, i) => LedgerMapping.ToRow(tx, i, m))).ToArray();
        var lots = rewrite.Lots.Select(l => LedgerMapping.ToRow(rewrite.To, l)).ToArray();
        var holds = rewrite.Holds.Select(h => LedgerMapping.ToRow(rewrite.To, h)).ToArray();
        var newIds = transactions.Select(t => t.Id).ToArray();
        var expected = rewrite.ExpectedVersion;

        return await Session.WriteAsync(
            async (tx, ct) =>
            {
                // The programme writes a member's row before its account (an order: the member's state, then its
                // points); lock them in that order too, so that an erasure racing an order of the member waits for
                // it instead of deadlocking with it. The member row is left as it is.
                await context.Set<MemberRow>()
                    .Where(m => m.ProgramId == program && m.MemberId == from)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.Version, m => m.Version), ct).ConfigureAwait(false);

                // Then the head, at the version read: it stays locked until the end, so no append lands in between.
                var locked = await context.Set<LedgerAccountRow>()
                    .Where(a => a.ProgramId == program && a.MemberId == from && a.Version == expected)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Version, a => a.Version), ct).ConfigureAwait(false);
                if (locked != 1)
                {
                    var exists = await AccountRows.AnyAsync(a => a.ProgramId == program && a.MemberId == from, ct).ConfigureAwait(false);
                    return (exists ? MemberRewriteStatus.Conflict : MemberRewriteStatus.NotFound, false);
                }

                if (to != from && await AccountRows.AnyAsync(a => a.ProgramId == program && a.MemberId == to, ct).ConfigureAwait(false))
                {
                    return (MemberRewriteStatus.TargetExists, false);
                }

                if (await RowBatches.AnyAsync(newIds, (ids, c) => TransactionRows.AnyAsync(t => t.ProgramId == program && ids.Contains(t.Id) && t.MemberId != from, c), ct).ConfigureAwait(false))
                {
                    return (MemberRewriteStatus.TargetExists, false);
                }

                // The account's rows go, through the one way past the append-only guards, closed again at once.
                var guard = await LedgerRewriteGuard.OpenAsync(context, tx, program, from, ct).ConfigureAwait(false);
                await context.Set<LedgerMovementRow>().Where(m => m.ProgramId == program && m.MemberId == from).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                await context.Set<LedgerTransactionRow>().Where(t => t.ProgramId == program && t.MemberId == from).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                await guard.CloseAsync(ct).ConfigureAwait(false);
                await context.Set<LedgerLotRow>().Where(l => l.ProgramId == program && l.MemberId == from).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                await context.Set<LedgerHoldRow>().Where(h => h.ProgramId == program && h.MemberId == from).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                await context.Set<LedgerAccountRow>().Where(a => a.ProgramId == program && a.MemberId == from).ExecuteDeleteAsync(ct).ConfigureAwait(false);

                // Then the account under its new key, every figure as read, the chain sealed again by the caller.
                await RowBatches.InsertAsync(Session, tx, [head], ct).ConfigureAwait(false);
                await RowBatches.InsertAsync(Session, tx, transactions, ct).ConfigureAwait(false);
                await RowBatches.InsertAsync(Session, tx, movements, ct).ConfigureAwait(false);
                await RowBatches.InsertAsync(Session, tx, lots, ct).ConfigureAwait(false);
                await RowBatches.InsertAsync(Session, tx, holds, ct).ConfigureAwait(false);
                return (MemberRewriteStatus.Rewritten, true);
            },
            async ct =>
            {
                // A racing writer took the new key or a new id between the checks and the inserts.
                var taken = await AccountRows.AnyAsync(a => a.ProgramId == program && a.MemberId == to, ct).ConfigureAwait(false)
                    || await RowBatches.AnyAsync(newIds, (ids, c) => TransactionRows.AnyAsync(t => t.ProgramId == program && ids.Contains(t.Id) && t.MemberId != from, c), ct).ConfigureAwait(false);
                return (taken, MemberRewriteStatus.TargetExists);
            },
            $"rewrite {rewrite.From} as {rewrite.To}",
            cancellationToken).ConfigureAwait(false);
    }

    private static void Check(LedgerAccountRewrite rewrite)
    {
        if (rewrite.From.ProgramId != rewrite.To.ProgramId)
        {
            throw new ArgumentException($"An account is rewritten within its programme: From is in programme '{rewrite.From.ProgramId}' but To is in '{rewrite.To.ProgramId}'.", nameof(rewrite));
        }

        if (rewrite.Head.ProgramId != rewrite.To.ProgramId || rewrite.Head.MemberId != rewrite.To.MemberId)
        {
            throw new ArgumentException($"The rewrite's head is the account {rewrite.Head.ProgramId}/{rewrite.Head.MemberId}, not {rewrite.To}; give it the new key.", nameof(rewrite));
        }

        for (var i = 0; i < rewrite.Transactions.Count; i++)
        {
            var tx = rewrite.Transactions[i];
            if (tx.ProgramId != rewrite.To.ProgramId || tx.MemberId != rewrite.To.MemberId || tx.Version != i + 1)
            {
                throw new ArgumentException($"The rewrite's transactions must be versions 1 to {rewrite.Transactions.Count} of {rewrite.To} in order; transaction '{tx.Id}' at position {i} is version {tx.Version} of {tx.ProgramId}/{tx.MemberId}.", nameof(rewrite));
            }
        }
    }
}
