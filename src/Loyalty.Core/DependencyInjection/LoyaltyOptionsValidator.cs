using Loyalty.Core.Configuration;
using Loyalty.Core.Primitives;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Loyalty.Core.DependencyInjection;

/// <summary>
/// Validates <see cref="LoyaltyOptions"/>, reporting every bad field (not only the first) with its
/// configuration path, e.g. <c>Loyalty:Currency</c>.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public sealed class LoyaltyOptionsValidator : IValidateOptions<LoyaltyOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, LoyaltyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = GetFailures(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Every problem with <paramref name="options"/>, each prefixed with its configuration path.</summary>
    /// <param name="options">The options to check.</param>
    /// <returns>The messages; empty when the options are valid.</returns>
    public static IReadOnlyList<string> GetFailures(LoyaltyOptions options) => Check(options).Failures;

    /// <summary>Every problem, and the programme definition when there is none.</summary>
    internal static (ProgramDefinition? Definition, IReadOnlyList<string> Failures) Check(LoyaltyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = LoyaltyOptions.SectionName + ":";

        try
        {
            Identifier.Validate(options.ProgramId, nameof(Primitives.ProgramId));
        }
        catch (ArgumentException ex)
        {
            failures.Add($"{prefix}{nameof(LoyaltyOptions.ProgramId)}: {FirstSentence(ex)}");
        }

        if (string.IsNullOrWhiteSpace(options.DisplayName))
        {
            failures.Add($"{prefix}{nameof(LoyaltyOptions.DisplayName)}: must not be empty; give the name members see, e.g. \"Club Privilège\".");
        }

        if (!Primitives.Currency.TryFromCode(options.Currency, out _))
        {
            failures.Add($"{prefix}{nameof(LoyaltyOptions.Currency)}: '{options.Currency}' is not an ISO 4217 currency code; use a three-letter upper-case code such as EUR, USD or GBP.");
        }

        if (string.IsNullOrWhiteSpace(options.TimeZone) || DateTimeZoneProviders.Tzdb.GetZoneOrNull(options.TimeZone) is null)
        {
            failures.Add($"{prefix}{nameof(LoyaltyOptions.TimeZone)}: '{options.TimeZone}' is not an IANA time zone known to the TZDB {DateTimeZoneProviders.Tzdb.VersionId}; use an id such as Europe/Paris or UTC.");
        }

        Ledger.LedgerOptionsValidator.AddFailures(options.Ledger, prefix + nameof(LoyaltyOptions.Ledger), failures);
        Referrals.ReferralPolicy.AddFailures(options.Referral, prefix + nameof(LoyaltyOptions.Referral), failures);

        ProgramDefinition? definition = null;
        {
            // The ladder, rule sets and rewards inherit the programme's currency and time zone (when those are
            // themselves wrong, the rest is still checked, in a stand-in currency and zone, without comparing).
            var currencyKnown = Primitives.Currency.TryFromCode(options.Currency, out var currency);
            var zone = string.IsNullOrWhiteSpace(options.TimeZone) ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(options.TimeZone);
            var scalarsValid = failures.Count == 0;
            var (tiers, ruleSets, rewards) = ProgramDefinitionReader.Read(options, currencyKnown ? currency : null, zone, failures);
            if (scalarsValid && failures.Count == 0 && options.BindingFailures.Count == 0)
            {
                var settings = ProgramSettings.Create(Primitives.ProgramId.From(options.ProgramId), options.DisplayName, currency, zone!, options.Referral);
                definition = new ProgramDefinition(settings, tiers, ruleSets, Rewards.RewardCatalog.Create(rewards));
            }
        }

        if (options.BindingFailures.Count == 0)
        {
            return (definition, failures);
        }

        // A setting that could not be read is reported once, as such, not again with the default it was left at.
        var all = options.BindingFailures.Select(f => f.ToString()).ToList();
        all.AddRange(failures.Where(f => !options.BindingFailures.Any(b => ConfigurationPaths.IsAbout(f, b.Path))));
        return (null, all);
    }

    private static string FirstSentence(ArgumentException ex)
    {
        // ArgumentException.Message appends " (Parameter 'x')"; configuration users need only the rule.
        var message = ex.Message;
        var cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return cut >= 0 ? message[..cut] : message;
    }
}
