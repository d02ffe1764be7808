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
}
