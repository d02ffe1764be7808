using Loyalty.Core.Configuration;
using Loyalty.Core.DependencyInjection;

namespace Loyalty.Core.Tests.DependencyInjection;

public class LoyaltyOptionsValidatorTests
{
    private static readonly LoyaltyOptionsValidator Validator = new();

    [Fact]
    public void Defaults_are_valid()
    {
        Validator.Validate(null, new LoyaltyOptions()).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Empty_program_id_is_reported_with_its_path()
    {
        var result = Validator.Validate(null, new LoyaltyOptions { ProgramId = " " });
        result.Failures.Should().Equal(
            "Loyalty:ProgramId: ProgramId must not be empty or whitespace; give the shop's own identifier, e.g. \"42\" or a GUID.");
    }

    [Fact]
    public void Over_long_program_id_is_reported()
    {
        var result = Validator.Validate(null, new LoyaltyOptions { ProgramId = new string('p', 200) });
        result.Failures.Should().Equal("Loyalty:ProgramId: ProgramId must be at most 128 characters (was 200).");
    }

    [Fact]
    public void Empty_display_name_is_reported()
    {
        var result = Validator.Validate(null, new LoyaltyOptions { DisplayName = "" });
        result.Failures.Should().Equal(
            "Loyalty:DisplayName: must not be empty; give the name members see, e.g. \"Club Privilège\".");
    }

    [Fact]
    public void Unknown_currency_is_reported()
    {
        var result = Validator.Validate(null, new LoyaltyOptions { Currency = "EURO" });
        result.Failures.Should().Equal(
            "Loyalty:Currency: 'EURO' is not an ISO 4217 currency code; use a three-letter upper-case code such as EUR, USD or GBP.");
    }

    [Fact]
    public void Unknown_time_zone_is_reported()
    {
        var result = Validator.Validate(null, new LoyaltyOptions { TimeZone = "Europe/Pariss" });
        result.Failures.Should().ContainSingle().Which.Should().StartWith(
            "Loyalty:TimeZone: 'Europe/Pariss' is not an IANA time zone known to the TZDB ")
            .And.EndWith("; use an id such as Europe/Paris or UTC.");
    }

    [Fact]
    public void Several_bad_fields_are_all_reported()
    {
        var result = Validator.Validate(null, new LoyaltyOptions { ProgramId = "", Currency = "eur", TimeZone = "Mars/Olympus" });
        result.Failed.Should().BeTrue();
        result.Failures.Should().HaveCount(3);
        result.Failures!.Select(f => f[..f.IndexOf(':', "Loyalty:".Length)])
            .Should().Equal("Loyalty:ProgramId", "Loyalty:Currency", "Loyalty:TimeZone");
    }

    [Fact]
    public void ProgramSettings_from_invalid_options_lists_every_problem()
    {
        var act = () => new LoyaltyOptions { Currency = "XXX1", TimeZone = "" }.ToProgramSettings();
        act.Should().Throw<ArgumentException>()
            .WithMessage("Invalid loyalty options: Loyalty:Currency: 'XXX1' is not an ISO 4217 currency code;*Loyalty:TimeZone: '' is not an IANA time zone*(Parameter 'options')");
    }
}
