using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using NodaTime;
using static Loyalty.Core.Tests.Tiers.TierFixtures;

namespace Loyalty.Core.Tests.Tiers;

/// <summary>
/// Ladder validation at its edges, in code (<see cref="TierLadder.Create"/>) and from data
/// (<see cref="TierLadder.FromDefinition"/>, <see cref="TierLadder.FromJson"/>), and the data form a
/// ladder writes back.
/// </summary>
public class TierLadderEdgeTests
{
    private const string Bronze1 = """{ "id": "bronze", "name": "Bronze" }""";

    [Theory]
    [InlineData("P10Y")]
    [InlineData("P3660D")]
    [InlineData("P118M")]
    [InlineData("P522W")]
    [InlineData("P9Y11M")]
    [InlineData("P9Y52W1D")]
    public void A_grace_period_of_up_to_ten_years_is_accepted(string grace)
    {
        var period = NodaTime.Text.PeriodPattern.Roundtrip.Parse(grace).Value;

        TierLadder.Create(PointsTiers(), new TierPolicy { GracePeriod = period }).Policy.GracePeriod.Should().Be(period);
        TierLadder.FromJson($$"""{ "policy": { "gracePeriod": "{{grace}}" }, "tiers": [ {{Bronze1}} ] }""").Policy.GracePeriod.Should().Be(period);
    }

    [Theory]
    [InlineData("P11Y")]
    [InlineData("P3661D")]
    [InlineData("P119M")]
    [InlineData("P523W")]
    [InlineData("P10Y1D")]
    [InlineData("P9Y12M")]
    [InlineData("P9Y53W")]
    public void A_grace_period_longer_than_ten_years_is_refused(string grace)
    {
        var period = NodaTime.Text.PeriodPattern.Roundtrip.Parse(grace).Value;

        var act = () => TierLadder.Create(PointsTiers(), new TierPolicy { GracePeriod = period });

        act.Should().Throw<TierLadderException>().Which.Errors.Should().Equal($"policy.gracePeriod \"{grace}\" must be at most \"P10Y\" (ten years).");
    }

    [Theory]
    [InlineData("P-1Y")]
    [InlineData("P-1W")]
    [InlineData("P-1D")]
    [InlineData("P1Y-1D")]
    public void A_grace_period_with_any_negative_unit_is_refused(string grace)
    {
        var period = NodaTime.Text.PeriodPattern.Roundtrip.Parse(grace).Value;

        var act = () => TierLadder.Create(PointsTiers(), new TierPolicy { GracePeriod = period });

        act.Should().Throw<TierLadderException>().Which.Errors.Should().Equal($"policy.gracePeriod \"{grace}\" must not be negative; leave it out for no grace.");
    }

    [Fact]
    public void An_undefined_earn_kind_is_refused_with_its_position()
    {
        var act = () => TierLadder.Create(PointsTiers(), new TierPolicy { QualifyingEarnKinds = [EarnKind.Purchase, EarnKind.Bonus, (EarnKind)7] });

        act.Should().Throw<TierLadderException>().Which.Errors.Should().Equal("policy.qualifyingEarnKinds[2] 7 is not defined; use purchase, activity, bonus or adjustment.");
    }

    [Fact]
    public void No_qualifying_earn_kinds_names_the_first_tier_with_a_points_threshold()
    {
        TierDefinition[] tiers =
        [
            TierDefinition.Entry(Bronze, "Bronze"),
            TierDefinition.Create(Silver, "Silver", ThresholdCombination.AllOf, [TierThreshold.FromSpend(300m)]),
            TierDefinition.Create(Gold, "Gold", ThresholdCombination.AnyOf, [TierThreshold.FromSpend(600m), TierThreshold.FromPoints(900)]),
            TierDefinition.Create(Vip, "VIP", ThresholdCombination.AllOf, [TierThreshold.FromPoints(5_000)]),
        ];

        var act = () => TierLadder.Create(tiers, new TierPolicy { QualifyingEarnKinds = [] });

        act.Should().Throw<TierLadderException>().Which.Errors.Should().Equal(
            "policy.qualifyingEarnKinds is empty but tiers[2] ('gold') has a points threshold; list the earn kinds that count, e.g. [\"purchase\"].");
    }

    [Fact]
    public void No_qualifying_earn_kinds_is_accepted_when_no_tier_counts_points()
    {
        TierDefinition[] tiers =
        [
            TierDefinition.Entry(Bronze, "Bronze"),
            TierDefinition.Create(Silver, "Silver", ThresholdCombination.AllOf, [TierThreshold.FromSpend(300m)]),
        ];

        TierLadder.Create(tiers, new TierPolicy { QualifyingEarnKinds = [] }).Policy.QualifyingEarnKinds.Should().BeEmpty();
        TierLadder.FromJson("""{ "policy": { "qualifyingEarnKinds": [] }, "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "spend", "value": 300 } ] } ] }""")
            .Policy.QualifyingEarnKinds.Should().BeEmpty();
    }

    [Fact]
    public void No_qualifying_earn_kinds_from_data_names_the_first_tier_with_a_points_threshold()
    {
        var json = """{ "policy": { "qualifyingEarnKinds": [] }, "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "orders", "value": 3 } ] }, { "id": "gold", "name": "Gold", "thresholds": [ { "metric": "orders", "value": 6 }, { "metric": "points", "value": 9 } ] }, { "id": "vip", "name": "VIP", "thresholds": [ { "metric": "points", "value": 90 } ] } ] }""";

        var ex = FluentActions.Invoking(() => TierLadder.FromJson(json)).Should().Throw<TierLadderException>().Which;

        ex.Errors.Should().Equal("policy.qualifyingEarnKinds is empty but tiers[2] ('gold') has a points threshold; list the earn kinds that count, e.g. [\"purchase\"].");
    }

    [Fact]
    public void No_qualifying_earn_kinds_skips_null_tiers_when_naming_the_tier_with_points()
    {
        var act = () => TierLadder.Create(
            [TierDefinition.Entry(Bronze, "Bronze"), null!, TierDefinition.Create(Gold, "Gold", ThresholdCombination.AllOf, [TierThreshold.FromPoints(900)])],
            new TierPolicy { QualifyingEarnKinds = [] });

        act.Should().Throw<TierLadderException>().Which.Errors.Should().Equal(
            "tiers[1] must not be null.",
            "policy.qualifyingEarnKinds is empty but tiers[2] ('gold') has a points threshold; list the earn kinds that count, e.g. [\"purchase\"].");
    }

    [Fact]
    public void Thresholds_on_different_metrics_are_not_compared()
    {
        TierDefinition[] tiers =
        [
            TierDefinition.Entry(Bronze, "Bronze"),
            TierDefinition.Create(Silver, "Silver", ThresholdCombination.AllOf, [TierThreshold.FromSpend(300m)]),
            TierDefinition.Create(Gold, "Gold", ThresholdCombination.AllOf, [TierThreshold.FromPoints(100)]),
        ];

        TierLadder.Create(tiers).Tiers.Should().HaveCount(3);
        TierLadder.FromJson("""{ "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "points", "value": 5 } ] }, { "id": "gold", "name": "Gold", "thresholds": [ { "metric": "spend", "value": 1 } ] } ] }""")
            .Tiers.Should().HaveCount(3);
    }

    [Fact]
    public void An_ordering_error_names_the_threshold_of_the_upper_tier()
    {
        TierDefinition[] tiers =
        [
            TierDefinition.Entry(Bronze, "Bronze"),
            TierDefinition.Create(Silver, "Silver", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(500), TierThreshold.FromOrders(5)]),
            TierDefinition.Create(Gold, "Gold", ThresholdCombination.AnyOf, [TierThreshold.FromOrders(10), TierThreshold.FromPoints(400)]),
        ];

        var act = () => TierLadder.Create(tiers);

        act.Should().Throw<TierLadderException>().Which.Errors.Should().Equal(
            "tiers[2].thresholds[1].value must be greater than the 500 points required by tiers[1] (was 400); list tiers from lowest to highest with strictly increasing thresholds.");
    }

    [Fact]
    public void A_null_entry_tier_is_reported_without_comparing_it()
    {
        var act = () => TierLadder.Create([null!, TierDefinition.Create(Silver, "Silver", ThresholdCombination.AllOf, [TierThreshold.FromPoints(500)])]);

        act.Should().Throw<TierLadderException>().Which.Errors.Should().Equal("tiers[0] must not be null.");
    }

    [Fact]
    public void Ladder_lookups_answer_for_every_tier()
    {
        var ladder = TierLadder.Create(PointsTiers());

        ladder.Contains(Gold).Should().BeTrue();
        ladder.Contains(TierId.From("diamond")).Should().BeFalse();
        ladder.RankOf(Bronze).Should().Be(0);
        ladder.RankOf(Silver).Should().Be(1);
        ladder.Get(Silver).Name.Should().Be("Silver");
        ladder.Tiers.Select(t => t.Id).Should().Equal(Bronze, Silver, Gold, Vip);
        ladder.GrantsAccess(Vip, Bronze).Should().BeTrue();
        ladder.GrantsAccess(Bronze, Silver).Should().BeFalse();
        ladder.GrantsAccess(Bronze, Bronze).Should().BeTrue();
        ladder.HasPerk(Vip, "early-access").Should().BeTrue();
        ladder.EarnMultiplierOf(Silver).Should().Be(1.25m);
        FluentActions.Invoking(() => ladder.GrantsAccess(Gold, TierId.From("diamond"))).Should().Throw<ArgumentException>().WithParameterName("tier");
        FluentActions.Invoking(() => TierLadder.Create(null!)).Should().Throw<ArgumentNullException>().WithParameterName("tiers");
        TierLadder.Create(PointsTiers(), null).Policy.Should().BeEquivalentTo(new TierPolicy());
    }

    [Fact]
    public void The_data_form_carries_every_setting_and_only_the_months_of_its_kind()
    {
        var tiers = PointsTiers();
        tiers[3] = TierDefinition.Create(Vip, "VIP", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(5_000), TierThreshold.FromSpend(2_500.5m)], TierBenefits.Create(2m, "private-sales", "Early-access", "free-shipping"));
        var ladder = TierLadder.Create(tiers, new TierPolicy
        {
            Window = QualificationWindow.RollingMonths(6),
            Validity = StatusValidity.FixedMonths(9),
            Downgrade = DowngradePolicy.ToComputed,
            GracePeriod = Period.FromMonths(1),
            Refunds = RefundPolicy.KeepStatus,
            QualifyingEarnKinds = [EarnKind.Purchase, EarnKind.Activity],
            TimeZone = Paris,
            Currency = Currency.EUR,
        });

        var definition = ladder.ToDefinition();

        definition.Policy.Should().Be(new TierPolicyDefinition
        {
            Window = QualificationWindowKind.RollingMonths,
            WindowMonths = 6,
            Validity = StatusValidityKind.FixedMonths,
            ValidityMonths = 9,
            Downgrade = DowngradePolicy.ToComputed,
            GracePeriod = "P1M",
            Refunds = RefundPolicy.KeepStatus,
            QualifyingEarnKinds = definition.Policy!.QualifyingEarnKinds,
            TimeZone = "Europe/Paris",
            Currency = "EUR",
        });
        definition.Policy.QualifyingEarnKinds.Should().Equal(EarnKind.Purchase, EarnKind.Activity);
        var vip = definition.Tiers[3]!;
        vip.Id.Should().Be("vip");
        vip.Name.Should().Be("VIP");
        vip.Combination.Should().Be(ThresholdCombination.AnyOf);
        vip.EarnMultiplier.Should().Be(2m);
        vip.Perks.Should().Equal("Early-access", "free-shipping", "private-sales");
        vip.Thresholds.Should().Equal(new TierThresholdDefinition { Metric = QualifyingMetric.Points, Value = 5_000m }, new TierThresholdDefinition { Metric = QualifyingMetric.Spend, Value = 2_500.5m });
        definition.Tiers[0]!.Thresholds.Should().BeEmpty();
    }

    [Fact]
    public void The_data_form_of_a_default_policy_leaves_the_optional_settings_out()
    {
        var definition = TierLadder.Create(PointsTiers(), new TierPolicy { Window = QualificationWindow.AnniversaryYear, Validity = StatusValidity.EndOfCurrentPeriod }).ToDefinition();

        var policy = definition.Policy!;
        policy.Window.Should().Be(QualificationWindowKind.AnniversaryYear);
        policy.WindowMonths.Should().BeNull();
        policy.Validity.Should().Be(StatusValidityKind.EndOfCurrentPeriod);
        policy.ValidityMonths.Should().BeNull();
        policy.GracePeriod.Should().BeNull();
        policy.Currency.Should().BeNull();
        policy.TimeZone.Should().Be("UTC");
        policy.Downgrade.Should().Be(DowngradePolicy.OneLevel);
        policy.Refunds.Should().Be(RefundPolicy.RevokeUpgrade);
        TierLadder.FromDefinition(definition).Policy.Window.Should().Be(QualificationWindow.AnniversaryYear);
    }

    [Theory]
    [InlineData("anniversaryYear", "AnniversaryYear")]
    [InlineData("lifetime", "Lifetime")]
    [InlineData("calendarYear", "CalendarYear")]
    public void Every_window_kind_loads_from_data(string window, string expected)
    {
        var ladder = TierLadder.FromJson($$"""{ "policy": { "window": "{{window}}" }, "tiers": [ {{Bronze1}} ] }""");

        ladder.Policy.Window.ToString().Should().Be(expected);
        ladder.Policy.Window.Months.Should().Be(0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(120)]
    public void Rolling_windows_and_fixed_validities_load_from_one_to_120_months(int months)
    {
        var ladder = TierLadder.FromJson($$"""{ "policy": { "window": "rollingMonths", "windowMonths": {{months}}, "validity": "fixedMonths", "validityMonths": {{months}} }, "tiers": [ {{Bronze1}} ] }""");

        ladder.Policy.Window.Should().Be(QualificationWindow.RollingMonths(months));
        ladder.Policy.Validity.Should().Be(StatusValidity.FixedMonths(months));
    }

    [Fact]
    public void Validities_and_policies_load_from_data()
    {
        var ladder = TierLadder.FromJson($$"""{ "policy": { "validity": "endOfCurrentPeriod", "downgrade": "toComputed", "refunds": "keepStatus", "qualifyingEarnKinds": [ "bonus", "purchase" ], "timeZone": "Europe/Paris", "currency": "EUR", "gracePeriod": "P2W" }, "tiers": [ {{Bronze1}} ] }""");

        ladder.Policy.Validity.Should().Be(StatusValidity.EndOfCurrentPeriod);
        ladder.Policy.Downgrade.Should().Be(DowngradePolicy.ToComputed);
        ladder.Policy.Refunds.Should().Be(RefundPolicy.KeepStatus);
        ladder.Policy.QualifyingEarnKinds.Should().Equal(EarnKind.Bonus, EarnKind.Purchase);
        ladder.Policy.TimeZone.Should().Be(Paris);
        ladder.Policy.Currency.Should().Be(Currency.EUR);
        ladder.Policy.GracePeriod.Should().Be(Period.FromWeeks(2));
        TierLadder.FromJson($$"""{ "policy": { "validity": "endOfFollowingPeriod" }, "tiers": [ {{Bronze1}} ] }""").Policy.Validity.Should().Be(StatusValidity.EndOfFollowingPeriod);
    }

    [Theory]
    [InlineData("""{ "policy": { "window": "rollingMonths", "windowMonths": 0 }, "tiers": [ BRONZE ] }""", "policy.windowMonths must be between 1 and 120 for a rollingMonths window (was 0).")]
    [InlineData("""{ "policy": { "window": "rollingMonths", "windowMonths": 121 }, "tiers": [ BRONZE ] }""", "policy.windowMonths must be between 1 and 120 for a rollingMonths window (was 121).")]
    [InlineData("""{ "policy": { "validity": "fixedMonths" }, "tiers": [ BRONZE ] }""", "policy.validityMonths must be between 1 and 120 for a fixedMonths validity (was missing).")]
    [InlineData("""{ "policy": { "validity": "fixedMonths", "validityMonths": 0 }, "tiers": [ BRONZE ] }""", "policy.validityMonths must be between 1 and 120 for a fixedMonths validity (was 0).")]
    [InlineData("""{ "policy": { "window": "anniversaryYear", "windowMonths": 12 }, "tiers": [ BRONZE ] }""", "policy.windowMonths applies to a rollingMonths window only; leave it out for anniversaryYear.")]
    [InlineData("""{ "policy": { "window": "lifetime", "windowMonths": 12 }, "tiers": [ BRONZE ] }""", "policy.windowMonths applies to a rollingMonths window only; leave it out for lifetime.")]
    [InlineData("""{ "policy": { "validity": "endOfCurrentPeriod", "validityMonths": 6 }, "tiers": [ BRONZE ] }""", "policy.validityMonths applies to a fixedMonths validity only; leave it out for endOfCurrentPeriod.")]
    [InlineData("""{ "policy": { "gracePeriod": "P-1D" }, "tiers": [ BRONZE ] }""", "policy.gracePeriod \"P-1D\" must not be negative; leave it out for no grace.")]
    [InlineData("""{ "policy": { "gracePeriod": "P119M" }, "tiers": [ BRONZE ] }""", "policy.gracePeriod \"P119M\" must be at most \"P10Y\" (ten years).")]
    [InlineData("""{ "tiers": [ BRONZE, { "id": "silver", "name": "Silver", "thresholds": [ null ] } ] }""", "tiers[1].thresholds[0] must not be null.")]
    [InlineData("""{ "tiers": [ BRONZE, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "points", "value": 2.5 } ] } ] }""", "tiers[1].thresholds[0].value must be a whole number of points (was 2.5).")]
    [InlineData("""{ "tiers": [ BRONZE, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "points", "value": 10000000000000000000 } ] } ] }""", "tiers[1].thresholds[0].value must be a whole number of points (was 10000000000000000000).")]
    [InlineData("""{ "tiers": [ BRONZE, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "orders", "value": 2147483648 } ] } ] }""", "tiers[1].thresholds[0].value must be a whole number of orders (was 2147483648).")]
    [InlineData("""{ "tiers": [ BRONZE, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "spend", "value": -2 } ] } ] }""", "tiers[1].thresholds[0].value must be greater than 0 (was -2).")]
    [InlineData("""{ "tiers": [ BRONZE, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "points", "value": 0 } ] }, { "id": "gold", "name": "Gold", "thresholds": [ { "metric": "points", "value": 5 } ] } ] }""", "tiers[1].thresholds[0].value must be greater than 0 (was 0).")]
    [InlineData("""{ "tiers": [ BRONZE, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "points", "value": 5 } ] }, { "id": "gold", "name": "Gold", "thresholds": [ { "metric": "points", "value": 0 } ] } ] }""", "tiers[2].thresholds[0].value must be greater than 0 (was 0).")]
    [InlineData("""{ "tiers": [ BRONZE, { "id": "silver", "name": "Silver", "thresholds": [ null, { "metric": "points", "value": 5 } ] }, { "id": "gold", "name": "Gold", "thresholds": [ { "metric": "points", "value": 9 } ] } ] }""", "tiers[1].thresholds[0] must not be null.")]
    [InlineData("""{ "tiers": [ BRONZE, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "points", "value": 5 } ] }, { "id": "gold", "name": "Gold", "thresholds": [ null, { "metric": "points", "value": 9 } ] } ] }""", "tiers[2].thresholds[0] must not be null.")]
    [InlineData("""{ "tiers": [ BRONZE, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "points", "value": 5 } ] }, { "id": "gold", "name": "Gold", "thresholds": [ { "metric": "points", "value": 5 } ] } ] }""", "tiers[2].thresholds[0].value must be greater than the 5 points required by tiers[1] (was 5); list tiers from lowest to highest with strictly increasing thresholds.")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze", "earnMultiplier": -1.5 } ] }""", "tiers[0].earnMultiplier must be greater than 0 (was -1.5); use 1 for no bonus.")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze", "earnMultiplier": 100.5 } ] }""", "tiers[0].earnMultiplier must be at most 100 (was 100.5).")]
    [InlineData("""{ "tiers": [ { "id": "bronze", "name": "Bronze", "perks": [ "a", " " ] } ] }""", "tiers[0].perks[1] must not be empty; use a key such as \"free-shipping\".")]
    [InlineData("""{ "tiers": [ BRONZE, { "id": "silver", "name": "Silver", "thresholds": null } ] }""", "tiers[1].thresholds must list at least one threshold; every tier above the lowest needs one.")]
    [InlineData("""{ "tiers": [ BRONZE, { "id": "silver", "name": "Silver", "thresholds": null }, { "id": "gold", "name": "Gold", "thresholds": [ { "metric": "points", "value": 5 } ] } ] }""", "tiers[1].thresholds must list at least one threshold; every tier above the lowest needs one.")]
    [InlineData("""{ "tiers": [ BRONZE, null, { "id": "gold", "name": "Gold", "thresholds": [ { "metric": "points", "value": 5 } ] } ] }""", "tiers[1] must not be null.")]
    [InlineData("""{ "tiers": [ BRONZE, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "points", "value": 5 } ] }, null ] }""", "tiers[2] must not be null.")]
    [InlineData("""{ "tiers": null }""", "tiers must list at least one tier; put the entry tier (for instance Bronze) first.")]
    public void Bad_data_is_refused_with_exactly_one_error_naming_its_path(string json, string error)
    {
        var act = () => TierLadder.FromJson(json.Replace("BRONZE", Bronze1, StringComparison.Ordinal));

        act.Should().Throw<TierLadderException>().Which.Errors.Should().Equal(error);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("42")]
    public void Json_of_the_wrong_shape_at_the_root_is_refused_without_an_empty_path(string json)
    {
        var ex = FluentActions.Invoking(() => TierLadder.FromJson(json)).Should().Throw<TierLadderException>().Which;

        ex.Errors.Should().ContainSingle().Which.Should().StartWith("The JSON value could not be converted to Loyalty.Core.Tiers.TierLadderDefinition. Path: $ |");
        ex.Message.Should().StartWith("The tier ladder is invalid: The JSON value could not be converted");
    }

    [Fact]
    public void Largest_whole_thresholds_and_the_largest_multiplier_load()
    {
        var ladder = TierLadder.FromJson($$"""{ "tiers": [ { "id": "bronze", "name": "Bronze", "earnMultiplier": 100 }, { "id": "silver", "name": "Silver", "thresholds": [ { "metric": "orders", "value": 2147483647 }, { "metric": "points", "value": 9223372036854775807 } ] } ] }""");

        ladder.EntryTier.Benefits.EarnMultiplier.Should().Be(100m);
        ladder.Get(Silver).Thresholds.Should().Equal(TierThreshold.FromOrders(int.MaxValue), TierThreshold.FromPoints(long.MaxValue));
    }

    [Fact]
    public void Undefined_enum_values_in_a_definition_are_refused_with_their_paths()
    {
        var definition = new TierLadderDefinition
        {
            Policy = new TierPolicyDefinition { Window = (QualificationWindowKind)9, Validity = (StatusValidityKind)5, QualifyingEarnKinds = [EarnKind.Bonus, (EarnKind)8] },
            Tiers =
            [
                new TierLevelDefinition { Id = "bronze", Name = "Bronze", Perks = null! },
                new TierLevelDefinition { Id = "silver", Name = "Silver", Thresholds = [new TierThresholdDefinition { Metric = (QualifyingMetric)7, Value = 5m }] },
            ],
        };

        var ex = FluentActions.Invoking(() => TierLadder.FromDefinition(definition)).Should().Throw<TierLadderException>().Which;

        ex.Errors.Should().Equal(
            "policy.window 9 is not defined; use calendarYear, rollingMonths, anniversaryYear or lifetime.",
            "policy.validity 5 is not defined; use endOfFollowingPeriod, endOfCurrentPeriod or fixedMonths.",
            "policy.qualifyingEarnKinds[1] 8 is not defined; use purchase, activity, bonus or adjustment.",
            "tiers[1].thresholds[0].metric 7 is not defined; use points, spend or orders.");
    }

    [Fact]
    public void A_definition_without_policy_or_perks_takes_the_defaults()
    {
        var definition = new TierLadderDefinition
        {
            Tiers =
            [
                new TierLevelDefinition { Id = "bronze", Name = "Bronze", Perks = null!, Thresholds = null! },
                new TierLevelDefinition { Id = "silver", Name = "Silver", Thresholds = [new TierThresholdDefinition { Metric = QualifyingMetric.Spend, Value = 0.5m }] },
            ],
        };

        var ladder = TierLadder.FromDefinition(definition);

        ladder.Policy.Window.Should().Be(QualificationWindow.CalendarYear);
        ladder.Policy.TimeZone.Should().Be(DateTimeZone.Utc);
        ladder.Policy.QualifyingEarnKinds.Should().Equal(EarnKind.Purchase);
        ladder.EntryTier.Benefits.Perks.Should().BeEmpty();
        ladder.Get(Silver).Thresholds.Should().Equal(TierThreshold.FromSpend(0.5m));
    }

    [Fact]
    public void A_tier_with_a_problem_in_data_is_not_compared_with_its_neighbours()
    {
        var json = """{ "tiers": [ { "id": "bronze", "name": "Bronze" }, { "id": "silver", "name": "", "thresholds": [ { "metric": "points", "value": 500 } ] }, { "id": "gold", "name": "Gold", "thresholds": [ { "metric": "points", "value": 400 } ] } ] }""";

        var ex = FluentActions.Invoking(() => TierLadder.FromJson(json)).Should().Throw<TierLadderException>().Which;

        ex.Errors.Should().Equal(
            "tiers[1].name must not be empty; give a display name such as \"Gold\".",
            "tiers[2].thresholds[0].value must be greater than the 500 points required by tiers[1] (was 400); list tiers from lowest to highest with strictly increasing thresholds.");
    }
}
