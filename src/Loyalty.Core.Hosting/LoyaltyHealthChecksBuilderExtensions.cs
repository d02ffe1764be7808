using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Loyalty.Core.Hosting;

/// <summary>Registers the programme's health check.</summary>
public static class LoyaltyHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="LoyaltyHealthCheck"/>: the stores answer, and the last successful maintenance
    /// is recent (<see cref="LoyaltyMaintenanceOptions.HealthyWithin"/>).
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The check's name. Default <c>loyalty</c>.</param>
    /// <param name="failureStatus">The status when the stores do not answer; null for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (e.g. <c>ready</c>), or null.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public static IHealthChecksBuilder AddLoyalty(this IHealthChecksBuilder builder, string name = "loyalty", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        builder.Services.AddOptions<LoyaltyMaintenanceOptions>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<LoyaltyMaintenanceOptions>, LoyaltyMaintenanceOptionsValidator>());
        builder.Services.TryAddSingleton<LoyaltyHealthCheckStart>();
        builder.Services.TryAddSingleton<IMaintenanceLease, InMemoryMaintenanceLease>();
        builder.Services.TryAddTransient<LoyaltyHealthCheck>();
        return builder.Add(new HealthCheckRegistration(name, sp => sp.GetRequiredService<LoyaltyHealthCheck>(), failureStatus, tags));
    }
}
