using Loyalty.Core.Storage;
using Loyalty.Core.Specification;
using Loyalty.Core.Storage.InMemory;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>The reference store: the specification states its behaviour.</summary>
public sealed class InMemoryErasedMemberStoreSpecificationTests : ErasedMemberStoreSpecification
{
    private readonly InMemoryErasedMemberStore store = new();

    protected override IErasedMemberStore CreateStore() => store;
}
