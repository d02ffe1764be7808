using NodaTime;

using Loyalty.Core.Tiers;

namespace Loyalty.Core.Tests.Tiers;

/// <summary>
/// The period arithmetic as it was before the performance work (reference for the tests).
/// Period arithmetic of a ladder in the programme's zone: window starts, period ends, validity
/// ends. Calendar-year boundaries are precomputed for 1900–2299 so the hot path does no zone
/// conversion.
/// </summary>
internal sealed class ReferenceTierCalendar
{
    /// <summary>The "no end" sentinel.</summary>
    public static readonly Instant None = Instant.MaxValue;

    private const int FirstYear = 1900;
    private const int YearCount = 400;
    private const long SecondsPerYear = 31_556_952; // 365.2425 days
    private const long SecondsFrom1900To1970 = -2_208_988_800;

    private readonly DateTimeZone zone;
    private readonly QualificationWindowKind window;
    private readonly int windowMonths;
    private readonly StatusValidity validity;
    private readonly bool neverExpires;
    private readonly Period grace;
    private readonly Instant[] yearStarts;

    public ReferenceTierCalendar(TierPolicy policy)
    {
        zone = policy.TimeZone;
        window = policy.Window.Kind;
        windowMonths = policy.Window.Months;
        validity = policy.Validity;
        neverExpires = window == QualificationWindowKind.Lifetime || policy.Downgrade == DowngradePolicy.Never;
        grace = policy.GracePeriod;
        HasGrace = !grace.Equals(Period.Zero) && !grace.Normalize().Equals(Period.Zero);
        yearStarts = new Instant[YearCount + 1];
        for (var i = 0; i <= YearCount; i++)
        {
            yearStarts[i] = new LocalDate(FirstYear + i, 1, 1).AtStartOfDayInZone(zone).ToInstant();
        }
    }

    public bool HasGrace { get; }

    public bool IsLifetime => window == QualificationWindowKind.Lifetime;

    public bool IsAnniversary => window == QualificationWindowKind.AnniversaryYear;

    /// <summary>The start (inclusive) of the window whose end is <paramref name="t"/>.</summary>
    public Instant WindowStart(Instant t, LocalDate enrolment) => window switch
    {
        QualificationWindowKind.CalendarYear => YearStart(YearOf(t)),
        QualificationWindowKind.AnniversaryYear => AnniversaryStart(t, enrolment, 0),
        QualificationWindowKind.RollingMonths => PlusMonths(t, -windowMonths),
        _ => Instant.MinValue,
    };

    /// <summary>The end (exclusive) of the period containing <paramref name="t"/>.</summary>
    public Instant PeriodEnd(Instant t, LocalDate enrolment) => window switch
    {
        QualificationWindowKind.CalendarYear => YearStart(YearOf(t) + 1),
        QualificationWindowKind.AnniversaryYear => AnniversaryStart(t, enrolment, 1),
        QualificationWindowKind.RollingMonths => PlusMonths(t, windowMonths),
        _ => None,
    };

    /// <summary>Until when a tier (re)qualified at <paramref name="t"/> holds.</summary>
    public Instant ValidityAfterQualification(Instant t, LocalDate enrolment)
    {
        if (neverExpires)
        {
            return None;
        }

        return validity.Kind switch
        {
            StatusValidityKind.FixedMonths => PlusMonths(t, validity.Months),
            StatusValidityKind.EndOfCurrentPeriod => PeriodEnd(t, enrolment),
            _ => window == QualificationWindowKind.CalendarYear
                ? YearStart(YearOf(t) + 2)
                : PeriodEnd(PeriodEnd(t, enrolment), enrolment),
        };
    }

    /// <summary>Until when a tier reached by a downgrade at <paramref name="t"/> holds: one period (or the fixed validity).</summary>
    public Instant ValidityAfterDowngrade(Instant t, LocalDate enrolment) =>
        neverExpires ? None
        : validity.Kind == StatusValidityKind.FixedMonths ? PlusMonths(t, validity.Months)
        : PeriodEnd(t, enrolment);

    /// <summary>The end of grace that starts at <paramref name="validityEnd"/>.</summary>
    public Instant GraceEnd(Instant validityEnd) =>
        validityEnd.InZone(zone).LocalDateTime.Plus(grace).InZoneLeniently(zone).ToInstant();

    public LocalDate LocalDateOf(Instant t) => t.InZone(zone).Date;

    private Instant PlusMonths(Instant t, int months) =>
        t.InZone(zone).LocalDateTime.PlusMonths(months).InZoneLeniently(zone).ToInstant();

    private Instant AnniversaryStart(Instant t, LocalDate enrolment, int offset)
    {
        var date = t.InZone(zone).Date;
        var k = date.Year - enrolment.Year;
        if (enrolment.PlusYears(k) > date)
        {
            k--;
        }

        return enrolment.PlusYears(k + offset).AtStartOfDayInZone(zone).ToInstant();
    }

    private int YearOf(Instant t)
    {
        var starts = yearStarts;
        if (t < starts[0] || t >= starts[YearCount])
        {
            return t.InZone(zone).Year;
        }

        // Estimate from the mean Gregorian year, then correct by at most a step or two.
        var i = (int)((t.ToUnixTimeSeconds() - SecondsFrom1900To1970) / SecondsPerYear);
        i = Math.Clamp(i, 0, YearCount - 1);
        while (i > 0 && starts[i] > t)
        {
            i--;
        }

        while (i < YearCount - 1 && starts[i + 1] <= t)
        {
            i++;
        }

        return FirstYear + i;
    }

    private Instant YearStart(int year)
    {
        var i = year - FirstYear;
        return (uint)i <= YearCount ? yearStarts[i] : new LocalDate(year, 1, 1).AtStartOfDayInZone(zone).ToInstant();
    }
}
