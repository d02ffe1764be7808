using Loyalty.Core.Tiers;
using NodaTime;
using static Loyalty.Core.Tests.Tiers.TierFixtures;

namespace Loyalty.Core.Tests.Tiers;

/// <summary>
/// The period arithmetic of a ladder (<see cref="TierCalendar"/>) at its edges: year and anniversary
/// boundaries to the nanosecond, years outside the precomputed range, rolling windows at month ends and
/// across daylight-saving changes, leap days, validity and grace ends.
/// </summary>
public class TierCalendarEdgeTests
{
    private static TierCalendar Calendar(QualificationWindow window, StatusValidity validity = default, DowngradePolicy downgrade = DowngradePolicy.OneLevel, Period? grace = null, DateTimeZone? zone = null) =>
        new(new TierPolicy { Window = window, Validity = validity, Downgrade = downgrade, GracePeriod = grace ?? Period.Zero, TimeZone = zone ?? Paris });

    private static Instant Local(int year, int month, int day, int hour = 0, int minute = 0) => InParis(year, month, day, hour, minute);

    [Fact]
    public void A_calendar_year_starts_at_local_midnight_on_1_january_to_the_nanosecond()
    {
        var calendar = Calendar(QualificationWindow.CalendarYear);
        var newYear = Local(2026, 1, 1);

        calendar.WindowStart(newYear, default).Should().Be(newYear);
        calendar.WindowStart(newYear - Duration.Epsilon, default).Should().Be(Local(2025, 1, 1));
        calendar.WindowStart(Local(2025, 7, 14, 12), default).Should().Be(Local(2025, 1, 1));
        calendar.PeriodEnd(newYear - Duration.Epsilon, default).Should().Be(newYear);
        calendar.PeriodEnd(newYear, default).Should().Be(Local(2027, 1, 1));
        calendar.FoldPeriod(newYear - Duration.Epsilon, default).Should().Be(2025);
        calendar.FoldPeriod(newYear, default).Should().Be(2026);
    }

    [Theory]
    [InlineData(1850)]
    [InlineData(1899)]
    [InlineData(1900)]
    [InlineData(1901)]
    [InlineData(2000)]
    [InlineData(2298)]
    [InlineData(2299)]
    [InlineData(2300)]
    [InlineData(2301)]
    [InlineData(2500)]
    public void Calendar_years_inside_and_outside_the_precomputed_range_start_on_1_january(int year)
    {
        var calendar = Calendar(QualificationWindow.CalendarYear);
        var start = new LocalDate(year, 1, 1).AtStartOfDayInZone(Paris).ToInstant();
        var next = new LocalDate(year + 1, 1, 1).AtStartOfDayInZone(Paris).ToInstant();

        calendar.WindowStart(start, default).Should().Be(start);
        calendar.WindowStart(next - Duration.Epsilon, default).Should().Be(start);
        calendar.WindowStart(start + Duration.FromDays(180), default).Should().Be(start);
        calendar.PeriodEnd(start, default).Should().Be(next);
        calendar.PeriodEnd(next - Duration.Epsilon, default).Should().Be(next);
        calendar.FoldPeriod(start, default).Should().Be(year);
        calendar.FoldPeriod(start - Duration.Epsilon, default).Should().Be(year - 1);
        calendar.ValidityAfterQualification(start, default).Should().Be(new LocalDate(year + 2, 1, 1).AtStartOfDayInZone(Paris).ToInstant());
    }

    [Fact]
    public void Validity_after_qualification_follows_the_validity_kind()
    {
        var qualified = Local(2025, 3, 15, 10);
        var enrolment = new LocalDate(2024, 6, 1);

        Calendar(QualificationWindow.CalendarYear).ValidityAfterQualification(qualified, default).Should().Be(Local(2027, 1, 1));
        Calendar(QualificationWindow.CalendarYear, StatusValidity.EndOfCurrentPeriod).ValidityAfterQualification(qualified, default).Should().Be(Local(2026, 1, 1));
        Calendar(QualificationWindow.CalendarYear, StatusValidity.FixedMonths(9)).ValidityAfterQualification(qualified, default).Should().Be(Local(2025, 12, 15, 10));
        Calendar(QualificationWindow.AnniversaryYear).ValidityAfterQualification(qualified, enrolment).Should().Be(Local(2026, 6, 1));
        Calendar(QualificationWindow.AnniversaryYear, StatusValidity.EndOfCurrentPeriod).ValidityAfterQualification(qualified, enrolment).Should().Be(Local(2025, 6, 1));
        Calendar(QualificationWindow.RollingMonths(6)).ValidityAfterQualification(qualified, default).Should().Be(Local(2026, 3, 15, 10));
        Calendar(QualificationWindow.RollingMonths(6), StatusValidity.EndOfCurrentPeriod).ValidityAfterQualification(qualified, default).Should().Be(Local(2025, 9, 15, 10));
    }

    [Fact]
    public void A_tier_never_expires_with_a_lifetime_window_or_without_downgrades()
    {
        var qualified = Local(2025, 3, 15, 10);
        var lifetime = Calendar(QualificationWindow.Lifetime);
        var never = Calendar(QualificationWindow.CalendarYear, StatusValidity.FixedMonths(3), DowngradePolicy.Never);

        lifetime.IsLifetime.Should().BeTrue();
        lifetime.ValidityAfterQualification(qualified, default).Should().Be(TierCalendar.None);
        lifetime.ValidityAfterDowngrade(qualified, default).Should().Be(TierCalendar.None);
        lifetime.WindowStart(qualified, default).Should().Be(Instant.MinValue);
        lifetime.PeriodEnd(qualified, default).Should().Be(TierCalendar.None);
        lifetime.FoldPeriod(qualified, qualified).Should().Be(0);
        never.IsLifetime.Should().BeFalse();
        never.ValidityAfterQualification(qualified, default).Should().Be(TierCalendar.None);
        never.ValidityAfterDowngrade(qualified, default).Should().Be(TierCalendar.None);
        never.PeriodEnd(qualified, default).Should().Be(Local(2026, 1, 1));
    }

    [Fact]
    public void Validity_after_a_downgrade_is_one_period_or_the_fixed_months()
    {
        var downgraded = Local(2026, 1, 1);
        var enrolment = new LocalDate(2024, 6, 1);

        Calendar(QualificationWindow.CalendarYear).ValidityAfterDowngrade(downgraded, default).Should().Be(Local(2027, 1, 1));
        Calendar(QualificationWindow.CalendarYear, StatusValidity.EndOfCurrentPeriod).ValidityAfterDowngrade(downgraded, default).Should().Be(Local(2027, 1, 1));
        Calendar(QualificationWindow.CalendarYear, StatusValidity.FixedMonths(4)).ValidityAfterDowngrade(downgraded, default).Should().Be(Local(2026, 5, 1));
        Calendar(QualificationWindow.AnniversaryYear).ValidityAfterDowngrade(downgraded, enrolment).Should().Be(Local(2026, 6, 1));
        Calendar(QualificationWindow.RollingMonths(3)).ValidityAfterDowngrade(downgraded, default).Should().Be(Local(2026, 4, 1));
    }

    [Fact]
    public void An_anniversary_year_starts_on_the_anniversary_day_itself()
    {
        var calendar = Calendar(QualificationWindow.AnniversaryYear);
        var enrolment = new LocalDate(2023, 5, 10);
        var anniversary = Local(2025, 5, 10);

        calendar.IsAnniversary.Should().BeTrue();
        calendar.WindowStart(anniversary, enrolment).Should().Be(anniversary);
        calendar.WindowStart(anniversary - Duration.Epsilon, enrolment).Should().Be(Local(2024, 5, 10));
        calendar.WindowStart(Local(2025, 12, 31, 23, 59), enrolment).Should().Be(anniversary);
        calendar.PeriodEnd(anniversary, enrolment).Should().Be(Local(2026, 5, 10));
        calendar.PeriodEnd(anniversary - Duration.Epsilon, enrolment).Should().Be(anniversary);
        calendar.WindowStart(Local(2023, 5, 10, 8), enrolment).Should().Be(Local(2023, 5, 10));
    }

    [Fact]
    public void A_member_enrolled_on_a_leap_day_starts_the_year_on_28_february_otherwise()
    {
        var calendar = Calendar(QualificationWindow.AnniversaryYear);
        var enrolment = new LocalDate(2024, 2, 29);

        calendar.WindowStart(Local(2025, 2, 28, 9), enrolment).Should().Be(Local(2025, 2, 28));
        calendar.WindowStart(Local(2025, 2, 27, 23), enrolment).Should().Be(Local(2024, 2, 29));
        calendar.PeriodEnd(Local(2025, 3, 1), enrolment).Should().Be(Local(2026, 2, 28));
        calendar.WindowStart(Local(2028, 2, 29, 1), enrolment).Should().Be(Local(2028, 2, 29));
        calendar.WindowStart(Local(2028, 2, 28, 23), enrolment).Should().Be(Local(2027, 2, 28));
    }

    [Fact]
    public void The_anniversary_fold_period_is_the_start_of_the_anniversary_year()
    {
        var calendar = Calendar(QualificationWindow.AnniversaryYear);
        var enrolledAt = Local(2023, 5, 10, 15);

        calendar.FoldPeriod(Local(2025, 5, 10), enrolledAt).Should().Be(Local(2025, 5, 10).ToUnixTimeTicks());
        calendar.FoldPeriod(Local(2025, 5, 10) - Duration.Epsilon, enrolledAt).Should().Be(Local(2024, 5, 10).ToUnixTimeTicks());
        calendar.LocalDateOf(enrolledAt).Should().Be(new LocalDate(2023, 5, 10));
        calendar.LocalDateOf(Local(2025, 1, 1) - Duration.Epsilon).Should().Be(new LocalDate(2024, 12, 31));
    }

    [Fact]
    public void A_rolling_window_goes_back_whole_local_months_clamped_to_the_month_end()
    {
        var calendar = Calendar(QualificationWindow.RollingMonths(1));
        var twelve = Calendar(QualificationWindow.RollingMonths(12));

        calendar.WindowStart(Local(2025, 3, 31, 12), default).Should().Be(Local(2025, 2, 28, 12));
        calendar.WindowStart(Local(2024, 3, 31, 12), default).Should().Be(Local(2024, 2, 29, 12));
        calendar.PeriodEnd(Local(2025, 1, 31, 12), default).Should().Be(Local(2025, 2, 28, 12));
        twelve.WindowStart(Local(2025, 2, 28, 8), default).Should().Be(Local(2024, 2, 28, 8));
        twelve.PeriodEnd(Local(2024, 2, 29, 8), default).Should().Be(Local(2025, 2, 28, 8));
        calendar.IsAnniversary.Should().BeFalse();
        calendar.IsLifetime.Should().BeFalse();
    }

    [Fact]
    public void A_rolling_window_keeps_the_local_time_across_daylight_saving_changes()
    {
        var calendar = Calendar(QualificationWindow.RollingMonths(1));

        // 2025-03-30 02:30 does not exist in Paris (clocks go from 02:00 to 03:00): the instant after the gap.
        calendar.WindowStart(Utc(2025, 4, 30, 0, 30), default).Should().Be(Utc(2025, 3, 30, 1, 30));
        calendar.WindowStart(Local(2025, 11, 15, 10), default).Should().Be(Local(2025, 10, 15, 10));
        calendar.PeriodEnd(Local(2025, 10, 15, 10), default).Should().Be(Local(2025, 11, 15, 10));
        calendar.PeriodEnd(Local(2025, 10, 15, 10), default).Should().Be(Utc(2025, 11, 15, 9));
    }

    [Fact]
    public void The_rolling_fold_period_is_the_local_day_counted_from_the_epoch()
    {
        var utc = Calendar(QualificationWindow.RollingMonths(12), zone: DateTimeZone.Utc);
        var paris = Calendar(QualificationWindow.RollingMonths(12));
        var epoch = NodaConstants.UnixEpoch;

        utc.FoldPeriod(epoch, epoch).Should().Be(0);
        utc.FoldPeriod(epoch - Duration.Epsilon, epoch).Should().Be(-1);
        utc.FoldPeriod(epoch - Duration.FromDays(1), epoch).Should().Be(-1);
        utc.FoldPeriod(epoch - Duration.FromDays(1) - Duration.Epsilon, epoch).Should().Be(-2);
        utc.FoldPeriod(epoch + Duration.FromDays(1) - Duration.Epsilon, epoch).Should().Be(0);
        utc.FoldPeriod(epoch + Duration.FromDays(1), epoch).Should().Be(1);
        utc.FoldPeriod(Utc(2025, 1, 1), epoch).Should().Be(20_089);
        paris.FoldPeriod(Utc(1969, 12, 31, 23, 30), epoch).Should().Be(0, "it is already 1 January 1970 in Paris");
        paris.FoldPeriod(Utc(1969, 12, 31, 22, 30), epoch).Should().Be(-1);
        paris.FoldPeriod(Utc(2025, 1, 1, 23, 30), epoch).Should().Be(20_090);
    }

    [Fact]
    public void Grace_ends_a_period_after_the_end_of_validity_in_local_time()
    {
        var month = Calendar(QualificationWindow.CalendarYear, grace: Period.FromMonths(1));
        var days = Calendar(QualificationWindow.CalendarYear, grace: Period.FromDays(45));
        var none = Calendar(QualificationWindow.CalendarYear);

        month.HasGrace.Should().BeTrue();
        month.GraceEnd(Local(2026, 1, 1)).Should().Be(Local(2026, 2, 1));
        month.GraceEnd(Local(2025, 3, 1)).Should().Be(Local(2025, 4, 1), "a month across the change to summer time is a local month");
        days.GraceEnd(Local(2026, 1, 1)).Should().Be(Local(2026, 2, 15));
        none.HasGrace.Should().BeFalse();
        Calendar(QualificationWindow.CalendarYear, grace: Period.FromDays(0)).HasGrace.Should().BeFalse();
        Calendar(QualificationWindow.CalendarYear, grace: Period.FromWeeks(1)).HasGrace.Should().BeTrue();
    }
}
