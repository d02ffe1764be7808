using System.Collections.Concurrent;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Specification;
using Loyalty.Core.DataRights;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>EF Core on PostgreSQL (schema <c>shop_loyalty</c>, no table prefix), on the throwaway cluster.</summary>
[RequiresPostgres]
[Collection(PostgresCollection.Name)]
public sealed class PostgresDataRightsAuditStoreSpecificationTests(PostgresServerFixture fixture) : DataRightsAuditStoreSpecification
{
    private readonly ConcurrentBag<ShopContext> contexts = [];

    protected override int ConcurrentWriters => 16;

    protected override IDataRightsAuditStore CreateStore()
    {
        var context = fixture.Database("spec", LoyaltyModelOptions.Create("shop_loyalty", "")).CreateContext();
        contexts.Add(context);
        return new EntityFrameworkDataRightsAuditStore(context);
    }

    public override async Task DisposeAsync()
    {
        foreach (var context in contexts)
        {
            await context.DisposeAsync();
        }
    }
}
