using FsCheck.Xunit;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;
using static Loyalty.Core.Tests.Segmentation.SegmentationData;

namespace Loyalty.Core.Tests.Segmentation;

/// <summary>
/// The one-pass batch aggregation (an in-memory batch cut into contiguous parts folded on their
/// own threads, then merged) agrees with a plain group-by of the same lines, wherever the part
/// boundaries fall: lines of one order on both sides of a boundary, customers in every part,
/// lines of one order far apart, more orders per customer than the order filter has bits.
/// </summary>
public class OnePassBatchTests
{
    private static readonly Instant WindowStart = AsOf - Duration.FromDays(60);

    /// <summary>The one-pass batch forced on any batch size, in the given number of parts.</summary>
    private static CustomerActivity[] OnePass(IEnumerable<Purchase> lines, int parts, out PurchaseExclusions exclusions, Instant? windowStart = null)
    {
        var aggregator = new PurchaseAggregator(Currency.EUR, AsOf, windowStart, trackOrderTimes: false, minimumOnePassBatch: 1, parts: parts);
        aggregator.AddAll(lines);
        exclusions = aggregator.Exclusions;
        return aggregator.ToActivities();
    }

    /// <summary>
    /// Lines over few customers and few order ids, each order's lines kept together (so a part
    /// boundary often cuts through an order), some after the as-of instant or before the window.
    /// Ids and categories are fresh string instances per line, as when parsed from a file.
    /// </summary>
    private static Purchase[] OrdersTogether(int[] seeds) =>
        seeds.SelectMany(s =>
        {
            var v = (uint)s;
            var customer = 1 + (v % 9);
            var order = "o" + (v / 9 % 5);
            var at = AsOf - Duration.FromHours(v / 45 % 2000) + Duration.FromHours(3);
            var lines = 1 + (int)(v / 90_000 % 3);
            return Enumerable.Range(0, lines).Select(l => new Purchase(
                MemberId.From(customer.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                OrderId.From(new string(order.AsSpan())),
                at + Duration.FromMinutes(l),
                Money.FromDecimal((v / 7 + (uint)l) % 500 / 4m, Currency.EUR),
                Enumerable.Range(0, (int)((v + (uint)l) % 3)).Select(i => "c" + ((v / 11 + (uint)(i * 37)) % 80)).ToArray()));
        }).ToArray();

    [Property(MaxTest = 200 / PropertyRuns.Divisor)]
    public bool Parts_equal_a_group_by_wherever_the_boundaries_fall(int[] seeds, byte partCount)
    {
        var lines = OrdersTogether(seeds);
        var parts = 2 + (partCount % 4);

        var inWindow = OnePass(lines, parts, out var exclusions, WindowStart);
        var all = OnePass(lines, parts, out _);

        return inWindow.SequenceEqual(GroupBy(lines, WindowStart))
            && exclusions.AfterAsOf == lines.Count(p => p.PlacedAt > AsOf)
            && exclusions.BeforeWindow == lines.Count(p => p.PlacedAt <= AsOf && p.PlacedAt < WindowStart)
            && all.SequenceEqual(GroupBy(lines));
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public bool Lines_of_one_order_far_apart_count_one_order(int[] seeds, byte customerCount, byte partCount)
    {
        // Every customer's orders are emitted round-robin, one line each time: the lines of an
        // order are never adjacent, and customers with over 128 orders saturate the order filter.
        var customers = 1 + (customerCount % 4);
        var orders = seeds.Select(s => (Customer: 1 + (int)((uint)s % (uint)customers), Order: "o" + ((uint)s / 7 % 300))).Distinct().ToArray();
        var lines = Enumerable.Range(0, 3)
            .SelectMany(round => orders.Select((o, i) => Purchase(o.Customer, o.Order, AsOf - Duration.FromHours(i + round), 1m + round, "c" + (i % 70))))
            .ToArray();
        var expected = GroupBy(lines);

        return OnePass(lines, 1, out _).SequenceEqual(expected)
            && OnePass(lines, 2 + (partCount % 3), out _).SequenceEqual(expected)
            && new RfmpSegmenter(Options()).Aggregate(lines.Select(p => p), out _).SequenceEqual(expected);
    }

    [Fact]
    public void An_order_cut_by_the_part_boundary_counts_once()
    {
        // Six lines in two parts of three: order B's lines sit on both sides of the boundary,
        // order A comes back after B, and customer 2 buys in both parts.
        Purchase[] lines =
        [
            Purchase(1, "A", AsOf - Duration.FromDays(9), 10m, "books"),
            Purchase(2, "C", AsOf - Duration.FromDays(8), 5m, "toys"),
            Purchase(1, "B", AsOf - Duration.FromDays(7), 20m, "music"),
            Purchase(1, "B", AsOf - Duration.FromDays(7), 2m, "books"),
            Purchase(2, "D", AsOf - Duration.FromDays(2), 7m, "toys", "garden"),
            Purchase(1, "A", AsOf - Duration.FromDays(1), 1m, "games"),
        ];

        var result = OnePass(lines, 2, out _);

        result.Should().Equal(
            CustomerActivity.From(MemberId.From(1), AsOf - Duration.FromDays(1), 2, Money.FromDecimal(33m, Currency.EUR), 3),
            CustomerActivity.From(MemberId.From(2), AsOf - Duration.FromDays(2), 2, Money.FromDecimal(12m, Currency.EUR), 2));
    }

    [Fact]
    public void A_batch_of_two_parts_equals_the_streamed_lines()
    {
        // 140,000 lines: large enough for two parts on a multi-core machine.
        var random = new Random(3);
        var seeds = Enumerable.Range(0, 70_000).Select(_ => random.Next()).ToArray();
        var lines = OrdersTogether(seeds).Select((p, i) => p with { Customer = MemberId.From(1 + (i * 7919 % 30_000)) }).ToArray();
        var segmenter = new RfmpSegmenter(Options());

        segmenter.Aggregate(lines, out var exclusions).Should().Equal(segmenter.Aggregate(lines.Select(p => p), out var streamed));
        exclusions.Should().Be(streamed);
    }

    [Fact]
    public void The_first_bad_line_is_reported_when_several_parts_have_one()
    {
        var lines = Enumerable.Range(1, 40).Select(i => Purchase(i, "o" + i, AsOf, 1m)).ToArray();
        lines[34] = Purchase(35, "o35", AsOf, -2m);
        lines[11] = Purchase(12, "o12", AsOf, 3m, " ");

        var act = () => OnePass(lines, 2, out _);

        act.Should().Throw<ArgumentException>().WithParameterName("purchases").WithMessage(
            "Purchase #12 (customer 12, order o12) lists a null or blank product category; leave unknown categories out of the list. (Parameter 'purchases')");
    }

    [Fact]
    public void A_bad_line_in_a_later_part_is_reported_with_its_batch_position()
    {
        var lines = Enumerable.Range(1, 40).Select(i => Purchase(i, "o" + i, AsOf, 1m)).ToArray();
        lines[34] = Purchase(35, "o35", AsOf + Duration.FromDays(1), -2m);

        var act = () => OnePass(lines, 2, out _);

        act.Should().Throw<ArgumentException>().WithParameterName("purchases").WithMessage(
            "Purchase #35 (customer 35, order o35) has a negative net amount (-2.00 EUR); net refunds against the orders they reverse before segmenting. (Parameter 'purchases')");
    }

    [Fact]
    public void An_excluded_line_with_a_blank_category_is_still_refused()
    {
        var lines = Enumerable.Range(1, 10).Select(i => Purchase(i, "o" + i, AsOf, 1m)).ToArray();
        lines[6] = new Purchase(MemberId.From(7), OrderId.From("o7"), AsOf + Duration.FromDays(1), Money.FromDecimal(1m, Currency.EUR), ["books", null!]);

        var act = () => OnePass(lines, 1, out _);

        act.Should().Throw<ArgumentException>().WithParameterName("purchases").WithMessage(
            "Purchase #7 (customer 7, order o7) lists a null or blank product category; leave unknown categories out of the list. (Parameter 'purchases')");
    }
}
