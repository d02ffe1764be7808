using FluentAssertions;
using Loyalty.Core.Coalition;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using NodaTime;
using Xunit;
using static Loyalty.Core.Tests.Coalition.CoalitionHarness;

namespace Loyalty.Core.Tests.Coalition;

public sealed class CoalitionProgramTests
{
    private static readonly MemberId Alice = MemberId.From("alice");
    private static readonly MemberId Bob = MemberId.From("bob");
    private static readonly MerchantId A = MerchantId.From("merchant-a");
    private static readonly MerchantId B = MerchantId.From("merchant-b");

    [Fact]
    public async Task Ten_thousand_points_at_0_015_USD_billed_at_100_percent_are_150_00_USD()
    {
        using var h = await new CoalitionHarness().ConfigureAsync((PartnerOf(Travel, "Travel site", Currency.USD), PerPoint(Travel, Currency.USD, 0.015m)));
        await h.EnrolAsync(Alice);
        h.AdvanceTo(At(2026, 1, 10));
        (await h.EarnAsync("T-1", Alice, Travel, 10_000m)).Points.Should().Be(P(10_000));

        h.AdvanceTo(At(2026, 2, 1, 12));
        var statement = (await h.Coalition.SettleAsync(January)).StatementOf(Travel);

        statement.Currency.Should().Be(Currency.USD);
        statement.Points.Issued.Should().Be(10_000);
        statement.Billed.Should().Be(150.00m);
        statement.Reimbursed.Should().Be(0m);
        statement.NetDue.Should().Be(150.00m);
        statement.Lines.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Kind = SettlementLineKind.Issued, AgreementVersion = 1, Points = 10_000L, UnitPrice = 0.015m, Amount = 150.00m, TransactionCount = 1 });
    }

    [Fact]
    public async Task Twelve_thousand_points_at_0_015_EUR_billed_at_90_percent_are_162_00_EUR()
    {
        using var h = await new CoalitionHarness().ConfigureAsync((PartnerOf(Grocer, "Grocer", Currency.EUR), PerPoint(Grocer, Currency.EUR, 0.015m, percentage: 90m)));
        await h.EnrolAsync(Alice);
        await h.EnrolAsync(Bob);
        h.AdvanceTo(At(2026, 1, 10));
        await h.EarnAsync("G-1", Alice, Grocer, 7_000m);
        await h.EarnAsync("G-2", Bob, Grocer, 5_000m);

        h.AdvanceTo(At(2026, 2, 1, 12));
        var statement = (await h.Coalition.SettleAsync(January)).StatementOf(Grocer);

        statement.Points.Issued.Should().Be(12_000);
        statement.Billed.Should().Be(162.00m);
        statement.Lines.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Kind = SettlementLineKind.Issued, Points = 12_000L, UnitPrice = 0.0135m, Amount = 162.00m, TransactionCount = 2 });
    }

    [Fact]
    public async Task Earned_at_A_spent_at_B_A_is_billed_10_B_reimbursed_6_40_the_operator_keeps_3_60_and_the_rest_is_As_breakage()
    {
        using var h = await new CoalitionHarness(expiryMonths: 3).ConfigureAsync(
            (PartnerOf(A, "Merchant A", Currency.EUR), PerPoint(A, Currency.EUR, 0.01m, reimbursement: 0.008m)),
            (PartnerOf(B, "Merchant B", Currency.EUR), PerPoint(B, Currency.EUR, 0.01m, reimbursement: 0.008m)));
        await h.EnrolAsync(Alice);
        h.AdvanceTo(At(2026, 1, 5));
        await h.EarnAsync("A-1", Alice, A, 1_000m);
        h.AdvanceTo(At(2026, 1, 25));
        (await h.Coalition.RedeemAtAsync("B-spend-1", Alice, B, P(800))).Succeeded.Should().BeTrue();

        h.AdvanceTo(At(2026, 2, 1, 12));
        var january = await h.Coalition.SettleAsync(January);
        january.StatementOf(A).Billed.Should().Be(10.00m);
        january.StatementOf(A).Reimbursed.Should().Be(0m);
        january.StatementOf(B).Billed.Should().Be(0m);
        january.StatementOf(B).Reimbursed.Should().Be(6.40m);
        january.StatementOf(B).NetDue.Should().Be(-6.40m);
        january.Reconciliation.Margin.Should().Equal(Money.FromDecimal(3.60m, Currency.EUR));
        january.Reconciliation.PointsBalance.Should().BeTrue();
        january.Reconciliation.OutstandingChange.Should().Be(200);

        // The lot of A-1 expires on 5 April (3 months); maintenance writes the expiry on the 6th.
        h.AdvanceTo(At(2026, 4, 6));
        await h.Program.RunMaintenanceAsync(h.Clock.GetCurrentInstant());
        h.AdvanceTo(At(2026, 5, 1, 12));
        var april = await h.Coalition.SettleAsync(SettlementPeriod.FromMonth(2026, 4));
        april.StatementOf(A).Points.Expired.Should().Be(200);
        april.StatementOf(A).Lines.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Kind = SettlementLineKind.Expired, Points = 200L, Amount = 0m });
        april.StatementOf(B).Points.Expired.Should().Be(0);
        april.Reconciliation.OutstandingChange.Should().Be(-200);
    }

    [Fact]
    public async Task Every_ledger_movement_records_its_merchant_and_expiry_goes_back_to_the_issuing_lots()
    {
        using var h = await new CoalitionHarness(expiryMonths: 3).ConfigureAsync(
            (PartnerOf(A, "Merchant A", Currency.EUR), PerPoint(A, Currency.EUR, 0.01m, reimbursement: 0.008m)),
            (PartnerOf(B, "Merchant B", Currency.EUR), PerPoint(B, Currency.EUR, 0.01m, reimbursement: 0.008m)));
        await h.EnrolAsync(Alice);
        h.AdvanceTo(At(2026, 1, 5));
        await h.EarnAsync("A-1", Alice, A, 100m);
        h.AdvanceTo(At(2026, 1, 6));
        await h.EarnAsync("B-1", Alice, B, 100m);
        (await h.Coalition.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("B-1"), OrderRefund.ForAmount(40m)))).Succeeded.Should().BeTrue();
        h.AdvanceTo(At(2026, 1, 25));

        // FIFO as spent: the spend takes A's lot first (soonest expiry), so what expires is B's.
        var spend = (await h.Coalition.RedeemAtAsync("spend-1", Alice, B, P(120))).GetValueOrThrow();
        spend.Merchant.Should().Be(B);
        h.AdvanceTo(At(2026, 4, 7));
        await h.Program.RunMaintenanceAsync(h.Clock.GetCurrentInstant());

        var history = (await h.LedgerStore.ReadHistoryAsync(new LedgerAccountKey(ProgramId.From("miles"), Alice), 0, 100)).Transactions;
        history.Where(t => t.Kind == LedgerTransactionKind.Earn && t.Id.Value.Contains("A-1", StringComparison.Ordinal)).Should().ContainSingle().Which.Merchant.Should().Be(A);
        history.Where(t => t.Kind == LedgerTransactionKind.Earn && t.Id.Value.Contains("B-1", StringComparison.Ordinal)).Should().ContainSingle().Which.Merchant.Should().Be(B);
        history.Should().ContainSingle(t => t.Kind == LedgerTransactionKind.Reverse).Which.Merchant.Should().Be(B, "a refund carries its order's merchant");
        history.Where(t => t.Kind == LedgerTransactionKind.Expire).Sum(t => t.Amount).Should().Be(40);

        h.AdvanceTo(At(2026, 5, 1, 12));
        var april = await h.Coalition.SettleAsync(SettlementPeriod.FromMonth(2026, 4));
        april.StatementOf(B).Points.Expired.Should().Be(40);
        april.StatementOf(A).Points.Expired.Should().Be(0);
    }

    [Fact]
    public async Task A_merchant_rule_adds_to_the_coalition_wide_rules_only_in_its_shop()
    {
        using var h = await new CoalitionHarness().ConfigureAsync(
            (PartnerOf(Bookshop, "Bookshop", Currency.EUR), PerPoint(Bookshop, Currency.EUR, 0.01m)),
            (PartnerOf(Grocer, "Grocer", Currency.EUR), PerPoint(Grocer, Currency.EUR, 0.01m)));
        await h.Program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-02", At(2026, 1, 1, 0), Currency.EUR, "Europe/Paris")
            .EarnPerUnit("base", 1m)
            .FixedBonus("bookshop-bonus", 50, configure: r => r with { Condition = Conditions.Store(Bookshop) })
            .Build());
        await h.EnrolAsync(Alice);
        h.AdvanceTo(At(2026, 1, 10));

        (await h.EarnAsync("BK-1", Alice, Bookshop, 20m)).Points.Should().Be(P(70));
        (await h.EarnAsync("GR-1", Alice, Grocer, 20m)).Points.Should().Be(P(20));
    }

    [Fact]
    public async Task Settling_a_period_again_gives_the_same_statements()
    {
        using var h = await TwoPartnersAsync();
        h.AdvanceTo(At(2026, 2, 1, 12));
        var first = await h.Coalition.SettleAsync(January);
        var second = await h.Coalition.SettleAsync(January);

        second.Should().Be(first);
        second.Status.Should().Be(SettlementStatus.Draft);
        (await h.Settlements.GetRunAsync(ProgramId.From("miles"), January)).Should().Be(first);
    }

    [Fact]
    public async Task A_closed_period_is_immutable_and_a_late_reversal_lands_in_the_next_period_as_an_adjustment()
    {
        using var h = await TwoPartnersAsync();
        h.AdvanceTo(At(2026, 2, 1, 12));
        var closed = await h.Coalition.CloseAsync(January);
        closed.Status.Should().Be(SettlementStatus.Closed);
        closed.StatementOf(A).Billed.Should().Be(10.00m);

        // A refund of January's order A-1, recorded in February.
        h.AdvanceTo(At(2026, 2, 3));
        (await h.Coalition.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForAmount(100m)))).Succeeded.Should().BeTrue();

        (await h.Coalition.SettleAsync(January)).Should().Be(closed);
        (await h.Coalition.CloseAsync(January)).Should().Be(closed);

        h.AdvanceTo(At(2026, 3, 1, 12));
        var february = (await h.Coalition.SettleAsync(February)).StatementOf(A);
        var line = february.Lines.Should().ContainSingle().Subject;
        (line.Kind, line.AgreementVersion, line.Points, line.Amount, line.Adjusts, line.IsAdjustment)
            .Should().Be((SettlementLineKind.IssuanceReversed, (int?)1, 100L, -1.00m, (SettlementPeriod?)January, true));
        february.Billed.Should().Be(-1.00m);
        (await h.Settlements.ListClosedPeriodsAsync(ProgramId.From("miles"))).Should().Equal(January);
    }

    [Fact]
    public async Task Writes_recorded_in_a_closed_month_but_committed_after_the_close_land_in_the_next_settlement_as_adjustments()
    {
        using var h = await TwoPartnersAsync();
        h.AdvanceTo(At(2026, 2, 1, 12));
        var closed = await h.Coalition.CloseAsync(January);
        closed.Included.Should().HaveCount(2);

        // A clock far behind: an earn and a refund stamped January 28, written after January was closed.
        h.AdvanceTo(At(2026, 1, 28));
        await h.EarnAsync("A-2", Alice, A, 300m);
        (await h.Coalition.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForAmount(100m)))).Succeeded.Should().BeTrue();

        h.AdvanceTo(At(2026, 3, 1, 12));
        (await h.Coalition.SettleAsync(January)).Should().Be(closed);
        var february = await h.Coalition.SettleAsync(February);
        var a = february.StatementOf(A);
        a.Lines.OrderBy(l => l.Kind).Select(l => (l.Kind, l.AgreementVersion, l.Points, l.Amount, l.TransactionCount, l.Adjusts)).Should().Equal(
            (SettlementLineKind.Issued, (int?)1, 300L, 3.00m, 1, (SettlementPeriod?)January),
            (SettlementLineKind.IssuanceReversed, (int?)1, 100L, -1.00m, 1, (SettlementPeriod?)January));
        a.Points.Should().Be(new SettlementPoints(Issued: 300, Reversed: 100, Redeemed: 0, Expired: 0, Adjusted: 0, WrittenOff: 0));
        (a.Billed, a.Reimbursed, a.NetDue).Should().Be((2.00m, 0m, 2.00m));
        february.StatementOf(B).Lines.Should().BeEmpty();
        (february.Reconciliation.OutstandingChange, february.Reconciliation.PointsBalance).Should().Be((200L, true));
        february.Reconciliation.Margin.Should().Equal(Money.FromDecimal(2.00m, Currency.EUR));
        february.TransactionCount.Should().Be(2);

        var traced = await h.Coalition.TraceAsync(February, A, SettlementLineKind.Issued);
        var earn = (await h.LedgerStore.FindTransactionAsync(ProgramId.From("miles"), traced.Should().ContainSingle().Subject))!;
        (earn.Kind, earn.Amount, earn.RecordedAt).Should().Be((LedgerTransactionKind.Earn, 300L, At(2026, 1, 28)));
        var reversal = (await h.LedgerStore.FindTransactionAsync(ProgramId.From("miles"), (await h.Coalition.TraceAsync(February, A, SettlementLineKind.IssuanceReversed)).Should().ContainSingle().Subject))!;
        (reversal.Kind, reversal.Amount, reversal.RecordedAt).Should().Be((LedgerTransactionKind.Reverse, 100L, At(2026, 1, 28)));

        (await h.Coalition.SettleAsync(February)).Should().Be(february);
        (await h.Coalition.SettleAsync(January)).Should().Be(closed);

        // Closed, February keeps them; March does not count them again, and the trace of the closed February still finds them.
        var closedFebruary = await h.Coalition.CloseAsync(February);
        closedFebruary.StatementOf(A).Lines.Should().Equal(a.Lines);
        closedFebruary.Included.Should().BeEquivalentTo([earn.Id, reversal.Id]);
        h.AdvanceTo(At(2026, 4, 1, 12));
        var march = await h.Coalition.SettleAsync(SettlementPeriod.FromMonth(2026, 3));
        march.StatementOf(A).Lines.Should().BeEmpty();
        (march.TransactionCount, march.Reconciliation.OutstandingChange).Should().Be((0L, 0L));
        (await h.Coalition.TraceAsync(February, A, SettlementLineKind.Issued)).Should().Equal(earn.Id);
        (await h.Coalition.TraceAsync(January, A, SettlementLineKind.Issued)).Should().ContainSingle().Which.Should().NotBe(earn.Id);
    }

    [Fact]
    public async Task A_late_write_lands_in_every_open_later_period_until_one_of_them_is_closed()
    {
        using var h = await TwoPartnersAsync();
        h.AdvanceTo(At(2026, 2, 1, 12));
        await h.Coalition.CloseAsync(January);
        h.AdvanceTo(At(2026, 1, 30));
        await h.EarnAsync("A-2", Alice, A, 250m);

        h.AdvanceTo(At(2026, 3, 1, 12));
        var february = await h.Coalition.SettleAsync(February);
        var line = february.StatementOf(A).Lines.Should().ContainSingle().Subject;
        (line.Kind, line.Points, line.Amount, line.Adjusts).Should().Be((SettlementLineKind.Issued, 250L, 2.50m, (SettlementPeriod?)January));

        // March, settled as a draft before February is closed, shows it too; once February is closed, only February has it.
        h.AdvanceTo(At(2026, 4, 1, 12));
        var march = SettlementPeriod.FromMonth(2026, 3);
        (await h.Coalition.SettleAsync(march)).StatementOf(A).Points.Issued.Should().Be(250);
        (await h.Coalition.CloseAsync(February)).StatementOf(A).Billed.Should().Be(2.50m);
        (await h.Coalition.SettleAsync(march)).StatementOf(A).Lines.Should().BeEmpty();
    }

    [Fact]
    public async Task A_period_cannot_be_closed_before_its_end_plus_the_closing_delay()
    {
        using var h = await TwoPartnersAsync();
        h.AdvanceTo(At(2026, 2, 1, 0).Plus(Duration.FromMinutes(30)));
        var act = () => h.Coalition.CloseAsync(January);
        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage(
            "Period 2026-01 can be closed from 2026-02-01T00:00:00Z (its end plus the closing delay of 0:01:00:00); it is 2026-01-31T23:30:00Z. Settle it as a draft until then. (Parameter 'period')");
        (await h.Settlements.GetRunAsync(ProgramId.From("miles"), January)).Should().BeNull();
    }

    [Fact]
    public async Task Each_line_traces_to_its_ledger_transactions()
    {
        using var h = await TwoPartnersAsync();
        h.AdvanceTo(At(2026, 2, 1, 12));
        (await h.Coalition.TraceAsync(January, A, SettlementLineKind.Issued)).Select(t => t.Value).Should().Equal("order:A-1");
        (await h.Coalition.TraceAsync(January, B, SettlementLineKind.Redeemed)).Select(t => t.Value).Should().Equal("partner-redeem:spend-1");
        (await h.Coalition.TraceAsync(January, B, SettlementLineKind.Issued)).Should().BeEmpty();
    }

    [Fact]
    public async Task An_order_for_an_unknown_merchant_is_refused_and_nothing_is_written()
    {
        using var h = await TwoPartnersAsync();
        var act = () => h.Coalition.RecordOrderAsync(h.Order("X-1", Alice, MerchantId.From("nobody"), 10m));
        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage(
            "Order 'X-1' names merchant 'nobody', which is not a partner of programme 'miles'; register it with RegisterPartnerAsync first. (Parameter 'order')");
        (await h.Program.GetMemberSummaryAsync(Alice)).GetValueOrThrow().Balance.Earned.Should().Be(P(1_000));
        (await h.LedgerStore.FindTransactionAsync(ProgramId.From("miles"), TransactionId.From("order:X-1"))).Should().BeNull();
    }

    [Fact]
    public async Task An_order_for_a_merchant_that_has_left_is_refused_and_nothing_is_written()
    {
        using var h = await TwoPartnersAsync();
        await h.Coalition.RecordPartnerLeavingAsync(A, new LocalDate(2026, 2, 1));
        h.AdvanceTo(At(2026, 2, 2));
        var act = () => h.Coalition.RecordOrderAsync(h.Order("A-9", Alice, A, 10m));
        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage(
            "Order 'A-9' is dated 2026-02-02 but partner 'merchant-a' left the coalition on 2026-02-01; nothing can be recorded for it that day. (Parameter 'order')");
        (await h.LedgerStore.FindTransactionAsync(ProgramId.From("miles"), TransactionId.From("order:A-9"))).Should().BeNull();
        (await h.Program.GetMemberSummaryAsync(Alice)).GetValueOrThrow().Balance.Earned.Should().Be(P(1_000));

        // Its history is still settled.
        h.AdvanceTo(At(2026, 3, 1, 12));
        (await h.Coalition.SettleAsync(January)).StatementOf(A).Billed.Should().Be(10.00m);
    }

    [Fact]
    public async Task An_agreement_overlapping_another_is_refused_and_nothing_is_written()
    {
        using var h = await TwoPartnersAsync();
        var overlapping = PerPoint(A, Currency.EUR, 0.02m, version: 2) with { EffectiveFrom = new LocalDate(2026, 3, 1) };
        var act = () => h.Coalition.AddAgreementAsync(overlapping);
        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage(
            "Agreement version 2 of partner 'merchant-a' (from 2026-03-01) overlaps version 1 (from 2025-12-01); give it days no other version covers (end the earlier version first by adding it with an EffectiveUntil). (Parameter 'agreement')");
        (await h.Coalition.GetAgreementsAsync(A)).Should().ContainSingle().Which.Version.Should().Be(1);
    }

    [Fact]
    public async Task A_negative_price_is_refused_and_nothing_is_written()
    {
        using var h = await new CoalitionHarness().ConfigureAsync();
        await h.Coalition.RegisterPartnerAsync(PartnerOf(A, "Merchant A", Currency.EUR));
        var act = () => h.Coalition.AddAgreementAsync(PerPoint(A, Currency.EUR, -0.01m));
        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage(
            "Agreement version 1 of partner 'merchant-a': IssuancePricePerPoint must be 0 or more (was -0.01); a price is what one side pays the other per point. (Parameter 'agreement')");
        (await h.Coalition.GetAgreementsAsync(A)).Should().BeEmpty();
    }

    [Fact]
    public async Task An_agreement_for_an_unknown_merchant_is_refused()
    {
        using var h = await new CoalitionHarness().ConfigureAsync();
        var act = () => h.Coalition.AddAgreementAsync(PerPoint(A, Currency.EUR, 0.01m));
        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage(
            "Merchant 'merchant-a' is not a partner of programme 'miles'; register it with RegisterPartnerAsync first. (Parameter 'agreement')");
        (await h.Partners.GetAgreementsAsync(ProgramId.From("miles"), A)).Should().BeEmpty();
    }

    [Fact]
    public async Task Agreement_versions_follow_each_other_and_price_what_happened_on_their_days()
    {
        using var h = await new CoalitionHarness().ConfigureAsync();
        await h.Coalition.RegisterPartnerAsync(PartnerOf(A, "Merchant A", Currency.EUR));
        await h.Coalition.AddAgreementAsync(PerPoint(A, Currency.EUR, 0.01m) with { EffectiveUntil = new LocalDate(2026, 1, 15) });
        await h.Coalition.AddAgreementAsync(PerPoint(A, Currency.EUR, 0.02m, version: 2) with { EffectiveFrom = new LocalDate(2026, 1, 15) });
        (await h.Coalition.AddAgreementAsync(PerPoint(A, Currency.EUR, 0.02m, version: 2) with { EffectiveFrom = new LocalDate(2026, 1, 15) })).Should().BeFalse("the same version again is a repeat");
        await h.Program.PublishRuleSetAsync(Rules);
        await h.EnrolAsync(Alice);
        h.AdvanceTo(At(2026, 1, 14, 23));
        await h.EarnAsync("A-1", Alice, A, 100m);
        h.AdvanceTo(At(2026, 1, 15, 0));
        await h.EarnAsync("A-2", Alice, A, 100m);

        h.AdvanceTo(At(2026, 2, 1, 12));
        var statement = (await h.Coalition.SettleAsync(January)).StatementOf(A);
        statement.Lines.Select(l => (l.AgreementVersion, l.Points, l.Amount)).Should().Equal((1, 100L, 1.00m), (2, 100L, 2.00m));
        statement.Billed.Should().Be(3.00m);
    }

    [Fact]
    public async Task Prepaid_blocks_are_drawn_oldest_first_then_the_reserve_then_earns_are_refused()
    {
        using var h = await new CoalitionHarness().ConfigureAsync();
        await h.Coalition.RegisterPartnerAsync(PartnerOf(A, "Merchant A", Currency.EUR));
        await h.Coalition.AddAgreementAsync(PerPoint(A, Currency.EUR, 0m, reimbursement: 0.008m) with { Billing = IssuanceBilling.Prepaid });
        await h.Coalition.BuyPrepaidBlockAsync(new PrepaidPointBlock { Merchant = A, BlockId = "PO-2", Points = 100, PricePerPoint = 0.01m, Currency = Currency.EUR, PurchasedAt = At(2026, 1, 2) });
        await h.Coalition.BuyPrepaidBlockAsync(new PrepaidPointBlock { Merchant = A, BlockId = "PO-1", Points = 100, PricePerPoint = 0.01m, Currency = Currency.EUR, PurchasedAt = At(2026, 1, 1) });
        await h.Coalition.BuyPrepaidBlockAsync(new PrepaidPointBlock { Merchant = A, BlockId = "RESERVE", Points = 50, PricePerPoint = 0.012m, Currency = Currency.EUR, PurchasedAt = At(2026, 1, 1), IsReserve = true });
        await h.Program.PublishRuleSetAsync(Rules);
        await h.EnrolAsync(Alice);
        h.AdvanceTo(At(2026, 1, 10));

        await h.EarnAsync("A-1", Alice, A, 150m);
        (await h.Partners.DrawAsync(ProgramId.From("miles"), A, TransactionId.From("order:A-1"), 150, h.Clock.GetCurrentInstant()))!.Parts
            .Should().Equal(new PrepaidDrawPart("PO-1", 100), new PrepaidDrawPart("PO-2", 50));
        await h.EarnAsync("A-2", Alice, A, 90m);
        (await h.Coalition.GetPrepaidBalanceAsync(A)).Should().Be(new PrepaidBalance(250, 240, 10, 10));

        var refused = await h.Coalition.RecordOrderAsync(h.Order("A-3", Alice, A, 20m));
        refused.ErrorCode.Should().Be(CoalitionErrorCode.PrepaidPointsExhausted);
        refused.Error!.Message.Should().Be("Partner 'merchant-a' has fewer than 20 prepaid points left (reserve included); nothing was recorded. The partner must buy a new block (BuyPrepaidBlockAsync), then record it again.");
        (await h.LedgerStore.FindTransactionAsync(ProgramId.From("miles"), TransactionId.From("order:A-3"))).Should().BeNull();
        (await h.Coalition.GetPrepaidBalanceAsync(A)).Available.Should().Be(10);

        h.AdvanceTo(At(2026, 2, 1, 12));
        var statement = (await h.Coalition.SettleAsync(January)).StatementOf(A);
        statement.Points.Issued.Should().Be(240);
        statement.Lines.Where(l => l.Kind == SettlementLineKind.PrepaidBlock).Select(l => (l.BlockId, l.Amount)).Should().Equal(("PO-1", 1.00m), ("RESERVE", 0.60m), ("PO-2", 1.00m));
        statement.Lines.Single(l => l.Kind == SettlementLineKind.Issued).Amount.Should().Be(0m);
        statement.Billed.Should().Be(2.60m);
    }

    [Fact]
    public async Task An_order_without_an_agreement_in_force_is_refused_with_its_code()
    {
        using var h = await new CoalitionHarness().ConfigureAsync();
        await h.Coalition.RegisterPartnerAsync(PartnerOf(A, "Merchant A", Currency.EUR));
        await h.Coalition.AddAgreementAsync(PerPoint(A, Currency.EUR, 0.01m) with { EffectiveFrom = new LocalDate(2026, 2, 1) });
        await h.Program.PublishRuleSetAsync(Rules);
        await h.EnrolAsync(Alice);
        h.AdvanceTo(At(2026, 1, 10));
        var result = await h.Coalition.RecordOrderAsync(h.Order("A-1", Alice, A, 10m));
        result.ErrorCode.Should().Be(CoalitionErrorCode.NoAgreementInForce);
        result.Error!.Message.Should().Be("Partner 'merchant-a' has no agreement version in force at 2026-01-10T09:00:00Z for order 'A-1'; add one covering that day, then record it again.");
    }

    [Fact]
    public async Task Registering_a_partner_again_is_a_repeat_but_other_details_are_refused()
    {
        using var h = new CoalitionHarness();
        var grocer = PartnerOf(Grocer, "Grocer", Currency.EUR);
        (await h.Coalition.RegisterPartnerAsync(grocer)).Version.Should().Be(1);
        (await h.Coalition.RegisterPartnerAsync(grocer)).Version.Should().Be(1);
        var act = () => h.Coalition.RegisterPartnerAsync(grocer with { Name = "Other" });
        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage(
            "Partner 'grocer' is already registered with other details; change it with RecordPartnerLeavingAsync or UpdatePartnerAsync, or use another id. (Parameter 'partner')");
    }

    [Fact]
    public async Task A_partner_weighted_at_50_percent_counts_half_its_spend_and_points_towards_tiers_while_the_balance_gets_them_all()
    {
        var ladder = Loyalty.Core.Tiers.TierLadder.Create(
            [
                Loyalty.Core.Tiers.TierDefinition.Entry(TierId.From("bronze"), "Bronze"),
                Loyalty.Core.Tiers.TierDefinition.Create(TierId.From("silver"), "Silver", Loyalty.Core.Tiers.ThresholdCombination.AnyOf, [Loyalty.Core.Tiers.TierThreshold.FromPoints(1_500)], Loyalty.Core.Tiers.TierBenefits.Create(1m)),
            ],
            new Loyalty.Core.Tiers.TierPolicy { Window = Loyalty.Core.Tiers.QualificationWindow.RollingMonths(12), Validity = Loyalty.Core.Tiers.StatusValidity.FixedMonths(12), TimeZone = Paris });
        using var h = await new CoalitionHarness(coalition: o => o.QualificationWeights[Travel] = 0.5m, tiers: ladder).ConfigureAsync(
            (PartnerOf(Grocer, "Grocer", Currency.EUR), PerPoint(Grocer, Currency.EUR, 0.01m)),
            (PartnerOf(Travel, "Travel site", Currency.EUR), PerPoint(Travel, Currency.EUR, 0.01m)));
        await h.EnrolAsync(Alice);
        await h.EnrolAsync(Bob);

        h.AdvanceTo(At(2026, 1, 5));
        await h.EarnAsync("G-1", Alice, Grocer, 1_000m);
        h.AdvanceTo(At(2026, 1, 10));
        (await h.EarnAsync("T-1", Alice, Travel, 1_001m)).Points.Should().Be(P(1_001), "the member earns every point; only qualification is weighted");
        (await h.EarnAsync("T-2", Bob, Travel, 2_000m)).Points.Should().Be(P(2_000));

        // 1,000 + 1,001 x 0.5 = 1,500.5 spend; 1,000 + 500.5 rounded half away from zero = 1,501 points: silver.
        var alice = (await h.Program.GetMemberSummaryAsync(Alice)).GetValueOrThrow().Tier;
        alice.QualifyingValue.Should().Be(new Loyalty.Core.Tiers.QualifyingTotals(1_501, 1_500.5m, 2));
        alice.Tier.Id.Should().Be(TierId.From("silver"));
        var bob = (await h.Program.GetMemberSummaryAsync(Bob)).GetValueOrThrow().Tier;
        bob.QualifyingValue.Should().Be(new Loyalty.Core.Tiers.QualifyingTotals(1_000, 1_000m, 1), "2,000 points at the travel site count as 1,000");
        bob.Tier.Id.Should().Be(TierId.From("bronze"));

        // A refund takes back what the order counted: 3 points and 3.00 EUR at 50 % = 2 points (1.5 rounded away from zero) and 1.50 EUR.
        h.AdvanceTo(At(2026, 1, 12));
        (await h.Coalition.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("T-1"), OrderRefund.ForAmount(3m)))).GetValueOrThrow().PointsReversed.Should().Be(P(3));
        (await h.Program.GetMemberSummaryAsync(Alice)).GetValueOrThrow().Tier.QualifyingValue.Should().Be(new Loyalty.Core.Tiers.QualifyingTotals(1_499, 1_499m, 2));

        // An order recorded late (placed before the kept checkpoint) rebuilds the state by replay, with the same weights: 11 x 0.5 = 5.5, 6 points.
        h.AdvanceTo(At(2026, 1, 14));
        (await h.Coalition.RecordOrderAsync(new EarningOrder(OrderId.From("T-0"), Alice, At(2026, 1, 9), Currency.EUR, [new OrderLine("ITEM", 1, 11m)], store: Travel))).GetValueOrThrow();
        (await h.Program.GetMemberSummaryAsync(Alice)).GetValueOrThrow().Tier.QualifyingValue.Should().Be(new Loyalty.Core.Tiers.QualifyingTotals(1_505, 1_504.5m, 3));
    }

    [Fact]
    public void A_qualification_weight_out_of_range_is_refused_when_the_coalition_is_added()
    {
        var act = () => new CoalitionHarness(coalition: o => o.QualificationWeights[Travel] = 10.5m);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage(
            "The qualification weight of merchant 'travel' must be 0 to 10 (was 10.5); 0.5 counts its orders at 50 %, 1 at full value. (Parameter 'configure')\nActual value was 10.5.");
        var negative = () => new CoalitionHarness(coalition: o => o.QualificationWeights[Travel] = -0.1m);
        negative.Should().Throw<ArgumentOutOfRangeException>().WithMessage(
            "The qualification weight of merchant 'travel' must be 0 to 10 (was -0.1); 0.5 counts its orders at 50 %, 1 at full value. (Parameter 'configure')\nActual value was -0.1.");
    }

    [Fact]
    public async Task Points_of_a_refunded_order_at_a_prepaid_partner_go_back_to_its_block_once()
    {
        using var h = await PrepaidPartnerAsync(blockPoints: 100);
        h.AdvanceTo(At(2026, 1, 10));
        await h.EarnAsync("A-1", Alice, A, 80m);
        (await h.Coalition.GetPrepaidBalanceAsync(A)).Should().Be(new PrepaidBalance(100, 80, 20, 0));

        h.AdvanceTo(At(2026, 1, 12));
        var refund = new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForAmount(30m));
        (await h.Coalition.RecordRefundAsync(refund)).GetValueOrThrow().PointsReversed.Should().Be(P(30));
        (await h.Coalition.GetPrepaidBalanceAsync(A)).Should().Be(new PrepaidBalance(100, 50, 50, 0));
        (await h.Coalition.RecordRefundAsync(refund)).IsRepeat.Should().BeTrue();
        (await h.Coalition.GetPrepaidBalanceAsync(A)).Should().Be(new PrepaidBalance(100, 50, 50, 0), "a repeated refund returns nothing more");

        (await h.Coalition.RecordRefundAsync(new RefundRequest(RefundId.From("R-2"), OrderId.From("A-1"), OrderRefund.ForAmount(50m)))).GetValueOrThrow().PointsReversed.Should().Be(P(50));
        (await h.Coalition.GetPrepaidBalanceAsync(A)).Should().Be(new PrepaidBalance(100, 0, 100, 0));

        // The returned points are drawn again by the next earn: 100 fit, 101 would not.
        (await h.EarnAsync("A-2", Alice, A, 100m)).Points.Should().Be(P(100));
        (await h.Coalition.GetPrepaidBalanceAsync(A)).Should().Be(new PrepaidBalance(100, 100, 0, 0));
    }

    [Fact]
    public async Task An_activity_at_a_prepaid_partner_its_blocks_cannot_cover_is_refused_before_anything_is_written()
    {
        using var h = await PrepaidPartnerAsync(blockPoints: 40);
        h.AdvanceTo(At(2026, 1, 10));
        var review = new ActivityInput(ActivityKind.Review, Alice, At(2026, 1, 10)) { Merchant = A };

        var refused = await h.Coalition.RecordActivityAsync(ActivityId.From("rev-1"), review);
        refused.ErrorCode.Should().Be(CoalitionErrorCode.PrepaidPointsExhausted);
        refused.Error!.Message.Should().Be("Partner 'merchant-a' has fewer than 50 prepaid points left (reserve included); nothing was recorded. The partner must buy a new block (BuyPrepaidBlockAsync), then record it again.");
        (await h.LedgerStore.FindTransactionAsync(ProgramId.From("miles"), DerivedIds.Activity(ActivityId.From("rev-1")))).Should().BeNull("nothing is written, not even a reversed earn");
        (await h.Coalition.Program.Members.GetActivityAsync(ProgramId.From("miles"), ActivityId.From("rev-1"))).Should().BeNull();
        (await h.Coalition.GetPrepaidBalanceAsync(A)).Should().Be(new PrepaidBalance(40, 0, 40, 0));

        await h.Coalition.BuyPrepaidBlockAsync(new PrepaidPointBlock { Merchant = A, BlockId = "PO-2", Points = 20, PricePerPoint = 0.01m, Currency = Currency.EUR, PurchasedAt = At(2026, 1, 10) });
        (await h.Coalition.RecordActivityAsync(ActivityId.From("rev-1"), review)).GetValueOrThrow().Points.Should().Be(P(50));
        (await h.Coalition.GetPrepaidBalanceAsync(A)).Should().Be(new PrepaidBalance(60, 50, 10, 0));
        (await h.Coalition.RecordActivityAsync(ActivityId.From("rev-1"), review)).IsRepeat.Should().BeTrue();
        (await h.Coalition.GetPrepaidBalanceAsync(A)).Should().Be(new PrepaidBalance(60, 50, 10, 0), "a repeat draws nothing more");
    }

    /// <summary>Merchant A on a prepaid agreement with one block bought on 1 January; 1 point per euro, 50 points per review.</summary>
    private static async Task<CoalitionHarness> PrepaidPartnerAsync(long blockPoints)
    {
        var h = new CoalitionHarness();
        await h.Coalition.RegisterPartnerAsync(PartnerOf(A, "Merchant A", Currency.EUR));
        await h.Coalition.AddAgreementAsync(PerPoint(A, Currency.EUR, 0m) with { Billing = IssuanceBilling.Prepaid });
        await h.Coalition.BuyPrepaidBlockAsync(new PrepaidPointBlock { Merchant = A, BlockId = "PO-1", Points = blockPoints, PricePerPoint = 0.01m, Currency = Currency.EUR, PurchasedAt = At(2026, 1, 1) });
        await h.Program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-01", At(2025, 12, 1, 0), Currency.EUR, "Europe/Paris")
            .EarnPerUnit("base", 1m)
            .Activity("review", ActivityKind.Review, 50)
            .Build());
        await h.EnrolAsync(Alice);
        return h;
    }

    /// <summary>A earns 1,000 points for Alice on 5 January; she spends 800 at B on the 25th.</summary>
    private static async Task<CoalitionHarness> TwoPartnersAsync()
    {
        var h = await new CoalitionHarness().ConfigureAsync(
            (PartnerOf(A, "Merchant A", Currency.EUR), PerPoint(A, Currency.EUR, 0.01m, reimbursement: 0.008m)),
            (PartnerOf(B, "Merchant B", Currency.EUR), PerPoint(B, Currency.EUR, 0.01m, reimbursement: 0.008m)));
        await h.EnrolAsync(Alice);
        h.AdvanceTo(At(2026, 1, 5));
        await h.EarnAsync("A-1", Alice, A, 1_000m);
        h.AdvanceTo(At(2026, 1, 25));
        (await h.Coalition.RedeemAtAsync("spend-1", Alice, B, P(800))).GetValueOrThrow();
        return h;
    }
}
