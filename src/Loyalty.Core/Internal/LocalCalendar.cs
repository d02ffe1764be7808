using NodaTime;
using NodaTime.TimeZones;

namespace Loyalty.Core.Internal;

/// <summary>
/// Local-date arithmetic that never throws on a skipped or ambiguous local time: the start of a
/// day is the first instant of that local date, or, when the whole date was skipped (Pacific/Apia
/// jumped from 29 to 31 December 2011), the first instant after the gap.
/// </summary>
/// <remarks>
/// A local time that maps to exactly one instant (every local time but those near a transition)
/// is resolved from the zone interval around it without NodaTime's mapping object, the same instant
/// every resolver gives; the rest go through NodaTime's resolvers. Order, earn and tier arithmetic
/// resolve several local times per call, so this keeps them allocation-free.
/// </remarks>
internal static class LocalCalendar
{
    /// <summary>Ambiguous times take the earlier instant; skipped times the first instant after the gap.</summary>
    private static readonly ZoneLocalMappingResolver StartOfDayResolver =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    /// <summary>
    /// How far a local time's instant must be from both ends of its zone interval to be the only
    /// instant the local time maps to: more than any difference of two UTC offsets (at most 36 hours).
    /// </summary>
    private static readonly Duration Margin = Duration.FromDays(2);

    private static readonly Instant SafeMin = Instant.MinValue + Duration.FromDays(10);
    private static readonly Instant SafeMax = Instant.MaxValue - Duration.FromDays(10);

    /// <summary>The first instant of <paramref name="date"/> in <paramref name="zone"/> (or, for a skipped date, the first instant after it).</summary>
    public static Instant StartOfDay(LocalDate date, DateTimeZone zone)
    {
        var midnight = date.AtMidnight();
        return TryMapUnique(midnight, zone, out var instant) ? instant : zone.ResolveLocal(midnight, StartOfDayResolver).ToInstant();
    }

    /// <summary>
    /// <paramref name="local"/> in <paramref name="zone"/> as NodaTime's lenient resolver maps it (an
    /// ambiguous time takes the earlier instant, a skipped time is shifted forward by the gap).
    /// </summary>
    public static Instant Leniently(LocalDateTime local, DateTimeZone zone) =>
        TryMapUnique(local, zone, out var instant) ? instant : local.InZoneLeniently(zone).ToInstant();

    /// <summary>
    /// The instant <paramref name="local"/> maps to when it maps to exactly one and is at least
    /// <see cref="Margin"/> inside its zone interval (then no other interval can map it); false otherwise.
    /// </summary>
    public static bool TryMapUnique(LocalDateTime local, DateTimeZone zone, out Instant instant)
    {
        var asUtc = local.InUtc().ToInstant();
        if (asUtc < SafeMin || asUtc > SafeMax)
        {
            instant = default;
            return false;
        }

        var interval = zone.GetZoneInterval(asUtc - Duration.FromTicks(zone.GetUtcOffset(asUtc).Ticks));
        var candidate = asUtc - Duration.FromTicks(interval.WallOffset.Ticks);
        if ((interval.HasStart && candidate - interval.Start < Margin) || (interval.HasEnd && interval.End - candidate <= Margin))
        {
            instant = default;
            return false;
        }

        instant = candidate;
        return true;
    }
}
