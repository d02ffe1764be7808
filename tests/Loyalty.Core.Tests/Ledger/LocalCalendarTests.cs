using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Internal;
using Loyalty.Core.Ledger;
using NodaTime;

namespace Loyalty.Core.Tests.Ledger;

/// <summary>Local-date arithmetic in every zone of the time-zone database, including skipped and ambiguous days.</summary>
public class LocalCalendarTests
{
    private static readonly DateTimeZone Apia = DateTimeZoneProviders.Tzdb["Pacific/Apia"];

    private static readonly string[] ZoneIds = DateTimeZoneProviders.Tzdb.Ids.ToArray();

    private static readonly ExpiryPolicy[] Policies =
    [
        ExpiryPolicy.RollingDays(1, ExpiryRounding.EndOfDay),
        ExpiryPolicy.RollingDays(1),
        ExpiryPolicy.RollingDays(30, ExpiryRounding.EndOfMonth),
        ExpiryPolicy.RollingMonths(1, ExpiryRounding.EndOfQuarter),
        ExpiryPolicy.RollingMonths(12, ExpiryRounding.EndOfYear),
        ExpiryPolicy.RollingMonths(1, ExpiryRounding.EndOfDay),
        ExpiryPolicy.FixedCalendar(12, 29, 1),
        ExpiryPolicy.FixedCalendar(3, 31, 1),
        ExpiryPolicy.Inactivity(1),
    ];

    [Fact]
    public void The_start_of_a_day_that_never_existed_is_the_first_instant_after_it()
    {
        // Samoa skipped 30 December 2011: 29 December 23:59:59 (UTC−10) was followed by 31 December 00:00 (UTC+14).
        LocalCalendar.StartOfDay(new LocalDate(2011, 12, 30), Apia).Should().Be(Instant.FromUtc(2011, 12, 30, 10, 0));
        LocalCalendar.StartOfDay(new LocalDate(2011, 12, 31), Apia).Should().Be(Instant.FromUtc(2011, 12, 30, 10, 0));
    }

    [Fact]
    public void A_one_day_end_of_day_expiry_over_the_skipped_Samoan_day_ends_when_31_December_starts()
    {
        var earned = new LocalDateTime(2011, 12, 28, 15, 0).InZoneStrictly(Apia).ToInstant();

        ExpiryPolicy.RollingDays(1, ExpiryRounding.EndOfDay).ExpiresAt(earned, Apia).Should().Be(Instant.FromUtc(2011, 12, 30, 10, 0));
    }

    [Fact]
    public async Task Earning_in_Apia_before_the_skipped_day_with_a_one_day_expiry_records_the_points()
    {
        var start = new LocalDateTime(2011, 12, 28, 15, 0).InZoneStrictly(Apia).ToInstant();
        var h = new LedgerHarness(
            o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = 1, RoundUpTo = ExpiryRounding.EndOfDay },
            timeZone: "Pacific/Apia",
            start: start);

        var earn = await h.EarnAsync(100);

        earn.ExpiresAt.Should().Be(Instant.FromUtc(2011, 12, 30, 10, 0));
        (await h.Ledger.GetExpiryScheduleAsOfAsync(LedgerHarness.Alice, 5, start)).Should().ContainSingle()
            .Which.Date.Should().Be(new LocalDate(2011, 12, 29));
    }

    [Fact]
    public void The_start_of_every_day_matches_NodaTime_where_the_day_exists_in_every_zone()
    {
        // Every transition of every zone between 1970 and 2040: the days either side of it.
        foreach (var id in ZoneIds)
        {
            var zone = DateTimeZoneProviders.Tzdb[id];
            foreach (var interval in zone.GetZoneIntervals(Instant.FromUtc(1970, 1, 1, 0, 0), Instant.FromUtc(2040, 1, 1, 0, 0)))
            {
                if (!interval.HasStart)
                {
                    continue;
                }

                var date = interval.Start.InZone(zone).Date;
                foreach (var day in new[] { date.PlusDays(-1), date, date.PlusDays(1) })
                {
                    var start = LocalCalendar.StartOfDay(day, zone);
                    Instant expected;
                    try
                    {
                        expected = day.AtStartOfDayInZone(zone).ToInstant();
                    }
                    catch (SkippedTimeException)
                    {
                        // The whole day was skipped: the next day's start, which is the first instant after the gap.
                        expected = LocalCalendar.StartOfDay(day.PlusDays(1), zone);
                        start.InZone(zone).Date.Should().BeGreaterThan(day, "{0} skipped {1}", id, day);
                    }

                    if (start != expected)
                    {
                        throw new Xunit.Sdk.XunitException($"{id} {day}: {start} instead of {expected}.");
                    }
                }
            }
        }
    }

    [Fact]
    public void A_local_time_maps_leniently_as_NodaTime_maps_it_around_every_transition_of_every_zone()
    {
        // Local times from three days before to three days after every transition between 1970 and 2040
        // (inside, at the edge of and outside every gap and overlap), read with either offset.
        var steps = new[] { -72, -49, -48, -47, -25, -24, -23, -3, -2, -1, 0, 1, 2, 3, 23, 24, 25, 47, 48, 49, 72 }
            .SelectMany(h => new[] { Duration.FromHours(h), Duration.FromHours(h) + Duration.FromMinutes(30), Duration.FromHours(h) - Duration.FromTicks(1) })
            .ToArray();
        var checkedTimes = 0;
        foreach (var id in ZoneIds)
        {
            var zone = DateTimeZoneProviders.Tzdb[id];
            foreach (var interval in zone.GetZoneIntervals(Instant.FromUtc(1970, 1, 1, 0, 0), Instant.FromUtc(2040, 1, 1, 0, 0)))
            {
                if (!interval.HasStart)
                {
                    continue;
                }

                foreach (var offset in new[] { interval.WallOffset, zone.GetUtcOffset(interval.Start - Duration.Epsilon) })
                {
                    foreach (var step in steps)
                    {
                        var local = (interval.Start + step).WithOffset(offset).LocalDateTime;
                        var expected = local.InZoneLeniently(zone).ToInstant();
                        var actual = LocalCalendar.Leniently(local, zone);
                        if (actual != expected)
                        {
                            throw new Xunit.Sdk.XunitException($"{id} {local}: {actual} instead of {expected}.");
                        }

                        checkedTimes++;
                    }
                }
            }
        }

        checkedTimes.Should().BeGreaterThan(100_000);
        LocalCalendar.Leniently(new LocalDateTime(2026, 3, 29, 2, 30), DateTimeZoneProviders.Tzdb["Europe/Paris"]).Should().Be(Instant.FromUtc(2026, 3, 29, 1, 30), "a skipped time is shifted forward by the gap");
        LocalCalendar.Leniently(new LocalDateTime(2026, 10, 25, 2, 30), DateTimeZoneProviders.Tzdb["Europe/Paris"]).Should().Be(Instant.FromUtc(2026, 10, 25, 0, 30), "an ambiguous time takes the earlier instant");
        LocalCalendar.Leniently(new LocalDateTime(2026, 7, 1, 12, 0), DateTimeZoneProviders.Tzdb["Europe/Paris"]).Should().Be(Instant.FromUtc(2026, 7, 1, 10, 0));
        LocalCalendar.Leniently(LocalDateTime.MaxIsoValue, DateTimeZone.Utc).Should().Be(LocalDateTime.MaxIsoValue.InZoneLeniently(DateTimeZone.Utc).ToInstant());
    }

    [Property(MaxTest = 300 / PropertyRuns.Divisor)]
    public Property Expiry_policies_never_throw_in_any_zone_on_any_date() =>
        Prop.ForAll(
            Gen.Elements(ZoneIds).ToArbitrary(),
            Gen.Choose(-2_000_000, 2_000_000).Select(hours => Instant.FromUtc(2011, 12, 29, 0, 0) + Duration.FromMinutes(hours * 37L)).ToArbitrary(),
            (zoneId, earned) =>
            {
                var zone = DateTimeZoneProviders.Tzdb[zoneId];
                foreach (var policy in Policies)
                {
                    if (policy.ExpiresAt(earned, zone) is { } expires && expires <= earned)
                    {
                        return false;
                    }

                    if (policy.InactivityDeadline(earned, zone) is { } deadline && deadline <= earned)
                    {
                        return false;
                    }
                }

                return LocalCalendar.StartOfDay(earned.InZone(zone).Date, zone) <= earned;
            });
}
