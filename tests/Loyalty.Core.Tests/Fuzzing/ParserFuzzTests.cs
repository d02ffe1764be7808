using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.Tests.Fuzzing;

/// <summary>
/// Thousands of mutated rule-set and ladder documents: each parser either accepts a document or
/// throws its one documented exception; an accepted rule set then evaluates without exception.
/// </summary>
public class ParserFuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int DocumentsPerParser = 20_000;

    private const string RuleSetDocument = """
        {
          "version": "2026-03",
          "effectiveFrom": "2026-03-01T00:00:00Z",
          "currency": "EUR",
          "timeZone": "Europe/Paris",
          "groups": [ { "name": "welcome", "mode": "firstMatch" }, { "name": "best", "mode": "bestOf" } ],
          "rules": [
            { "kind": "spend", "id": "base", "pointsPerUnit": 1, "excludedLines": { "brands": [ "acme" ] }, "includeShipping": true, "includeTax": true },
            { "kind": "multiplier", "id": "shoes-x2", "baseRule": "base", "multiplier": 2, "lines": { "categories": [ "shoes" ], "skus": [ "s-1" ] } },
            { "kind": "tierMultiplier", "id": "tiers", "baseRule": "base", "multipliers": [ { "tier": "gold", "multiplier": 1.5 } ] },
            { "kind": "thresholdBonus", "id": "big", "threshold": 100, "points": 500, "clawback": "reverseBelowThreshold", "group": "best" },
            { "kind": "orderCountBonus", "id": "second", "orderNumber": 2, "points": 200, "group": "welcome" },
            { "kind": "fixedBonus", "id": "per-unit", "points": 5, "per": "perUnit", "lines": { "categories": [ "tops" ] },
              "caps": { "perOrder": 100, "campaignBudget": 10000, "perMember": { "period": "week", "maxPoints": 300, "maxAwards": 3 } } },
            { "kind": "activity", "id": "review", "activity": "review", "points": 20,
              "caps": { "perMember": { "period": "month", "maxAwards": 5 } } },
            { "kind": "activity", "id": "quiz", "activity": "custom", "eventName": "quiz", "points": 10 },
            { "kind": "fixedBonus", "id": "weekend", "points": 50, "rounding": "halfEven", "exclusive": true, "priority": 9,
              "condition": { "type": "all", "conditions": [
                { "type": "daysOfWeek", "days": [ "saturday", "sunday" ] },
                { "type": "timeOfDay", "from": "08:00:00", "to": "20:00:00" },
                { "type": "dateWindow", "from": "2026-03-01", "to": "2026-12-31" },
                { "type": "subtotal", "min": 10, "max": 1000 },
                { "type": "orderCount", "min": 0, "max": 10 },
                { "type": "any", "conditions": [
                  { "type": "tier", "tiers": [ "gold" ] },
                  { "type": "store", "stores": [ "paris-1" ] },
                  { "type": "segment", "segments": [ "champions" ] },
                  { "type": "coupon", "coupons": [ "WELCOME" ] },
                  { "type": "line", "lines": { "brands": [ "acme" ] } } ] },
                { "type": "not", "condition": { "type": "channel", "channels": [ "store" ] } } ] } }
          ]
        }
        """;

    private const string LadderDocument = """
        {
          "policy": {
            "window": "rollingMonths",
            "windowMonths": 12,
            "validity": "fixedMonths",
            "validityMonths": 12,
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
              "earnMultiplier": 1.5, "perks": [ "free-shipping", "private-sales", "early-access" ] }
          ]
        }
        """;

    [Fact]
    public void The_seed_documents_are_valid()
    {
        EarningRuleSet.FromJson(RuleSetDocument).OrderedRules.Should().HaveCount(9);
        TierLadder.FromJson(LadderDocument).Tiers.Should().HaveCount(3);
    }

    [Fact]
    public void Mutated_rule_sets_are_accepted_or_refused_with_an_EarningRuleSetException_only()
    {
        var mutator = new JsonMutator(seed: 13_001);
        var (accepted, refused) = (0, 0);
        var parsing = new System.Diagnostics.Stopwatch();
        var evaluating = new System.Diagnostics.Stopwatch();
        for (var i = 0; i < DocumentsPerParser; i++)
        {
            var document = mutator.Mutate(RuleSetDocument);
            EarningRuleSet ruleSet;
            parsing.Start();
            try
            {
                ruleSet = EarningRuleSet.FromJson(document);
            }
            catch (EarningRuleSetException ex)
            {
                // Plain checks in the loop: FluentAssertions walks the stack on every call.
                if (ex.Errors.Count == 0 || ex.Errors.Any(string.IsNullOrWhiteSpace))
                {
                    throw new Xunit.Sdk.XunitException($"Document {i} was refused without a message.\n{document}");
                }

                refused++;
                continue;
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"Document {i} threw {ex.GetType().Name}: {ex.Message}\n{document}", ex);
            }

            finally
            {
                parsing.Stop();
            }

            accepted++;
            evaluating.Start();
            EvaluateEverywhere(ruleSet, document, i);
            evaluating.Stop();
        }

        output.WriteLine($"{accepted} accepted, {refused} refused; parsing {parsing.Elapsed.TotalSeconds:0.0} s, evaluating {evaluating.Elapsed.TotalSeconds:0.0} s.");

        accepted.Should().BePositive();
        refused.Should().BePositive();
    }

    [Fact]
    public void Mutated_ladders_are_accepted_or_refused_with_a_TierLadderException_only()
    {
        var mutator = new JsonMutator(seed: 13_002);
        var (accepted, refused) = (0, 0);
        for (var i = 0; i < DocumentsPerParser; i++)
        {
            var document = mutator.Mutate(LadderDocument);
            try
            {
                var ladder = TierLadder.FromJson(document);
                if (TierLadder.FromJson(ladder.ToJson()).Tiers.Count != ladder.Tiers.Count)
                {
                    throw new Xunit.Sdk.XunitException($"Document {i} does not survive a round trip.\n{document}");
                }

                accepted++;
            }
            catch (TierLadderException ex)
            {
                if (ex.Errors.Count == 0 || ex.Errors.Any(string.IsNullOrWhiteSpace))
                {
                    throw new Xunit.Sdk.XunitException($"Document {i} was refused without a message.\n{document}");
                }

                refused++;
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"Document {i} threw {ex.GetType().Name}: {ex.Message}\n{document}", ex);
            }
        }

        accepted.Should().BePositive();
        refused.Should().BePositive();
    }

    private static readonly MemberContext Gold = new(TierId.From("gold"), 2m, 1, segments: ["champions"]);

    private static void EvaluateEverywhere(EarningRuleSet ruleSet, string document, int index)
    {
        var at = Instant.FromUtc(2026, 3, 7, 10, 0);
        var currency = ruleSet.Currency;
        EarningOrder[] orders =
        [
            new(OrderId.From("small"), MemberId.From("m"), at, currency, [new OrderLine("s-1", 2, 19.99m, categories: ["shoes"], brand: "acme")], coupons: ["WELCOME"]),
            new(OrderId.From("largest"), MemberId.From("m"), at, currency,
                [new OrderLine("s-1", EarningLimits.MaxQuantity - 1, 100_000m, categories: ["shoes", "tops"]),
                 new OrderLine("g", 1, 400_000_000_000m, categories: ["tops"], brand: "acme")],
                shipping: 250_000_000_000m, tax: 250_000_100_000m, store: MerchantId.From("paris-1")),
        ];
        try
        {
            foreach (var order in orders)
            {
                foreach (var member in new[] { MemberContext.Default, Gold })
                {
                    var result = EarningEngine.Instance.Evaluate(ruleSet, order, member, EarningUsage.Empty);
                    if (result.Total.Value < 0)
                    {
                        throw new Xunit.Sdk.XunitException($"Accepted document {index} earned {result.Total} on order {order.Id}.");
                    }
                }
            }

            EarningEngine.Instance.Evaluate(ruleSet, new ActivityInput(ActivityKind.Review, MemberId.From("m"), at), Gold, EarningUsage.Empty);
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"Accepted document {index} threw {ex.GetType().Name} on evaluation: {ex.Message}\n{document}", ex);
        }
    }
}
