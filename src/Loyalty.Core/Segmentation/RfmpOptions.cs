using System.Globalization;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Segmentation;

/// <summary>What an RFMP run measures: as of when, over which window, in which zone and currency, and how it scores.</summary>
/// <remarks>
/// Immutable once built (init-only). <see cref="RfmpSegmenter"/> checks the options when it is
/// created and throws <see cref="ArgumentException"/> naming the property to fix.
/// </remarks>
public sealed record RfmpOptions
{
    /// <summary>The fewest scores per dimension: 2.</summary>
    public const int MinScoreCount = 2;

    /// <summary>The most scores per dimension: 10.</summary>
    public const int MaxScoreCount = 10;

    /// <summary>The default number of scores per dimension: 5.</summary>
    public const int DefaultScoreCount = 5;

    /// <summary>The end of the analysis: purchases placed after it are excluded (and counted) and recency is measured to its local date.</summary>
    public required Instant AsOf { get; init; }

    /// <summary>The programme's time zone: recency is in local calendar days of this zone.</summary>
    public required DateTimeZone TimeZone { get; init; }

    /// <summary>The programme's currency; a purchase in another currency is refused (no conversion is ever made).</summary>
    public required Currency Currency { get; init; }

    /// <summary>
    /// How far back the window reaches from <see cref="AsOf"/> (a calendar period in the programme's
    /// zone, e.g. <c>Period.FromMonths(12)</c>); null (the default) takes every purchase up to <see cref="AsOf"/>.
    /// Purchases placed before the window start are excluded and counted.
    /// </summary>
    public Period? Window { get; init; }

    /// <summary>Scores per dimension, 2..10 (default 5); the R×F grid is <c>ScoreCount × ScoreCount</c>.</summary>
    public int ScoreCount { get; init; } = DefaultScoreCount;

    /// <summary>How recency days become scores (default: quantiles); scored in reverse, the most recent customers get the top score.</summary>
    public ScoreScale Recency { get; init; } = ScoreScale.Quantiles;

    /// <summary>How order counts become scores (default: quantiles).</summary>
    public ScoreScale Frequency { get; init; } = ScoreScale.Quantiles;

    /// <summary>How net amounts become scores (default: quantiles).</summary>
    public ScoreScale Monetary { get; init; } = ScoreScale.Quantiles;

    /// <summary>How category counts become scores (default: quantiles).</summary>
    public ScoreScale Product { get; init; } = ScoreScale.Quantiles;

    /// <summary>The segment names of the R×F grid (default: <see cref="SegmentMap.Default"/>, a 5×5 map; other score counts need their own map).</summary>
    public SegmentMap SegmentMap { get; init; } = SegmentMap.Default;

    /// <summary>
    /// Options as of the end of a calendar date in the programme's zone: "as of 1 July" takes every
    /// purchase placed on 1 July (local) and recency is counted to that date. <see cref="AsOf"/> is the
    /// last instant of the day (one nanosecond before the next day starts, which also holds on a
    /// day a daylight-saving change shortens or lengthens). Set the other options with <c>with { ... }</c>.
    /// </summary>
    /// <param name="asOfDate">The last local date of the analysis.</param>
    /// <param name="timeZone">The programme's time zone.</param>
    /// <param name="currency">The programme's currency.</param>
    /// <returns>The options, with every other option at its default.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="timeZone"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="asOfDate"/> is not in the ISO calendar or is the last representable date.</exception>
    public static RfmpOptions AsOfEndOf(LocalDate asOfDate, DateTimeZone timeZone, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(timeZone);
        if (asOfDate.Calendar != CalendarSystem.Iso)
        {
            throw new ArgumentOutOfRangeException(nameof(asOfDate), asOfDate,
                $"asOfDate must be in the ISO calendar (was {asOfDate.Calendar.Id}); convert it with WithCalendar(CalendarSystem.Iso).");
        }

        if (asOfDate >= new LocalDate(9999, 12, 31))
        {
            throw new ArgumentOutOfRangeException(nameof(asOfDate), asOfDate,
                string.Create(CultureInfo.InvariantCulture, $"asOfDate must be before 9999-12-31 (was {asOfDate:uuuu-MM-dd})."));
        }

        var end = timeZone.AtStartOfDay(asOfDate.PlusDays(1)).ToInstant() - Duration.Epsilon;
        return new RfmpOptions { AsOf = end, TimeZone = timeZone, Currency = currency };
    }

    /// <summary>The instant the window starts at (inclusive): the as-of local date and time in <see cref="TimeZone"/> minus <see cref="Window"/>, or null when there is no window.</summary>
    public Instant? WindowStart =>
        Window is null ? null : (AsOf.InZone(TimeZone).LocalDateTime - Window).InZoneLeniently(TimeZone).ToInstant();

    private static bool IsPositive(Period period) =>
        period.Years >= 0 && period.Months >= 0 && period.Weeks >= 0 && period.Days >= 0 && period.Hours >= 0
        && period.Minutes >= 0 && period.Seconds >= 0 && period.Milliseconds >= 0 && period.Ticks >= 0 && period.Nanoseconds >= 0
        && !period.Normalize().Equals(Period.Zero);

    internal ScoreScale ScaleOf(RfmpDimension dimension) => dimension switch
    {
        RfmpDimension.Recency => Recency,
        RfmpDimension.Frequency => Frequency,
        RfmpDimension.Monetary => Monetary,
        _ => Product,
    };

    internal void Validate()
    {
        if (TimeZone is null)
        {
            throw new ArgumentException("RfmpOptions.TimeZone must be set to the programme's time zone, e.g. DateTimeZoneProviders.Tzdb[\"Europe/Paris\"].", "options");
        }

        if (Currency.IsDefault)
        {
            throw new ArgumentException("RfmpOptions.Currency must be set to the programme's currency, e.g. Currency.EUR.", "options");
        }

        if (ScoreCount is < MinScoreCount or > MaxScoreCount)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"RfmpOptions.ScoreCount must be between {MinScoreCount} and {MaxScoreCount} inclusive (was {ScoreCount})."),
                "options");
        }

        if (Window is not null && !IsPositive(Window))
        {
            throw new ArgumentException(
                $"RfmpOptions.Window must be a positive period such as Period.FromMonths(12) (was {Window}); leave it null to take every purchase.",
                "options");
        }

        foreach (var dimension in Enum.GetValues<RfmpDimension>())
        {
            var scale = ScaleOf(dimension) ?? throw new ArgumentException($"RfmpOptions.{dimension} must not be null; use ScoreScale.Quantiles or ScoreScale.FromUpperBounds(...).", "options");
            if (!scale.IsQuantile && scale.UpperBounds.Count != ScoreCount - 1)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"RfmpOptions.{dimension} has {scale.UpperBounds.Count} upper bounds, which give {scale.UpperBounds.Count + 1} scores, but ScoreCount is {ScoreCount}; give {ScoreCount - 1} upper bounds or set ScoreCount to {scale.UpperBounds.Count + 1}."),
                    "options");
            }
        }

        if (SegmentMap is null)
        {
            throw new ArgumentException("RfmpOptions.SegmentMap must not be null; use SegmentMap.Default or SegmentMap.Create(...).", "options");
        }

        if (SegmentMap.ScoreCount != ScoreCount)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"RfmpOptions.SegmentMap names a {SegmentMap.ScoreCount}×{SegmentMap.ScoreCount} grid but ScoreCount is {ScoreCount}; create a map with SegmentMap.Create({ScoreCount}, ...) or set ScoreCount to {SegmentMap.ScoreCount}."),
                "options");
        }
    }
}
