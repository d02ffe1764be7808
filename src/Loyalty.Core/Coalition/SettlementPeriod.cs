using System.Globalization;
using NodaTime;

namespace Loyalty.Core.Coalition;

/// <summary>A settlement period: one calendar month in the programme's time zone.</summary>
/// <remarks>Immutable; ordered by time. <c>default</c> is not a period (its <see cref="Year"/> is 0).</remarks>
public readonly record struct SettlementPeriod : IComparable<SettlementPeriod>
{
    private SettlementPeriod(int year, int month)
    {
        Year = year;
        Month = month;
    }

    /// <summary>The year.</summary>
    public int Year { get; }

    /// <summary>The month, 1 to 12.</summary>
    public int Month { get; }

    /// <summary>The first day of the period.</summary>
    public LocalDate Start => new(Year, Month, 1);

    /// <summary>The first day after the period.</summary>
    public LocalDate End => Start.PlusMonths(1);

    /// <summary>The next period.</summary>
    public SettlementPeriod Next => Containing(End);

    /// <summary>The period of a calendar month.</summary>
    /// <param name="year">The year, 1 to 9998.</param>
    /// <param name="month">The month, 1 to 12.</param>
    /// <returns>The period.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The year or month is out of range.</exception>
    public static SettlementPeriod FromMonth(int year, int month)
    {
        if (year is < 1 or > 9998)
        {
            throw new ArgumentOutOfRangeException(nameof(year), year, $"year must be 1 to 9998 (was {year}).");
        }

        if (month is < 1 or > 12)
        {
            throw new ArgumentOutOfRangeException(nameof(month), month, $"month must be 1 to 12 (was {month}).");
        }

        return new SettlementPeriod(year, month);
    }

    /// <summary>The period holding a date.</summary>
    /// <param name="date">The date.</param>
    /// <returns>The period.</returns>
    public static SettlementPeriod Containing(LocalDate date) => FromMonth(date.Year, date.Month);

    /// <summary>The period holding an instant, in a time zone.</summary>
    /// <param name="instant">The instant.</param>
    /// <param name="zone">The programme's time zone.</param>
    /// <returns>The period.</returns>
    public static SettlementPeriod Containing(Instant instant, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return Containing(instant.InZone(zone).Date);
    }

    /// <summary>The first instant of the period in a time zone.</summary>
    /// <param name="zone">The programme's time zone.</param>
    /// <returns>The instant (the start of the first day, DST included).</returns>
    public Instant StartIn(DateTimeZone zone) => zone.AtStartOfDay(Start).ToInstant();

    /// <summary>The first instant after the period in a time zone.</summary>
    /// <param name="zone">The programme's time zone.</param>
    /// <returns>The instant.</returns>
    public Instant EndIn(DateTimeZone zone) => zone.AtStartOfDay(End).ToInstant();

    /// <summary>Parses the <c>yyyy-MM</c> form.</summary>
    /// <param name="text">The text, e.g. <c>2026-01</c>.</param>
    /// <returns>The period.</returns>
    /// <exception cref="FormatException">The text is not <c>yyyy-MM</c>.</exception>
    public static SettlementPeriod Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 7 && text[4] == '-'
            && int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            && int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            && y is >= 1 and <= 9998 && m is >= 1 and <= 12)
        {
            return new SettlementPeriod(y, m);
        }

        throw new FormatException($"A settlement period is written yyyy-MM, e.g. 2026-01 (was '{text}').");
    }

    /// <inheritdoc />
    public int CompareTo(SettlementPeriod other) => (Year * 12 + Month).CompareTo(other.Year * 12 + other.Month);

    /// <summary>Whether <paramref name="left"/> is earlier.</summary>
    /// <param name="left">A period.</param>
    /// <param name="right">Another.</param>
    /// <returns>True when earlier.</returns>
    public static bool operator <(SettlementPeriod left, SettlementPeriod right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> is later.</summary>
    /// <param name="left">A period.</param>
    /// <param name="right">Another.</param>
    /// <returns>True when later.</returns>
    public static bool operator >(SettlementPeriod left, SettlementPeriod right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> is earlier or the same.</summary>
    /// <param name="left">A period.</param>
    /// <param name="right">Another.</param>
    /// <returns>True when earlier or the same.</returns>
    public static bool operator <=(SettlementPeriod left, SettlementPeriod right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> is later or the same.</summary>
    /// <param name="left">A period.</param>
    /// <param name="right">Another.</param>
    /// <returns>True when later or the same.</returns>
    public static bool operator >=(SettlementPeriod left, SettlementPeriod right) => left.CompareTo(right) >= 0;

    /// <summary>The <c>yyyy-MM</c> form.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Month:D2}");
}
