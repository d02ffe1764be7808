using Loyalty.Core.Economics;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Loyalty.Core.Tests.Ledger;
using NodaTime;

namespace Loyalty.Core.Tests.Economics;

public class LiabilityCalculatorTests
{
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    private static readonly PointValuation Cent = PointValuation.PerPoint(Money.FromDecimal(0.01m, Currency.EUR));

    private static Instant Local(int y, int m, int d, int h = 0, int min = 0) =>
        new LocalDateTime(y, m, d, h, min).InZoneStrictly(Paris).ToInstant();

    [Fact]
    public void Expiry_buckets_follow_local_months_across_the_spring_DST_change()
    {
        // 29 March 2026, the day Paris moves from +01:00 to +02:00; next month starts at 31 March 22:00 UTC.
        var asOf = Local(2026, 3, 29, 12);
        var earned = Local(2026, 1, 10);
        var lots = new[]
        {
            new LiabilityLot(100, earned, Local(2026, 3, 31, 23, 59)),               // this month (last minute of March)
            new LiabilityLot(200, earned, Local(2026, 4, 1)),                        // exclusive end at local midnight: still this month
            new LiabilityLot(300, earned, Instant.FromUtc(2026, 3, 31, 22, 30)),     // 00:30 on 1 April local: within 3 months
            new LiabilityLot(400, earned, Local(2026, 6, 1)),                        // end of May: within 3 months
            new LiabilityLot(500, earned, Local(2026, 6, 1, 0, 1)),                  // June: within 12 months
            new LiabilityLot(600, earned, Local(2027, 3, 1)),                        // end of February 2027 (back to +01:00): within 12 months
            new LiabilityLot(700, earned, Local(2027, 3, 1, 0, 1)),                  // later
            new LiabilityLot(800, earned, null),                                     // never
            new LiabilityLot(900, earned, Local(2026, 3, 29, 12)),                   // expired at the instant: not counted
        };
        var report = LiabilityCalculator.Compute([new LiabilityAccount(MemberId.From("m1"), lots)], asOf, Paris, Cent);

        report.ByExpiry[ExpiryBucket.ThisMonth].Points.Should().Be(300);
        report.ByExpiry[ExpiryBucket.WithinThreeMonths].Points.Should().Be(700);
        report.ByExpiry[ExpiryBucket.WithinTwelveMonths].Points.Should().Be(1_100);
        report.ByExpiry[ExpiryBucket.Later].Points.Should().Be(700);
        report.ByExpiry[ExpiryBucket.Never].Points.Should().Be(800);
        report.Outstanding.Points.Should().Be(3_600);
        report.Outstanding.Value.Should().Be(Money.FromDecimal(36m, Currency.EUR));
        report.ByExpiry[ExpiryBucket.WithinTwelveMonths].Value.Should().Be(Money.FromDecimal(11m, Currency.EUR));
    }

    [Fact]
    public void Available_pending_held_debt_and_tiers_are_split_and_valued()
    {
        var asOf = Instant.FromUtc(2026, 5, 10, 0, 0);
        var gold = TierId.From("gold");
        var accounts = new[]
        {
            new LiabilityAccount(MemberId.From("a"), [new LiabilityLot(1_000, asOf - Duration.FromDays(30), null), new LiabilityLot(250, asOf + Duration.FromDays(5), null)], heldAtOpenHolds: 300, tier: gold),
            new LiabilityAccount(MemberId.From("b"), [new LiabilityLot(125, asOf - Duration.FromDays(1), null, MerchantId.From("partner"))], debt: 25),
            new LiabilityAccount(MemberId.From("c"), []),
        };
        var report = LiabilityCalculator.Compute(accounts, asOf, DateTimeZone.Utc, PointValuation.PerPoint(Money.FromDecimal(0.004m, Currency.EUR)));

        report.Accounts.Should().Be(2);
        report.Available.Points.Should().Be(700 + 100);
        report.Held.Points.Should().Be(300);
        report.Pending.Points.Should().Be(250);
        report.Debt.Should().Be(25);
        report.Outstanding.Points.Should().Be(1_350);
        report.Outstanding.Value.Should().Be(Money.FromDecimal(5.40m, Currency.EUR));
        report.Available.Value.Should().Be(Money.FromDecimal(3.20m, Currency.EUR));
        report.ByTier[gold].Points.Should().Be(1_250);
        report.ByTier[default].Points.Should().Be(100);
        report.ByMerchant[default].Points.Should().Be(1_250);
        report.ByMerchant[MerchantId.From("partner")].Points.Should().Be(125);
    }

    [Fact]
    public async Task The_liability_of_a_past_instant_replays_the_ledger_and_matches_its_balance_then()
    {
        var h = new LedgerHarness(o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Months = 1, RoundUpTo = ExpiryRounding.EndOfMonth }, "Europe/Paris", Local(2026, 1, 15, 10));
        await h.EarnAsync(500, "e1");
        h.Clock.AdvanceDays(20);
        await h.EarnAsync(300, "e2", pending: Duration.FromDays(14));
        var past = h.Clock.GetCurrentInstant() + Duration.FromHours(1);
        h.Clock.AdvanceDays(40);
        (await h.Ledger.RedeemAsync(new RedeemPoints(TransactionId.From("r1"), LedgerHarness.Alice, Points.FromInt64(100)))).Succeeded.Should().BeTrue();

        var history = (await h.Ledger.GetHistoryAsync(LedgerHarness.Alice, 0, 1000)).Transactions;
        var then = LiabilityAccount.FromHistory(history, past, h.Ledger.ExpiryPolicy, Paris)!;
        var report = LiabilityCalculator.Compute([then], past, Paris, Cent);
        var balance = await h.Ledger.GetBalanceAsOfAsync(LedgerHarness.Alice, past);

        report.Available.Points.Should().Be(balance.Available.Value).And.Be(500);
        report.Pending.Points.Should().Be(balance.Pending.Value).And.Be(300);
        report.ByExpiry[ExpiryBucket.ThisMonth].Points.Should().Be(500, "earned on 15 January, they expire at the end of February");
        report.ByExpiry[ExpiryBucket.WithinThreeMonths].Points.Should().Be(300, "earned on 4 February, they expire at the end of March");

        var now = h.Clock.GetCurrentInstant();
        var snapshot = await h.Store.GetAccountAsync(new LedgerAccountKey(ProgramId.From("club"), LedgerHarness.Alice));
        var current = LiabilityCalculator.Compute([LiabilityAccount.FromSnapshot(snapshot, h.Ledger.ExpiryPolicy, Paris, now)], now, Paris, Cent);
        var balanceNow = await h.Ledger.GetBalanceAsync(LedgerHarness.Alice);
        current.Outstanding.Points.Should().Be(balanceNow.Available.Value + balanceNow.Pending.Value + balanceNow.Held.Value);
    }

    [Fact]
    public async Task The_store_streams_every_account_by_member_id()
    {
        var h = new LedgerHarness();
        foreach (var name in new[] { "m3", "m1", "m5", "m2", "m4" })
        {
            await h.EarnAsync(10, "e-" + name, member: MemberId.From(name));
        }

        var source = (ILedgerSnapshotSource)h.Store;
        var first = await source.ReadAccountSnapshotsAsync(ProgramId.From("club"), null, 2);
        var second = await source.ReadAccountSnapshotsAsync(ProgramId.From("club"), first[^1].Head!.MemberId, 2);
        var third = await source.ReadAccountSnapshotsAsync(ProgramId.From("club"), second[^1].Head!.MemberId, 2);
        first.Concat(second).Concat(third).Select(s => s.Head!.MemberId.Value).Should().Equal("m1", "m2", "m3", "m4", "m5");
        (await source.ReadAccountSnapshotsAsync(ProgramId.From("other"), null, 10)).Should().BeEmpty();
        (await LedgerLiability.ComputeAsync(source, ProgramId.From("club"), h.Ledger.ExpiryPolicy, DateTimeZone.Utc, h.Clock.GetCurrentInstant(), Cent, pageSize: 2)).Outstanding.Points.Should().Be(50);
    }

    [Fact]
    public void A_negative_cost_per_point_is_refused()
    {
        var act = () => PointValuation.PerPoint(Money.FromDecimal(-0.01m, Currency.EUR));
        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("costPerPoint must be 0 or more (was -0.01); a point cannot cost the shop a negative amount. (Parameter 'costPerPoint')*");
    }
}
