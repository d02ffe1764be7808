using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Rewards;

/// <summary>The state of a reward code.</summary>
/// <remarks>The numeric values are stable and may be persisted.</remarks>
public enum RewardCodeStatus
{
    /// <summary>Issued with its redemption; usable until it expires or its uses run out.</summary>
    Issued = 1,

    /// <summary>Every use was consumed by orders.</summary>
    Used = 2,

    /// <summary>Reached its expiry before being used up (its points may have been returned).</summary>
    Expired = 3,

    /// <summary>Voided because its redemption was cancelled.</summary>
    Cancelled = 4,
}

/// <summary>
/// The code of a redeemed reward and its lifecycle: issued with the redemption, usable by its
/// member until <see cref="ExpiresAt"/> for <see cref="MaxUses"/> orders, then used, expired or
/// cancelled. Also the persisted record.
/// </summary>
/// <remarks>Immutable. A stored code changes only through its store's conditional writes.</remarks>
public sealed record RewardCode
{
    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The code the member gives at checkout (unique in the programme).</summary>
    public required string Code { get; init; }

    /// <summary>The redemption that issued it.</summary>
    public required RedemptionId RedemptionId { get; init; }

    /// <summary>The member it was issued to; only this member may use it.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>The reward.</summary>
    public required RewardId RewardId { get; init; }

    /// <summary>The reward's kind.</summary>
    public required RewardKind Kind { get; init; }

    /// <summary>What the code gives, in words, e.g. <c>5.00 EUR off</c>.</summary>
    public required string Benefit { get; init; }

    /// <summary>The points the redemption spent (returned on expiry when <see cref="ReturnPointsOnExpiry"/>).</summary>
    public required Points PointsSpent { get; init; }

    /// <summary>When it was issued.</summary>
    public required Instant IssuedAt { get; init; }

    /// <summary>When it stops being usable (exclusive), or null when it never expires.</summary>
    public Instant? ExpiresAt { get; init; }

    /// <summary>How many orders may use it; 1 for a single-use code.</summary>
    public int MaxUses { get; init; } = 1;

    /// <summary>How many orders used it.</summary>
    public int Uses { get; init; }

    /// <summary>Whether an expired code never used gives its points back through maintenance.</summary>
    public bool ReturnPointsOnExpiry { get; init; }

    /// <summary>The status.</summary>
    public RewardCodeStatus Status { get; init; } = RewardCodeStatus.Issued;

    /// <summary>When it became used, expired or cancelled; null while issued.</summary>
    public Instant? ClosedAt { get; init; }

    /// <summary>The points given back when it expired unused; zero otherwise.</summary>
    public Points PointsReturned { get; init; }

    /// <summary>The uses left: <see cref="MaxUses"/> − <see cref="Uses"/> while issued, 0 otherwise.</summary>
    public int UsesLeft => Status == RewardCodeStatus.Issued ? Math.Max(0, MaxUses - Uses) : 0;

    /// <summary>The code in one line, e.g. <c>K7QM-3XHP-9TWA (5.00 EUR off) Issued, 1 use left, until 2026-04-02T22:00:00Z</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        $"{Code} ({Benefit}) {Status}, {UsesLeft} use{(UsesLeft == 1 ? string.Empty : "s")} left" + (ExpiresAt is { } e ? $", until {e}" : string.Empty);
}

/// <summary>One order's use of a reward code.</summary>
/// <param name="Code">The code.</param>
/// <param name="OrderId">The order that used it (the use's idempotency key).</param>
/// <param name="UsedAt">When.</param>
public sealed record RewardCodeUse(string Code, OrderId OrderId, Instant UsedAt);

/// <summary>What <c>ValidateCodeAsync</c> and <c>ConsumeCodeAsync</c> answer: the code after the call and, when consumed, the use.</summary>
/// <param name="RewardCode">The code (after the use, when consumed).</param>
/// <param name="OrderId">The order checked or that used it.</param>
/// <param name="Use">The use recorded for the order, or null when only validated (or not yet used by this order).</param>
public sealed record RewardCodeCheck(RewardCode RewardCode, OrderId OrderId, RewardCodeUse? Use);
