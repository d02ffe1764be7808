using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Microsoft.Extensions.Options;

namespace Loyalty.Core.Hosting;

/// <summary>Validates <see cref="LoyaltyMaintenanceOptions"/>, listing every bad value with its configuration path.</summary>
internal sealed class LoyaltyMaintenanceOptionsValidator : IValidateOptions<LoyaltyMaintenanceOptions>
{
    private const string Path = LoyaltyMaintenanceOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, LoyaltyMaintenanceOptions options)
    {
        var failures = GetFailures(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static List<string> GetFailures(LoyaltyMaintenanceOptions options)
    {
        var failures = new List<string>();
        if (MaintenanceSchedule.ParseTimeOfDay(options.TimeOfDay) is null)
        {
            failures.Add($"{Path}:TimeOfDay: '{options.TimeOfDay}' is not a time of day; use HH:mm or HH:mm:ss on a 24-hour clock, such as 03:00.");
        }

        if (options.PartitionCount < 1 || options.PartitionCount > MemberPartition.MaxCount)
        {
            failures.Add($"{Path}:PartitionCount must be between 1 and {MemberPartition.MaxCount} (was {options.PartitionCount}).");
        }
        else if (options.PartitionIndex < 0 || options.PartitionIndex >= options.PartitionCount)
        {
            failures.Add($"{Path}:PartitionIndex must be between 0 and PartitionCount - 1 = {options.PartitionCount - 1} (was {options.PartitionIndex}).");
        }

        if (options.PageSize < 1 || options.PageSize > MaintenanceScope.MaxPageSize)
        {
            failures.Add($"{Path}:PageSize must be between 1 and {MaintenanceScope.MaxPageSize} (was {options.PageSize}).");
        }

        if (options.ExpiryWarningDays < 1 || options.ExpiryWarningDays > 3660)
        {
            failures.Add($"{Path}:ExpiryWarningDays must be between 1 and 3660 (was {options.ExpiryWarningDays}).");
        }

        CheckRange(failures, "LeaseDuration", options.LeaseDuration, TimeSpan.FromSeconds(10), TimeSpan.FromDays(1));
        CheckRange(failures, "RetryDelay", options.RetryDelay, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        CheckRange(failures, "HealthyWithin", options.HealthyWithin, TimeSpan.FromMinutes(1), TimeSpan.FromDays(366));
        if (options.HolderName is { } holder && (holder.Length == 0 || holder.Length > MaintenanceLeaseState.MaxNameLength || string.IsNullOrWhiteSpace(holder)))
        {
            failures.Add($"{Path}:HolderName must be 1 to {MaintenanceLeaseState.MaxNameLength} characters and not blank, or null for the machine name and process id (was {holder.Length} characters).");
        }

        return failures;
    }

    private static void CheckRange(List<string> failures, string field, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{Path}:{field} must be between {min:c} and {max:c} (was {value:c}).");
        }
    }
}
