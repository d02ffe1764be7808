using Loyalty.Core.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Loyalty.Core.Hosting.Tests;

public sealed class LoyaltyMaintenanceOptionsValidatorTests
{
    [Fact]
    public void The_defaults_are_valid()
        => LoyaltyMaintenanceOptionsValidator.GetFailures(new LoyaltyMaintenanceOptions()).Should().BeEmpty();

    [Fact]
    public void Every_bad_value_is_reported_at_once_with_its_configuration_path()
    {
        var options = new LoyaltyMaintenanceOptions
        {
            TimeOfDay = "25:00",
            PartitionIndex = 4,
            PartitionCount = 4,
            PageSize = 0,
            ExpiryWarningDays = 0,
            LeaseDuration = TimeSpan.FromSeconds(1),
            RetryDelay = TimeSpan.Zero,
            HealthyWithin = TimeSpan.FromSeconds(5),
            HolderName = " ",
        };

        LoyaltyMaintenanceOptionsValidator.GetFailures(options).Should().Equal(
            "Loyalty:Maintenance:TimeOfDay: '25:00' is not a time of day; use HH:mm or HH:mm:ss on a 24-hour clock, such as 03:00.",
            "Loyalty:Maintenance:PartitionIndex must be between 0 and PartitionCount - 1 = 3 (was 4).",
            "Loyalty:Maintenance:PageSize must be between 1 and 10000 (was 0).",
            "Loyalty:Maintenance:ExpiryWarningDays must be between 1 and 3660 (was 0).",
            "Loyalty:Maintenance:LeaseDuration must be between 00:00:10 and 1.00:00:00 (was 00:00:01).",
            "Loyalty:Maintenance:RetryDelay must be between 00:00:01 and 1.00:00:00 (was 00:00:00).",
            "Loyalty:Maintenance:HealthyWithin must be between 00:01:00 and 366.00:00:00 (was 00:00:05).",
            "Loyalty:Maintenance:HolderName must be 1 to 200 characters and not blank, or null for the machine name and process id (was 1 characters).");
    }

    [Fact]
    public void A_partition_count_out_of_range_is_reported_without_a_second_message_about_the_index()
        => LoyaltyMaintenanceOptionsValidator.GetFailures(new LoyaltyMaintenanceOptions { PartitionCount = 0 }).Should().Equal(
            "Loyalty:Maintenance:PartitionCount must be between 1 and 65536 (was 0).");

    [Fact]
    public void Bad_options_fail_when_the_options_are_read_with_every_message()
    {
        var services = new ServiceCollection();
        services.AddLoyalty();
        services.AddLoyaltyMaintenance(o =>
        {
            o.TimeOfDay = "3am";
            o.PageSize = -1;
        });
        using var provider = services.BuildServiceProvider();

        var read = () => provider.GetRequiredService<IOptions<LoyaltyMaintenanceOptions>>().Value;

        read.Should().Throw<OptionsValidationException>().Which.Failures.Should().Equal(
            "Loyalty:Maintenance:TimeOfDay: '3am' is not a time of day; use HH:mm or HH:mm:ss on a 24-hour clock, such as 03:00.",
            "Loyalty:Maintenance:PageSize must be between 1 and 10000 (was -1).");
    }
}
