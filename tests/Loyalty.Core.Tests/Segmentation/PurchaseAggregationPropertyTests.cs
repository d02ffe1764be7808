using FsCheck.Xunit;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;
using static Loyalty.Core.Tests.Segmentation.SegmentationData;

namespace Loyalty.Core.Tests.Segmentation;

/// <summary>
/// The purchase aggregation agrees with a plain group-by of the same lines, whether the lines
/// are streamed or handed over as an in-memory batch, and whatever their order.
/// </summary>
public class PurchaseAggregationPropertyTests
{
    /// <summary>
    /// Turns generated integers into purchase lines over few customers and few order ids (so the
    /// same order id is shared by several customers and orders have several lines), some after
    /// the as-of instant, with categories from a catalogue larger than 64.
    /// </summary>
    private static Purchase[] Lines(int[] seeds) =>
        seeds.Select(s =>
        {
            var v = (uint)s;
            var customer = 1 + (v % 7);
            var order = "o" + (v / 7 % 6);
            var at = AsOf - Duration.FromHours(v / 42 % 2000) + Duration.FromHours(5);
            var amount = v / 84_000 % 400 / 4m;
            var categories = Enumerable.Range(0, (int)(v % 3)).Select(i => "c" + ((v / 100 + (uint)i * 31) % 70)).ToArray();
            return Purchase(customer, order, at, amount, categories);
        }).ToArray();

    [Property(MaxTest = 200 / PropertyRuns.Divisor)]
    public bool Aggregation_equals_a_group_by_of_the_lines(int[] seeds, int shuffleSeed)
    {
        var lines = Lines(seeds);
        var shuffled = lines.ToArray();
        new Random(shuffleSeed).Shuffle(shuffled);
        var segmenter = new RfmpSegmenter(Options());
        var expected = GroupBy(lines);

        var streamed = segmenter.Aggregate(shuffled.Select(p => p), out var exclusions);
        return streamed.SequenceEqual(expected)
            && exclusions.AfterAsOf == lines.Count(p => p.PlacedAt > AsOf)
            && segmenter.Aggregate(shuffled, out _).SequenceEqual(expected);
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public bool Purchase_cycles_see_each_order_once_at_its_earliest_line(int[] seeds, int shuffleSeed)
    {
        var lines = Lines(seeds);
        var shuffled = lines.ToArray();
        new Random(shuffleSeed).Shuffle(shuffled);
        var expected = lines.Where(p => p.PlacedAt <= AsOf)
            .GroupBy(p => p.Customer)
            .ToDictionary(g => g.Key, g => g.GroupBy(p => p.Order).Select(o => o.Min(p => p.PlacedAt)).Order().ToArray());

        var report = new RfmpSegmenter(Options()).PurchaseCycles(shuffled);
        return report.Cycles.Count == expected.Values.Count(t => t.Select(i => i.InUtc().Date).Distinct().Count() >= 3)
            && report.Cycles.All(c => c.Orders == expected[c.Customer].Length
            && c.PurchaseDays == expected[c.Customer].Select(i => i.InUtc().Date).Distinct().Count()
            && c.FirstPurchase == expected[c.Customer][0].InUtc().Date
            && c.LastPurchase == expected[c.Customer][^1].InUtc().Date);
    }

    [Fact]
    public void A_large_batch_equals_a_group_by_of_the_lines()
    {
        // Arrays of 32,768 purchases or more are aggregated partition by partition.
        var random = new Random(5);
        var lines = Lines(Enumerable.Range(0, 40_000).Select(_ => random.Next()).ToArray())
            .Select((p, i) => p with { Customer = MemberId.From(1 + (i % 5_000)) })
            .ToArray();

        new RfmpSegmenter(Options()).Aggregate(lines, out _).Should().Equal(GroupBy(lines));
    }
    [Fact]
    public void A_large_batch_with_categories_in_lists_equals_a_group_by_of_the_lines()
    {
        // Categories handed over as any read-only list (not only arrays) count the same, in a
        // batch where 50 customers have hundreds of lines each and 20,000 others a few.
        var random = new Random(11);
        var lines = Lines(Enumerable.Range(0, 70_000).Select(_ => random.Next()).ToArray())
            .Select((p, i) => p with
            {
                Customer = MemberId.From(1 + (i < 35_000 ? i % 50 : i % 20_000)),
                Categories = i % 2 == 0 ? p.Categories : p.Categories?.ToList(),
            })
            .ToArray();

        new RfmpSegmenter(Options()).Aggregate(lines, out _).Should().Equal(GroupBy(lines));
    }
}
