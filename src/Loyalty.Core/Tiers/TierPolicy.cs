using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Tiers;

/// <summary>
/// The rules of a tier ladder other than the levels themselves: qualification window, status
/// validity, downgrade, grace, refunds, which earn kinds count, the programme's zone and currency.
/// </summary>
/// <remarks>
/// An immutable record; every property has a documented default, so <c>new TierPolicy()</c> is
/// a calendar-year programme in UTC where a tier holds until the end of the following year and
/// drops one level when not requalified. Validated by <see cref="TierLadder.Create"/>.
/// </remarks>
public sealed record TierPolicy
{
    /// <summary>The qualification window; default <see cref="QualificationWindow.CalendarYear"/>.</summary>
    public QualificationWindow Window { get; init; } = QualificationWindow.CalendarYear;

    /// <summary>How long a tier holds; default <see cref="StatusValidity.EndOfFollowingPeriod"/>.</summary>
    public StatusValidity Validity { get; init; } = StatusValidity.EndOfFollowingPeriod;

    /// <summary>What happens when validity (and grace) ends without requalification; default <see cref="DowngradePolicy.OneLevel"/>.</summary>
    public DowngradePolicy Downgrade { get; init; } = DowngradePolicy.OneLevel;

    /// <summary>
    /// Extra time after validity ends during which the member keeps the tier and may requalify;
    /// default <see cref="Period.Zero"/> (no grace). Date units only (years, months, weeks, days), none negative.
    /// </summary>
    public Period GracePeriod { get; init; } = Period.Zero;

    /// <summary>What a refund does to an upgrade it undoes; default <see cref="RefundPolicy.RevokeUpgrade"/>.</summary>
    public RefundPolicy Refunds { get; init; } = RefundPolicy.RevokeUpgrade;

    /// <summary>The earn kinds whose points count as qualifying points; default purchases only.</summary>
    public IReadOnlyCollection<EarnKind> QualifyingEarnKinds { get; init; } = [EarnKind.Purchase];

    /// <summary>The programme's time zone for calendar years, anniversaries and months; default UTC.</summary>
    public DateTimeZone TimeZone { get; init; } = DateTimeZone.Utc;

    /// <summary>
    /// The programme currency; when set, spend given as <see cref="Money"/> in another currency is
    /// refused. Default: not set (spend is taken as given).
    /// </summary>
    public Currency? Currency { get; init; }
}
