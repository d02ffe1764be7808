using Loyalty.Core.Cards;
using Loyalty.Core.Specification;
using Loyalty.Core.Storage.InMemory;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>The reference store: the specification states its behaviour.</summary>
public sealed class InMemoryCardStoreSpecificationTests : CardStoreSpecification
{
    private readonly InMemoryCardStore store = new();

    protected override ICardStore CreateStore() => store;
}
