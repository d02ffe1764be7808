using System.Collections.Concurrent;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Specification;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>EF Core on PostgreSQL (schema <c>shop_loyalty</c>, no table prefix), on the throwaway cluster.</summary>
[RequiresPostgres]
[Collection(PostgresCollection.Name)]
public sealed class PostgresCampaignBudgetStoreSpecificationTests(PostgresServerFixture fixture) : CampaignBudgetStoreSpecification
{
    private readonly ConcurrentBag<ShopContext> contexts = [];

    protected override int ConcurrentWriters => 16;

    protected override ICampaignBudgetStore CreateStore()
    {
        var context = fixture.Database("spec", LoyaltyModelOptions.Create("shop_loyalty", "")).CreateContext();
        contexts.Add(context);
        return new EntityFrameworkCampaignBudgetStore(context);
    }

    /// <summary>The interleaving lands after each EF Core command of the store's own context.</summary>
    protected override ICampaignBudgetStore CreateInterleavedStore(Func<Task> interleave)
    {
        var database = fixture.Database("spec", LoyaltyModelOptions.Create("shop_loyalty", ""));
        var context = ShopContext.Create(b => b.UseNpgsql(database.ConnectionString).AddInterceptors(new InterleavingInterceptor(interleave)), database.Loyalty);
        contexts.Add(context);
        return new EntityFrameworkCampaignBudgetStore(context);
    }

    public override async Task DisposeAsync()
    {
        foreach (var context in contexts)
        {
            await context.DisposeAsync();
        }
    }
}
