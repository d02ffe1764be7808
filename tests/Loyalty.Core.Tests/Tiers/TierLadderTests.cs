using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using NodaTime;
using static Loyalty.Core.Tests.Tiers.TierFixtures;

namespace Loyalty.Core.Tests.Tiers;

public class TierLadderTests
{
    private static TierDefinition Tier(string id, long points) =>
        TierDefinition.Create(TierId.From(id), id, ThresholdCombination.AllOf, [TierThreshold.FromPoints(points)]);

    [Fact]
    public void An_empty_ladder_is_refused()
    {
        var act = () => TierLadder.Create([]);

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("A tier ladder needs at least one tier; list the entry tier (for instance Bronze) first. (Parameter 'tiers')");
    }

    [Fact]
    public void A_duplicate_tier_is_refused()
    {
        var act = () => TierLadder.Create([TierDefinition.Entry(Bronze, "Bronze"), Tier("gold", 1_000), Tier("gold", 2_000)]);

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Tier 'gold' appears more than once; every tier id must be unique. (Parameter 'tiers')");
    }

    [Fact]
    public void Unordered_thresholds_are_refused()
    {
        var act = () => TierLadder.Create([TierDefinition.Entry(Bronze, "Bronze"), Tier("gold", 1_000), Tier("silver", 500)]);

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Tier 'silver' requires 500 qualifying points, which is not more than the 1000 required by the tier below it ('gold'); list tiers from lowest to highest with strictly increasing thresholds. (Parameter 'tiers')");
    }

    [Fact]
    public void Equal_spend_thresholds_are_refused()
    {
        var silver = TierDefinition.Create(Silver, "Silver", ThresholdCombination.AllOf, [TierThreshold.FromSpend(300m)]);
        var gold = TierDefinition.Create(Gold, "Gold", ThresholdCombination.AllOf, [TierThreshold.FromSpend(300m), TierThreshold.FromOrders(3)]);

        var act = () => TierLadder.Create([TierDefinition.Entry(Bronze, "Bronze"), silver, gold]);

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Tier 'gold' requires 300 of qualifying spend, which is not more than the 300 required by the tier below it ('silver'); list tiers from lowest to highest with strictly increasing thresholds. (Parameter 'tiers')");
    }

    [Fact]
    public void A_lowest_tier_with_thresholds_is_refused()
    {
        var act = () => TierLadder.Create([Tier("silver", 500)]);

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("The lowest tier 'silver' must have no thresholds: every member holds it from enrolment. Add an entry tier below it. (Parameter 'tiers')");
    }

    [Fact]
    public void A_higher_tier_without_thresholds_is_refused()
    {
        var act = () => TierLadder.Create([TierDefinition.Entry(Bronze, "Bronze"), TierDefinition.Entry(Silver, "Silver")]);

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Tier 'silver' has no thresholds; every tier above the lowest needs at least one. (Parameter 'tiers')");
    }

    [Fact]
    public void A_negative_grace_period_is_refused()
    {
        var act = () => TierLadder.Create(PointsTiers(), new TierPolicy { GracePeriod = Period.FromMonths(-1) });

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("TierPolicy.GracePeriod P-1M must not be negative; use Period.Zero for no grace. (Parameter 'policy')");
    }

    [Fact]
    public void A_grace_period_with_time_units_is_refused()
    {
        var act = () => TierLadder.Create(PointsTiers(), new TierPolicy { GracePeriod = Period.FromHours(12) });

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("TierPolicy.GracePeriod PT12H must use date units only (years, months, weeks, days). (Parameter 'policy')");
    }

    [Fact]
    public void No_qualifying_earn_kinds_with_a_points_threshold_is_refused()
    {
        var act = () => TierLadder.Create(PointsTiers(), new TierPolicy { QualifyingEarnKinds = [] });

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("TierPolicy.QualifyingEarnKinds is empty but tier 'silver' has a points threshold; list the earn kinds that count, e.g. [EarnKind.Purchase]. (Parameter 'policy')");
    }

    [Fact]
    public void An_undefined_downgrade_policy_is_refused()
    {
        var act = () => TierLadder.Create(PointsTiers(), new TierPolicy { Downgrade = (DowngradePolicy)7 });

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("TierPolicy.Downgrade 7 is not defined; use OneLevel, ToComputed or Never. (Parameter 'policy')");
    }

    [Fact]
    public void A_null_time_zone_is_refused()
    {
        var act = () => TierLadder.Create(PointsTiers(), new TierPolicy { TimeZone = null! });

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("TierPolicy.TimeZone must not be null; use the programme's zone, e.g. DateTimeZoneProviders.Tzdb[\"Europe/Paris\"]. (Parameter 'policy')");
    }

    [Fact]
    public void Access_perks_and_multipliers_are_read_from_the_ladder()
    {
        var ladder = TierLadder.Create(PointsTiers());

        ladder.GrantsAccess(Gold, Silver).Should().BeTrue();
        ladder.GrantsAccess(Silver, Gold).Should().BeFalse();
        ladder.GrantsAccess(Gold, Gold).Should().BeTrue();
        ladder.HasPerk(Gold, "private-sales").Should().BeTrue();
        ladder.HasPerk(Silver, "private-sales").Should().BeFalse();
        ladder.EarnMultiplierOf(Bronze).Should().Be(1m);
        ladder.EarnMultiplierOf(Vip).Should().Be(2m);
        ladder.EntryTier.Id.Should().Be(Bronze);
        ladder.RankOf(Vip).Should().Be(3);
    }

    [Fact]
    public void An_unknown_tier_is_refused_with_the_known_ones()
    {
        var act = () => TierLadder.Create(PointsTiers()).GrantsAccess(TierId.From("diamond"), Gold);

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Be("Tier 'diamond' is not in the ladder; known tiers are 'bronze', 'silver', 'gold', 'vip'. (Parameter 'tier')");
    }
}
