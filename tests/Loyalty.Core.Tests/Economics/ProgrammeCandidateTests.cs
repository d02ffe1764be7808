using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Earning;
using Loyalty.Core.Economics;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tests.Programs;

namespace Loyalty.Core.Tests.Economics;

public class ProgrammeCandidateTests
{
    private static string Json(string extra = "") => $$"""
        {
          "name": "A",
          "ruleSet": {{ProgramHarness.Rules.ToJson()}},
          "tiers": {{ProgramHarness.Ladder.ToJson()}},
          "pendingPeriodDays": 14,
          "expiry": { "policy": "Rolling", "months": 12, "roundUpTo": "EndOfMonth" },
          "rewards": [
            { "id": "voucher-5", "name": "5 € voucher", "kind": "AmountOffVoucher", "points": 500, "amountOff": 5 },
            { "id": "mug", "name": "Mug", "kind": "GiftProduct", "points": 200, "sku": "MUG", "costToShop": 1.8, "requiredTier": "silver" }
          ],
          "redemption": { "model": "BestAffordable", "probability": 0.3 }{{extra}}
        }
        """;

    [Fact]
    public void A_candidate_reads_from_json()
    {
        var candidate = ProgrammeCandidate.FromJson(Json());
        candidate.Name.Should().Be("A");
        candidate.RuleSets.Versions.Single().ToJson().Should().Be(ProgramHarness.Rules.ToJson());
        candidate.Tiers.Tiers.Select(t => t.Id.Value).Should().Equal("bronze", "silver", "gold");
        candidate.PendingPeriod.Should().Be(NodaTime.Duration.FromDays(14));
        candidate.Expiry.ToString().Should().Be(ExpiryPolicy.RollingMonths(12, ExpiryRounding.EndOfMonth).ToString());
        candidate.Rewards.Find(RewardId.From("voucher-5"))!.CostToShop.Should().Be(Money.FromDecimal(5m, Currency.EUR));
        candidate.Rewards.Find(RewardId.From("mug"))!.CostToShop.Should().Be(Money.FromDecimal(1.8m, Currency.EUR));
        candidate.Rewards.Find(RewardId.From("mug"))!.RequiredTier.Should().Be(TierId.From("silver"));
        candidate.Redemption.ToString().Should().Be("BestAffordable p=0.3");
        candidate.Valuation.Should().BeNull();
    }

    [Theory]
    [InlineData(""", "costPerPoint": -0.01""", "Programme candidate $.costPerPoint: costPerPoint must be 0 or more (was -0.01); a point cannot cost the shop a negative amount. (Parameter 'costPerPoint')*")]
    [InlineData(""", "colour": "red" """, "Programme candidate $.colour: is not a known property; use costPerPoint, expiry, name, pendingPeriodDays, redemption, rewards, ruleSet, ruleSets, tiers (Parameter 'json')")]
    public void Bad_candidates_are_refused_with_the_json_path(string extra, string message)
    {
        var act = () => ProgrammeCandidate.FromJson(Json(extra));
        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void A_redemption_probability_outside_0_to_1_in_json_is_refused()
    {
        var act = () => ProgrammeCandidate.FromJson(Json().Replace("\"probability\": 0.3", "\"probability\": 1.3", StringComparison.Ordinal));
        act.Should().Throw<ArgumentException>()
            .WithMessage("Programme candidate $.redemption.probability: probability must be between 0 and 1 inclusive (was 1.3); write 95 % as 0.95. (Parameter 'probability')*");
    }

    [Fact]
    public void Malformed_json_is_refused()
    {
        var act = () => ProgrammeCandidate.FromJson("{ \"name\": ");
        act.Should().Throw<ArgumentException>().WithMessage("The programme candidate is not valid JSON: *");
    }

    [Property(MaxTest = 300 / PropertyRuns.Divisor)]
    public Property Mangled_json_is_read_or_refused_with_an_argument_exception_never_anything_else(int seed, byte cuts)
    {
        // Cut, duplicate and swap spans of a valid candidate: the reader must answer with a candidate or an ArgumentException.
        var random = new Random(seed);
        var text = Json();
        for (var i = 0; i < 1 + (cuts % 4); i++)
        {
            var at = random.Next(text.Length);
            var length = random.Next(Math.Min(40, text.Length - at) + 1);
            text = random.Next(3) switch
            {
                0 => text.Remove(at, length),
                1 => text.Insert(random.Next(text.Length), text.Substring(at, length)),
                _ => text[..at] + new string((char)random.Next(32, 127), 1) + text[(at + 1)..],
            };
        }

        try
        {
            return (ProgrammeCandidate.FromJson(text) is not null).ToProperty();
        }
        catch (ArgumentException e)
        {
            return (!string.IsNullOrWhiteSpace(e.Message)).Label(e.Message);
        }
    }
}
