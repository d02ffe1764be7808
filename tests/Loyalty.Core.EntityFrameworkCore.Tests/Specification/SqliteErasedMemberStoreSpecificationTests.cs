using System.Collections.Concurrent;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Specification;
using Loyalty.Core.Storage;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>EF Core on SQLite (a temporary file shared by the class; each test writes in its own programme).</summary>
public sealed class SqliteErasedMemberStoreSpecificationTests(SqliteDatabaseFixture fixture) : ErasedMemberStoreSpecification, IClassFixture<SqliteDatabaseFixture>
{
    private readonly ConcurrentBag<ShopContext> contexts = [];

    protected override IErasedMemberStore CreateStore()
    {
        var context = fixture.Database.CreateContext();
        contexts.Add(context);
        return new EntityFrameworkErasedMemberStore(context);
    }

    public override async Task DisposeAsync()
    {
        foreach (var context in contexts)
        {
            await context.DisposeAsync();
        }
    }
}
