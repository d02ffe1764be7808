using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;

namespace Loyalty.Core.Tests.Rewards;

public class RewardCatalogTests
{
    private static RewardDefinition Shipping(string id, long cost = 200) => RewardDefinition.FreeShipping(RewardId.From(id), "Free delivery", Points.FromInt64(cost));

    [Fact]
    public void Rewards_are_found_by_id_and_replaced_in_place()
    {
        var catalog = RewardCatalog.Create([Shipping("a"), Shipping("b")]).WithReward(Shipping("a", 300)).WithReward(Shipping("c"));

        catalog.Rewards.Select(r => r.Id.Value).Should().Equal("a", "b", "c");
        catalog.Find(RewardId.From("a"))!.Cost.Should().Be(Points.FromInt64(300));
        catalog.Find(RewardId.From("z")).Should().BeNull();
        RewardCatalog.Empty.Rewards.Should().BeEmpty();
    }

    [Fact]
    public void Duplicate_ids_and_nulls_are_refused()
    {
        var dup = () => RewardCatalog.Create([Shipping("a"), Shipping("a")]);
        dup.Should().Throw<ArgumentException>().Which.Message.Should().Be("Reward id 'a' appears more than once; every reward in a catalogue needs its own id. (Parameter 'rewards')");
        var nul = () => RewardCatalog.Create([Shipping("a"), null!]);
        nul.Should().Throw<ArgumentNullException>().Which.Message.Should().Be("rewards must not contain null. (Parameter 'rewards')");
    }

    [Fact]
    public void The_default_code_generator_makes_readable_distinct_codes()
    {
        var generator = new RandomRewardCodeGenerator();
        var codes = Enumerable.Range(0, 1000).Select(i => generator.Generate(Shipping("a"), MemberId.From("m"), RedemptionId.From(i))).ToList();

        codes.Should().OnlyContain(c => System.Text.RegularExpressions.Regex.IsMatch(c, "^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$"));
        codes.Distinct().Should().HaveCount(1000);
    }
}
