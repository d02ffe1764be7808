using System.Text.Json;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;

namespace Loyalty.Core.Tests.Programs;

public class DerivedIdsTests
{
    [Fact]
    public void Ledger_ids_are_derived_from_the_shops_ids()
    {
        DerivedIds.Order(OrderId.From("A-1001")).Value.Should().Be("order:A-1001");
        DerivedIds.Refund(RefundId.From("R-7")).Value.Should().Be("refund:R-7");
        DerivedIds.Activity(ActivityId.From("review-9")).Value.Should().Be("activity:review-9");
        DerivedIds.Redemption(RedemptionId.From("RD-1")).Value.Should().Be("redeem:RD-1");
        DerivedIds.RedemptionCancel(RedemptionId.From("RD-1")).Value.Should().Be("redeem-cancel:RD-1");
        DerivedIds.Hold(OrderId.From("A-2")).Value.Should().Be("hold:A-2");
        DerivedIds.Birthday(MemberId.From("alice"), 2027).Value.Should().Be("birthday:2027:alice");
    }

    [Fact]
    public void Ids_too_long_for_a_prefix_are_hashed_deterministically_and_distinctly()
    {
        var longId = new string('x', 128);
        var derived = DerivedIds.Order(OrderId.From(longId));

        derived.Value.Should().StartWith("order:#").And.HaveLength(7 + 64);
        DerivedIds.Order(OrderId.From(longId)).Should().Be(derived);
        DerivedIds.Order(OrderId.From(new string('y', 128))).Should().NotBe(derived);
    }

    [Fact]
    public void The_programmes_ids_accept_the_shops_forms_and_round_trip_through_json()
    {
        RewardId.From(5).Value.Should().Be("5");
        RedemptionId.From(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e")).Value.Should().Be("0f8fad5b-d9cb-469f-a165-70867728950e");
        JsonSerializer.Serialize(RefundId.From("R-1")).Should().Be("\"R-1\"");
        JsonSerializer.Deserialize<ActivityId>("\"review-9\"").Should().Be(ActivityId.From("review-9"));
        var bad = () => RewardId.From(" x");
        bad.Should().Throw<ArgumentException>().Which.Message.Should().Be("RewardId must not start or end with whitespace (was \" x\"); trim it first. (Parameter 'value')");
    }
}
