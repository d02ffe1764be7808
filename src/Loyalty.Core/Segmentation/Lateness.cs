using System.Globalization;

namespace Loyalty.Core.Segmentation;

/// <summary>
/// How late a repeat customer may be and still be relaunched: a number of days past the expected
/// next purchase, or a number of the customer's own purchase cycles (median intervals). Beyond it
/// the customer has lapsed and belongs to win-back instead.
/// </summary>
/// <remarks>Immutable. Create values with <see cref="Days"/> or <see cref="Cycles"/>.</remarks>
public sealed record Lateness
{
    private Lateness(LatenessUnit unit, decimal value)
    {
        Unit = unit;
        Value = value;
    }

    /// <summary>Whether <see cref="Value"/> counts days or cycles.</summary>
    public LatenessUnit Unit { get; }

    /// <summary>The maximum lateness, in <see cref="Unit"/>s (greater than 0).</summary>
    public decimal Value { get; }

    /// <summary>At most <paramref name="days"/> days past the expected next purchase.</summary>
    /// <param name="days">Days, 1 or more.</param>
    /// <returns>The lateness.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="days"/> is below 1.</exception>
    public static Lateness Days(int days) => days < 1
        ? throw new ArgumentOutOfRangeException(nameof(days), days,
            string.Create(CultureInfo.InvariantCulture, $"The maximum lateness must be 1 day or more (was {days}); every overdue customer is at least 1 day late."))
        : new Lateness(LatenessUnit.Days, days);

    /// <summary>
    /// At most <paramref name="cycles"/> of the customer's median purchase intervals past the expected
    /// next purchase (e.g. 2: a customer who buys every 30 days is relaunched up to 60 days late).
    /// </summary>
    /// <param name="cycles">Cycles, greater than 0 (fractions allowed, e.g. 1.5).</param>
    /// <returns>The lateness.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cycles"/> is 0 or less.</exception>
    public static Lateness Cycles(decimal cycles) => cycles <= 0m
        ? throw new ArgumentOutOfRangeException(nameof(cycles), cycles,
            string.Create(CultureInfo.InvariantCulture, $"The maximum lateness must be more than 0 cycles (was {cycles}); use for instance 2 for two purchase cycles."))
        : new Lateness(LatenessUnit.Cycles, cycles);

    /// <summary>Whether a cycle overdue on <paramref name="date"/> is within this lateness.</summary>
    /// <param name="cycle">The cycle.</param>
    /// <param name="date">The date to check.</param>
    /// <returns>True when the customer is late by at most this much (not late counts as within).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cycle"/> is null.</exception>
    public bool Allows(PurchaseCycle cycle, NodaTime.LocalDate date)
    {
        ArgumentNullException.ThrowIfNull(cycle);
        var days = cycle.DaysOverdue(date);
        return Unit == LatenessUnit.Days ? days <= Value : days <= Value * cycle.MedianIntervalDays;
    }

    /// <summary>The lateness in words, e.g. <c>at most 30 days late</c> or <c>at most 2 cycles late</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"at most {Value} {(Unit == LatenessUnit.Days ? "days" : "cycles")} late");
}

/// <summary>The unit of a <see cref="Lateness"/>.</summary>
public enum LatenessUnit
{
    /// <summary>Calendar days past the expected next purchase.</summary>
    Days = 0,

    /// <summary>The customer's median purchase intervals past the expected next purchase.</summary>
    Cycles = 1,
}
