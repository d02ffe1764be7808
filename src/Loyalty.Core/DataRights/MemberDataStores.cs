using Loyalty.Core.Engagement;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;

namespace Loyalty.Core.DataRights;

/// <summary>The outcome of a store's rewrite of one member's rows (erasure or rectification).</summary>
public enum MemberRewriteStatus
{
    /// <summary>The rows were replaced: nothing is left under the old id.</summary>
    Rewritten = 1,

    /// <summary>Nothing was written: the store holds nothing under the old id.</summary>
    NotFound = 2,

    /// <summary>Nothing was written: the rows moved on since they were read (a concurrent write); re-read and retry.</summary>
    Conflict = 3,

    /// <summary>Nothing was written: the new id is already used in the store.</summary>
    TargetExists = 4,
}

/// <summary>
/// One member's rows in the member store, rewritten under another id: the programme's erasure
/// (a random pseudonym, personal fields scrubbed, every id replaced) or rectification (the shop's
/// new id for the member).
/// </summary>
/// <remarks>Immutable. Every record carries <see cref="Member"/>'s id.</remarks>
public sealed record MemberRewrite
{
    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The id the rows are stored under now.</summary>
    public required MemberId From { get; init; }

    /// <summary>The version of the member record read; the rewrite is refused if it moved on.</summary>
    public required long ExpectedVersion { get; init; }

    /// <summary>The history version read; the rewrite is refused if it moved on.</summary>
    public required long ExpectedHistoryVersion { get; init; }

    /// <summary>The member's new record, under the new id (its version is the one stored as is).</summary>
    public required MemberRecord Member { get; init; }

    /// <summary>The member's orders, replacing every order of <see cref="From"/>.</summary>
    public required IReadOnlyList<OrderRecord> Orders { get; init; }

    /// <summary>The member's refunds, replacing every refund of <see cref="From"/>.</summary>
    public required IReadOnlyList<RefundRecord> Refunds { get; init; }

    /// <summary>The member's activities, replacing every activity of <see cref="From"/>.</summary>
    public required IReadOnlyList<ActivityRecord> Activities { get; init; }
}

/// <summary>
/// The data-rights capability of a member store (<see cref="IMemberStore"/>): what export, erasure and
/// rectification need beyond the store's ordinary operations. Implemented by the in-memory and EF Core
/// stores; a custom store implements it to take part.
/// </summary>
/// <remarks>Implementations must be thread-safe; every operation is atomic. Infrastructure faults throw <see cref="LoyaltyStoreException"/>.</remarks>
public interface IMemberDataStore
{
    /// <summary>Lists the members whose <see cref="MemberRecord.ReferredBy"/> is <paramref name="referrer"/>.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="referrer">The referring member.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The referred members, in ordinal id order.</returns>
    ValueTask<IReadOnlyList<MemberRecord>> ListReferredMembersAsync(ProgramId programId, MemberId referrer, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically replaces a member's record, orders, refunds and activities with <paramref name="rewrite"/>'s,
    /// carries the history version over to the new id, and points every member referred by the old id
    /// to the new one (their version incremented, so a writer holding the old record retries) — if the
    /// member is still at the expected versions and the new id holds nothing.
    /// </summary>
    /// <param name="rewrite">The rewrite.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Rewritten, or why nothing was written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rewrite"/> is null.</exception>
    ValueTask<MemberRewriteStatus> RewriteMemberAsync(MemberRewrite rewrite, CancellationToken cancellationToken = default);
}

/// <summary>Every row of a ledger account except its transactions (read those page by page).</summary>
/// <param name="Head">The head, or null when the account has no transaction.</param>
/// <param name="Lots">Every lot, open or closed, by sequence.</param>
/// <param name="Holds">Every hold, open or closed, by creation instant then id.</param>
public sealed record LedgerAccountContents(LedgerAccountHead? Head, IReadOnlyList<LedgerLotRecord> Lots, IReadOnlyList<LedgerHoldRecord> Holds);

/// <summary>A ledger account rewritten under another key, every row of it.</summary>
/// <remarks>Immutable. The transactions are the whole log (versions 1 … n), already chained under the new key.</remarks>
public sealed record LedgerAccountRewrite
{
    /// <summary>The account as stored now.</summary>
    public required LedgerAccountKey From { get; init; }

    /// <summary>The version read; the rewrite is refused if the account moved on.</summary>
    public required long ExpectedVersion { get; init; }

    /// <summary>The new account key (same programme).</summary>
    public required LedgerAccountKey To { get; init; }

    /// <summary>Every transaction, versions 1 … n, under <see cref="To"/>.</summary>
    public required IReadOnlyList<LedgerTransactionRecord> Transactions { get; init; }

    /// <summary>Every lot.</summary>
    public required IReadOnlyList<LedgerLotRecord> Lots { get; init; }

    /// <summary>Every hold.</summary>
    public required IReadOnlyList<LedgerHoldRecord> Holds { get; init; }

    /// <summary>The head under <see cref="To"/>.</summary>
    public required LedgerAccountHead Head { get; init; }
}

/// <summary>The data-rights capability of a ledger store (<see cref="ILedgerStore"/>).</summary>
/// <remarks>
/// The only operation that replaces ledger rows, and only to re-key a whole account: amounts, kinds,
/// instants, versions and lot movements are written back as read, so every total stays exact.
/// Implementations must be thread-safe; every operation is atomic.
/// </remarks>
public interface ILedgerDataStore
{
    /// <summary>Reads an account's head and every lot and hold, open or closed, consistently with each other.</summary>
    /// <param name="account">The account.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The contents; an account with no transaction has a null head and empty lists.</returns>
    ValueTask<LedgerAccountContents> ReadAccountContentsAsync(LedgerAccountKey account, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically deletes every row of <see cref="LedgerAccountRewrite.From"/> and writes the rewrite's rows
    /// under <see cref="LedgerAccountRewrite.To"/>, if the account is still at the expected version, the new
    /// key has no transaction and no new transaction id is used elsewhere in the programme.
    /// </summary>
    /// <param name="rewrite">The rewrite.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Rewritten, or why nothing was written (a used transaction id is <see cref="MemberRewriteStatus.TargetExists"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rewrite"/> is null.</exception>
    ValueTask<MemberRewriteStatus> RewriteAccountAsync(LedgerAccountRewrite rewrite, CancellationToken cancellationToken = default);
}

/// <summary>What one key (an order's or activity's ledger transaction) holds of a rule's campaign budget.</summary>
/// <param name="RuleId">The rule with the budget.</param>
/// <param name="Key">The ledger transaction.</param>
/// <param name="Points">The points held.</param>
public readonly record struct CampaignReservation(RuleId RuleId, TransactionId Key, Points Points);

/// <summary>The data-rights capability of a campaign budget store (<see cref="ICampaignBudgetStore"/>).</summary>
/// <remarks>Reservations name no member; their keys are ledger transaction ids, which erasure replaces.</remarks>
public interface ICampaignBudgetDataStore
{
    /// <summary>Lists the reservations held by the given keys.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="keys">The keys.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The reservations, by key then rule.</returns>
    ValueTask<IReadOnlyList<CampaignReservation>> ListReservationsAsync(ProgramId programId, IReadOnlyCollection<TransactionId> keys, CancellationToken cancellationToken = default);

    /// <summary>Atomically moves the reservations of each old key to its new key; the points and every rule's usage stay the same.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="renames">Old key → new key; a new key must hold nothing.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The number of reservations moved.</returns>
    ValueTask<int> RenameKeysAsync(ProgramId programId, IReadOnlyDictionary<TransactionId, TransactionId> renames, CancellationToken cancellationToken = default);
}

/// <summary>A redemption rewritten: the id it is stored under, and its new content (new id, member, code, transaction).</summary>
/// <param name="OldId">The stored redemption's id.</param>
/// <param name="Replacement">The new redemption.</param>
public sealed record RedemptionRewrite(RedemptionId OldId, RewardRedemption Replacement);

/// <summary>The data-rights capability of a reward catalogue store (<see cref="IRewardCatalogStore"/>): its redemptions and stock claims.</summary>
public interface IRedemptionDataStore
{
    /// <summary>
    /// Atomically replaces a member's redemptions with the rewrites and moves each stock claim of an old
    /// redemption id to its new id (the number of units claimed per reward stays the same).
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="from">The member the redemptions are stored under now.</param>
    /// <param name="rewrites">One per redemption of <paramref name="from"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Rewritten; <see cref="MemberRewriteStatus.Conflict"/> when the member's redemptions are not exactly those rewritten (one was added since).</returns>
    ValueTask<MemberRewriteStatus> RewriteRedemptionsAsync(ProgramId programId, MemberId from, IReadOnlyList<RedemptionRewrite> rewrites, CancellationToken cancellationToken = default);
}

/// <summary>The data-rights capability of a consent store (<see cref="IConsentStore"/>).</summary>
public interface IConsentDataStore
{
    /// <summary>Atomically replaces every consent record of a member with <paramref name="replacement"/>.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="from">The member the records are stored under now.</param>
    /// <param name="expectedCount">The number of records read; refused with <see cref="MemberRewriteStatus.Conflict"/> when it changed.</param>
    /// <param name="replacement">The new records (all of one new member id).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Rewritten, or why not.</returns>
    ValueTask<MemberRewriteStatus> RewriteConsentsAsync(ProgramId programId, MemberId from, int expectedCount, IReadOnlyList<ConsentRecord> replacement, CancellationToken cancellationToken = default);
}

/// <summary>The data-rights capability of a contact history store (<see cref="IContactHistoryStore"/>).</summary>
public interface IContactHistoryDataStore
{
    /// <summary>Atomically replaces every contact record of a member with <paramref name="replacement"/>.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="from">The member the records are stored under now.</param>
    /// <param name="expectedCount">The number of records read; refused with <see cref="MemberRewriteStatus.Conflict"/> when it changed.</param>
    /// <param name="replacement">The new records (all of one new member id, message ids unused).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Rewritten, or why not.</returns>
    ValueTask<MemberRewriteStatus> RewriteContactsAsync(ProgramId programId, MemberId from, int expectedCount, IReadOnlyList<ContactRecord> replacement, CancellationToken cancellationToken = default);
}

/// <summary>
/// The re-keying capability of a reward code store (<see cref="IRewardCodeStore"/>), for a rectification:
/// an erasure deletes the member's codes (<see cref="IRewardCodeStore.EraseMemberCodesAsync"/>). A store
/// without it lets members with codes be exported and erased, but not rectified.
/// </summary>
public interface IRewardCodeDataStore
{
    /// <summary>Atomically moves every code of <paramref name="from"/> (with its uses) to <paramref name="to"/>.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="from">The member the codes are issued to now.</param>
    /// <param name="to">The member they move to.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The number of codes moved.</returns>
    ValueTask<int> RenameMemberCodesAsync(ProgramId programId, MemberId from, MemberId to, CancellationToken cancellationToken = default);
}
