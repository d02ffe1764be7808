using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using Loyalty.Core.Rewards;
using NodaTime;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

/// <summary>Bad arguments throw at once, with a message that says what to fix.</summary>
public class LoyaltyProgramArgumentTests
{
    [Fact]
    public async Task An_order_in_another_currency_is_refused()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        var order = new EarningOrder(OrderId.From("A-1"), Alice, h.Now, Currency.USD, [Line("SKU", 1, 10m)]);

        var act = async () => await h.Program.RecordOrderAsync(order);
        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("Order 'A-1' is in USD but the programme's currency is EUR; no conversion is made, convert it before recording. (Parameter 'order')");
        var quote = async () => await h.Program.QuoteAsync(order);
        (await quote.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("Order 'A-1' is in USD but the programme's currency is EUR; no conversion is made, convert it before recording. (Parameter 'cart')");
    }

    [Fact]
    public async Task Default_ids_are_refused()
    {
        using var h = new ProgramHarness();

        var redeem = async () => await h.Program.RedeemRewardAsync(default, Voucher.Id, RedemptionId.From("RD-1"));
        (await redeem.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("MemberId must not be default; create one with MemberId.From(...). (Parameter 'memberId')");
        var enrol = async () => await h.Program.EnrolAsync(new Enrolment(default));
        (await enrol.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("MemberId must not be default; create one with MemberId.From(...). (Parameter 'enrolment')");
        var activity = async () => await h.Program.RecordActivityAsync(default, new ActivityInput(ActivityKind.Review, Alice, h.Now));
        (await activity.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("ActivityId must not be default; create one with ActivityId.From(...). (Parameter 'activityId')");
        var code = async () => await h.Program.EnrolAsync(new Enrolment(Alice) { ReferralCode = default(ReferralCode) });
        (await code.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("Enrolment.ReferralCode must not be default(ReferralCode); pass null when the member gave no code. (Parameter 'enrolment')");
        var apply = async () => await h.Program.ApplyReferralCodeAsync(Alice, default);
        (await apply.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("code must not be default(ReferralCode); create one with ReferralCode.From(...). (Parameter 'code')");
    }

    [Fact]
    public async Task Out_of_range_numbers_are_refused()
    {
        using var h = new ProgramHarness();

        var summary = async () => await h.Program.GetMemberSummaryAsync(Alice, expiringWithinDays: 0);
        (await summary.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().Be("expiringWithinDays must be between 1 and 3660 inclusive (was 0). (Parameter 'expiringWithinDays')\nActual value was 0.");
        var future = async () => await h.Program.RunMaintenanceAsync(h.Now + Duration.FromSeconds(1));
        (await future.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().Be("asOf (2026-03-02T09:00:01Z) must not be after the current instant (2026-03-02T09:00:00Z); maintenance cannot run ahead of the clock. (Parameter 'asOf')\nActual value was 2026-03-02T09:00:01Z.");
        var hold = async () => await h.Program.HoldPointsAsync(Alice, PayWithPoints.Id, OrderId.From("A-1"), Money.FromDecimal(10m, Currency.USD), P(100));
        (await hold.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("orderTotal must be 0 or more in EUR, the programme's currency (was 10.00 USD). (Parameter 'orderTotal')");
        var zero = async () => await h.Program.HoldPointsAsync(Alice, PayWithPoints.Id, OrderId.From("A-1"), Money.FromDecimal(10m, Currency.EUR), P(0));
        (await zero.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().Be("points must be greater than 0 (was 0). (Parameter 'points')\nActual value was 0.");
    }

    [Fact]
    public async Task Configuration_in_another_currency_or_for_an_unknown_tier_is_refused()
    {
        using var h = new ProgramHarness();
        var dollars = new EarningRuleSetBuilder("usd", At(2026, 1, 1), Currency.USD, "Europe/Paris").EarnPerUnit("base", 1m).Build();

        var rules = async () => await h.Program.PublishRuleSetAsync(dollars);
        (await rules.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("Rule set usd is in USD but the programme's currency is EUR; build it in EUR. (Parameter 'ruleSet')");
        var voucher = async () => await h.Program.PublishRewardAsync(RewardDefinition.AmountOffVoucher(RewardId.From("v"), "V", P(10), Money.FromDecimal(1m, Currency.GBP)));
        (await voucher.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("Reward 'v' is in GBP but the programme's currency is EUR. (Parameter 'reward')");
        var tier = async () => await h.Program.PublishRewardAsync(Voucher.WithRequiredTier(TierId.From("platinum")));
        (await tier.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("Reward 'voucher-5' requires tier 'platinum', which is not in the ladder; known tiers are 'bronze', 'silver', 'gold'. (Parameter 'reward')");
    }

    [Fact]
    public async Task Business_outcomes_without_setup_are_results_not_exceptions()
    {
        using var h = new ProgramHarness();
        await h.EnrolAsync(Alice);

        var noRules = await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 10m)));
        noRules.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.NoRuleSetInForce, "No earning rule set is in force at 2026-03-02T09:00:00Z; publish one whose effective instant is at or before it."));
        var unknown = await h.Program.RecordOrderAsync(Order("B-1", Bob, h.Now, Line("SKU", 1, 10m)));
        unknown.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.MemberNotFound, "Member 'bob' is not enrolled in the programme; enrol them first."));
        (await h.Program.GetMemberSummaryAsync(Bob)).ErrorCode.Should().Be(LoyaltyErrorCode.MemberNotFound);
    }

    [Fact]
    public async Task A_quote_writes_nothing_and_matches_what_the_order_then_earns()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        var cart = Order("A-1", Alice, h.Now, new OrderLine("SHOE", 1, 80m, categories: ["shoes"]), Line("SOCK", 2, 5m));

        var quote = (await h.Program.QuoteAsync(cart)).GetValueOrThrow();
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(0));
        var receipt = (await h.Program.RecordOrderAsync(cart)).GetValueOrThrow();

        quote.Points.Should().Be(P(170));
        quote.Earning.IsQuote.Should().BeTrue();
        receipt.Points.Should().Be(quote.Points);
        quote.Explanation.Select(l => l.Text).Should().Equal(receipt.Explanation.Select(l => l.Text));
    }
}
