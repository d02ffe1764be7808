using Loyalty.Core.Configuration;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;
using static Loyalty.Core.Tests.Ledger.LedgerHarness;

namespace Loyalty.Core.Tests.Ledger;

public class PointsLedgerEdgeTests
{
    private static readonly MerchantId Shop = MerchantId.From("shop-1");

    private static ProgramSettings Settings() => new LoyaltyOptions { ProgramId = "club", TimeZone = "UTC" }.ToProgramSettings();

    [Fact]
    public void Constructor_rejects_null_options_with_the_parameter_name()
    {
        var act = () => new PointsLedger(new FakeClock(Instant.FromUtc(2026, 1, 1, 0, 0)), new InMemoryLedgerStore(), Settings(), null!);
        act.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("options");
    }

    [Fact]
    public void Constructor_rejects_invalid_options_listing_the_failures()
    {
        var options = new LedgerOptions { PendingPeriod = TimeSpan.FromDays(-1) };
        var act = () => new PointsLedger(new FakeClock(Instant.FromUtc(2026, 1, 1, 0, 0)), new InMemoryLedgerStore(), Settings(), Options.Create(options));
        var thrown = act.Should().Throw<ArgumentException>().Which;
        thrown.ParamName.Should().Be("options");
        thrown.Message.Should().StartWith("Invalid ledger options: Loyalty:Ledger:PendingPeriod");
    }

    [Fact]
    public async Task Earn_that_would_overflow_the_balance_names_the_balance()
    {
        var h = new LedgerHarness();
        (await h.Ledger.AdjustAsync(new AdjustPoints(Id("a1"), Alice, AdjustmentDirection.Credit, P(long.MaxValue - 10), "migration", "ops"))).Succeeded.Should().BeTrue();

        var act = () => h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(20)));
        (await act.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().StartWith(
            $"Amount 20 would overflow the member's balance points ({long.MaxValue - 10}); split the operation or check the amount.");
        (await h.BalanceAsync()).Available.Should().Be(P(long.MaxValue - 10));
    }

    [Fact]
    public async Task Credit_adjustment_that_would_overflow_lifetime_adjusted_names_it()
    {
        var h = new LedgerHarness();
        (await h.Ledger.AdjustAsync(new AdjustPoints(Id("a1"), Alice, AdjustmentDirection.Credit, P(long.MaxValue - 10), "migration", "ops"))).Succeeded.Should().BeTrue();
        (await h.RedeemAsync(long.MaxValue - 10, "r1")).Succeeded.Should().BeTrue();

        var act = () => h.Ledger.AdjustAsync(new AdjustPoints(Id("a2"), Alice, AdjustmentDirection.Credit, P(20), "goodwill", "ops"));
        (await act.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().StartWith(
            $"Amount 20 would overflow the member's lifetime adjusted points ({long.MaxValue - 10}); split the operation or check the amount.");
        (await h.BalanceAsync()).Available.Should().Be(P(0));
    }

    [Fact]
    public async Task Hold_of_exactly_the_available_points_succeeds()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(100);
        var hold = await h.Ledger.HoldAsync(new HoldPoints(Id("h1"), Alice, P(100)));
        hold.Succeeded.Should().BeTrue(hold.ToString());
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Held == P(100) && b.Available == P(0));
    }

    [Fact]
    public async Task Capture_of_a_hold_over_every_available_point_succeeds()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(100, "e1");
        (await h.Ledger.HoldAsync(new HoldPoints(Id("h1"), Alice, P(100)))).Succeeded.Should().BeTrue();

        var capture = await h.Ledger.CaptureAsync(new CaptureHold(Id("c1"), Alice, Id("h1"), P(100)));
        capture.Succeeded.Should().BeTrue(capture.ToString());
        capture.Transaction!.Movements.Should().Equal(new LedgerLotMovement(Id("e1"), -100));
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Held == P(0) && b.Available == P(0));
    }

    [Fact]
    public async Task Debit_adjustment_of_exactly_the_available_points_succeeds()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(100, "e1");
        var debit = await h.Ledger.AdjustAsync(new AdjustPoints(Id("a1"), Alice, AdjustmentDirection.Debit, P(100), "correction", "ops"));
        debit.Succeeded.Should().BeTrue(debit.ToString());
        (await h.BalanceAsync()).Available.Should().Be(P(0));
    }

    [Fact]
    public async Task Credit_adjustment_repays_debt_before_adding_to_the_balance()
    {
        var h = new LedgerHarness(o => o.ShortfallPolicy = ShortfallPolicy.AllowNegative);
        await h.EarnAsync(100, "e1");
        (await h.RedeemAsync(100, "r1")).Succeeded.Should().BeTrue();
        (await h.Ledger.ReverseAsync(new ReversePoints(Id("v1"), Alice, Id("e1"), P(30)))).Succeeded.Should().BeTrue();

        var credit = await h.Ledger.AdjustAsync(new AdjustPoints(Id("a1"), Alice, AdjustmentDirection.Credit, P(50), "goodwill", "ops"));
        credit.Transaction!.DebtChange.Should().Be(-30);
        credit.Transaction.Movements.Should().Equal(new LedgerLotMovement(Id("a1"), 20));
        (await h.BalanceAsync()).Available.Should().Be(P(20));
    }

    [Fact]
    public async Task Reversal_takes_the_original_merchant_unless_it_names_its_own()
    {
        var h = new LedgerHarness();
        (await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(100)) { Merchant = Shop })).Succeeded.Should().BeTrue();

        var inherited = await h.Ledger.ReverseAsync(new ReversePoints(Id("v1"), Alice, Id("e1"), P(10)));
        inherited.Transaction!.Merchant.Should().Be(Shop);

        var other = MerchantId.From("shop-2");
        var own = await h.Ledger.ReverseAsync(new ReversePoints(Id("v2"), Alice, Id("e1"), P(10)) { Merchant = other });
        own.Transaction!.Merchant.Should().Be(other);
    }

    [Fact]
    public async Task Earn_with_its_own_expiry_keeps_it_over_the_policy()
    {
        var h = new LedgerHarness(o => { o.Expiry.Policy = ExpiryPolicyKind.Rolling; o.Expiry.Days = 30; });
        var at = h.Clock.GetCurrentInstant() + Duration.FromDays(400);
        var earn = await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(100)) { ExpiresAt = at });
        earn.Transaction!.ExpiresAt.Should().Be(at);
    }

    [Fact]
    public async Task Earn_pending_past_the_inactivity_deadline_is_rejected()
    {
        var h = new LedgerHarness(o => { o.Expiry.Policy = ExpiryPolicyKind.Inactivity; o.Expiry.Months = 1; });
        var now = h.Clock.GetCurrentInstant();
        var act = () => h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(100)) { PendingPeriod = Duration.FromDays(60) });
        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().StartWith(
            $"The points would expire at {Instant.FromUtc(2026, 4, 15, 10, 0)} before they become available at {now + Duration.FromDays(60)}; shorten the pending period or choose a later expiry.");
    }

    [Fact]
    public async Task Earn_pending_past_the_inactivity_deadline_is_accepted_with_its_own_later_expiry()
    {
        var h = new LedgerHarness(o => { o.Expiry.Policy = ExpiryPolicyKind.Inactivity; o.Expiry.Months = 1; });
        var at = h.Clock.GetCurrentInstant() + Duration.FromDays(100);
        var earn = await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(100)) { PendingPeriod = Duration.FromDays(60), ExpiresAt = at });
        earn.Succeeded.Should().BeTrue(earn.ToString());
        earn.Transaction!.ExpiresAt.Should().Be(at);
    }

    [Fact]
    public async Task A_refused_write_is_not_a_repeat()
    {
        var h = new LedgerHarness();
        var result = await h.RedeemAsync(1, "r1");
        result.ErrorCode.Should().Be(LedgerErrorCode.InsufficientPoints);
        result.IsRepeat.Should().BeFalse();
    }

    [Fact]
    public async Task Queries_reject_a_default_member_or_transaction_id()
    {
        var h = new LedgerHarness();
        const string MemberMessage = "memberId must not be default; create one with MemberId.From(...).*";
        (await FluentActions.Awaiting(() => h.Ledger.GetHistoryAsync(default)).Should().ThrowAsync<ArgumentException>()).WithMessage(MemberMessage).Which.ParamName.Should().Be("memberId");
        (await FluentActions.Awaiting(() => h.Ledger.GetBalanceAsOfAsync(default, h.Clock.GetCurrentInstant())).Should().ThrowAsync<ArgumentException>()).WithMessage(MemberMessage);
        (await FluentActions.Awaiting(() => h.Ledger.GetExpiryScheduleAsOfAsync(default, 30, h.Clock.GetCurrentInstant())).Should().ThrowAsync<ArgumentException>()).WithMessage(MemberMessage);
        (await FluentActions.Awaiting(() => h.Ledger.FindTransactionAsync(default)).Should().ThrowAsync<ArgumentException>())
            .WithMessage("transactionId must not be default; create one with TransactionId.From(...).*");
        (await FluentActions.Awaiting(() => h.Ledger.GetHistoryAsync(Alice, afterVersion: -1)).Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be("afterVersion");
    }

    [Fact]
    public void New_account_state_rejects_a_default_member()
    {
        var h = new LedgerHarness();
        var act = () => h.Ledger.NewAccountState(default);
        act.Should().Throw<ArgumentException>().WithMessage("memberId must not be default; create one with MemberId.From(...).*");
    }

    [Fact]
    public void Earn_into_and_redeem_from_a_kept_state_move_its_balance()
    {
        var h = new LedgerHarness();
        var now = h.Clock.GetCurrentInstant();
        var state = h.Ledger.NewAccountState(Alice);

        var earn = h.Ledger.EarnInto(state, new EarnPoints(Id("e1"), Alice, P(100)) { Merchant = Shop });
        earn.Succeeded.Should().BeTrue(earn.ToString());
        earn.IsRepeat.Should().BeFalse();
        earn.Transaction!.Merchant.Should().Be(Shop);
        earn.Transaction.ChainHash.Should().NotBe(default(LedgerHash));
        state.Spendable(now).Should().Be(100);

        var refused = h.Ledger.RedeemFrom(state, new RedeemPoints(Id("r1"), Alice, P(150)));
        refused.ErrorCode.Should().Be(LedgerErrorCode.InsufficientPoints);
        refused.Error!.Message.Should().Be("Member 'alice' has 100 available points; 150 were requested. Pending and held points cannot be spent.");

        var redeem = h.Ledger.RedeemFrom(state, new RedeemPoints(Id("r2"), Alice, P(100)) { Merchant = Shop });
        redeem.Succeeded.Should().BeTrue(redeem.ToString());
        redeem.Transaction!.Merchant.Should().Be(Shop);
        redeem.Transaction.Movements.Should().Equal(new LedgerLotMovement(Id("e1"), -100));
        state.Spendable(now).Should().Be(0);
    }

    [Fact]
    public void An_unchained_ledger_leaves_kept_transactions_unsealed()
    {
        var h = new LedgerHarness();
        h.Ledger.Chained = false;
        var state = h.Ledger.NewAccountState(Alice);
        var earn = h.Ledger.EarnInto(state, new EarnPoints(Id("e1"), Alice, P(100)));
        earn.Transaction!.ChainHash.Should().Be(default(LedgerHash));
    }

    [Fact]
    public void Earn_into_another_members_state_is_rejected()
    {
        var h = new LedgerHarness();
        var state = h.Ledger.NewAccountState(MemberId.From("bob"));
        var act = () => h.Ledger.EarnInto(state, new EarnPoints(Id("e1"), Alice, P(100)));
        var thrown = act.Should().Throw<ArgumentException>().Which;
        thrown.ParamName.Should().Be("state");
        thrown.Message.Should().StartWith($"The account state is {state.Key}'s, not member 'alice''s of programme 'club'.");
        state.Spendable(h.Clock.GetCurrentInstant()).Should().Be(0);
    }

    [Fact]
    public async Task Expiry_schedule_from_a_snapshot_lists_the_lots_or_nothing_without_a_head()
    {
        var h = new LedgerHarness(o => { o.Expiry.Policy = ExpiryPolicyKind.Rolling; o.Expiry.Days = 30; });
        var now = h.Clock.GetCurrentInstant();
        await h.EarnAsync(100, "e1");
        var key = new LedgerAccountKey(ProgramId.From("club"), Alice);
        var snapshot = await h.Store.GetAccountAsync(key);

        h.Ledger.ExpirySchedule(key, snapshot, 60, now).Should().Equal(
            new ExpiringPoints(new LocalDate(2026, 4, 14), now + Duration.FromDays(30), P(100)));
        h.Ledger.ExpirySchedule(key, new LedgerAccountSnapshot(null, [], []), 60, now).Should().BeEmpty();
    }

    [Fact]
    public void Expiry_id_keeps_a_member_id_that_fills_the_id_exactly()
    {
        var at = Instant.FromUtc(2026, 3, 15, 10, 0);
        var prefix = $"expire:7:{at.ToUnixTimeTicks()}:";
        var member = MemberId.From(new string('m', Identifier.MaxLength - prefix.Length));
        var id = PointsLedger.ExpiryId(new LedgerAccountKey(ProgramId.From("club"), member), 7, at);
        id.Value.Should().Be(prefix + member.Value);
    }
}
