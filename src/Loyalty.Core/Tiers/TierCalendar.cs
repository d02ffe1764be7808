using System.Runtime.CompilerServices;
using NodaTime;

namespace Loyalty.Core.Tiers;

/// <summary>
/// Period arithmetic of a ladder in the programme's zone: window starts, period ends, validity
/// ends. Calendar-year boundaries are precomputed for 1900–2299 so the hot path does no zone
/// conversion.
/// </summary>
internal sealed class TierCalendar
{
    /// <summary>The "no end" sentinel.</summary>
    public static readonly Instant None = Instant.MaxValue;

    private const int FirstYear = 1900;
    private const int YearCount = 400;
    private const long DaysPer400Years = 146_097;

    /// <summary>The year starts of each zone, computed once per zone: a calendar is built per ladder and
    /// per scope (a programme resolved per request), and the 401 zone conversions cost more than the request's evaluation.</summary>
    private static readonly ConditionalWeakTable<DateTimeZone, Instant[]> YearStartsByZone = new();

    private readonly DateTimeZone zone;
    private readonly QualificationWindowKind window;
    private readonly int windowMonths;
    private readonly StatusValidity validity;
    private readonly bool neverExpires;
    private readonly Period grace;
    private readonly Instant[] yearStarts;

    public TierCalendar(TierPolicy policy)
    {
        zone = policy.TimeZone;
        window = policy.Window.Kind;
        windowMonths = policy.Window.Months;
        validity = policy.Validity;
        neverExpires = window == QualificationWindowKind.Lifetime || policy.Downgrade == DowngradePolicy.Never;
        grace = policy.GracePeriod;
        HasGrace = !grace.Equals(Period.Zero) && !grace.Normalize().Equals(Period.Zero);
        yearStarts = YearStartsByZone.GetValue(zone, static z =>
        {
            var starts = new Instant[YearCount + 1];
            for (var i = 0; i <= YearCount; i++)
            {
                starts[i] = Internal.LocalCalendar.StartOfDay(new LocalDate(FirstYear + i, 1, 1), z);
            }

            return starts;
        });
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

    /// <summary>
    /// A number for the period the kept state sums entries by (see <see cref="TierEvaluator.FoldPeriod"/>):
    /// the calendar year, the start of the anniversary year, the local day for a rolling window, 0 for a lifetime window.
    /// </summary>
    public long FoldPeriod(Instant t, Instant enrolledAt) => window switch
    {
        QualificationWindowKind.CalendarYear => YearOf(t),
        QualificationWindowKind.AnniversaryYear => AnniversaryStart(t, LocalDateOf(enrolledAt), 0).ToUnixTimeTicks(),
        QualificationWindowKind.RollingMonths => LocalDay(t),
        _ => 0,
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
    [MethodImpl(MethodImplOptions.NoInlining)]
    public Instant GraceEnd(Instant validityEnd) =>
        Internal.LocalCalendar.Leniently(validityEnd.InZone(zone).LocalDateTime.Plus(grace), zone);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public LocalDate LocalDateOf(Instant t) => t.InZone(zone).Date;

    /// <summary>The local day of <paramref name="t"/> in the zone, as days since the Unix epoch.</summary>
    private long LocalDay(Instant t)
    {
        var local = t.ToUnixTimeTicks() + zone.GetUtcOffset(t).Ticks;
        return local >= 0 ? local / NodaConstants.TicksPerDay : ((local + 1) / NodaConstants.TicksPerDay) - 1;
    }

    // Zone conversions stay out of line: inlined, their large locals would be zeroed on every call of the fast paths.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Instant PlusMonths(Instant t, int months) =>
        Internal.LocalCalendar.Leniently(t.InZone(zone).LocalDateTime.PlusMonths(months), zone);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Instant AnniversaryStart(Instant t, LocalDate enrolment, int offset)
    {
        var date = t.InZone(zone).Date;
        var k = date.Year - enrolment.Year;
        if (enrolment.PlusYears(k) > date)
        {
            k--;
        }

        return Internal.LocalCalendar.StartOfDay(enrolment.PlusYears(k + offset), zone);
    }

    private int YearOf(Instant t)
    {
        var starts = yearStarts;
        if (t < starts[0] || t >= starts[YearCount])
        {
            return YearInZone(t);
        }

        // Estimate from whole days since the first year start and the mean Gregorian year
        // (146,097 days per 400 years), then correct by at most a step.
        var i = (int)((long)(t - starts[0]).Days * YearCount / DaysPer400Years);
        i = Math.Min(i, YearCount - 1);
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
        return (uint)i <= YearCount ? yearStarts[i] : StartOfYearInZone(year);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int YearInZone(Instant t) => t.InZone(zone).Year;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Instant StartOfYearInZone(int year) => Internal.LocalCalendar.StartOfDay(new LocalDate(year, 1, 1), zone);
}
