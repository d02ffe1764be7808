using System.Diagnostics.Metrics;
using Loyalty.Core.Configuration;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tiers;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Loyalty.Core.DependencyInjection;

/// <summary>Registers a loyalty programme in a service collection.</summary>
public static class LoyaltyServiceCollectionExtensions
{
    /// <summary>
    /// Adds the loyalty programme's services. Defaults are registered with <c>TryAdd</c>, so a
    /// host's own registrations (an <see cref="IClock"/>, a store) win whatever the order, and
    /// calling this method twice is harmless (the configuration delegates both apply).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Optional code configuration, applied after any configuration binding.</param>
    /// <returns>A builder to choose stores and features.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static LoyaltyBuilder AddLoyalty(this IServiceCollection services, Action<LoyaltyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<LoyaltyOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (!services.Any(d => d.ServiceType == typeof(LoyaltyMarker)))
        {
            // Registered once, so that a second AddLoyalty adds nothing but its delegate.
            services.AddSingleton<LoyaltyMarker>();
            options.ValidateOnStart();
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LoyaltyOptions>, LoyaltyOptionsValidator>());
        LoyaltyTextsBuilderExtensions.AddTextServices(services);

#pragma warning disable RS0030 // The DI default is the one place the system clock is allowed.
        services.TryAddSingleton<IClock>(SystemClock.Instance);
#pragma warning restore RS0030
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<LoyaltyOptions>>().Value.ToProgramDefinition());
        services.TryAddSingleton(sp => sp.GetRequiredService<ProgramDefinition>().Settings);
        services.TryAddSingleton<IOptions<LedgerOptions>>(sp => Options.Create(sp.GetRequiredService<IOptions<LoyaltyOptions>>().Value.Ledger));
        services.TryAddSingleton(CreateLedger);
        services.TryAddSingleton<ILedgerStore, InMemoryLedgerStore>();
        services.TryAddSingleton<IMemberStore, InMemoryMemberStore>();
        services.TryAddSingleton<IRuleSetStore, InMemoryRuleSetStore>();
        services.TryAddSingleton<IRewardCatalogStore, InMemoryRewardCatalogStore>();
        services.TryAddSingleton<ICampaignBudgetStore, InMemoryCampaignBudgetStore>();
        services.TryAddSingleton<ILoyaltyUnitOfWork, InMemoryUnitOfWork>();
        services.TryAddSingleton<IRewardCodeGenerator, RandomRewardCodeGenerator>();
        services.TryAddSingleton<IReferralCodeGenerator, RandomReferralCodeGenerator>();
        services.TryAddSingleton(sp => sp.GetRequiredService<ProgramDefinition>().Tiers ?? TierLadder.Create([TierDefinition.Entry(TierId.From("member"), "Member")]));
        services.TryAddSingleton<RuleSetCache>();
        services.TryAddSingleton(sp => new RootProvider(sp));
        services.TryAddScoped(CreateScopedProgram);

        return new LoyaltyBuilder(services);
    }

    /// <summary>
    /// The one way the ledger service is built, whatever the stores' lifetime: its options were
    /// validated with the programme's at start-up, so they are not checked again.
    /// </summary>
    /// <param name="services">The provider (root or scope).</param>
    /// <returns>The ledger.</returns>
    internal static PointsLedger CreateLedger(IServiceProvider services) => CreateLedger(services, AccountStateCache.DefaultSlots);

    /// <summary>
    /// The ledger service of one scope, for stores that live in a scope: a small account-state cache
    /// (<see cref="AccountStateCache.ScopedSlots"/>), and lots scanned rather than indexed below
    /// <see cref="AccountState.ScopedIndexFrom"/> (a state decoded from the database serves one write or two).
    /// </summary>
    /// <param name="services">The scope's provider.</param>
    /// <returns>The ledger.</returns>
    internal static PointsLedger CreateScopedLedger(IServiceProvider services)
    {
        var ledger = CreateLedger(services, AccountStateCache.ScopedSlots);
        ledger.IndexLotsFrom = AccountState.ScopedIndexFrom;
        return ledger;
    }

    private static PointsLedger CreateLedger(IServiceProvider services, int cacheSlots) => new(
        services.GetRequiredService<IClock>(),
        services.GetRequiredService<ILedgerStore>(),
        services.GetRequiredService<ProgramSettings>(),
        services.GetRequiredService<IOptions<LedgerOptions>>(),
        cacheSlots,
        validated: true)
    {
        // Retries on account version conflicts are logged with the programme's calls (event 1004).
        Logger = services.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()?.CreateLogger(Diagnostics.LoyaltyTelemetry.ProgramLogCategory)
            ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
        LogMemberIds = services.GetService<IOptions<Diagnostics.LoyaltyDiagnosticsOptions>>()?.Value.LogMemberIds ?? false,
    };

    /// <summary>
    /// The programme facade of one scope (one unit of work of the stores), whatever the stores: resolving it from the
    /// root provider fails with the way to fix it, in every environment (not only where scopes are validated).
    /// </summary>
    /// <param name="services">The scope's provider.</param>
    /// <returns>The programme.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="services"/> is the root provider.</exception>
    internal static LoyaltyProgram CreateScopedProgram(IServiceProvider services)
    {
        if (services.GetService<RootProvider>() is { } root && ReferenceEquals(root.Services, services))
        {
            throw new InvalidOperationException(RootResolutionMessage);
        }

        return CreateProgram(services);
    }

    /// <summary>The message of <see cref="CreateScopedProgram"/> when resolved from the root provider.</summary>
    internal const string RootResolutionMessage =
        "LoyaltyProgram is a scoped service and was resolved from the root service provider. It works inside one unit of work of the stores " +
        "(with EF Core, one DbContext), so create a scope per request, message or job and resolve it there: " +
        "using var scope = provider.CreateScope(); var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>(); " +
        "(ASP.NET Core creates one per request: inject LoyaltyProgram into controllers, endpoints or scoped services; a singleton or hosted service injects IServiceScopeFactory instead).";

    /// <summary>The one way the programme facade is built, whatever the stores' lifetime.</summary>
    /// <param name="services">The provider (root or scope).</param>
    /// <returns>The programme.</returns>
    internal static LoyaltyProgram CreateProgram(IServiceProvider services) => new LoyaltyProgram(
        services.GetRequiredService<IClock>(),
        services.GetRequiredService<ProgramSettings>(),
        services.GetRequiredService<PointsLedger>(),
        services.GetRequiredService<ILedgerStore>(),
        services.GetRequiredService<IMemberStore>(),
        services.GetRequiredService<IRuleSetStore>(),
        services.GetRequiredService<IRewardCatalogStore>(),
        services.GetRequiredService<ICampaignBudgetStore>(),
        services.GetRequiredService<TierLadder>(),
        services.GetRequiredService<IRewardCodeGenerator>(),
        services.GetRequiredService<IReferralCodeGenerator>(),
        services.GetService<IMeterFactory>(),
        services.GetRequiredService<RuleSetCache>(),
        services.GetService<ILoyaltyUnitOfWork>(),
        ProgramDiagnostics.From(services, services.GetRequiredService<ProgramSettings>().ProgramId)).WithAchievements(LoyaltyAchievementsBuilderExtensions.TrackerOf(services))
        .WithQualificationWeights(Programs.QualificationWeights.Configured(services))
        .WithPooledQualification(LoyaltyTransferBuilderExtensions.PooledHouseholds(services));

    /// <summary>The root provider, as singleton factories receive it: a scoped service resolved with it is resolved from the root.</summary>
    /// <param name="Services">The root provider.</param>
    private sealed record RootProvider(IServiceProvider Services);

    /// <summary>Marks a service collection in which <see cref="AddLoyalty"/> already ran.</summary>
    private sealed class LoyaltyMarker;
}
