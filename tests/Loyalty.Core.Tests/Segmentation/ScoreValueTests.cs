using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using static Loyalty.Core.Tests.Segmentation.SegmentationData;

namespace Loyalty.Core.Tests.Segmentation;

/// <summary>The values a run hands back: scores, dimension summaries, results and movements.</summary>
public class ScoreValueTests
{
    private static readonly SegmentRule Champions = SegmentMap.Default.Rules[0];

    private static CustomerScore Score(
        long customer = 1, SegmentRule? rule = null, CustomerBadges badges = CustomerBadges.HighValue, int days = 3, int orders = 4,
        decimal amount = 120m, int categories = 2, int r = 5, int f = 5, int m = 4, int p = 3) =>
        new(MemberId.From(customer), rule ?? Champions, badges, days, orders, amount, categories, r, f, m, p);

    [Fact]
    public void A_score_keeps_its_values_and_reads_them_per_dimension()
    {
        var score = Score();

        score.Customer.Should().Be(MemberId.From(1));
        score.Segment.Should().Be(RfmpSegments.Champions);
        score.Rule.Should().BeSameAs(Champions);
        score.Badges.Should().Be(CustomerBadges.HighValue);
        score.RecencyDays.Should().Be(3);
        score.Orders.Should().Be(4);
        score.NetAmount.Should().Be(120m);
        score.Categories.Should().Be(2);
        score.Code.Should().Be("5-5-4-3");
        score.ScoreOf(RfmpDimension.Recency).Should().Be(5);
        score.ScoreOf(RfmpDimension.Frequency).Should().Be(5);
        score.ScoreOf(RfmpDimension.Monetary).Should().Be(4);
        score.ScoreOf(RfmpDimension.Product).Should().Be(3);
        Score(r: 1, f: 2, m: 3, p: 4).Code.Should().Be("1-2-3-4");
    }

    [Fact]
    public void A_score_refuses_an_unknown_dimension()
    {
        var act = () => Score().ScoreOf((RfmpDimension)9);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage(
            "dimension must be Recency, Frequency, Monetary or Product. (Parameter 'dimension')\nActual value was 9.");
    }

    [Fact]
    public void A_score_reads_as_customer_segment_code_and_badges()
    {
        Score().ToString().Should().Be("1: Champions 5-5-4-3 (HighValue)");
        Score(customer: 42, badges: CustomerBadges.LowValue | CustomerBadges.NarrowBuyer, m: 1, p: 1).ToString()
            .Should().Be("42: Champions 5-5-1-1 (LowValue, NarrowBuyer)");
        Score(badges: CustomerBadges.None).ToString().Should().Be("1: Champions 5-5-4-3 (None)");
    }

    [Fact]
    public void Equal_scores_are_equal_and_hash_alike()
    {
        var a = Score();
        var b = Score(rule: new SegmentRule(RfmpSegments.Champions, 5, 5, 4, 5));

        a.Equals(b).Should().BeTrue();
        (a == b).Should().BeTrue();
        (a != b).Should().BeFalse();
        a.Equals((object)b).Should().BeTrue();
        a.Equals("1: Champions 5-5-4-3 (HighValue)").Should().BeFalse();
        a.Equals((object?)null).Should().BeFalse();
        a.GetHashCode().Should().Be(b.GetHashCode());
    }

    public static TheoryData<string> Differences() => new(
        "customer", "rule of the same segment", "segment", "badges", "recency days", "orders", "net amount", "categories",
        "R score", "F score", "M score", "P score");

    private static CustomerScore Differing(string field) => field switch
    {
        "customer" => Score(customer: 2),
        "rule of the same segment" => Score(rule: new SegmentRule(RfmpSegments.Champions, 4, 5, 4, 5)),
        "segment" => Score(rule: SegmentMap.Default.Rules[1]),
        "badges" => Score(badges: CustomerBadges.HighValue | CustomerBadges.BroadBuyer),
        "recency days" => Score(days: 4),
        "orders" => Score(orders: 5),
        "net amount" => Score(amount: 120.01m),
        "categories" => Score(categories: 3),
        "R score" => Score(r: 4),
        "F score" => Score(f: 4),
        "M score" => Score(m: 5),
        _ => Score(p: 2),
    };

    [Theory]
    [MemberData(nameof(Differences))]
    public void Scores_differing_in_one_field_are_different(string field)
    {
        var a = Score();
        var b = Differing(field);

        a.Equals(b).Should().BeFalse();
        b.Equals(a).Should().BeFalse();
        (a == b).Should().BeFalse();
        (a != b).Should().BeTrue();
        a.Equals((object)b).Should().BeFalse();
    }

    [Theory]
    [InlineData("R score")]
    [InlineData("F score")]
    [InlineData("M score")]
    [InlineData("P score")]
    public void Scores_differing_in_one_score_only_hash_differently(string field)
    {
        Score().GetHashCode().Should().NotBe(Differing(field).GetHashCode());
    }

    [Fact]
    public void Dimension_summaries_read_as_cut_points_counts_and_empty_scores()
    {
        var result = new RfmpSegmenter(Options()).Segment(TwentyCustomers());

        result.Summary(RfmpDimension.Frequency).ToString().Should().Be(
            "Frequency: cut points 1 | 1 | 2 | 5; customers per score 8 | 0 | 4 | 4 | 4; empty scores 2");
        result.Summary(RfmpDimension.Product).ToString().Should().Be(
            "Product: cut points 1 | 1 | 2 | 2; customers per score 11 | 0 | 5 | 0 | 4; empty scores 2, 4");
        result.Summary(RfmpDimension.Monetary).ToString().Should().Be(
            "Monetary: cut points 40 | 80 | 120 | 160; customers per score 4 | 4 | 4 | 4 | 4");
        result.Summary(RfmpDimension.Recency).Dimension.Should().Be(RfmpDimension.Recency);
        result.Dimensions.Select(d => d.Dimension).Should().Equal(
            RfmpDimension.Recency, RfmpDimension.Frequency, RfmpDimension.Monetary, RfmpDimension.Product);
        result.Dimensions.Should().OnlyContain(d => d.IsQuantile);
    }

    [Fact]
    public void A_summary_with_no_customer_has_no_cut_points_and_every_score_empty()
    {
        var summary = new RfmpSegmenter(Options(scoreCount: 3)).Segment(Array.Empty<CustomerActivity>()).Summary(RfmpDimension.Monetary);

        summary.CutPoints.Should().BeEmpty();
        summary.CustomersPerScore.Should().Equal(0, 0, 0);
        summary.EmptyScores.Should().Equal(1, 2, 3);
        summary.HasEmptyScores.Should().BeTrue();
        summary.ToString().Should().Be("Monetary: cut points ; customers per score 0 | 0 | 0; empty scores 1, 2, 3");
    }

    [Fact]
    public void The_result_and_the_segmenter_keep_the_options_of_the_run()
    {
        var options = Options();
        var segmenter = new RfmpSegmenter(options);

        var result = segmenter.Segment([Customer(1, 0, 1, 1m, 0)]);

        segmenter.Options.Should().BeSameAs(options);
        result.Options.Should().BeSameAs(options);
        result.AsOfDate.Should().Be(new NodaTime.LocalDate(2024, 6, 30));
        result.Exclusions.Should().BeSameAs(PurchaseExclusions.None);
    }

    [Fact]
    public void Exclusions_add_up_both_kinds()
    {
        new PurchaseExclusions(3, 4).Total.Should().Be(7);
        new PurchaseExclusions(3, 0).Total.Should().Be(3);
        PurchaseExclusions.None.Should().Be(new PurchaseExclusions(0, 0));
        PurchaseExclusions.None.Total.Should().Be(0);
    }

    [Fact]
    public void Movements_are_ordered_by_customer_whether_they_moved_left_or_arrived()
    {
        var segmenter = new RfmpSegmenter(Options());
        var earlier = segmenter.Segment([Customer(3, 1, 5, 10m, 0), Customer(2, 100, 1, 10m, 0), Customer(4, 50, 2, 10m, 0)]);
        var later = segmenter.Segment([Customer(2, 1, 1, 10m, 0), Customer(1, 1, 1, 10m, 0)]);

        var movements = later.MovementsSince(earlier);

        // n = 3: cut points at ranks 1, 2, 2, 3; customer 3 is R5 F4, customer 2 R2 F1, customer 4 R4 F2.
        earlier.Customers.Select(c => c.Segment).Should().Equal(RfmpSegments.Champions, RfmpSegments.Hibernating, RfmpSegments.PotentialLoyalists);
        later.Customers.Select(c => c.Segment).Should().Equal(RfmpSegments.New, RfmpSegments.New);
        movements.Should().Equal(
            new SegmentMovement(MemberId.From(1), null, RfmpSegments.New),
            new SegmentMovement(MemberId.From(2), RfmpSegments.Hibernating, RfmpSegments.New),
            new SegmentMovement(MemberId.From(3), RfmpSegments.Champions, null),
            new SegmentMovement(MemberId.From(4), RfmpSegments.PotentialLoyalists, null));
        earlier.MovementsSince(later).Should().Equal(
            new SegmentMovement(MemberId.From(1), RfmpSegments.New, null),
            new SegmentMovement(MemberId.From(2), RfmpSegments.New, RfmpSegments.Hibernating),
            new SegmentMovement(MemberId.From(3), null, RfmpSegments.Champions),
            new SegmentMovement(MemberId.From(4), null, RfmpSegments.PotentialLoyalists));
    }

    [Fact]
    public void Churn_periods_compare_by_value()
    {
        var churn = new ChurnPeriod(new NodaTime.YearMonth(2024, 2), 4, 3, 1, 0.25m, true);

        churn.Should().Be(new ChurnPeriod(new NodaTime.YearMonth(2024, 2), 4, 3, 1, 0.25m, true));
        churn.Should().NotBe(churn with { IsPartial = false });
    }
}
