using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Loyalty.Core.Tests.DependencyInjection;

public class ProgramRegistrationTests
{
    [Fact]
    public void The_programme_and_its_in_memory_stores_resolve_with_no_set_up()
    {
        using var provider = new ServiceCollection().AddLoyalty().Services.BuildServiceProvider(validateScopes: true);

        using var scope = provider.CreateScope();
        var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
        program.Should().BeSameAs(scope.ServiceProvider.GetRequiredService<LoyaltyProgram>());
        program.Tiers.EntryTier.Id.Should().Be(TierId.From("member"));
        provider.GetRequiredService<IMemberStore>().Should().BeOfType<InMemoryMemberStore>();
        provider.GetRequiredService<IRuleSetStore>().Should().BeOfType<InMemoryRuleSetStore>();
        provider.GetRequiredService<IRewardCatalogStore>().Should().BeOfType<InMemoryRewardCatalogStore>();
        provider.GetRequiredService<ICampaignBudgetStore>().Should().BeOfType<InMemoryCampaignBudgetStore>();
        provider.GetRequiredService<IRewardCodeGenerator>().Should().BeOfType<RandomRewardCodeGenerator>();
        provider.GetRequiredService<IReferralCodeGenerator>().Should().BeOfType<RandomReferralCodeGenerator>();
    }

    [Fact]
    public void A_hosts_own_generator_and_ladder_win()
    {
        var ladder = TierLadder.Create([TierDefinition.Entry(TierId.From("classic"), "Classic")]);
        var services = new ServiceCollection();
        services.AddSingleton<IRewardCodeGenerator, FixedCodes>();
        services.AddLoyalty().UseTiers(ladder);

        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IRewardCodeGenerator>().Should().BeOfType<FixedCodes>();
        using var scope = provider.CreateScope();
        scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().Tiers.Should().BeSameAs(ladder);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_programme_is_scoped_and_resolving_it_from_the_root_provider_fails_with_the_way_to_fix_it(bool validateScopes)
    {
        // Whether or not the container validates scopes (Development or Production), the answer is the same.
        using var provider = new ServiceCollection().AddLoyalty().Services.BuildServiceProvider(validateScopes);

        var resolve = () => provider.GetRequiredService<LoyaltyProgram>();

        resolve.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain(validateScopes
            ? "Cannot resolve scoped service 'Loyalty.Core.Programs.LoyaltyProgram' from root provider."
            : "LoyaltyProgram is a scoped service and was resolved from the root service provider. It works inside one unit of work of the stores (with EF Core, one DbContext), so create a scope per request, message or job and resolve it there: using var scope = provider.CreateScope(); var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();");
        using var first = provider.CreateScope();
        using var second = provider.CreateScope();
        first.ServiceProvider.GetRequiredService<LoyaltyProgram>().Should().NotBeSameAs(second.ServiceProvider.GetRequiredService<LoyaltyProgram>());
    }

    [Fact]
    public void UseInMemoryStores_replaces_stores_registered_before()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IMemberStore>(new InMemoryMemberStore());
        services.AddSingleton<ICampaignBudgetStore>(new InMemoryCampaignBudgetStore());
        services.AddLoyalty().UseInMemoryStores();

        services.Where(d => d.ServiceType == typeof(IMemberStore)).Should().ContainSingle().Which.ImplementationType.Should().Be(typeof(InMemoryMemberStore));
        services.Where(d => d.ServiceType == typeof(ICampaignBudgetStore)).Should().ContainSingle().Which.ImplementationType.Should().Be(typeof(InMemoryCampaignBudgetStore));
        services.Where(d => d.ServiceType == typeof(ILoyaltyUnitOfWork)).Should().ContainSingle().Which.ImplementationType.Should().Be(typeof(InMemoryUnitOfWork));
    }

    [Fact]
    public void Referral_options_are_validated_with_their_paths()
    {
        var options = new LoyaltyOptions { Referral = new ReferralPolicy { RefereePoints = -1, MinimumOrderAmount = -0.5m } };
        LoyaltyOptionsValidator.GetFailures(options).Should().Equal(
            "Loyalty:Referral:RefereePoints: must be 0 or more (was -1).",
            "Loyalty:Referral:MinimumOrderAmount: must be 0 or more (was -0.5).");
        LoyaltyOptionsValidator.GetFailures(new LoyaltyOptions { Referral = null! }).Should().Equal("Loyalty:Referral: must not be null; remove the assignment to keep the defaults.");
    }

    [Fact]
    public async Task The_rule_set_store_keeps_every_version_once()
    {
        var store = new InMemoryRuleSetStore();
        var club = ProgramId.From("club");
        var v1 = new EarningRuleSetBuilder("v1", Instant.FromUtc(2026, 1, 1, 0, 0), Currency.EUR, "UTC").EarnPerUnit("base", 1m).Build();
        var v1Other = new EarningRuleSetBuilder("v1", Instant.FromUtc(2026, 2, 1, 0, 0), Currency.EUR, "UTC").EarnPerUnit("base", 2m).Build();
        var v2 = new EarningRuleSetBuilder("v2", Instant.FromUtc(2026, 3, 1, 0, 0), Currency.EUR, "UTC").EarnPerUnit("base", 2m).Build();

        (await store.AddAsync(club, v1)).Should().BeTrue();
        (await store.AddAsync(club, v1)).Should().BeFalse();
        (await store.AddAsync(club, v2)).Should().BeTrue();
        var clash = async () => await store.AddAsync(club, v1Other);
        (await clash.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("Version \"v1\" is already in the history; give the new rule set another version. (Parameter 'ruleSet')");
        (await store.GetHistoryAsync(club)).InForceAt(Instant.FromUtc(2026, 2, 15, 0, 0)).Should().BeSameAs(v1);
        (await store.GetHistoryAsync(ProgramId.From("other"))).Versions.Should().BeEmpty();
    }

    private sealed class FixedCodes : IRewardCodeGenerator
    {
        public string Generate(RewardDefinition reward, MemberId member, RedemptionId redemption) => "SHOP-" + redemption.Value;
    }
}
