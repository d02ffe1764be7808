namespace Loyalty.Core.Specification;

/// <summary>
/// Put on a concrete specification class to skip its <see cref="SpecificationFactAttribute"/>
/// tests when a condition is not met, e.g. a database server that is not available on this machine.
/// </summary>
/// <remarks>
/// Evaluated once per test at discovery. Derive from it and return a reason that tells the
/// reader how to enable the tests, or <see langword="null"/> to run them.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public abstract class SkipSpecificationAttribute : Attribute
{
    /// <summary>Why the tests are skipped, or <see langword="null"/> when they should run.</summary>
    public abstract string? SkipReason { get; }
}
