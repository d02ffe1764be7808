using Loyalty.Core.Engagement;
using Loyalty.Core.Specification;
using Loyalty.Core.Storage.InMemory;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>The reference store: the specification states its behaviour.</summary>
public sealed class InMemoryContactHistoryStoreSpecificationTests : ContactHistoryStoreSpecification
{
    private readonly InMemoryContactHistoryStore store = new();

    protected override IContactHistoryStore CreateStore() => store;
}
