using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Loyalty.Core.Configuration.Tests;

public class LoyaltySectionReaderTests
{
    [Fact]
    public void Every_bad_field_is_reported_with_its_exact_configuration_path_all_at_once()
    {
        var configuration = ConfiguredProgrammes.Full(
        [
            new("Loyalty:DisplayName", " "),
            new("Loyalty:Ledger:MaxConcurrencyRetries", "many"),
            new("Loyalty:Ledger:PendingPeriode", "14.00:00:00"),
            new("Loyalty:Tiers:Policy:Window", "Weekly"),
            new("Loyalty:Tiers:Tiers:1:Thresholds:0:Value", "-5"),
            new("Loyalty:RuleSets:0:Rules:0:PointsPerUnit", "abc"),
            new("Loyalty:RuleSets:0:Rules:1:Multiplier", "0.5"),
            new("Loyalty:RuleSets:0:Rules:2:Kind", "bonus"),
            new("Loyalty:RuleSets:0:Rules:3:Points", "0"),
            new("Loyalty:RuleSets:0:Rules:4:Kind", ""),
            new("Loyalty:RuleSets:1:EffectiveFrom", "June"),
            new("Loyalty:RuleSets:1:Rules:2:Condition:Conditions:0:To", "2026-06-01"),
            new("Loyalty:RuleSets:1:Rules:3:Colour", "red"),
            new("Loyalty:Rewards:0:Cost", "0"),
            new("Loyalty:Rewards:1:Kind", "Cashback"),
            new("Loyalty:Rewards:2:RequiredTier", "platinum"),
            new("Loyalty:Rewards:3:Percentage", "5"),
        ]);

        var failures = Failures(configuration);

        // Values that cannot be read come first (in the order of their keys), then the rules they break; a value that
        // could not be read is not reported a second time with the default it was left at.
        failures.Should().Equal(
            "Loyalty:Ledger:MaxConcurrencyRetries: 'many' is not a whole number (at most 2147483647); write it in digits, e.g. 500.",
            "Loyalty:Ledger:PendingPeriode is not a setting of a ledger section; the settings are Expiry, ExpiryBatchSize, HoldLifetime, MaxConcurrencyRetries, PendingPeriod, ShortfallPolicy.",
            "Loyalty:Rewards:1:Kind: 'Cashback' is not one of AmountOffVoucher, PercentageDiscount, FreeShipping, GiftProduct, PayWithPoints.",
            "Loyalty:RuleSets:0:Rules:0:PointsPerUnit: 'abc' is not a number; write it with a dot for decimals, e.g. 1.5.",
            "Loyalty:RuleSets:0:Rules:2:Kind: 'bonus' is not a kind of an earning rule; use one of spend, multiplier, fixedBonus, thresholdBonus, orderCountBonus, tierMultiplier, activity.",
            "Loyalty:RuleSets:0:Rules:4:Kind is required: the kind of an earning rule; use one of spend, multiplier, fixedBonus, thresholdBonus, orderCountBonus, tierMultiplier, activity.",
            "Loyalty:RuleSets:1:EffectiveFrom: 'June' is not an ISO 8601 UTC instant such as 2026-03-01T00:00:00Z.",
            "Loyalty:RuleSets:1:Rules:3:Colour is not a setting of a fixed bonus rule; the settings are Caps, Condition, Description, Exclusive, Group, Id, Lines, Name, Per, Points, Priority, Rounding.",
            "Loyalty:Tiers:Policy:Window: 'Weekly' is not one of CalendarYear, RollingMonths, AnniversaryYear, Lifetime.",
            "Loyalty:DisplayName: must not be empty; give the name members see, e.g. \"Club Privilège\".",
            "Loyalty:Tiers:Policy:WindowMonths applies to a rollingMonths window only; leave it out for calendarYear.",
            "Loyalty:Tiers:Tiers:1:Thresholds:0:Value must be greater than 0 (was -5).",
            "Loyalty:RuleSets:0:Rules:1:Multiplier must be greater than 1 (was 0.5); to earn less on some lines use excludedLines on the spend rule.",
            "Loyalty:RuleSets:0:Rules:3:Points must be greater than 0 (was 0).",
            "Loyalty:RuleSets:1:Rules:2:Condition:Conditions:0:To must be on or after from (2026-06-21) (was 2026-06-01).",
            "Loyalty:Rewards:0:Cost must be greater than 0 (was 0): the points one redemption costs.",
            "Loyalty:Rewards:2:RequiredTier 'platinum' is not a tier of Loyalty:Tiers; use one of bronze, silver, gold.",
            "Loyalty:Rewards:3:Percentage applies to a PercentageDiscount reward only; remove it from this GiftProduct reward.");
    }

    [Fact]
    public void A_rule_or_condition_kind_is_matched_whatever_its_case()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Loyalty:RuleSets:0:Version"] = "v1",
            ["Loyalty:RuleSets:0:EffectiveFrom"] = "2026-01-01T00:00:00Z",
            ["Loyalty:RuleSets:0:Rules:0:kind"] = "SPEND",
            ["Loyalty:RuleSets:0:Rules:0:id"] = "base",
            ["Loyalty:RuleSets:0:Rules:0:pointsPerUnit"] = "1",
            ["Loyalty:RuleSets:0:Rules:0:condition:type"] = "channel",
            ["Loyalty:RuleSets:0:Rules:0:condition:channels:0"] = "web",
        }).Build();
        var options = new LoyaltyOptions();

        LoyaltySectionReader.Read(configuration.GetSection("Loyalty"), options);

        options.BindingFailures.Should().BeEmpty();
        options.RuleSets.Should().ContainSingle().Which.Rules.Should().ContainSingle().Which.Should().BeEquivalentTo(
            new SpendRule { Id = Primitives.RuleId.From("base"), PointsPerUnit = 1m, Condition = new ChannelCondition { Channels = ["web"] } },
            o => o.RespectingRuntimeTypes());
    }

    [Fact]
    public void A_list_written_as_a_single_value_and_a_setting_written_as_a_section_are_reported()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Loyalty:Currency:Code"] = "EUR",
            ["Loyalty:Rewards"] = "voucher-5",
            ["Loyalty:RuleSets:first:Version"] = "v1",
        }).Build();
        var options = new LoyaltyOptions();

        LoyaltySectionReader.Read(configuration.GetSection("Loyalty"), options);

        options.BindingFailures.Select(f => f.ToString()).Should().Equal(
            "Loyalty:Currency must be a single value, not a section (a text value).",
            "Loyalty:Rewards must be a section with settings (a list: items numbered 0, 1, 2…), not the value 'voucher-5'.",
            "Loyalty:RuleSets:first is not an item of the list Loyalty:RuleSets; number the items 0, 1, 2… (in JSON, write an array).");
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        var noSection = () => LoyaltySectionReader.Read(null!, new LoyaltyOptions());
        var noOptions = () => LoyaltySectionReader.Read(new ConfigurationBuilder().Build(), null!);

        noSection.Should().Throw<ArgumentNullException>().WithParameterName("section");
        noOptions.Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    private static IReadOnlyList<string> Failures(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddLoyalty(configuration.GetSection("Loyalty"));
        using var provider = services.BuildServiceProvider();
        var resolve = () => provider.GetRequiredService<IOptions<LoyaltyOptions>>().Value;
        return resolve.Should().Throw<OptionsValidationException>().Which.Failures.ToList();
    }
}
