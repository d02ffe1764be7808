using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Loyalty.Core.Hosting;

/// <summary>Registers the programme's hosted maintenance.</summary>
public static class LoyaltyHostingServiceCollectionExtensions
{
    /// <summary>
    /// Runs the programme's maintenance (expiry, pending points, tiers, birthdays, completion of
    /// interrupted calls) once per local day in a background service, at
    /// <see cref="LoyaltyMaintenanceOptions.TimeOfDay"/> in the programme's time zone, in its own DI
    /// scope, under a <see cref="IMaintenanceLease"/> so two instances of the shop never run the
    /// same maintenance at once. Call it after <c>AddLoyalty(…)</c>. The lease defaults to
    /// <see cref="InMemoryMaintenanceLease"/> (one process); the EF Core stores register a lease row
    /// in the shop's database instead. Options are validated at start-up.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Optional code configuration, applied after any configuration binding.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <remarks>Calling it twice registers one service (both delegates apply). With
    /// <c>AddLoyalty(configuration.GetSection("Loyalty"))</c> (the configuration package) the options are read from
    /// <c>Loyalty:Maintenance</c>; otherwise bind them with
    /// <c>services.AddOptions&lt;LoyaltyMaintenanceOptions&gt;().BindConfiguration(LoyaltyMaintenanceOptions.SectionName)</c>.</remarks>
    public static IServiceCollection AddLoyaltyMaintenance(this IServiceCollection services, Action<LoyaltyMaintenanceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<LoyaltyMaintenanceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (!services.Any(d => d.ServiceType == typeof(LoyaltyMaintenanceStatus)))
        {
            options.ValidateOnStart();
            services.AddSingleton<LoyaltyMaintenanceStatus>();
            services.AddHostedService<LoyaltyMaintenanceService>();
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LoyaltyMaintenanceOptions>, LoyaltyMaintenanceOptionsValidator>());
        services.TryAddSingleton<IMaintenanceLease, InMemoryMaintenanceLease>();
        return services;
    }
}
