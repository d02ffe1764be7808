using FluentAssertions;
using Loyalty.Core.Coalition;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Xunit;
using static Loyalty.Core.Tests.Coalition.CoalitionHarness;

namespace Loyalty.Core.Tests.Coalition;

/// <summary>Catalogue rewards and pay-with-points record the partner where they happened, so the partner is reimbursed.</summary>
public sealed class RewardsAtPartnerTests
{
    private static readonly MemberId Alice = MemberId.From("alice");
    private static readonly RewardId Voucher = RewardId.From("voucher-5");
    private static readonly RewardId PointsPay = RewardId.From("points-pay");

    [Fact]
    public async Task A_catalogue_reward_redeemed_at_a_partner_is_reimbursed_to_it_and_its_cancellation_is_recorded_there_too()
    {
        using var h = await ConfiguredAsync();
        h.AdvanceTo(At(2026, 1, 22));

        var redemption = (await h.Coalition.RedeemRewardAtAsync(Bookshop, Alice, Voucher, RedemptionId.From("V-1"))).GetValueOrThrow();
        (await h.Ledger.FindTransactionAsync(redemption.LedgerTransactionId))!.Merchant.Should().Be(Bookshop);

        h.AdvanceTo(At(2026, 2, 1, 12));
        var bookshop = (await h.Coalition.SettleAsync(January)).StatementOf(Bookshop);
        bookshop.Points.Redeemed.Should().Be(500);
        bookshop.Reimbursed.Should().Be(4.50m); // 500 × 0.009 €

        h.AdvanceTo(At(2026, 2, 3));
        (await h.Program.CancelRedemptionAsync(RedemptionId.From("V-1"))).Succeeded.Should().BeTrue();
        (await h.Ledger.FindTransactionAsync(DerivedIds.RedemptionCancel(RedemptionId.From("V-1"))))!.Merchant.Should().Be(Bookshop);
    }

    [Fact]
    public async Task Points_held_at_a_partner_and_captured_by_its_order_are_spent_there()
    {
        using var h = await ConfiguredAsync();
        h.AdvanceTo(At(2026, 1, 22));

        (await h.Coalition.HoldPointsAtAsync(Bookshop, Alice, PointsPay, OrderId.From("BK-9"), Money.FromDecimal(40m, Currency.EUR), P(200))).Succeeded.Should().BeTrue();
        var order = new EarningOrder(OrderId.From("BK-9"), Alice, h.Clock.GetCurrentInstant(), Currency.EUR, [new OrderLine("BOOK", 1, 40m)], paidWithPoints: 2m, store: Bookshop);
        (await h.Coalition.RecordOrderAsync(order)).Succeeded.Should().BeTrue();
        (await h.Ledger.FindTransactionAsync(DerivedIds.Hold(OrderId.From("BK-9"))))!.Merchant.Should().Be(Bookshop);
        (await h.Ledger.FindTransactionAsync(DerivedIds.Capture(OrderId.From("BK-9"))))!.Merchant.Should().Be(Bookshop);

        // Captured directly, without an order: recorded where the points were held.
        (await h.Coalition.HoldPointsAtAsync(Bookshop, Alice, PointsPay, OrderId.From("BK-10"), Money.FromDecimal(60m, Currency.EUR), P(300))).Succeeded.Should().BeTrue();
        (await h.Program.CaptureHeldPointsAsync(Alice, OrderId.From("BK-10"))).Succeeded.Should().BeTrue();
        (await h.Ledger.FindTransactionAsync(DerivedIds.Capture(OrderId.From("BK-10"))))!.Merchant.Should().Be(Bookshop);

        h.AdvanceTo(At(2026, 2, 1, 12));
        var bookshop = (await h.Coalition.SettleAsync(January)).StatementOf(Bookshop);
        bookshop.Points.Redeemed.Should().Be(500);
        bookshop.Reimbursed.Should().Be(4.50m);
    }

    [Fact]
    public async Task A_reward_or_hold_at_a_merchant_that_is_not_a_partner_is_refused_and_nothing_is_written()
    {
        using var h = await ConfiguredAsync();
        h.AdvanceTo(At(2026, 1, 22));
        var nowhere = MerchantId.From("nowhere");

        var redeem = () => h.Coalition.RedeemRewardAtAsync(nowhere, Alice, Voucher, RedemptionId.From("V-2"));
        (await redeem.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be(
            "Redemption 'V-2' names merchant 'nowhere', which is not a partner of programme 'miles'; register it with RegisterPartnerAsync first. (Parameter 'merchant')");
        (await h.Ledger.FindTransactionAsync(DerivedIds.Redemption(RedemptionId.From("V-2")))).Should().BeNull();

        var hold = () => h.Coalition.HoldPointsAtAsync(nowhere, Alice, PointsPay, OrderId.From("X-1"), Money.FromDecimal(40m, Currency.EUR), P(200));
        (await hold.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be(
            "Points hold for order 'X-1' names merchant 'nowhere', which is not a partner of programme 'miles'; register it with RegisterPartnerAsync first. (Parameter 'merchant')");
        (await h.Ledger.FindTransactionAsync(DerivedIds.Hold(OrderId.From("X-1")))).Should().BeNull();
        (await h.Ledger.GetBalanceAsync(Alice)).Available.Should().Be(P(1_000));
    }

    private static async Task<CoalitionHarness> ConfiguredAsync()
    {
        var h = await new CoalitionHarness().ConfigureAsync(
            (PartnerOf(Grocer, "Grocer", Currency.EUR), PerPoint(Grocer, Currency.EUR, 0.01m, reimbursement: 0.008m)),
            (PartnerOf(Bookshop, "Bookshop", Currency.EUR), PerPoint(Bookshop, Currency.EUR, 0.01m, reimbursement: 0.009m)));
        await h.Program.PublishRewardAsync(RewardDefinition.AmountOffVoucher(Voucher, "5 € voucher", P(500), Money.FromDecimal(5m, Currency.EUR)));
        await h.Program.PublishRewardAsync(RewardDefinition.PayWithPoints(PointsPay, "Pay with points", PayWithPointsTerms.Create(P(100), Money.FromDecimal(1m, Currency.EUR), P(200), 0.5m)));
        await h.EnrolAsync(Alice);
        h.AdvanceTo(At(2026, 1, 5));
        await h.EarnAsync("G-1", Alice, Grocer, 1_000m); // available after the 14-day return window
        return h;
    }
}
