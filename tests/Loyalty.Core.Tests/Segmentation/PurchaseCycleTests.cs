using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;
using static Loyalty.Core.Tests.Segmentation.SegmentationData;

namespace Loyalty.Core.Tests.Segmentation;

public class PurchaseCycleTests
{
    private static Instant Day(int month, int day) => Instant.FromUtc(2024, month, day, 10, 0);

    [Fact]
    public void A_customer_buying_every_month_is_expected_again_a_month_after_the_last_order()
    {
        var purchases = new[]
        {
            Purchase(1, "a", Day(1, 1), 20m), Purchase(1, "b", Day(1, 31), 20m), Purchase(1, "c", Day(3, 1), 20m),
            Purchase(1, "d", Day(4, 1), 20m), Purchase(1, "d", Day(4, 1) + Duration.FromHours(2), 5m),
        };

        var report = new RfmpSegmenter(Options()).PurchaseCycles(purchases);

        // Intervals 30, 30, 31 days: median 30.
        var cycle = report.Cycles.Single();
        cycle.Should().Be(new PurchaseCycle(MemberId.From(1), 4, 4, new LocalDate(2024, 1, 1), new LocalDate(2024, 4, 1), 30m, new LocalDate(2024, 5, 1)));
        cycle.DaysOverdue(new LocalDate(2024, 5, 1)).Should().Be(0);
        cycle.DaysOverdue(new LocalDate(2024, 5, 11)).Should().Be(10);
        report.AsOfDate.Should().Be(new LocalDate(2024, 6, 30));
    }

    [Fact]
    public void An_even_number_of_intervals_takes_the_mean_of_the_middle_two_and_rounds_halves_up()
    {
        // Intervals 10, 15, 20, 30 (unordered in time): median (15 + 20) / 2 = 17.5, next order 18 days after the last.
        var purchases = new[]
        {
            Purchase(2, "e", Day(3, 16), 1m), Purchase(2, "a", Day(1, 1), 1m), Purchase(2, "b", Day(1, 11), 1m),
            Purchase(2, "c", Day(1, 26), 1m), Purchase(2, "d", Day(2, 15), 1m),
        };

        var cycle = new RfmpSegmenter(Options()).PurchaseCycles(purchases).Cycles.Single();

        cycle.MedianIntervalDays.Should().Be(17.5m);
        cycle.ExpectedNextPurchase.Should().Be(new LocalDate(2024, 4, 3));
    }

    [Fact]
    public void Customers_with_fewer_than_three_purchase_days_have_no_cycle_and_are_counted()
    {
        var purchases = new[]
        {
            Purchase(1, "a", Day(1, 1), 1m), Purchase(1, "a", Day(1, 2), 1m), Purchase(1, "b", Day(2, 1), 1m),
            Purchase(2, "c", Day(1, 1), 1m),
            Purchase(3, "d", Day(1, 1), 1m), Purchase(3, "e", Day(1, 1) + Duration.FromHours(5), 1m), Purchase(3, "f", Day(2, 1), 1m),
        };

        var report = new RfmpSegmenter(Options()).PurchaseCycles(purchases);

        report.Cycles.Should().BeEmpty();
        report.CustomersWithTooFewPurchaseDays.Should().Be(3);
    }

    [Fact]
    public void Several_orders_on_one_day_are_one_purchase_day()
    {
        var purchases = new[]
        {
            Purchase(1, "a", Day(1, 1), 1m), Purchase(1, "b", Day(1, 1) + Duration.FromHours(3), 1m),
            Purchase(1, "c", Day(1, 11), 1m), Purchase(1, "d", Day(1, 31), 1m), Purchase(1, "e", Day(1, 31), 1m),
        };

        var cycle = new RfmpSegmenter(Options()).PurchaseCycles(purchases).Cycles.Single();

        // Purchase days 1, 11 and 31 January: intervals 10 and 20, median 15.
        cycle.Orders.Should().Be(5);
        cycle.PurchaseDays.Should().Be(3);
        cycle.MedianIntervalDays.Should().Be(15m);
        cycle.ExpectedNextPurchase.Should().Be(new LocalDate(2024, 2, 15));
    }

    [Fact]
    public void The_overdue_list_puts_the_most_overdue_first()
    {
        var purchases = new List<Purchase>();
        void Orders(long customer, params Instant[] days) => purchases.AddRange(days.Select((d, i) => Purchase(customer, $"{customer}-{i}", d, 10m)));
        Orders(1, Day(1, 1), Day(1, 8), Day(1, 15));     // weekly, expected 2024-01-22: very overdue
        Orders(2, Day(5, 1), Day(5, 31), Day(6, 30));    // monthly, expected 2024-07-30: not yet
        Orders(3, Day(3, 1), Day(4, 1), Day(5, 1));      // intervals 31 and 30: median 30.5 → 31 days, expected 2024-06-01
        Orders(4, Day(1, 1), Day(1, 8), Day(1, 15));     // same rhythm as 1: tie broken by customer id

        var report = new RfmpSegmenter(Options()).PurchaseCycles(purchases);
        var overdue = report.OverdueOn(report.AsOfDate);

        overdue.Select(c => c.Customer).Should().Equal(MemberId.From(1), MemberId.From(4), MemberId.From(3));
        overdue[0].DaysOverdue(report.AsOfDate).Should().Be(160);
        overdue[2].ExpectedNextPurchase.Should().Be(new LocalDate(2024, 6, 1));
        report.OverdueOn(new LocalDate(2024, 1, 1)).Should().BeEmpty();
    }

    [Fact]
    public void Purchases_after_the_as_of_instant_do_not_count()
    {
        var purchases = new[]
        {
            Purchase(1, "a", Day(4, 1), 1m), Purchase(1, "b", Day(5, 1), 1m), Purchase(1, "c", Day(6, 1), 1m),
            Purchase(1, "d", Day(7, 1), 1m),
        };

        var cycle = new RfmpSegmenter(Options()).PurchaseCycles(purchases).Cycles.Single();

        cycle.Orders.Should().Be(3);
        cycle.LastPurchase.Should().Be(new LocalDate(2024, 6, 1));
    }

    [Fact]
    public void Bad_purchases_are_refused_as_for_segmentation()
    {
        var act = () => new RfmpSegmenter(Options()).PurchaseCycles([Purchase(1, "a", Day(1, 1), -1m)]);

        act.Should().Throw<ArgumentException>().WithMessage(
            "Purchase #1 (customer 1, order a) has a negative net amount (-1.00 EUR); net refunds against the orders they reverse before segmenting. (Parameter 'purchases')");
    }
}
