namespace Loyalty.Core.Programs;

/// <summary>
/// Why a programme call did not succeed: business outcomes a shop handles routinely. The numeric
/// values are stable and never reused.
/// </summary>
public enum LoyaltyErrorCode
{
    /// <summary>The member is not enrolled in the programme.</summary>
    MemberNotFound = 1,

    /// <summary>The member is already enrolled with other details.</summary>
    MemberAlreadyEnrolled = 2,

    /// <summary>The id was used before with other content; nothing changed.</summary>
    IdempotencyConflict = 3,

    /// <summary>The order was never recorded.</summary>
    OrderNotFound = 4,

    /// <summary>No earning rule set is in force at the order's or activity's instant.</summary>
    NoRuleSetInForce = 5,

    /// <summary>The refund asks for more than is left of the order.</summary>
    RefundExceedsOrder = 6,

    /// <summary>The member has not enough available points.</summary>
    InsufficientPoints = 7,

    /// <summary>The reward is not in the catalogue.</summary>
    RewardNotFound = 8,

    /// <summary>Every unit of the reward is redeemed.</summary>
    RewardOutOfStock = 9,

    /// <summary>The reward is not offered at this instant (outside its validity window).</summary>
    RewardNotOffered = 10,

    /// <summary>The reward is for a higher tier than the member's.</summary>
    RewardRequiresHigherTier = 11,

    /// <summary>The reward cannot be used this way (pay-with-points is held at checkout; the others are redeemed).</summary>
    RewardKindMismatch = 12,

    /// <summary>The redemption was never made.</summary>
    RedemptionNotFound = 13,

    /// <summary>No member has the referral code.</summary>
    ReferralCodeUnknown = 14,

    /// <summary>A member cannot refer themselves.</summary>
    SelfReferral = 15,

    /// <summary>The member already has a referrer; a second one is refused.</summary>
    AlreadyReferred = 16,

    /// <summary>The referral would close a loop (the referrer was, directly or not, referred by this member).</summary>
    ReferralLoop = 17,

    /// <summary>The member already placed a qualifying order, so the referral can no longer complete.</summary>
    ReferralTooLate = 18,

    /// <summary>No hold was placed for the order.</summary>
    HoldNotFound = 19,

    /// <summary>The hold reached its expiry before being captured.</summary>
    HoldLapsed = 20,

    /// <summary>The hold was already captured.</summary>
    HoldAlreadyCaptured = 21,

    /// <summary>The hold was already released.</summary>
    HoldAlreadyReleased = 22,

    /// <summary>The capture asks for more points than the hold reserved.</summary>
    CaptureExceedsHold = 23,

    /// <summary>Fewer points than the pay-with-points minimum.</summary>
    BelowMinimumPoints = 24,

    /// <summary>The points would pay more than the allowed share of the order.</summary>
    AboveMaximumShare = 25,

    /// <summary>A reversal (refund or cancellation) would take back more than the original transaction gave, with the earlier reversals.</summary>
    ReversalExceedsOriginal = 26,

    /// <summary>The ledger has no transaction the call refers to (for example the hold or earn it settles or reverses).</summary>
    TransactionNotFound = 27,

    /// <summary>The ledger transaction the call would reverse is not reversible (only earns, redemptions and captures are).</summary>
    NotReversible = 28,

    /// <summary>An order paid partly with points does not match the points captured from its hold (<see cref="Earning.EarningOrder.PaidWithPoints"/> against the hold's value).</summary>
    PaymentDoesNotMatchHold = 29,

    /// <summary>No reward code of the programme has this text.</summary>
    RewardCodeNotFound = 30,

    /// <summary>The reward code was issued to another member.</summary>
    RewardCodeNotForMember = 31,

    /// <summary>The reward code reached its expiry.</summary>
    RewardCodeExpired = 32,

    /// <summary>The reward code was used by as many orders as it allows (or, when cancelling its redemption, by an order).</summary>
    RewardCodeUsed = 33,

    /// <summary>The reward code was voided with its cancelled redemption.</summary>
    RewardCodeCancelled = 34,

    /// <summary>A member cannot transfer points to themselves.</summary>
    TransferToSelf = 35,

    /// <summary>The member receiving a transfer is not enrolled.</summary>
    TransferRecipientNotFound = 36,

    /// <summary>The transfer is above the most points one transfer may move.</summary>
    TransferAboveLimit = 37,

    /// <summary>The transfer would take the sender over the most points they may transfer in the period.</summary>
    TransferPeriodLimitReached = 38,

    /// <summary>No household has this id.</summary>
    HouseholdNotFound = 39,

    /// <summary>The member already belongs to a household.</summary>
    AlreadyInHousehold = 40,

    /// <summary>The member belongs to no household (or not to this one).</summary>
    NotInHousehold = 41,

    /// <summary>The household has as many members as allowed.</summary>
    HouseholdFull = 42,

    /// <summary>The household's owner cannot leave while other members remain.</summary>
    HouseholdOwnerCannotLeave = 43,

    /// <summary>The transfer is below the fewest points one transfer may move.</summary>
    TransferBelowMinimum = 44,

    /// <summary>
    /// The member id was erased at the member's request (or by the retention limit): nothing of the member
    /// is kept, and the call was not applied. Do not enrol the id again automatically; the shop's own account
    /// deletion should follow. Answered only when the programme keeps erasure markers (see docs/data-rights.md).
    /// </summary>
    MemberErased = 45,
}

/// <summary>A business outcome that stopped a call, with a message for logs and support.</summary>
/// <param name="Code">The stable code to branch on.</param>
/// <param name="Message">What happened, in words.</param>
/// <param name="Field">For <see cref="LoyaltyErrorCode.IdempotencyConflict"/>, the first field that differs from what was recorded under the id (e.g. <c>PlacedAt</c>, <c>Lines[0].Quantity</c>); otherwise null.</param>
public sealed record LoyaltyError(LoyaltyErrorCode Code, string Message, string? Field = null)
{
    /// <summary>The code and message, e.g. <c>InsufficientPoints: …</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>The outcome of a programme call: a value, or a <see cref="LoyaltyError"/>.</summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <remarks>
/// Immutable. <see cref="IsRepeat"/> tells a retried call (same id, same content) from the first
/// one: the value is the original one and nothing was written again.
/// </remarks>
public sealed class LoyaltyResult<T>
    where T : class
{
    private LoyaltyResult(T? value, LoyaltyError? error, bool isRepeat)
    {
        Value = value;
        Error = error;
        IsRepeat = isRepeat;
    }

    /// <summary>True when the call succeeded (<see cref="Value"/> is set).</summary>
    public bool Succeeded => Error is null;

    /// <summary>The value when <see cref="Succeeded"/>; otherwise null.</summary>
    public T? Value { get; }

    /// <summary>The error when the call did not succeed; otherwise null.</summary>
    public LoyaltyError? Error { get; }

    /// <summary>The error's code, or null on success.</summary>
    public LoyaltyErrorCode? ErrorCode => Error?.Code;

    /// <summary>True when this call repeated an earlier one with the same id and content.</summary>
    public bool IsRepeat { get; }

    /// <summary>The value, or an exception naming the error.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The call did not succeed.</exception>
    public T GetValueOrThrow() => Value ?? throw new InvalidOperationException($"The call did not succeed: {Error}.");

    /// <summary>The value, or the error, in one line.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Error is { } e ? e.ToString() : (IsRepeat ? "(repeat) " : string.Empty) + Value;

    internal static LoyaltyResult<T> Success(T value, bool isRepeat = false) => new(value, null, isRepeat);

    internal static LoyaltyResult<T> Failure(LoyaltyErrorCode code, string message, string? field = null) => new(null, new LoyaltyError(code, message, field), false);
}
