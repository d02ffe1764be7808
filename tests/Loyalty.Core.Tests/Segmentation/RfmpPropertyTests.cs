using FsCheck.Xunit;
using Loyalty.Core.Segmentation;
using static Loyalty.Core.Tests.Segmentation.SegmentationData;

namespace Loyalty.Core.Tests.Segmentation;

/// <summary>Invariants of the scores, checked on generated customer bases.</summary>
public class RfmpPropertyTests
{
    /// <summary>Turns generated integers into customers with small, often tied values.</summary>
    private static CustomerActivity[] Customers(int[] seeds) =>
        seeds.Select((s, i) =>
        {
            var v = (uint)s;
            return Customer(i + 1, daysAgo: (int)(v % 400), orders: 1 + (int)(v / 400 % 12), amount: v / 4800 % 500 / 4m, categories: (int)(v / 2_400_000 % 6));
        }).ToArray();

    private static int ScoreCount(byte k) => 2 + (k % 9);

    [Property(MaxTest = 200 / PropertyRuns.Divisor)]
    public bool Scores_are_always_within_1_to_k(int[] seeds, byte kSeed)
    {
        var k = ScoreCount(kSeed);
        var result = new RfmpSegmenter(Options(k)).Segment(Customers(seeds));
        return result.Customers.All(c => Enum.GetValues<RfmpDimension>().All(d => c.ScoreOf(d) >= 1 && c.ScoreOf(d) <= k))
            && result.Dimensions.All(d => d.CustomersPerScore.Count == k && d.CustomersPerScore.Sum() == seeds.Length);
    }

    [Property(MaxTest = 200 / PropertyRuns.Divisor)]
    public bool A_customer_with_more_orders_never_gets_a_lower_frequency_score(int[] seeds, byte kSeed)
    {
        var scores = new RfmpSegmenter(Options(ScoreCount(kSeed))).Segment(Customers(seeds)).Customers;
        var byOrders = scores.OrderBy(c => c.Orders).ToArray();
        return byOrders.Zip(byOrders.Skip(1)).All(p => p.First.Orders == p.Second.Orders
            ? p.First.FrequencyScore == p.Second.FrequencyScore
            : p.First.FrequencyScore <= p.Second.FrequencyScore);
    }

    [Property(MaxTest = 200 / PropertyRuns.Divisor)]
    public bool More_recent_and_bigger_spenders_never_score_lower(int[] seeds)
    {
        var scores = new RfmpSegmenter(Options()).Segment(Customers(seeds)).Customers;
        var byDays = scores.OrderBy(c => c.RecencyDays).ToArray();
        var byAmount = scores.OrderBy(c => c.NetAmount).ToArray();
        return byDays.Zip(byDays.Skip(1)).All(p => p.First.RecencyScore >= p.Second.RecencyScore)
            && byAmount.Zip(byAmount.Skip(1)).All(p => p.First.MonetaryScore <= p.Second.MonetaryScore);
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public bool Input_order_never_changes_a_customer_score(int[] seeds, int shuffleSeed)
    {
        var customers = Customers(seeds);
        var segmenter = new RfmpSegmenter(Options());
        var expected = segmenter.Segment(customers);
        var shuffled = customers.ToArray();
        new Random(shuffleSeed).Shuffle(shuffled);
        var actual = segmenter.Segment(shuffled);
        var byCustomer = expected.Customers.ToDictionary(c => c.Customer);
        return actual.Customers.All(c => byCustomer[c.Customer] == c)
            && actual.Dimensions.Zip(expected.Dimensions).All(p => p.First.CutPoints.SequenceEqual(p.Second.CutPoints))
            && actual.Report.SequenceEqual(expected.Report);
    }

    [Property(MaxTest = 200 / PropertyRuns.Divisor)]
    public bool Cut_points_are_the_sorted_values_at_ranks_ceiling_n_j_over_k(int[] values, byte kSeed)
    {
        var k = ScoreCount(kSeed);
        var sorted = values.Order().ToArray();
        var cuts = QuantileSelector.CutPoints(values.ToArray().AsSpan(), k);
        var expected = values.Length == 0
            ? []
            : Enumerable.Range(1, k - 1).Select(j => sorted[(int)Math.Ceiling((double)values.Length * j / k) - 1]).ToArray();
        return cuts.SequenceEqual(expected);
    }
}
