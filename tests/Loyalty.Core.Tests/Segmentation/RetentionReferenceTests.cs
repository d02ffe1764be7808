using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;
using static Loyalty.Core.Tests.Segmentation.SegmentationData;

namespace Loyalty.Core.Tests.Segmentation;

/// <summary>
/// The retention report checked against its definitions, computed month by month from each
/// customer's set of purchase months: cohorts by first month, and churn with any horizon N as
/// "bought in the N months before the month, not in the N months ending with it".
/// </summary>
public class RetentionReferenceTests
{
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];

    private static int Index(YearMonth month) => (month.Year * 12) + month.Month - 1;

    private static YearMonth Month(int index) => new(index / 12, (index % 12) + 1);

    /// <summary>The report as its definitions state it.</summary>
    private static (CohortRow[] Cohorts, ChurnPeriod[] Churn) Reference(IEnumerable<Purchase> purchases, RfmpOptions options, int horizon)
    {
        var zone = options.TimeZone;
        var asOfDate = options.AsOf.InZone(zone).Date;
        var asOf = Index(asOfDate.ToYearMonth());
        var months = purchases
            .Where(p => p.PlacedAt <= options.AsOf && (options.WindowStart is null || p.PlacedAt >= options.WindowStart))
            .GroupBy(p => p.Customer)
            .Select(g => g.Select(p => Index(p.PlacedAt.InZone(zone).Date.ToYearMonth())).ToHashSet())
            .ToArray();
        if (months.Length == 0)
        {
            return ([], []);
        }

        var first = months.Min(m => m.Min());
        var cohorts = months.GroupBy(m => m.Min()).OrderBy(g => g.Key).Select(g =>
        {
            var active = Enumerable.Range(g.Key, asOf - g.Key + 1).Select(m => g.Count(c => c.Contains(m))).ToArray();
            return new CohortRow(Month(g.Key), g.Count(), active, active.Select(a => (decimal)a / g.Count()).ToArray());
        }).ToArray();
        var partial = asOfDate.Day < CalendarSystem.Iso.GetDaysInMonth(asOfDate.Year, asOfDate.Month);
        var churn = Enumerable.Range(first + horizon, Math.Max(0, asOf - first - horizon + 1)).Select(m =>
        {
            var before = months.Count(c => c.Any(p => p >= m - horizon && p <= m - 1));
            var retained = months.Count(c => c.Any(p => p >= m - horizon && p <= m - 1) && c.Any(p => p >= m - horizon + 1 && p <= m));
            var lost = before - retained;
            return new ChurnPeriod(Month(m), before, retained, lost, before == 0 ? 0m : (decimal)lost / before, m == asOf && partial);
        }).ToArray();
        return (cohorts, churn);
    }

    /// <summary>Customers buying in bursts with gaps of several months, over two years.</summary>
    private static List<Purchase> Bursts(int seed, int customers)
    {
        var random = new Random(seed);
        var purchases = new List<Purchase>();
        for (var c = 1; c <= customers; c++)
        {
            var at = AsOf - Duration.FromDays(random.Next(0, 730));
            for (var o = 0; at <= AsOf + Duration.FromDays(40); o++)
            {
                purchases.Add(Purchase(c, $"{c}-{o}", at, 5m));
                at += Duration.FromDays(random.Next(0, 4) == 0 ? random.Next(60, 200) : random.Next(1, 45));
            }
        }

        return purchases;
    }

    public static TheoryData<int, bool, bool> Cases() => new()
    {
        { 1, false, false }, { 2, false, false }, { 3, true, false }, { 4, false, true }, { 6, true, true }, { 1, true, true }, { 40, false, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Cohorts_and_churn_match_their_definitions(int horizon, bool inParis, bool windowed)
    {
        var purchases = Bursts(seed: horizon, customers: 120);
        var options = Options() with { TimeZone = inParis ? Paris : DateTimeZone.Utc, Window = windowed ? Period.FromMonths(14) : null };
        var (cohorts, churn) = Reference(purchases, options, horizon);

        var report = new RfmpSegmenter(options).Retention(purchases, horizon);

        report.ChurnHorizonMonths.Should().Be(horizon);
        report.AsOfMonth.Should().Be(new YearMonth(2024, 6));
        report.Cohorts.Should().BeEquivalentTo(cohorts, o => o.WithStrictOrdering());
        report.Churn.Should().Equal(churn);
        report.Churn.Should().HaveCount(churn.Length);
    }

    [Fact]
    public void The_as_of_month_is_partial_until_its_last_day()
    {
        var purchases = Bursts(seed: 5, customers: 40);
        var endOfMonth = RfmpOptions.AsOfEndOf(new LocalDate(2024, 5, 31), Paris, Currency.EUR);
        var dayBefore = RfmpOptions.AsOfEndOf(new LocalDate(2024, 5, 30), Paris, Currency.EUR);

        var full = new RfmpSegmenter(endOfMonth).Retention(purchases, 2);
        var partial = new RfmpSegmenter(dayBefore).Retention(purchases, 2);

        full.Churn.Should().Equal(Reference(purchases, endOfMonth, 2).Churn);
        partial.Churn.Should().Equal(Reference(purchases, dayBefore, 2).Churn);
        full.Churn.Should().ContainSingle(c => c.Month == new YearMonth(2024, 5)).Which.IsPartial.Should().BeFalse();
        partial.Churn[^1].IsPartial.Should().BeTrue();
        partial.Churn.SkipLast(1).Should().OnlyContain(c => !c.IsPartial);
    }

    [Fact]
    public void A_customer_coming_back_in_the_churn_month_is_retained()
    {
        // Horizon 2: customer 1 buys in January and again in March (retained in March); customer 2
        // buys in January only (churned in March); customer 3 in January and April (churned in March, back in April).
        static Instant Day(int month) => Instant.FromUtc(2024, month, 10, 10, 0);
        Purchase[] purchases =
        [
            Purchase(1, "1a", Day(1), 1m), Purchase(1, "1b", Day(3), 1m),
            Purchase(2, "2a", Day(1), 1m),
            Purchase(3, "3a", Day(1), 1m), Purchase(3, "3b", Day(4), 1m),
        ];
        var options = Options() with { AsOf = Instant.FromUtc(2024, 4, 30, 23, 0) };

        var report = new RfmpSegmenter(options).Retention(purchases, 2);

        report.Churn.Should().Equal(
            new ChurnPeriod(new YearMonth(2024, 3), ActiveBefore: 3, Retained: 1, Churned: 2, Rate: 2m / 3m, IsPartial: false),
            new ChurnPeriod(new YearMonth(2024, 4), ActiveBefore: 1, Retained: 1, Churned: 0, Rate: 0m, IsPartial: false));
        report.Cohorts.Single().Active.Should().Equal(3, 0, 1, 1);
        report.Cohorts.Single().Retention.Should().Equal(1m, 0m, 1m / 3m, 1m / 3m);
    }
}
