using Loyalty.Core.Economics;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;
using NodaTime.Testing;
using static Loyalty.Core.Tests.Economics.ReplayLedgerSetup;

namespace Loyalty.Core.Tests.Economics;

public class ReplayLedgerStoreWithoutHistoryTests
{
    private static readonly MemberId Alice = MemberId.From("alice");
    private static readonly MemberId Bob = MemberId.From("bob");
    private static readonly MemberId Carol = MemberId.From("carol");
    private static readonly Instant Start = Instant.FromUtc(2026, 1, 20, 10, 0);

    [Fact]
    public async Task It_feeds_the_breakage_cohorts_the_estimator_computes_from_the_whole_histories_and_keeps_no_spent_lot()
    {
        // The cohorts' instant falls mid-month between writes: what is recorded after it (in the same month
        // too) is not counted, and each account's open lots are counted as they stood at it (Bob writes again
        // after it, Alice does not, Carol's account opens after it).
        var asOf = Instant.FromUtc(2026, 6, 15, 12, 0);
        var clock = new FakeClock(Start);
        var full = new ReplayLedgerStore(Program, 4, 16);
        var compact = new ReplayLedgerStore(Program, 4, new HashSet<TransactionId> { TransactionId.From("a2") }, NewLedger(clock, full).ExpiryPolicy, Paris, asOf);
        var ledgers = new[] { NewLedger(clock, full), NewLedger(clock, compact) };

        async Task Both(Func<PointsLedger, Task<LedgerResult>> write)
        {
            var results = new List<LedgerResult>();
            foreach (var ledger in ledgers)
            {
                var result = await write(ledger);
                result.Succeeded.Should().BeTrue();
                results.Add(result);
            }

            results[1].Transaction.Should().BeEquivalentTo(results[0].Transaction);
        }

        Func<PointsLedger, Task<LedgerResult>> Earn(MemberId member, string id, long points) => l => l.EarnAsync(new EarnPoints(TransactionId.From(id), member, Points.FromInt64(points)));
        Func<PointsLedger, Task<LedgerResult>> Redeem(MemberId member, string id, long points) => l => l.RedeemAsync(new RedeemPoints(TransactionId.From(id), member, Points.FromInt64(points)));

        await Both(Earn(Alice, "a1", 300));
        await Both(Earn(Bob, "b1", 500));
        clock.AdvanceDays(20);
        await Both(Earn(Alice, "a2", 200));
        clock.AdvanceDays(15);
        await Both(Redeem(Alice, "r1", 400));                  // a1 spent (300), a2 half spent
        await Both(l => l.ReverseAsync(new ReversePoints(TransactionId.From("x1"), Alice, TransactionId.From("a2"), Points.FromInt64(50)) { Reason = "refund" }));
        clock.AdvanceDays(30);
        await Both(Redeem(Bob, "r2", 100));
        clock.AdvanceDays(40);                                 // b1 expires at the end of April
        await Both(Earn(Bob, "b2", 70));
        clock.Reset(asOf + Duration.FromDays(10));
        await Both(Earn(Bob, "b3", 90));                        // after the cohorts' instant
        await Both(Redeem(Bob, "r3", 60));
        await Both(Earn(Carol, "c1", 40));                      // an account opened after it: not counted

        foreach (var member in new[] { Alice, Bob, Carol })
        {
            (await ledgers[1].GetBalanceAsync(member)).Should().Be(await ledgers[0].GetBalanceAsync(member));
        }

        compact.CountOpenLots();
        var histories = new[] { full.History(Alice), full.History(Bob), full.History(Carol) };
        var expected = BreakageEstimator.Estimate(histories, asOf, ledgers[0].ExpiryPolicy, Paris);
        compact.Cohorts!.Report(asOf).Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        expected.Cohorts.Sum(c => c.Issued).Should().Be(1_070, "the earns recorded by the instant: 300 + 500 + 200 + 70");
        expected.Cohorts.Sum(c => c.Expired).Should().BeGreaterThan(0);

        // Alice's spent lot a1 is gone; a2, spent or not, is kept because a reversal names it.
        // Alice's spent lot a1 is gone; a2, spent or not, is kept because a reversal names it.
        compact.Find(Alice)!.State!.Lots.Keys.Select(id => id.Value).Should().Equal("a2");
        (await compact.GetLotsAsync(new LedgerAccountKey(Program, Alice), [TransactionId.From("a1"), TransactionId.From("a2")])).Select(l => l.LotId.Value).Should().Equal("a2");
        full.Find(Alice)!.Lots.Select(l => l.LotId.Value).Should().Equal("a1", "a2");
        (await compact.FindTransactionAsync(Program, TransactionId.From("a2"))).Should().NotBeNull();
        (await compact.FindTransactionAsync(Program, TransactionId.From("x1"))).Should().NotBeNull();
        (await compact.FindTransactionAsync(Program, TransactionId.From("a1"))).Should().BeNull();

        var read = async () => await compact.ReadHistoryAsync(new LedgerAccountKey(Program, Alice), 0, 10);
        await read.Should().ThrowAsync<InvalidOperationException>()
            .WithMessage("This backtest ledger store keeps no history; make it with the constructor that keeps every transaction to read one.");
    }

    [Fact]
    public async Task Earns_and_redemptions_written_into_its_account_states_give_what_a_ledger_writing_through_it_gives()
    {
        // The replay's path: earns and redemptions decided by the ledger on the store's own account state
        // (no store round trip), reversals through a ledger over the store. The reference: every write
        // through the ledger's store API. Both stores keep the spent lot a reversal names (a2, spent in full
        // by r1 before x1 reverses part of it), feed the cohorts alike and end with the same accounts.
        var asOf = Instant.FromUtc(2026, 6, 15, 12, 0);
        var reversible = new HashSet<TransactionId> { TransactionId.From("a2") };
        var clock = new FakeClock(Start);
        var reference = new ReplayLedgerStore(Program, 4, reversible, NewLedger(clock, new ReplayLedgerStore(Program, 1, 1)).ExpiryPolicy, Paris, asOf);
        var referenceLedger = NewLedger(clock, reference);
        var direct = new ReplayLedgerStore(Program, 4, reversible, referenceLedger.ExpiryPolicy, Paris, asOf);
        var directLedger = NewLedger(clock, direct, cacheSlots: 0);
        var written = new List<(LedgerTransactionRecord Reference, LedgerTransactionRecord Direct)>();

        async Task Earn(MemberId member, string id, long points)
        {
            var command = new EarnPoints(TransactionId.From(id), member, Points.FromInt64(points));
            var expected = await referenceLedger.EarnAsync(command);
            var account = direct.Open(member, directLedger);
            direct.Writing(account, clock.GetCurrentInstant());
            var actual = directLedger.EarnInto(account.State!, command);
            direct.Written(account, actual.Transaction!);
            written.Add((expected.Transaction!, actual.Transaction!));
        }

        async Task Redeem(MemberId member, string id, long points)
        {
            var command = new RedeemPoints(TransactionId.From(id), member, Points.FromInt64(points));
            var expected = await referenceLedger.RedeemAsync(command);
            var account = direct.Open(member, directLedger);
            direct.Writing(account, clock.GetCurrentInstant());
            var actual = directLedger.RedeemFrom(account.State!, command);
            actual.Succeeded.Should().Be(expected.Succeeded);
            if (actual.Succeeded)
            {
                direct.Written(account, actual.Transaction!);
                written.Add((expected.Transaction!, actual.Transaction!));
            }
            else
            {
                actual.Error.Should().BeEquivalentTo(expected.Error);
            }
        }

        await Earn(Alice, "a1", 300);
        await Earn(Bob, "b1", 500);
        clock.AdvanceDays(20);
        await Earn(Alice, "a2", 200);
        clock.AdvanceDays(15);
        await Redeem(Alice, "r1", 500);                        // a1 and a2 spent in full
        await Redeem(Alice, "r0", 10);                         // refused: nothing left
        var reversal = new ReversePoints(TransactionId.From("x1"), Alice, TransactionId.From("a2"), Points.FromInt64(50)) { Reason = "refund" };
        var reversed = new[] { await referenceLedger.ReverseAsync(reversal), await directLedger.ReverseAsync(reversal) };
        reversed[1].Transaction.Should().BeEquivalentTo(reversed[0].Transaction);
        clock.AdvanceDays(30);
        await Earn(Alice, "a3", 80);                           // after the reversal, on the state the ledger's append left
        await Redeem(Bob, "r2", 100);
        clock.AdvanceDays(40);                                 // b1 expires at the end of April
        await Earn(Bob, "b2", 70);
        clock.Reset(asOf + Duration.FromDays(10));
        await Earn(Bob, "b3", 90);                             // after the cohorts' instant
        await Redeem(Bob, "r3", 60);
        await Earn(Carol, "c1", 40);                           // an account opened after it: not counted

        foreach (var (expected, actual) in written)
        {
            actual.Should().BeEquivalentTo(expected);
        }

        foreach (var member in new[] { Alice, Bob, Carol })
        {
            direct.Find(member)!.State!.Balance(clock.GetCurrentInstant()).Should().Be(await referenceLedger.GetBalanceAsync(member));
            (await directLedger.GetBalanceAsync(member)).Should().Be(await referenceLedger.GetBalanceAsync(member));
        }

        var key = new LedgerAccountKey(Program, Alice);
        (await direct.GetLotsAsync(key, [TransactionId.From("a1"), TransactionId.From("a2")])).Should().BeEquivalentTo(await reference.GetLotsAsync(key, [TransactionId.From("a1"), TransactionId.From("a2")]));
        reference.CountOpenLots();
        direct.CountOpenLots();
        direct.Cohorts!.Report(asOf).Should().BeEquivalentTo(reference.Cohorts!.Report(asOf), o => o.WithStrictOrdering());
        direct.Cohorts.Report(asOf).Cohorts.Sum(c => c.Issued).Should().Be(1_150, "the earns recorded by the instant: 300 + 500 + 200 + 80 + 70");

        var full = () => new ReplayLedgerStore(Program, 1, 1).Open(Alice, directLedger);
        full.Should().Throw<InvalidOperationException>().WithMessage("This backtest ledger store keeps every transaction; only a store that keeps no history is written into directly.");
        var other = () => directLedger.EarnInto(direct.Find(Alice)!.State!, new EarnPoints(TransactionId.From("z1"), Bob, Points.FromInt64(1)));
        other.Should().Throw<ArgumentException>().WithParameterName("state");
    }

    [Fact]
    public void Liability_sums_of_two_sets_of_accounts_added_together_give_the_report_of_one_pass_over_all()
    {
        var asOf = Instant.FromUtc(2026, 3, 15, 12, 0);
        var valuation = PointValuation.PerPoint(Money.FromDecimal(0.01m, Currency.EUR));
        var earned = Instant.FromUtc(2026, 1, 10, 12, 0);
        var later = Instant.FromUtc(2026, 3, 20, 12, 0);
        TierId gold = TierId.From("gold"), silver = TierId.From("silver");
        MerchantId shop = MerchantId.From("shop");
        var accounts = new[]
        {
            new LiabilityAccount(MemberId.From("m1"), [new LiabilityLot(100, earned, Instant.FromUtc(2026, 3, 31, 12, 0)), new LiabilityLot(40, later, null, shop)], tier: gold),
            new LiabilityAccount(MemberId.From("m2"), [new LiabilityLot(250, earned, Instant.FromUtc(2026, 9, 1, 0, 0))], heldAtOpenHolds: 30, tier: silver),
            new LiabilityAccount(MemberId.From("m3"), [new LiabilityLot(70, earned, Instant.FromUtc(2026, 2, 1, 0, 0))], tier: gold),   // expired
            new LiabilityAccount(MemberId.From("m4"), [new LiabilityLot(500, earned, null, shop)], debt: 20, tier: gold),
            new LiabilityAccount(MemberId.From("m5"), [new LiabilityLot(60, earned, Instant.FromUtc(2027, 6, 1, 0, 0))], inactivityDeadline: Instant.FromUtc(2026, 5, 1, 0, 0), tier: silver),
        };

        var whole = LiabilityCalculator.Compute(accounts, asOf, Paris, valuation);
        var first = new LiabilityTotals(asOf, Paris);
        var second = new LiabilityTotals(asOf, Paris);
        for (var i = 0; i < accounts.Length; i++)
        {
            (i % 2 == 0 ? first : second).Add(accounts[i]);
        }

        first.Add(second);
        first.Report(valuation).Should().BeEquivalentTo(whole, o => o.WithStrictOrdering());
        whole.ByTier.Keys.Should().Equal(gold, silver);
        whole.Outstanding.Points.Should().Be(100 + 40 + 250 + 500 - 20 + 60);

        var elsewhen = () => first.Add(new LiabilityTotals(later, Paris));
        elsewhen.Should().Throw<ArgumentException>().WithMessage($"Liability sums at {later} cannot be added to sums at {asOf}.*");
    }
}
