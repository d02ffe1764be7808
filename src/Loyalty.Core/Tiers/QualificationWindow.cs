using Loyalty.Core.Internal;

namespace Loyalty.Core.Tiers;

/// <summary>
/// The period over which qualifying value is summed: a rolling number of months, the calendar
/// year in the programme's zone, the membership anniversary year, or the member's lifetime.
/// </summary>
/// <remarks>Immutable and thread-safe. <c>default(QualificationWindow)</c> is <see cref="CalendarYear"/>.</remarks>
public readonly record struct QualificationWindow
{
    /// <summary>The longest rolling window accepted: 120 months.</summary>
    public const int MaxRollingMonths = 120;

    private QualificationWindow(QualificationWindowKind kind, int months)
    {
        Kind = kind;
        Months = months;
    }

    /// <summary>The kind of window.</summary>
    public QualificationWindowKind Kind { get; }

    /// <summary>The number of months of a rolling window; 0 for other kinds.</summary>
    public int Months { get; }

    /// <summary>The calendar year (1 January to 31 December) in the programme's time zone.</summary>
    public static QualificationWindow CalendarYear => new(QualificationWindowKind.CalendarYear, 0);

    /// <summary>The membership year starting on each anniversary of the member's enrolment date.</summary>
    public static QualificationWindow AnniversaryYear => new(QualificationWindowKind.AnniversaryYear, 0);

    /// <summary>All history; a tier reached is never lost to time (only to a refund).</summary>
    public static QualificationWindow Lifetime => new(QualificationWindowKind.Lifetime, 0);

    /// <summary>The last <paramref name="months"/> months up to the evaluation instant, in the programme's time zone.</summary>
    /// <param name="months">Between 1 and <see cref="MaxRollingMonths"/>.</param>
    /// <returns>The window.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="months"/> is outside 1..120.</exception>
    public static QualificationWindow RollingMonths(int months) =>
        new(QualificationWindowKind.RollingMonths, Preconditions.CheckInRange(months, 1, MaxRollingMonths));

    /// <summary>A readable form, e.g. <c>RollingMonths(12)</c> or <c>CalendarYear</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Kind == QualificationWindowKind.RollingMonths ? $"RollingMonths({Months})" : Kind.ToString();
}
