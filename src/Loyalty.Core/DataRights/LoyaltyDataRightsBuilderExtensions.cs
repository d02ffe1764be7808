using Loyalty.Core.Configuration;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Engagement;
using Loyalty.Core.Ledger;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Loyalty.Core.DataRights;

/// <summary>Adds members' data rights (<see cref="DataRightsService"/>) to a <see cref="LoyaltyBuilder"/>.</summary>
public static class LoyaltyDataRightsBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="DataRightsService"/> (scoped when the stores are scoped, else singleton) and,
    /// unless a store package chose another, the in-memory <see cref="IDataRightsAuditStore"/>. Every
    /// <see cref="IMemberDataParticipant"/> registered in the container takes part, after the core stores.
    /// Call it after choosing the stores. Calling it twice is harmless (both delegates apply).
    /// </summary>
    /// <param name="builder">The loyalty builder.</param>
    /// <param name="configure">Optional configuration of the options.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static LoyaltyBuilder AddDataRights(this LoyaltyBuilder builder, Action<DataRightsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<DataRightsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<IDataRightsAuditStore, InMemoryDataRightsAuditStore>();
        services.TryAddSingleton<IErasedMemberStore, InMemoryErasedMemberStore>();
        var scoped = services.Any(d => d.ServiceType == typeof(IMemberStore) && d.Lifetime == ServiceLifetime.Scoped);
        var lifetime = scoped ? ServiceLifetime.Scoped : ServiceLifetime.Singleton;

        // Null when no key is configured: nothing marks erased ids (the programme and the service check for null).
        services.TryAdd(new ServiceDescriptor(typeof(ErasedMembers), sp => CreateMarkers(sp)!, lifetime));
        services.TryAdd(new ServiceDescriptor(typeof(DataRightsService), Create, lifetime));
        return builder;
    }

    private static DataRightsService Create(IServiceProvider sp) => new(
        sp.GetRequiredService<IClock>(),
        sp.GetRequiredService<ProgramSettings>(),
        sp.GetRequiredService<PointsLedger>(),
        sp.GetRequiredService<ILedgerStore>(),
        sp.GetRequiredService<IMemberStore>(),
        sp.GetRequiredService<IRewardCatalogStore>(),
        sp.GetRequiredService<ICampaignBudgetStore>(),
        sp.GetRequiredService<IDataRightsAuditStore>(),
        sp.GetRequiredService<IOptions<DataRightsOptions>>().Value,
        sp.GetService<IConsentStore>(),
        sp.GetService<IContactHistoryStore>(),
        sp.GetServices<IMemberDataParticipant>(),
        sp.GetService<ILoyaltyUnitOfWork>(),
        sp.GetService<ErasedMembers>());

    private static ErasedMembers? CreateMarkers(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<DataRightsOptions>>().Value;
        return options.MarkerKeyBytes() is { } key ? new ErasedMembers(sp.GetRequiredService<IErasedMemberStore>(), key) : null;
    }
}
