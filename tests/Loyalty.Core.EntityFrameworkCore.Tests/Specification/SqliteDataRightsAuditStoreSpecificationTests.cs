using System.Collections.Concurrent;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Specification;
using Loyalty.Core.DataRights;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>EF Core on SQLite (a temporary file shared by the class; each test writes in its own programme).</summary>
public sealed class SqliteDataRightsAuditStoreSpecificationTests(SqliteDatabaseFixture fixture) : DataRightsAuditStoreSpecification, IClassFixture<SqliteDatabaseFixture>
{
    private readonly ConcurrentBag<ShopContext> contexts = [];

    protected override IDataRightsAuditStore CreateStore()
    {
        var context = fixture.Database.CreateContext();
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
