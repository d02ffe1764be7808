using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

/// <summary>The JSON form of rule sets and results: what is written, what is read and how bad JSON is reported.</summary>
public class EarningJsonTests
{
    private const string Invalid = "The earning rule set is invalid: ";

    private static string Document(string rule) => $$"""
        { "version": "v1", "effectiveFrom": "2026-01-01T00:00:00Z", "currency": "EUR", "timeZone": "Europe/Paris", "rules": [ {{rule}} ] }
        """;

    private static string ErrorOf(string json) =>
        FluentActions.Invoking(() => EarningRuleSet.FromJson(json)).Should().Throw<EarningRuleSetException>().Which.Errors.Should().ContainSingle().Which;

    [Fact]
    public void A_rule_set_is_written_as_indented_camel_case_without_nulls()
    {
        Rules().EarnPerUnit("base", 1m).Build().ToJson().ReplaceLineEndings("\n").Should().Be("""
            {
              "version": "v1",
              "effectiveFrom": "2026-01-01T00:00:00Z",
              "currency": "EUR",
              "timeZone": "Europe/Paris",
              "groups": [],
              "rules": [
                {
                  "kind": "spend",
                  "pointsPerUnit": 1,
                  "includeShipping": false,
                  "includeTax": false,
                  "includeGiftCards": false,
                  "includePaidWithPoints": false,
                  "id": "base",
                  "priority": 0,
                  "exclusive": false,
                  "rounding": "floor"
                }
              ]
            }
            """);
    }

    [Fact]
    public void Dates_times_points_and_enums_are_written_in_their_documented_forms()
    {
        var json = Rules()
            .FixedBonus("b", 5, configure: r => r with
            {
                Rounding = PointsRounding.HalfEven,
                Condition = Conditions.All(
                    Conditions.Between(new LocalDate(2026, 3, 28), null),
                    Conditions.TimeOfDay(new LocalTime(9, 30), new LocalTime(17, 0)),
                    Conditions.DaysOfWeek(IsoDayOfWeek.Saturday)),
            })
            .Build().ToJson();

        json.Should().Contain("\"points\": 5,")
            .And.Contain("\"from\": \"2026-03-28\"")
            .And.Contain("\"from\": \"09:30:00\"")
            .And.Contain("\"to\": \"17:00:00\"")
            .And.Contain("\"saturday\"")
            .And.Contain("\"per\": \"perOrder\"")
            .And.Contain("\"rounding\": \"halfEven\"")
            .And.NotContain("\"to\": null");
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed()
    {
        const string json = """
            {
              // The spring programme.
              "version": "v1", "effectiveFrom": "2026-01-01T00:00:00Z", "currency": "EUR", "timeZone": "Europe/Paris",
              "rules": [ { "kind": "spend", "id": "base", "pointsPerUnit": 1, /* one per euro */ }, ],
            }
            """;

        EarningRuleSet.FromJson(json).OrderedRules.Should().ContainSingle().Which.Should().Be(new SpendRule { Id = RuleId.From("base"), PointsPerUnit = 1m });
    }

    [Fact]
    public void Bad_values_are_refused_naming_their_path()
    {
        ErrorOf("""{ "version": "v1", "effectiveFrom": "yesterday", "currency": "EUR", "timeZone": "Europe/Paris" }""")
            .Should().Be("effectiveFrom: Expected an ISO 8601 UTC instant such as \"2026-03-01T00:00:00Z\" (was \"yesterday\").");
        ErrorOf("""{ "version": "v1", "effectiveFrom": 5, "currency": "EUR", "timeZone": "Europe/Paris" }""")
            .Should().Be("effectiveFrom: Expected an ISO 8601 UTC instant such as \"2026-03-01T00:00:00Z\" (was Number).");
        ErrorOf(Document("""{ "kind": "fixedBonus", "id": "b", "points": 1.5 }"""))
            .Should().Be("rules[0].points: Points must be a whole number (was Number).");
        ErrorOf(Document("""{ "kind": "fixedBonus", "id": "b", "points": "5" }"""))
            .Should().Be("rules[0].points: Points must be a whole number (was String).");
        ErrorOf(Document("""{ "kind": "fixedBonus", "id": "b", "points": 5, "condition": { "type": "timeOfDay", "from": 9, "to": "10:00:00" } }"""))
            .Should().Be("rules[0].condition.from: Expected a time of day such as \"09:30:00\" (was Number).");
        ErrorOf(Document("""{ "kind": "fixedBonus", "id": "b", "points": 5, "condition": { "type": "timeOfDay", "from": "9h", "to": "10:00:00" } }"""))
            .Should().Be("rules[0].condition.from: Expected a time of day such as \"09:30:00\" (was \"9h\").");
        ErrorOf(Document("""{ "kind": "fixedBonus", "id": "b", "points": 5, "condition": { "type": "dateWindow", "from": "2026-13-01" } }"""))
            .Should().Be("rules[0].condition.from: Expected an ISO date such as \"2026-03-28\" (was \"2026-13-01\").");
        ErrorOf(Document("""{ "kind": "fixedBonus", "id": "b", "points": 5, "condition": { "type": "dateWindow", "to": true } }"""))
            .Should().Be("rules[0].condition.to: Expected an ISO date such as \"2026-03-28\" (was True).");
        ErrorOf(Document("""{ "kind": "fixedBonus", "id": "b", "points": 5, "colour": "red" }"""))
            .Should().Be("rules[0].colour: The JSON property 'colour' could not be mapped to any .NET member contained in type 'Loyalty.Core.Earning.FixedBonusRule'.");
    }

    [Fact]
    public void Enums_must_be_written_as_names()
    {
        ErrorOf(Document("""{ "kind": "fixedBonus", "id": "b", "points": 5, "per": 1 }"""))
            .Should().StartWith("rules[0].per: The JSON value could not be converted to Loyalty.Core.Earning.BonusBasis.");
        EarningRuleSet.FromJson(Document("""{ "kind": "fixedBonus", "id": "b", "points": 5, "per": "perUnit", "lines": { "skus": [ "a" ] } }"""))
            .OrderedRules.Should().ContainSingle().Which.Should().BeOfType<FixedBonusRule>().Which.Per.Should().Be(BonusBasis.PerUnit);
    }

    [Fact]
    public void Json_of_the_wrong_shape_at_the_root_is_refused_without_a_path()
    {
        ErrorOf("[1, 2]").Should().StartWith("The JSON value could not be converted to Loyalty.Core.Earning.EarningRuleSetDefinition.");
        FluentActions.Invoking(() => EarningRuleSet.FromJson("null")).Should().Throw<EarningRuleSetException>()
            .WithMessage(Invalid + "The JSON holds null instead of a rule set.");
        FluentActions.Invoking(() => EarningRuleSet.FromJson(null!)).Should().Throw<ArgumentNullException>().WithParameterName("json");
        FluentActions.Invoking(() => EarningResult.FromJson(null!)).Should().Throw<ArgumentNullException>().WithParameterName("json");
    }

    [Fact]
    public void A_refused_read_keeps_its_cause()
    {
        var ex = FluentActions.Invoking(() => EarningRuleSet.FromJson(Document("{}"))).Should().Throw<EarningRuleSetException>().Which;

        ex.InnerException.Should().BeOfType<NotSupportedException>();
        FluentActions.Invoking(() => EarningRuleSet.FromJson(Document("""{ "kind": "fixedBonus", "id": "b", "points": "5" }""")))
            .Should().Throw<EarningRuleSetException>().WithInnerException<System.Text.Json.JsonException>();
    }

    [Fact]
    public void A_missing_discriminator_is_explained_from_the_serializers_message()
    {
        const string Condition = "The JSON payload for polymorphic interface or abstract type 'Loyalty.Core.Earning.EarningCondition' must specify a type discriminator.";
        const string Rule = "The JSON payload for polymorphic interface or abstract type 'Loyalty.Core.Earning.EarningRule' must specify a type discriminator.";
        const string ConditionKinds = "use one of all, any, not, subtotal, line, channel, store, coupon, dateWindow, timeOfDay, daysOfWeek, tier, segment, orderCount.";

        EarningJson.MissingDiscriminator(Condition + " Path: $ | LineNumber: 0 | BytePositionInLine: 2.")
            .Should().Be("a condition needs its \"type\" field; " + ConditionKinds);
        EarningJson.MissingDiscriminator(Condition + " Path: $.rules[0].condition.conditions[1] | LineNumber: 0 | BytePositionInLine: 214.")
            .Should().Be("rules[0].condition.conditions[1]: a condition needs its \"type\" field; " + ConditionKinds);
        EarningJson.MissingDiscriminator(Rule + " Path: $.rules[3].")
            .Should().Be("rules[3]: a rule needs its \"kind\" field; use one of spend, multiplier, fixedBonus, thresholdBonus, orderCountBonus, tierMultiplier, activity.");
        EarningJson.MissingDiscriminator(Rule)
            .Should().Be("a rule needs its \"kind\" field; use one of spend, multiplier, fixedBonus, thresholdBonus, orderCountBonus, tierMultiplier, activity.");
        EarningJson.MissingDiscriminator("Something else. Path: $.groups[0] | LineNumber: 1")
            .Should().Be("groups[0]: this value cannot be read: Something else. Path: $.groups[0] | LineNumber: 1");
        EarningJson.MissingDiscriminator("Something else.").Should().Be("this value cannot be read: Something else.");
    }

    [Fact]
    public void A_result_is_stored_with_every_field_and_read_back_equal()
    {
        var rules = Rules().Activity("review", ActivityKind.Review, 20, r => r with { Caps = new RuleCaps { CampaignBudget = Points.FromInt64(100) } }).Build();
        var result = EarningEngine.Instance.Evaluate(rules, new ActivityInput(ActivityKind.Review, Alice, Instant.FromUtc(2026, 3, 4, 10, 0)), MemberContext.Default, EarningUsage.Empty);

        var json = result.ToJson();

        json.ReplaceLineEndings("\n").Should().Be("""
            {
              "member": "alice",
              "ruleSetVersion": "v1",
              "occurredAt": "2026-03-04T10:00:00Z",
              "isQuote": false,
              "total": 20,
              "lineCount": 0,
              "rules": [
                {
                  "ruleId": "review",
                  "outcome": "fired",
                  "reversal": "none",
                  "desired": 20,
                  "rounded": 20,
                  "awarded": 20,
                  "allocation": [
                    20
                  ]
                }
              ],
              "usageDeltas": [
                {
                  "ruleId": "review",
                  "points": 20,
                  "count": 1
                }
              ],
              "thresholds": []
            }
            """);
        var back = EarningResult.FromJson(json);
        back.ToJson().Should().Be(json);
        back.OrderId.Should().BeNull();
        back.Member.Should().Be(Alice);
        back.OccurredAt.Should().Be(result.OccurredAt);
        back.Rules.Should().ContainSingle().Which.Allocation.ToArray().Should().Equal(20);
    }

    [Fact]
    public void A_result_without_lists_reads_as_empty_lists()
    {
        var result = new EarningResult(null, Alice, "v1", Start, isQuote: true, Points.Zero, 0, null!, null!, null!);

        result.Rules.Should().BeEmpty();
        result.UsageDeltas.Should().BeEmpty();
        result.Thresholds.Should().BeEmpty();
        result.IsQuote.Should().BeTrue();
        EarningResult.FromJson("""{ "member": "alice", "ruleSetVersion": "v1", "occurredAt": "2026-01-01T00:00:00Z", "total": 0 }""").Rules.Should().BeEmpty();
    }
}
