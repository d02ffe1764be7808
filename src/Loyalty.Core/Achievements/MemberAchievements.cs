using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Achievements;

/// <summary>
/// What is kept per member for achievements: the progress towards each, the unlocks (with what caused them
/// and any revocation), and monthly tallies of activities for leaderboards. Moved forward in the same write as
/// the order or activity that changes it, so its cost does not grow with the member's history.
/// </summary>
/// <remarks>Immutable; a change is a new record with the next <see cref="Version"/>.</remarks>
public sealed record MemberAchievements
{
    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>The record's version: 1 when first written, one more per change.</summary>
    public long Version { get; init; }

    /// <summary>The progress towards each achievement of the set (in the set's order when it was written).</summary>
    public IReadOnlyList<AchievementProgress> Progress { get; init; } = [];

    /// <summary>Every unlock, oldest first, revoked ones included.</summary>
    public IReadOnlyList<AchievementUnlock> Unlocks { get; init; } = [];

    /// <summary>Activities per kind and month (the last 25 months), for leaderboards.</summary>
    public IReadOnlyList<ActivityTally> Tallies { get; init; } = [];

    /// <summary>The name shown on leaderboards, or null for a pseudonym.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Whether the member asked to stay off leaderboards.</summary>
    public bool LeaderboardOptOut { get; init; }
}

/// <summary>The progress towards one achievement.</summary>
/// <param name="AchievementId">The achievement.</param>
/// <param name="Year">The calendar year counted for a yearly achievement or a spend threshold; 0 otherwise.</param>
/// <param name="Count">Activities, referrals, or orders in the category counted.</param>
/// <param name="Spent">For a spend threshold, the amount spent in <paramref name="Year"/> less refunds.</param>
/// <param name="Months">For a streak, the months (year × 12 + month − 1, programme zone) with orders, and how many, ascending.</param>
public sealed record AchievementProgress(string AchievementId, int Year, long Count, decimal Spent, IReadOnlyList<MonthOrders> Months)
{
    /// <summary>Progress with nothing counted.</summary>
    /// <param name="achievementId">The achievement.</param>
    /// <returns>The progress.</returns>
    public static AchievementProgress Start(string achievementId) => new(achievementId, 0, 0, 0m, []);
}

/// <summary>The orders of one calendar month, for streaks.</summary>
/// <param name="Month">Year × 12 + month − 1, in the programme's time zone.</param>
/// <param name="Orders">How many orders (fully refunded ones taken off).</param>
public readonly record struct MonthOrders(int Month, int Orders);

/// <summary>How many activities of one kind a member had in one month.</summary>
/// <param name="Kind">The activity kind.</param>
/// <param name="EventName">For custom activities, the event; otherwise null.</param>
/// <param name="Month">Year × 12 + month − 1, in the programme's time zone.</param>
/// <param name="Count">How many.</param>
public sealed record ActivityTally(ActivityKind Kind, string? EventName, int Month, long Count);

/// <summary>An achievement unlocked.</summary>
/// <param name="AchievementId">The achievement.</param>
/// <param name="Year">For a yearly achievement, the calendar year it counts for; 0 for a permanent one.</param>
/// <param name="UnlockedAt">When its cause happened (the order's placement or the activity's instant).</param>
/// <param name="CausedBy">What unlocked it: <c>order:{id}</c> or <c>activity:{id}</c>.</param>
/// <param name="BonusPoints">The points credited on unlock (0 for none).</param>
/// <param name="BonusTransaction">The ledger transaction of the bonus, or null.</param>
/// <param name="ValidUntil">For a yearly achievement, the end of its year; otherwise null.</param>
/// <param name="RevokedAt">When a refund revoked it, or null.</param>
public sealed record AchievementUnlock(string AchievementId, int Year, Instant UnlockedAt, string CausedBy, long BonusPoints, TransactionId? BonusTransaction, Instant? ValidUntil, Instant? RevokedAt = null)
{
    /// <summary>Whether it was revoked.</summary>
    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>An achievement as a member sees it in their summary.</summary>
/// <param name="AchievementId">The achievement.</param>
/// <param name="Name">Its name.</param>
/// <param name="Kind">What it counts.</param>
/// <param name="Progress">Where the member is, at most <paramref name="Target"/>: a count, months in a row, or whole currency units spent this year.</param>
/// <param name="Target">Where it unlocks.</param>
/// <param name="UnlockedAt">When it was unlocked (this year, for a yearly achievement), or null.</param>
/// <param name="ValidUntil">For a yearly achievement unlocked, the end of its year; otherwise null.</param>
public sealed record AchievementStatus(string AchievementId, string Name, AchievementKind Kind, long Progress, long Target, Instant? UnlockedAt, Instant? ValidUntil)
{
    /// <summary>Whether it is unlocked and valid.</summary>
    public bool IsUnlocked => UnlockedAt is not null;
}

/// <summary>What an order, refund or activity changed.</summary>
/// <param name="State">The member's next state, version one on.</param>
/// <param name="Unlocked">The unlocks it caused.</param>
/// <param name="Revoked">The unlocks it revoked.</param>
public sealed record AchievementChange(MemberAchievements State, IReadOnlyList<AchievementUnlock> Unlocked, IReadOnlyList<AchievementUnlock> Revoked);
