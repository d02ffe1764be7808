using Loyalty.Core.Configuration;
using Loyalty.Core.Engagement;
using Loyalty.Core.Ledger;
using Loyalty.Core.Segmentation;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Loyalty.Core.DependencyInjection;

/// <summary>Adds the engagement planner to a <see cref="LoyaltyBuilder"/>.</summary>
public static class LoyaltyEngagementBuilderExtensions
{
    /// <summary>
    /// Registers the engagement planner (<see cref="EngagementPlanner"/>, singleton), the
    /// <see cref="EngagementService"/> and, unless a store package chose others, the in-memory consent and
    /// contact history stores. The options (section <see cref="EngagementOptions.SectionName"/>) are
    /// validated at start-up: a cap of 0, overlapping quiet hours or an unknown segment name stops the host
    /// with every problem listed. Calling it twice is harmless (both delegates apply).
    /// </summary>
    /// <param name="builder">The loyalty builder.</param>
    /// <param name="configure">Optional code configuration, applied after any configuration binding.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static LoyaltyBuilder AddEngagement(this LoyaltyBuilder builder, Action<EngagementOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<EngagementOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (!services.Any(d => d.ServiceType == typeof(EngagementMarker)))
        {
            services.AddSingleton<EngagementMarker>();
            options.ValidateOnStart();
            services.AddSingleton<IValidateOptions<EngagementOptions>>(sp => new EngagementOptionsValidator(sp.GetService<SegmentMap>() ?? SegmentMap.Default));
        }

        services.TryAddSingleton<IConsentStore, InMemoryConsentStore>();
        services.TryAddSingleton<IContactHistoryStore, InMemoryContactHistoryStore>();
        services.TryAddSingleton(sp => new EngagementPlanner(
            sp.GetRequiredService<IOptions<EngagementOptions>>().Value,
            sp.GetRequiredService<ProgramSettings>().TimeZone,
            sp.GetService<SegmentMap>() ?? SegmentMap.Default,
            sp.GetRequiredService<TierLadder>()));
        var scoped = services.Any(d => d.ServiceType == typeof(IMemberStore) && d.Lifetime == ServiceLifetime.Scoped);
        services.TryAdd(new ServiceDescriptor(typeof(EngagementService), CreateService, scoped ? ServiceLifetime.Scoped : ServiceLifetime.Singleton));
        return builder;
    }

    /// <summary>The one way the engagement service is built, whatever the stores' lifetime.</summary>
    /// <param name="services">The provider (root or scope).</param>
    /// <returns>The service.</returns>
    internal static EngagementService CreateService(IServiceProvider services) => new EngagementService(
        services.GetRequiredService<IClock>(),
        services.GetRequiredService<ProgramSettings>(),
        services.GetRequiredService<EngagementPlanner>(),
        services.GetRequiredService<IMemberStore>(),
        services.GetRequiredService<PointsLedger>(),
        services.GetRequiredService<TierLadder>(),
        services.GetRequiredService<IRewardCatalogStore>(),
        services.GetRequiredService<IConsentStore>(),
        services.GetRequiredService<IContactHistoryStore>()).WithQualificationWeights(Programs.QualificationWeights.Configured(services));

    /// <summary>Marks that <see cref="AddEngagement"/> ran once.</summary>
    private sealed class EngagementMarker;
}
