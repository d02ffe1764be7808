using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Loyalty.Core.DependencyInjection;

/// <summary>
/// Returned by <see cref="LoyaltyServiceCollectionExtensions.AddLoyalty"/>; store packages and
/// features extend it (for example <c>UseInMemoryStores()</c>, <c>UseEntityFrameworkCore&lt;TContext&gt;()</c>).
/// </summary>
public sealed class LoyaltyBuilder
{
    internal LoyaltyBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection the programme is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Keeps every store in process memory (the default): thread-safe, lost on restart. Replaces
    /// any store registered before, so the choice is explicit.
    /// </summary>
    /// <returns>This builder.</returns>
    public LoyaltyBuilder UseInMemoryStores()
    {
        Services.RemoveAll<ILedgerStore>();
        Services.AddSingleton<ILedgerStore, InMemoryLedgerStore>();
        Services.RemoveAll<IMemberStore>();
        Services.AddSingleton<IMemberStore, InMemoryMemberStore>();
        Services.RemoveAll<IRuleSetStore>();
        Services.AddSingleton<IRuleSetStore, InMemoryRuleSetStore>();
        Services.RemoveAll<IRewardCatalogStore>();
        Services.AddSingleton<IRewardCatalogStore, InMemoryRewardCatalogStore>();
        Services.RemoveAll<ICampaignBudgetStore>();
        Services.AddSingleton<ICampaignBudgetStore, InMemoryCampaignBudgetStore>();
        Services.RemoveAll<ILoyaltyUnitOfWork>();
        Services.AddSingleton<ILoyaltyUnitOfWork, InMemoryUnitOfWork>();
        Services.RemoveAll<Engagement.IConsentStore>();
        Services.AddSingleton<Engagement.IConsentStore, InMemoryConsentStore>();
        Services.RemoveAll<Engagement.IContactHistoryStore>();
        Services.AddSingleton<Engagement.IContactHistoryStore, InMemoryContactHistoryStore>();
        return this;
    }

    /// <summary>
    /// Registers the ledger service and the programme facade as scoped services, for stores that
    /// live in a scope (a unit of work such as an EF Core context). Store packages call it; the
    /// services are built exactly as for the in-memory stores.
    /// </summary>
    /// <returns>This builder.</returns>
    public LoyaltyBuilder UseScopedServices()
    {
        Services.Replace(ServiceDescriptor.Scoped(LoyaltyServiceCollectionExtensions.CreateLedger));
        Services.Replace(ServiceDescriptor.Scoped(LoyaltyServiceCollectionExtensions.CreateProgram));
        if (Services.Any(d => d.ServiceType == typeof(Engagement.EngagementService)))
        {
            Services.Replace(ServiceDescriptor.Scoped(LoyaltyEngagementBuilderExtensions.CreateService));
        }

        LoyaltyTransferBuilderExtensions.MakeScoped(Services);

        return this;
    }

    /// <summary>
    /// Sets the programme's tier ladder (tiers, thresholds, qualification window, benefits),
    /// replacing the default single-tier ladder (<c>member</c>).
    /// </summary>
    /// <param name="ladder">The validated ladder.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="ladder"/> is null.</exception>
    public LoyaltyBuilder UseTiers(TierLadder ladder)
    {
        ArgumentNullException.ThrowIfNull(ladder);
        Services.RemoveAll<TierLadder>();
        Services.AddSingleton(ladder);
        return this;
    }
}
