using Loyalty.Core.Configuration;
namespace Loyalty.Core.DependencyInjection;

/// <summary>
/// The settings of one loyalty programme, bound from configuration (section
/// <see cref="SectionName"/>) or set in code through <c>AddLoyalty(o =&gt; …)</c>.
/// </summary>
/// <remarks>
/// A plain, mutable options object: validated once, at start-up or first use, by
/// <see cref="LoyaltyOptionsValidator"/>, which reports every bad field with its configuration
/// path. Services read the validated, immutable <see cref="Configuration.ProgramSettings"/> instead.
/// </remarks>
public sealed class LoyaltyOptions
{
    /// <summary>The configuration section these options are usually bound from: <c>Loyalty</c>.</summary>
    public const string SectionName = "Loyalty";

    /// <summary>The programme's identifier (1 to 128 characters). Default <c>default</c>.</summary>
    public string ProgramId { get; set; } = "default";

    /// <summary>A display name for members, e.g. <c>Club Privilège</c>. Default <c>Loyalty programme</c>.</summary>
    public string DisplayName { get; set; } = "Loyalty programme";

    /// <summary>The programme's ISO 4217 currency; orders in another currency are refused. Default <c>EUR</c>.</summary>
    public string Currency { get; set; } = "EUR";

    /// <summary>
    /// The programme's IANA time zone (e.g. <c>Europe/Paris</c>), in which calendar notions are
    /// computed: campaign windows, end-of-month expiry, calendar-year tiers, birthdays, per-day
    /// caps. Checked against the TZDB. Default <c>UTC</c>.
    /// </summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>The points ledger's settings (section <c>Loyalty:Ledger</c>): pending period, expiry, shortfall policy, retries, hold lifetime.</summary>
    public Ledger.LedgerOptions Ledger { get; set; } = new();

    /// <summary>What a referral earns (section <c>Loyalty:Referral</c>): the referee's bonus and the smallest qualifying order.</summary>
    public Referrals.ReferralPolicy Referral { get; set; } = new();

    /// <summary>Validates these options and builds the typed settings services read.</summary>
    /// <returns>The settings.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem with its path.</exception>
    public Configuration.ProgramSettings ToProgramSettings()
    {
        var failures = LoyaltyOptionsValidator.GetFailures(this);
        if (failures.Count > 0)
        {
            throw new ArgumentException("Invalid loyalty options: " + string.Join(" ", failures), "options");
        }

        return Configuration.ProgramSettings.Create(
            Primitives.ProgramId.From(ProgramId),
            DisplayName,
            Primitives.Currency.FromCode(Currency),
            NodaTime.DateTimeZoneProviders.Tzdb[TimeZone],
            Referral);
    }
}
