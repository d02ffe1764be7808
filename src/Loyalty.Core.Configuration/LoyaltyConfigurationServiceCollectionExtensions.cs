using Loyalty.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Loyalty.Core.DependencyInjection;

/// <summary>Registers a loyalty programme from one configuration section.</summary>
public static class LoyaltyConfigurationServiceCollectionExtensions
{
    /// <summary>
    /// Adds the loyalty programme with everything in one configuration section, usually
    /// <c>configuration.GetSection("Loyalty")</c>: the options, the tier ladder (<c>Tiers</c>), the earning rule set
    /// versions (<c>RuleSets</c>) and the rewards (<c>Rewards</c>), and the options of the features from their
    /// sub-sections: <c>Maintenance</c> (<c>LoyaltyMaintenanceOptions</c> of the hosting package), <c>Diagnostics</c>
    /// (<see cref="Diagnostics.LoyaltyDiagnosticsOptions"/>), <c>Transfers</c> (<see cref="Transfers.PointsTransferOptions"/>),
    /// <c>Households</c> (<see cref="Households.HouseholdOptions"/>) and <c>Cards</c> (<see cref="Cards.CardOptions"/>); a
    /// feature's code configuration (<c>AddHouseholds(o =&gt; …)</c>) registered after this call is applied after its
    /// sub-section. Values are read through <see cref="IConfiguration"/>,
    /// so environment variables (<c>Loyalty__Rewards__0__Cost=600</c>), user secrets and the command line override them
    /// like any other setting. Everything is validated at start-up (<c>ValidateOnStart</c>), every problem listed at once
    /// with its configuration path. Publish the rule sets and rewards into the stores once the database exists:
    /// <c>await host.Services.PublishLoyaltyProgrammeAsync();</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The configuration section.</param>
    /// <param name="configure">Optional code configuration, applied after the section.</param>
    /// <returns>A builder to choose stores and features.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="section"/> is null.</exception>
    public static LoyaltyBuilder AddLoyalty(this IServiceCollection services, IConfiguration section, Action<LoyaltyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        var builder = services.AddLoyalty();
        var options = services.AddOptions<LoyaltyOptions>().Configure(o => LoyaltySectionReader.Read(section, o));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // The features' sub-sections: read into each feature's options type, every value that cannot be read reported at start-up.
        if (!services.Any(d => d.ServiceType == typeof(FeatureSections)))
        {
            services.AddSingleton(new FeatureSections(section));
            services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IConfigureOptions<>), typeof(FeatureSectionConfigure<>)));
            services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IValidateOptions<>), typeof(FeatureSectionValidator<>)));
            services.AddOptions<Diagnostics.LoyaltyDiagnosticsOptions>().ValidateOnStart();
            services.AddOptions<Transfers.PointsTransferOptions>().ValidateOnStart();
            services.AddOptions<Households.HouseholdOptions>().ValidateOnStart();
            services.AddOptions<Cards.CardOptions>().ValidateOnStart();
        }

        return builder;
    }
}
