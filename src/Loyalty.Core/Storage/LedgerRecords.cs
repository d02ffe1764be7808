using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Storage;

/// <summary>The kind of a ledger transaction, as persisted.</summary>
public enum LedgerTransactionKind
{
    /// <summary>Points earned: creates a lot, pending until its availability instant.</summary>
    Earn = 1,

    /// <summary>Points spent: consumes available lots soonest-expiry-first.</summary>
    Redeem = 2,

    /// <summary>Points reserved at checkout, until captured, released or lapsed.</summary>
    Hold = 3,

    /// <summary>All or part of a hold turned into a redemption.</summary>
    Capture = 4,

    /// <summary>A hold given back without spending.</summary>
    Release = 5,

    /// <summary>Lots that reached their expiry, written explicitly by maintenance.</summary>
    Expire = 6,

    /// <summary>All or part of an earlier earn, redemption or capture undone.</summary>
    Reverse = 7,

    /// <summary>A manual credit (positive amount) or debit (negative amount) with a reason and an actor.</summary>
    Adjust = 8,
}

/// <summary>The state of a hold, as persisted.</summary>
public enum LedgerHoldStatus
{
    /// <summary>Reserving points until captured, released or lapsed at its expiry.</summary>
    Open = 1,

    /// <summary>Captured (all or part); any uncaptured remainder was given back.</summary>
    Captured = 2,

    /// <summary>Released without spending.</summary>
    Released = 3,

    /// <summary>Reached its expiry while open; its points were never spent. Written by the next write on the account.</summary>
    Lapsed = 4,
}

/// <summary>Identifies a ledger account: one member in one programme.</summary>
/// <param name="ProgramId">The programme.</param>
/// <param name="MemberId">The member.</param>
/// <remarks>Immutable and thread-safe. <c>default</c> identifies no account.</remarks>
public readonly record struct LedgerAccountKey(ProgramId ProgramId, MemberId MemberId)
{
    /// <summary>The key in the form <c>program/member</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{ProgramId}/{MemberId}";
}

/// <summary>A change of a lot's remaining points made by one transaction.</summary>
/// <param name="LotId">The lot, identified by the transaction that created it.</param>
/// <param name="Delta">The change: negative when points leave the lot, positive when they are put back or created.</param>
public readonly record struct LedgerLotMovement(TransactionId LotId, long Delta);

/// <summary>
/// One appended ledger transaction as persisted: the request's fields (for idempotency checks)
/// and its recorded effects (for replay). Never updated once appended.
/// </summary>
/// <remarks>Immutable. Maps to one row plus one child row per <see cref="LedgerLotMovement"/>.</remarks>
public sealed record LedgerTransactionRecord
{
    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>The caller's id, unique within the programme; also the idempotency key.</summary>
    public required TransactionId Id { get; init; }

    /// <summary>The account version this transaction created (1 for the account's first transaction).</summary>
    public required long Version { get; init; }

    /// <summary>The kind.</summary>
    public required LedgerTransactionKind Kind { get; init; }

    /// <summary>When the transaction was written (the service's clock).</summary>
    public required Instant RecordedAt { get; init; }

    /// <summary>When it takes effect: <see cref="RecordedAt"/>, except for expiry where it is the lots' expiry instant.</summary>
    public required Instant EffectiveAt { get; init; }

    /// <summary>
    /// The requested number of points: positive for every kind except <see cref="LedgerTransactionKind.Adjust"/>
    /// (negative for a debit), <see cref="LedgerTransactionKind.Release"/> and <see cref="LedgerTransactionKind.Expire"/>
    /// (the points given back or expired), and a whole capture (the hold's amount).
    /// </summary>
    public required long Amount { get; init; }

    /// <summary>The hold captured or released, or the transaction reversed.</summary>
    public TransactionId? RelatedId
    {
        get => PresenceBits.Get(relatedId, present, HasRelated);
        init => PresenceBits.Set(ref relatedId, ref present, HasRelated, value);
    }

    /// <summary>The per-earn pending period override as requested, if any.</summary>
    public Duration? PendingPeriod
    {
        get => PresenceBits.Get(pendingPeriod, present, HasPendingPeriod);
        init => PresenceBits.Set(ref pendingPeriod, ref present, HasPendingPeriod, value);
    }

    /// <summary>The per-earn expiry override as requested, if any.</summary>
    public Instant? RequestedExpiresAt
    {
        get => rare?.RequestedExpiresAt;
        init => rare = value == RequestedExpiresAt ? rare : Rare.Normal((rare ?? Rare.None) with { RequestedExpiresAt = value });
    }

    /// <summary>Whether the caller asked to capture the whole hold (no amount given).</summary>
    public bool IsWholeCapture
    {
        get => rare?.IsWholeCapture ?? false;
        init => rare = value == IsWholeCapture ? rare : Rare.Normal((rare ?? Rare.None) with { IsWholeCapture = value });
    }

    /// <summary>The created lot's availability instant (earn, credit), or null.</summary>
    public Instant? AvailableAt
    {
        get => PresenceBits.Get(availableAt, present, HasAvailableAt);
        init => PresenceBits.Set(ref availableAt, ref present, HasAvailableAt, value);
    }

    /// <summary>The created lot's or hold's expiry, or null when it never expires by date.</summary>
    public Instant? ExpiresAt
    {
        get => PresenceBits.Get(expiresAt, present, HasExpiresAt);
        init => PresenceBits.Set(ref expiresAt, ref present, HasExpiresAt, value);
    }

    /// <summary>The reason of an adjustment or reversal, if given.</summary>
    public string? Reason
    {
        get => rare?.Reason;
        init => rare = string.Equals(value, Reason, StringComparison.Ordinal) ? rare : Rare.Normal((rare ?? Rare.None) with { Reason = value });
    }

    /// <summary>Who made an adjustment, if given.</summary>
    public string? Actor
    {
        get => rare?.Actor;
        init => rare = string.Equals(value, Actor, StringComparison.Ordinal) ? rare : Rare.Normal((rare ?? Rare.None) with { Actor = value });
    }

    /// <summary>The points actually taken back by a reversal of an earn (the rest was written off).</summary>
    public long Applied
    {
        get => rare?.Applied ?? 0;
        init => rare = value == Applied ? rare : Rare.Normal((rare ?? Rare.None) with { Applied = value });
    }

    /// <summary>The change of the account's debt: positive when a shortfall became debt, negative when a credit repaid it.</summary>
    public long DebtChange
    {
        get => rare?.DebtChange ?? 0;
        init => rare = value == DebtChange ? rare : Rare.Normal((rare ?? Rare.None) with { DebtChange = value });
    }

    /// <summary>Points a reversal could not take back under the shortfall policy and wrote off.</summary>
    public long WrittenOff
    {
        get => rare?.WrittenOff ?? 0;
        init => rare = value == WrittenOff ? rare : Rare.Normal((rare ?? Rare.None) with { WrittenOff = value });
    }

    /// <summary>The lot changes, in allocation order.</summary>
    public IReadOnlyList<LedgerLotMovement> Movements { get; init; } = [];

    /// <summary>
    /// The merchant where the transaction happened (a coalition partner), or null for the
    /// programme's own shop. A reversal carries its original's merchant unless given another; an
    /// expiry carries none: its points belong to the merchants of the lots it closes.
    /// </summary>
    public MerchantId? Merchant
    {
        get => PresenceBits.Get(merchant, present, HasMerchant);
        init => PresenceBits.Set(ref merchant, ref present, HasMerchant, value);
    }

    /// <summary>
    /// The account's hash chain at this transaction: SHA-256 of the previous transaction's hash and of
    /// this one's canonical content (set by the ledger when it writes; <see cref="LedgerHash.IsNone"/>
    /// for a transaction written before the chain existed). See <c>PointsLedger.VerifyAccountAsync</c>.
    /// </summary>
    public LedgerHash ChainHash { get => chainHash; init => chainHash = value; }

    // The property's storage, so that the ledger can seal a record it has just built (and not yet
    // handed to anyone) without copying it: see LedgerChain.SealNew.
    private LedgerHash chainHash;

    // A ledger keeps every transaction it ever wrote, so the record is kept small: optional values are
    // plain fields plus one presence bit each (a nullable instant takes 24 bytes, a plain one 16), and
    // the fields only some kinds carry (adjustments, reversals, captures, earns with an expiry override)
    // share one object, absent (null) when they all hold their defaults — as on most earns, redemptions and
    // expiries; setting one of them to the value it already holds (its default on a record without them,
    // or an earn's default debt change) allocates nothing. An earn's pending period has a field of its own:
    // every order's earn carries one (its return window), which took that object on every order. The
    // generated equality compares these fields, which a value and its absence never share.
    private const byte HasRelated = 1, HasAvailableAt = 2, HasExpiresAt = 4, HasMerchant = 8, HasPendingPeriod = 16;
    private TransactionId relatedId;
    private Duration pendingPeriod;
    private Instant availableAt;
    private Instant expiresAt;
    private MerchantId merchant;
    private Rare? rare;
    private byte present;

    /// <summary>Sets the hash of a record the ledger has just built and not yet shared (a sealed record is never changed).</summary>
    internal void SealWith(LedgerHash hash) => chainHash = hash;


    /// <summary>The fields only some kinds of transaction carry (immutable; a record: compared by value).</summary>
    private sealed record Rare
    {
        public static readonly Rare None = new();

        public Instant? RequestedExpiresAt { get; init; }

        public bool IsWholeCapture { get; init; }

        public string? Reason { get; init; }

        public string? Actor { get; init; }

        public long Applied { get; init; }

        public long DebtChange { get; init; }

        public long WrittenOff { get; init; }

        /// <summary>Null when every field holds its default (the record then keeps no object for them).</summary>
        public static Rare? Normal(Rare rare) => rare == None ? null : rare;
    }
}

/// <summary>
/// A lot: the points of one credit (earn, manual credit), pending until <see cref="AvailableAt"/>,
/// then spendable until <see cref="ExpiresAt"/> (exclusive).
/// </summary>
/// <remarks>Immutable; the store replaces the row when a transaction changes <see cref="Remaining"/>.</remarks>
public sealed record LedgerLotRecord
{
    /// <summary>The lot's id: the id of the transaction that created it.</summary>
    public required TransactionId LotId { get; init; }

    /// <summary>The version of the creating transaction; orders lots by age.</summary>
    public required long Sequence { get; init; }

    /// <summary>The points the lot was created with.</summary>
    public required long OriginalAmount { get; init; }

    /// <summary>The points still in the lot (0 when spent, reversed or expired).</summary>
    public required long Remaining { get; init; }

    /// <summary>When the lot was created.</summary>
    public required Instant CreatedAt { get; init; }

    /// <summary>When the points become spendable.</summary>
    public required Instant AvailableAt { get; init; }

    /// <summary>When the points expire (exclusive), or null for no date (no expiry, or the inactivity policy).</summary>
    public Instant? ExpiresAt { get; init; }
}

/// <summary>A hold (reservation at checkout), as persisted.</summary>
/// <remarks>Immutable; the store replaces the row when it is captured or released.</remarks>
public sealed record LedgerHoldRecord
{
    /// <summary>The hold's id: the id of the hold transaction.</summary>
    public required TransactionId HoldId { get; init; }

    /// <summary>The points reserved.</summary>
    public required long Amount { get; init; }

    /// <summary>When the hold was placed.</summary>
    public required Instant CreatedAt { get; init; }

    /// <summary>When the hold lapses if still open (exclusive).</summary>
    public required Instant ExpiresAt { get; init; }

    /// <summary>The status.</summary>
    public required LedgerHoldStatus Status { get; init; }

    /// <summary>The points captured (0 unless <see cref="LedgerHoldStatus.Captured"/>).</summary>
    public long Captured { get; init; }

    /// <summary>The capture or release transaction that closed the hold.</summary>
    public TransactionId? ClosedBy { get; init; }
}

/// <summary>
/// The head of an account: its version and running figures, so that a balance read is O(1)
/// until <see cref="NextChangeAt"/>.
/// </summary>
/// <remarks>Immutable; the store replaces it on each append. Maps to one row per account.</remarks>
public sealed record LedgerAccountHead
{
    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>The number of transactions appended (the version of the last one).</summary>
    public required long Version { get; init; }

    /// <summary>When the last transaction was written.</summary>
    public required Instant UpdatedAt { get; init; }

    /// <summary>The sum of <see cref="LedgerLotRecord.Remaining"/> over open lots, pending or available.</summary>
    public long LotPoints { get; init; }

    /// <summary>Points owed after a reversal under the allow-negative policy; later credits repay it first.</summary>
    public long Debt { get; init; }

    /// <summary>Lifetime points earned.</summary>
    public long Earned { get; init; }

    /// <summary>Lifetime points redeemed (captures included), net of reversed redemptions.</summary>
    public long Redeemed { get; init; }

    /// <summary>Lifetime points expired by explicit expire transactions (and restored into expired lots).</summary>
    public long Expired { get; init; }

    /// <summary>Lifetime points taken back by reversals of earns.</summary>
    public long Reversed { get; init; }

    /// <summary>Lifetime net manual adjustments (credits minus debits).</summary>
    public long Adjusted { get; init; }

    /// <summary>Lifetime points written off by reversals under the shortfall policy.</summary>
    public long WrittenOff { get; init; }

    /// <summary>The last earn or redemption, for the inactivity expiry policy.</summary>
    public Instant? LastActivityAt
    {
        get => PresenceBits.Get(lastActivityAt, present, HasLastActivityAt);
        init => PresenceBits.Set(ref lastActivityAt, ref present, HasLastActivityAt, value);
    }

    /// <summary>The spendable points at <see cref="UpdatedAt"/>.</summary>
    public long AvailableSnapshot { get; init; }

    /// <summary>The pending points at <see cref="UpdatedAt"/>.</summary>
    public long PendingSnapshot { get; init; }

    /// <summary>The held points at <see cref="UpdatedAt"/>.</summary>
    public long HeldSnapshot { get; init; }

    /// <summary>
    /// The first instant after <see cref="UpdatedAt"/> at which the figures change with time alone
    /// (a lot becomes available or expires, a hold lapses), or null when none will.
    /// </summary>
    public Instant? NextChangeAt
    {
        get => PresenceBits.Get(nextChangeAt, present, HasNextChangeAt);
        init => PresenceBits.Set(ref nextChangeAt, ref present, HasNextChangeAt, value);
    }

    /// <summary>The earliest expiry of an open lot (the inactivity deadline included), or null; indexed for maintenance.</summary>
    public Instant? NextExpiryAt
    {
        get => PresenceBits.Get(nextExpiryAt, present, HasNextExpiryAt);
        init => PresenceBits.Set(ref nextExpiryAt, ref present, HasNextExpiryAt, value);
    }

    /// <summary>The <see cref="LedgerTransactionRecord.ChainHash"/> of the last transaction: where the next one chains from.</summary>
    public LedgerHash ChainHash { get; init; }

    // Every write replaces the head: optional instants are plain fields plus one presence bit each
    // (16 bytes, not a nullable's 24), a smaller head kept per account and written per write.
    private const byte HasLastActivityAt = 1, HasNextChangeAt = 2, HasNextExpiryAt = 4;
    private Instant lastActivityAt;
    private Instant nextChangeAt;
    private Instant nextExpiryAt;
    private byte present;

}

/// <summary>What a service needs to decide a write: the head, open lots and open holds, read together.</summary>
/// <param name="Head">The head, or null when the account has no transaction yet.</param>
/// <param name="OpenLots">Lots with points remaining.</param>
/// <param name="OpenHolds">Holds in status <see cref="LedgerHoldStatus.Open"/> (lapsed ones included).</param>
public sealed record LedgerAccountSnapshot(
    LedgerAccountHead? Head,
    IReadOnlyList<LedgerLotRecord> OpenLots,
    IReadOnlyList<LedgerHoldRecord> OpenHolds)
{
    /// <summary>The account's version: 0 when it has no transaction yet.</summary>
    public long Version => Head?.Version ?? 0;

    /// <summary>
    /// The incarnation of the account read, for a store whose versions can start again under the same key
    /// (the in-memory store, after a data-rights rewrite moved the account away and a later write created it
    /// again): an append decided on it carries it back in <see cref="LedgerAppend.Incarnation"/>. Null when
    /// the store does not tell.
    /// </summary>
    internal object? Incarnation { get; init; }
}

/// <summary>One atomic compare-and-append on an account.</summary>
/// <remarks>
/// Appended only if the account's version is still <see cref="ExpectedVersion"/> and no
/// transaction id is already used in the programme; then every part is written together.
/// </remarks>
public sealed record LedgerAppend
{
    /// <summary>The account.</summary>
    public required LedgerAccountKey Account { get; init; }

    /// <summary>The version the writer read (0 for a new account).</summary>
    public required long ExpectedVersion { get; init; }

    /// <summary>The transactions, with versions <see cref="ExpectedVersion"/> + 1, + 2, …</summary>
    public required IReadOnlyList<LedgerTransactionRecord> Transactions { get; init; }

    /// <summary>The new head, whose version is that of the last transaction.</summary>
    public required LedgerAccountHead Head { get; init; }

    /// <summary>Lots created or changed (inserted or replaced by <see cref="LedgerLotRecord.LotId"/>).</summary>
    public IReadOnlyList<LedgerLotRecord> Lots { get; init; } = [];

    /// <summary>Holds created or changed (inserted or replaced by <see cref="LedgerHoldRecord.HoldId"/>).</summary>
    public IReadOnlyList<LedgerHoldRecord> Holds { get; init; } = [];

    /// <summary>
    /// The incarnation of the account the append was decided on (<see cref="LedgerAccountSnapshot.Incarnation"/>),
    /// or a new one for a new account; null when unknown. A store whose versions can start again under the same
    /// key refuses, as a version conflict, an append whose incarnation is not the account's: the same version
    /// number of an account re-created under a re-keyed member id is not the version the writer read.
    /// </summary>
    internal object? Incarnation { get; init; }

    /// <summary>
    /// Checks the append's shape before any I/O: at least one transaction, every transaction of
    /// this account with consecutive versions after <see cref="ExpectedVersion"/>, and a head of
    /// this account at the last transaction's version. Every store calls it first, so all stores
    /// refuse a malformed append with the same message.
    /// </summary>
    /// <exception cref="ArgumentException">The append is malformed; the message says which part.</exception>
    public void EnsureWellFormed()
    {
        if (Transactions.Count == 0)
        {
            throw new ArgumentException("An append must carry at least one transaction.", "append");
        }

        for (var i = 0; i < Transactions.Count; i++)
        {
            var tx = Transactions[i];
            if (tx.Version != ExpectedVersion + i + 1 || tx.ProgramId != Account.ProgramId || tx.MemberId != Account.MemberId)
            {
                throw new ArgumentException(
                    $"Transaction '{tx.Id}' must belong to account {Account} with version {ExpectedVersion + i + 1} (was {tx.ProgramId}/{tx.MemberId} version {tx.Version}).",
                    "append");
            }
        }

        if (Head.Version != ExpectedVersion + Transactions.Count || Head.ProgramId != Account.ProgramId || Head.MemberId != Account.MemberId)
        {
            throw new ArgumentException(
                $"The head must belong to account {Account} with version {ExpectedVersion + Transactions.Count} (was version {Head.Version}).",
                "append");
        }
    }
}

/// <summary>The outcome of <see cref="ILedgerStore.AppendAsync"/>.</summary>
public enum LedgerAppendStatus
{
    /// <summary>Everything was written.</summary>
    Appended = 1,

    /// <summary>Nothing was written: a transaction id is already used in the programme.</summary>
    Duplicate = 2,

    /// <summary>Nothing was written: the account's version is no longer the expected one.</summary>
    VersionConflict = 3,
}

/// <summary>The result of a compare-and-append.</summary>
/// <param name="Status">What happened.</param>
/// <param name="CurrentVersion">The account's version after the call.</param>
/// <param name="DuplicateId">For <see cref="LedgerAppendStatus.Duplicate"/>, the id already used.</param>
public readonly record struct LedgerAppendResult(LedgerAppendStatus Status, long CurrentVersion, TransactionId? DuplicateId = null);

/// <summary>A page of an account's history, in version order.</summary>
/// <param name="Transactions">The transactions.</param>
/// <param name="NextAfterVersion">The value to pass as <c>afterVersion</c> for the next page, or null at the end.</param>
public sealed record LedgerHistoryPage(IReadOnlyList<LedgerTransactionRecord> Transactions, long? NextAfterVersion);
