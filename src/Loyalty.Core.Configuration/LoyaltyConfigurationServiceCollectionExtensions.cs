using Loyalty.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.Core.DependencyInjection;

/// <summary>Registers a loyalty programme from one configuration section.</summary>
public static class LoyaltyConfigurationServiceCollectionExtensions
{
    /// <summary>
    /// Adds the loyalty programme with everything in one configuration section, usually
    /// <c>configuration.GetSection("Loyalty")</c>: the options, the tier ladder (<c>Tiers</c>), the earning rule set
    /// versions (<c>RuleSets</c>) and the rewards (<c>Rewards</c>). Values are read through <see cref="IConfiguration"/>,
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

        return builder;
    }
}
