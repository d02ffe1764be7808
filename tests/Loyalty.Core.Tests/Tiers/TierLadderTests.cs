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

        act.Should().Throw<TierLadderException>().Which.Message.Should()
            .Be("The tier ladder is invalid: tiers must list at least one tier; put the entry tier (for instance Bronze) first.");
    }

    [Fact]
    public void A_duplicate_tier_is_refused()
    {
        var act = () => TierLadder.Create([TierDefinition.Entry(Bronze, "Bronze"), Tier("gold", 1_000), Tier("gold", 2_000)]);

        act.Should().Throw<TierLadderException>().Which.Message.Should()
            .Be("The tier ladder is invalid: tiers[2].id 'gold' is already the id of tiers[1]; every tier id must be unique.");
    }

    [Fact]
    public void Unordered_thresholds_are_refused()
    {
        var act = () => TierLadder.Create([TierDefinition.Entry(Bronze, "Bronze"), Tier("gold", 1_000), Tier("silver", 500)]);

        act.Should().Throw<TierLadderException>().Which.Message.Should()
            .Be("The tier ladder is invalid: tiers[2].thresholds[0].value must be greater than the 1000 points required by tiers[1] (was 500); list tiers from lowest to highest with strictly increasing thresholds.");
    }

    [Fact]
    public void Equal_spend_thresholds_are_refused()
    {
        var silver = TierDefinition.Create(Silver, "Silver", ThresholdCombination.AllOf, [TierThreshold.FromSpend(300m)]);
        var gold = TierDefinition.Create(Gold, "Gold", ThresholdCombination.AllOf, [TierThreshold.FromSpend(300m), TierThreshold.FromOrders(3)]);

        var act = () => TierLadder.Create([TierDefinition.Entry(Bronze, "Bronze"), silver, gold]);

        act.Should().Throw<TierLadderException>().Which.Message.Should()
            .Be("The tier ladder is invalid: tiers[2].thresholds[0].value must be greater than the 300 spend required by tiers[1] (was 300); list tiers from lowest to highest with strictly increasing thresholds.");
    }

    [Fact]
    public void A_lowest_tier_with_thresholds_is_refused()
    {
        var act = () => TierLadder.Create([Tier("silver", 500)]);

        act.Should().Throw<TierLadderException>().Which.Message.Should()
            .Be("The tier ladder is invalid: tiers[0].thresholds must be empty: every member holds the lowest tier from enrolment; add an entry tier below it.");
    }

    [Fact]
    public void A_higher_tier_without_thresholds_is_refused()
    {
        var act = () => TierLadder.Create([TierDefinition.Entry(Bronze, "Bronze"), TierDefinition.Entry(Silver, "Silver")]);

        act.Should().Throw<TierLadderException>().Which.Message.Should()
            .Be("The tier ladder is invalid: tiers[1].thresholds must list at least one threshold; every tier above the lowest needs one.");
    }

    [Fact]
    public void A_negative_grace_period_is_refused()
    {
        var act = () => TierLadder.Create(PointsTiers(), new TierPolicy { GracePeriod = Period.FromMonths(-1) });

        act.Should().Throw<TierLadderException>().Which.Message.Should()
            .Be("The tier ladder is invalid: policy.gracePeriod \"P-1M\" must not be negative; leave it out for no grace.");
    }

    [Fact]
    public void A_grace_period_with_time_units_is_refused()
    {
        var act = () => TierLadder.Create(PointsTiers(), new TierPolicy { GracePeriod = Period.FromHours(12) });

        act.Should().Throw<TierLadderException>().Which.Message.Should()
            .Be("The tier ladder is invalid: policy.gracePeriod \"PT12H\" must use date units only (years, months, weeks, days).");
    }

    [Fact]
    public void No_qualifying_earn_kinds_with_a_points_threshold_is_refused()
    {
        var act = () => TierLadder.Create(PointsTiers(), new TierPolicy { QualifyingEarnKinds = [] });

        act.Should().Throw<TierLadderException>().Which.Message.Should()
            .Be("The tier ladder is invalid: policy.qualifyingEarnKinds is empty but tiers[1] ('silver') has a points threshold; list the earn kinds that count, e.g. [\"purchase\"].");
    }

    [Fact]
    public void An_undefined_downgrade_policy_is_refused()
    {
        var act = () => TierLadder.Create(PointsTiers(), new TierPolicy { Downgrade = (DowngradePolicy)7 });

        act.Should().Throw<TierLadderException>().Which.Message.Should()
            .Be("The tier ladder is invalid: policy.downgrade 7 is not defined; use oneLevel, toComputed or never.");
    }

    [Fact]
    public void A_null_time_zone_is_refused()
    {
        var act = () => TierLadder.Create(PointsTiers(), new TierPolicy { TimeZone = null! });

        act.Should().Throw<TierLadderException>().Which.Message.Should()
            .Be("The tier ladder is invalid: policy.timeZone must not be null; use the programme's zone, e.g. DateTimeZoneProviders.Tzdb[\"Europe/Paris\"].");
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

    [Fact]
    public void Several_problems_are_all_listed_with_their_paths()
    {
        var act = () => TierLadder.Create(
            [Tier("silver", 500), TierDefinition.Entry(Silver, "Silver")],
            new TierPolicy { Refunds = (RefundPolicy)9, Currency = default(Currency) });

        act.Should().Throw<TierLadderException>().Which.Errors.Should().Equal(
            "tiers[0].thresholds must be empty: every member holds the lowest tier from enrolment; add an entry tier below it.",
            "tiers[1].id 'silver' is already the id of tiers[0]; every tier id must be unique.",
            "tiers[1].thresholds must list at least one threshold; every tier above the lowest needs one.",
            "policy.refunds 9 is not defined; use revokeUpgrade or keepStatus.",
            "policy.currency must not be default(Currency); use Currency.FromCode(\"EUR\") or leave it null.");
    }

    [Fact]
    public void Null_tiers_grace_and_earn_kinds_are_refused_with_their_paths()
    {
        var act = () => TierLadder.Create(
            [TierDefinition.Entry(Bronze, "Bronze"), null!],
            new TierPolicy { GracePeriod = null!, QualifyingEarnKinds = null! });

        act.Should().Throw<TierLadderException>().Which.Errors.Should().Equal(
            "tiers[1] must not be null.",
            "policy.gracePeriod must not be null; use Period.Zero for no grace.",
            "policy.qualifyingEarnKinds must not be null; list the earn kinds that count, e.g. [EarnKind.Purchase].");
    }

    [Theory]
    [InlineData("""{ "tiers": [] }""")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "bronze", "name": "Bronze", "thresholds": [ { "metric": "points", "value": 500 } ] } ] }""")]
    [InlineData("""{ "tiers": [ { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "points", "value": 500 } ] } ] }""")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "silver", "name": "Silver", "thresholds": [] } ] }""")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "gold", "name": "Gold", "thresholds": [ { "metric": "points", "value": 1000 } ] }, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "points", "value": 500 } ] } ] }""")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "spend", "value": 300 } ] }, { "id": "gold", "name": "Gold", "thresholds": [ { "metric": "spend", "value": 300 } ] } ] }""")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze" } ], "policy": { "gracePeriod": "P-1M" } }""")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze" } ], "policy": { "gracePeriod": "PT12H" } }""")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze" } ], "policy": { "gracePeriod": "P11Y" } }""")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "points", "value": 500 } ] } ], "policy": { "qualifyingEarnKinds": [] } }""")]
    public void Create_and_FromJson_throw_the_same_exception_with_the_same_message_for_the_same_mistake(string json)
    {
        var fromJson = () => TierLadder.FromJson(json);
        var expected = fromJson.Should().Throw<TierLadderException>().Which.Message;
        var definition = System.Text.Json.JsonSerializer.Deserialize<TierLadderDefinition>(json, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)
        {
            Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase) },
        })!;
        var tiers = (definition.Tiers ?? []).Select(t => t!.Thresholds is { Count: > 0 } thresholds
            ? TierDefinition.Create(TierId.From(t.Id!), t.Name!, t.Combination, thresholds.Select(th => th!.Metric switch
            {
                QualifyingMetric.Points => TierThreshold.FromPoints((long)th.Value),
                QualifyingMetric.Spend => TierThreshold.FromSpend(th.Value),
                _ => TierThreshold.FromOrders((int)th.Value),
            }).ToArray())
            : TierDefinition.Entry(TierId.From(t.Id!), t.Name!)).ToArray();
        var policy = new TierPolicy
        {
            GracePeriod = definition.Policy?.GracePeriod is { } grace ? NodaTime.Text.PeriodPattern.Roundtrip.Parse(grace).Value : Period.Zero,
            QualifyingEarnKinds = definition.Policy?.QualifyingEarnKinds?.ToArray() ?? [EarnKind.Purchase],
        };

        var create = () => TierLadder.Create(tiers, policy);

        create.Should().Throw<TierLadderException>().Which.Message.Should().Be(expected);
    }
}
