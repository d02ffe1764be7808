using Loyalty.Core.DataRights;
using Loyalty.Core.DependencyInjection;
using System.Diagnostics.Metrics;
using Loyalty.Core.Ledger;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>Chooses the EF Core stores on a <see cref="LoyaltyBuilder"/>.</summary>
public static class LoyaltyEntityFrameworkCoreBuilderExtensions
{
    /// <summary>
    /// Stores the programme's data in <typeparamref name="TContext"/>, the shop's own context
    /// (registered by the host, e.g. with <c>AddDbContext</c>), whose <c>OnModelCreating</c> calls
    /// <see cref="LoyaltyModelBuilderExtensions.ApplyLoyaltyModel(ModelBuilder, string?, string)"/>.
    /// Replaces any store registered before (the in-memory default included).
    /// </summary>
    /// <typeparam name="TContext">The shop's context type.</typeparam>
    /// <param name="builder">The loyalty builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <remarks>Every store (<see cref="ILedgerStore"/>, <see cref="IMemberStore"/>,
    /// <see cref="IRuleSetStore"/>, <see cref="IRewardCatalogStore"/>, <see cref="ICampaignBudgetStore"/>, the consent and contact history stores, the points transfer and household stores used by <c>AddPointsTransfers</c> and <c>AddHouseholds</c>, the card and achievement stores used by <c>AddCards</c> and <c>AddAchievements</c>, the data-rights audit and erasure markers used by <c>AddDataRights</c>, and the <see cref="IMaintenanceLease"/>) is scoped, like the context
    /// they share, and so are <see cref="PointsLedger"/> and <see cref="LoyaltyProgram"/>, which use
    /// them: resolve them from a scope (e.g. one per request), where they work in the same context,
    /// and so the same transaction, as the shop's own code. The steps of one programme call (an order,
    /// its member state and its points) are written in one transaction of that context: the shop's
    /// own when one is open, else one the call commits.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static LoyaltyBuilder UseEntityFrameworkCore<TContext>(this LoyaltyBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Scoped<ILedgerStore>(sp => new EntityFrameworkLedgerStore(sp.GetRequiredService<TContext>())));
        builder.Services.Replace(ServiceDescriptor.Scoped<IMemberStore>(sp => new EntityFrameworkMemberStore(sp.GetRequiredService<TContext>())));

        // Members' data rights: ILedgerDataStore and IMemberDataStore resolve to the scope's ledger and member stores (the same instances).
        builder.Services.Replace(ServiceDescriptor.Scoped<ILedgerDataStore>(sp => DataCapability<ILedgerStore, ILedgerDataStore>(sp)));
        builder.Services.Replace(ServiceDescriptor.Scoped<IMemberDataStore>(sp => DataCapability<IMemberStore, IMemberDataStore>(sp)));
        builder.Services.Replace(ServiceDescriptor.Scoped<IRuleSetStore>(sp => new EntityFrameworkRuleSetStore(sp.GetRequiredService<TContext>())));
        builder.Services.Replace(ServiceDescriptor.Scoped<IRewardCatalogStore>(sp => new EntityFrameworkRewardCatalogStore(sp.GetRequiredService<TContext>())));
        builder.Services.Replace(ServiceDescriptor.Scoped<ICampaignBudgetStore>(sp => new EntityFrameworkCampaignBudgetStore(sp.GetRequiredService<TContext>())));
        builder.Services.Replace(ServiceDescriptor.Scoped<ILoyaltyUnitOfWork>(sp => new EntityFrameworkUnitOfWork(sp.GetRequiredService<TContext>())));
        builder.Services.Replace(ServiceDescriptor.Scoped<Loyalty.Core.Engagement.IConsentStore>(sp => new EntityFrameworkConsentStore(sp.GetRequiredService<TContext>())));
        builder.Services.Replace(ServiceDescriptor.Scoped<Loyalty.Core.Engagement.IContactHistoryStore>(sp => new EntityFrameworkContactHistoryStore(sp.GetRequiredService<TContext>())));
        builder.Services.Replace(ServiceDescriptor.Scoped<IPointsTransferStore>(sp => new EntityFrameworkPointsTransferStore(sp.GetRequiredService<TContext>())));
        builder.Services.Replace(ServiceDescriptor.Scoped<IHouseholdStore>(sp => new EntityFrameworkHouseholdStore(sp.GetRequiredService<TContext>())));
        builder.Services.Replace(ServiceDescriptor.Scoped<IMaintenanceLease>(sp => new EntityFrameworkMaintenanceLease(sp.GetRequiredService<TContext>())));
        builder.Services.Replace(ServiceDescriptor.Scoped<Loyalty.Core.Coalition.IPartnerStore>(sp => new EntityFrameworkPartnerStore(sp.GetRequiredService<TContext>())));
        builder.Services.Replace(ServiceDescriptor.Scoped<Loyalty.Core.Coalition.ISettlementStore>(sp => new EntityFrameworkSettlementStore(sp.GetRequiredService<TContext>())));
        builder.Services.Replace(ServiceDescriptor.Scoped<Loyalty.Core.Cards.ICardStore>(sp => new EntityFrameworkCardStore(sp.GetRequiredService<TContext>())));
        builder.Services.Replace(ServiceDescriptor.Scoped<Loyalty.Core.Achievements.IAchievementStore>(sp => new EntityFrameworkAchievementStore(sp.GetRequiredService<TContext>())));
        builder.Services.Replace(ServiceDescriptor.Scoped<Loyalty.Core.DataRights.IDataRightsAuditStore>(sp => new EntityFrameworkDataRightsAuditStore(sp.GetRequiredService<TContext>())));
        builder.Services.Replace(ServiceDescriptor.Scoped<IErasedMemberStore>(sp => new EntityFrameworkErasedMemberStore(sp.GetRequiredService<TContext>())));
        builder.UseScopedServices();
        return builder;
    }

    private static TCapability DataCapability<TStore, TCapability>(IServiceProvider services)
        where TStore : notnull
        where TCapability : class
    {
        var store = services.GetRequiredService<TStore>();
        return store as TCapability ?? throw new InvalidOperationException(
            $"The {typeof(TStore).Name} registered ({store.GetType().Name}) does not implement {typeof(TCapability).Name}; implement it so that members can be exported, erased and rectified.");
    }
}
