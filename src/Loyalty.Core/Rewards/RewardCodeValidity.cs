using System.Globalization;
using NodaTime;

namespace Loyalty.Core.Rewards;

/// <summary>
/// How long the code of a redeemed reward can be used: a number of days after issue, or through a
/// fixed last day, both counted in the programme's time zone (a day is a calendar day there, 23 or 25
/// hours long across a change of clocks).
/// </summary>
/// <remarks>
/// <para>Immutable and thread-safe. <see cref="DaysAfterIssue"/>(30) makes a code issued on
/// 2 March at any hour usable through 1 April inclusive: it expires at the start of 2 April in the
/// programme's zone. <see cref="Through"/>(31 December) makes every code usable through
/// 31 December inclusive.</para>
/// </remarks>
public sealed class RewardCodeValidity : IEquatable<RewardCodeValidity>
{
    private RewardCodeValidity(int? days, LocalDate? lastDay)
    {
        Days = days;
        LastDay = lastDay;
    }

    /// <summary>For <see cref="DaysAfterIssue"/>, the days after the day of issue; otherwise null.</summary>
    public int? Days { get; }

    /// <summary>For <see cref="Through"/>, the last day a code can be used; otherwise null.</summary>
    public LocalDate? LastDay { get; }

    /// <summary>A code usable on the day of issue and the <paramref name="days"/> days after it.</summary>
    /// <param name="days">The days, 1 to 3,660.</param>
    /// <returns>The validity.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="days"/> is out of range.</exception>
    public static RewardCodeValidity DaysAfterIssue(int days)
    {
        if (days is < 1 or > 3660)
        {
            throw new ArgumentOutOfRangeException(nameof(days), days, $"days must be 1 to 3660, e.g. 30 for a code usable for a month after issue (was {days.ToString(CultureInfo.InvariantCulture)}).");
        }

        return new RewardCodeValidity(days, null);
    }

    /// <summary>A code usable through <paramref name="lastDay"/> inclusive, whenever it was issued.</summary>
    /// <param name="lastDay">The last day, in the programme's time zone.</param>
    /// <returns>The validity.</returns>
    /// <exception cref="ArgumentException"><paramref name="lastDay"/> is <c>default</c>.</exception>
    public static RewardCodeValidity Through(LocalDate lastDay)
    {
        if (lastDay == default)
        {
            throw new ArgumentException("lastDay must be a real date, e.g. 2026-12-31 for codes usable through 31 December; default(LocalDate) is not one.", nameof(lastDay));
        }

        return new RewardCodeValidity(null, lastDay);
    }

    /// <summary>The instant a code issued at <paramref name="issuedAt"/> stops being usable (exclusive): the start of the day after its last day, in <paramref name="zone"/>.</summary>
    /// <param name="issuedAt">When the code was issued.</param>
    /// <param name="zone">The programme's time zone.</param>
    /// <returns>The expiry instant.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="zone"/> is null.</exception>
    public Instant ExpiresAt(Instant issuedAt, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var lastDay = Days is { } days ? issuedAt.InZone(zone).Date.PlusDays(days) : LastDay!.Value;
        return zone.AtStartOfDay(lastDay.PlusDays(1)).ToInstant();
    }

    /// <inheritdoc />
    public bool Equals(RewardCodeValidity? other) => other is not null && Days == other.Days && LastDay == other.LastDay;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RewardCodeValidity);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Days, LastDay);

    /// <summary>The validity in words, e.g. <c>30 days after issue</c> or <c>through 2026-12-31</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Days is { } d
        ? string.Create(CultureInfo.InvariantCulture, $"{d} days after issue")
        : "through " + LastDay!.Value.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);
}
