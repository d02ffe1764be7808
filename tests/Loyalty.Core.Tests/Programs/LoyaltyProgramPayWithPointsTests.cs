using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using NodaTime;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

/// <summary>An order paid partly with points is tied to the points held for it at checkout (100 points = 1 €).</summary>
public class LoyaltyProgramPayWithPointsTests
{
    [Fact]
    public async Task An_order_paid_with_its_held_points_captures_the_hold_and_is_recorded()
    {
        using var h = await PreparedAsync();
        (await h.Program.HoldPointsAsync(Alice, PayWithPoints.Id, OrderId.From("A-1"), Money.FromDecimal(40m, Currency.EUR), P(300))).GetValueOrThrow();

        var receipt = await h.Program.RecordOrderAsync(PaidOrder(h, 3m));

        receipt.Succeeded.Should().BeTrue(receipt.Error?.Message);
        (await h.BalanceAsync(Alice)).Held.Should().Be(P(0), "the hold was captured with the order");
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(1_000 + 100 - 300));
    }

    [Fact]
    public async Task An_order_paid_with_points_without_a_hold_is_refused_before_anything_is_written()
    {
        using var h = await PreparedAsync();

        var refused = await h.Program.RecordOrderAsync(PaidOrder(h, 3m));

        refused.ErrorCode.Should().Be(LoyaltyErrorCode.PaymentDoesNotMatchHold);
        refused.Error!.Message.Should().Be("Order 'A-1' says 3.00 EUR was paid with points, but no points were held for it; hold them with HoldPointsAsync for this order id before recording the order.");
        (await h.Members.GetOrderAsync(ProgramId.From("club"), OrderId.From("A-1"))).Should().BeNull();
    }

    [Fact]
    public async Task An_order_claiming_more_than_its_captured_points_are_worth_is_refused()
    {
        using var h = await PreparedAsync();
        (await h.Program.HoldPointsAsync(Alice, PayWithPoints.Id, OrderId.From("A-1"), Money.FromDecimal(40m, Currency.EUR), P(300))).GetValueOrThrow();
        (await h.Program.CaptureHeldPointsAsync(Alice, OrderId.From("A-1"), P(200))).GetValueOrThrow();

        var refused = await h.Program.RecordOrderAsync(PaidOrder(h, 3m));

        refused.ErrorCode.Should().Be(LoyaltyErrorCode.PaymentDoesNotMatchHold);
        refused.Error!.Message.Should().Be("Order 'A-1' says 3.00 EUR was paid with points, but the 200 points captured for it are worth 2.00 EUR; record what the captured points paid.");
        (await h.Members.GetOrderAsync(ProgramId.From("club"), OrderId.From("A-1"))).Should().BeNull();
        (await h.Program.RecordOrderAsync(PaidOrder(h, 2m))).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task An_order_paid_with_points_held_when_the_catalogue_has_no_pay_with_points_reward_is_refused_saying_so()
    {
        using var h = new ProgramHarness();
        await h.Program.PublishRuleSetAsync(Rules);
        await h.EnrolAsync(Alice);
        (await h.Ledger.EarnAsync(new EarnPoints(TransactionId.From("gift"), Alice, P(1_000)) { PendingPeriod = Duration.Zero })).Succeeded.Should().BeTrue();
        (await h.Ledger.HoldAsync(new HoldPoints(DerivedIds.Hold(OrderId.From("A-1")), Alice, P(200)))).Succeeded.Should().BeTrue();

        var refused = await h.Program.RecordOrderAsync(PaidOrder(h, 2m));

        refused.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.PaymentDoesNotMatchHold, "Order 'A-1' says 2.00 EUR was paid with points, but the 200 points captured for it are worth nothing (the catalogue has no pay-with-points reward); record what the captured points paid."));
        (await h.Members.GetOrderAsync(ProgramId.From("club"), OrderId.From("A-1"))).Should().BeNull();
    }

    private static async Task<ProgramHarness> PreparedAsync()
    {
        var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        (await h.Ledger.EarnAsync(new EarnPoints(TransactionId.From("gift"), Alice, P(1_000)) { PendingPeriod = Duration.Zero })).Succeeded.Should().BeTrue();
        return h;
    }

    private static EarningOrder PaidOrder(ProgramHarness h, decimal paidWithPoints) =>
        new(OrderId.From("A-1"), Alice, h.Now, Currency.EUR, [Line("SKU", 1, 40m)], paidWithPoints: paidWithPoints);
}
