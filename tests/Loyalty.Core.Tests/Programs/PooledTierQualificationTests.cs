using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Households;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.DependencyInjection;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

/// <summary>
/// With pooled tier qualification the tier the programme holds for a household member counts the
/// household: Alice (250 €) and Bob (300 € after joining, 100 € before) are Bronze alone and Silver
/// (500 points) together — in the summary, the earning multiplier, reward access, the stored status and
/// maintenance; leaving drops it at once. Without the option nothing changes.
/// </summary>
public sealed class PooledTierQualificationTests
{
    private static readonly HouseholdId Martin = HouseholdId.From("martin");
    private static readonly TierId Bronze = TierId.From("bronze");
    private static readonly TierId Silver = TierId.From("silver");
    private static readonly RewardDefinition SilverMug = RewardDefinition.GiftProduct(RewardId.From("silver-mug"), "Silver mug", Points.FromInt64(100), "MUG-SILVER").WithRequiredTier(TierId.From("silver"));

    [Fact]
    public async Task Two_members_below_the_threshold_alone_reach_it_pooled_everywhere_the_programme_uses_the_tier()
    {
        using var h = await CoupleAsync(pooled: true);

        (await SummaryTierAsync(h, Alice)).Should().Be((Silver, 550L), "Alice's 250 points and Bob's 300 earned after he joined (not his 100 before) reach Silver's 500");
        (await SummaryTierAsync(h, Bob)).Should().Be((Silver, 650L), "Bob's own 400 points and Alice's 250 earned after he joined");
        (await StoredTierAsync(h, Alice)).Should().Be(Silver, "Alice's order was the last write: her stored status counts the household");
        (await StoredTierAsync(h, Bob)).Should().Be(Bronze, "Bob's status was stored with his own order (400 pooled points then); it follows at his next write or at maintenance");

        var earned = await h.OrderAsync("A-2", Alice, 100m);
        earned.TierAtOrder.Should().Be(Silver);
        earned.Points.Should().Be(P(125), "Silver's 1.25 multiplier applies to Alice's 100 € order");

        var mug = await h.Program.RedeemRewardAsync(Alice, SilverMug.Id, RedemptionId.From("mug-1"));
        mug.Succeeded.Should().BeTrue("the pooled Silver tier opens Silver rewards");
        mug.Value!.PointsSpent.Should().Be(P(100));
    }

    [Fact]
    public async Task Maintenance_agrees_with_the_order_path()
    {
        using var h = await CoupleAsync(pooled: true);

        var report = await h.Program.RunMaintenanceAsync(h.Now);

        report.TierChanges.Should().Equal(new MemberTierChange(Bob, Bronze, Silver, TierChangeReason.Upgraded));
        (await StoredTierAsync(h, Alice)).Should().Be(Silver);
        (await StoredTierAsync(h, Bob)).Should().Be(Silver);
        (await SummaryTierAsync(h, Bob)).Should().Be((Silver, 650L));
        (await h.Program.RunMaintenanceAsync(h.Now)).TierChanges.Should().BeEmpty("maintenance evaluates exactly what the order path stored");

        var stored = (await h.Members.GetMemberAsync(h.Program.Settings.ProgramId, Alice))!.TierStatus!;
        var evaluated = (await h.ScopedServices.GetRequiredService<HouseholdService>().EvaluatePooledTierAsync(Alice, h.Now)).GetValueOrThrow();
        stored.Tier.Should().Be(evaluated.Tier.Id);
        stored.ValidUntil.Should().Be(evaluated.Status.ValidUntil);
    }

    [Fact]
    public async Task Leaving_drops_the_pooled_tier_at_the_next_evaluation()
    {
        using var h = await CoupleAsync(pooled: true);
        var households = h.ScopedServices.GetRequiredService<HouseholdService>();

        (await households.LeaveHouseholdAsync(Martin, Bob)).Succeeded.Should().BeTrue();

        (await SummaryTierAsync(h, Alice)).Should().Be((Bronze, 250L), "Bob took his 300 points with him");
        (await SummaryTierAsync(h, Bob)).Should().Be((Bronze, 400L), "Bob is back to his own 100 + 300");
        (await StoredTierAsync(h, Alice)).Should().Be(Bronze, "leaving re-evaluates and stores the tiers of the members affected at once");
        (await StoredTierAsync(h, Bob)).Should().Be(Bronze);
        (await h.OrderAsync("A-2", Alice, 100m)).Points.Should().Be(P(100), "no multiplier any more");
        (await h.Program.RedeemRewardAsync(Alice, SilverMug.Id, RedemptionId.From("mug-1"))).Error.Should().Be(new LoyaltyError(
            LoyaltyErrorCode.RewardRequiresHigherTier, "Reward 'silver-mug' is for tier 'silver' and above; member 'alice' is 'bronze'."));
        (await h.Program.RunMaintenanceAsync(h.Now)).TierChanges.Should().BeEmpty();
    }

    [Fact]
    public async Task Joining_counts_nothing_from_before_and_brings_every_members_stored_tier_up_to_date()
    {
        using var h = await CoupleAsync(pooled: true);
        var carol = MemberId.From("carol");
        await h.EnrolAsync(carol);
        await h.OrderAsync("C-1", carol, 450m);
        h.AdvanceDays(1);
        (await StoredTierAsync(h, Bob)).Should().Be(Bronze);

        (await h.ScopedServices.GetRequiredService<HouseholdService>().JoinHouseholdAsync(Martin, carol)).Succeeded.Should().BeTrue();

        (await StoredTierAsync(h, Bob)).Should().Be(Silver, "joining re-evaluates and stores the tier of every member of the household");
        (await SummaryTierAsync(h, carol)).Should().Be((Bronze, 450L), "the household counts from the joining instant: Carol's 450 points are hers, and nothing the others recorded before she joined is");
        (await SummaryTierAsync(h, Alice)).Should().Be((Silver, 550L), "Carol's 450 points from before she joined count for nobody else");
        await h.OrderAsync("C-2", carol, 60m);
        (await SummaryTierAsync(h, carol)).Should().Be((Silver, 510L));
        (await SummaryTierAsync(h, Alice)).Should().Be((Silver, 610L));
    }

    [Fact]
    public async Task Without_the_option_every_tier_stays_the_members_own()
    {
        using var pooledOff = await CoupleAsync(pooled: false);
        using var noHouseholds = await CoupleAsync(pooled: null);

        foreach (var h in new[] { pooledOff, noHouseholds })
        {
            (await SummaryTierAsync(h, Alice)).Should().Be((Bronze, 250L));
            (await SummaryTierAsync(h, Bob)).Should().Be((Bronze, 400L));
            (await StoredTierAsync(h, Alice)).Should().Be(Bronze);
            (await h.OrderAsync("A-2", Alice, 100m)).Points.Should().Be(P(100));
            (await h.Program.RunMaintenanceAsync(h.Now)).TierChanges.Should().BeEmpty();
            (await h.Program.RedeemRewardAsync(Alice, SilverMug.Id, RedemptionId.From("mug-1"))).ErrorCode.Should().Be(LoyaltyErrorCode.RewardRequiresHigherTier);
        }

        (await pooledOff.Members.GetMemberAsync(pooledOff.Program.Settings.ProgramId, Alice))!.TierStatus
            .Should().Be((await noHouseholds.Members.GetMemberAsync(noHouseholds.Program.Settings.ProgramId, Alice))!.TierStatus);
    }

    /// <summary>
    /// Alice owns the household; Bob orders 100 € alone, joins a day later, then orders 300 € and Alice
    /// 250 € (1 point a euro, Silver at 500 points). <paramref name="pooled"/> null: no households at all
    /// (Alice and Bob are then in none).
    /// </summary>
    private static async Task<ProgramHarness> CoupleAsync(bool? pooled)
    {
        var h = new ProgramHarness(replace: pooled is { } on ? s => s.AddLoyalty().AddHouseholds(o => o.PooledTierQualification = on) : null);
        await h.ConfigureAsync();
        await h.Program.PublishRewardAsync(SilverMug);
        await h.EnrolAsync(Alice);
        await h.EnrolAsync(Bob);
        var households = pooled is null ? null : h.ScopedServices.GetRequiredService<HouseholdService>();
        if (households is not null)
        {
            (await households.CreateHouseholdAsync(Martin, Alice)).Succeeded.Should().BeTrue();
        }

        await h.OrderAsync("B-1", Bob, 100m);
        h.AdvanceDays(1);
        if (households is not null)
        {
            (await households.JoinHouseholdAsync(Martin, Bob)).Succeeded.Should().BeTrue();
        }

        h.AdvanceDays(1);
        await h.OrderAsync("B-2", Bob, 300m);
        await h.OrderAsync("A-1", Alice, 250m);
        return h;
    }

    private static async Task<(TierId Tier, long Points)> SummaryTierAsync(ProgramHarness h, MemberId member)
    {
        var tier = (await h.Program.GetMemberSummaryAsync(member)).GetValueOrThrow().Tier;
        return (tier.Tier.Id, tier.QualifyingValue.Points);
    }

    private static async Task<TierId?> StoredTierAsync(ProgramHarness h, MemberId member) =>
        (await h.Members.GetMemberAsync(h.Program.Settings.ProgramId, member))!.TierStatus?.Tier;
}
