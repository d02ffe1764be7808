using Loyalty.Core.Configuration;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Ledger;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;

namespace Loyalty.Core.Coalition;

/// <summary>Registers the coalition: partners, agreements and settlement on top of <c>AddLoyalty</c>.</summary>
public static class CoalitionBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="CoalitionProgram"/> with the in-memory partner and settlement stores unless
    /// others are registered (the EF Core adapter registers its own). Calling it twice is harmless.
    /// The coalition service is scoped, like the programme it runs: resolve it from a scope
    /// (<c>using var scope = provider.CreateScope();</c>).
    /// </summary>
    /// <param name="builder">The loyalty builder.</param>
    /// <param name="configure">Changes the settlement options, or null.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A qualification weight is out of range.</exception>
    public static LoyaltyBuilder AddCoalition(this LoyaltyBuilder builder, Action<SettlementOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = new SettlementOptions();
        configure?.Invoke(options);
        Programs.QualificationWeights.Validate(options.QualificationWeights, nameof(configure));
        services.TryAddSingleton(options);
        services.TryAddSingleton(sp => new Programs.QualificationWeightSource(() => sp.GetRequiredService<SettlementOptions>().QualificationWeights));
        services.TryAddSingleton<IPartnerStore, InMemoryPartnerStore>();
        services.TryAddSingleton<ISettlementStore, InMemorySettlementStore>();
        // Scoped like the LoyaltyProgram it works through, whatever the stores.
        services.TryAddScoped(Create);
        return builder;
    }

    private static CoalitionProgram Create(IServiceProvider services) => new(
        services.GetRequiredService<IClock>(),
        services.GetRequiredService<ProgramSettings>(),
        services.GetRequiredService<LoyaltyProgram>(),
        services.GetRequiredService<PointsLedger>(),
        services.GetRequiredService<ILedgerStore>(),
        services.GetRequiredService<IPartnerStore>(),
        services.GetRequiredService<ISettlementStore>(),
        services.GetRequiredService<SettlementOptions>());
}
