using Loyalty.Core.Specification;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>The reference store: the specification states its behaviour.</summary>
public sealed class InMemoryPointsTransferStoreSpecificationTests : PointsTransferStoreSpecification
{
    private readonly InMemoryPointsTransferStore store = new();

    protected override IPointsTransferStore CreateStore() => store;
}
