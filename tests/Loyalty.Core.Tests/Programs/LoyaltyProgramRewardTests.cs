using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

public class LoyaltyProgramRewardTests
{
    private static async Task<ProgramHarness> AliceWith(long points)
    {
        var h = await new ProgramHarness(o => o.Ledger.PendingPeriod = TimeSpan.Zero).ConfigureAsync();
        await h.EnrolAsync(Alice);
        if (points > 100)
        {
            await h.OrderAsync("A-seed", Alice, points - 100);
        }

        return h;
    }

    [Fact]
    public async Task A_reward_out_of_stock_is_refused_with_its_own_code()
    {
        using var h = await AliceWith(2000);
        await h.Program.PublishRewardAsync(Voucher.WithStock(1));

        (await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1"))).Succeeded.Should().BeTrue();
        var second = await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-2"));

        second.ErrorCode.Should().Be(LoyaltyErrorCode.RewardOutOfStock);
        second.Error!.Message.Should().Be("Reward 'voucher-5' is out of stock: all 1 units are redeemed.");
        (await h.BalanceAsync(Alice)).Redeemed.Should().Be(P(500));
    }

    [Fact]
    public async Task A_cancelled_redemption_gives_its_unit_back_to_stock()
    {
        using var h = await AliceWith(2000);
        await h.Program.PublishRewardAsync(Voucher.WithStock(1));
        await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1"));
        await h.Program.CancelRedemptionAsync(RedemptionId.From("RD-1"));

        (await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-2"))).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task A_reward_outside_its_window_is_refused_with_its_own_code()
    {
        using var h = await AliceWith(2000);
        await h.Program.PublishRewardAsync(Voucher.WithValidity(At(2026, 4, 1, 0), At(2026, 5, 1, 0)));

        var early = await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1"));
        early.ErrorCode.Should().Be(LoyaltyErrorCode.RewardNotOffered);
        early.Error!.Message.Should().Be("Reward 'voucher-5' is offered from 2026-03-31T22:00:00Z until 2026-04-30T22:00:00Z, not at 2026-03-02T09:00:00Z.");

        h.Clock.Reset(At(2026, 4, 30, 23));
        (await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-2"))).Succeeded.Should().BeTrue();
        h.Clock.Reset(At(2026, 5, 1, 0));
        (await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-3"))).ErrorCode.Should().Be(LoyaltyErrorCode.RewardNotOffered);
    }

    [Fact]
    public async Task A_reward_above_the_members_tier_is_refused_with_its_own_code()
    {
        using var h = await AliceWith(1000);

        var result = await h.Program.RedeemRewardAsync(Alice, GoldTote.Id, RedemptionId.From("RD-1"));

        result.ErrorCode.Should().Be(LoyaltyErrorCode.RewardRequiresHigherTier);
        result.Error!.Message.Should().Be("Reward 'gold-tote' is for tier 'gold' and above; member 'alice' is 'silver'.");
    }

    [Fact]
    public async Task A_reward_above_the_balance_is_refused_with_its_own_code_and_takes_no_stock()
    {
        using var h = await AliceWith(499);

        var result = await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1"));

        result.ErrorCode.Should().Be(LoyaltyErrorCode.InsufficientPoints);
        result.Error!.Message.Should().Be("Member 'alice' has 499 points available; 500 are needed.");
        (await h.Rewards.CountClaimedAsync(ProgramId.From("club"), Voucher.Id)).Should().Be(0);
    }

    [Fact]
    public async Task Pending_points_cannot_pay_for_a_reward()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.OrderAsync("A-1", Alice, 900m);

        (await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1"))).ErrorCode.Should().Be(LoyaltyErrorCode.InsufficientPoints);
        h.AdvanceDays(14);
        (await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1"))).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task Unknown_rewards_members_and_kinds_have_their_own_codes()
    {
        using var h = await AliceWith(1000);

        (await h.Program.RedeemRewardAsync(Alice, RewardId.From("nope"), RedemptionId.From("RD-1"))).Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.RewardNotFound, "Reward 'nope' is not in the catalogue."));
        (await h.Program.RedeemRewardAsync(Bob, Voucher.Id, RedemptionId.From("RD-1"))).Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.MemberNotFound, "Member 'bob' is not enrolled in the programme; enrol them first."));
        (await h.Program.RedeemRewardAsync(Alice, PayWithPoints.Id, RedemptionId.From("RD-1"))).Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.RewardKindMismatch, "Reward 'points-pay' is PayWithPoints; hold points at checkout with HoldPointsAsync."));
        (await h.Program.HoldPointsAsync(Alice, Voucher.Id, OrderId.From("A-9"), Money.FromDecimal(50m, Currency.EUR), P(300))).Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.RewardKindMismatch, "Reward 'voucher-5' is AmountOffVoucher; redeem it with RedeemRewardAsync."));
        (await h.Program.CancelRedemptionAsync(RedemptionId.From("RD-404"))).Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.RedemptionNotFound, "Redemption 'RD-404' was never made."));
    }

    [Fact]
    public async Task Cancelling_a_redemption_puts_the_points_back_into_their_original_lots()
    {
        using var h = await AliceWith(100);
        h.AdvanceDays(30);
        await h.OrderAsync("A-1", Alice, 500m);
        await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1"));

        await h.Program.CancelRedemptionAsync(RedemptionId.From("RD-1"));

        // The welcome lot (expiring first) gave 100 and the order's lot 400; both get them back with their own expiry.
        var schedule = await h.Ledger.GetExpiryScheduleAsync(Alice, 3660);
        schedule.Select(e => e.Amount).Should().Equal(P(100), P(500));
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(600));
    }

    [Fact]
    public async Task Pay_with_points_enforces_the_minimum_and_the_share_of_the_order()
    {
        using var h = await AliceWith(2000);
        var total = Money.FromDecimal(20m, Currency.EUR);

        var below = await h.Program.HoldPointsAsync(Alice, PayWithPoints.Id, OrderId.From("A-9"), total, P(199));
        below.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.BelowMinimumPoints, "At least 200 points must be used at once (asked 199)."));

        var above = await h.Program.HoldPointsAsync(Alice, PayWithPoints.Id, OrderId.From("A-9"), total, P(1001));
        above.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.AboveMaximumShare, "Points may pay at most 50% of a 20.00 EUR order, that is 1000 points (asked 1001)."));

        var hold = (await h.Program.HoldPointsAsync(Alice, PayWithPoints.Id, OrderId.From("A-9"), total, P(1000))).GetValueOrThrow();
        hold.Value.Should().Be(Money.FromDecimal(10m, Currency.EUR));
        hold.ExpiresAt.Should().Be(h.Now + NodaTime.Duration.FromMinutes(30));
        (await h.BalanceAsync(Alice)).Should().Match<LedgerBalance>(b => b.Available == P(1000) && b.Held == P(1000));
    }

    [Fact]
    public async Task A_lapsed_hold_cannot_be_captured()
    {
        using var h = await AliceWith(2000);
        await h.Program.HoldPointsAsync(Alice, PayWithPoints.Id, OrderId.From("A-9"), Money.FromDecimal(20m, Currency.EUR), P(300));
        h.Advance(NodaTime.Duration.FromMinutes(31));

        (await h.Program.CaptureHeldPointsAsync(Alice, OrderId.From("A-9"))).ErrorCode.Should().Be(LoyaltyErrorCode.HoldLapsed);
        (await h.Program.CaptureHeldPointsAsync(Alice, OrderId.From("A-404"))).ErrorCode.Should().Be(LoyaltyErrorCode.HoldNotFound);
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(2000));
    }
}
