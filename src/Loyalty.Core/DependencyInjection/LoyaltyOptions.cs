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

    /// <summary>
    /// The tier ladder (section <c>Loyalty:Tiers</c>: <c>Policy</c> and <c>Tiers</c>), or null for the ladder given to
    /// <c>UseTiers</c> or the single tier <c>member</c>. It inherits the programme's currency and time zone: leave
    /// <c>Policy:Currency</c> and <c>Policy:TimeZone</c> out (stating others is an error).
    /// </summary>
    public Tiers.TierLadderDefinition? Tiers { get; set; }

    /// <summary>
    /// The earning rule set versions (section <c>Loyalty:RuleSets</c>), each with its <c>Version</c>, <c>EffectiveFrom</c>,
    /// <c>Groups</c> and <c>Rules</c> (each rule chosen by its <c>Kind</c>). They inherit the programme's currency and time
    /// zone (stating others is an error) and reach the rule set store when the programme is published
    /// (<c>PublishLoyaltyProgrammeAsync</c>).
    /// </summary>
    public IList<Earning.EarningRuleSetDefinition> RuleSets { get; set; } = new List<Earning.EarningRuleSetDefinition>();

    /// <summary>The rewards catalogue (section <c>Loyalty:Rewards</c>), in the programme's currency; published with the rule sets.</summary>
    public IList<RewardOptions> Rewards { get; set; } = new List<RewardOptions>();

    /// <summary>
    /// Values of the configuration section that could not be read at all (filled by the configuration binding of
    /// <c>Loyalty.Core.Configuration</c>); the validator reports them with the other problems, and does not check a
    /// setting that could not be read a second time.
    /// </summary>
    public IList<ProgramBindingFailure> BindingFailures { get; } = new List<ProgramBindingFailure>();

    /// <summary>Validates these options and builds the whole typed programme: settings, tier ladder, rule sets and rewards.</summary>
    /// <returns>The programme definition.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem with its configuration path.</exception>
    public ProgramDefinition ToProgramDefinition()
    {
        var (definition, failures) = LoyaltyOptionsValidator.Check(this);
        return failures.Count > 0
            ? throw new ArgumentException("Invalid loyalty options: " + string.Join(" ", failures), "options")
            : definition!;
    }

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
