using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using NodaTime;
using static Loyalty.Core.Tests.Tiers.TierFixtures;

namespace Loyalty.Core.Tests.Tiers;

/// <summary>Tier ladders as data: JSON and appsettings-shaped definitions, round trips and validation paths.</summary>
public class TierLadderJsonTests
{
    private const string ShopLadder = """
        {
          // The shop's ladder, as marketing writes it.
          "policy": {
            "window": "calendarYear",
            "validity": "endOfFollowingPeriod",
            "downgrade": "oneLevel",
            "gracePeriod": "P1M",
            "refunds": "revokeUpgrade",
            "qualifyingEarnKinds": [ "purchase", "bonus" ],
            "timeZone": "Europe/Paris",
            "currency": "EUR"
          },
          "tiers": [
            { "id": "bronze", "name": "Bronze" },
            { "id": "silver", "name": "Silver", "combination": "anyOf",
              "thresholds": [ { "metric": "points", "value": 500 }, { "metric": "orders", "value": 5 } ],
              "earnMultiplier": 1.25, "perks": [ "free-shipping" ] },
            { "id": "gold", "name": "Gold",
              "thresholds": [ { "metric": "points", "value": 1000 }, { "metric": "spend", "value": 800.50 } ],
              "earnMultiplier": 1.5, "perks": [ "free-shipping", "private-sales", "early-access" ] },
          ]
        }
        """;

    [Fact]
    public void A_ladder_written_by_marketing_loads_with_every_setting()
    {
        var ladder = TierLadder.FromJson(ShopLadder);

        ladder.Tiers.Select(t => t.Id.Value).Should().Equal("bronze", "silver", "gold");
        ladder.Policy.TimeZone.Should().Be(Paris);
        ladder.Policy.Currency.Should().Be(Currency.EUR);
        ladder.Policy.GracePeriod.Should().Be(Period.FromMonths(1));
        ladder.Policy.QualifyingEarnKinds.Should().Equal(EarnKind.Purchase, EarnKind.Bonus);
        ladder.Get(Silver).Combination.Should().Be(ThresholdCombination.AnyOf);
        ladder.Get(Silver).Thresholds.Should().Equal(TierThreshold.FromPoints(500), TierThreshold.FromOrders(5));
        ladder.Get(Gold).Thresholds.Should().Equal(TierThreshold.FromPoints(1_000), TierThreshold.FromSpend(800.50m));
        ladder.EarnMultiplierOf(Gold).Should().Be(1.5m);
        ladder.HasPerk(Gold, "early-access").Should().BeTrue();
        ladder.HasPerk(Silver, "private-sales").Should().BeFalse();
    }

    [Fact]
    public void Left_out_policy_settings_take_the_policy_defaults()
    {
        var ladder = TierLadder.FromJson("""{ "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "gold", "name": "Gold", "thresholds": [ { "metric": "points", "value": 1000 } ] } ] }""");

        ladder.Policy.Should().BeEquivalentTo(new TierPolicy());
        ladder.EarnMultiplierOf(Gold).Should().Be(1m);
    }

    [Fact]
    public void Rolling_windows_and_fixed_validity_carry_their_months()
    {
        var ladder = TierLadder.FromJson("""
            { "policy": { "window": "rollingMonths", "windowMonths": 12, "validity": "fixedMonths", "validityMonths": 18, "downgrade": "toComputed", "refunds": "keepStatus" },
              "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "gold", "name": "Gold", "thresholds": [ { "metric": "spend", "value": 300 } ] } ] }
            """);

        ladder.Policy.Window.Should().Be(QualificationWindow.RollingMonths(12));
        ladder.Policy.Validity.Should().Be(StatusValidity.FixedMonths(18));
        ladder.Policy.Downgrade.Should().Be(DowngradePolicy.ToComputed);
        ladder.Policy.Refunds.Should().Be(RefundPolicy.KeepStatus);
    }

    [Fact]
    public void Json_round_trip_gives_the_same_json_and_the_same_ladder()
    {
        var ladder = TierLadder.FromJson(ShopLadder);
        var json = ladder.ToJson();

        var back = TierLadder.FromJson(json);

        back.ToJson().Should().Be(json);
        back.ToDefinition().Should().BeEquivalentTo(ladder.ToDefinition());
        json.Should().Contain("\"gracePeriod\": \"P1M\"").And.Contain("\"metric\": \"spend\"").And.Contain("\"value\": 800.50");
    }

    [Fact]
    public void A_ladder_built_in_code_writes_json_that_loads_back()
    {
        var policy = new TierPolicy { TimeZone = Paris, Window = QualificationWindow.AnniversaryYear, GracePeriod = Period.FromWeeks(2), QualifyingEarnKinds = [EarnKind.Purchase, EarnKind.Activity] };
        var ladder = TierLadder.Create(PointsTiers(), policy);

        var back = TierLadder.FromJson(ladder.ToJson());

        back.Policy.Should().BeEquivalentTo(policy);
        back.Tiers.Should().BeEquivalentTo(ladder.Tiers);
    }

    [Fact]
    public void A_definition_bound_from_configuration_creates_the_ladder()
    {
        // The shape configuration binding produces from appsettings.json "Loyalty:Tiers".
        var definition = new TierLadderDefinition
        {
            Policy = new TierPolicyDefinition { TimeZone = "Europe/Paris", GracePeriod = "P30D" },
            Tiers =
            [
                new TierLevelDefinition { Id = "bronze", Name = "Bronze" },
                new TierLevelDefinition { Id = "silver", Name = "Silver", Thresholds = [new TierThresholdDefinition { Metric = QualifyingMetric.Orders, Value = 3 }] },
            ],
        };

        var ladder = TierLadder.FromDefinition(definition);

        ladder.Get(Silver).Thresholds.Should().Equal(TierThreshold.FromOrders(3));
        ladder.Policy.GracePeriod.Should().Be(Period.FromDays(30));
    }

    [Theory]
    [InlineData("""{ "tiers": [] }""", "tiers must list at least one tier; put the entry tier (for instance Bronze) first.")]
    [InlineData("""{ }""", "tiers must list at least one tier; put the entry tier (for instance Bronze) first.")]
    [InlineData("""{ "tiers": [ null ] }""", "tiers[0] must not be null.")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "points", "value": 0 } ] } ] }""", "tiers[1].thresholds[0].value must be greater than 0 (was 0).")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "orders", "value": 2.5 } ] } ] }""", "tiers[1].thresholds[0].value must be a whole number of orders (was 2.5).")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "points", "value": 5 }, { "metric": "points", "value": 9 } ] } ] }""", "tiers[1].thresholds[1].metric points is repeated; give at most one threshold per metric.")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "silver", "name": "Silver" } ] }""", "tiers[1].thresholds must list at least one threshold; every tier above the lowest needs one.")]
    [InlineData("""{ "tiers": [ { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "points", "value": 5 } ] } ] }""", "tiers[0].thresholds must be empty: every member holds the lowest tier from enrolment; add an entry tier below it.")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "bronze", "name": "Silver", "thresholds": [ { "metric": "points", "value": 5 } ] } ] }""", "tiers[1].id 'bronze' is already the id of tiers[0]; every tier id must be unique.")]
    [InlineData("""{ "tiers": [ { "name": "Bronze" } ] }""", "tiers[0].id must not be empty; give an id such as \"gold\".")]
    [InlineData("""{ "tiers": [ { "id": " bronze", "name": "Bronze" } ] }""", "tiers[0].id is invalid: TierId must not start or end with whitespace (was \" bronze\"); trim it first.")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": " " } ] }""", "tiers[0].name must not be empty; give a display name such as \"Gold\".")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze", "earnMultiplier": 0 } ] }""", "tiers[0].earnMultiplier must be greater than 0 (was 0); use 1 for no bonus.")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze", "perks": [ "" ] } ] }""", "tiers[0].perks[0] must not be empty; use a key such as \"free-shipping\".")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze", "perks": [ "vip " ] } ] }""", "tiers[0].perks[0] \"vip \" must not start or end with whitespace; trim it.")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze", "perks": [ "vip", "vip" ] } ] }""", "tiers[0].perks[1] \"vip\" is listed more than once; list each perk once.")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "spend", "value": 500 } ] }, { "id": "gold", "name": "Gold", "thresholds": [ { "metric": "spend", "value": 400 } ] } ] }""", "tiers[2].thresholds[0].value must be greater than the 500 spend required by tiers[1] (was 400); list tiers from lowest to highest with strictly increasing thresholds.")]
    [InlineData("""{ "policy": { "window": "rollingMonths" }, "tiers": [ { "id": "bronze", "name": "Bronze" } ] }""", "policy.windowMonths must be between 1 and 120 for a rollingMonths window (was missing).")]
    [InlineData("""{ "policy": { "window": "rollingMonths", "windowMonths": -3 }, "tiers": [ { "id": "bronze", "name": "Bronze" } ] }""", "policy.windowMonths must be between 1 and 120 for a rollingMonths window (was -3).")]
    [InlineData("""{ "policy": { "windowMonths": 12 }, "tiers": [ { "id": "bronze", "name": "Bronze" } ] }""", "policy.windowMonths applies to a rollingMonths window only; leave it out for calendarYear.")]
    [InlineData("""{ "policy": { "validity": "fixedMonths", "validityMonths": 121 }, "tiers": [ { "id": "bronze", "name": "Bronze" } ] }""", "policy.validityMonths must be between 1 and 120 for a fixedMonths validity (was 121).")]
    [InlineData("""{ "policy": { "validityMonths": 6 }, "tiers": [ { "id": "bronze", "name": "Bronze" } ] }""", "policy.validityMonths applies to a fixedMonths validity only; leave it out for endOfFollowingPeriod.")]
    [InlineData("""{ "policy": { "gracePeriod": "one month" }, "tiers": [ { "id": "bronze", "name": "Bronze" } ] }""", "policy.gracePeriod \"one month\" is not an ISO 8601 period; use a form such as \"P1M\" or \"P30D\".")]
    [InlineData("""{ "policy": { "gracePeriod": "PT12H" }, "tiers": [ { "id": "bronze", "name": "Bronze" } ] }""", "policy.gracePeriod \"PT12H\" must use date units only (years, months, weeks, days).")]
    [InlineData("""{ "policy": { "gracePeriod": "P-1M" }, "tiers": [ { "id": "bronze", "name": "Bronze" } ] }""", "policy.gracePeriod \"P-1M\" must not be negative; leave it out for no grace.")]
    [InlineData("""{ "policy": { "gracePeriod": "P1000000Y" }, "tiers": [ { "id": "bronze", "name": "Bronze" } ] }""", "policy.gracePeriod \"P1000000Y\" must be at most \"P10Y\" (ten years).")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "gold", "name": "Gold", "earnMultiplier": 1e28, "thresholds": [ { "metric": "points", "value": 5 } ] } ] }""", "tiers[1].earnMultiplier must be at most 100 (was 10000000000000000000000000000).")]
    [InlineData("""{ "policy": { "timeZone": "Mars/Olympus" }, "tiers": [ { "id": "bronze", "name": "Bronze" } ] }""", "policy.timeZone must be an IANA time zone id such as \"Europe/Paris\" (was \"Mars/Olympus\").")]
    [InlineData("""{ "policy": { "currency": "EURO" }, "tiers": [ { "id": "bronze", "name": "Bronze" } ] }""", "policy.currency must be an ISO 4217 currency code such as \"EUR\" (was \"EURO\").")]
    [InlineData("""{ "policy": { "qualifyingEarnKinds": [ "bonus", "bonus" ] }, "tiers": [ { "id": "bronze", "name": "Bronze" } ] }""", "policy.qualifyingEarnKinds[1] bonus is listed more than once; list each earn kind once.")]
    [InlineData("""{ "policy": { "qualifyingEarnKinds": [] }, "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "gold", "name": "Gold", "thresholds": [ { "metric": "points", "value": 5 } ] } ] }""", "policy.qualifyingEarnKinds is empty but tiers[1] ('gold') has a points threshold; list the earn kinds that count, e.g. [\"purchase\"].")]
    public void Every_bad_definition_names_its_path(string json, string error)
    {
        var ex = FluentActions.Invoking(() => TierLadder.FromJson(json)).Should().Throw<TierLadderException>().Which;

        ex.Errors.Should().Equal(error);
        ex.Message.Should().Be("The tier ladder is invalid: " + error);
    }

    [Fact]
    public void Text_that_is_not_valid_unicode_is_refused_with_its_position()
    {
        FluentActions.Invoking(() => TierLadder.FromJson("{ \"tiers\": [ { \"id\": \"bronze\ud800\", \"name\": \"Bronze\" } ] }")).Should().Throw<TierLadderException>()
            .WithMessage("The tier ladder is invalid: The JSON text holds an unpaired UTF-16 surrogate U+D800 at line 1, column 29; it is not valid Unicode text (check how the file was decoded).");
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var json = """{ "policy": { "timeZone": "Nowhere" }, "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "gold", "name": "", "thresholds": [ { "metric": "points", "value": -1 } ] } ] }""";

        var ex = FluentActions.Invoking(() => TierLadder.FromJson(json)).Should().Throw<TierLadderException>().Which;

        ex.Errors.Should().Equal(
            "policy.timeZone must be an IANA time zone id such as \"Europe/Paris\" (was \"Nowhere\").",
            "tiers[1].name must not be empty; give a display name such as \"Gold\".",
            "tiers[1].thresholds[0].value must be greater than 0 (was -1).");
        ex.Message.Should().Be(
            "The tier ladder is invalid (3 problems):" + Environment.NewLine +
            "- policy.timeZone must be an IANA time zone id such as \"Europe/Paris\" (was \"Nowhere\")." + Environment.NewLine +
            "- tiers[1].name must not be empty; give a display name such as \"Gold\"." + Environment.NewLine +
            "- tiers[1].thresholds[0].value must be greater than 0 (was -1).");
    }

    [Theory]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze", "combination": "someOf" } ] }""", "tiers[0].combination: The JSON value could not be converted to Loyalty.Core.Tiers.ThresholdCombination. Path: $.tiers[0].combination | LineNumber: 0 | BytePositionInLine: 72.")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "nme": "Bronze" } ] }""", "tiers[0].nme: The JSON property 'nme' could not be mapped to any .NET member contained in type 'Loyalty.Core.Tiers.TierLevelDefinition'.")]
    [InlineData("null", "The JSON holds null instead of a tier ladder.")]
    public void Malformed_json_is_refused_with_its_path(string json, string error)
    {
        var ex = FluentActions.Invoking(() => TierLadder.FromJson(json)).Should().Throw<TierLadderException>().Which;

        ex.Errors.Should().Equal(error);
    }

    [Fact]
    public void Enum_values_out_of_range_in_code_are_refused()
    {
        var definition = new TierLadderDefinition
        {
            Policy = new TierPolicyDefinition { Downgrade = (DowngradePolicy)9, Refunds = (RefundPolicy)7 },
            Tiers = [new TierLevelDefinition { Id = "bronze", Name = "Bronze", Combination = (ThresholdCombination)4 }],
        };

        var ex = FluentActions.Invoking(() => TierLadder.FromDefinition(definition)).Should().Throw<TierLadderException>().Which;

        ex.Errors.Should().Equal(
            "policy.downgrade 9 is not defined; use oneLevel, toComputed or never.",
            "policy.refunds 7 is not defined; use revokeUpgrade or keepStatus.",
            "tiers[0].combination 4 is not defined; use allOf or anyOf.");
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        FluentActions.Invoking(() => TierLadder.FromJson(null!)).Should().Throw<ArgumentNullException>().WithParameterName("json");
        FluentActions.Invoking(() => TierLadder.FromDefinition(null!)).Should().Throw<ArgumentNullException>().WithParameterName("definition");
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public Property A_loaded_ladder_evaluates_exactly_like_the_ladder_it_was_written_from() =>
        Prop.ForAll(TierArbitraries.Cases(), c =>
        {
            var ladder = TierLadder.Create(PointsTiers(), c.Policy);
            var loaded = TierLadder.FromJson(ladder.ToJson());
            var member = Member(InParis(2025, 1, 1, 0), c.History);

            var expected = new TierEvaluator(ladder).Evaluate(member, c.AsOf);
            var actual = new TierEvaluator(loaded).Evaluate(member, c.AsOf);

            return actual.Status == expected.Status && actual.Changes.SequenceEqual(expected.Changes) && actual.ProjectedTier.Id == expected.ProjectedTier.Id;
        });
}
