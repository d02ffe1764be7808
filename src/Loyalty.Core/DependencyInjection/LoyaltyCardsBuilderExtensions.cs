using Loyalty.Core.Cards;
using Loyalty.Core.Configuration;
using Loyalty.Core.DataRights;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage.InMemory;
using Loyalty.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Loyalty.Core.DependencyInjection;

/// <summary>Adds loyalty cards to a <see cref="LoyaltyBuilder"/>.</summary>
public static class LoyaltyCardsBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="LoyaltyCards"/> with the programme's <see cref="CardNumberScheme"/> and, unless a
    /// store package chose one, the in-memory card store. The options (section <see cref="CardOptions.SectionName"/>)
    /// are validated at start-up with every problem and its path. Calling it twice is harmless (both delegates apply).
    /// </summary>
    /// <param name="builder">The loyalty builder.</param>
    /// <param name="configure">Optional code configuration, applied after any configuration binding.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static LoyaltyBuilder AddCards(this LoyaltyBuilder builder, Action<CardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<CardOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (!services.Any(d => d.ServiceType == typeof(CardsMarker)))
        {
            services.AddSingleton<CardsMarker>();
            options.ValidateOnStart();
            services.AddSingleton<IValidateOptions<CardOptions>, CardOptionsValidator>();
        }

        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<CardOptions>>().Value.ToScheme());
        services.TryAddSingleton<ICardStore, InMemoryCardStore>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IMemberDataParticipant, CardParticipant>());
        // Scoped like the LoyaltyProgram it works through, whatever the stores.
        services.TryAddScoped(CreateCards);
        return builder;
    }

    internal static LoyaltyCards CreateCards(IServiceProvider services) => new(
        services.GetRequiredService<IClock>(),
        services.GetRequiredService<ProgramSettings>(),
        services.GetRequiredService<CardNumberScheme>(),
        services.GetRequiredService<ICardStore>(),
        services.GetRequiredService<IMemberStore>(),
        services.GetRequiredService<LoyaltyProgram>(),
        services.GetRequiredService<IOptions<CardOptions>>().Value.IssueVirtualCardAtEnrolment);

    private sealed class CardsMarker;

    private sealed class CardOptionsValidator : IValidateOptions<CardOptions>
    {
        public ValidateOptionsResult Validate(string? name, CardOptions options) =>
            options.GetFailures() is { Count: > 0 } failures ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
