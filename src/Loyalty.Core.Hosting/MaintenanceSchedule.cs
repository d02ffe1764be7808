using NodaTime;
using NodaTime.Text;

namespace Loyalty.Core.Hosting;

/// <summary>When the daily maintenance is due: a local time of day in the programme's time zone, whatever its offset that day.</summary>
internal sealed class MaintenanceSchedule
{
    private static readonly LocalTimePattern Minutes = LocalTimePattern.CreateWithInvariantCulture("HH:mm");
    private static readonly LocalTimePattern Seconds = LocalTimePattern.CreateWithInvariantCulture("HH:mm:ss");

    public MaintenanceSchedule(DateTimeZone zone, LocalTime timeOfDay)
    {
        Zone = zone;
        TimeOfDay = timeOfDay;
    }

    public DateTimeZone Zone { get; }

    public LocalTime TimeOfDay { get; }

    /// <summary>Parses <c>HH:mm</c> or <c>HH:mm:ss</c>; null when the text is neither.</summary>
    public static LocalTime? ParseTimeOfDay(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var parsed = Minutes.Parse(text);
        if (!parsed.Success)
        {
            parsed = Seconds.Parse(text);
        }

        return parsed.Success ? parsed.Value : null;
    }

    /// <summary>
    /// The instant of the run of a local date: the time of day on that date in the zone; a time in
    /// a daylight-saving gap moves forward by the gap, a time that occurs twice is taken at its first occurrence.
    /// </summary>
    public Instant At(LocalDate date) => date.At(TimeOfDay).InZoneLeniently(Zone).ToInstant();

    /// <summary>The local date of an instant in the zone.</summary>
    public LocalDate DateOf(Instant instant) => instant.InZone(Zone).Date;

    /// <summary>
    /// The local date whose run comes next: the day after the last one done (never before today:
    /// missed days collapse into one run, maintenance being as of its own instant), or, before any
    /// run, today, or tomorrow when today's time has passed and missed runs are not made up.
    /// </summary>
    public LocalDate NextDate(Instant now, LocalDate? lastDone, bool runMissed)
    {
        var today = DateOf(now);
        if (lastDone is { } done)
        {
            var next = done.PlusDays(1);
            return next > today ? next : today;
        }

        return runMissed || At(today) > now ? today : today.PlusDays(1);
    }
}
