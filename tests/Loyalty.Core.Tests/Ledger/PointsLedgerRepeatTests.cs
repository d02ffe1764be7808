using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;
using static Loyalty.Core.Tests.Ledger.LedgerHarness;

namespace Loyalty.Core.Tests.Ledger;

/// <summary>A transaction id used again: the identical request is a repeat, a different one is refused naming the field that differs; merchants are kept on every kind.</summary>
public class PointsLedgerRepeatTests
{
    private static readonly MerchantId ShopOne = MerchantId.From("shop-1");
    private static readonly MerchantId ShopTwo = MerchantId.From("shop-2");

    private static void ShouldConflict(LedgerResult result, LedgerTransactionRecord existing, string field)
    {
        result.ErrorCode.Should().Be(LedgerErrorCode.IdempotencyConflict);
        result.Error!.Field.Should().Be(field);
        result.Error.Message.Should().Be(
            $"Transaction id '{existing.Id}' was already used for a {existing.Kind} of {existing.Amount} points for member 'alice'; this request differs in {field}. Use a new transaction id for a new operation.");
    }

    [Fact]
    public async Task A_capture_id_used_for_another_hold_differs_in_its_hold_id()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(100);
        await h.Ledger.HoldAsync(new HoldPoints(Id("h1"), Alice, P(50)));
        await h.Ledger.HoldAsync(new HoldPoints(Id("h2"), Alice, P(20)));
        var capture = (await h.Ledger.CaptureAsync(new CaptureHold(Id("c1"), Alice, Id("h1")))).Transaction!;

        ShouldConflict(await h.Ledger.CaptureAsync(new CaptureHold(Id("c1"), Alice, Id("h2"))), capture, "HoldId");
        (await h.Ledger.CaptureAsync(new CaptureHold(Id("c1"), Alice, Id("h1")))).IsRepeat.Should().BeTrue();
    }

    [Fact]
    public async Task A_reversal_id_used_again_differs_in_its_original_or_its_reason()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(70, "e1");
        await h.EarnAsync(30, "e2");
        var reversal = (await h.Ledger.ReverseAsync(new ReversePoints(Id("r1"), Alice, Id("e1"), P(10)) { Reason = "return of item 2" })).Transaction!;

        ShouldConflict(await h.Ledger.ReverseAsync(new ReversePoints(Id("r1"), Alice, Id("e2"), P(10)) { Reason = "return of item 2" }), reversal, "OriginalId");
        ShouldConflict(await h.Ledger.ReverseAsync(new ReversePoints(Id("r1"), Alice, Id("e1"), P(10)) { Reason = "return of item 3" }), reversal, "Reason");
        ShouldConflict(await h.Ledger.ReverseAsync(new ReversePoints(Id("r1"), Alice, Id("e1"), P(10))), reversal, "Reason");
        (await h.Ledger.ReverseAsync(new ReversePoints(Id("r1"), Alice, Id("e1"), P(10)) { Reason = "return of item 2" })).IsRepeat.Should().BeTrue();
        (await h.BalanceAsync()).Available.Should().Be(P(90));
    }

    [Fact]
    public async Task An_adjustment_id_used_again_differs_in_its_direction_or_its_actor()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(100);
        var adjustment = (await h.Ledger.AdjustAsync(new AdjustPoints(Id("a1"), Alice, AdjustmentDirection.Credit, P(5), "goodwill", "agent-7"))).Transaction!;

        ShouldConflict(await h.Ledger.AdjustAsync(new AdjustPoints(Id("a1"), Alice, AdjustmentDirection.Debit, P(5), "goodwill", "agent-7")), adjustment, "Direction");
        ShouldConflict(await h.Ledger.AdjustAsync(new AdjustPoints(Id("a1"), Alice, AdjustmentDirection.Credit, P(5), "goodwill", "agent-8")), adjustment, "Actor");
        ShouldConflict(await h.Ledger.AdjustAsync(new AdjustPoints(Id("a1"), Alice, AdjustmentDirection.Credit, P(5), "goodwill!", "agent-7")), adjustment, "Reason");
        (await h.Ledger.AdjustAsync(new AdjustPoints(Id("a1"), Alice, AdjustmentDirection.Credit, P(5), "goodwill", "agent-7"))).IsRepeat.Should().BeTrue();
    }

    [Fact]
    public async Task An_earn_id_used_again_differs_in_its_expiry_or_its_merchant()
    {
        var h = new LedgerHarness();
        var expires = h.Clock.GetCurrentInstant() + Duration.FromDays(90);
        var earn = (await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(70)) { ExpiresAt = expires, Merchant = ShopOne })).Transaction!;
        earn.Merchant.Should().Be(ShopOne);

        ShouldConflict(await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(70)) { ExpiresAt = expires + Duration.FromDays(1), Merchant = ShopOne }), earn, "ExpiresAt");
        ShouldConflict(await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(70)) { Merchant = ShopOne }), earn, "ExpiresAt");
        ShouldConflict(await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(70)) { ExpiresAt = expires, Merchant = ShopTwo }), earn, "Merchant");
        ShouldConflict(await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(70)) { ExpiresAt = expires }), earn, "Merchant");
        (await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(70)) { ExpiresAt = expires, Merchant = ShopOne })).IsRepeat.Should().BeTrue();
    }

    [Fact]
    public async Task A_reversal_without_a_merchant_takes_its_originals_and_repeats_without_one()
    {
        var h = new LedgerHarness();
        await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(70)) { Merchant = ShopOne });
        var reversal = (await h.Ledger.ReverseAsync(new ReversePoints(Id("r1"), Alice, Id("e1"), P(10)))).Transaction!;
        reversal.Merchant.Should().Be(ShopOne);

        (await h.Ledger.ReverseAsync(new ReversePoints(Id("r1"), Alice, Id("e1"), P(10)))).IsRepeat.Should().BeTrue("a merchant not given is the original's");
        (await h.Ledger.ReverseAsync(new ReversePoints(Id("r1"), Alice, Id("e1"), P(10)) { Merchant = ShopOne })).IsRepeat.Should().BeTrue();
        ShouldConflict(await h.Ledger.ReverseAsync(new ReversePoints(Id("r1"), Alice, Id("e1"), P(10)) { Merchant = ShopTwo }), reversal, "Merchant");
    }

    [Fact]
    public async Task Every_kind_that_names_a_merchant_keeps_it_in_the_history()
    {
        var h = new LedgerHarness();
        await h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(100)) { Merchant = ShopOne });
        await h.Ledger.RedeemAsync(new RedeemPoints(Id("r1"), Alice, P(10)) { Merchant = ShopTwo });
        await h.Ledger.HoldAsync(new HoldPoints(Id("h1"), Alice, P(20)) { Merchant = ShopOne });
        await h.Ledger.CaptureAsync(new CaptureHold(Id("c1"), Alice, Id("h1")) { Merchant = ShopTwo });
        await h.Ledger.AdjustAsync(new AdjustPoints(Id("a1"), Alice, AdjustmentDirection.Debit, P(5), "goodwill", "agent-7") { Merchant = ShopOne });

        var history = (await h.Ledger.GetHistoryAsync(Alice)).Transactions;
        history.Select(t => (t.Id.Value, t.Merchant)).Should().Equal(
            ("e1", (MerchantId?)ShopOne), ("r1", ShopTwo), ("h1", ShopOne), ("c1", ShopTwo), ("a1", ShopOne));
        (await h.Ledger.VerifyAccountAsync(Alice)).IsIntact.Should().BeTrue("the merchant is sealed into each link");
    }

    [Fact]
    public async Task A_default_merchant_id_is_refused_with_a_clear_message()
    {
        var h = new LedgerHarness();
        var refusal = await FluentActions.Awaiting(() => h.Ledger.EarnAsync(new EarnPoints(Id("e1"), Alice, P(10)) { Merchant = default(MerchantId) }))
            .Should().ThrowAsync<ArgumentException>();
        refusal.Which.Message.Should().Be("Merchant must be a merchant id or null for the programme's own shop, not default(MerchantId). (Parameter 'command')");
        (await h.BalanceAsync()).Version.Should().Be(0);
    }

    [Fact]
    public async Task A_reversal_reason_longer_than_500_characters_is_refused()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(70, "e1");
        var refusal = await FluentActions.Awaiting(() => h.Ledger.ReverseAsync(new ReversePoints(Id("r1"), Alice, Id("e1"), P(10)) { Reason = new string('x', 501) }))
            .Should().ThrowAsync<ArgumentException>();
        refusal.Which.Message.Should().Be("Reason must be at most 500 characters (was 501). (Parameter 'command')");
        (await h.Ledger.ReverseAsync(new ReversePoints(Id("r2"), Alice, Id("e1"), P(10)) { Reason = new string('x', 500) })).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task A_closed_hold_records_what_was_captured_and_by_which_transaction()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(100);
        await h.Ledger.HoldAsync(new HoldPoints(Id("h1"), Alice, P(50)));
        await h.Ledger.HoldAsync(new HoldPoints(Id("h2"), Alice, P(20)));
        (await h.Ledger.CaptureAsync(new CaptureHold(Id("c1"), Alice, Id("h1"), P(30)))).Succeeded.Should().BeTrue();
        (await h.Ledger.ReleaseAsync(new ReleaseHold(Id("x2"), Alice, Id("h2")))).Succeeded.Should().BeTrue();

        var key = new LedgerAccountKey(ProgramId.From("club"), Alice);
        var captured = (await h.Store.GetHoldAsync(key, Id("h1")))!;
        (captured.Status, captured.Captured, captured.ClosedBy).Should().Be((LedgerHoldStatus.Captured, 30L, (TransactionId?)Id("c1")));
        var released = (await h.Store.GetHoldAsync(key, Id("h2")))!;
        (released.Status, released.Captured, released.ClosedBy).Should().Be((LedgerHoldStatus.Released, 0L, (TransactionId?)Id("x2")));
        (await h.BalanceAsync()).Available.Should().Be(P(70));
    }
}
