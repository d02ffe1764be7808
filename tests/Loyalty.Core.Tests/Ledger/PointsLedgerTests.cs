using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;
using static Loyalty.Core.Tests.Ledger.LedgerHarness;
using Loyalty.Core.Configuration;

namespace Loyalty.Core.Tests.Ledger;

public class PointsLedgerTests
{
    [Fact]
    public async Task Earn_creates_a_pending_lot_that_becomes_available_after_the_pending_period()
    {
        var h = new LedgerHarness(o => o.PendingPeriod = TimeSpan.FromDays(14));
        var earn = await h.EarnAsync(100, "e1");
        earn.AvailableAt.Should().Be(h.Clock.GetCurrentInstant() + Duration.FromDays(14));
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Pending == P(100) && b.Available == P(0));

        h.Advance(Duration.FromDays(14) - Duration.Epsilon);
        (await h.BalanceAsync()).Available.Should().Be(P(0));
        h.Advance(Duration.Epsilon);
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Pending == P(0) && b.Available == P(100));
    }

    [Fact]
    public async Task Pending_points_are_never_spendable()
    {
        var h = new LedgerHarness(o => o.PendingPeriod = TimeSpan.FromDays(14));
        await h.EarnAsync(100);
        var result = await h.RedeemAsync(1);
        result.ErrorCode.Should().Be(LedgerErrorCode.InsufficientPoints);
        result.Error!.Message.Should().Be("Member 'alice' has 0 available points; 1 were requested. Pending and held points cannot be spent.");
    }

    [Fact]
    public async Task Per_earn_pending_override_wins()
    {
        var h = new LedgerHarness(o => o.PendingPeriod = TimeSpan.FromDays(14));
        await h.EarnAsync(40, pending: Duration.Zero);
        (await h.BalanceAsync()).Available.Should().Be(P(40));
    }

    [Fact]
    public async Task Redeem_consumes_soonest_expiry_first_then_oldest_and_records_the_allocation()
    {
        var h = new LedgerHarness();
        var now = h.Clock.GetCurrentInstant();
        await h.Ledger.EarnAsync(new EarnPoints(Id("late"), Alice, P(50)) { ExpiresAt = now + Duration.FromDays(300) });
        await h.Ledger.EarnAsync(new EarnPoints(Id("never"), Alice, P(50)));
        await h.Ledger.EarnAsync(new EarnPoints(Id("soon-old"), Alice, P(30)) { ExpiresAt = now + Duration.FromDays(10) });
        await h.Ledger.EarnAsync(new EarnPoints(Id("soon-new"), Alice, P(30)) { ExpiresAt = now + Duration.FromDays(10) });

        var result = await h.RedeemAsync(100, "r1");
        result.Transaction!.Movements.Should().Equal(
            new LedgerLotMovement(Id("soon-old"), -30),
            new LedgerLotMovement(Id("soon-new"), -30),
            new LedgerLotMovement(Id("late"), -40));
        (await h.BalanceAsync()).Available.Should().Be(P(60));
    }

    [Fact]
    public async Task Same_id_same_content_returns_the_original_and_changes_nothing()
    {
        var h = new LedgerHarness();
        var first = await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(70)));
        h.Advance(Duration.FromMinutes(5));
        var again = await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(70)));
        again.IsRepeat.Should().BeTrue();
        again.Transaction.Should().BeEquivalentTo(first.Transaction);
        (await h.BalanceAsync()).Earned.Should().Be(P(70));
    }

    [Theory]
    [InlineData("amount", "Amount")]
    [InlineData("member", "MemberId")]
    [InlineData("kind", "Kind")]
    [InlineData("pending", "PendingPeriod")]
    public async Task Same_id_different_content_is_an_idempotency_conflict_naming_the_field(string change, string field)
    {
        var h = new LedgerHarness();
        await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(70)));
        var result = change switch
        {
            "amount" => await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(35))),
            "member" => await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), MemberId.From("bob"), P(70))),
            "kind" => await h.Ledger.RedeemAsync(new RedeemPoints(Id("e1"), Alice, P(70))),
            _ => await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(70)) { PendingPeriod = Duration.FromDays(1) }),
        };
        result.ErrorCode.Should().Be(LedgerErrorCode.IdempotencyConflict);
        result.Error!.Field.Should().Be(field);
        result.Error.Message.Should().Be(
            $"Transaction id 'e1' was already used for a Earn of 70 points for member 'alice'; this request differs in {field}. Use a new transaction id for a new operation.");
        (await h.BalanceAsync()).Earned.Should().Be(P(70));
        (await h.BalanceAsync(MemberId.From("bob"))).Version.Should().Be(0);
    }

    [Fact]
    public async Task Hold_reserves_points_and_capture_part_gives_back_the_rest()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(100);
        (await h.Ledger.HoldAsync(new HoldPoints(Id("h1"), Alice, P(60)))).Succeeded.Should().BeTrue();
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Available == P(40) && b.Held == P(60));
        (await h.RedeemAsync(41)).ErrorCode.Should().Be(LedgerErrorCode.InsufficientPoints);

        var capture = await h.Ledger.CaptureAsync(new CaptureHold(Id("c1"), Alice, Id("h1"), P(50)));
        capture.Transaction!.Amount.Should().Be(50);
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Available == P(50) && b.Held == P(0) && b.Redeemed == P(50));

        var again = await h.Ledger.CaptureAsync(new CaptureHold(Id("c2"), Alice, Id("h1")));
        again.ErrorCode.Should().Be(LedgerErrorCode.HoldAlreadyCaptured);
        again.Error!.Message.Should().Be("Hold 'h1' was already captured by 'c1'.");
        (await h.Ledger.ReleaseAsync(new ReleaseHold(Id("r2"), Alice, Id("h1")))).ErrorCode.Should().Be(LedgerErrorCode.HoldAlreadyCaptured);
    }

    [Fact]
    public async Task Whole_capture_takes_the_hold_amount()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(100);
        await h.Ledger.HoldAsync(new HoldPoints(Id("h1"), Alice, P(60)));
        var capture = await h.Ledger.CaptureAsync(new CaptureHold(Id("c1"), Alice, Id("h1")));
        capture.Transaction!.Amount.Should().Be(60);
        capture.Transaction.IsWholeCapture.Should().BeTrue();
        (await h.Ledger.CaptureAsync(new CaptureHold(Id("c1"), Alice, Id("h1")))).IsRepeat.Should().BeTrue();
        var conflict = await h.Ledger.CaptureAsync(new CaptureHold(Id("c1"), Alice, Id("h1"), P(60)));
        conflict.Error!.Field.Should().Be("Amount");
    }

    [Fact]
    public async Task Release_gives_the_points_back_and_a_second_release_is_refused()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(100);
        await h.Ledger.HoldAsync(new HoldPoints(Id("h1"), Alice, P(60)));
        (await h.Ledger.ReleaseAsync(new ReleaseHold(Id("x1"), Alice, Id("h1")))).Succeeded.Should().BeTrue();
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Available == P(100) && b.Held == P(0));
        var again = await h.Ledger.ReleaseAsync(new ReleaseHold(Id("x2"), Alice, Id("h1")));
        again.ErrorCode.Should().Be(LedgerErrorCode.HoldAlreadyReleased);
        again.Error!.Message.Should().Be("Hold 'h1' was already released by 'x1'.");
        (await h.Ledger.CaptureAsync(new CaptureHold(Id("c1"), Alice, Id("h1")))).ErrorCode.Should().Be(LedgerErrorCode.HoldAlreadyReleased);
    }

    [Fact]
    public async Task A_hold_lapses_at_its_own_expiry()
    {
        var h = new LedgerHarness(o => o.HoldLifetime = TimeSpan.FromMinutes(30));
        await h.EarnAsync(100);
        await h.Ledger.HoldAsync(new HoldPoints(Id("h1"), Alice, P(60)));
        h.Advance(Duration.FromMinutes(30) - Duration.Epsilon);
        (await h.BalanceAsync()).Held.Should().Be(P(60));
        h.Advance(Duration.Epsilon);
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Available == P(100) && b.Held == P(0));
        var capture = await h.Ledger.CaptureAsync(new CaptureHold(Id("c1"), Alice, Id("h1")));
        capture.ErrorCode.Should().Be(LedgerErrorCode.HoldLapsed);
        capture.Error!.Message.Should().Be("Hold 'h1' lapsed at 2026-03-15T10:30:00Z; its points were never spent. Place a new hold.");

        // The next write marks the hold lapsed in the store; it stays lapsed.
        await h.EarnAsync(1);
        (await h.Store.GetHoldAsync(new LedgerAccountKey(ProgramId.From("club"), Alice), Id("h1")))!.Status.Should().Be(LedgerHoldStatus.Lapsed);
        (await h.Ledger.ReleaseAsync(new ReleaseHold(Id("x1"), Alice, Id("h1")))).ErrorCode.Should().Be(LedgerErrorCode.HoldLapsed);
    }

    [Fact]
    public async Task Hold_errors_have_stable_codes_and_messages()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(100);
        var missing = await h.Ledger.CaptureAsync(new CaptureHold(Id("c1"), Alice, Id("nope")));
        missing.ErrorCode.Should().Be(LedgerErrorCode.HoldNotFound);
        missing.Error!.Message.Should().Be("Member 'alice' has no hold 'nope'; check the id returned when the hold was placed.");

        await h.Ledger.HoldAsync(new HoldPoints(Id("h1"), Alice, P(60)));
        var exceeds = await h.Ledger.CaptureAsync(new CaptureHold(Id("c2"), Alice, Id("h1"), P(61)));
        exceeds.ErrorCode.Should().Be(LedgerErrorCode.CaptureExceedsHold);
        exceeds.Error!.Message.Should().Be("Hold 'h1' reserved 60 points; a capture of 61 exceeds it. Capture at most 60, or place a new hold.");

        (await h.Ledger.HoldAsync(new HoldPoints(Id("h2"), Alice, P(41)))).ErrorCode.Should().Be(LedgerErrorCode.InsufficientPoints);
        ((int)LedgerErrorCode.InsufficientPoints).Should().Be(1);
        ((int)LedgerErrorCode.ConcurrencyConflict).Should().Be(11);
    }

    [Fact]
    public async Task Reversal_errors()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(70, "e1");
        var unknown = await h.Ledger.ReverseAsync(new ReversePoints(Id("v1"), Alice, Id("nope"), P(1)));
        unknown.ErrorCode.Should().Be(LedgerErrorCode.UnknownTransaction);
        unknown.Error!.Message.Should().Be("Member 'alice' has no transaction 'nope'; check the id of the earn or redemption to reverse.");

        var otherMember = await h.Ledger.ReverseAsync(new ReversePoints(Id("v2"), MemberId.From("bob"), Id("e1"), P(1)));
        otherMember.ErrorCode.Should().Be(LedgerErrorCode.UnknownTransaction);

        await h.Ledger.ReverseAsync(new ReversePoints(Id("v3"), Alice, Id("e1"), P(35)));
        var exceeds = await h.Ledger.ReverseAsync(new ReversePoints(Id("v4"), Alice, Id("e1"), P(36)));
        exceeds.ErrorCode.Should().Be(LedgerErrorCode.ReversalExceedsOriginal);
        exceeds.Error!.Message.Should().Be("Transaction 'e1' was for 70 points and 35 are already reversed; at most 35 more can be reversed (requested 36).");

        var notReversible = await h.Ledger.ReverseAsync(new ReversePoints(Id("v5"), Alice, Id("v3"), P(1)));
        notReversible.ErrorCode.Should().Be(LedgerErrorCode.NotReversible);
        notReversible.Error!.Message.Should().Be("Transaction 'v3' is a Reverse; only an Earn, a Redeem or a Capture can be reversed (use an adjustment otherwise).");
    }

    [Fact]
    public async Task Adjustments_credit_and_debit_with_reason_and_actor()
    {
        var h = new LedgerHarness();
        var credit = await h.Ledger.AdjustAsync(new AdjustPoints(Id("a1"), Alice, AdjustmentDirection.Credit, P(50), "late delivery", "agent-7"));
        credit.Transaction!.Should().Match<LedgerTransactionRecord>(t => t.Amount == 50 && t.Reason == "late delivery" && t.Actor == "agent-7");
        (await h.Ledger.AdjustAsync(new AdjustPoints(Id("a2"), Alice, AdjustmentDirection.Debit, P(20), "correction", "agent-7"))).Succeeded.Should().BeTrue();
        (await h.Ledger.AdjustAsync(new AdjustPoints(Id("a3"), Alice, AdjustmentDirection.Debit, P(31), "correction", "agent-7"))).ErrorCode
            .Should().Be(LedgerErrorCode.InsufficientPoints);
        var balance = await h.BalanceAsync();
        balance.Should().Match<LedgerBalance>(b => b.Available == P(30) && b.Adjusted == P(30));
        var conflict = await h.Ledger.AdjustAsync(new AdjustPoints(Id("a1"), Alice, AdjustmentDirection.Debit, P(50), "late delivery", "agent-7"));
        conflict.Error!.Field.Should().Be("Direction");
        var actor = await h.Ledger.AdjustAsync(new AdjustPoints(Id("a1"), Alice, AdjustmentDirection.Credit, P(50), "late delivery", "agent-8"));
        actor.Error!.Field.Should().Be("Actor");
    }

    [Fact]
    public async Task History_is_paged_in_order_and_lookup_by_id_works()
    {
        var h = new LedgerHarness();
        for (var i = 1; i <= 5; i++)
        {
            await h.EarnAsync(i, $"e{i}");
        }

        var first = await h.Ledger.GetHistoryAsync(Alice, 0, 2);
        first.Transactions.Select(t => t.Id.Value).Should().Equal("e1", "e2");
        var second = await h.Ledger.GetHistoryAsync(Alice, first.ContinueAfter!.Value, 2);
        second.Transactions.Select(t => t.Id.Value).Should().Equal("e3", "e4");
        var last = await h.Ledger.GetHistoryAsync(Alice, second.ContinueAfter!.Value, 2);
        last.Transactions.Select(t => t.Id.Value).Should().Equal("e5");
        last.ContinueAfter.Should().BeNull();
        (await h.Ledger.FindTransactionAsync(Id("e3")))!.Amount.Should().Be(3);
        (await h.Ledger.FindTransactionAsync(Id("zz"))).Should().BeNull();
    }

    [Fact]
    public async Task Expiry_schedule_lists_points_per_last_spendable_local_date()
    {
        var h = new LedgerHarness(o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = 10, RoundUpTo = ExpiryRounding.EndOfDay }, "Europe/Paris");
        await h.EarnAsync(30);
        await h.EarnAsync(20);
        h.Advance(Duration.FromDays(2));
        await h.EarnAsync(5);
        var schedule = await h.Ledger.GetExpiryScheduleAsync(Alice, 30);
        schedule.Should().Equal(
            new ExpiringPoints(new LocalDate(2026, 3, 25), Instant.FromUtc(2026, 3, 25, 23, 0), P(50)),
            new ExpiringPoints(new LocalDate(2026, 3, 27), Instant.FromUtc(2026, 3, 27, 23, 0), P(5)));
        (await h.Ledger.GetExpiryScheduleAsync(Alice, 5)).Should().BeEmpty();
    }

    [Fact]
    public async Task Expiry_schedule_as_of_a_past_instant_starts_its_horizon_there()
    {
        var h = new LedgerHarness(o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = 10, RoundUpTo = ExpiryRounding.EndOfDay }, "Europe/Paris");
        var earnedAt = h.Clock.GetCurrentInstant();
        await h.EarnAsync(30);
        h.Advance(Duration.FromDays(20));

        (await h.Ledger.GetExpiryScheduleAsync(Alice, 30)).Should().BeEmpty("the lot expired ten days ago");
        (await h.Ledger.GetExpiryScheduleAsOfAsync(Alice, 30, earnedAt)).Should().Equal(
            new ExpiringPoints(new LocalDate(2026, 3, 25), Instant.FromUtc(2026, 3, 25, 23, 0), P(30)));
        (await h.Ledger.GetExpiryScheduleAsOfAsync(Alice, 5, earnedAt)).Should().BeEmpty();
    }

    [Fact]
    public async Task Balance_never_counts_an_expired_lot_swept_or_not()
    {
        var h = new LedgerHarness(o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = 30 });
        await h.EarnAsync(100);
        h.Advance(Duration.FromDays(30) - Duration.Epsilon);
        (await h.BalanceAsync()).Available.Should().Be(P(100));
        h.Advance(Duration.Epsilon);
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Available == P(0) && b.Expired == P(100));
        (await h.RedeemAsync(1)).ErrorCode.Should().Be(LedgerErrorCode.InsufficientPoints);

        var run = await h.Ledger.ExpireDueAsync(h.Clock.GetCurrentInstant());
        run.Should().Be(new ExpiryRunResult(1, 1, P(100), 0));
        (await h.Ledger.ExpireDueAsync(h.Clock.GetCurrentInstant())).Should().Be(new ExpiryRunResult(0, 0, P(0), 0));
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Available == P(0) && b.Expired == P(100));
    }

    [Fact]
    public async Task Inactivity_lapses_the_whole_balance_after_n_months_without_earn_or_redeem()
    {
        var h = new LedgerHarness(o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Inactivity, Months = 12 });
        await h.EarnAsync(100);
        h.Advance(Duration.FromDays(200));
        (await h.RedeemAsync(10)).Succeeded.Should().BeTrue();
        h.Advance(Duration.FromDays(300));
        (await h.BalanceAsync()).Available.Should().Be(P(90));
        h.Advance(Duration.FromDays(70));
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Available == P(0) && b.Expired == P(90));
        (await h.Ledger.ExpireDueAsync(h.Clock.GetCurrentInstant())).PointsExpired.Should().Be(P(90));
    }

    [Fact]
    public async Task Bad_arguments_throw_with_what_to_fix()
    {
        var h = new LedgerHarness();
        await FluentActions.Awaiting(() => h.Ledger.EarnAsync(new EarnPoints(Id("e"), Alice, P(0))))
            .Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("Amount must be greater than 0 points (was 0). (Parameter 'Amount')*");
        await FluentActions.Awaiting(() => h.Ledger.RedeemAsync(new RedeemPoints(Id("r"), Alice, P(-5))))
            .Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("Amount must be greater than 0 points (was -5). (Parameter 'Amount')*");
        await FluentActions.Awaiting(() => h.Ledger.EarnAsync(new EarnPoints(default, Alice, P(1))))
            .Should().ThrowAsync<ArgumentException>().WithMessage("Id must not be default; create one with TransactionId.From(...). (Parameter 'Id')");
        await FluentActions.Awaiting(() => h.Ledger.EarnAsync(new EarnPoints(Id("e"), default, P(1))))
            .Should().ThrowAsync<ArgumentException>().WithMessage("MemberId must not be default; create one with MemberId.From(...). (Parameter 'MemberId')");
        await FluentActions.Awaiting(() => h.Ledger.CaptureAsync(new CaptureHold(Id("c"), Alice, default)))
            .Should().ThrowAsync<ArgumentException>().WithMessage("HoldId must not be default; create one with TransactionId.From(...). (Parameter 'HoldId')");
        await FluentActions.Awaiting(() => h.Ledger.ReverseAsync(new ReversePoints(Id("v"), Alice, default, P(1))))
            .Should().ThrowAsync<ArgumentException>().WithMessage("OriginalId must not be default; create one with TransactionId.From(...). (Parameter 'OriginalId')");
        await FluentActions.Awaiting(() => h.Ledger.EarnAsync(new EarnPoints(Id("e"), Alice, P(1)) { PendingPeriod = Duration.FromDays(-1) }))
            .Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("PendingPeriod must not be negative (was -1:00:00:00); use Duration.Zero for points available at once. (Parameter 'command')");
        await FluentActions.Awaiting(() => h.Ledger.EarnAsync(new EarnPoints(Id("e"), Alice, P(1)) { PendingPeriod = Duration.FromDays(10), ExpiresAt = Instant.FromUtc(2026, 3, 20, 0, 0) }))
            .Should().ThrowAsync<ArgumentException>().WithMessage("The points would expire at 2026-03-20T00:00:00Z before they become available at 2026-03-25T10:00:00Z; shorten the pending period or choose a later expiry. (Parameter 'command')");
        await FluentActions.Awaiting(() => h.Ledger.AdjustAsync(new AdjustPoints(Id("a"), Alice, AdjustmentDirection.Credit, P(1), " ", "agent")))
            .Should().ThrowAsync<ArgumentException>().WithMessage("Reason must not be empty; say why, e.g. \"goodwill after a late delivery\". (Parameter 'Reason')");
        await FluentActions.Awaiting(() => h.Ledger.AdjustAsync(new AdjustPoints(Id("a"), Alice, AdjustmentDirection.Credit, P(1), "why", "")))
            .Should().ThrowAsync<ArgumentException>().WithMessage("Actor must not be empty; say who, e.g. the support agent's login. (Parameter 'Actor')");
        await FluentActions.Awaiting(() => h.Ledger.AdjustAsync(new AdjustPoints(Id("a"), Alice, AdjustmentDirection.Credit, P(1), new string('x', 501), "a")))
            .Should().ThrowAsync<ArgumentException>().WithMessage("Reason must be at most 500 characters (was 501). (Parameter 'Reason')");
        await FluentActions.Awaiting(() => h.Ledger.AdjustAsync(new AdjustPoints(Id("a"), Alice, (AdjustmentDirection)5, P(1), "why", "a")))
            .Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("Direction must be Credit or Debit (was 5). (Parameter 'command')");
        await FluentActions.Awaiting(() => h.Ledger.ExpireDueAsync(h.Clock.GetCurrentInstant() + Duration.FromSeconds(1)))
            .Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("asOf (2026-03-15T10:00:01Z) must not be after the current instant (2026-03-15T10:00:00Z); expiring in advance would take points members can still spend. (Parameter 'asOf')*");
        await FluentActions.Awaiting(() => h.Ledger.GetHistoryAsync(Alice, 0, 0))
            .Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("pageSize must be between 1 and 1000 inclusive (was 0).*");
        await FluentActions.Awaiting(() => h.Ledger.GetExpiryScheduleAsync(Alice, 0))
            .Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("days must be between 1 and 3660 inclusive (was 0).*");
        await FluentActions.Awaiting(() => h.Ledger.GetBalanceAsync(default))
            .Should().ThrowAsync<ArgumentException>().WithMessage("memberId must not be default; create one with MemberId.From(...). (Parameter 'memberId')");
    }

    [Fact]
    public async Task Overflow_is_refused_before_anything_is_written()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(long.MaxValue - 10);
        await FluentActions.Awaiting(() => h.Ledger.EarnAsync(new EarnPoints(Id("big"), Alice, P(11))))
            .Should().ThrowAsync<ArgumentOutOfRangeException>()
            .WithMessage($"Amount 11 would overflow the member's lifetime earned points ({long.MaxValue - 10}); split the operation or check the amount.*");
        (await h.BalanceAsync()).Version.Should().Be(1);
    }

    [Fact]
    public void Invalid_options_are_refused_by_the_constructor()
    {
        var settings = new Loyalty.Core.DependencyInjection.LoyaltyOptions().ToProgramSettings();
        var bad = Microsoft.Extensions.Options.Options.Create(new LedgerOptions { MaxConcurrencyRetries = -2 });
        FluentActions.Invoking(() => new PointsLedger(new NodaTime.Testing.FakeClock(Instant.FromUtc(2026, 1, 1, 0, 0)), new Loyalty.Core.Storage.InMemory.InMemoryLedgerStore(), settings, bad))
            .Should().Throw<ArgumentException>()
            .WithMessage("Invalid ledger options: Loyalty:Ledger:MaxConcurrencyRetries: must be between 0 and 1000 (was -2). (Parameter 'options')");
    }
}
