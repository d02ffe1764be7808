using System.Collections.ObjectModel;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;
using static Loyalty.Core.Tests.Segmentation.SegmentationData;

namespace Loyalty.Core.Tests.Segmentation;

/// <summary>Edges of scoring: badge bands, grid sizes, fixed bounds, window and day boundaries, input shapes, exclusions, cycles.</summary>
public class RfmpSegmenterEdgeTests
{
    private const CustomerBadges LowNarrow = CustomerBadges.LowValue | CustomerBadges.NarrowBuyer;
    private const CustomerBadges HighBroad = CustomerBadges.HighValue | CustomerBadges.BroadBuyer;

    [Fact]
    public void Every_customer_of_the_worked_example_gets_the_badges_of_its_M_and_P_scores()
    {
        var result = new RfmpSegmenter(Options()).Segment(TwentyCustomers());

        // M and P 1–2 are low, 3 neither, 4–5 high.
        result.Customers.Select(c => c.Badges).Should().Equal(
            LowNarrow, LowNarrow, LowNarrow, LowNarrow,
            LowNarrow, LowNarrow, LowNarrow, LowNarrow,
            CustomerBadges.NarrowBuyer, CustomerBadges.NarrowBuyer, CustomerBadges.None, CustomerBadges.None,
            CustomerBadges.HighValue, CustomerBadges.HighValue, CustomerBadges.HighValue, HighBroad,
            HighBroad, HighBroad, HighBroad, CustomerBadges.HighValue | CustomerBadges.NarrowBuyer);
    }

    [Fact]
    public void Fixed_monetary_and_product_bounds_are_right_closed_and_set_the_badges()
    {
        var options = Options() with
        {
            Monetary = ScoreScale.FromUpperBounds(50, 100, 200, 500),
            Product = ScoreScale.FromUpperBounds(1, 2, 3, 5),
        };
        CustomerActivity[] customers =
        [
            Customer(1, 1, 1, 50m, 1), Customer(2, 1, 1, 50.01m, 2), Customer(3, 1, 1, 200m, 3),
            Customer(4, 1, 1, 200.01m, 4), Customer(5, 1, 1, 1000m, 6),
        ];

        var result = new RfmpSegmenter(options).Segment(customers);

        result.Customers.Select(c => c.MonetaryScore).Should().Equal(1, 2, 3, 4, 5);
        result.Customers.Select(c => c.ProductScore).Should().Equal(1, 2, 3, 4, 5);
        result.Customers.Select(c => c.Badges).Should().Equal(LowNarrow, LowNarrow, CustomerBadges.None, HighBroad, HighBroad);
        result.Summary(RfmpDimension.Monetary).IsQuantile.Should().BeFalse();
        result.Summary(RfmpDimension.Monetary).CutPoints.Should().Equal(50m, 100m, 200m, 500m);
        result.Summary(RfmpDimension.Product).IsQuantile.Should().BeFalse();
        result.Summary(RfmpDimension.Product).CutPoints.Should().Equal(1m, 2m, 3m, 5m);
        result.Summary(RfmpDimension.Product).CustomersPerScore.Should().Equal(1, 1, 1, 1, 1);
        result.Summary(RfmpDimension.Frequency).IsQuantile.Should().BeTrue();
    }

    [Fact]
    public void Ten_scores_split_the_badges_five_low_and_five_high()
    {
        var customers = Enumerable.Range(1, 10).Select(i => Customer(i, 10 - i, i, 10m * i, i)).ToArray();

        var result = new RfmpSegmenter(Options(scoreCount: 10)).Segment(customers);

        result.Customers.Select(c => c.Code).Should().Equal(Enumerable.Range(1, 10).Select(i => $"{i}-{i}-{i}-{i}"));
        result.Customers.Select(c => c.Badges).Should().Equal(Enumerable.Range(1, 10).Select(i => i <= 5 ? LowNarrow : HighBroad));
        result.Customers.Select(c => c.Segment).Should().Equal(Enumerable.Range(1, 10).Select(i => i == 10 ? "Top" : "Rest"));
        result.Summary(RfmpDimension.Recency).CutPoints.Should().Equal(0m, 1m, 2m, 3m, 4m, 5m, 6m, 7m, 8m);
        result.Summary(RfmpDimension.Recency).CustomersPerScore.Should().Equal(Enumerable.Repeat(1, 10));
    }

    [Fact]
    public void Two_scores_make_every_customer_high_or_low()
    {
        var customers = Enumerable.Range(1, 4).Select(i => Customer(i, 4 - i, i, 10m * i, i)).ToArray();

        var result = new RfmpSegmenter(Options(scoreCount: 2)).Segment(customers);

        // n = 4, k = 2: the cut point is the value at rank 2.
        result.Summary(RfmpDimension.Monetary).CutPoints.Should().Equal(20m);
        result.Customers.Select(c => c.Code).Should().Equal("1-1-1-1", "1-1-1-1", "2-2-2-2", "2-2-2-2");
        result.Customers.Select(c => c.Badges).Should().Equal(LowNarrow, LowNarrow, HighBroad, HighBroad);
        result.Customers.Select(c => c.Segment).Should().Equal("Rest", "Rest", "Top", "Top");
    }

    [Fact]
    public void Bounds_beyond_the_range_of_whole_numbers_still_score()
    {
        var options = Options() with
        {
            Recency = ScoreScale.FromUpperBounds(-1_000_000_000_000m, 0, 7, 30),
            Frequency = ScoreScale.FromUpperBounds(1, 2, 4, 1_000_000_000_000m),
        };
        CustomerActivity[] customers = [Customer(1, 0, 1, 10m, 1), Customer(2, 8, 5, 10m, 1), Customer(3, 31, 1_000_000, 10m, 1)];

        var result = new RfmpSegmenter(options).Segment(customers);

        result.Customers.Select(c => c.RecencyScore).Should().Equal(4, 2, 1);
        result.Customers.Select(c => c.FrequencyScore).Should().Equal(1, 4, 4);
        result.Summary(RfmpDimension.Frequency).CutPoints.Should().Equal(1m, 2m, 4m, 1_000_000_000_000m);
        result.Summary(RfmpDimension.Recency).CustomersPerScore.Should().Equal(1, 1, 0, 1, 0);
    }

    [Fact]
    public void A_customer_whose_last_purchase_is_exactly_the_window_start_is_scored()
    {
        var segmenter = new RfmpSegmenter(Options() with { Window = Period.FromYears(1) });
        var start = Instant.FromUtc(2023, 6, 30, 12, 0);
        var atStart = CustomerActivity.From(MemberId.From(1), start, 1, Money.FromDecimal(5m, Currency.EUR), 0);
        var justBefore = CustomerActivity.From(MemberId.From(2), start - Duration.Epsilon, 1, Money.FromDecimal(5m, Currency.EUR), 0);
        var atAsOf = CustomerActivity.From(MemberId.From(3), AsOf, 1, Money.FromDecimal(5m, Currency.EUR), 0);

        var result = segmenter.Segment([atStart, atAsOf]);

        segmenter.Options.WindowStart.Should().Be(start);
        result.Customers.Select(c => c.RecencyDays).Should().Equal(366, 0);
        FluentActions.Invoking(() => segmenter.Segment([atAsOf, justBefore])).Should().Throw<ArgumentException>().WithMessage(
            "Customer #2 (2) has a last purchase at 2023-06-30T11:59:59Z, before the window start 2023-06-30T12:00:00Z; leave customers without a purchase in the window out of the input. (Parameter 'customers')");
    }

    [Fact]
    public void Recency_counts_calendar_days_before_1970_and_from_midnight()
    {
        var options = Options() with { AsOf = Instant.FromUtc(1970, 1, 2, 12, 0) };
        Purchase[] purchases =
        [
            Purchase(1, "a", Instant.FromUtc(1969, 12, 31, 10, 0), 1m),
            Purchase(2, "b", Instant.FromUtc(1969, 12, 31, 0, 0), 1m),
            Purchase(3, "c", Instant.FromUtc(1970, 1, 1, 0, 0), 1m),
            Purchase(4, "d", Instant.FromUtc(1969, 12, 30, 23, 59, 59), 1m),
            Purchase(5, "e", Instant.FromUtc(1970, 1, 2, 0, 0), 1m),
            Purchase(6, "f", Instant.FromUtc(1970, 1, 1, 23, 59, 59), 1m),
        ];

        var result = new RfmpSegmenter(options).Segment(purchases);

        result.AsOfDate.Should().Be(new LocalDate(1970, 1, 2));
        result.Customers.Select(c => c.RecencyDays).Should().Equal(2, 2, 1, 3, 0, 1);
    }

    [Fact]
    public void Recency_counts_from_local_midnight_in_a_zone_ahead_of_utc()
    {
        var tokyo = DateTimeZoneProviders.Tzdb["Asia/Tokyo"];
        var options = RfmpOptions.AsOfEndOf(new LocalDate(2024, 6, 30), tokyo, Currency.EUR);
        Purchase[] purchases =
        [
            Purchase(1, "a", Instant.FromUtc(2024, 6, 28, 15, 0), 1m), // 29 June 00:00 in Tokyo
            Purchase(2, "b", Instant.FromUtc(2024, 6, 28, 14, 59, 59), 1m), // 28 June 23:59:59 in Tokyo
        ];

        var result = new RfmpSegmenter(options).Segment(purchases);

        result.Customers.Select(c => c.RecencyDays).Should().Equal(1, 2);
    }

    [Fact]
    public void Lists_and_other_read_only_lists_of_customers_score_as_arrays_do()
    {
        var segmenter = new RfmpSegmenter(Options());
        var array = TwentyCustomers();
        var expected = segmenter.Segment(array);

        var fromList = segmenter.Segment(array.ToList());
        var fromCollection = segmenter.Segment(new ReadOnlyCollection<CustomerActivity>(array));

        fromList.Customers.Should().Equal(expected.Customers);
        fromList.Report.Should().Equal(expected.Report);
        fromCollection.Customers.Should().Equal(expected.Customers);
        fromCollection.Report.Should().Equal(expected.Report);
    }

    [Fact]
    public void A_list_with_a_bad_customer_is_refused_with_its_position()
    {
        var list = new List<CustomerActivity> { Customer(1, 1, 1, 1m, 0), default };

        var act = () => new RfmpSegmenter(Options()).Segment(list);

        act.Should().Throw<ArgumentException>().WithMessage(
            "Customer #2 is default(CustomerActivity); create activities with CustomerActivity.From(...). (Parameter 'customers')");
    }

    [Fact]
    public void Exclusions_count_each_kind_on_its_own()
    {
        var segmenter = new RfmpSegmenter(Options() with { Window = Period.FromMonths(1) });
        Purchase[] late = [Purchase(1, "a", AsOf, 1m), Purchase(2, "b", AsOf + Duration.Epsilon, 1m)];
        Purchase[] early = [Purchase(1, "a", AsOf, 1m), Purchase(2, "b", AsOf - Duration.FromDays(32), 1m)];

        segmenter.Segment(late).Exclusions.Should().Be(new PurchaseExclusions(AfterAsOf: 1, BeforeWindow: 0));
        segmenter.Segment(early).Exclusions.Should().Be(new PurchaseExclusions(AfterAsOf: 0, BeforeWindow: 1));
        segmenter.Aggregate(late.Select(p => p), out var streamed).Should().ContainSingle();
        streamed.Should().Be(new PurchaseExclusions(AfterAsOf: 1, BeforeWindow: 0));
        segmenter.Segment(late.Take(1)).Exclusions.Should().BeSameAs(PurchaseExclusions.None);
    }

    [Fact]
    public void Ids_sharing_their_first_characters_come_out_in_ordinal_order()
    {
        string[] ids = ["aaabA", "aaaaz", "aaaazzzzB", "aaaazzzzA", "aaaazzzz", "aaaaAzzz", "b", "aaaa", "aaab"];
        var purchases = ids.Select((id, i) => new Purchase(MemberId.From(id), OrderId.From(i), AsOf, Money.FromDecimal(1m, Currency.EUR)));

        var result = new RfmpSegmenter(Options()).Segment(purchases);

        result.Customers.Select(c => c.Customer.Value).Should().Equal("aaaa", "aaaaAzzz", "aaaaz", "aaaazzzz", "aaaazzzzA", "aaaazzzzB", "aaab", "aaabA", "b");
    }

    [Fact]
    public void The_median_interval_is_taken_from_the_sorted_intervals()
    {
        static Instant Day(int month, int day) => Instant.FromUtc(2024, month, day, 10, 0);
        Purchase[] purchases =
        [
            // Customer 1: intervals 30, 5, 10 in time order; sorted 5, 10, 30, median 10.
            Purchase(1, "a", Day(1, 1), 1m), Purchase(1, "b", Day(1, 31), 1m), Purchase(1, "c", Day(2, 5), 1m), Purchase(1, "d", Day(2, 15), 1m),
            // Customer 2: intervals 30, 5, 10, 20; sorted 5, 10, 20, 30, median 15.
            Purchase(2, "a", Day(1, 1), 1m), Purchase(2, "b", Day(1, 31), 1m), Purchase(2, "c", Day(2, 5), 1m), Purchase(2, "d", Day(2, 15), 1m),
            Purchase(2, "e", Day(3, 6), 1m),
        ];

        var cycles = new RfmpSegmenter(Options()).PurchaseCycles(purchases).Cycles;

        cycles.Select(c => c.MedianIntervalDays).Should().Equal(10m, 15m);
        cycles.Select(c => c.ExpectedNextPurchase).Should().Equal(new LocalDate(2024, 2, 25), new LocalDate(2024, 3, 21));
        cycles.Select(c => c.FirstPurchase).Should().Equal(new LocalDate(2024, 1, 1), new LocalDate(2024, 1, 1));
    }

    [Fact]
    public void An_order_whose_earlier_line_comes_later_is_dated_by_that_line()
    {
        static Instant Day(int day) => Instant.FromUtc(2024, 1, day, 10, 0);
        Purchase[] purchases =
        [
            Purchase(1, "a", Day(10), 1m), Purchase(1, "b", Day(20), 1m), Purchase(1, "a", Day(1), 1m), Purchase(1, "c", Day(30), 1m),
            Purchase(1, "a", Day(5), 1m),
        ];
        var segmenter = new RfmpSegmenter(Options());

        var fromArray = segmenter.PurchaseCycles(purchases).Cycles.Single();
        var streamed = segmenter.PurchaseCycles(purchases.Select(p => p)).Cycles.Single();

        // Orders on 1, 20 and 30 January: intervals 19 and 10, median 14.5, next order 15 days after the last.
        fromArray.Should().Be(new PurchaseCycle(MemberId.From(1), 3, 3, new LocalDate(2024, 1, 1), new LocalDate(2024, 1, 30), 14.5m, new LocalDate(2024, 2, 14)));
        streamed.Should().Be(fromArray);
    }

    [Fact]
    public void Ten_scores_and_two_scores_are_the_limits_a_segmenter_accepts()
    {
        new RfmpSegmenter(Options(scoreCount: 10)).Options.ScoreCount.Should().Be(10);
        new RfmpSegmenter(Options(scoreCount: 2)).Options.ScoreCount.Should().Be(2);
        var tenBounds = () => new RfmpSegmenter(Options(scoreCount: 10) with { Product = ScoreScale.FromUpperBounds(1, 2, 3, 4, 5, 6, 7, 8) });
        tenBounds.Should().Throw<ArgumentException>().WithMessage(
            "RfmpOptions.Product has 8 upper bounds, which give 9 scores, but ScoreCount is 10; give 9 upper bounds or set ScoreCount to 9. (Parameter 'options')");
    }

    [Fact]
    public void Missing_scales_are_named_for_every_dimension()
    {
        FluentActions.Invoking(() => new RfmpSegmenter(Options() with { Recency = null! })).Should().Throw<ArgumentException>().WithMessage(
            "RfmpOptions.Recency must not be null; use ScoreScale.Quantiles or ScoreScale.FromUpperBounds(...). (Parameter 'options')");
        FluentActions.Invoking(() => new RfmpSegmenter(Options() with { Frequency = null! })).Should().Throw<ArgumentException>().WithMessage(
            "RfmpOptions.Frequency must not be null; use ScoreScale.Quantiles or ScoreScale.FromUpperBounds(...). (Parameter 'options')");
        FluentActions.Invoking(() => new RfmpSegmenter(Options() with { Monetary = null! })).Should().Throw<ArgumentException>().WithMessage(
            "RfmpOptions.Monetary must not be null; use ScoreScale.Quantiles or ScoreScale.FromUpperBounds(...). (Parameter 'options')");
    }

    [Fact]
    public void Windows_of_any_single_positive_unit_are_accepted()
    {
        Period[] windows =
        [
            Period.FromYears(1), Period.FromMonths(1), Period.FromWeeks(1), Period.FromDays(1), Period.FromHours(1),
            Period.FromMinutes(1), Period.FromSeconds(1), Period.FromMilliseconds(1), Period.FromTicks(1), Period.FromNanoseconds(1),
        ];

        foreach (var window in windows)
        {
            new RfmpSegmenter(Options() with { Window = window }).Options.WindowStart!.Value.Should().BeLessThan(AsOf, window.ToString());
        }

        var mixed = () => new RfmpSegmenter(Options() with { Window = Period.FromYears(1) - Period.FromDays(1) });
        mixed.Should().Throw<ArgumentException>().WithMessage(
            "RfmpOptions.Window must be a positive period such as Period.FromMonths(12) (was P1Y-1D); leave it null to take every purchase. (Parameter 'options')");
    }
}
