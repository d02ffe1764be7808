using NodaTime;

namespace Loyalty.Core.Hosting.Tests;

public sealed class MaintenanceScheduleTests
{
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];

    [Theory]
    [InlineData("03:00", 3, 0, 0)]
    [InlineData("23:59", 23, 59, 0)]
    [InlineData("00:00", 0, 0, 0)]
    [InlineData("02:30:15", 2, 30, 15)]
    public void Parses_a_time_of_day(string text, int hour, int minute, int second)
        => MaintenanceSchedule.ParseTimeOfDay(text).Should().Be(new LocalTime(hour, minute, second));

    [Theory]
    [InlineData("24:00")]
    [InlineData("3:00")]
    [InlineData("03h00")]
    [InlineData("")]
    [InlineData("03:00 PM")]
    [InlineData(null)]
    public void Refuses_what_is_not_a_24_hour_time(string? text)
        => MaintenanceSchedule.ParseTimeOfDay(text).Should().BeNull();

    [Fact]
    public void Three_in_the_morning_in_Paris_is_two_UTC_in_summer_and_one_UTC_in_winter()
    {
        var schedule = new MaintenanceSchedule(Paris, new LocalTime(3, 0));

        schedule.At(new LocalDate(2026, 3, 28)).Should().Be(Instant.FromUtc(2026, 3, 28, 2, 0));
        schedule.At(new LocalDate(2026, 3, 29)).Should().Be(Instant.FromUtc(2026, 3, 29, 1, 0), "03:00 exists on the spring-forward night, in summer time");
        schedule.At(new LocalDate(2026, 10, 25)).Should().Be(Instant.FromUtc(2026, 10, 25, 2, 0), "03:00 is after the repeated hour, in winter time");
    }

    [Fact]
    public void A_time_in_the_spring_gap_is_shifted_by_the_gap_and_a_repeated_time_is_taken_at_its_first_occurrence()
    {
        var schedule = new MaintenanceSchedule(Paris, new LocalTime(2, 30));

        schedule.At(new LocalDate(2026, 3, 29)).InZone(Paris).TimeOfDay.Should().Be(new LocalTime(3, 30));
        schedule.At(new LocalDate(2026, 10, 25)).Should().Be(Instant.FromUtc(2026, 10, 25, 0, 30), "the first 02:30 is in summer time (+02)");
    }

    [Fact]
    public void The_next_date_is_today_before_the_time_and_tomorrow_after_it_unless_missed_runs_are_made_up()
    {
        var schedule = new MaintenanceSchedule(Paris, new LocalTime(3, 0));
        var before = Instant.FromUtc(2026, 6, 10, 0, 30);
        var after = Instant.FromUtc(2026, 6, 10, 10, 0);

        schedule.NextDate(before, lastDone: null, runMissed: false).Should().Be(new LocalDate(2026, 6, 10));
        schedule.NextDate(after, lastDone: null, runMissed: false).Should().Be(new LocalDate(2026, 6, 11));
        schedule.NextDate(after, lastDone: null, runMissed: true).Should().Be(new LocalDate(2026, 6, 10));
        schedule.NextDate(after, lastDone: new LocalDate(2026, 6, 10), runMissed: true).Should().Be(new LocalDate(2026, 6, 11));
        schedule.NextDate(after, lastDone: new LocalDate(2026, 6, 1), runMissed: true).Should().Be(new LocalDate(2026, 6, 10), "missed days collapse into today's run");
    }
}
