using Loyalty.Core.DataRights;
using Loyalty.Core.Specification;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>The reference store: the specification states its behaviour.</summary>
public sealed class InMemoryDataRightsAuditStoreSpecificationTests : DataRightsAuditStoreSpecification
{
    private readonly InMemoryDataRightsAuditStore store = new();

    protected override IDataRightsAuditStore CreateStore() => store;
}
