using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Rewards;

/// <summary>The state of a redemption.</summary>
/// <remarks>The numeric values are stable and may be persisted.</remarks>
public enum RedemptionStatus
{
    /// <summary>Redeemed; the code may be used.</summary>
    Active = 1,

    /// <summary>Cancelled; the points went back to their lots and the unit back to stock.</summary>
    Cancelled = 2,
}

/// <summary>
/// A redemption receipt: the reward, the points spent, the code the member gives at checkout,
/// and whether it was cancelled. Also the persisted record of the redemption.
/// </summary>
/// <remarks>Immutable. A retried redemption returns the same receipt, with the same code.</remarks>
public sealed record RewardRedemption
{
    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The redemption's id (the shop's key).</summary>
    public required RedemptionId Id { get; init; }

    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>The reward redeemed.</summary>
    public required RewardId RewardId { get; init; }

    /// <summary>The reward's name when redeemed.</summary>
    public required string RewardName { get; init; }

    /// <summary>The reward's kind.</summary>
    public required RewardKind Kind { get; init; }

    /// <summary>What the reward gives, in words, e.g. <c>5.00 EUR off</c>.</summary>
    public required string Benefit { get; init; }

    /// <summary>The points spent.</summary>
    public required Points PointsSpent { get; init; }

    /// <summary>The code to give at checkout.</summary>
    public required string Code { get; init; }

    /// <summary>When it was redeemed.</summary>
    public required Instant RedeemedAt { get; init; }

    /// <summary>The ledger transaction that spent the points.</summary>
    public required TransactionId LedgerTransactionId { get; init; }

    /// <summary>Active or cancelled.</summary>
    public RedemptionStatus Status { get; init; } = RedemptionStatus.Active;

    /// <summary>When it was cancelled, or null.</summary>
    public Instant? CancelledAt { get; init; }

    /// <summary>The receipt in one line, e.g. <c>5 € voucher: 500 points, code K7QM-3XHP-9TWA</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"{RewardName} ({Benefit}): {PointsSpent} points, code {Code}" + (Status == RedemptionStatus.Cancelled ? " (cancelled)" : string.Empty);
}
