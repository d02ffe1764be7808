using Loyalty.Core.Internal;
using NodaTime;

namespace Loyalty.Core.Ledger;

/// <summary>How a rolling expiry is rounded up, in the programme's time zone.</summary>
public enum ExpiryRounding
{
    /// <summary>No rounding: the exact local time N days or months after earning.</summary>
    None = 0,

    /// <summary>Up to the end of that day (the next local midnight).</summary>
    EndOfDay = 1,

    /// <summary>Up to the end of that month.</summary>
    EndOfMonth = 2,

    /// <summary>Up to the end of that calendar quarter.</summary>
    EndOfQuarter = 3,

    /// <summary>Up to the end of that calendar year.</summary>
    EndOfYear = 4,
}

/// <summary>The kinds of expiry policy.</summary>
public enum ExpiryPolicyKind
{
    /// <summary>Points never expire.</summary>
    None = 0,

    /// <summary>Points expire N days or months after they were earned, optionally rounded up.</summary>
    Rolling = 1,

    /// <summary>Points expire at the end of a fixed calendar date, a number of years after the year they were earned.</summary>
    FixedCalendar = 2,

    /// <summary>The whole balance lapses after N months with no earn and no redemption.</summary>
    Inactivity = 3,
}

/// <summary>
/// Decides when earned points expire. Expiry instants are exclusive: a lot that expires at
/// <c>T</c> is spendable at <c>T - 1 tick</c> and gone at <c>T</c>. "End of a day" is the next
/// local midnight in the programme's time zone (DST included).
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class ExpiryPolicy
{
    private ExpiryPolicy(ExpiryPolicyKind kind, int days, int months, ExpiryRounding rounding, int month, int day, int yearsAfter)
    {
        Kind = kind;
        Days = days;
        Months = months;
        Rounding = rounding;
        Month = month;
        Day = day;
        YearsAfter = yearsAfter;
    }

    /// <summary>Points never expire.</summary>
    public static ExpiryPolicy Never { get; } = new(ExpiryPolicyKind.None, 0, 0, ExpiryRounding.None, 0, 0, 0);

    /// <summary>The kind.</summary>
    public ExpiryPolicyKind Kind { get; }

    /// <summary>Rolling: days after earning (0 when months are used).</summary>
    public int Days { get; }

    /// <summary>Rolling: months after earning; inactivity: months without activity.</summary>
    public int Months { get; }

    /// <summary>Rolling: how the result is rounded up.</summary>
    public ExpiryRounding Rounding { get; }

    /// <summary>Fixed calendar: the month (1-12).</summary>
    public int Month { get; }

    /// <summary>Fixed calendar: the day of the month (1-31, clamped to the month's length).</summary>
    public int Day { get; }

    /// <summary>Fixed calendar: how many years after the year of earning.</summary>
    public int YearsAfter { get; }

    /// <summary>Points expire <paramref name="days"/> days after they were earned.</summary>
    /// <param name="days">1 to 36,500.</param>
    /// <param name="rounding">Optional rounding up.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="days"/> is out of range.</exception>
    public static ExpiryPolicy RollingDays(int days, ExpiryRounding rounding = ExpiryRounding.None)
        => new(ExpiryPolicyKind.Rolling, Preconditions.CheckInRange(days, 1, 36_500), 0, CheckRounding(rounding), 0, 0, 0);

    /// <summary>Points expire <paramref name="months"/> months after they were earned.</summary>
    /// <param name="months">1 to 1,200.</param>
    /// <param name="rounding">Optional rounding up.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="months"/> is out of range.</exception>
    public static ExpiryPolicy RollingMonths(int months, ExpiryRounding rounding = ExpiryRounding.None)
        => new(ExpiryPolicyKind.Rolling, 0, Preconditions.CheckInRange(months, 1, 1_200), CheckRounding(rounding), 0, 0, 0);

    /// <summary>Points expire at the end of <paramref name="month"/>/<paramref name="day"/>, <paramref name="yearsAfter"/> years after the year they were earned (e.g. 12, 31, 1: the 31 December of the next year).</summary>
    /// <param name="month">1 to 12.</param>
    /// <param name="day">1 to 31; clamped to the month's length (29 February becomes 28 in common years).</param>
    /// <param name="yearsAfter">0 to 100.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static ExpiryPolicy FixedCalendar(int month, int day, int yearsAfter)
        => new(ExpiryPolicyKind.FixedCalendar, 0, 0, ExpiryRounding.None,
            Preconditions.CheckInRange(month, 1, 12), Preconditions.CheckInRange(day, 1, 31), Preconditions.CheckInRange(yearsAfter, 0, 100));

    /// <summary>The whole balance lapses <paramref name="months"/> months after the last earn or redemption.</summary>
    /// <param name="months">1 to 1,200.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="months"/> is out of range.</exception>
    public static ExpiryPolicy Inactivity(int months)
        => new(ExpiryPolicyKind.Inactivity, 0, Preconditions.CheckInRange(months, 1, 1_200), ExpiryRounding.None, 0, 0, 0);

    /// <summary>
    /// The expiry of points earned at <paramref name="earnedAt"/>, or null when the lot has no
    /// expiry date of its own (<see cref="ExpiryPolicyKind.None"/>, <see cref="ExpiryPolicyKind.Inactivity"/>).
    /// </summary>
    /// <param name="earnedAt">When the points were earned.</param>
    /// <param name="zone">The programme's time zone.</param>
    /// <returns>The exclusive expiry instant, or null.</returns>
    public Instant? ExpiresAt(Instant earnedAt, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (Kind is ExpiryPolicyKind.None or ExpiryPolicyKind.Inactivity)
        {
            return null;
        }

        var local = earnedAt.InZone(zone).LocalDateTime;
        switch (Kind)
        {
            case ExpiryPolicyKind.Rolling:
                var target = Days > 0 ? local.PlusDays(Days) : local.PlusMonths(Months);
                var date = target.Date;
                return Rounding switch
                {
                    ExpiryRounding.EndOfDay => Internal.LocalCalendar.StartOfDay(date.PlusDays(1), zone),
                    ExpiryRounding.EndOfMonth => Internal.LocalCalendar.StartOfDay(new LocalDate(date.Year, date.Month, 1).PlusMonths(1), zone),
                    ExpiryRounding.EndOfQuarter => Internal.LocalCalendar.StartOfDay(new LocalDate(date.Year, ((date.Month - 1) / 3 * 3) + 1, 1).PlusMonths(3), zone),
                    ExpiryRounding.EndOfYear => Internal.LocalCalendar.StartOfDay(new LocalDate(date.Year + 1, 1, 1), zone),
                    _ => Internal.LocalCalendar.Leniently(target, zone),
                };
            case ExpiryPolicyKind.FixedCalendar:
                var year = local.Year + YearsAfter;
                var day = Math.Min(Day, CalendarSystem.Iso.GetDaysInMonth(year, Month));
                return Internal.LocalCalendar.StartOfDay(new LocalDate(year, Month, day).PlusDays(1), zone);
            default:
                return null;
        }
    }

    /// <summary>The inactivity deadline after an activity at <paramref name="lastActivity"/>, or null unless this is an inactivity policy.</summary>
    /// <param name="lastActivity">The last earn or redemption.</param>
    /// <param name="zone">The programme's time zone.</param>
    /// <returns>The exclusive deadline, or null.</returns>
    public Instant? InactivityDeadline(Instant lastActivity, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return Kind == ExpiryPolicyKind.Inactivity
            ? Internal.LocalCalendar.Leniently(lastActivity.InZone(zone).LocalDateTime.PlusMonths(Months), zone)
            : null;
    }

    /// <summary>A description such as <c>Rolling 12 months, EndOfMonth</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Kind switch
    {
        ExpiryPolicyKind.Rolling => Days > 0 ? $"Rolling {Days} days, {Rounding}" : $"Rolling {Months} months, {Rounding}",
        ExpiryPolicyKind.FixedCalendar => $"FixedCalendar {Month:00}-{Day:00} +{YearsAfter} year(s)",
        ExpiryPolicyKind.Inactivity => $"Inactivity {Months} months",
        _ => "Never",
    };

    private static ExpiryRounding CheckRounding(ExpiryRounding rounding)
        => Enum.IsDefined(rounding)
            ? rounding
            : throw new ArgumentOutOfRangeException(nameof(rounding), rounding, $"rounding must be one of {string.Join(", ", Enum.GetNames<ExpiryRounding>())} (was {(int)rounding}).");
}
