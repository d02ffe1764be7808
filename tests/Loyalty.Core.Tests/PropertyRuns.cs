namespace Loyalty.Core.Tests;

/// <summary>
/// How many cases each FsCheck property tries. A normal build runs every property at its full count. A
/// mutation run (<c>tools/mutation-test.sh</c> builds with <c>LoyaltyMutationRun=true</c>, which defines
/// <c>MUTATION_RUN</c>) runs each property a quarter as many times: a surviving mutant runs every test that
/// covers it, and the properties are most of that time. Fewer cases can only let more mutants survive, so
/// the score of a mutation run is a lower bound of what the full suite kills.
/// </summary>
internal static class PropertyRuns
{
#if MUTATION_RUN
    /// <summary>The divisor applied to every property's <c>MaxTest</c> in a mutation run.</summary>
    public const int Divisor = 4;
#else
    /// <summary>The divisor applied to every property's <c>MaxTest</c> outside mutation runs (none).</summary>
    public const int Divisor = 1;
#endif
}
