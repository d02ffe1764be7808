using FluentAssertions;
using FluentAssertions.Equivalency;

namespace Loyalty.Core.Tests.Storage;

/// <summary>
/// Structural comparison of records read back from a store: a rule's per-line allocation
/// (<see cref="ReadOnlyMemory{T}"/>, which equals another only over the same array) is compared by its values.
/// </summary>
internal static class RecordEquivalence
{
    /// <summary>Compares allocations by their values.</summary>
    public static EquivalencyAssertionOptions<T> ByContent<T>(EquivalencyAssertionOptions<T> options) =>
        options.Using<ReadOnlyMemory<long>>(c => c.Subject.ToArray().Should().Equal(c.Expectation.ToArray())).WhenTypeIs<ReadOnlyMemory<long>>();
}
