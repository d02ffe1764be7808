using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using NodaTime;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

/// <summary>
/// What a retried or refused refund, order or activity answers: the field a conflict names, the instant a
/// refund keeps, the tier a repeat reports, a line refund's value, and refusals that write nothing.
/// </summary>
public class LoyaltyProgramRetryContractTests
{
    private static readonly ProgramId Club = ProgramId.From("club");

    /// <summary>
    /// Order A-1: 2 × 30 € and 1 × 40 € (100 points); order A-2: 50 € (50 points). Refund R-1 takes back
    /// line 1 of A-1 (40 points) two hours before it is recorded; R-2 takes back 10 € of A-2 (10 points).
    /// </summary>
    [Fact]
    public async Task A_refund_id_retried_with_other_content_is_a_conflict_naming_the_first_field_that_differs()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("A", 2, 30m), Line("B", 1, 40m)));
        await h.Program.RecordOrderAsync(Order("A-2", Alice, h.Now, Line("C", 1, 50m)));
        var at = h.Now - Duration.FromHours(2);
        var byLine = new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(1, 1))) { RefundedAt = at };
        var recorded = await h.Program.RecordRefundAsync(byLine);
        recorded.IsRepeat.Should().BeFalse();
        var first = recorded.GetValueOrThrow();
        (await h.LedgerStore.FindTransactionAsync(Club, DerivedIds.Refund(byLine.RefundId)))!.Reason.Should().Be("refund R-1 of order A-1");
        h.Advance(Duration.FromHours(1));

        (await h.Members.GetRefundAsync(Club, byLine.RefundId))!.RefundedAt.Should().Be(at, "a refund keeps the instant it was given, not the clock's");
        (await h.Program.RecordRefundAsync(byLine)).IsRepeat.Should().BeTrue();
        var withoutInstant = await h.Program.RecordRefundAsync(byLine with { RefundedAt = null });
        withoutInstant.IsRepeat.Should().BeTrue("a retry that leaves the instant out is the refund recorded with one");
        withoutInstant.Value.Should().BeEquivalentTo(first);

        var cases = new (RefundRequest Request, string Field)[]
        {
            (byLine with { OrderId = OrderId.From("A-2") }, "OrderId"),
            (byLine with { RefundedAt = at + Duration.FromMinutes(1) }, "RefundedAt"),
            (byLine with { Refund = OrderRefund.ForLines(new LineRefund(0, 1)) }, "Refund.Lines"),
            (byLine with { Refund = OrderRefund.ForLines(new LineRefund(1, 1), new LineRefund(0, 1)) }, "Refund.Lines"),
        };
        foreach (var (request, field) in cases)
        {
            (await h.Program.RecordRefundAsync(request)).Error.Should().Be(
                new LoyaltyError(LoyaltyErrorCode.IdempotencyConflict, "Refund 'R-1' was recorded with other content; use a new refund id for another refund.", field), field);
        }

        var byAmount = new RefundRequest(RefundId.From("R-2"), OrderId.From("A-2"), OrderRefund.ForAmount(10m));
        (await h.Program.RecordRefundAsync(byAmount)).GetValueOrThrow().PointsReversed.Should().Be(P(10));
        (await h.Program.RecordRefundAsync(byAmount with { Refund = OrderRefund.ForAmount(11m) })).Error!.Field.Should().Be("Refund.Amount");
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(150 - 40 - 10), "only R-1 and R-2 reversed points");
    }

    [Fact]
    public async Task A_line_refund_is_worth_its_units_share_of_the_line()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("A", 4, 30m), Line("B", 1, 40m)));

        var receipt = (await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(0, 3))))).GetValueOrThrow();

        receipt.Amount.Should().Be(Money.FromDecimal(90m, Currency.EUR), "3 of the line's 4 units of 30 €");
        receipt.PointsReversed.Should().Be(P(90));
    }

    [Fact]
    public async Task A_refund_naming_a_line_the_order_does_not_have_is_refused_and_writes_nothing()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("A", 2, 30m), Line("B", 1, 40m)));

        var call = async () => await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(2, 1))));

        (await call.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("Refund line 2 does not exist; order 'A-1' has 2 lines (0 to 1). (Parameter 'refund')");
        (await h.Members.GetRefundAsync(Club, RefundId.From("R-1"))).Should().BeNull();
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(100));
    }

    [Fact]
    public async Task One_refund_naming_a_line_twice_is_held_to_the_line_s_units_in_all()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("A", 2, 30m)));

        var refused = await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(0, 1), new LineRefund(0, 2))));

        refused.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.RefundExceedsOrder, "Line 0 of order 'A-1' has 2 units, 0 already refunded; 3 more cannot be refunded."));
        (await h.Members.GetRefundAsync(Club, RefundId.From("R-1"))).Should().BeNull();
        (await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-2"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(0, 1), new LineRefund(0, 1))))).GetValueOrThrow().PointsReversed.Should().Be(P(60));
    }

    [Fact]
    public async Task A_refund_that_takes_back_no_points_writes_no_reversal()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        (await h.OrderAsync("A-1", Alice, 0.50m)).Points.Should().Be(P(0), "half a euro earns no whole point");
        await h.OrderAsync("A-2", Alice, 100m);

        var ofNothing = (await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForAmount(0.50m)))).GetValueOrThrow();
        var tooSmall = (await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-2"), OrderId.From("A-2"), OrderRefund.ForAmount(0.40m)))).GetValueOrThrow();

        ofNothing.PointsReversed.Should().Be(P(0));
        tooSmall.PointsReversed.Should().Be(P(0));
        (await h.LedgerStore.FindTransactionAsync(Club, DerivedIds.Refund(RefundId.From("R-1")))).Should().BeNull();
        (await h.LedgerStore.FindTransactionAsync(Club, DerivedIds.Refund(RefundId.From("R-2")))).Should().BeNull();
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(100));
    }

    /// <summary>A-1 of 600 € makes Alice Silver (500 points); A-2 of 1,000 € (1,250 points at Silver's 1.25×) makes her Gold.</summary>
    [Fact]
    public async Task A_repeat_reports_the_member_s_tier_now_and_the_tier_the_order_was_recorded_at()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        var first = await h.OrderAsync("A-1", Alice, 600m);
        var refund = new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForAmount(50m));
        (await h.Program.RecordRefundAsync(refund)).GetValueOrThrow().Tier.Should().Be(TierId.From("silver"));
        h.Advance(Duration.FromHours(1));
        (await h.OrderAsync("A-2", Alice, 1_000m)).Tier.Should().Be(TierId.From("gold"));

        var order = await h.Program.RecordOrderAsync(Order("A-1", Alice, first.AvailableAt!.Value - Duration.FromDays(14), Line("SKU-A-1", 1, 600m)));
        var refunded = await h.Program.RecordRefundAsync(refund);

        first.Tier.Should().Be(TierId.From("silver"));
        order.IsRepeat.Should().BeTrue(order.Error?.Message);
        order.Value!.Tier.Should().Be(TierId.From("gold"), "a repeat reports the member's tier now");
        order.Value.TierAtOrder.Should().Be(first.TierAtOrder);
        refunded.IsRepeat.Should().BeTrue();
        refunded.Value!.Tier.Should().Be(TierId.From("gold"));
    }

    /// <summary>
    /// A retry is answered from the recorded order before anything else is checked: an order id retried for
    /// a member who is not enrolled, or placed before any rule set, is a conflict naming what differs, not
    /// "not enrolled" or "no rules".
    /// </summary>
    [Fact]
    public async Task An_order_id_retried_for_another_member_or_before_any_rules_is_a_conflict()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        (await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 30m)))).GetValueOrThrow();

        var forBob = await h.Program.RecordOrderAsync(Order("A-1", Bob, h.Now, Line("SKU", 1, 30m)));
        var beforeRules = await h.Program.RecordOrderAsync(Order("A-1", Alice, At(2025, 6, 1), Line("SKU", 1, 30m)));
        var newForBob = await h.Program.RecordOrderAsync(Order("B-1", Bob, h.Now, Line("SKU", 1, 30m)));

        forBob.ErrorCode.Should().Be(LoyaltyErrorCode.IdempotencyConflict);
        forBob.Error!.Field.Should().Be("Member");
        beforeRules.ErrorCode.Should().Be(LoyaltyErrorCode.IdempotencyConflict);
        beforeRules.Error!.Field.Should().Be("PlacedAt");
        newForBob.ErrorCode.Should().Be(LoyaltyErrorCode.MemberNotFound, "a new order id for a member who is not enrolled is refused as such");
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(30));
    }

    [Fact]
    public async Task An_activity_id_retried_with_other_content_is_a_conflict_naming_what_differs()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        (await h.Program.RecordActivityAsync(ActivityId.From("review-9"), new ActivityInput(ActivityKind.Review, Alice, h.Now))).GetValueOrThrow();

        var other = await h.Program.RecordActivityAsync(ActivityId.From("review-9"), new ActivityInput(ActivityKind.Survey, Alice, h.Now));

        other.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.IdempotencyConflict, "Activity 'review-9' was recorded with other content: Kind (Review recorded, Survey now) differs; use a new activity id for another activity.", "Kind"));
    }

    [Fact]
    public async Task Null_or_default_refund_arguments_are_refused_naming_the_argument()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        var valid = new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForAmount(1m));

        var none = async () => await h.Program.RecordRefundAsync(null!);
        (await none.Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be("refund");
        var noRefundId = async () => await h.Program.RecordRefundAsync(valid with { RefundId = default });
        (await noRefundId.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("RefundId must not be default; create one with RefundId.From(...). (Parameter 'refund')");
        var noOrderId = async () => await h.Program.RecordRefundAsync(valid with { OrderId = default });
        (await noOrderId.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("OrderId must not be default; create one with OrderId.From(...). (Parameter 'refund')");
        var noContent = async () => await h.Program.RecordRefundAsync(valid with { Refund = null! });
        (await noContent.Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be("refund");
        var noOrder = async () => await h.Program.RecordOrderAsync(null!);
        (await noOrder.Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be("order");
        var noActivity = async () => await h.Program.RecordActivityAsync(ActivityId.From("a"), null!);
        (await noActivity.Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be("activity");
    }
}
