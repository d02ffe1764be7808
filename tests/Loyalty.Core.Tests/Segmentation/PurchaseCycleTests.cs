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

    [Fact]
    public void A_maximum_lateness_splits_the_overdue_between_relaunch_and_win_back()
    {
        var purchases = new[]
        {
            Purchase(1, "1a", Day(1, 1), 1m), Purchase(1, "1b", Day(1, 8), 1m), Purchase(1, "1c", Day(1, 15), 1m),  // every 7 days: due 22 Jan
            Purchase(2, "2a", Day(4, 1), 1m), Purchase(2, "2b", Day(5, 1), 1m), Purchase(2, "2c", Day(5, 31), 1m),  // due 30 Jun: not late
            Purchase(3, "3a", Day(3, 1), 1m), Purchase(3, "3b", Day(4, 1), 1m), Purchase(3, "3c", Day(5, 1), 1m),   // 31 and 30 days: due 1 Jun
            Purchase(4, "4a", Day(2, 1), 1m), Purchase(4, "4b", Day(3, 1), 1m), Purchase(4, "4c", Day(4, 1), 1m),   // 29 and 31 days: due 1 May
        };
        var report = new RfmpSegmenter(Options()).PurchaseCycles(purchases);
        var date = report.AsOfDate;
        static IEnumerable<string> Ids(IReadOnlyList<PurchaseCycle> cycles) => cycles.Select(c => c.Customer.Value);

        Ids(report.OverdueOn(date)).Should().Equal("1", "4", "3");
        report.Cycles.Select(c => c.CyclesOverdue(date)).Should().Equal(160m / 7m, 0m, 29m / 30.5m, 2m);
        Ids(report.OverdueOn(date, Lateness.Days(30))).Should().Equal("3");
        Ids(report.LapsedOn(date, Lateness.Days(30))).Should().Equal("1", "4");
        Ids(report.OverdueOn(date, Lateness.Days(60))).Should().Equal("4", "3");
        Ids(report.LapsedOn(date, Lateness.Days(60))).Should().Equal("1");
        Ids(report.OverdueOn(date, Lateness.Cycles(2m))).Should().Equal("4", "3");
        Ids(report.LapsedOn(date, Lateness.Cycles(2m))).Should().Equal("1");
        Ids(report.OverdueOn(date, Lateness.Cycles(1.5m))).Should().Equal("3");
        Ids(report.LapsedOn(date, Lateness.Cycles(1.5m))).Should().Equal("1", "4");
    }

    [Fact]
    public void A_maximum_lateness_must_be_positive_and_given()
    {
        var days = () => Lateness.Days(0);
        days.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("The maximum lateness must be 1 day or more (was 0); every overdue customer is at least 1 day late.*");
        var cycles = () => Lateness.Cycles(-0.5m);
        cycles.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("The maximum lateness must be more than 0 cycles (was -0.5); use for instance 2 for two purchase cycles.*");
        var report = new RfmpSegmenter(Options()).PurchaseCycles([]);
        var missing = () => report.OverdueOn(report.AsOfDate, null!);
        missing.Should().Throw<ArgumentNullException>().WithParameterName("maximum");
        Lateness.Cycles(2m).ToString().Should().Be("at most 2 cycles late");
        Lateness.Days(30).Should().Be(Lateness.Days(30));
    }

    [Fact]
    public void A_lateness_allows_a_customer_exactly_at_the_maximum_and_not_a_day_more()
    {
        // Due on 1 May, a purchase every 10 days: on 11 May the customer is 10 days (one cycle) late.
        var cycle = new PurchaseCycle(MemberId.From(1), 3, 3, new LocalDate(2024, 4, 11), new LocalDate(2024, 4, 21), 10m, new LocalDate(2024, 5, 1));

        Lateness.Days(10).Allows(cycle, new LocalDate(2024, 5, 11)).Should().BeTrue();
        Lateness.Days(10).Allows(cycle, new LocalDate(2024, 5, 12)).Should().BeFalse();
        Lateness.Cycles(1m).Allows(cycle, new LocalDate(2024, 5, 11)).Should().BeTrue();
        Lateness.Cycles(1m).Allows(cycle, new LocalDate(2024, 5, 12)).Should().BeFalse();
        Lateness.Days(1).Allows(cycle, new LocalDate(2024, 5, 2)).Should().BeTrue();
        cycle.CyclesOverdue(new LocalDate(2024, 5, 16)).Should().Be(1.5m);
        cycle.DaysOverdue(new LocalDate(2024, 4, 30)).Should().Be(0);
        FluentActions.Invoking(() => Lateness.Days(1).Allows(null!, new LocalDate(2024, 5, 2))).Should().Throw<ArgumentNullException>().WithParameterName("cycle");
    }

    [Fact]
    public void The_smallest_latenesses_are_accepted_and_zero_cycles_is_refused()
    {
        Lateness.Days(1).Should().Be(Lateness.Days(1));
        Lateness.Days(1).Unit.Should().Be(LatenessUnit.Days);
        Lateness.Days(1).Value.Should().Be(1m);
        Lateness.Days(7).ToString().Should().Be("at most 7 days late");
        Lateness.Cycles(0.1m).Unit.Should().Be(LatenessUnit.Cycles);
        Lateness.Cycles(0.1m).Value.Should().Be(0.1m);
        Lateness.Days(1).Should().NotBe(Lateness.Cycles(1m));
        FluentActions.Invoking(() => Lateness.Cycles(0m)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("cycles");
        FluentActions.Invoking(() => Lateness.Days(-1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("days");
    }

    [Fact]
    public void A_customer_due_on_the_day_is_not_overdue_yet_and_is_the_next_day()
    {
        // Every 7 days: 1, 8, 15 January, due 22 January.
        var purchases = new[] { Purchase(1, "a", Day(1, 1), 1m), Purchase(1, "b", Day(1, 8), 1m), Purchase(1, "c", Day(1, 15), 1m) };
        var report = new RfmpSegmenter(Options()).PurchaseCycles(purchases);

        report.Cycles.Single().ExpectedNextPurchase.Should().Be(new LocalDate(2024, 1, 22));
        report.OverdueOn(new LocalDate(2024, 1, 22)).Should().BeEmpty();
        report.OverdueOn(new LocalDate(2024, 1, 23)).Should().ContainSingle();
        report.LapsedOn(new LocalDate(2024, 1, 23), Lateness.Days(1)).Should().BeEmpty();
        report.LapsedOn(new LocalDate(2024, 1, 24), Lateness.Days(1)).Should().ContainSingle();
        FluentActions.Invoking(() => report.LapsedOn(new LocalDate(2024, 1, 24), null!)).Should().Throw<ArgumentNullException>().WithParameterName("maximum");
    }
}
