using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Analytics;

/// <summary>How purchases become a customer base: the time zone and currency, the calibration and hold-out periods, and the time unit.</summary>
/// <remarks>
/// Immutable (init-only). Checked by <see cref="CustomerBase.FromPurchases"/>, which throws
/// <see cref="ArgumentException"/> naming the property to fix.
/// </remarks>
public sealed record CustomerBaseOptions
{
    /// <summary>The programme's time zone: purchases are counted per local calendar day of this zone.</summary>
    public required DateTimeZone TimeZone { get; init; }

    /// <summary>The programme's currency; a purchase in another currency is refused (no conversion is ever made).</summary>
    public required Currency Currency { get; init; }

    /// <summary>
    /// The last day of the calibration period (inclusive). A customer's age T is the time from the
    /// first purchase day to this day; customers whose first purchase is after it are left out (and counted).
    /// </summary>
    public required LocalDate CalibrationEnd { get; init; }

    /// <summary>
    /// The last day of the hold-out period (inclusive), after <see cref="CalibrationEnd"/>; null (the
    /// default) for no hold-out period. Purchase days in between are each customer's hold-out frequency.
    /// </summary>
    public LocalDate? HoldoutEnd { get; init; }

    /// <summary>The unit of recency, age and horizons (default <see cref="TimeUnit.Weeks"/>).</summary>
    public TimeUnit Unit { get; init; } = TimeUnit.Weeks;

    internal void Validate()
    {
        if (TimeZone is null)
        {
            throw new ArgumentException("CustomerBaseOptions.TimeZone must be set to the programme's time zone, e.g. DateTimeZoneProviders.Tzdb[\"Europe/Paris\"].", "options");
        }

        if (Currency.IsDefault)
        {
            throw new ArgumentException("CustomerBaseOptions.Currency must be set to the programme's currency, e.g. Currency.EUR.", "options");
        }

        if (Unit is not (TimeUnit.Days or TimeUnit.Weeks))
        {
            throw new ArgumentException($"CustomerBaseOptions.Unit must be TimeUnit.Days or TimeUnit.Weeks (was {(int)Unit}).", "options");
        }

        if (HoldoutEnd is { } holdoutEnd && holdoutEnd <= CalibrationEnd)
        {
            throw new ArgumentException(
                $"CustomerBaseOptions.HoldoutEnd ({holdoutEnd:uuuu-MM-dd}) must be after CalibrationEnd ({CalibrationEnd:uuuu-MM-dd}); leave it null for no hold-out period.",
                "options");
        }
    }
}
