using NodaTime;
using NodaTime.TimeZones;

namespace Loyalty.Core.Internal;

/// <summary>
/// Local-date arithmetic that never throws on a skipped or ambiguous local time: the start of a
/// day is the first instant of that local date, or, when the whole date was skipped (Pacific/Apia
/// jumped from 29 to 31 December 2011), the first instant after the gap.
/// </summary>
internal static class LocalCalendar
{
    /// <summary>Ambiguous times take the earlier instant; skipped times the first instant after the gap.</summary>
    private static readonly ZoneLocalMappingResolver StartOfDayResolver =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    /// <summary>The first instant of <paramref name="date"/> in <paramref name="zone"/> (or, for a skipped date, the first instant after it).</summary>
    public static Instant StartOfDay(LocalDate date, DateTimeZone zone) =>
        zone.ResolveLocal(date.AtMidnight(), StartOfDayResolver).ToInstant();
}
