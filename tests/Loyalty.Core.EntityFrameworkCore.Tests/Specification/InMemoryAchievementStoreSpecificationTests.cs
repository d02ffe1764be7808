using Loyalty.Core.Achievements;
using Loyalty.Core.Specification;
using Loyalty.Core.Storage.InMemory;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>The reference store: the specification states its behaviour.</summary>
public sealed class InMemoryAchievementStoreSpecificationTests : AchievementStoreSpecification
{
    private readonly InMemoryAchievementStore store = new();

    protected override IAchievementStore CreateStore() => store;
}
