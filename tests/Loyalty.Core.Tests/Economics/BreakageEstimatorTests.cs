using Loyalty.Core.Economics;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Tests.Ledger;
using NodaTime;

namespace Loyalty.Core.Tests.Economics;

public class BreakageEstimatorTests
{
    private static readonly MemberId Jan = MemberId.From("jan"), Feb = MemberId.From("feb"), Feb2 = MemberId.From("feb2"), Mar = MemberId.From("mar");

    private static Instant Day(int month, int day) => Instant.FromUtc(2026, month, day, 12, 0);

    /// <summary>
    /// January: 100 issued, 30 / 20 / 10 redeemed at ages 0 / 1 / 2, 40 expired in March.
    /// February: 250 issued, 50 refunded, 60 / 40 redeemed at ages 0 / 1, 100 outstanding.
    /// March: 100 issued, 30 redeemed at age 0, 70 outstanding.
    /// </summary>
    private static async Task<(LedgerHarness H, List<IReadOnlyList<LedgerTransactionRecord>> Histories)> HandMadeLedgerAsync()
    {
        var h = new LedgerHarness(start: Day(1, 10));
        async Task At(int month, int day, Func<Task<LedgerResult>> write)
        {
            h.Clock.Reset(Day(month, day));
            (await write()).Succeeded.Should().BeTrue();
        }

        Task<LedgerResult> Redeem(MemberId m, long points) => h.Ledger.RedeemAsync(new RedeemPoints(h.NewId(), m, Points.FromInt64(points)));
        Task<LedgerResult> Earn(MemberId m, long points, string id, Instant? expires = null) => h.Ledger.EarnAsync(new EarnPoints(TransactionId.From(id), m, Points.FromInt64(points)) { ExpiresAt = expires });

        await At(1, 10, () => Earn(Jan, 100, "jan-1", Day(3, 20)));
        await At(1, 20, () => Redeem(Jan, 30));
        await At(2, 5, () => Earn(Feb, 200, "feb-1"));
        await At(2, 10, () => Redeem(Jan, 20));
        await At(2, 15, () => Redeem(Feb, 60));
        await At(2, 20, () => Earn(Feb2, 50, "feb2-1"));
        await At(2, 25, () => h.Ledger.ReverseAsync(new ReversePoints(TransactionId.From("refund-1"), Feb2, TransactionId.From("feb2-1"), Points.FromInt64(50))));
        await At(3, 3, () => Earn(Mar, 100, "mar-1"));
        await At(3, 5, () => Redeem(Jan, 10));
        await At(3, 10, () => Redeem(Feb, 40));
        await At(3, 12, () => Redeem(Mar, 30));
        h.Clock.Reset(Day(3, 25));
        (await h.Ledger.ExpireDueAsync(Day(3, 25))).PointsExpired.Should().Be(Points.FromInt64(40));

        var histories = new List<IReadOnlyList<LedgerTransactionRecord>>();
        foreach (var m in new[] { Jan, Feb, Feb2, Mar })
        {
            histories.Add((await h.Ledger.GetHistoryAsync(m, 0, 1000)).Transactions);
        }

        return (h, histories);
    }

    [Fact]
    public async Task Cohorts_of_a_hand_made_ledger_have_their_known_outcomes()
    {
        var (h, histories) = await HandMadeLedgerAsync();
        var report = BreakageEstimator.Estimate(histories, Instant.FromUtc(2026, 4, 1, 0, 0), h.Ledger.ExpiryPolicy, DateTimeZone.Utc);

        report.Cohorts.Select(c => (c.Month, c.Issued, c.Redeemed, c.Expired, c.Reversed, c.Outstanding, c.AgeMonths)).Should().Equal(
            (new YearMonth(2026, 1), 100L, 60L, 40L, 0L, 0L, 2),
            (new YearMonth(2026, 2), 250L, 100L, 0L, 50L, 100L, 1),
            (new YearMonth(2026, 3), 100L, 30L, 0L, 0L, 70L, 0));
        report.Cohorts[0].RedeemedByAge.Should().Equal(30, 20, 10);
        report.Cohorts[1].RedeemedByAge.Should().Equal(60, 40);
        report.Cohorts[1].NetIssued.Should().Be(200);
        foreach (var c in report.Cohorts)
        {
            c.Issued.Should().Be(c.Redeemed + c.Expired + c.Reversed + c.Debited + c.Outstanding);
        }
    }

    [Fact]
    public async Task The_run_off_projects_young_cohorts_from_mature_ones_with_a_jackknife_error()
    {
        var (h, histories) = await HandMadeLedgerAsync();
        var report = BreakageEstimator.Estimate(histories, Instant.FromUtc(2026, 4, 1, 0, 0), h.Ledger.ExpiryPolicy, DateTimeZone.Utc);

        // Incremental redemption per age: (30+60+30)/400, (20+40)/300, 10/100.
        report.RunOff.Should().Equal(0.3, 0.2, 0.1);
        report.Cohorts.Select(c => c.UltimateRedeemed).Should().Equal(60, 120, 60);
        report.UltimateRedemptionRate.Should().BeApproximately(0.6, 1e-12);
        report.BreakageRate.Should().BeApproximately(0.4, 1e-12);

        // Leave-one-cohort-out estimates 0.5, 0.6, 0.6: SE = sqrt(2/3 · Σ(x − mean)²) = 1/15.
        report.StandardError!.Value.Should().BeApproximately(1d / 15, 1e-12);
        report.Lower95!.Value.Should().BeApproximately(0.6 - (1.96 / 15), 1e-12);
        report.Upper95!.Value.Should().BeApproximately(0.6 + (1.96 / 15), 1e-12);
    }

    [Fact]
    public async Task Transactions_after_the_instant_are_ignored_and_unswept_expiry_counts_as_expired()
    {
        var (h, histories) = await HandMadeLedgerAsync();
        var report = BreakageEstimator.Estimate(histories, Day(3, 24), h.Ledger.ExpiryPolicy, DateTimeZone.Utc);

        // On 24 March the January lot has expired (20 March) but the sweep of the 25th is not yet written.
        report.Cohorts[0].Expired.Should().Be(40);
        report.Cohorts[0].Outstanding.Should().Be(0);
        report.StandardError.Should().NotBeNull();
        BreakageEstimator.Estimate(histories.Take(1).ToList(), Day(3, 24), h.Ledger.ExpiryPolicy, DateTimeZone.Utc).StandardError.Should().BeNull("one cohort gives no spread");
    }
}
