using Microsoft.Extensions.DependencyInjection;

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
}
