using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

public class LoyaltyProgramConcurrencyTests
{
    [Fact]
    public async Task Parallel_orders_refunds_and_redemptions_on_one_member_lose_and_double_nothing()
    {
        using var h = await new ProgramHarness(o => o.Ledger.PendingPeriod = TimeSpan.Zero).ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.Program.RecordOrderAsync(Order("BIG", Alice, h.Now, Line("L0", 1, 100m), Line("L1", 1, 100m), Line("L2", 1, 100m), Line("L3", 1, 100m), Line("L4", 1, 100m)));
        await h.Program.PublishRewardAsync(Voucher.WithStock(3));

        // Everything at once, on the thread pool: orders with their webhook retries, refunds, redemptions.
        var orders = Enumerable.Range(0, 40).Select(i => Run(() => h.Program.RecordOrderAsync(Order($"O-{i % 20}", Alice, h.Now, Line("SKU", 1, 20m))))).ToList();
        var refunds = Enumerable.Range(0, 5).Select(i => Run(() => h.Program.RecordRefundAsync(new RefundRequest(RefundId.From($"R-{i}"), OrderId.From("BIG"), OrderRefund.ForLines(new LineRefund(i, 1)))))).ToList();
        var redemptions = Enumerable.Range(0, 6).Select(i => Run(() => h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From($"RD-{i}")))).ToList();

        var orderResults = await Task.WhenAll(orders);
        var refundResults = await Task.WhenAll(refunds);
        var redeemResults = await Task.WhenAll(redemptions);

        orderResults.Should().OnlyContain(r => r.Succeeded);
        orderResults.Count(r => !r.IsRepeat).Should().Be(20, "each order is recorded once, its retry is a repeat");
        refundResults.Should().OnlyContain(r => r.Succeeded, "refunds of different lines of one order all apply");
        var redeemed = redeemResults.Count(r => r.Succeeded);
        redeemed.Should().BeLessThanOrEqualTo(3, "only three vouchers are in stock");
        redeemResults.Where(r => !r.Succeeded).Should().OnlyContain(r => r.ErrorCode == LoyaltyErrorCode.RewardOutOfStock || r.ErrorCode == LoyaltyErrorCode.InsufficientPoints);

        // Each order's tier multiplier depends on whether the refunds had landed yet; the sums never lie.
        var ordersEarned = orderResults.Where(r => !r.IsRepeat).Aggregate(P(0), (sum, r) => sum + r.Value!.Points);
        var balance = await h.BalanceAsync(Alice);
        balance.Earned.Should().Be(P(100 + 500) + ordersEarned);
        refundResults.Aggregate(P(0), (sum, r) => sum + r.Value!.PointsReversed).Should().Be(P(500));
        (balance.Reversed + balance.WrittenOff).Should().Be(P(500));
        balance.Redeemed.Should().Be(P(500 * redeemed));
        balance.Available.Should().Be(balance.Earned - balance.Reversed - balance.Redeemed);
        (await h.Rewards.CountClaimedAsync(ProgramId.From("club"), Voucher.Id)).Should().Be(redeemed);
        var history = await h.Members.GetHistoryAsync(ProgramId.From("club"), Alice);
        history.Orders.Should().HaveCount(21);
        history.Refunds.Should().HaveCount(5);
    }

    [Fact]
    public async Task The_same_redemption_sent_in_parallel_spends_once()
    {
        using var h = await new ProgramHarness(o => o.Ledger.PendingPeriod = TimeSpan.Zero).ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.OrderAsync("A-1", Alice, 1900m);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1")))));

        results.Should().OnlyContain(r => r.Succeeded);
        results.Select(r => r.Value!.Code).Distinct().Should().ContainSingle();
        (await h.BalanceAsync(Alice)).Redeemed.Should().Be(P(500));
    }

    private static Task<LoyaltyResult<T>> Run<T>(Func<Task<LoyaltyResult<T>>> call)
        where T : class =>
        Task.Run(call);
}
