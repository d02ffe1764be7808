using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
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
        return this;
    }
}
