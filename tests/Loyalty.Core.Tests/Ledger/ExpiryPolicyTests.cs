using Loyalty.Core.Ledger;
using NodaTime;

namespace Loyalty.Core.Tests.Ledger;

public class ExpiryPolicyTests
{
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];

    private static Instant Paris_(int y, int m, int d, int h = 0) => new LocalDateTime(y, m, d, h, 0).InZoneStrictly(Paris).ToInstant();

    [Fact]
    public void Points_earned_on_15_March_expire_at_the_end_of_31_March_next_year_in_Paris()
    {
        var policy = ExpiryPolicy.RollingMonths(12, ExpiryRounding.EndOfMonth);
        policy.ExpiresAt(Paris_(2026, 3, 15, 18), Paris).Should().Be(Paris_(2027, 4, 1));
    }

    [Fact]
    public void Rolling_days_without_rounding_keep_the_local_time()
    {
        ExpiryPolicy.RollingDays(30).ExpiresAt(Paris_(2026, 3, 15, 18), Paris).Should().Be(Paris_(2026, 4, 14, 18));
    }

    [Fact]
    public void Rounding_to_end_of_day_quarter_and_year()
    {
        var earned = Paris_(2026, 2, 10, 9);
        ExpiryPolicy.RollingDays(1, ExpiryRounding.EndOfDay).ExpiresAt(earned, Paris).Should().Be(Paris_(2026, 2, 12));
        ExpiryPolicy.RollingMonths(1, ExpiryRounding.EndOfQuarter).ExpiresAt(earned, Paris).Should().Be(Paris_(2026, 4, 1));
        ExpiryPolicy.RollingMonths(1, ExpiryRounding.EndOfYear).ExpiresAt(earned, Paris).Should().Be(Paris_(2027, 1, 1));
    }

    [Fact]
    public void Fixed_calendar_31_December_of_the_year_after_earning()
    {
        ExpiryPolicy.FixedCalendar(12, 31, 1).ExpiresAt(Paris_(2026, 3, 15), Paris).Should().Be(Paris_(2028, 1, 1));
    }

    [Fact]
    public void Fixed_calendar_29_February_is_clamped_in_common_years()
    {
        ExpiryPolicy.FixedCalendar(2, 29, 1).ExpiresAt(Paris_(2026, 3, 15), Paris).Should().Be(Paris_(2027, 3, 1));
    }

    [Fact]
    public void Never_and_inactivity_have_no_lot_expiry()
    {
        ExpiryPolicy.Never.ExpiresAt(Paris_(2026, 3, 15), Paris).Should().BeNull();
        ExpiryPolicy.Inactivity(12).ExpiresAt(Paris_(2026, 3, 15), Paris).Should().BeNull();
        ExpiryPolicy.Inactivity(12).InactivityDeadline(Paris_(2026, 3, 15, 8), Paris).Should().Be(Paris_(2027, 3, 15, 8));
    }

    [Fact]
    public void Out_of_range_arguments_throw_with_the_valid_range()
    {
        FluentActions.Invoking(() => ExpiryPolicy.RollingDays(0)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("days must be between 1 and 36500 inclusive (was 0).*");
        FluentActions.Invoking(() => ExpiryPolicy.FixedCalendar(13, 1, 1)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("month must be between 1 and 12 inclusive (was 13).*");
        FluentActions.Invoking(() => ExpiryPolicy.RollingMonths(1, (ExpiryRounding)9)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("rounding must be one of None, EndOfDay, EndOfMonth, EndOfQuarter, EndOfYear (was 9).*");
    }

    [Theory]
    [InlineData(1, 4)]   // target in January: end of March
    [InlineData(3, 4)]   // target in March, the last month of its quarter
    [InlineData(4, 7)]
    [InlineData(8, 10)]
    [InlineData(10, 1)]  // target in October: end of December, 1 January next year
    [InlineData(12, 1)]
    public void End_of_quarter_rounding_ends_the_quarter_of_the_target_date(int targetMonth, int expiresMonth)
    {
        // Earned on the 10th of the month before the target month, one month rolling.
        var earnedMonth = targetMonth == 1 ? 12 : targetMonth - 1;
        var earnedYear = targetMonth == 1 ? 2025 : 2026;
        var expiresYear = expiresMonth < targetMonth ? 2027 : 2026;

        ExpiryPolicy.RollingMonths(1, ExpiryRounding.EndOfQuarter).ExpiresAt(Paris_(earnedYear, earnedMonth, 10, 9), Paris)
            .Should().Be(Paris_(expiresYear, expiresMonth, 1));
    }

    [Fact]
    public void End_of_month_in_December_ends_on_1_January()
    {
        ExpiryPolicy.RollingMonths(1, ExpiryRounding.EndOfMonth).ExpiresAt(Paris_(2026, 11, 30, 23), Paris).Should().Be(Paris_(2027, 1, 1));
        ExpiryPolicy.RollingDays(1, ExpiryRounding.EndOfMonth).ExpiresAt(Paris_(2026, 12, 30, 23), Paris).Should().Be(Paris_(2027, 1, 1));
        ExpiryPolicy.RollingDays(1, ExpiryRounding.EndOfYear).ExpiresAt(Paris_(2026, 12, 31, 23), Paris).Should().Be(Paris_(2028, 1, 1));
    }

    [Fact]
    public void Rolling_months_end_on_the_last_day_of_a_shorter_month()
    {
        ExpiryPolicy.RollingMonths(1).ExpiresAt(Paris_(2026, 1, 31, 10), Paris).Should().Be(Paris_(2026, 2, 28, 10));
        ExpiryPolicy.RollingMonths(1).ExpiresAt(Paris_(2028, 1, 31, 10), Paris).Should().Be(Paris_(2028, 2, 29, 10));
    }

    [Fact]
    public void Fixed_calendar_in_the_year_of_earning_and_a_30_day_month()
    {
        ExpiryPolicy.FixedCalendar(12, 31, 0).ExpiresAt(Paris_(2026, 3, 15), Paris).Should().Be(Paris_(2027, 1, 1));
        ExpiryPolicy.FixedCalendar(4, 31, 2).ExpiresAt(Paris_(2026, 3, 15), Paris).Should().Be(Paris_(2028, 5, 1));
        ExpiryPolicy.FixedCalendar(2, 29, 2).ExpiresAt(Paris_(2026, 3, 15), Paris).Should().Be(Paris_(2028, 3, 1));
    }

    [Fact]
    public void Only_an_inactivity_policy_has_an_inactivity_deadline()
    {
        ExpiryPolicy.RollingMonths(12).InactivityDeadline(Paris_(2026, 3, 15, 8), Paris).Should().BeNull();
        ExpiryPolicy.Never.InactivityDeadline(Paris_(2026, 3, 15, 8), Paris).Should().BeNull();
        ExpiryPolicy.FixedCalendar(12, 31, 1).InactivityDeadline(Paris_(2026, 3, 15, 8), Paris).Should().BeNull();
        ExpiryPolicy.Inactivity(1).InactivityDeadline(Paris_(2026, 1, 31, 8), Paris).Should().Be(Paris_(2026, 2, 28, 8));
        FluentActions.Invoking(() => ExpiryPolicy.Inactivity(1).InactivityDeadline(Paris_(2026, 1, 31), null!)).Should().Throw<ArgumentNullException>().WithParameterName("zone");
        FluentActions.Invoking(() => ExpiryPolicy.Never.ExpiresAt(Paris_(2026, 1, 31), null!)).Should().Throw<ArgumentNullException>().WithParameterName("zone");
    }

    [Fact]
    public void Policies_describe_themselves_and_keep_their_settings()
    {
        ExpiryPolicy.RollingDays(30, ExpiryRounding.EndOfDay).ToString().Should().Be("Rolling 30 days, EndOfDay");
        ExpiryPolicy.RollingMonths(12).ToString().Should().Be("Rolling 12 months, None");
        ExpiryPolicy.FixedCalendar(3, 1, 2).ToString().Should().Be("FixedCalendar 03-01 +2 year(s)");
        ExpiryPolicy.Inactivity(18).ToString().Should().Be("Inactivity 18 months");
        ExpiryPolicy.Never.ToString().Should().Be("Never");

        var fixedCalendar = ExpiryPolicy.FixedCalendar(3, 1, 2);
        (fixedCalendar.Kind, fixedCalendar.Month, fixedCalendar.Day, fixedCalendar.YearsAfter).Should().Be((ExpiryPolicyKind.FixedCalendar, 3, 1, 2));
        var rolling = ExpiryPolicy.RollingDays(30, ExpiryRounding.EndOfDay);
        (rolling.Kind, rolling.Days, rolling.Months, rolling.Rounding).Should().Be((ExpiryPolicyKind.Rolling, 30, 0, ExpiryRounding.EndOfDay));
        ExpiryPolicy.Inactivity(18).Months.Should().Be(18);
        ExpiryPolicy.Never.Kind.Should().Be(ExpiryPolicyKind.None);
    }

    [Fact]
    public void The_largest_settings_are_accepted_and_one_more_is_refused()
    {
        ExpiryPolicy.RollingDays(36_500).Days.Should().Be(36_500);
        ExpiryPolicy.RollingMonths(1_200).Months.Should().Be(1_200);
        ExpiryPolicy.Inactivity(1_200).Months.Should().Be(1_200);
        ExpiryPolicy.FixedCalendar(12, 31, 100).YearsAfter.Should().Be(100);
        FluentActions.Invoking(() => ExpiryPolicy.RollingDays(36_501)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("days");
        FluentActions.Invoking(() => ExpiryPolicy.RollingMonths(1_201)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("months");
        FluentActions.Invoking(() => ExpiryPolicy.Inactivity(0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("months");
        FluentActions.Invoking(() => ExpiryPolicy.FixedCalendar(12, 32, 1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("day");
        FluentActions.Invoking(() => ExpiryPolicy.FixedCalendar(12, 31, 101)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("yearsAfter");
        FluentActions.Invoking(() => ExpiryPolicy.FixedCalendar(0, 31, 1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("month");
    }
}
