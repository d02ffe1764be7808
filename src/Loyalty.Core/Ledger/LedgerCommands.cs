using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Ledger;

/// <summary>Direction of a manual adjustment.</summary>
public enum AdjustmentDirection
{
    /// <summary>Gives points (a new lot, available at once).</summary>
    Credit = 1,

    /// <summary>Takes available points (soonest-expiry-first).</summary>
    Debit = 2,
}

/// <summary>Earn points: creates a lot, pending for the programme's pending period (or <see cref="PendingPeriod"/>), then available until it expires.</summary>
/// <param name="Id">The transaction id, also the idempotency key.</param>
/// <param name="MemberId">The member.</param>
/// <param name="Amount">The points, greater than zero.</param>
public sealed record EarnPoints(TransactionId Id, MemberId MemberId, Points Amount)
{
    /// <summary>The merchant where this happened (a coalition partner), or null for the programme's own shop.</summary>
    public MerchantId? Merchant { get; init; }

    /// <summary>Overrides the programme's pending period for this earn (zero: available at once).</summary>
    public Duration? PendingPeriod { get; init; }

    /// <summary>Overrides the expiry policy for this earn; must be after the points become available.</summary>
    public Instant? ExpiresAt { get; init; }
}

/// <summary>Spend available points, soonest-expiry-first, ties by age.</summary>
/// <param name="Id">The transaction id, also the idempotency key.</param>
/// <param name="MemberId">The member.</param>
/// <param name="Amount">The points, greater than zero.</param>
public sealed record RedeemPoints(TransactionId Id, MemberId MemberId, Points Amount)
{
    /// <summary>The merchant where this happened (a coalition partner), or null for the programme's own shop.</summary>
    public MerchantId? Merchant { get; init; }
}

/// <summary>Reserve available points at checkout, until captured, released or lapsed.</summary>
/// <param name="Id">The transaction id, also the hold's id.</param>
/// <param name="MemberId">The member.</param>
/// <param name="Amount">The points, greater than zero.</param>
public sealed record HoldPoints(TransactionId Id, MemberId MemberId, Points Amount)
{
    /// <summary>The merchant where this happened (a coalition partner), or null for the programme's own shop.</summary>
    public MerchantId? Merchant { get; init; }
}

/// <summary>Capture all (<see cref="Amount"/> null) or part of a hold as a redemption; any remainder is given back.</summary>
/// <param name="Id">The transaction id.</param>
/// <param name="MemberId">The member.</param>
/// <param name="HoldId">The hold.</param>
/// <param name="Amount">The points to capture, or null for the whole hold.</param>
public sealed record CaptureHold(TransactionId Id, MemberId MemberId, TransactionId HoldId, Points? Amount = null)
{
    /// <summary>The merchant where this happened (a coalition partner), or null for the programme's own shop.</summary>
    public MerchantId? Merchant { get; init; }
}

/// <summary>Give a hold back without spending.</summary>
/// <param name="Id">The transaction id.</param>
/// <param name="MemberId">The member.</param>
/// <param name="HoldId">The hold.</param>
public sealed record ReleaseHold(TransactionId Id, MemberId MemberId, TransactionId HoldId);

/// <summary>
/// Undo all or part of an earlier earn, redemption or capture. A reversed earn takes back from
/// its own lot first, then applies the shortfall policy; a reversed redemption puts points back
/// into the lots it drew from, with their original expiry.
/// </summary>
/// <param name="Id">The transaction id.</param>
/// <param name="MemberId">The member.</param>
/// <param name="OriginalId">The transaction to reverse.</param>
/// <param name="Amount">The points to reverse; with earlier reversals at most the original's amount.</param>
public sealed record ReversePoints(TransactionId Id, MemberId MemberId, TransactionId OriginalId, Points Amount)
{
    /// <summary>The merchant where the reversal happened, or null for the original transaction's merchant (the usual case: a refund where the order was placed).</summary>
    public MerchantId? Merchant { get; init; }

    /// <summary>Why (e.g. <c>return of item 2</c>), kept in the history.</summary>
    public string? Reason { get; init; }
}

/// <summary>A manual credit or debit with a reason and the person who made it.</summary>
/// <param name="Id">The transaction id.</param>
/// <param name="MemberId">The member.</param>
/// <param name="Direction">Credit or debit.</param>
/// <param name="Amount">The points, greater than zero.</param>
/// <param name="Reason">Why, for the audit trail; not empty.</param>
/// <param name="Actor">Who, for the audit trail; not empty.</param>
public sealed record AdjustPoints(TransactionId Id, MemberId MemberId, AdjustmentDirection Direction, Points Amount, string Reason, string Actor)
{
    /// <summary>The merchant where this happened (a coalition partner), or null for the programme's own shop.</summary>
    public MerchantId? Merchant { get; init; }
}
