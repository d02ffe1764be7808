using Loyalty.Core.Coalition;
using Loyalty.Core.Specification;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>The reference store: the specification states its behaviour.</summary>
public sealed class InMemoryPartnerStoreSpecificationTests : PartnerStoreSpecification
{
    private readonly InMemoryPartnerStore store = new();

    protected override IPartnerStore CreateStore() => store;
}
