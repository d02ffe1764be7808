using Loyalty.Core.Segmentation;
using NodaTime;
using static Loyalty.Core.Tests.Segmentation.SegmentationData;

namespace Loyalty.Core.Tests.Segmentation;

public class RetentionTests
{
    private static Instant Day(int month, int day) => Instant.FromUtc(2024, month, day, 10, 0);

    [Fact]
    public void Cohorts_show_the_share_of_each_first_purchase_month_still_buying()
    {
        var purchases = new[]
        {
            // January cohort: 4 customers.
            Purchase(1, "1a", Day(1, 5), 10m), Purchase(1, "1b", Day(2, 5), 10m), Purchase(1, "1c", Day(3, 5), 10m),
            Purchase(2, "2a", Day(1, 9), 10m), Purchase(2, "2b", Day(3, 9), 10m),
            Purchase(3, "3a", Day(1, 20), 10m), Purchase(3, "3b", Day(1, 25), 10m),
            Purchase(4, "4a", Day(1, 31), 10m), Purchase(4, "4b", Day(2, 1), 10m),
            // February cohort: 2 customers.
            Purchase(5, "5a", Day(2, 14), 10m), Purchase(5, "5b", Day(3, 14), 10m),
            Purchase(6, "6a", Day(2, 20), 10m),
        };
        var options = Options() with { AsOf = Instant.FromUtc(2024, 3, 31, 23, 0) };

        var report = new RfmpSegmenter(options).Retention(purchases);

        report.AsOfMonth.Should().Be(new YearMonth(2024, 3));
        report.Churn[^1].IsPartial.Should().BeFalse("the as-of date is the last day of March");
        report.Cohorts.Should().HaveCount(2);
        var january = report.Cohorts[0];
        january.Cohort.Should().Be(new YearMonth(2024, 1));
        january.Customers.Should().Be(4);
        january.Active.Should().Equal(4, 2, 2);
        january.Retention.Should().Equal(1m, 0.5m, 0.5m);
        var february = report.Cohorts[1];
        february.Active.Should().Equal(2, 1);
        february.Retention.Should().Equal(1m, 0.5m);
    }

    [Fact]
    public void Monthly_churn_is_the_share_of_last_months_buyers_who_did_not_buy_this_month()
    {
        var purchases = new[]
        {
            Purchase(1, "1a", Day(1, 5), 10m), Purchase(1, "1b", Day(2, 5), 10m), Purchase(1, "1c", Day(3, 5), 10m),
            Purchase(2, "2a", Day(1, 9), 10m), Purchase(2, "2b", Day(3, 9), 10m),
            Purchase(3, "3a", Day(1, 20), 10m),
            Purchase(4, "4a", Day(1, 31), 10m), Purchase(4, "4b", Day(2, 1), 10m),
            Purchase(5, "5a", Day(2, 14), 10m), Purchase(5, "5b", Day(3, 14), 10m),
        };
        var options = Options() with { AsOf = Instant.FromUtc(2024, 3, 20, 0, 0) };

        var churn = new RfmpSegmenter(options).Retention(purchases).Churn;

        churn.Should().Equal(
            new ChurnPeriod(new YearMonth(2024, 2), ActiveBefore: 4, Retained: 2, Churned: 2, Rate: 0.5m, IsPartial: false),
            new ChurnPeriod(new YearMonth(2024, 3), ActiveBefore: 3, Retained: 2, Churned: 1, Rate: 1m / 3m, IsPartial: true));
    }

    [Fact]
    public void Months_are_calendar_months_of_the_programme_zone()
    {
        // 23:30 UTC on 31 January is already 1 February in Paris.
        var purchases = new[] { Purchase(1, "a", Instant.FromUtc(2024, 1, 31, 23, 30), 1m) };
        var options = Options() with { AsOf = Instant.FromUtc(2024, 2, 10, 0, 0), TimeZone = DateTimeZoneProviders.Tzdb["Europe/Paris"] };

        var report = new RfmpSegmenter(options).Retention(purchases);

        report.Cohorts.Single().Cohort.Should().Be(new YearMonth(2024, 2));
        report.Churn.Should().BeEmpty();
    }

    [Fact]
    public void No_purchases_give_an_empty_table()
    {
        var report = new RfmpSegmenter(Options()).Retention([]);

        report.Cohorts.Should().BeEmpty();
        report.Churn.Should().BeEmpty();
    }

    [Fact]
    public void Churn_with_a_horizon_counts_customers_who_completed_N_months_without_a_purchase()
    {
        var purchases = new[]
        {
            Purchase(1, "1a", Day(1, 5), 10m), Purchase(1, "1b", Day(2, 5), 10m), Purchase(1, "1c", Day(6, 5), 10m),
            Purchase(2, "2a", Day(1, 9), 10m),
            Purchase(3, "3a", Day(1, 20), 10m), Purchase(3, "3b", Day(4, 2), 10m),
            Purchase(4, "4a", Day(3, 15), 10m),
        };
        var segmenter = new RfmpSegmenter(Options());

        var report = segmenter.Retention(purchases, churnHorizonMonths: 2);

        report.ChurnHorizonMonths.Should().Be(2);
        report.Churn.Should().Equal(
            new ChurnPeriod(new YearMonth(2024, 3), ActiveBefore: 3, Retained: 1, Churned: 2, Rate: 2m / 3m, IsPartial: false),
            new ChurnPeriod(new YearMonth(2024, 4), ActiveBefore: 2, Retained: 1, Churned: 1, Rate: 0.5m, IsPartial: false),
            new ChurnPeriod(new YearMonth(2024, 5), ActiveBefore: 2, Retained: 1, Churned: 1, Rate: 0.5m, IsPartial: false),
            new ChurnPeriod(new YearMonth(2024, 6), ActiveBefore: 1, Retained: 0, Churned: 1, Rate: 1m, IsPartial: false));
        report.Cohorts.Should().BeEquivalentTo(segmenter.Retention(purchases).Cohorts);
        segmenter.Retention(purchases, 6).Churn.Should().BeEmpty("six months of data leave no month with a six-month horizon behind it");
    }

    [Fact]
    public void A_horizon_of_one_month_is_month_to_month_churn()
    {
        var purchases = RandomPurchases(seed: 15, customers: 60, maxOrders: 6);
        var segmenter = new RfmpSegmenter(Options());

        var monthly = segmenter.Retention(purchases);

        segmenter.Retention(purchases, 1).Churn.Should().Equal(monthly.Churn);
        monthly.ChurnHorizonMonths.Should().Be(1);
    }

    [Fact]
    public void Churn_horizon_below_one_month_is_refused()
    {
        var act = () => new RfmpSegmenter(Options()).Retention([], 0);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("churnHorizonMonths must be 1 or more (was 0); use 1 for month-to-month churn or for instance 3 for \"no purchase in 3 months\".*");
    }
}
