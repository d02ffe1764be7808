namespace Loyalty.Core.Analytics;

/// <summary>The unit in which recency, age and horizons are measured (whole calendar days, or days / 7).</summary>
/// <remarks>
/// The fitted scale parameters (α, β, and the horizons given to the models) are in this unit:
/// a BG/NBD fitted in weeks has an α seven times smaller than the same fit in days.
/// </remarks>
public enum TimeUnit
{
    /// <summary>Calendar days in the programme's time zone.</summary>
    Days = 0,

    /// <summary>Weeks of seven calendar days (recency and age are fractional: days / 7), as in the CDNOW literature.</summary>
    Weeks = 1,
}
