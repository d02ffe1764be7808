using System.Collections.Concurrent;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Specification;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>EF Core on SQLite (a temporary file shared by the class; each test writes in its own programme).</summary>
public sealed class SqliteCampaignBudgetStoreSpecificationTests(SqliteDatabaseFixture fixture) : CampaignBudgetStoreSpecification, IClassFixture<SqliteDatabaseFixture>
{
    private readonly ConcurrentBag<ShopContext> contexts = [];

    protected override ICampaignBudgetStore CreateStore()
    {
        var context = fixture.Database.CreateContext();
        contexts.Add(context);
        return new EntityFrameworkCampaignBudgetStore(context);
    }

    /// <summary>The interleaving lands after each EF Core command of the store's own context.</summary>
    protected override ICampaignBudgetStore CreateInterleavedStore(Func<Task> interleave)
    {
        var database = fixture.Database;
        var context = ShopContext.Create(b => b.UseSqlite(database.ConnectionString).AddInterceptors(new InterleavingInterceptor(interleave)), database.Loyalty);
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
