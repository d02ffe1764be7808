using Loyalty.Core.Coalition;
using Loyalty.Core.Specification;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>The reference store: the specification states its behaviour.</summary>
public sealed class InMemorySettlementStoreSpecificationTests : SettlementStoreSpecification
{
    private readonly InMemorySettlementStore store = new();

    protected override ISettlementStore CreateStore() => store;
}
