using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Loyalty.Core.Configuration;

/// <summary>
/// The <c>Loyalty</c> section a programme was registered from, and what could not be read from each feature's
/// sub-section (<c>Maintenance</c>, <c>Diagnostics</c>, <c>Transfers</c>, <c>Households</c>, <c>Cards</c>), kept
/// with the options instance it was read into until that instance is validated.
/// </summary>
internal sealed class FeatureSections(IConfiguration section)
{
    public IConfiguration Section { get; } = section;

    public ConditionalWeakTable<object, List<ProgramBindingFailure>> Failures { get; } = [];
}

/// <summary>
/// Reads a feature's options from its sub-section of the <c>Loyalty</c> section (registered for every options type
/// and doing nothing for types that are not a feature's). Registered before the feature's own code configuration
/// (<c>AddHouseholds(o =&gt; …)</c>), which is applied after it.
/// </summary>
/// <typeparam name="T">The options type.</typeparam>
internal sealed class FeatureSectionConfigure<T>(FeatureSections sections) : IConfigureOptions<T>
    where T : class
{
    private static readonly string? Key = LoyaltySectionReader.FeatureKeyOf(typeof(T));

    public void Configure(T options)
    {
        if (Key is null)
        {
            return;
        }

        var failures = new List<ProgramBindingFailure>();
        LoyaltySectionReader.ReadFeature(sections.Section.GetSection(Key), options, failures);
        sections.Failures.AddOrUpdate(options, failures);
    }
}

/// <summary>Reports, at validation (start-up with <c>ValidateOnStart</c>), every value of a feature's sub-section that could not be read, with its configuration path.</summary>
/// <typeparam name="T">The options type.</typeparam>
internal sealed class FeatureSectionValidator<T>(FeatureSections sections) : IValidateOptions<T>
    where T : class
{
    private static readonly bool IsFeature = LoyaltySectionReader.FeatureKeyOf(typeof(T)) is not null;

    public ValidateOptionsResult Validate(string? name, T options) =>
        IsFeature && sections.Failures.TryGetValue(options, out var failures) && failures.Count > 0
            ? ValidateOptionsResult.Fail(failures.Select(f => f.ToString()))
            : ValidateOptionsResult.Skip;
}
