using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using Loyalty.Core.Referrals;
using NodaTime;

namespace Loyalty.Core.Configuration;

/// <summary>
/// The validated, typed settings of a programme: its id, name, currency, time zone and referral
/// policy. Services depend on this rather than on the raw options; the options are validated once,
/// when the settings are built (<c>LoyaltyOptions.ToProgramSettings()</c> at start-up).
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class ProgramSettings
{
    private ProgramSettings(ProgramId programId, string displayName, Currency currency, DateTimeZone timeZone, ReferralPolicy referral)
    {
        ProgramId = programId;
        DisplayName = displayName;
        Currency = currency;
        TimeZone = timeZone;
        Referral = referral;
    }

    /// <summary>The programme's identifier.</summary>
    public ProgramId ProgramId { get; }

    /// <summary>The name members see.</summary>
    public string DisplayName { get; }

    /// <summary>The programme's currency.</summary>
    public Currency Currency { get; }

    /// <summary>The programme's time zone, for every calendar computation.</summary>
    public DateTimeZone TimeZone { get; }

    /// <summary>The referral policy (referee bonus, minimum qualifying order).</summary>
    public ReferralPolicy Referral { get; }

    /// <summary>Creates settings from typed values.</summary>
    /// <param name="programId">The programme's id; not default.</param>
    /// <param name="displayName">The name members see; not empty.</param>
    /// <param name="currency">The programme's currency; not default.</param>
    /// <param name="timeZone">The programme's time zone.</param>
    /// <param name="referral">The referral policy, or null for the defaults.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="timeZone"/> or <paramref name="displayName"/> is null.</exception>
    /// <exception cref="ArgumentException">An id or the currency is default, the name is blank, or the referral policy is invalid.</exception>
    public static ProgramSettings Create(ProgramId programId, string displayName, Currency currency, DateTimeZone timeZone, ReferralPolicy? referral = null)
    {
        Preconditions.CheckNotDefault(programId.IsDefault, nameof(Primitives.ProgramId), nameof(programId));
        ArgumentNullException.ThrowIfNull(displayName);
        ArgumentNullException.ThrowIfNull(timeZone);
        if (string.IsNullOrWhiteSpace(displayName))
        {
            throw new ArgumentException("displayName must not be empty; give the name members see, e.g. \"Club Privilège\".", nameof(displayName));
        }

        if (currency.IsDefault)
        {
            throw new ArgumentException("currency must not be default(Currency); create one with Currency.FromCode(\"EUR\").", nameof(currency));
        }

        referral ??= new ReferralPolicy();
        var failures = new List<string>();
        ReferralPolicy.AddFailures(referral, nameof(referral), failures);
        if (failures.Count > 0)
        {
            throw new ArgumentException("Invalid referral policy: " + string.Join(" ", failures), nameof(referral));
        }

        return new ProgramSettings(programId, displayName, currency, timeZone, referral);
    }

    /// <summary>A one-line description, e.g. <c>Club (club) EUR Europe/Paris</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"{DisplayName} ({ProgramId}) {Currency} {TimeZone.Id}";
}
