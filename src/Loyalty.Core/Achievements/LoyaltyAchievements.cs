using System.Security.Cryptography;
using System.Text;
using Loyalty.Core.Configuration;
using Loyalty.Core.Earning;
using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Achievements;

/// <summary>The calendar period of a leaderboard, in the programme's time zone.</summary>
public enum LeaderboardPeriod
{
    /// <summary>The calendar month of the instant asked.</summary>
    Month = 0,

    /// <summary>The calendar year of the instant asked.</summary>
    Year = 1,
}

/// <summary>One line of a leaderboard: a rank, the name the member chose or a pseudonym, and the count. Never an id or an e-mail.</summary>
/// <param name="Rank">1 for the first; members with the same count share a rank.</param>
/// <param name="DisplayName">The member's chosen display name, or a pseudonym such as <c>Member 7F3A2C</c>.</param>
/// <param name="Count">How many activities in the period.</param>
public sealed record LeaderboardEntry(int Rank, string DisplayName, long Count);

/// <summary>
/// Recognition: the member's achievements and progress, display names, the leaderboard opt-out, and
/// leaderboards per period ("most reviews this month", "top referrers this year"). Achievements themselves
/// move forward inside the programme's writes (see <see cref="AchievementSet"/>).
/// </summary>
/// <remarks>Thread-safe when its store is. Leaderboards show a chosen display name or a pseudonym, never an id or an e-mail, and never a member who opted out.</remarks>
public sealed class LoyaltyAchievements
{
    /// <summary>The longest display name.</summary>
    public const int MaxDisplayNameLength = 40;

    private const int PageSize = 1000;
    private readonly IClock clock;
    private readonly ProgramId programId;
    private readonly DateTimeZone zone;
    private readonly IAchievementStore store;

    /// <summary>Creates the service (DI does this).</summary>
    /// <param name="clock">The clock.</param>
    /// <param name="settings">The programme's settings.</param>
    /// <param name="set">The programme's achievements.</param>
    /// <param name="store">The achievement store.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public LoyaltyAchievements(IClock clock, ProgramSettings settings, AchievementSet set, IAchievementStore store)
    {
        this.clock = Preconditions.CheckNotNull(clock);
        Preconditions.CheckNotNull(settings);
        programId = settings.ProgramId;
        zone = settings.TimeZone;
        Set = Preconditions.CheckNotNull(set);
        this.store = Preconditions.CheckNotNull(store);
    }

    /// <summary>The programme's achievements.</summary>
    public AchievementSet Set { get; }

    /// <summary>A member's achievements and progress now (the same list as in the member summary).</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One status per achievement, in the set's order.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default.</exception>
    public async Task<IReadOnlyList<AchievementStatus>> GetAchievementsAsync(MemberId memberId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        var state = await store.GetAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        return AchievementEngine.Status(Set, state, zone, clock.GetCurrentInstant());
    }

    /// <summary>Sets the name a member chose for leaderboards, or null to show a pseudonym.</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="displayName">1 to 40 characters, not an e-mail address; or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default, or <paramref name="displayName"/> is empty, too long, padded, holds a control character or looks like an e-mail address.</exception>
    public async Task SetDisplayNameAsync(MemberId memberId, string? displayName, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        if (displayName is not null)
        {
            if (string.IsNullOrWhiteSpace(displayName) || displayName.Length > MaxDisplayNameLength || displayName.Trim().Length != displayName.Length || displayName.Any(char.IsControl))
            {
                throw new ArgumentException($"displayName must be 1 to {MaxDisplayNameLength} characters without leading or trailing spaces or control characters (was '{displayName}'); or pass null for a pseudonym.", nameof(displayName));
            }

            if (displayName.Contains('@', StringComparison.Ordinal))
            {
                throw new ArgumentException($"displayName '{displayName}' looks like an e-mail address, which a leaderboard never shows; choose a nickname, or pass null for a pseudonym.", nameof(displayName));
            }
        }

        await store.UpdateAsync(programId, memberId, s => s.DisplayName == displayName ? null : new AchievementChange(s with { DisplayName = displayName, Version = s.Version + 1 }, [], []), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes a member off leaderboards (or back on). Their achievements and progress are unchanged.</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="optOut">True to stay off leaderboards.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default.</exception>
    public async Task SetLeaderboardOptOutAsync(MemberId memberId, bool optOut, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        await store.UpdateAsync(programId, memberId, s => s.LeaderboardOptOut == optOut ? null : new AchievementChange(s with { LeaderboardOptOut = optOut, Version = s.Version + 1 }, [], []), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The leaderboard of one activity kind over a calendar period: "most reviews this month" is
    /// (<see cref="ActivityKind.Review"/>, <see cref="LeaderboardPeriod.Month"/>), "top referrers this year" is
    /// (<see cref="ActivityKind.ReferralCompleted"/>, <see cref="LeaderboardPeriod.Year"/>). Members who opted
    /// out are left out; the others appear under their chosen name or a pseudonym.
    /// </summary>
    /// <param name="activity">The activity counted.</param>
    /// <param name="period">The calendar period containing <paramref name="asOf"/>.</param>
    /// <param name="asOf">An instant in the period.</param>
    /// <param name="top">How many lines, 1 to 1,000.</param>
    /// <param name="eventName">For <see cref="ActivityKind.Custom"/>, the event; otherwise null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The lines, highest count first, ties by display name.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> is out of range, or an enum value is not defined.</exception>
    public async Task<IReadOnlyList<LeaderboardEntry>> GetLeaderboardAsync(ActivityKind activity, LeaderboardPeriod period, Instant asOf, int top = 10, string? eventName = null, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckInRange(top, 1, 1000);
        if (!Enum.IsDefined(activity))
        {
            throw new ArgumentOutOfRangeException(nameof(activity), activity, $"activity must be one of {string.Join(", ", Enum.GetNames<ActivityKind>())} (was {(int)activity}).");
        }

        if (!Enum.IsDefined(period))
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, $"period must be one of {string.Join(", ", Enum.GetNames<LeaderboardPeriod>())} (was {(int)period}).");
        }

        var local = asOf.InZone(zone);
        var (from, to) = period == LeaderboardPeriod.Month
            ? (AchievementEngine.MonthIndex(local.Year, local.Month), AchievementEngine.MonthIndex(local.Year, local.Month))
            : (AchievementEngine.MonthIndex(local.Year, 1), AchievementEngine.MonthIndex(local.Year, 12));
        var counted = new List<(string Name, long Count)>();
        MemberId? after = null;
        while (true)
        {
            var page = await store.ReadPageAsync(programId, after, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var member in page)
            {
                if (member.LeaderboardOptOut)
                {
                    continue;
                }

                long count = 0;
                foreach (var t in member.Tallies)
                {
                    if (t.Kind == activity && t.Month >= from && t.Month <= to && string.Equals(t.EventName, eventName, StringComparison.Ordinal))
                    {
                        count += t.Count;
                    }
                }

                if (count > 0)
                {
                    counted.Add((member.DisplayName ?? Pseudonym(member.MemberId), count));
                }
            }

            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].MemberId;
        }

        var ordered = counted.OrderByDescending(c => c.Count).ThenBy(c => c.Name, StringComparer.Ordinal).Take(top).ToList();
        var result = new List<LeaderboardEntry>(ordered.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            var rank = i > 0 && ordered[i].Count == ordered[i - 1].Count ? result[i - 1].Rank : i + 1;
            result.Add(new LeaderboardEntry(rank, ordered[i].Name, ordered[i].Count));
        }

        return result;
    }

    /// <summary>The pseudonym a member without a display name has on leaderboards: stable, and not the id.</summary>
    /// <param name="memberId">The member.</param>
    /// <returns>E.g. <c>Member 7F3A2C</c>.</returns>
    public string Pseudonym(MemberId memberId) =>
        "Member " + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(programId.Value + "\n" + memberId.Value)), 0, 3);

    /// <summary>Data rights: the member's achievements state (progress, unlocks, tallies, display name), or null.</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The state, or null.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default.</exception>
    public async Task<MemberAchievements?> ExportMemberAsync(MemberId memberId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        return await store.ExportMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Data rights: deletes the member's achievements state.</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when something was deleted.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default.</exception>
    public async Task<bool> EraseMemberAsync(MemberId memberId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        return await store.EraseMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
    }
}
