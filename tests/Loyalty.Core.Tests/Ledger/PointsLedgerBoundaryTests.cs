using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;
using static Loyalty.Core.Tests.Ledger.LedgerHarness;

namespace Loyalty.Core.Tests.Ledger;

/// <summary>Reversals, repeats, balances and schedules exactly at their boundaries.</summary>
public class PointsLedgerBoundaryTests
{
    [Fact]
    public async Task Overflow_error_names_the_amount()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(long.MaxValue - 10, "e1");

        var act = () => h.Ledger.EarnAsync(new EarnPoints(Id("e2"), Alice, P(20)));
        var thrown = (await act.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which;
        thrown.ParamName.Should().Be("Amount");
        thrown.ActualValue.Should().Be(20L);
    }

    [Fact]
    public async Task Reversal_of_an_earn_whose_lot_expires_exactly_now_takes_from_the_other_lots()
    {
        var h = new LedgerHarness();
        var expiry = h.Clock.GetCurrentInstant() + Duration.FromDays(10);
        (await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(100)) { ExpiresAt = expiry })).Succeeded.Should().BeTrue();
        await h.EarnAsync(100, "e2");
        h.Clock.Reset(expiry);

        var reversal = await h.Ledger.ReverseAsync(new ReversePoints(Id("v1"), Alice, Id("e1"), P(10)));
        reversal.Succeeded.Should().BeTrue(reversal.ToString());
        reversal.Transaction!.Movements.Should().Equal(new LedgerLotMovement(Id("e2"), -10));
    }

    [Fact]
    public async Task Reversal_short_of_points_takes_pending_lots_soonest_available_first_then_oldest()
    {
        var h = new LedgerHarness(o => o.ShortfallPolicy = ShortfallPolicy.OnlyPending);
        await h.EarnAsync(200, "e1");
        await h.EarnAsync(50, "p1", Duration.FromDays(10));
        await h.EarnAsync(50, "p2", Duration.FromDays(5));
        await h.EarnAsync(50, "p3", Duration.FromDays(5));
        (await h.RedeemAsync(200, "r1")).Succeeded.Should().BeTrue();

        var reversal = await h.Ledger.ReverseAsync(new ReversePoints(Id("v1"), Alice, Id("e1"), P(130)));
        reversal.Succeeded.Should().BeTrue(reversal.ToString());
        reversal.Transaction!.Movements.Should().Equal(
            new LedgerLotMovement(Id("p2"), -50), new LedgerLotMovement(Id("p3"), -50), new LedgerLotMovement(Id("p1"), -30));
        reversal.Transaction.WrittenOff.Should().Be(0);
    }

    [Fact]
    public async Task Second_reversal_of_a_redemption_skips_the_lot_the_first_refilled()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(100, "e1");
        await h.EarnAsync(50, "e2");
        var redeem = await h.RedeemAsync(150, "r1");
        redeem.Transaction!.Movements.Should().Equal(new LedgerLotMovement(Id("e1"), -100), new LedgerLotMovement(Id("e2"), -50));

        var first = await h.Ledger.ReverseAsync(new ReversePoints(Id("v1"), Alice, Id("r1"), P(50)));
        first.Transaction!.Movements.Should().Equal(new LedgerLotMovement(Id("e2"), 50));

        var second = await h.Ledger.ReverseAsync(new ReversePoints(Id("v2"), Alice, Id("r1"), P(10)));
        second.Succeeded.Should().BeTrue(second.ToString());
        second.Transaction!.Movements.Should().Equal(new LedgerLotMovement(Id("e1"), 10));
        (await h.BalanceAsync()).Available.Should().Be(P(60));
    }

    [Fact]
    public async Task Repeated_partial_capture_returns_the_recorded_capture()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(100, "e1");
        (await h.Ledger.HoldAsync(new HoldPoints(Id("h1"), Alice, P(60)))).Succeeded.Should().BeTrue();
        var capture = await h.Ledger.CaptureAsync(new CaptureHold(Id("c1"), Alice, Id("h1"), P(40)));
        capture.Succeeded.Should().BeTrue(capture.ToString());

        var repeat = await h.Ledger.CaptureAsync(new CaptureHold(Id("c1"), Alice, Id("h1"), P(40)));
        repeat.Succeeded.Should().BeTrue(repeat.ToString());
        repeat.IsRepeat.Should().BeTrue();
        repeat.Transaction!.Version.Should().Be(capture.Transaction!.Version);

        var other = await h.Ledger.CaptureAsync(new CaptureHold(Id("c1"), Alice, Id("h1"), P(30)));
        other.ErrorCode.Should().Be(LedgerErrorCode.IdempotencyConflict);
        other.Error!.Field.Should().Be("Amount");
    }

    [Fact]
    public async Task Balance_read_by_a_clock_behind_the_last_write_is_the_balance_at_that_clock()
    {
        var h = new LedgerHarness();
        var start = h.Clock.GetCurrentInstant();
        await h.EarnAsync(100, "e1", Duration.FromDays(1));
        h.Advance(Duration.FromDays(2));
        await h.EarnAsync(10, "e2");
        (await h.BalanceAsync()).Available.Should().Be(P(110));

        h.Clock.Reset(start + Duration.FromHours(12));
        var balance = await h.BalanceAsync();
        balance.Available.Should().Be(P(0));
        balance.Pending.Should().Be(P(110));
    }

    [Fact]
    public async Task Expiry_schedule_includes_points_expiring_exactly_at_the_end_of_the_horizon()
    {
        var h = new LedgerHarness();
        var end = Instant.FromUtc(2026, 3, 17, 0, 0);
        (await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(100)) { ExpiresAt = end })).Succeeded.Should().BeTrue();
        (await h.Ledger.EarnAsync(new EarnPoints(Id("e2"), Alice, P(7)) { ExpiresAt = end + Duration.FromTicks(1) })).Succeeded.Should().BeTrue();

        (await h.Ledger.GetExpiryScheduleAsync(Alice, 1)).Should().Equal(new ExpiringPoints(new LocalDate(2026, 3, 16), end, P(100)));
    }

    [Fact]
    public async Task An_unchained_ledger_leaves_expiry_transactions_unsealed()
    {
        var h = new LedgerHarness();
        h.Ledger.Chained = false;
        var expiry = h.Clock.GetCurrentInstant() + Duration.FromDays(1);
        (await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(100)) { ExpiresAt = expiry })).Succeeded.Should().BeTrue();
        h.Advance(Duration.FromDays(2));

        (await h.Ledger.ExpireDueAsync(h.Clock.GetCurrentInstant())).PointsExpired.Should().Be(P(100));
        var history = await h.Ledger.GetHistoryAsync(Alice);
        var expire = history.Transactions.Should().ContainSingle(t => t.Kind == LedgerTransactionKind.Expire).Which;
        expire.Amount.Should().Be(100);
        expire.ChainHash.Should().Be(default(LedgerHash));
    }
}
