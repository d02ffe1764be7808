using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Loyalty.Core.Specification;

/// <summary>
/// Discovers <see cref="SpecificationFactAttribute"/> tests: the standard fact test case when the
/// concrete class has no skip reason, a skipped test case carrying the reason otherwise.
/// </summary>
/// <remarks>
/// The standard xunit test-case types live in the execution assembly that every xunit 2 test
/// run loads; they are created by name so that this package depends on the extensibility
/// contracts only.
/// </remarks>
internal sealed class SpecificationFactDiscoverer : IXunitTestCaseDiscoverer
{
    private const string ExecutionAssembly = "xunit.execution.dotnet";

    private readonly IMessageSink diagnosticMessageSink;
    private readonly IXunitTestCaseDiscoverer factDiscoverer;

    public SpecificationFactDiscoverer(IMessageSink diagnosticMessageSink)
    {
        this.diagnosticMessageSink = diagnosticMessageSink;
        factDiscoverer = (IXunitTestCaseDiscoverer)Activator.CreateInstance(ExecutionType("Xunit.Sdk.FactDiscoverer"), diagnosticMessageSink)!;
    }

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var testClass = (testMethod.TestClass.Class as IReflectionTypeInfo)?.Type;
        var skipReason = testClass?.GetCustomAttribute<SkipSpecificationAttribute>(inherit: true)?.SkipReason;
        if (skipReason is null)
        {
            return factDiscoverer.Discover(discoveryOptions, testMethod, factAttribute);
        }

        var display = Enum.TryParse<TestMethodDisplay>(discoveryOptions.GetValue<string>("xunit.discovery.MethodDisplay"), out var d) ? d : TestMethodDisplay.ClassAndMethod;
        var displayOptions = Enum.TryParse<TestMethodDisplayOptions>(discoveryOptions.GetValue<string>("xunit.discovery.MethodDisplayOptions"), out var o) ? o : TestMethodDisplayOptions.None;
        var skipped = (IXunitTestCase)Activator.CreateInstance(
            ExecutionType("Xunit.Sdk.XunitSkippedDataRowTestCase"),
            diagnosticMessageSink, display, displayOptions, testMethod, skipReason, null)!;
        return [skipped];
    }

    private static Type ExecutionType(string name)
        => Type.GetType($"{name}, {ExecutionAssembly}", throwOnError: true)!;
}
