using Xunit;
using Xunit.Sdk;

namespace Loyalty.Core.Specification;

/// <summary>
/// Marks a specification test. It runs like <see cref="FactAttribute"/>, except that it is
/// reported as skipped when the concrete test class carries a <see cref="SkipSpecificationAttribute"/>
/// that gives a reason (for example "no PostgreSQL server available").
/// </summary>
/// <remarks>
/// xunit 2 has no run-time skip, and an inherited <c>[Fact]</c> cannot be skipped for one
/// subclass only; this attribute decides at discovery, per concrete class.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
[XunitTestCaseDiscoverer("Loyalty.Core.Specification." + nameof(SpecificationFactDiscoverer), "Loyalty.Core.Specification")]
public sealed class SpecificationFactAttribute : FactAttribute
{
}
