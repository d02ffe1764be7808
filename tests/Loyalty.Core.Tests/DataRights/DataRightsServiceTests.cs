using System.Text.Json;
using Loyalty.Core.Cards;
using Loyalty.Core.DataRights;
using Loyalty.Core.Earning;
using Loyalty.Core.Economics;
using Loyalty.Core.Households;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Loyalty.Core.Transfers;
using Loyalty.Core.Tests.Programs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;
using static Loyalty.Core.Tests.DataRights.DataRightsHarness;

namespace Loyalty.Core.Tests.DataRights;

public class DataRightsServiceTests
{
    // ------------------------------------------------------------------------------------------ export

    [Fact]
    public async Task The_export_holds_every_record_written_for_the_member_and_nothing_of_others()
    {
        using var h = new DataRightsHarness();
        var profile = await h.SeedAliceAsync();
        using var stream = new MemoryStream();

        var result = await h.Rights.ExportAsync(Alice, stream, Request("EXP-1"));

        result.Status.Should().Be(DataRightsStatus.Completed);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        text.Should().NotContain("bob@example.com", "another member's id is that member's data");
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        root.GetProperty("format").GetString().Should().Be("loyalty-core/member-export");
        root.GetProperty("version").GetInt32().Should().Be(1);
        root.GetProperty("memberId").GetString().Should().Be("alice@example.com");
        var sections = root.GetProperty("sections");
        sections.EnumerateObject().Select(p => p.Name).Should().Equal("redemptions", "ledger", "consents", "contacts", "rewardCodes", "cards", "achievements", "pointsTransfers", "household", "dataRightsRequests", "member", "campaignBudgets");

        var member = sections.GetProperty("member");
        var p = member.GetProperty("profile");
        p.GetProperty("birthDate").GetString().Should().Be("1987-11-23");
        p.GetProperty("referralCode").GetString().Should().Be(profile.ReferralCode.Value);
        p.GetProperty("referredByAnotherMember").GetBoolean().Should().BeFalse();
        member.GetProperty("referralsGiven").GetArrayLength().Should().Be(1);

        var history = await h.Members.GetHistoryAsync(Club, Alice);
        var orders = member.GetProperty("orders");
        orders.GetArrayLength().Should().Be(history.Orders.Count).And.Be(1);
        var order = orders[0];
        order.GetProperty("orderId").GetString().Should().Be("A-1");
        order.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("sku").GetString()).Should().Equal("SKU-DRESS", "SKU-SCARF");
        order.GetProperty("lines")[0].GetProperty("brand").GetString().Should().Be("Maison");
        order.GetProperty("lines")[1].GetProperty("quantity").GetInt32().Should().Be(2);
        order.GetProperty("coupons")[0].GetString().Should().Be("ALICE10");
        order.GetProperty("earning").GetProperty("points").GetInt64().Should().Be(history.Orders[0].Earning.Total.Value);
        member.GetProperty("refunds")[0].GetProperty("refundId").GetString().Should().Be("R-1");
        member.GetProperty("refunds")[0].GetProperty("pointsReversed").GetInt64().Should().Be(history.Refunds[0].Result.Total.Value);
        member.GetProperty("activities").EnumerateArray().Select(a => a.GetProperty("kind").GetString()).Should().BeEquivalentTo(history.Activities.Select(a => a.Activity.Kind.ToString()));

        var ledger = sections.GetProperty("ledger");
        var log = await h.Ledger.GetHistoryAsync(Alice, 0, 1000);
        ledger.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transactionId").GetString()).Should().Equal(
            log.Transactions.Select(t => t.Id.Value == "activity:referral:bob@example.com" ? "activity:referral:#1" : t.Id.Value), "the referral activity is named after the referee, whose id is not the member's data");
        ledger.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("amount").GetInt64()).Should().Equal(log.Transactions.Select(t => t.Amount));
        var balance = await h.Ledger.GetBalanceAsync(Alice);
        ledger.GetProperty("account").GetProperty("held").GetInt64().Should().Be(balance.Held.Value).And.Be(200);
        ledger.GetProperty("lots").GetArrayLength().Should().BeGreaterThan(0);
        ledger.GetProperty("holds")[0].GetProperty("status").GetString().Should().Be("Open");

        var redemption = sections.GetProperty("redemptions")[0];
        var stored = (await h.Rewards.ListRedemptionsAsync(Club, Alice)).Single();
        redemption.GetProperty("code").GetString().Should().Be(stored.Code);
        redemption.GetProperty("pointsSpent").GetInt64().Should().Be(500);
        sections.GetProperty("campaignBudgets").EnumerateArray().Select(r => r.GetProperty("ruleId").GetString()).Should().Equal("spring");
        sections.GetProperty("consents")[0].GetProperty("status").GetString().Should().Be("Granted");
        sections.GetProperty("contacts")[0].GetProperty("messageType").GetString().Should().Be("welcome");
        root.GetProperty("counts").GetProperty("ledger").GetInt32().Should().Be(result.Sections["ledger"]);
        result.Audit!.Should().BeEquivalentTo(new { RequestId = "EXP-1", Action = DataRightsAction.Export, MemberId = (MemberId?)Alice, RequestedBy = "dpo@shop.example", Status = DataRightsStatus.Completed });
    }

    [Fact]
    public async Task Exporting_an_unknown_member_writes_nothing_and_says_so()
    {
        using var h = new DataRightsHarness();
        await h.PublishAsync();
        using var stream = new MemoryStream();

        var result = await h.Rights.ExportAsync(MemberId.From("nobody"), stream, Request("EXP-9"));

        result.Status.Should().Be(DataRightsStatus.UnknownMember);
        result.Message.Should().Be("No store holds anything of member 'nobody' in programme 'club': it was never enrolled, or it was already erased or rectified to another id.");
        stream.Length.Should().Be(0);
        result.Audit!.MemberId.Should().BeNull();
    }

    [Fact]
    public async Task A_long_history_is_exported_page_by_page()
    {
        using var h = new DataRightsHarness();
        await h.PublishAsync();
        await h.Program.EnrolAsync(new Enrolment(Alice));
        for (var i = 0; i < 1_200; i++)
        {
            await h.Ledger.AdjustAsync(new AdjustPoints(TransactionId.From($"adj-{i}"), Alice, AdjustmentDirection.Credit, Points.FromInt64(1), "goodwill", "ops"));
        }

        var flushes = new CountingStream();
        var result = await h.Rights.ExportAsync(Alice, flushes, Request("EXP-2"));

        result.Sections["ledger"].Should().Be(1_201 + 1_201, "1,201 transactions (the sign-up and 1,200 credits) and their lots");
        flushes.Flushes.Should().BeGreaterThan(3, "the ledger's transactions are written in pages of 500");
    }

    // ------------------------------------------------------------------------------------------ erasure

    [Fact]
    public async Task After_an_erasure_no_store_keeps_the_member_id_or_a_personal_field()
    {
        using var h = new DataRightsHarness();
        var profile = await h.SeedAliceAsync();
        await h.Rights.ExportAsync(Alice, new MemoryStream(), Request("EXP-1"));

        var result = await h.Rights.EraseAsync(Alice, Request("ERASE-1"));

        result.Status.Should().Be(DataRightsStatus.Completed);
        result.Sections.Keys.Should().BeEquivalentTo("campaignBudgets", "redemptions", "ledger", "consents", "contacts", "rewardCodes", "achievements", "dataRightsRequests", "member");
        MemoryScan.Find(h.Holders, ["alice", profile.ReferralCode.Value, "A-1", "R-1", "RD-1", "ALICE10", "signup form"], [AliceBirthDate])
            .Should().BeEmpty("the member's id, referral code, order, refund and redemption ids, coupons and consent sources are gone from every store");
        (await h.Rights.HoldsDataAsync(Alice)).Should().BeFalse();
        result.Audit!.MemberId.Should().BeNull("the audit of an erasure does not keep the id");
    }

    [Fact]
    public async Task The_export_holds_the_codes_cards_achievements_transfers_and_household_of_the_member()
    {
        using var h = new DataRightsHarness();
        await h.SeedAliceEverywhereAsync();
        using var stream = new MemoryStream();

        var result = await h.Rights.ExportAsync(Alice, stream, Request("EXP-1"));

        result.Status.Should().Be(DataRightsStatus.Completed);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        text.Should().NotContain("bob@example.com", "the other party of a transfer and the other household members are their own data");
        using var doc = JsonDocument.Parse(text);
        var sections = doc.RootElement.GetProperty("sections");
        var codes = await ((IRewardCodeStore)h.Rewards).ListMemberCodesAsync(Club, Alice);
        sections.GetProperty("rewardCodes").EnumerateArray().Select(c => c.GetProperty("code").GetString()).Should().Equal(codes.Select(c => c.Code.Code)).And.HaveCount(1);
        sections.GetProperty("rewardCodes")[0].GetProperty("redemptionId").GetString().Should().Be("RD-1");
        var card = (await h.Cards.ExportMemberAsync(Club, Alice)).Single();
        sections.GetProperty("cards")[0].GetProperty("number").GetString().Should().Be(card.Number.Value);
        sections.GetProperty("cards")[0].GetProperty("history")[0].GetProperty("reason").GetString().Should().Be(card.History[0].Reason);
        sections.GetProperty("achievements").GetProperty("displayName").GetString().Should().Be("Alice D.");
        sections.GetProperty("achievements").GetProperty("tallies").GetArrayLength().Should().Be((await h.AchievementService.ExportMemberAsync(Alice))!.Tallies.Count);
        var transfer = sections.GetProperty("pointsTransfers").EnumerateArray().Single();
        transfer.GetProperty("transferId").GetString().Should().Be("T-1");
        transfer.GetProperty("direction").GetString().Should().Be("sent");
        transfer.GetProperty("points").GetInt64().Should().Be(10);
        transfer.GetProperty("message").GetString().Should().Be("from alice, happy birthday");
        var household = sections.GetProperty("household");
        household.GetProperty("householdId").GetString().Should().Be("H-1");
        household.GetProperty("owner").GetBoolean().Should().BeTrue();
        household.GetProperty("members").GetInt32().Should().Be(2);
        result.Sections["rewardCodes"].Should().Be(1);
        result.Sections["cards"].Should().Be(1);
        result.Sections["pointsTransfers"].Should().Be(1);
        result.Sections["household"].Should().Be(1);
        result.Sections["achievements"].Should().Be(1);
    }

    [Fact]
    public async Task An_erasure_removes_the_member_from_codes_cards_achievements_transfers_and_households_and_keeps_the_totals()
    {
        using var h = new DataRightsHarness();
        var profile = await h.SeedAliceEverywhereAsync();
        var code = (await ((IRewardCodeStore)h.Rewards).ListMemberCodesAsync(Club, Alice)).Single().Code.Code;
        var totals = await h.TotalsAsync();
        var bob = await h.Ledger.GetBalanceAsync(Bob);

        var result = await h.Rights.EraseAsync(Alice, Request("ERASE-1"));

        result.Status.Should().Be(DataRightsStatus.Completed);
        result.Sections.Keys.Should().Contain(["rewardCodes", "cards", "achievements", "pointsTransfers", "household"]);
        MemoryScan.Find(h.Holders, ["alice", profile.ReferralCode.Value, "A-1", "R-1", "RD-1", "ALICE10", "signup form", "Alice D.", "app install", code], [AliceBirthDate])
            .Should().BeEmpty("the member's id, codes, transfers, household, display name and card history are gone from every store");
        (await h.Rights.HoldsDataAsync(Alice)).Should().BeFalse();
        (await h.Households.FindByMemberAsync(Club, Bob))!.Owner.Should().Be(Bob, "the household passes to the member left");
        (await h.Cards.ExportMemberAsync(Club, Alice)).Should().BeEmpty();
        (await h.TotalsAsync()).Should().Be(totals, "the ledger keeps every point; only the records naming the member went");
        (await h.Ledger.GetBalanceAsync(Bob)).Should().Be(bob);
    }

    [Fact]
    public async Task Rectifying_a_member_with_rows_in_a_store_that_cannot_re_key_is_refused_before_anything_is_written()
    {
        using var h = new DataRightsHarness(replace: s => s.Replace(ServiceDescriptor.Singleton<ICardStore>(new CardStoreWithoutRekeying(new InMemoryCardStore()))));
        await h.SeedAliceAsync();
        await h.IssueCardAsync(Alice, "app");
        var before = (await h.Members.GetHistoryAsync(Club, Alice)).Orders.Count;

        var act = () => h.Rights.RectifyAsync(Alice, MemberId.From("alice@new.example"), Request("RECT-1"));

        await act.Should().ThrowAsync<NotSupportedException>().WithMessage(
            "Member 'alice@example.com' has rows in the card store (section 'cards'), which can export and erase a member but not move one to another id; nothing was changed. Erase those rows first (or keep the old id).");
        (await h.Members.GetHistoryAsync(Club, Alice)).Orders.Count.Should().Be(before);
        (await h.Rights.HoldsDataAsync(MemberId.From("alice@new.example"))).Should().BeFalse();
        (await h.Audit.FindAsync(Club, "RECT-1")).Should().BeNull();
    }

    [Fact]
    public async Task Rectifying_a_card_holder_moves_the_card_with_its_history_and_the_card_scans_to_the_new_id()
    {
        using var h = new DataRightsHarness();
        await h.SeedAliceAsync();
        await h.IssueCardAsync(Alice, "app");
        var card = (await h.Cards.ListMemberCardsAsync(Club, Alice)).Single();
        var renamed = MemberId.From("alice@new.example");

        var result = await h.Rights.RectifyAsync(Alice, renamed, Request("RECT-1"));

        result.Status.Should().Be(DataRightsStatus.Completed, result.Message);
        var scanned = await h.Services.GetRequiredService<LoyaltyCards>().FindMemberAsync(card.Number.Value);
        scanned.Succeeded.Should().BeTrue();
        scanned.Value!.MemberId.Should().Be(renamed);
        scanned.Value.Card.History.Should().Equal(card.History);
        (await h.Cards.ListMemberCardsAsync(Club, Alice)).Should().BeEmpty();
        (await h.Rights.HoldsDataAsync(Alice)).Should().BeFalse();
    }

    [Fact]
    public async Task Rectifying_a_member_everywhere_moves_household_ownership_and_transfers_given_and_received()
    {
        using var h = new DataRightsHarness();
        await h.SeedAliceEverywhereAsync();
        (await h.Transfers.TransferAsync(new PointsTransfer(TransferId.From("T-2"), Bob, Alice, Points.FromInt64(5)))).GetValueOrThrow();
        var transfers = h.Services.GetRequiredService<IPointsTransferStore>();
        var given = await transfers.ListMemberTransfersAsync(Club, Alice);
        var household = (await h.Households.FindByMemberAsync(Club, Alice))!;
        var renamed = MemberId.From("alice@new.example");

        (await h.Rights.RectifyAsync(Alice, Bob, Request("RECT-0"))).Message.Should().Be(
            "Member id 'bob@example.com' is already used in programme 'club'; to combine two members, merge the points with MergeBalancesAsync and erase the other member, or choose another id.");
        var result = await h.Rights.RectifyAsync(Alice, renamed, Request("RECT-1"));

        result.Status.Should().Be(DataRightsStatus.Completed, result.Message);
        (await h.Rights.HoldsDataAsync(Alice)).Should().BeFalse();
        (await transfers.ListMemberTransfersAsync(Club, Alice)).Should().BeEmpty();
        (await transfers.ListMemberTransfersAsync(Club, renamed)).Select(t => (t.Id, t.From, t.To, t.Points, t.Message)).Should().Equal(
            given.Select(t => (t.Id, t.From == Alice ? renamed : t.From, t.To == Alice ? renamed : t.To, t.Points, t.Message)));
        (await transfers.ListMemberTransfersAsync(Club, renamed)).Select(t => (t.From, t.To)).Should().Contain([(renamed, Bob), (Bob, renamed)]);
        (await h.Households.FindByMemberAsync(Club, Alice)).Should().BeNull();
        var moved = (await h.Households.FindByMemberAsync(Club, Bob))!;
        (moved.Id, moved.Owner, moved.CreatedAt).Should().Be((household.Id, renamed, household.CreatedAt));
        moved.Members.Select(m => m.MemberId).Should().Equal(renamed, Bob);
        (await h.Cards.ListMemberCardsAsync(Club, renamed)).Should().ContainSingle();
    }

    [Fact]
    public async Task An_erasure_leaves_every_total_other_members_budgets_stock_and_liability_unchanged()
    {
        using var h = new DataRightsHarness();
        await h.SeedAliceAsync();
        var totals = await h.TotalsAsync();
        var bob = await h.Ledger.GetBalanceAsync(Bob);
        var budget = await h.Budgets.GetUsageAsync(Club, RuleId.From("spring"), TransactionId.From("none"));
        var stock = await h.Rewards.CountClaimedAsync(Club, ProgramHarness.Voucher.Id);
        var liability = await LiabilityAsync(h);

        (await h.Rights.EraseAsync(Alice, Request("ERASE-1"))).Status.Should().Be(DataRightsStatus.Completed);

        (await h.TotalsAsync()).Should().Be(totals);
        (await h.Ledger.GetBalanceAsync(Bob)).Should().Be(bob);
        (await h.Budgets.GetUsageAsync(Club, RuleId.From("spring"), TransactionId.From("none"))).Should().Be(budget);
        (await h.Rewards.CountClaimedAsync(Club, ProgramHarness.Voucher.Id)).Should().Be(stock);
        (await LiabilityAsync(h)).Should().BeEquivalentTo(liability);
        var verification = await h.Ledger.VerifyProgramAsync();
        verification.IsIntact.Should().BeTrue("the erased account's chain is sealed again under its pseudonym");
        verification.AccountsChecked.Should().Be(2);
    }

    [Fact]
    public async Task Erasing_twice_gives_the_recorded_result_for_the_same_request_and_unknown_member_for_another()
    {
        using var h = new DataRightsHarness();
        await h.SeedAliceAsync();
        var first = await h.Rights.EraseAsync(Alice, Request("ERASE-1"));
        var totals = await h.TotalsAsync();

        var again = await h.Rights.EraseAsync(Alice, Request("ERASE-1"));
        var other = await h.Rights.EraseAsync(Alice, Request("ERASE-2"));

        again.Status.Should().Be(DataRightsStatus.AlreadyCompleted);
        again.Audit.Should().Be(first.Audit);
        again.Message.Should().Be($"Request 'ERASE-1' was already handled at {first.Audit!.At} (Erasure: Completed); nothing was done again.");
        other.Status.Should().Be(DataRightsStatus.UnknownMember);
        other.Message.Should().Be("No store holds anything of member 'alice@example.com' in programme 'club': it was never enrolled, or it was already erased or rectified to another id.");
        (await h.TotalsAsync()).Should().Be(totals);
    }

    [Fact]
    public async Task Erasing_an_unknown_member_changes_nothing()
    {
        using var h = new DataRightsHarness();
        await h.SeedAliceAsync();
        var totals = await h.TotalsAsync();

        var result = await h.Rights.EraseAsync(MemberId.From("carol@example.com"), Request("ERASE-7"));

        result.Status.Should().Be(DataRightsStatus.UnknownMember);
        result.Message.Should().Be("No store holds anything of member 'carol@example.com' in programme 'club': it was never enrolled, or it was already erased or rectified to another id.");
        (await h.TotalsAsync()).Should().Be(totals);
        (await h.Rights.HoldsDataAsync(Alice)).Should().BeTrue();
    }

    [Fact]
    public async Task A_later_webhook_for_an_erased_member_is_refused_and_enrolling_again_starts_afresh()
    {
        using var h = new DataRightsHarness();
        await h.SeedAliceAsync();
        await h.Rights.EraseAsync(Alice, Request("ERASE-1"));

        var order = await h.Program.RecordOrderAsync(new EarningOrder(OrderId.From("A-1"), Alice, h.Now, Currency.EUR, [new OrderLine("SKU-DRESS", 1, 600m)]));
        var summary = await h.Program.GetMemberSummaryAsync(Alice);

        order.ErrorCode.Should().Be(LoyaltyErrorCode.MemberNotFound);
        order.Error!.Message.Should().Be("Member 'alice@example.com' is not enrolled in the programme; enrol them first.");
        summary.ErrorCode.Should().Be(LoyaltyErrorCode.MemberNotFound);
        (await h.Program.EnrolAsync(new Enrolment(Alice))).GetValueOrThrow();
        var fresh = (await h.Program.GetMemberSummaryAsync(Alice)).GetValueOrThrow();
        fresh.Balance.Available.Should().Be(Points.FromInt64(100), "only the new welcome points");
        fresh.Redemptions.Should().BeEmpty();
    }

    [Fact]
    public async Task Erasing_a_referee_renames_the_referral_activity_the_referrer_holds_under_its_id()
    {
        using var h = new DataRightsHarness();
        await h.SeedAliceAsync();
        var alice = await h.Ledger.GetBalanceAsync(Alice);

        (await h.Rights.EraseAsync(Bob, Request("ERASE-2"))).Status.Should().Be(DataRightsStatus.Completed);

        MemoryScan.Find(h.Holders, ["bob"], []).Should().BeEmpty("the referrer's activity 'referral:bob@example.com' and its transaction were renamed");
        (await h.Ledger.GetBalanceAsync(Alice)).Should().Be(alice);
        (await h.Ledger.VerifyAccountAsync(Alice)).IsIntact.Should().BeTrue();
        (await h.Members.GetHistoryAsync(Club, Alice)).Activities.Should().Contain(a => a.Activity.Kind == ActivityKind.ReferralCompleted && a.Earning.Total == Points.FromInt64(200));
    }

    [Fact]
    public async Task The_referee_of_an_erased_member_keeps_the_referral_without_the_id()
    {
        using var h = new DataRightsHarness();
        await h.SeedAliceAsync();

        await h.Rights.EraseAsync(Alice, Request("ERASE-1"));

        var bob = (await h.Members.GetMemberAsync(Club, Bob))!;
        bob.ReferredBy.Should().NotBeNull();
        bob.ReferredBy!.Value.Value.Should().StartWith(MemberDataRewrite.ErasedPrefix);
        (await h.Members.GetMemberAsync(Club, bob.ReferredBy.Value))!.BirthDate.Should().BeNull();
    }

    [Fact]
    public async Task Erasing_while_orders_of_the_member_arrive_keeps_every_landed_order_in_the_books_exactly_once()
    {
        // The in-memory stores have no transaction: an order whose record was written before the erasure
        // may write its ledger step just after it (under the id, with no member). The books stay exact:
        // no order is refused half-written, none is counted twice, and such a late step is found by the
        // next erasure request of the id (see docs/data-rights.md, Concurrent writes).
        for (var round = 0; round < 20; round++)
        {
            using var h = new DataRightsHarness();
            await h.PublishAsync();
            await h.Program.EnrolAsync(new Enrolment(Alice));
            var totalsBefore = await h.TotalsAsync();
            var orders = Enumerable.Range(0, 4).Select(i => Task.Run(() => h.Program.RecordOrderAsync(new EarningOrder(OrderId.From($"A-{round}-{i}"), Alice, h.Now, Currency.EUR, [new OrderLine("SKU", 1, 40m)])))).ToArray();
            var erase = Task.Run(() => h.Rights.EraseAsync(Alice, Request($"ERASE-{round}")));
            await Task.WhenAll(orders);
            (await erase).Status.Should().Be(DataRightsStatus.Completed);
            var results = orders.Select(o => o.Result).ToArray();

            results.Should().OnlyContain(r => r.Succeeded || r.ErrorCode == LoyaltyErrorCode.MemberNotFound);
            var landed = results.Where(r => r.Succeeded).Sum(r => r.Value!.Points.Value);
            var totals = await h.TotalsAsync();
            totals.Earned.Should().Be(totalsBefore.Earned + landed, "round {0}: every order that landed is in the books exactly once", round);
            if (await h.Rights.HoldsDataAsync(Alice))
            {
                (await h.Rights.EraseAsync(Alice, Request($"ERASE-{round}-again"))).Status.Should().Be(DataRightsStatus.Completed);
            }

            (await h.Rights.HoldsDataAsync(Alice)).Should().BeFalse();
            (await h.TotalsAsync()).Should().Be(totals);
            (await h.Ledger.VerifyProgramAsync()).IsIntact.Should().BeTrue();
        }
    }

    // ------------------------------------------------------------------------------------------ rectification

    [Fact]
    public async Task Rectifying_moves_the_whole_history_to_the_new_id()
    {
        using var h = new DataRightsHarness();
        await h.SeedAliceAsync();
        var before = (await h.Program.GetMemberSummaryAsync(Alice)).GetValueOrThrow();
        var totals = await h.TotalsAsync();
        var renamed = MemberId.From("alice.martin@example.com");

        var result = await h.Rights.RectifyAsync(Alice, renamed, Request("RECT-1"));

        result.Status.Should().Be(DataRightsStatus.Completed);
        result.Message.Should().Be($"Member 'alice@example.com' is now 'alice.martin@example.com': {result.Sections.Values.Sum()} records moved with their history.");
        (await h.Rights.HoldsDataAsync(Alice)).Should().BeFalse();
        var after = (await h.Program.GetMemberSummaryAsync(renamed)).GetValueOrThrow();
        after.Balance.Should().Be(before.Balance);
        after.Profile.Should().Be(before.Profile with { MemberId = renamed });
        after.Tier.Should().BeEquivalentTo(before.Tier, o => o.Excluding(t => t.MemberId));
        after.Redemptions.Should().ContainSingle().Which.Id.Should().Be(RedemptionId.From("RD-1"));
        (await h.TotalsAsync()).Should().Be(totals);
        (await h.Ledger.VerifyAccountAsync(renamed)).IsIntact.Should().BeTrue();
        (await h.Members.GetHistoryAsync(Club, renamed)).Activities.Select(a => a.ActivityId.Value).Should().Contain("signup:alice.martin@example.com");
        (await ((IRewardCodeStore)h.Rewards).ListMemberCodesAsync(Club, renamed)).Should().ContainSingle("the voucher's code moved with the member").Which.Code.RedemptionId.Should().Be(RedemptionId.From("RD-1"));
        (await h.AchievementService.ExportMemberAsync(renamed))!.Tallies.Should().NotBeEmpty("the review's tally moved with the member");
        (await h.AchievementService.ExportMemberAsync(Alice)).Should().BeNull();

        // The history still works: the order placed under the old id is refunded under the new one, the hold is captured.
        var refund = await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-2"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(1, 1))));
        refund.GetValueOrThrow().MemberId.Should().Be(renamed);
        (await h.Program.CaptureHeldPointsAsync(renamed, OrderId.From("A-2"))).Error.Should().BeNull();
        result.Audit!.MemberId.Should().Be(renamed);
    }

    [Fact]
    public async Task Rectifying_to_an_id_already_used_is_refused_and_changes_nothing()
    {
        using var h = new DataRightsHarness();
        await h.SeedAliceAsync();
        var totals = await h.TotalsAsync();

        var result = await h.Rights.RectifyAsync(Alice, Bob, Request("RECT-1"));

        result.Status.Should().Be(DataRightsStatus.TargetInUse);
        result.Message.Should().Be("Member id 'bob@example.com' is already used in programme 'club'; to combine two members, merge the points with MergeBalancesAsync and erase the other member, or choose another id.");
        (await h.TotalsAsync()).Should().Be(totals);
        (await h.Members.GetMemberAsync(Club, Alice)).Should().NotBeNull();
        result.Audit.Should().BeNull();
    }

    [Fact]
    public async Task Rectifying_an_unknown_member_or_to_the_same_id_is_refused()
    {
        using var h = new DataRightsHarness();
        await h.SeedAliceAsync();

        var unknown = await h.Rights.RectifyAsync(MemberId.From("carol"), MemberId.From("caroline"), Request("RECT-1"));
        var same = await h.Rights.RectifyAsync(Alice, Alice, Request("RECT-2"));

        unknown.Status.Should().Be(DataRightsStatus.UnknownMember);
        unknown.Message.Should().Be("No store holds anything of member 'carol' in programme 'club': it was never enrolled, or it was already erased or rectified to another id.");
        same.Status.Should().Be(DataRightsStatus.SameMember);
        same.Message.Should().Be("Member 'alice@example.com' already has this id; nothing to rectify.");
    }

    // ------------------------------------------------------------------------------------------ merge

    [Fact]
    public async Task Merging_moves_the_available_points_with_a_ledger_trail_once()
    {
        using var h = new DataRightsHarness();
        await h.SeedAliceAsync();
        var alice = await h.Ledger.GetBalanceAsync(Alice);
        var bob = await h.Ledger.GetBalanceAsync(Bob);
        var totals = await h.TotalsAsync();

        var result = await h.Rights.MergeBalancesAsync(Alice, Bob, Request("MERGE-1"));
        var again = await h.Rights.MergeBalancesAsync(Alice, Bob, Request("MERGE-1"));

        result.Status.Should().Be(DataRightsStatus.Completed);
        result.PointsMoved.Should().Be(alice.Available);
        result.Message.Should().Be($"Moved {alice.Available} available points from member 'alice@example.com' to member 'bob@example.com' (transactions 'merge-out:MERGE-1' and 'merge-in:MERGE-1').");
        again.Status.Should().Be(DataRightsStatus.AlreadyCompleted);
        (await h.Ledger.GetBalanceAsync(Alice)).Available.Should().Be(Points.Zero);
        (await h.Ledger.GetBalanceAsync(Alice)).Held.Should().Be(alice.Held, "held points stay with the source");
        (await h.Ledger.GetBalanceAsync(Bob)).Available.Should().Be(bob.Available + alice.Available);
        var debit = (await h.Ledger.FindTransactionAsync(TransactionId.From("merge-out:MERGE-1")))!;
        var credit = (await h.Ledger.FindTransactionAsync(TransactionId.From("merge-in:MERGE-1")))!;
        (debit.Kind, debit.MemberId, debit.Amount, debit.Reason, debit.Actor).Should().Be((LedgerTransactionKind.Adjust, Alice, -alice.Available.Value, "merge:MERGE-1", "dpo@shop.example"));
        (credit.Kind, credit.MemberId, credit.Amount, credit.Reason).Should().Be((LedgerTransactionKind.Adjust, Bob, alice.Available.Value, "merge:MERGE-1"));
        var after = await h.TotalsAsync();
        after.Outstanding.Should().Be(totals.Outstanding, "points moved, none created");
    }

    [Fact]
    public async Task Merging_with_an_unknown_or_the_same_member_is_refused()
    {
        using var h = new DataRightsHarness();
        await h.SeedAliceAsync();

        var unknown = await h.Rights.MergeBalancesAsync(MemberId.From("carol"), Bob, Request("M-1"));
        var target = await h.Rights.MergeBalancesAsync(Alice, MemberId.From("carol"), Request("M-2"));
        var same = await h.Rights.MergeBalancesAsync(Alice, Alice, Request("M-3"));

        unknown.Message.Should().Be("Member 'carol' is not enrolled in programme 'club'; there is nothing to merge.");
        target.Status.Should().Be(DataRightsStatus.TargetUnknown);
        target.Message.Should().Be("Member 'carol' is not enrolled in programme 'club'; enrol it before merging points into it.");
        same.Message.Should().Be("A member's points cannot be merged into the same member ('alice@example.com').");
    }

    // ------------------------------------------------------------------------------------------ retention

    [Fact]
    public async Task The_retention_cutoff_falls_in_the_spring_forward_gap_and_moves_forward_by_it()
    {
        // Paris springs forward on 31 March 2024 at 02:00 (to 03:00). Three years before 31 March 2027
        // 02:30 (CEST, 00:30 UTC) is 31 March 2024 02:30, which does not exist: the cut-off is 03:30 CEST, 01:30 UTC.
        var asOf = Instant.FromUtc(2027, 3, 31, 0, 30);
        using var h = new DataRightsHarness(start: Instant.FromUtc(2024, 1, 10, 9, 0));
        await h.PublishAsync();
        var quiet = MemberId.From("quiet@example.com");
        var active = MemberId.From("active@example.com");
        await h.Program.EnrolAsync(new Enrolment(quiet));
        await h.Program.EnrolAsync(new Enrolment(active));
        h.Clock.Reset(Instant.FromUtc(2024, 3, 31, 2, 0));
        (await h.Program.RecordOrderAsync(new EarningOrder(OrderId.From("Q-1"), quiet, Instant.FromUtc(2024, 3, 31, 1, 29, 59), Currency.EUR, [new OrderLine("SKU", 1, 40m)]))).GetValueOrThrow();
        (await h.Program.RecordOrderAsync(new EarningOrder(OrderId.From("A-1"), active, Instant.FromUtc(2024, 3, 31, 1, 30), Currency.EUR, [new OrderLine("SKU", 1, 40m)]))).GetValueOrThrow();
        h.Clock.Reset(asOf);

        h.Rights.RetentionCutoff(asOf).Should().Be(Instant.FromUtc(2024, 3, 31, 1, 30));
        var page = await h.Rights.ListInactiveAsync(asOf, MemberPartition.All, null, 100);

        page.Members.Should().Equal(new InactiveMember(quiet, Instant.FromUtc(2024, 3, 31, 1, 29, 59)));
        page.Examined.Should().Be(2);
        page.ContinueAfter.Should().BeNull();
    }

    [Fact]
    public async Task The_retention_cutoff_in_the_autumn_overlap_takes_the_earlier_instant()
    {
        // Paris falls back on 27 October 2024 at 03:00 (to 02:00): 02:30 happens twice. Three years before 27 October
        // 2027 02:30 (CEST, 00:30 UTC) is that 02:30, and the cut-off is the earlier of the two, 00:30 UTC.
        using var h = new DataRightsHarness();
        h.Rights.RetentionCutoff(Instant.FromUtc(2027, 10, 27, 0, 30)).Should().Be(Instant.FromUtc(2024, 10, 27, 0, 30));
    }

    [Fact]
    public async Task Maintenance_erases_the_members_past_the_retention_limit_only()
    {
        using var h = new DataRightsHarness(o => o.RetentionPeriod = Period.FromYears(2), start: Instant.FromUtc(2024, 1, 10, 9, 0));
        await h.PublishAsync();
        var quiet = MemberId.From("quiet@example.com");
        await h.Program.EnrolAsync(new Enrolment(quiet));
        h.Clock.Reset(Instant.FromUtc(2025, 6, 1, 9, 0));
        await h.Program.EnrolAsync(new Enrolment(Alice));
        var totals = await h.TotalsAsync();
        var asOf = Instant.FromUtc(2026, 6, 1, 9, 0);
        h.Clock.Reset(asOf);

        var run = await h.Rights.EraseInactiveAsync(asOf, MemberPartition.All, Request("RETENTION-2026-06"), pageSize: 1);

        run.Should().Be(new RetentionRunResult(Instant.FromUtc(2024, 6, 1, 9, 0), 2, 1, 0));
        (await h.Rights.HoldsDataAsync(quiet)).Should().BeFalse();
        (await h.Rights.HoldsDataAsync(Alice)).Should().BeTrue();
        (await h.TotalsAsync()).Should().Be(totals);
        var audit = await h.Audit.ListAsync(Club, asOf, asOf + Duration.FromSeconds(1));
        audit.Should().ContainSingle().Which.Should().Match<DataRightsAuditEntry>(e => e.Action == DataRightsAction.RetentionErasure && e.MemberId == null && e.RequestId.StartsWith("RETENTION-2026-06/", StringComparison.Ordinal));
    }

    // ------------------------------------------------------------------------------------------ bad input

    [Fact]
    public async Task Bad_arguments_are_refused_with_what_to_fix()
    {
        using var h = new DataRightsHarness();

        var noMember = async () => await h.Rights.EraseAsync(default, Request("E-1"));
        var noRequestId = async () => await h.Rights.EraseAsync(Alice, new DataRightsRequest(" ", "dpo"));
        var longRequestId = async () => await h.Rights.EraseAsync(Alice, new DataRightsRequest(new string('x', 101), "dpo"));
        var control = async () => await h.Rights.EraseAsync(Alice, new DataRightsRequest("E\n1", "dpo"));
        var readOnly = async () => await h.Rights.ExportAsync(Alice, new MemoryStream([], writable: false), Request("X-1"));
        var page = async () => await h.Rights.ListInactiveAsync(h.Now, MemberPartition.All, null, 0);

        (await noMember.Should().ThrowAsync<ArgumentException>()).WithMessage("The member id must not be default(MemberId); use MemberId.From(\"…\"). (Parameter 'memberId')");
        (await noRequestId.Should().ThrowAsync<ArgumentException>()).WithMessage("The request's RequestId must not be empty; give e.g. the shop's ticket number and who asked. (Parameter 'request')");
        (await longRequestId.Should().ThrowAsync<ArgumentException>()).WithMessage("The request's RequestId must be at most 100 characters (was 101). (Parameter 'request')");
        (await control.Should().ThrowAsync<ArgumentException>()).WithMessage("The request's RequestId must not contain control characters (found U+000A). (Parameter 'request')");
        (await readOnly.Should().ThrowAsync<ArgumentException>()).WithMessage("The export destination stream must be writable. (Parameter 'destination')");
        (await page.Should().ThrowAsync<ArgumentOutOfRangeException>()).WithMessage("maxCount must be at least 1 (members examined per page).*");
    }

    [Fact]
    public async Task A_request_id_used_for_another_request_is_refused()
    {
        using var h = new DataRightsHarness();
        await h.SeedAliceAsync();
        await h.Rights.ExportAsync(Alice, new MemoryStream(), Request("REQ-1"));

        var result = await h.Rights.EraseAsync(Alice, Request("REQ-1"));

        result.Status.Should().Be(DataRightsStatus.RequestIdInUse);
        result.Message.Should().Be($"Request id 'REQ-1' was already used at {result.Audit!.At} for another request (Export); give each request its own id.");
        (await h.Rights.HoldsDataAsync(Alice)).Should().BeTrue();
    }

    [Theory]
    [InlineData("P0D", "DataRights:RetentionPeriod must be a positive period such as P3Y (was P0D).")]
    [InlineData("P-1Y", "DataRights:RetentionPeriod must be a positive period such as P3Y (was P-1Y).")]
    public void A_retention_period_that_is_not_positive_is_refused(string period, string message)
    {
        var parsed = NodaTime.Text.PeriodPattern.Roundtrip.Parse(period).Value;
        var build = () => new DataRightsHarness(o => o.RetentionPeriod = parsed).Rights;

        build.Should().Throw<ArgumentException>().WithMessage(message + " (Parameter 'RetentionPeriod')");
    }

    private static Task<LiabilityReport> LiabilityAsync(DataRightsHarness h) => LedgerLiability.ComputeAsync(
        (ILedgerSnapshotSource)h.LedgerStore, Club, ExpiryPolicy.Never, ProgramHarness.Paris, h.Now, PointValuation.PerPoint(Money.FromDecimal(0.01m, Currency.EUR)));

    private sealed class CountingStream : MemoryStream
    {
        public int Flushes { get; private set; }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return base.FlushAsync(cancellationToken);
        }
    }
}
