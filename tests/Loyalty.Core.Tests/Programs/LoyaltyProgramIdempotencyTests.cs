using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Loyalty.Core.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

/// <summary>Every call retried with the same id has its effect once; the same id with other content is refused.</summary>
public class LoyaltyProgramIdempotencyTests
{
    [Fact]
    public async Task Enrolling_twice_is_a_repeat_and_keeps_the_referral_code_and_the_welcome_bonus_once()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        var first = await h.Program.EnrolAsync(new Enrolment(Alice) { EnrolledAt = h.Now });
        var second = await h.Program.EnrolAsync(new Enrolment(Alice) { EnrolledAt = h.Now });

        second.IsRepeat.Should().BeTrue();
        second.Value!.ReferralCode.Should().Be(first.Value!.ReferralCode);
        second.Value.WelcomePoints.Should().Be(P(100));
        (await h.BalanceAsync(Alice)).Earned.Should().Be(P(100));
    }

    [Fact]
    public async Task Enrolling_again_with_other_details_is_refused()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        var again = await h.Program.EnrolAsync(new Enrolment(Alice) { BirthDate = new NodaTime.LocalDate(1990, 1, 1) });

        again.ErrorCode.Should().Be(LoyaltyErrorCode.MemberAlreadyEnrolled);
        again.Error!.Message.Should().Be("Member 'alice' is already enrolled (since 2026-03-02T09:00:00Z) with other details.");
    }

    [Fact]
    public async Task An_order_delivered_twice_earns_once()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        var order = Order("A-1", Alice, h.Now, Line("SKU", 2, 20m));

        var first = await h.Program.RecordOrderAsync(order);
        var second = await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 2, 20.00m)));

        first.IsRepeat.Should().BeFalse();
        second.IsRepeat.Should().BeTrue();
        second.Value.Should().BeEquivalentTo(first.Value, Storage.RecordEquivalence.ByContent);
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(40));
    }

    [Fact]
    public async Task The_same_order_id_with_other_content_is_a_conflict_and_changes_nothing()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 2, 20m)));

        var other = await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 3, 20m)));

        other.ErrorCode.Should().Be(LoyaltyErrorCode.IdempotencyConflict);
        other.Error!.Message.Should().Be("Order 'A-1' was recorded with other content: Lines[0].Quantity differs (member 'alice', placed at 2026-03-02T09:00:00Z); use a new order id for another order.");
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(40));
    }

    [Fact]
    public async Task A_refund_delivered_twice_reverses_once_and_other_content_is_a_conflict()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("A", 1, 60m), Line("B", 1, 40m)));
        var request = new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(1, 1)));

        var first = await h.Program.RecordRefundAsync(request);
        var second = await h.Program.RecordRefundAsync(request);
        var other = await h.Program.RecordRefundAsync(request with { Refund = OrderRefund.ForLines(new LineRefund(0, 1)) });

        first.Value!.PointsReversed.Should().Be(P(40));
        second.IsRepeat.Should().BeTrue();
        second.Value.Should().BeEquivalentTo(first.Value);
        other.ErrorCode.Should().Be(LoyaltyErrorCode.IdempotencyConflict);
        other.Error!.Message.Should().Be("Refund 'R-1' was recorded with other content; use a new refund id for another refund.");
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(60));
    }

    [Fact]
    public async Task An_activity_delivered_twice_earns_once_and_other_content_is_a_conflict()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        var review = new ActivityInput(ActivityKind.Review, Alice, h.Now);

        var first = await h.Program.RecordActivityAsync(ActivityId.From("review-9"), review);
        var second = await h.Program.RecordActivityAsync(ActivityId.From("review-9"), review);
        var other = await h.Program.RecordActivityAsync(ActivityId.From("review-9"), new ActivityInput(ActivityKind.Survey, Alice, h.Now));

        first.Value!.Points.Should().Be(P(10));
        second.IsRepeat.Should().BeTrue();
        other.ErrorCode.Should().Be(LoyaltyErrorCode.IdempotencyConflict);
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(110));
    }

    [Fact]
    public async Task A_redemption_retried_returns_the_same_receipt_and_code_and_spends_once()
    {
        using var h = await new ProgramHarness(o => o.Ledger.PendingPeriod = TimeSpan.Zero).ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.OrderAsync("A-1", Alice, 900m);

        var first = await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1"));
        var second = await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1"));
        var other = await h.Program.RedeemRewardAsync(Bob, Voucher.Id, RedemptionId.From("RD-1"));

        second.IsRepeat.Should().BeTrue();
        second.Value!.Code.Should().Be(first.Value!.Code);
        other.ErrorCode.Should().Be(LoyaltyErrorCode.IdempotencyConflict);
        other.Error!.Message.Should().Be("Redemption 'RD-1' was made for member 'alice' and reward 'voucher-5'; use a new redemption id.");
        (await h.BalanceAsync(Alice)).Redeemed.Should().Be(P(500));
        (await h.Rewards.CountClaimedAsync(ProgramId.From("club"), Voucher.Id)).Should().Be(1);
    }

    [Fact]
    public async Task Cancelling_twice_gives_the_points_and_the_unit_back_once()
    {
        using var h = await new ProgramHarness(o => o.Ledger.PendingPeriod = TimeSpan.Zero).ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.OrderAsync("A-1", Alice, 900m);
        await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1"));

        var first = await h.Program.CancelRedemptionAsync(RedemptionId.From("RD-1"));
        var second = await h.Program.CancelRedemptionAsync(RedemptionId.From("RD-1"));

        first.Value!.Status.Should().Be(RedemptionStatus.Cancelled);
        first.IsRepeat.Should().BeFalse();
        second.IsRepeat.Should().BeTrue();
        (await h.BalanceAsync(Alice)).Should().Match<LedgerBalance>(b => b.Available == P(1000) && b.Redeemed == P(0));
        (await h.Rewards.CountClaimedAsync(ProgramId.From("club"), Voucher.Id)).Should().Be(0);
    }

    [Fact]
    public async Task Hold_capture_and_release_retried_act_once()
    {
        using var h = await new ProgramHarness(o => o.Ledger.PendingPeriod = TimeSpan.Zero).ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.OrderAsync("A-1", Alice, 900m);
        var total = Money.FromDecimal(20m, Currency.EUR);

        var hold = await h.Program.HoldPointsAsync(Alice, PayWithPoints.Id, OrderId.From("A-2"), total, P(300));
        var holdAgain = await h.Program.HoldPointsAsync(Alice, PayWithPoints.Id, OrderId.From("A-2"), total, P(300));
        hold.Value!.Value.Should().Be(Money.FromDecimal(3m, Currency.EUR));
        holdAgain.IsRepeat.Should().BeTrue();
        (await h.BalanceAsync(Alice)).Held.Should().Be(P(300));

        var capture = await h.Program.CaptureHeldPointsAsync(Alice, OrderId.From("A-2"), P(250));
        var captureAgain = await h.Program.CaptureHeldPointsAsync(Alice, OrderId.From("A-2"), P(250));
        capture.Value!.PointsSpent.Should().Be(P(250));
        capture.Value.PointsReturned.Should().Be(P(50));
        captureAgain.IsRepeat.Should().BeTrue();
        (await h.BalanceAsync(Alice)).Should().Match<LedgerBalance>(b => b.Available == P(750) && b.Held == P(0) && b.Redeemed == P(250));

        (await h.Program.ReleaseHeldPointsAsync(Alice, OrderId.From("A-2"))).ErrorCode.Should().Be(LoyaltyErrorCode.HoldAlreadyCaptured);

        await h.Program.HoldPointsAsync(Alice, PayWithPoints.Id, OrderId.From("A-3"), total, P(200));
        var release = await h.Program.ReleaseHeldPointsAsync(Alice, OrderId.From("A-3"));
        var releaseAgain = await h.Program.ReleaseHeldPointsAsync(Alice, OrderId.From("A-3"));
        release.Value!.PointsReturned.Should().Be(P(200));
        releaseAgain.IsRepeat.Should().BeTrue();
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(750));
    }

    [Fact]
    public async Task A_call_interrupted_between_two_writes_is_completed_by_its_retry()
    {
        var flaky = new FlakyLedgerStore();
        using var h = await new ProgramHarness(replace: s => s.Replace(ServiceDescriptor.Singleton<ILedgerStore>(flaky))).ConfigureAsync();
        await h.EnrolAsync(Alice);

        // The order record is written, then the ledger write fails (a crash, a lost connection).
        flaky.FailNextAppend = true;
        var crash = async () => await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 70m)));
        await crash.Should().ThrowAsync<LoyaltyStoreException>();
        (await h.Members.GetOrderAsync(ProgramId.From("club"), OrderId.From("A-1"))).Should().NotBeNull();
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(0));

        // The webhook's retry completes the earn, once.
        var retry = await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 70m)));
        retry.Succeeded.Should().BeTrue();
        retry.IsRepeat.Should().BeTrue();
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(70));
        (await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 70m)))).IsRepeat.Should().BeTrue();
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(70));
    }

    [Fact]
    public async Task A_refund_of_an_order_whose_earn_was_interrupted_earns_then_reverses()
    {
        var flaky = new FlakyLedgerStore();
        using var h = await new ProgramHarness(replace: s => s.Replace(ServiceDescriptor.Singleton<ILedgerStore>(flaky))).ConfigureAsync();
        await h.EnrolAsync(Alice);
        flaky.FailNextAppend = true;
        var crash = async () => await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("A", 1, 60m), Line("B", 1, 40m)));
        await crash.Should().ThrowAsync<LoyaltyStoreException>();

        var refund = (await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(1, 1))))).GetValueOrThrow();

        refund.PointsTakenBack.Should().Be(P(40));
        (await h.BalanceAsync(Alice)).Should().Match<LedgerBalance>(b => b.Pending == P(60) && b.Earned == P(200) && b.Reversed == P(40));
    }

    [Fact]
    public async Task An_order_whose_token_is_cancelled_while_its_unit_runs_is_written_whole()
    {
        // The in-memory unit of work checks the token before the work starts; once started, the work runs to
        // its end without observing it, so a cancellation between the ledger's write and the order's cannot split them.
        using var source = new CancellationTokenSource();
        var cancelling = new CancellingLedgerStore(source);
        using var h = await new ProgramHarness(replace: s => s.Replace(ServiceDescriptor.Singleton<ILedgerStore>(cancelling))).ConfigureAsync();
        await h.EnrolAsync(Alice);
        cancelling.CancelOnNextAppend = true;

        var recorded = await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 70m)), source.Token);

        source.IsCancellationRequested.Should().BeTrue("the token was cancelled during the ledger's write");
        cancelling.AppendTokens.Should().OnlyContain(t => !t.CanBeCanceled, "the unit's work runs with no token to observe");
        recorded.Succeeded.Should().BeTrue();
        (await h.Members.GetOrderAsync(ProgramId.From("club"), OrderId.From("A-1"))).Should().NotBeNull();
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(70));
        var again = async () => await h.Program.RecordOrderAsync(Order("A-2", Alice, h.Now, Line("SKU", 1, 70m)), source.Token);
        await again.Should().ThrowAsync<OperationCanceledException>("a call whose token is already cancelled does not start");
        (await h.Members.GetOrderAsync(ProgramId.From("club"), OrderId.From("A-2"))).Should().BeNull();
    }

    private sealed class CancellingLedgerStore(CancellationTokenSource source) : ForwardingLedgerStore(new InMemoryLedgerStore())
    {
        public bool CancelOnNextAppend { get; set; }

        public List<CancellationToken> AppendTokens { get; } = [];

        public override ValueTask<LedgerAppendResult> AppendAsync(LedgerAppend append, CancellationToken cancellationToken = default)
        {
            if (CancelOnNextAppend)
            {
                CancelOnNextAppend = false;
                AppendTokens.Add(cancellationToken);
                source.Cancel();
            }

            return Inner.AppendAsync(append, cancellationToken);
        }
    }

    private sealed class FlakyLedgerStore() : ForwardingLedgerStore(new InMemoryLedgerStore())
    {
        public bool FailNextAppend { get; set; }

        public override ValueTask<LedgerAppendResult> AppendAsync(LedgerAppend append, CancellationToken cancellationToken = default)
        {
            if (FailNextAppend)
            {
                FailNextAppend = false;
                throw new LoyaltyStoreException("connection lost", isTransient: true);
            }

            return Inner.AppendAsync(append, cancellationToken);
        }
    }
}
