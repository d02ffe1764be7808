using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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
        Services.Replace(ServiceDescriptor.Scoped(LoyaltyServiceCollectionExtensions.CreateScopedLedger));
        Services.Replace(ServiceDescriptor.Scoped(LoyaltyServiceCollectionExtensions.CreateScopedProgram));
        if (Services.Any(d => d.ServiceType == typeof(Engagement.EngagementService)))
        {
            Services.Replace(ServiceDescriptor.Scoped(LoyaltyEngagementBuilderExtensions.CreateService));
        }

        LoyaltyTransferBuilderExtensions.MakeScoped(Services);
        if (Services.Any(d => d.ServiceType == typeof(Cards.LoyaltyCards)))
        {
            Services.Replace(ServiceDescriptor.Scoped(LoyaltyCardsBuilderExtensions.CreateCards));
        }

        if (Services.Any(d => d.ServiceType == typeof(Achievements.LoyaltyAchievements)))
        {
            Services.Replace(ServiceDescriptor.Scoped(LoyaltyAchievementsBuilderExtensions.CreateService));
        }

        return this;
    }

    /// <summary>
    /// Sets the programme's tier ladder (tiers, thresholds, qualification window, benefits),
    /// replacing the configured ladder (<c>Loyalty:Tiers</c>) or the default single-tier ladder (<c>member</c>).
    /// The ladder is checked at start-up with the options: counting spend in another currency, or computing
    /// its windows in another time zone, than the programme's stops the host with the way to fix it.
    /// </summary>
    /// <param name="ladder">The validated ladder.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="ladder"/> is null.</exception>
    public LoyaltyBuilder UseTiers(TierLadder ladder)
    {
        ArgumentNullException.ThrowIfNull(ladder);
        Services.RemoveAll<TierLadder>();
        Services.AddSingleton(ladder);
        Services.AddSingleton<IValidateOptions<LoyaltyOptions>>(new CodeLadderValidator(ladder));
        return this;
    }

    /// <summary>Checks a ladder given in code against the programme's currency and time zone, at start-up.</summary>
    private sealed class CodeLadderValidator(TierLadder ladder) : IValidateOptions<LoyaltyOptions>
    {
        public ValidateOptionsResult Validate(string? name, LoyaltyOptions options)
        {
            var failures = new List<string>();
            if (ladder.Policy.Currency is { } currency && Primitives.Currency.TryFromCode(options.Currency, out var programme) && currency != programme)
            {
                failures.Add($"The tier ladder given to UseTiers counts spend in {currency.Code} but the programme's currency ({LoyaltyOptions.SectionName}:{nameof(LoyaltyOptions.Currency)}) is {programme.Code}; build the ladder with TierPolicy.Currency {programme.Code} (or leave it unset).");
            }

            if (ladder.Tiers.Count > 1 && NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(options.TimeZone ?? string.Empty) is { } zone && zone.Id != ladder.Policy.TimeZone.Id)
            {
                failures.Add($"The tier ladder given to UseTiers computes its windows in {ladder.Policy.TimeZone.Id} but the programme's time zone ({LoyaltyOptions.SectionName}:{nameof(LoyaltyOptions.TimeZone)}) is {zone.Id}; build the ladder with TierPolicy.TimeZone {zone.Id}.");
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
