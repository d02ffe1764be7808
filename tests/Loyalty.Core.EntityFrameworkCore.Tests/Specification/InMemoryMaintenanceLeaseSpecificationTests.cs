using Loyalty.Core.Storage;
using Loyalty.Core.Specification;
using Loyalty.Core.Storage.InMemory;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>The reference store: the specification states its behaviour.</summary>
public sealed class InMemoryMaintenanceLeaseSpecificationTests : MaintenanceLeaseSpecification
{
    private readonly InMemoryMaintenanceLease store = new();

    protected override IMaintenanceLease CreateStore() => store;
}
