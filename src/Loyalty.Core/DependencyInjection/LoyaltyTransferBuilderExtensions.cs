using Loyalty.Core.Configuration;
using Loyalty.Core.DataRights;
using Loyalty.Core.Households;
using Loyalty.Core.Ledger;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage.InMemory;
using Loyalty.Core.Storage;
using Loyalty.Core.Transfers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Loyalty.Core.DependencyInjection;

/// <summary>Adds points transfers between members and households (family pools) to a <see cref="LoyaltyBuilder"/>.</summary>
public static class LoyaltyTransferBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="PointsTransferService"/> and, unless a store package chose another, the
    /// in-memory <see cref="IPointsTransferStore"/>. The options (section <see cref="PointsTransferOptions.SectionName"/>)
    /// are validated at start-up with every problem listed. The service is scoped when the stores are
    /// (EF Core), a singleton otherwise. Calling it twice is harmless (both delegates apply).
    /// </summary>
    /// <param name="builder">The loyalty builder.</param>
    /// <param name="configure">Optional code configuration.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static LoyaltyBuilder AddPointsTransfers(this LoyaltyBuilder builder, Action<PointsTransferOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<PointsTransferOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (!services.Any(d => d.ServiceType == typeof(TransfersMarker)))
        {
            services.AddSingleton<TransfersMarker>();
            options.ValidateOnStart();
            services.AddSingleton<IValidateOptions<PointsTransferOptions>>(new ListValidator<PointsTransferOptions>(o => o.Validate()));
        }

        services.TryAddSingleton<IPointsTransferStore, InMemoryPointsTransferStore>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IMemberDataParticipant, PointsTransferParticipant>());
        services.TryAdd(new ServiceDescriptor(typeof(PointsTransferService), CreateTransfers, Lifetime(services)));
        return builder;
    }

    /// <summary>
    /// Registers <see cref="HouseholdService"/> and, unless a store package chose another, the in-memory
    /// <see cref="IHouseholdStore"/>. The options (section <see cref="HouseholdOptions.SectionName"/>) are
    /// validated at start-up. The service is scoped, like the <see cref="LoyaltyProgram"/> it redeems through:
    /// resolve it inside a scope (ASP.NET Core's request scope, or <c>IServiceScopeFactory.CreateScope()</c>).
    /// Calling it twice is harmless (both delegates apply).
    /// </summary>
    /// <param name="builder">The loyalty builder.</param>
    /// <param name="configure">Optional code configuration.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static LoyaltyBuilder AddHouseholds(this LoyaltyBuilder builder, Action<HouseholdOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<HouseholdOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (!services.Any(d => d.ServiceType == typeof(HouseholdsMarker)))
        {
            services.AddSingleton<HouseholdsMarker>();
            options.ValidateOnStart();
            services.AddSingleton<IValidateOptions<HouseholdOptions>>(new ListValidator<HouseholdOptions>(o => o.Validate()));
        }

        services.TryAddSingleton<IHouseholdStore, InMemoryHouseholdStore>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IMemberDataParticipant, HouseholdParticipant>());
        // Scoped like the LoyaltyProgram it redeems through (a singleton would capture a scoped service).
        services.TryAdd(ServiceDescriptor.Scoped(CreateHouseholds));
        return builder;
    }

    /// <summary>Re-registers the transfer and household services as scoped, when registered (the stores became scoped).</summary>
    /// <param name="services">The service collection.</param>
    internal static void MakeScoped(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(PointsTransferService)))
        {
            services.Replace(ServiceDescriptor.Scoped(CreateTransfers));
        }

        if (services.Any(d => d.ServiceType == typeof(HouseholdService)))
        {
            services.Replace(ServiceDescriptor.Scoped(CreateHouseholds));
        }
    }

    /// <summary>The household store when households are registered with pooled tier qualification, otherwise null (tiers qualify per member).</summary>
    /// <param name="services">The provider (root or scope).</param>
    /// <returns>The store, or null.</returns>
    internal static IHouseholdStore? PooledHouseholds(IServiceProvider services) =>
        services.GetService<HouseholdsMarker>() is not null && services.GetRequiredService<IOptions<HouseholdOptions>>().Value.PooledTierQualification
            ? services.GetRequiredService<IHouseholdStore>()
            : null;

    private static ServiceLifetime Lifetime(IServiceCollection services) =>
        services.Any(d => d.ServiceType == typeof(IMemberStore) && d.Lifetime == ServiceLifetime.Scoped) ? ServiceLifetime.Scoped : ServiceLifetime.Singleton;

    private static PointsTransferService CreateTransfers(IServiceProvider services) => new(
        services.GetRequiredService<IClock>(),
        services.GetRequiredService<ProgramSettings>(),
        services.GetRequiredService<PointsLedger>(),
        services.GetRequiredService<ILedgerStore>(),
        services.GetRequiredService<IMemberStore>(),
        services.GetRequiredService<IPointsTransferStore>(),
        services.GetRequiredService<IOptions<PointsTransferOptions>>().Value,
        services.GetService<ILoyaltyUnitOfWork>());

    private static HouseholdService CreateHouseholds(IServiceProvider services) => new(
        services.GetRequiredService<IClock>(),
        services.GetRequiredService<ProgramSettings>(),
        services.GetRequiredService<LoyaltyProgram>(),
        services.GetRequiredService<PointsLedger>(),
        services.GetRequiredService<ILedgerStore>(),
        services.GetRequiredService<IMemberStore>(),
        services.GetRequiredService<IRewardCatalogStore>(),
        services.GetRequiredService<IHouseholdStore>(),
        services.GetRequiredService<IOptions<HouseholdOptions>>().Value,
        services.GetService<ILoyaltyUnitOfWork>());

    /// <summary>Turns an options class's list of problems into an options validation result.</summary>
    private sealed class ListValidator<T>(Func<T, IReadOnlyList<string>> validate) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var errors = validate(options);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }

    private sealed class TransfersMarker;

    private sealed class HouseholdsMarker;
}
