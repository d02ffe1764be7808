using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;
using static Loyalty.Core.Tests.Segmentation.SegmentationData;

namespace Loyalty.Core.Tests.Segmentation;

/// <summary>
/// Batches large enough for the paths small inputs never take: the customer-hash partitions of a
/// batch, and the one-pass batch with its customers sorted, filled and deduplicated on two
/// threads. Each is checked against a plain LINQ computation over the same lines.
/// </summary>
public class LargeBatchAggregationTests
{
    private static readonly Instant WindowStart = AsOf - Duration.FromDays(60);

    /// <summary>
    /// 40,000 lines over 5,000 customers sharing six order ids, some after the as-of instant or
    /// before the window, categories as arrays or lists.
    /// </summary>
    private static Purchase[] Lines()
    {
        var random = new Random(21);
        return Enumerable.Range(0, 40_000).Select(i =>
        {
            var r = random.Next();
            var categories = Enumerable.Range(0, r % 3).Select(k => "c" + ((r / 7 + (k * 31)) % 90)).ToArray();
            return new Purchase(
                MemberId.From(1 + (r % 5_000)),
                OrderId.From("o" + (r / 5_000 % 6)),
                AsOf - Duration.FromHours(r / 30_000 % 2_000) + Duration.FromHours(5),
                Money.FromDecimal(r / 11 % 400 / 4m, Currency.EUR),
                i % 2 == 0 ? categories : categories.ToList());
        }).ToArray();
    }

    [Fact]
    public void A_batch_taken_partition_by_partition_equals_a_group_by_of_the_lines()
    {
        var lines = Lines();
        var aggregator = new PurchaseAggregator(Currency.EUR, AsOf, WindowStart, trackOrderTimes: false, minimumOnePassBatch: int.MaxValue);

        aggregator.AddAll(lines);

        aggregator.ToActivities().Should().Equal(GroupBy(lines, WindowStart));
        aggregator.Exclusions.Should().Be(new PurchaseExclusions(
            lines.Count(p => p.PlacedAt > AsOf), lines.Count(p => p.PlacedAt <= AsOf && p.PlacedAt < WindowStart)));
        var more = () => aggregator.Add(Purchase(1, "x", AsOf, 1m));
        more.Should().Throw<InvalidOperationException>().WithMessage("This aggregator already took a partitioned batch; create a new one.");
    }

    [Fact]
    public void A_partitioned_batch_keeps_each_orders_earliest_instant()
    {
        var lines = Lines();
        var aggregator = new PurchaseAggregator(Currency.EUR, AsOf, WindowStart, trackOrderTimes: true);
        var expected = lines.Where(p => p.PlacedAt <= AsOf && p.PlacedAt >= WindowStart)
            .GroupBy(p => p.Customer)
            .ToDictionary(g => g.Key, g => g.GroupBy(p => p.Order).Select(o => o.Min(p => p.PlacedAt)).Order().ToArray());

        aggregator.AddAll(lines);

        aggregator.Count.Should().Be(expected.Count);
        for (var index = 0; index < aggregator.Count; index++)
        {
            aggregator.OrderTimes(index).Should().Equal(expected[aggregator.CustomerAt(index)]);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Customers_sorted_on_two_threads_come_out_in_ordinal_order_whichever_half_holds_the_last_id(bool descending)
    {
        // Sorted in two halves then merged: with ids 1 to 66,000 the last in ordinal order ("9999") is
        // in the first half when the customers arrive in ascending order and in the second otherwise.
        var ids = Enumerable.Range(1, 66_000).ToArray();
        if (descending)
        {
            Array.Reverse(ids);
        }

        var lines = ids.Select(c => new Purchase(MemberId.From(c), OrderId.From("o"), AsOf, Money.FromDecimal(1m, Currency.EUR))).ToArray();
        var aggregator = new PurchaseAggregator(Currency.EUR, AsOf, null, trackOrderTimes: false, minimumOnePassBatch: 1, parts: 2);

        aggregator.AddAll(lines);

        aggregator.ToActivities().Select(c => c.Customer.Value).Should().Equal(
            ids.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_one_pass_batch_over_more_customers_than_one_thread_takes_equals_a_group_by()
    {
        // 66,000 customers (over 2 × 32,768: sorted and filled on two threads); 8,000 of them buy
        // order A, then B, then A again, enough repeated runs to be deduplicated on two threads too.
        var customers = Enumerable.Range(1, 66_000).ToArray();
        new Random(4).Shuffle(customers);
        var lines = new[] { "A", "B", "A" }
            .SelectMany((order, round) => customers.Where(c => round == 0 || c <= 8_000).Select(c => new Purchase(
                MemberId.From(c), OrderId.From(order), AsOf - Duration.FromMinutes((c % 5_000) + (round * 7)), Money.FromDecimal(1m + round, Currency.EUR),
                round == 1 ? ["c" + (c % 70)] : null)))
            .ToArray();
        var aggregator = new PurchaseAggregator(Currency.EUR, AsOf, null, trackOrderTimes: false, minimumOnePassBatch: 1, parts: 2);

        aggregator.AddAll(lines);
        var result = aggregator.ToActivities();

        result.Should().HaveCount(66_000);
        result.Where(c => int.Parse(c.Customer.Value, System.Globalization.CultureInfo.InvariantCulture) <= 8_000).Should().HaveCount(8_000)
            .And.OnlyContain(c => c.Orders == 2 && c.NetAmount.Amount == 6m && c.Categories == 1);
        result.Should().Equal(GroupBy(lines, null));
    }
}
