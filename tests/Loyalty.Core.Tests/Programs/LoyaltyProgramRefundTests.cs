using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tiers;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

public class LoyaltyProgramRefundTests
{
    /// <summary>
    /// Alice: welcome 100 (available), order A-1 of 500 € (available after the window), a review
    /// (10, available), then order A-2 of 50 € (62 pending: Silver earns 1.25×). She spends 500 on the voucher (the
    /// welcome lot first, then 400 of A-1's lot), then A-1 is refunded in full: 500 points to
    /// take back, only 100 left in A-1's own lot.
    /// </summary>
    [Theory]
    [InlineData(ShortfallPolicy.OnlyPending, 10, 0, 0, 338)]
    [InlineData(ShortfallPolicy.WithinBalance, 0, 0, 0, 328)]
    [InlineData(ShortfallPolicy.AllowNegative, -328, 0, 328, 0)]
    public async Task Refund_after_redemption_follows_the_shortfall_policy(ShortfallPolicy policy, long available, long pending, long debt, long writtenOff)
    {
        using var h = await new ProgramHarness(o => o.Ledger.ShortfallPolicy = policy).ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.OrderAsync("A-1", Alice, 500m);
        h.AdvanceDays(14);
        await h.Program.RecordActivityAsync(ActivityId.From("review-1"), new ActivityInput(ActivityKind.Review, Alice, h.Now));
        await h.OrderAsync("A-2", Alice, 50m);
        (await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1"))).Succeeded.Should().BeTrue();

        var refund = (await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForAmount(500m)))).GetValueOrThrow();

        refund.PointsReversed.Should().Be(P(500));
        refund.IsFullRefund.Should().BeTrue();
        refund.PointsWrittenOff.Should().Be(P(writtenOff));
        refund.DebtAdded.Should().Be(P(debt));
        var balance = await h.BalanceAsync(Alice);
        balance.Available.Should().Be(P(available));
        balance.Pending.Should().Be(P(pending));
        balance.Debt.Should().Be(P(debt));
        balance.Redeemed.Should().Be(P(500), "the redemption stands; only the refunded order's points are taken back");
    }

    [Fact]
    public async Task Partial_refunds_reverse_exactly_what_the_order_earned_in_total()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, new OrderLine("SHOE", 1, 99.99m, categories: ["shoes"]), Line("SOCK", 3, 3.33m)));
        var earned = (await h.BalanceAsync(Alice)).Pending;

        var total = P(0);
        foreach (var (id, refund) in new[] { ("R-1", OrderRefund.ForLines(new LineRefund(1, 1))), ("R-2", OrderRefund.ForLines(new LineRefund(1, 2))), ("R-3", OrderRefund.ForLines(new LineRefund(0, 1))) })
        {
            total += (await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From(id), OrderId.From("A-1"), refund))).GetValueOrThrow().PointsReversed;
        }

        total.Should().Be(earned);
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(0));
    }

    [Fact]
    public async Task A_refund_reduces_tier_qualification()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        (await h.OrderAsync("A-1", Alice, 600m)).Tier.Should().Be(TierId.From("silver"));

        var refund = (await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForAmount(300m)))).GetValueOrThrow();

        refund.PointsReversed.Should().Be(P(300));
        refund.Tier.Should().Be(TierId.From("bronze"), "the refund revokes the upgrade it paid for");
        (await h.Program.GetMemberSummaryAsync(Alice)).Value!.Tier.QualifyingValue.Points.Should().Be(300);
    }

    [Fact]
    public async Task Refunding_more_than_the_order_is_refused()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("A", 2, 30m)));
        await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(0, 1))));

        var lines = await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-2"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(0, 2))));
        lines.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.RefundExceedsOrder, "Line 0 of order 'A-1' has 2 units, 1 already refunded; 2 more cannot be refunded."));

        var amount = await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-3"), OrderId.From("A-1"), OrderRefund.ForAmount(30.01m)));
        amount.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.RefundExceedsOrder, "Order 'A-1' has a net subtotal of 60.00 with 30.00 already refunded; 30.01 more cannot be refunded."));

        var unknown = await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-4"), OrderId.From("A-404"), OrderRefund.ForAmount(1m)));
        unknown.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.OrderNotFound, "Order 'A-404' was never recorded; record it before refunding it."));
    }

    [Theory]
    [InlineData(20)]
    [InlineData(7)]
    [InlineData(200)]
    public async Task Refunding_a_third_of_the_money_at_a_time_reverses_a_third_of_the_points_each_time(int price)
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("ITEM", 3, price)));

        var reversed = new List<long>();
        for (var i = 1; i <= 3; i++)
        {
            var receipt = (await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From($"R-{i}"), OrderId.From("A-1"), OrderRefund.ForAmount(price)))).GetValueOrThrow();
            reversed.Add(receipt.PointsReversed.Value);
            (receipt.PointsTakenBack + receipt.PointsWrittenOff + receipt.DebtAdded).Should().Be(receipt.PointsReversed);
            receipt.Rules.Should().NotBeEmpty();
            receipt.Rules.Sum(r => r.Points.Value).Should().Be(receipt.PointsReversed.Value);
        }

        reversed.Should().Equal(price, price, price);
    }
}
