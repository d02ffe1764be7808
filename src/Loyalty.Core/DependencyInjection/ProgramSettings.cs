using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.DependencyInjection;

/// <summary>
/// The validated, typed settings of a programme, built from <see cref="LoyaltyOptions"/>.
/// Services depend on this rather than on the raw options.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class ProgramSettings
{
    private ProgramSettings(ProgramId programId, string displayName, Currency currency, DateTimeZone timeZone)
    {
        ProgramId = programId;
        DisplayName = displayName;
        Currency = currency;
        TimeZone = timeZone;
    }

    /// <summary>The programme's identifier.</summary>
    public ProgramId ProgramId { get; }

    /// <summary>The name members see.</summary>
    public string DisplayName { get; }

    /// <summary>The programme's currency.</summary>
    public Currency Currency { get; }

    /// <summary>The programme's time zone, for every calendar computation.</summary>
    public DateTimeZone TimeZone { get; }

    /// <summary>Creates typed settings from options, validating them first.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem with its path.</exception>
    public static ProgramSettings FromOptions(LoyaltyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = LoyaltyOptionsValidator.GetFailures(options);
        if (failures.Count > 0)
        {
            throw new ArgumentException("Invalid loyalty options: " + string.Join(" ", failures), nameof(options));
        }

        return new ProgramSettings(
            Primitives.ProgramId.From(options.ProgramId),
            options.DisplayName,
            Primitives.Currency.FromCode(options.Currency),
            DateTimeZoneProviders.Tzdb[options.TimeZone]);
    }

    /// <summary>A one-line description, e.g. <c>Club (club) EUR Europe/Paris</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"{DisplayName} ({ProgramId}) {Currency} {TimeZone.Id}";
}
