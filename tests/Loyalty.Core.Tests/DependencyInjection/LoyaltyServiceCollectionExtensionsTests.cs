using Loyalty.Core.Configuration;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Primitives;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.Tests.DependencyInjection;

public class LoyaltyServiceCollectionExtensionsTests
{
    [Fact]
    public void Defaults_resolve()
    {
        using var provider = new ServiceCollection().AddLoyalty().Services.BuildServiceProvider(validateScopes: true);

        provider.GetRequiredService<IClock>().Should().BeSameAs(SystemClock.Instance);
        var settings = provider.GetRequiredService<ProgramSettings>();
        settings.ProgramId.Should().Be(ProgramId.From("default"));
        settings.Currency.Should().Be(Currency.EUR);
        settings.TimeZone.Id.Should().Be("UTC");
        settings.ToString().Should().Be("Loyalty programme (default) EUR UTC");
    }

    [Fact]
    public void Configuration_delegate_is_applied()
    {
        using var provider = new ServiceCollection()
            .AddLoyalty(o =>
            {
                o.ProgramId = "club";
                o.DisplayName = "Club Privilège";
                o.Currency = "GBP";
                o.TimeZone = "Europe/Paris";
            })
            .Services.BuildServiceProvider();

        var settings = provider.GetRequiredService<ProgramSettings>();
        settings.ProgramId.Value.Should().Be("club");
        settings.DisplayName.Should().Be("Club Privilège");
        settings.Currency.Should().Be(Currency.GBP);
        settings.TimeZone.Should().Be(DateTimeZoneProviders.Tzdb["Europe/Paris"]);
    }

    [Fact]
    public void A_hosts_clock_wins_when_registered_before()
    {
        var fake = new FakeClock(Instant.FromUtc(2026, 3, 15, 10, 0));
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(fake);
        services.AddLoyalty();

        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IClock>().Should().BeSameAs(fake);
    }

    [Fact]
    public void A_hosts_clock_wins_when_registered_after()
    {
        var fake = new FakeClock(Instant.FromUtc(2026, 3, 15, 10, 0));
        var services = new ServiceCollection();
        services.AddLoyalty();
        services.AddSingleton<IClock>(fake);

        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IClock>().Should().BeSameAs(fake);
    }

    [Fact]
    public void Calling_AddLoyalty_twice_is_harmless()
    {
        var services = new ServiceCollection();
        services.AddLoyalty(o => o.ProgramId = "first");
        var countAfterOne = services.Count;
        services.AddLoyalty(o => o.Currency = "USD");

        services.Where(d => d.ServiceType == typeof(IClock)).Should().ContainSingle();
        services.Where(d => d.ServiceType == typeof(ProgramSettings)).Should().ContainSingle();
        services.Where(d => d.ServiceType == typeof(IValidateOptions<LoyaltyOptions>)).Should().ContainSingle();
        services.Count.Should().Be(countAfterOne + 1, "only the second configuration delegate is added");

        using var provider = services.BuildServiceProvider();
        var settings = provider.GetRequiredService<ProgramSettings>();
        settings.ProgramId.Value.Should().Be("first");
        settings.Currency.Should().Be(Currency.USD);
    }

    [Fact]
    public void Invalid_options_fail_on_first_use_with_every_problem()
    {
        using var provider = new ServiceCollection()
            .AddLoyalty(o =>
            {
                o.Currency = "EURO";
                o.TimeZone = "Nowhere/Land";
            })
            .Services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<ProgramSettings>();
        act.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().HaveCount(2)
            .And.Contain(f => f.StartsWith("Loyalty:Currency:", StringComparison.Ordinal))
            .And.Contain(f => f.StartsWith("Loyalty:TimeZone:", StringComparison.Ordinal));
    }

    [Fact]
    public void Null_services_is_rejected()
    {
        var act = () => LoyaltyServiceCollectionExtensions.AddLoyalty(null!);
        act.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("services");
    }
}
