using Loyalty.Core.Earning;
using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using Loyalty.Core.Referrals;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.Storage;

/// <summary>A member's profile as persisted: enrolment, birth date, referral, last evaluated tier status.</summary>
/// <remarks>Immutable; replaced as a whole under optimistic concurrency (<see cref="Version"/>).</remarks>
public sealed record MemberRecord
{
    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>When the member enrolled.</summary>
    public required Instant EnrolledAt { get; init; }

    /// <summary>The member's birth date, if given (birthday points are granted on its anniversary in the programme's time zone).</summary>
    public LocalDate? BirthDate
    {
        get => PresenceBits.Get(birthDate, present, HasBirthDate);
        init => PresenceBits.Set(ref birthDate, ref present, HasBirthDate, value);
    }

    /// <summary>The member's own referral code, unique in the programme.</summary>
    public required ReferralCode ReferralCode { get; init; }

    /// <summary>The member who referred this one, or null.</summary>
    public MemberId? ReferredBy
    {
        get => PresenceBits.Get(referredBy, present, HasReferredBy);
        init => PresenceBits.Set(ref referredBy, ref present, HasReferredBy, value);
    }

    /// <summary>The order that completed this member's referral (the first qualifying order), or null while pending.</summary>
    public OrderId? ReferralCompletedBy
    {
        get => PresenceBits.Get(referralCompletedBy, present, HasReferralCompletedBy);
        init => PresenceBits.Set(ref referralCompletedBy, ref present, HasReferralCompletedBy, value);
    }

    /// <summary>The tier status at the last evaluation, or null before the first.</summary>
    public TierStatus? TierStatus { get; init; }

    /// <summary>The instant of the last maintenance run that covered this member, or null.</summary>
    public Instant? LastMaintainedAt
    {
        get => PresenceBits.Get(lastMaintainedAt, present, HasLastMaintainedAt);
        init => PresenceBits.Set(ref lastMaintainedAt, ref present, HasLastMaintainedAt, value);
    }

    /// <summary>
    /// What evaluating the member's next order needs, kept up to date by every order, refund and
    /// activity written with it; null when not kept yet (the programme then rebuilds it from the history).
    /// </summary>
    public MemberEvaluationState? Evaluation { get; init; }

    /// <summary>The record's version: 1 when added, incremented by each update.</summary>
    public long Version { get; init; } = 1;

    // A store keeps a record per member and maintenance writes a new one per member and night: optional
    // values are plain fields plus one presence bit each (a nullable id takes 16 bytes, a plain one 8; a
    // nullable instant 24, a plain one 16). The generated equality compares these fields, which a value
    // and its absence never share (an absent value's field is its default).
    private const byte HasBirthDate = 1, HasReferredBy = 2, HasReferralCompletedBy = 4, HasLastMaintainedAt = 8;
    private LocalDate birthDate;
    private MemberId referredBy;
    private OrderId referralCompletedBy;
    private Instant lastMaintainedAt;
    private byte present;

}

/// <summary>An order as recorded: the order, its earning result and the ledger transaction that credited it.</summary>
/// <remarks>Immutable; written once. The relational store keeps <see cref="Order"/> and <see cref="Earning"/> as JSON.</remarks>
public sealed record OrderRecord
{
    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>The order's id.</summary>
    public required OrderId OrderId { get; init; }

    /// <summary>A hash of the order's content, to tell a retry (same content) from a conflict.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The order.</summary>
    public required EarningOrder Order { get; init; }

    /// <summary>What the order earned, and why.</summary>
    public required EarningResult Earning { get; init; }

    /// <summary>The member's tier when the order was placed.</summary>
    public TierId? Tier { get; init; }

    /// <summary>The ledger transaction that credits the points.</summary>
    public required TransactionId TransactionId { get; init; }

    /// <summary>When the order was recorded (the service's clock).</summary>
    public required Instant RecordedAt { get; init; }
}

/// <summary>A refund as recorded: what was refunded, the points taken back and the ledger reversal.</summary>
/// <remarks>Immutable; written once.</remarks>
public sealed record RefundRecord
{
    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>The refund's id.</summary>
    public required RefundId RefundId { get; init; }

    /// <summary>The refunded order.</summary>
    public required OrderId OrderId { get; init; }

    /// <summary>A hash of the refund's content, to tell a retry from a conflict.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The refund: lines and quantities, or an amount.</summary>
    public required OrderRefund Refund { get; init; }

    /// <summary>The points the refund takes back, per rule.</summary>
    public required RefundResult Result { get; init; }

    /// <summary>The money refunded, for tier qualification.</summary>
    public required Money Amount { get; init; }

    /// <summary>When the refund happened.</summary>
    public required Instant RefundedAt { get; init; }

    /// <summary>The ledger reversal, or null when no point is taken back.</summary>
    public TransactionId? TransactionId { get; init; }

    /// <summary>When it was recorded (the service's clock).</summary>
    public required Instant RecordedAt { get; init; }
}

/// <summary>An activity as recorded (sign-up, review, survey, birthday, referral, custom).</summary>
/// <remarks>Immutable; written once.</remarks>
public sealed record ActivityRecord
{
    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>The activity's id.</summary>
    public required ActivityId ActivityId { get; init; }

    /// <summary>A hash of the activity's content, to tell a retry from a conflict.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The activity.</summary>
    public required ActivityInput Activity { get; init; }

    /// <summary>What the activity earned, and why.</summary>
    public required EarningResult Earning { get; init; }

    /// <summary>The ledger transaction, or null when nothing was earned.</summary>
    public TransactionId? TransactionId { get; init; }

    /// <summary>When it was recorded (the service's clock).</summary>
    public required Instant RecordedAt { get; init; }
}

/// <summary>Everything recorded for one member, for tier qualification, order counts and earning caps.</summary>
/// <param name="Orders">The orders, by placement instant.</param>
/// <param name="Refunds">The refunds, by refund instant.</param>
/// <param name="Activities">The activities, by occurrence instant.</param>
/// <param name="Version">
/// The history's version: 0 before anything is recorded for the member, incremented by every order,
/// refund and activity added. Pass it as the expected version when adding an order or activity
/// computed from this history, so that one computed from a history that has changed since is refused.
/// </param>
public sealed record MemberHistory(
    IReadOnlyList<OrderRecord> Orders,
    IReadOnlyList<RefundRecord> Refunds,
    IReadOnlyList<ActivityRecord> Activities,
    long Version);

/// <summary>The outcome of <see cref="IMemberStore.AddMemberAsync"/>.</summary>
public enum MemberAddStatus
{
    /// <summary>The member was added.</summary>
    Added = 1,

    /// <summary>Nothing was written: the member already exists.</summary>
    MemberExists = 2,

    /// <summary>Nothing was written: another member has the referral code.</summary>
    ReferralCodeTaken = 3,
}

/// <summary>The outcome of <see cref="IMemberStore.AddRefundAsync"/>.</summary>
public enum RefundAddStatus
{
    /// <summary>The refund was added.</summary>
    Added = 1,

    /// <summary>Nothing was written: a refund with this id exists (see <see cref="RefundAddResult.Existing"/>).</summary>
    Exists = 2,

    /// <summary>Nothing was written: the order has another number of refunds than expected; re-read and retry.</summary>
    Conflict = 3,
}

/// <summary>The result of <see cref="IMemberStore.AddRefundAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Existing">For <see cref="RefundAddStatus.Exists"/>, the stored refund.</param>
public readonly record struct RefundAddResult(RefundAddStatus Status, RefundRecord? Existing = null);

/// <summary>The outcome of <see cref="IMemberStore.AddOrderAsync"/> and <see cref="IMemberStore.AddActivityAsync"/>.</summary>
public enum HistoryAddStatus
{
    /// <summary>The record was added and the member's history version incremented.</summary>
    Added = 1,

    /// <summary>Nothing was written: a record with this id exists (see <see cref="HistoryAddResult{TRecord}.Existing"/>); a repeat, whatever the version.</summary>
    Exists = 2,

    /// <summary>Nothing was written: the member's history version is not the expected one; re-read the history, re-evaluate and retry.</summary>
    Conflict = 3,
}

/// <summary>The result of adding an order or an activity to a member's history.</summary>
/// <typeparam name="TRecord">The record type (<see cref="OrderRecord"/> or <see cref="ActivityRecord"/>).</typeparam>
/// <param name="Status">What happened.</param>
/// <param name="Existing">For <see cref="HistoryAddStatus.Exists"/>, the stored record.</param>
public readonly record struct HistoryAddResult<TRecord>(HistoryAddStatus Status, TRecord? Existing = null)
    where TRecord : class;
