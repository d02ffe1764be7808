using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Economics;

/// <summary>
/// Reads a programme's accounts from a ledger store (<see cref="ILedgerSnapshotSource"/>) and
/// computes the liability with <see cref="LiabilityCalculator"/>: now from the open lots, or as of
/// a past instant by replaying each account's history.
/// </summary>
public static class LedgerLiability
{
    /// <summary>The liability from the accounts' current open lots and holds, at <paramref name="asOf"/> (at or after the last write).</summary>
    /// <param name="source">The store's snapshot read.</param>
    /// <param name="programId">The programme.</param>
    /// <param name="policy">The programme's expiry policy (<see cref="PointsLedger.ExpiryPolicy"/>).</param>
    /// <param name="zone">The programme's time zone.</param>
    /// <param name="asOf">The instant (usually the clock's now).</param>
    /// <param name="valuation">The cost per point.</param>
    /// <param name="tierOf">The member's tier (e.g. from the member store's tier status), or null.</param>
    /// <param name="merchantOf">The merchant of a lot, or null: one merchant.</param>
    /// <param name="pageSize">Accounts read per page, 1 to 100,000.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The report.</returns>
    public static async Task<LiabilityReport> ComputeAsync(
        ILedgerSnapshotSource source,
        ProgramId programId,
        ExpiryPolicy policy,
        DateTimeZone zone,
        Instant asOf,
        PointValuation valuation,
        Func<MemberId, TierId?>? tierOf = null,
        Func<LedgerLotRecord, MerchantId?>? merchantOf = null,
        int pageSize = 1_000,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(valuation);
        Internal.Preconditions.CheckInRange(pageSize, 1, 100_000);
        var accounts = new List<LiabilityAccount>();
        await foreach (var snapshot in ReadAllAsync(source, programId, pageSize, cancellationToken).ConfigureAwait(false))
        {
            accounts.Add(LiabilityAccount.FromSnapshot(snapshot, policy, zone, asOf, tierOf?.Invoke(snapshot.Head!.MemberId), merchantOf));
        }

        return LiabilityCalculator.Compute(accounts, asOf, zone, valuation);
    }

    /// <summary>The liability as it was at a past instant: each account's history replayed up to it (O(history)).</summary>
    /// <param name="source">The store's snapshot read (to list the accounts).</param>
    /// <param name="store">The ledger store (to read histories).</param>
    /// <param name="programId">The programme.</param>
    /// <param name="policy">The programme's expiry policy.</param>
    /// <param name="zone">The programme's time zone.</param>
    /// <param name="asOf">The past instant.</param>
    /// <param name="valuation">The cost per point.</param>
    /// <param name="tierOf">The member's tier at that instant, or null.</param>
    /// <param name="pageSize">Accounts read per page, 1 to 100,000.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The report.</returns>
    public static async Task<LiabilityReport> ComputeAsOfAsync(
        ILedgerSnapshotSource source,
        ILedgerStore store,
        ProgramId programId,
        ExpiryPolicy policy,
        DateTimeZone zone,
        Instant asOf,
        PointValuation valuation,
        Func<MemberId, TierId?>? tierOf = null,
        int pageSize = 1_000,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(valuation);
        Internal.Preconditions.CheckInRange(pageSize, 1, 100_000);
        var accounts = new List<LiabilityAccount>();
        await foreach (var snapshot in ReadAllAsync(source, programId, pageSize, cancellationToken).ConfigureAwait(false))
        {
            var member = snapshot.Head!.MemberId;
            var history = new List<LedgerTransactionRecord>();
            long after = 0;
            while (true)
            {
                var page = await store.ReadHistoryAsync(new LedgerAccountKey(programId, member), after, 1_000, cancellationToken).ConfigureAwait(false);
                history.AddRange(page.Transactions);
                if (page.NextAfterVersion is not { } next || (page.Transactions.Count > 0 && page.Transactions[^1].RecordedAt > asOf))
                {
                    break;
                }

                after = next;
            }

            if (LiabilityAccount.FromHistory(history, asOf, policy, zone, tierOf?.Invoke(member)) is { } account)
            {
                accounts.Add(account);
            }
        }

        return LiabilityCalculator.Compute(accounts, asOf, zone, valuation);
    }

    /// <summary>Every account snapshot of a programme, page by page (keyset on member id).</summary>
    /// <param name="source">The store's snapshot read.</param>
    /// <param name="programId">The programme.</param>
    /// <param name="pageSize">Accounts per page, 1 to 100,000.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The snapshots in member id order.</returns>
    public static async IAsyncEnumerable<LedgerAccountSnapshot> ReadAllAsync(ILedgerSnapshotSource source, ProgramId programId, int pageSize = 1_000, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        Internal.Preconditions.CheckInRange(pageSize, 1, 100_000);
        MemberId? after = null;
        while (true)
        {
            var page = await source.ReadAccountSnapshotsAsync(programId, after, pageSize, cancellationToken).ConfigureAwait(false);
            foreach (var snapshot in page)
            {
                yield return snapshot;
            }

            if (page.Count < pageSize)
            {
                yield break;
            }

            after = page[^1].Head!.MemberId;
        }
    }
}
