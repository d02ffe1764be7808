using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Ledger;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>Chooses the EF Core stores on a <see cref="LoyaltyBuilder"/>.</summary>
public static class LoyaltyEntityFrameworkCoreBuilderExtensions
{
    /// <summary>
    /// Stores the programme's data in <typeparamref name="TContext"/>, the shop's own context
    /// (registered by the host, e.g. with <c>AddDbContext</c>), whose <c>OnModelCreating</c> calls
    /// <see cref="LoyaltyModelBuilderExtensions.ApplyLoyaltyModel(ModelBuilder, string?, string)"/>.
    /// Replaces any store registered before (the in-memory default included).
    /// </summary>
    /// <typeparam name="TContext">The shop's context type.</typeparam>
    /// <param name="builder">The loyalty builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <remarks>The stores are scoped, like the context they share, and so is
    /// <see cref="PointsLedger"/>, which uses them: resolve it from a scope (e.g. one per request),
    /// where it works in the same context, and so the same transaction, as the shop's own code.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static LoyaltyBuilder UseEntityFrameworkCore<TContext>(this LoyaltyBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Scoped<ILedgerStore>(sp => new EntityFrameworkLedgerStore(sp.GetRequiredService<TContext>())));
        builder.Services.Replace(ServiceDescriptor.Scoped<PointsLedger, PointsLedger>());
        return builder;
    }
}
