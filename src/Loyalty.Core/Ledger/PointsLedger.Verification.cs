using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;

namespace Loyalty.Core.Ledger;

/// <content>Tamper evidence: verifying the accounts' hash chains.</content>
public sealed partial class PointsLedger
{
    private const int VerificationPageSize = 500;

    /// <summary>
    /// Verifies a member's hash chain: reads the account's log in pages, recomputes each
    /// transaction's link from its content and the previous link, and compares it with the stored
    /// one; then checks that the head ends at the last transaction. Reports the first broken link.
    /// </summary>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The verification: intact, or the first break (transaction id, position, expected and found hash).</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default.</exception>
    /// <remarks>Reads the account's whole history (cost linear in it): run it on demand or in a periodic audit, not per request.
    /// Transactions written before the chain existed (no hash) are accepted at the start of the log only.</remarks>
    public async Task<LedgerVerification> VerifyAccountAsync(MemberId memberId, CancellationToken cancellationToken = default)
    {
        CheckId(memberId, nameof(memberId));
        var key = new LedgerAccountKey(settings.ProgramId, memberId);
        var head = await store.GetHeadAsync(key, cancellationToken).ConfigureAwait(false);
        return await LedgerChainVerifier.VerifyAsync(store, key, head, VerificationPageSize, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A verification pass over every account of the programme (paged by member id), for a periodic
    /// audit: each account's chain is verified as by <see cref="VerifyAccountAsync"/>.
    /// </summary>
    /// <param name="progress">Told of each account verified, if given.</param>
    /// <param name="cancellationToken">Cancels the pass between accounts.</param>
    /// <returns>The accounts and transactions checked and every broken account with its first break.</returns>
    /// <exception cref="NotSupportedException">The ledger store cannot list accounts (it does not implement <see cref="ILedgerSnapshotSource"/>; the in-memory and EF Core stores do).</exception>
    public async Task<LedgerVerificationReport> VerifyProgramAsync(IProgress<LedgerVerification>? progress = null, CancellationToken cancellationToken = default)
    {
        var source = store as ILedgerSnapshotSource ?? throw new NotSupportedException(
            $"The ledger store {store.GetType().Name} cannot list a programme's accounts: implement {nameof(ILedgerSnapshotSource)} on it, or verify members one by one with {nameof(VerifyAccountAsync)}.");
        long accounts = 0, transactions = 0;
        var broken = new List<LedgerVerification>();
        MemberId? after = null;
        while (true)
        {
            var page = await source.ReadAccountSnapshotsAsync(settings.ProgramId, after, VerificationPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var snapshot in page)
            {
                var head = snapshot.Head!;
                var key = new LedgerAccountKey(settings.ProgramId, head.MemberId);
                var verification = await LedgerChainVerifier.VerifyAsync(store, key, head, VerificationPageSize, cancellationToken).ConfigureAwait(false);
                accounts++;
                transactions += verification.TransactionsChecked;
                if (!verification.IsIntact)
                {
                    broken.Add(verification);
                }

                progress?.Report(verification);
                after = head.MemberId;
            }

            if (page.Count < VerificationPageSize)
            {
                return new LedgerVerificationReport(accounts, transactions, broken);
            }
        }
    }
}
