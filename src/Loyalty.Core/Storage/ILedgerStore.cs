using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Storage;

/// <summary>
/// Persists ledger accounts: an append-only log of transactions per account, plus projections
/// (head, lots, holds) written in the same atomic step. Small and dumb: every decision is the
/// ledger service's; the store only guarantees atomicity and the version check.
/// </summary>
/// <remarks>
/// <para>Implementations must be thread-safe. Outcomes a writer handles (duplicate id,
/// version conflict) are results; infrastructure faults throw <see cref="LoyaltyStoreException"/>.
/// Nothing half-written may ever be visible.</para>
/// <para>Transaction ids are unique per programme (not per account).</para>
/// </remarks>
public interface ILedgerStore
{
    /// <summary>Reads an account's head, open lots and open holds, consistently with each other.</summary>
    /// <param name="account">The account.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The snapshot; an account with no transaction has a null head and empty lists.</returns>
    ValueTask<LedgerAccountSnapshot> GetAccountAsync(LedgerAccountKey account, CancellationToken cancellationToken = default);

    /// <summary>Reads an account's head only (O(1)).</summary>
    /// <param name="account">The account.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The head, or null when the account has no transaction.</returns>
    ValueTask<LedgerAccountHead?> GetHeadAsync(LedgerAccountKey account, CancellationToken cancellationToken = default);

    /// <summary>Reads lots by id, open or not (reversals need closed lots).</summary>
    /// <param name="account">The account.</param>
    /// <param name="lotIds">The lot ids.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The lots found, in any order; unknown ids are skipped.</returns>
    ValueTask<IReadOnlyList<LedgerLotRecord>> GetLotsAsync(LedgerAccountKey account, IReadOnlyCollection<TransactionId> lotIds, CancellationToken cancellationToken = default);

    /// <summary>Reads one hold, open or not.</summary>
    /// <param name="account">The account.</param>
    /// <param name="holdId">The hold's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The hold, or null.</returns>
    ValueTask<LedgerHoldRecord?> GetHoldAsync(LedgerAccountKey account, TransactionId holdId, CancellationToken cancellationToken = default);

    /// <summary>Looks a transaction up by id within a programme.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="transactionId">The id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The transaction, or null.</returns>
    ValueTask<LedgerTransactionRecord?> FindTransactionAsync(ProgramId programId, TransactionId transactionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the transactions of an account whose <see cref="LedgerTransactionRecord.RelatedId"/> is
    /// <paramref name="relatedId"/> (the reversals of a transaction, the capture or release of a hold).
    /// </summary>
    /// <param name="account">The account.</param>
    /// <param name="relatedId">The related transaction's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The transactions in version order.</returns>
    ValueTask<IReadOnlyList<LedgerTransactionRecord>> FindRelatedAsync(LedgerAccountKey account, TransactionId relatedId, CancellationToken cancellationToken = default);

    /// <summary>Reads a page of an account's transactions in version order.</summary>
    /// <param name="account">The account.</param>
    /// <param name="afterVersion">Return transactions with a version greater than this (0 for the start).</param>
    /// <param name="maxCount">The page size, at least 1.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The page.</returns>
    ValueTask<LedgerHistoryPage> ReadHistoryAsync(LedgerAccountKey account, long afterVersion, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds accounts of a programme whose head's <see cref="LedgerAccountHead.NextExpiryAt"/> is at
    /// or before <paramref name="dueBy"/>, ordered by member id.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="dueBy">The instant.</param>
    /// <param name="afterMember">Return members after this one (ordinal), or null from the start; for paging.</param>
    /// <param name="maxCount">At most this many, at least 1.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The accounts.</returns>
    ValueTask<IReadOnlyList<LedgerAccountKey>> FindAccountsDueAsync(ProgramId programId, Instant dueBy, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the accounts of several members of a programme (head, open lots and open holds, each
    /// account consistent with itself), for batch runs: one call per page instead of one per member.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="members">The members.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One snapshot per member, in the order of <paramref name="members"/>; an account with no transaction has a null head and empty lists.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="members"/> is null.</exception>
    async ValueTask<IReadOnlyList<LedgerAccountSnapshot>> GetAccountsAsync(ProgramId programId, IReadOnlyList<MemberId> members, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        var snapshots = new LedgerAccountSnapshot[members.Count];
        for (var i = 0; i < snapshots.Length; i++)
        {
            snapshots[i] = await GetAccountAsync(new LedgerAccountKey(programId, members[i]), cancellationToken).ConfigureAwait(false);
        }

        return snapshots;
    }

    /// <summary>
    /// Atomically appends transactions and writes the head, lots and holds, if the account is
    /// still at the expected version and no transaction id is used in the programme.
    /// </summary>
    /// <param name="append">What to write.</param>
    /// <param name="cancellationToken">Cancels the write (before it happens).</param>
    /// <returns>Appended, duplicate (with the id) or version conflict; nothing is written unless appended.</returns>
    ValueTask<LedgerAppendResult> AppendAsync(LedgerAppend append, CancellationToken cancellationToken = default);
}
