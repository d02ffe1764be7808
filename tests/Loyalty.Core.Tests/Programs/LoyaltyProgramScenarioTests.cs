using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tiers;
using NodaTime;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

/// <summary>The QuickStart story, step by step, as assertions.</summary>
public class LoyaltyProgramScenarioTests
{
    [Fact]
    public async Task A_receipts_explanation_read_from_several_threads_at_once_is_one_list_of_the_same_lines()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        (await h.Program.EnrolAsync(new Enrolment(Alice))).GetValueOrThrow();
        var receipt = (await h.Program.RecordOrderAsync(Order("A-1001", Alice, h.Now, new OrderLine("SHOE-42", 1, 120m, categories: ["shoes"])))).GetValueOrThrow();

        // The lines are written when first read; readers racing for it all see the same lines.
        var reads = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => receipt.Explanation.Select(l => l.Text).ToArray())));

        reads.Should().AllSatisfy(r => r.Should().Equal("  +120  Earn 1 point per EUR spent (excluding shipping, tax, gift cards and the part paid with points).", reads[0][1], reads[0][2]));
        reads[0][1].Should().StartWith("  +120  ");
        receipt.Explanation.Should().HaveCount(3);
    }

    [Fact]
    public async Task The_quickstart_story()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        var program = h.Program;

        // Alice joins: the welcome bonus is spendable at once.
        var alice = (await program.EnrolAsync(new Enrolment(Alice) { BirthDate = new LocalDate(1990, 3, 20) })).GetValueOrThrow();
        alice.WelcomePoints.Should().Be(P(100));
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(100));

        // A 180 € order with 120 € of shoes earns 180 + 120 = 300 points, pending for the 14-day return window.
        var first = (await program.RecordOrderAsync(Order("A-1001", Alice, h.Now, new OrderLine("SHOE-42", 1, 120m, categories: ["shoes"]), new OrderLine("SHIRT-M", 2, 30m, categories: ["clothing"])))).GetValueOrThrow();
        first.Points.Should().Be(P(300));
        first.AvailableAt.Should().Be(h.Now + Duration.FromDays(14));
        first.RuleSetVersion.Should().Be("2026-01");
        first.Explanation.Select(l => (l.RuleId.Value, l.Points.Value)).Should().Equal(("base", 180L), ("shoes", 120L), ("tier", 0L));
        first.Explanation[0].Text.Should().Be("  +180  Earn 1 point per EUR spent (excluding shipping, tax, gift cards and the part paid with points).");
        first.Explanation[2].Outcome.Should().Be(RuleOutcome.NothingToEarn);
        first.Tier.Should().Be(TierId.From("bronze"));
        (await h.BalanceAsync(Alice)).Should().Match<LedgerBalance>(b => b.Available == P(100) && b.Pending == P(300));

        // Bob joins with Alice's code; his first order completes the referral: Alice +200 (rules), Bob +50 (policy).
        h.AdvanceDays(3);
        var bob = (await program.EnrolAsync(new Enrolment(Bob) { ReferralCode = alice.ReferralCode })).GetValueOrThrow();
        bob.ReferredBy.Should().Be(Alice);
        var bobOrder = Order("B-2001", Bob, h.Now, new OrderLine("JACKET-L", 1, 85m, categories: ["clothing"]));
        var bobReceipt = (await program.RecordOrderAsync(bobOrder)).GetValueOrThrow();
        bobReceipt.Points.Should().Be(P(85));
        bobReceipt.CompletedReferral.Should().BeTrue();
        (await h.BalanceAsync(Bob)).Should().Match<LedgerBalance>(b => b.Available == P(100) && b.Pending == P(135));
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(300));

        // The webhook delivers the same order again: a repeat, nothing more earned.
        var retry = await program.RecordOrderAsync(bobOrder);
        retry.IsRepeat.Should().BeTrue();
        retry.Value!.Points.Should().Be(P(85));
        (await h.BalanceAsync(Bob)).Earned.Should().Be(P(235));

        // Alice buys a 1,250 € watch: 1,550 qualifying points make her Gold.
        h.AdvanceDays(2);
        var watch = await h.OrderAsync("A-1002", Alice, 1250m, "watches");
        watch.Points.Should().Be(P(1250));
        watch.TierAtOrder.Should().Be(TierId.From("bronze"));
        watch.Tier.Should().Be(TierId.From("gold"));

        // She returns one of the two shirts: exactly what it earned (30 points) is taken back; still Gold (1,520).
        var refund = (await program.RecordRefundAsync(new RefundRequest(RefundId.From("R-1001-1"), OrderId.From("A-1001"), OrderRefund.ForLines(new LineRefund(1, 1))))).GetValueOrThrow();
        refund.Amount.Should().Be(Money.FromDecimal(30m, Currency.EUR));
        refund.PointsReversed.Should().Be(P(30));
        refund.PointsTakenBack.Should().Be(P(30));
        refund.IsFullRefund.Should().BeFalse();
        refund.Tier.Should().Be(TierId.From("gold"));

        // After the return window: maintenance reports the points that became spendable and grants the birthday.
        h.AdvanceDays(15);
        var daily = await program.RunMaintenanceAsync(h.Now);
        daily.Activated.Should().BeEquivalentTo([new PointsActivated(Alice, P(1520)), new PointsActivated(Bob, P(135))]);
        daily.Birthdays.Should().Equal(new BirthdayGrant(Alice, new LocalDate(2026, 3, 20), P(50)));
        daily.TierChanges.Should().BeEmpty();

        // Alice redeems the voucher and the Gold gift; Bob, Bronze, is refused the gift.
        var voucher = (await program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1"))).GetValueOrThrow();
        voucher.PointsSpent.Should().Be(P(500));
        voucher.Benefit.Should().Be("5.00 EUR off");
        voucher.Code.Should().MatchRegex("^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$");
        (await program.RedeemRewardAsync(Alice, GoldTote.Id, RedemptionId.From("RD-2"))).Succeeded.Should().BeTrue();
        (await program.RedeemRewardAsync(Bob, GoldTote.Id, RedemptionId.From("RD-3"))).ErrorCode.Should().Be(LoyaltyErrorCode.RewardRequiresHigherTier);

        // As Gold she earns 1.5× on her purchases: 40 + 20.
        var scarf = await h.OrderAsync("A-1003", Alice, 40m, "accessories");
        scarf.Explanation.Single(l => l.RuleId == RuleId.From("tier")).Points.Should().Be(P(20));
        scarf.Points.Should().Be(P(60));
        var summary = (await program.GetMemberSummaryAsync(Alice)).GetValueOrThrow();
        summary.Balance.Available.Should().Be(P(1070));
        summary.Balance.Pending.Should().Be(P(60));
        summary.Balance.Redeemed.Should().Be(P(800));
        summary.Tier.Tier.Id.Should().Be(TierId.From("gold"));
        summary.Perks.Should().BeEquivalentTo("free-shipping", "private-sales");
        summary.Redemptions.Select(r => r.RewardId).Should().Equal(Voucher.Id, GoldTote.Id);

        // Eleven months later: reminders of points about to expire and of the Gold status about to end.
        h.AdvanceDays(335);
        var reminders = await program.RunMaintenanceAsync(h.Now);
        reminders.ExpiringSoon.Single(w => w.MemberId == Alice).Total.Should().Be(P(1130));
        reminders.ExpiringSoon.Single(w => w.MemberId == Bob).Total.Should().Be(P(235));
        reminders.DowngradeWarnings.Should().ContainSingle(w => w.MemberId == Alice && w.Current == TierId.From("gold") && w.Projected == TierId.From("silver"));
        reminders.PointsExpired.Should().Be(P(0));

        // A year after the orders: the unspent points expire and Alice drops one level, to Silver.
        h.AdvanceDays(30);
        var yearLater = await program.RunMaintenanceAsync(h.Now);
        yearLater.PointsExpired.Should().Be(P(1365));
        yearLater.TierChanges.Should().Equal(new MemberTierChange(Alice, TierId.From("gold"), TierId.From("silver"), TierChangeReason.DowngradedAtValidityEnd));
        yearLater.Birthdays.Should().Equal(new BirthdayGrant(Alice, new LocalDate(2027, 3, 20), P(50)));
        (await h.BalanceAsync(Alice)).Should().Match<LedgerBalance>(b => b.Available == P(50) && b.Expired == P(1130));
        (await h.BalanceAsync(Bob)).Expired.Should().Be(P(235));

        // Maintenance is safe to re-run: nothing more expires, no change is reported twice.
        var again = await program.RunMaintenanceAsync(h.Now);
        again.PointsExpired.Should().Be(P(0));
        again.TierChanges.Should().BeEmpty();
        again.Birthdays.Should().BeEmpty();
        again.Activated.Should().BeEmpty();
    }
}
