using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;
using static Loyalty.Core.Tests.Segmentation.SegmentationData;

namespace Loyalty.Core.Tests.Segmentation;

public class RfmpSegmenterTests
{
    [Fact]
    public void Twenty_customers_worked_example_gives_the_hand_computed_cut_points_scores_and_segments()
    {
        var result = new RfmpSegmenter(Options()).Segment(TwentyCustomers());

        result.Summary(RfmpDimension.Recency).CutPoints.Should().Equal(5m, 45m, 150m, 250m);
        result.Summary(RfmpDimension.Frequency).CutPoints.Should().Equal(1m, 1m, 2m, 5m);
        result.Summary(RfmpDimension.Monetary).CutPoints.Should().Equal(40m, 80m, 120m, 160m);
        result.Summary(RfmpDimension.Product).CutPoints.Should().Equal(1m, 1m, 2m, 2m);

        result.Summary(RfmpDimension.Recency).CustomersPerScore.Should().Equal(4, 4, 4, 4, 4);
        result.Summary(RfmpDimension.Frequency).CustomersPerScore.Should().Equal(8, 0, 4, 4, 4);
        result.Summary(RfmpDimension.Frequency).EmptyScores.Should().Equal(2);
        result.Summary(RfmpDimension.Frequency).HasEmptyScores.Should().BeTrue();
        result.Summary(RfmpDimension.Monetary).HasEmptyScores.Should().BeFalse();
        result.Summary(RfmpDimension.Product).CustomersPerScore.Should().Equal(11, 0, 5, 0, 4);
        result.Summary(RfmpDimension.Product).EmptyScores.Should().Equal(2, 4);

        string[] codes =
        [
            "1-1-1-1", "2-1-1-1", "2-1-1-1", "2-1-1-1", "5-1-2-1", "4-1-2-1", "3-1-2-1", "3-1-2-1", "5-3-3-1", "3-3-3-1",
            "4-3-3-3", "1-3-3-3", "5-4-4-3", "4-4-4-3", "3-4-4-3", "1-4-4-5", "5-5-5-5", "4-5-5-5", "2-5-5-5", "1-5-5-1",
        ];
        string[] segments =
        [
            "Lost", "Hibernating", "Hibernating", "Hibernating", "New", "Promising", "About to Sleep", "About to Sleep",
            "Potential Loyalists", "Need Attention", "Potential Loyalists", "At Risk", "Champions", "Loyal", "Loyal", "At Risk",
            "Champions", "Loyal", "Can't Lose Them", "Can't Lose Them",
        ];
        result.Customers.Select(c => c.Code).Should().Equal(codes);
        result.Customers.Select(c => c.Segment).Should().Equal(segments);
        result.Customers[0].Badges.Should().Be(CustomerBadges.LowValue | CustomerBadges.NarrowBuyer);
        result.Customers[18].Badges.Should().Be(CustomerBadges.HighValue | CustomerBadges.BroadBuyer);
        result.Customers[9].Badges.Should().Be(CustomerBadges.NarrowBuyer);
        result.Customers[12].RecencyDays.Should().Be(0);
        result.Customers[12].Orders.Should().Be(3);
        result.Customers[12].NetAmount.Should().Be(130m);
    }

    [Fact]
    public void Segment_report_gives_customers_shares_revenue_and_average_order_value()
    {
        var report = new RfmpSegmenter(Options()).Segment(TwentyCustomers()).Report;

        report.Select(r => r.Segment).Should().Equal(SegmentMap.Default.Segments);
        var champions = report.Single(r => r.Segment == RfmpSegments.Champions);
        champions.Customers.Should().Be(2);
        champions.CustomerShare.Should().Be(0.1m);
        champions.Revenue.Should().Be(Money.FromDecimal(300m, Currency.EUR));
        champions.RevenueShare.Should().Be(300m / 2100m);
        champions.Orders.Should().Be(9);
        champions.AverageOrderValue.Should().Be(Money.FromDecimal(300m / 9m, Currency.EUR));
        report.Sum(r => r.Customers).Should().Be(20);
        report.Sum(r => r.RevenueShare).Should().BeApproximately(1m, 0.000000001m);
        report.Single(r => r.Segment == RfmpSegments.Hibernating).Customers.Should().Be(3);
    }

    [Fact]
    public void Shuffled_purchases_give_an_identical_result()
    {
        var purchases = RandomPurchases(seed: 7, customers: 300, maxOrders: 6);
        var segmenter = new RfmpSegmenter(Options());
        var first = segmenter.Segment(purchases);

        var shuffled = purchases.ToArray();
        new Random(99).Shuffle(shuffled);
        var second = segmenter.Segment(shuffled);

        second.Customers.Should().Equal(first.Customers);
        foreach (var dimension in Enum.GetValues<RfmpDimension>())
        {
            second.Summary(dimension).CutPoints.Should().Equal(first.Summary(dimension).CutPoints);
            second.Summary(dimension).CustomersPerScore.Should().Equal(first.Summary(dimension).CustomersPerScore);
        }

        second.Report.Should().Equal(first.Report);
        first.Customers.Select(c => c.Customer).Should().BeInAscendingOrder();
    }

    [Fact]
    public void A_large_in_memory_batch_gives_the_same_result_as_a_stream()
    {
        // Arrays and lists of 32,768 purchases or more are aggregated partition by partition.
        var purchases = RandomPurchases(seed: 11, customers: 12_000, maxOrders: 5);
        purchases.Add(Purchase(1, "late", AsOf + Duration.FromDays(1), 5m));
        purchases.Count.Should().BeGreaterThan(32_768);
        var options = Options() with { Window = Period.FromMonths(12) };
        var segmenter = new RfmpSegmenter(options);

        var batch = segmenter.Segment(purchases);
        var stream = segmenter.Segment(purchases.Select(p => p));

        batch.Customers.Should().Equal(stream.Customers);
        batch.Report.Should().Equal(stream.Report);
        batch.Exclusions.Should().Be(stream.Exclusions);
        batch.Exclusions.AfterAsOf.Should().Be(1);
        batch.Exclusions.BeforeWindow.Should().BeGreaterThan(0);
        segmenter.PurchaseCycles(purchases).Cycles.Should().Equal(segmenter.PurchaseCycles(purchases.Select(p => p)).Cycles);
    }

    [Fact]
    public void In_a_large_batch_the_first_bad_purchase_in_input_order_is_reported()
    {
        var purchases = RandomPurchases(seed: 12, customers: 12_000, maxOrders: 5);
        purchases[100] = purchases[100] with { Categories = ["books", ""] };
        purchases[200] = purchases[200] with { NetAmount = Money.FromDecimal(-1m, Currency.EUR) };
        var bad = purchases[100];

        var act = () => new RfmpSegmenter(Options()).Segment(purchases);

        act.Should().Throw<ArgumentException>().WithMessage(
            $"Purchase #101 (customer {bad.Customer}, order {bad.Order}) lists a null or blank product category; leave unknown categories out of the list. (Parameter 'purchases')");
    }

    [Fact]
    public void Streamed_customers_come_out_in_ordinal_order_of_their_ids()
    {
        string[] ids = ["b", "a10", "a9", "A", "a", "customer-000000012", "customer-000000002", "customer-0000000100", "é", "Z", "a1"];
        var purchases = ids.Select((id, i) => new Purchase(MemberId.From(id), OrderId.From(i), AsOf, Money.FromDecimal(1m, Currency.EUR))).ToArray();

        var result = new RfmpSegmenter(Options()).Segment(purchases);

        result.Customers.Select(c => c.Customer.Value).Should().Equal(ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Shuffled_pre_aggregated_customers_get_the_same_scores()
    {
        var customers = TwentyCustomers();
        var segmenter = new RfmpSegmenter(Options());
        var expected = segmenter.Segment(customers).Customers.ToDictionary(c => c.Customer);

        var shuffled = customers.ToArray();
        new Random(3).Shuffle(shuffled);
        var actual = segmenter.Segment(shuffled);

        actual.Customers.Should().HaveCount(20).And.OnlyContain(c => expected[c.Customer] == c);
    }

    [Fact]
    public void Half_the_customers_buying_once_all_share_the_lowest_frequency_score()
    {
        var customers = Enumerable.Range(1, 100)
            .Select(i => Customer(i, daysAgo: i, orders: i <= 50 ? 1 : 2 + (i % 7), amount: i, categories: 1))
            .ToArray();
        var shuffled = customers.Reverse().ToArray();

        var result = new RfmpSegmenter(Options()).Segment(shuffled);

        result.Customers.Where(c => c.Orders == 1).Should().HaveCount(50).And.OnlyContain(c => c.FrequencyScore == 1);
        result.Customers.Where(c => c.Orders > 1).Should().OnlyContain(c => c.FrequencyScore > 1);
        result.Summary(RfmpDimension.Frequency).CutPoints.Take(2).Should().Equal(1m, 1m);
        result.Summary(RfmpDimension.Frequency).EmptyScores.Should().Contain(2);
    }

    [Fact]
    public void Fewer_customers_than_scores_repeat_cut_points_and_leave_scores_empty()
    {
        var customers = new[] { Customer(1, 3, 1, 10m, 1), Customer(2, 2, 2, 20m, 2), Customer(3, 1, 3, 30m, 3) };

        var result = new RfmpSegmenter(Options()).Segment(customers);

        // n = 3, k = 5: ranks ⌈3j/5⌉ = 1, 2, 2, 3.
        result.Summary(RfmpDimension.Frequency).CutPoints.Should().Equal(1m, 2m, 2m, 3m);
        result.Customers.Select(c => c.FrequencyScore).Should().Equal(1, 2, 4);
        result.Summary(RfmpDimension.Frequency).EmptyScores.Should().Equal(3, 5);
        result.Summary(RfmpDimension.Recency).CutPoints.Should().Equal(1m, 2m, 2m, 3m);
        result.Customers.Select(c => c.RecencyScore).Should().Equal(2, 4, 5);
    }

    [Fact]
    public void All_equal_values_give_everyone_the_same_score()
    {
        var customers = Enumerable.Range(1, 10).Select(i => Customer(i, 7, 2, 50m, 1)).ToArray();

        var result = new RfmpSegmenter(Options()).Segment(customers);

        result.Summary(RfmpDimension.Monetary).CutPoints.Should().Equal(50m, 50m, 50m, 50m);
        result.Customers.Should().OnlyContain(c => c.Code == "5-1-1-1" && c.Segment == RfmpSegments.New);
        result.Summary(RfmpDimension.Monetary).EmptyScores.Should().Equal(2, 3, 4, 5);
        result.Summary(RfmpDimension.Recency).EmptyScores.Should().Equal(1, 2, 3, 4);
    }

    [Fact]
    public void Empty_input_gives_an_empty_result_with_every_score_empty()
    {
        var result = new RfmpSegmenter(Options()).Segment(Array.Empty<Purchase>());

        result.Customers.Should().BeEmpty();
        result.Dimensions.Should().OnlyContain(d => d.CutPoints.Count == 0 && d.EmptyScores.Count == 5);
        result.Report.Should().HaveCount(11).And.OnlyContain(r => r.Customers == 0 && r.CustomerShare == 0m && r.RevenueShare == 0m && r.AverageOrderValue.IsZero);
        result.Exclusions.Should().Be(PurchaseExclusions.None);
    }

    [Fact]
    public void Lines_of_one_order_count_as_one_order_with_their_amounts_and_categories_added()
    {
        var at = AsOf - Duration.FromDays(3);
        var purchases = new[]
        {
            Purchase(1, "A", at, 10m, "books"),
            Purchase(1, "B", at - Duration.FromDays(10), 5m, "music"),
            Purchase(1, "A", at + Duration.FromHours(1), 15m, "books", "games"),
            Purchase(2, "C", at, 7m),
        };

        var customers = new RfmpSegmenter(Options()).Aggregate(purchases, out var exclusions);

        customers.Should().HaveCount(2);
        customers[0].Orders.Should().Be(2);
        customers[0].NetAmount.Should().Be(Money.FromDecimal(30m, Currency.EUR));
        customers[0].Categories.Should().Be(3);
        customers[0].LastPurchaseAt.Should().Be(at + Duration.FromHours(1));
        customers[1].Categories.Should().Be(0);
        exclusions.Total.Should().Be(0);
    }

    [Fact]
    public void Many_orders_per_customer_are_still_counted_once_each()
    {
        var purchases = Enumerable.Range(0, 40)
            .SelectMany(o => new[] { Purchase(1, $"o{o}", AsOf - Duration.FromDays(o), 1m), Purchase(1, $"o{o}", AsOf - Duration.FromDays(o), 1m) })
            .ToArray();
        new Random(1).Shuffle(purchases);

        var customers = new RfmpSegmenter(Options()).Aggregate(purchases, out _);

        customers.Single().Orders.Should().Be(40);
        customers.Single().NetAmount.Amount.Should().Be(80m);
    }

    [Fact]
    public void Purchases_after_the_as_of_instant_or_before_the_window_are_excluded_and_counted()
    {
        var options = Options() with { Window = Period.FromMonths(12) };
        var purchases = new[]
        {
            Purchase(1, "A", AsOf - Duration.FromDays(1), 10m),
            Purchase(1, "B", AsOf + Duration.FromSeconds(1), 10m),
            Purchase(2, "C", Instant.FromUtc(2023, 6, 30, 11, 59), 10m),
            Purchase(3, "D", Instant.FromUtc(2023, 6, 30, 12, 0), 10m),
        };

        var result = new RfmpSegmenter(options).Segment(purchases);

        result.Customers.Select(c => c.Customer).Should().Equal(MemberId.From(1), MemberId.From(3));
        result.Customers[0].Orders.Should().Be(1);
        result.Exclusions.Should().Be(new PurchaseExclusions(AfterAsOf: 1, BeforeWindow: 1));
        result.Exclusions.Total.Should().Be(2);
    }

    [Fact]
    public void Recency_counts_local_calendar_days_in_the_programme_zone()
    {
        var paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
        var asOf = Instant.FromUtc(2024, 3, 31, 8, 0); // 10:00 in Paris, the day clocks go forward
        var options = Options() with { AsOf = asOf, TimeZone = paris };
        var purchases = new[]
        {
            Purchase(1, "A", Instant.FromUtc(2024, 3, 30, 22, 30), 10m), // 23:30 local on the 30th: 1 day, although 9.5 hours ago
            Purchase(2, "B", Instant.FromUtc(2024, 3, 30, 23, 30), 10m), // 00:30 local on the 31st: 0 days
            Purchase(3, "C", Instant.FromUtc(2024, 3, 1, 12, 0), 10m),
        };

        var result = new RfmpSegmenter(options).Segment(purchases);

        result.AsOfDate.Should().Be(new LocalDate(2024, 3, 31));
        result.Customers.Select(c => c.RecencyDays).Should().Equal(1, 0, 30);
    }

    [Fact]
    public void Fixed_thresholds_score_frequency_in_the_bands_1_2_3to4_5to9_10plus()
    {
        var options = Options() with { Frequency = ScoreScale.FromUpperBounds(1, 2, 4, 9) };
        var customers = new[] { 1, 2, 3, 4, 5, 9, 10, 40 }.Select((orders, i) => Customer(i + 1, 1, orders, 10m, 1)).ToArray();

        var result = new RfmpSegmenter(options).Segment(customers);

        result.Customers.Select(c => c.FrequencyScore).Should().Equal(1, 2, 3, 3, 4, 4, 5, 5);
        var summary = result.Summary(RfmpDimension.Frequency);
        summary.IsQuantile.Should().BeFalse();
        summary.CutPoints.Should().Equal(1m, 2m, 4m, 9m);
        summary.CustomersPerScore.Should().Equal(1, 1, 2, 2, 2);
        result.Summary(RfmpDimension.Monetary).IsQuantile.Should().BeTrue();
    }

    [Fact]
    public void Fixed_recency_thresholds_are_reversed_and_fractional_bounds_work_on_whole_values()
    {
        var options = Options() with { Recency = ScoreScale.FromUpperBounds(30, 90, 180, 365.5m) };
        var customers = new[] { 0, 30, 31, 90, 180, 365, 366 }.Select((days, i) => Customer(i + 1, days, 1, 10m, 1)).ToArray();

        var result = new RfmpSegmenter(options).Segment(customers);

        result.Customers.Select(c => c.RecencyScore).Should().Equal(5, 5, 4, 4, 3, 2, 1);
    }

    [Fact]
    public void Other_score_counts_work_with_their_own_map()
    {
        var result = new RfmpSegmenter(Options(scoreCount: 3)).Segment(TwentyCustomers());

        // n = 20, k = 3: ranks ⌈20j/3⌉ = 7, 14.
        result.Summary(RfmpDimension.Monetary).CutPoints.Should().Equal(70m, 140m);
        result.Customers.Should().OnlyContain(c => c.MonetaryScore >= 1 && c.MonetaryScore <= 3);
        result.Customers.Where(c => c.Segment == "Top").Should().OnlyContain(c => c.RecencyScore == 3 && c.FrequencyScore == 3);
        result.Customers[16].Badges.Should().Be(CustomerBadges.HighValue | CustomerBadges.BroadBuyer);
    }

    [Fact]
    public void Movements_list_who_changed_segment_between_two_runs()
    {
        var purchases = new List<Purchase>();
        for (var c = 1; c <= 10; c++)
        {
            for (var o = 0; o < c; o++)
            {
                purchases.Add(Purchase(c, $"{c}-{o}", Instant.FromUtc(2024, 1, 1, 12, 0) + Duration.FromDays((c * 13) + o), 10m));
            }
        }

        var march = new RfmpSegmenter(Options() with { AsOf = Instant.FromUtc(2024, 3, 31, 0, 0) }).Segment(purchases);
        purchases.Add(Purchase(11, "late", Instant.FromUtc(2024, 6, 1, 0, 0), 10m));
        var june = new RfmpSegmenter(Options()).Segment(purchases);

        var movements = june.MovementsSince(march);

        var byCustomer = march.Customers.ToDictionary(c => c.Customer, c => c.Segment);
        foreach (var now in june.Customers)
        {
            var before = byCustomer.TryGetValue(now.Customer, out var segment) ? segment : null;
            var moved = movements.SingleOrDefault(m => m.Customer == now.Customer);
            if (before == now.Segment)
            {
                moved.Should().BeNull();
            }
            else
            {
                moved.Should().Be(new SegmentMovement(now.Customer, before, now.Segment));
            }
        }

        movements.Should().Contain(new SegmentMovement(MemberId.From(11), null, june.Customers.Single(c => c.Customer == MemberId.From(11)).Segment));
        movements.Select(m => m.Customer).Should().BeInAscendingOrder();
        june.MovementsSince(june).Should().BeEmpty();
    }

    [Fact]
    public void A_customer_gone_from_the_window_moves_to_null()
    {
        var purchases = new[] { Purchase(1, "A", AsOf - Duration.FromDays(200), 10m), Purchase(2, "B", AsOf - Duration.FromDays(1), 10m) };
        var all = new RfmpSegmenter(Options()).Segment(purchases);
        var lastMonth = new RfmpSegmenter(Options() with { Window = Period.FromMonths(1) }).Segment(purchases);

        lastMonth.MovementsSince(all).Should().ContainSingle(m => m.Customer == MemberId.From(1) && m.To == null && m.From != null);
    }

    [Fact]
    public void Without_any_category_in_the_data_nobody_gets_a_breadth_badge()
    {
        CustomerActivity[] noCategories = [Customer(1, 10, 1, 10m, 0), Customer(2, 20, 2, 50m, 0)];
        CustomerActivity[] withCategories = [Customer(1, 10, 1, 10m, 0), Customer(2, 20, 2, 50m, 1)];
        var segmenter = new RfmpSegmenter(Options());

        var blind = segmenter.Segment(noCategories);
        var seeing = segmenter.Segment(withCategories);

        blind.Customers.Select(c => c.Badges).Should().Equal(CustomerBadges.LowValue, CustomerBadges.None);
        blind.Customers.Select(c => c.ProductScore).Should().Equal(1, 1);
        seeing.Customers.Select(c => c.Badges).Should().Equal(CustomerBadges.LowValue | CustomerBadges.NarrowBuyer, CustomerBadges.None);
    }

    [Fact]
    public void Streamed_purchases_without_categories_give_no_breadth_badge()
    {
        var purchases = new[]
        {
            Purchase(1, "a", AsOf - Duration.FromDays(3), 10m), Purchase(2, "b", AsOf - Duration.FromDays(30), 200m),
            Purchase(3, "c", AsOf - Duration.FromDays(90), 5m),
        };

        var result = new RfmpSegmenter(Options()).Segment(purchases);

        result.Customers.Should().OnlyContain(c => (c.Badges & (CustomerBadges.BroadBuyer | CustomerBadges.NarrowBuyer)) == CustomerBadges.None);
    }

    [Fact]
    public void Each_score_carries_the_segment_map_entry_that_matched()
    {
        var result = new RfmpSegmenter(Options()).Segment(TwentyCustomers());

        result.Customers.Should().OnlyContain(c => c.Rule.Segment == c.Segment);
        result.Customers[0].Rule.Should().Be(new SegmentRule(RfmpSegments.Lost, 1, 1, 1, 2));
        result.Customers[12].Rule.Should().Be(new SegmentRule(RfmpSegments.Champions, 5, 5, 4, 5));
        result.Customers[19].Rule.Should().BeSameAs(SegmentMap.Default.Rules[7]);
        result.Customers[19].Rule.ToString().Should().Be("Can't Lose Them: R 1–2, F 5");
    }

    [Fact]
    public void The_classic_grid_names_the_oldest_rare_buyers_hibernating()
    {
        var result = new RfmpSegmenter(Options(map: SegmentMap.Classic)).Segment(TwentyCustomers());

        result.Customers[0].Code.Should().Be("1-1-1-1");
        result.Customers[0].Segment.Should().Be(RfmpSegments.Hibernating);
        result.Customers[0].Rule.Should().Be(new SegmentRule(RfmpSegments.Hibernating, 1, 2, 1, 2));
        result.Customers[1].Rule.Should().BeSameAs(result.Customers[0].Rule);
        result.Report.Select(r => r.Segment).Should().NotContain(RfmpSegments.Lost);
        result.Report.Single(r => r.Segment == RfmpSegments.Hibernating).Customers.Should().Be(4);
    }

    [Fact]
    public void As_of_a_calendar_date_means_the_end_of_that_day_in_the_programme_zone()
    {
        var paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
        var options = RfmpOptions.AsOfEndOf(new LocalDate(2024, 7, 1), paris, Currency.EUR);
        var purchases = new[]
        {
            Purchase(1, "last-second", Instant.FromUtc(2024, 7, 1, 21, 59, 59), 10m), // 23:59:59 in Paris
            Purchase(2, "next-day", Instant.FromUtc(2024, 7, 1, 22, 0), 10m),         // 00:00 on 2 July in Paris
            Purchase(2, "june", Instant.FromUtc(2024, 6, 1, 8, 0), 10m),
        };

        var result = new RfmpSegmenter(options).Segment(purchases);

        options.AsOf.Should().Be(Instant.FromUtc(2024, 7, 1, 22, 0) - Duration.Epsilon);
        result.AsOfDate.Should().Be(new LocalDate(2024, 7, 1));
        result.Exclusions.AfterAsOf.Should().Be(1);
        result.Customers.Select(c => c.RecencyDays).Should().Equal(0, 30);
    }

    [Fact]
    public void As_of_a_date_shortened_by_daylight_saving_still_ends_at_the_next_local_midnight()
    {
        var paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];

        var spring = RfmpOptions.AsOfEndOf(new LocalDate(2024, 3, 31), paris, Currency.EUR); // 23-hour day
        var autumn = RfmpOptions.AsOfEndOf(new LocalDate(2024, 10, 27), paris, Currency.EUR); // 25-hour day

        spring.AsOf.Should().Be(Instant.FromUtc(2024, 3, 31, 22, 0) - Duration.Epsilon);
        spring.AsOf.InZone(paris).Date.Should().Be(new LocalDate(2024, 3, 31));
        autumn.AsOf.Should().Be(Instant.FromUtc(2024, 10, 27, 23, 0) - Duration.Epsilon);
        autumn.AsOf.InZone(paris).Date.Should().Be(new LocalDate(2024, 10, 27));
        (autumn with { Window = Period.FromMonths(1) }).Window.Should().Be(Period.FromMonths(1));
    }

    [Fact]
    public void As_of_a_date_refuses_a_missing_zone_another_calendar_and_the_last_date()
    {
        var act = () => RfmpOptions.AsOfEndOf(new LocalDate(2024, 7, 1), null!, Currency.EUR);
        act.Should().Throw<ArgumentNullException>().WithParameterName("timeZone");

        var julian = () => RfmpOptions.AsOfEndOf(new LocalDate(2024, 7, 1, CalendarSystem.Julian), DateTimeZone.Utc, Currency.EUR);
        julian.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("asOfDate must be in the ISO calendar (was Julian); convert it with WithCalendar(CalendarSystem.Iso).*");

        var last = () => RfmpOptions.AsOfEndOf(new LocalDate(9999, 12, 31), DateTimeZone.Utc, Currency.EUR);
        last.Should().Throw<ArgumentOutOfRangeException>().WithMessage("asOfDate must be before 9999-12-31 (was 9999-12-31).*");
    }
}
