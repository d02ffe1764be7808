using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;
using static Loyalty.Core.Tests.Segmentation.SegmentationData;

namespace Loyalty.Core.Tests.Segmentation;

/// <summary>
/// Edges of the purchase aggregation, on every path a batch can take: streamed line by line, a
/// small in-memory batch, and the one-pass batch in one or several parts.
/// </summary>
public class PurchaseAggregatorEdgeTests
{
    private static readonly Instant WindowStart = AsOf - Duration.FromDays(30);

    /// <summary>How the lines are handed over.</summary>
    public enum Path
    {
        Streamed,
        SmallBatch,
        OnePass,
        TwoParts,
        ThreeParts,
    }

    public static TheoryData<Path> Paths() => new(Enum.GetValues<Path>());

    private static PurchaseAggregator Aggregator(Path path, Instant? windowStart = null, bool trackOrderTimes = false) => path switch
    {
        Path.OnePass => new PurchaseAggregator(Currency.EUR, AsOf, windowStart, trackOrderTimes, minimumOnePassBatch: 1, parts: 1),
        Path.TwoParts => new PurchaseAggregator(Currency.EUR, AsOf, windowStart, trackOrderTimes, minimumOnePassBatch: 1, parts: 2),
        Path.ThreeParts => new PurchaseAggregator(Currency.EUR, AsOf, windowStart, trackOrderTimes, minimumOnePassBatch: 1, parts: 3),
        _ => new PurchaseAggregator(Currency.EUR, AsOf, windowStart, trackOrderTimes),
    };

    private static CustomerActivity[] Aggregate(Path path, Purchase[] lines, out PurchaseExclusions exclusions, Instant? windowStart = null)
    {
        var aggregator = Aggregator(path, windowStart);
        aggregator.AddAll(path == Path.Streamed ? lines.Select(p => p) : lines);
        exclusions = aggregator.Exclusions;
        return aggregator.ToActivities();
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void The_as_of_instant_and_the_window_start_are_inside_the_window(Path path)
    {
        Purchase[] lines =
        [
            Purchase(1, "at-as-of", AsOf, 1m),
            Purchase(2, "after", AsOf + Duration.Epsilon, 2m),
            Purchase(3, "at-start", WindowStart, 3m),
            Purchase(4, "before", WindowStart - Duration.Epsilon, 4m),
            Purchase(5, "inside", AsOf - Duration.FromDays(1), 5m),
            Purchase(2, "after-again", AsOf + Duration.FromDays(1), 2m),
        ];

        var result = Aggregate(path, lines, out var exclusions, WindowStart);

        result.Select(c => c.Customer.Value).Should().Equal("1", "3", "5");
        result.Select(c => c.LastPurchaseAt).Should().Equal(AsOf, WindowStart, AsOf - Duration.FromDays(1));
        exclusions.Should().Be(new PurchaseExclusions(AfterAsOf: 2, BeforeWindow: 1));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Without_a_window_purchases_from_before_1970_count(Path path)
    {
        Purchase[] lines =
        [
            Purchase(1, "a", Instant.FromUtc(1969, 7, 20, 20, 17), 1m),
            Purchase(1, "b", Instant.FromUtc(1950, 1, 1, 0, 0), 1m),
            Purchase(2, "c", AsOf, 1m),
        ];

        var result = Aggregate(path, lines, out var exclusions);

        result.Should().Equal(
            CustomerActivity.From(MemberId.From(1), Instant.FromUtc(1969, 7, 20, 20, 17), 2, Money.FromDecimal(2m, Currency.EUR), 0),
            CustomerActivity.From(MemberId.From(2), AsOf, 1, Money.FromDecimal(1m, Currency.EUR), 0));
        exclusions.Should().BeSameAs(PurchaseExclusions.None);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void More_than_64_categories_are_all_counted(Path path)
    {
        // Customer 1 buys 70 categories, then 70 more of which 60 it already had; customer 2 two
        // categories seen late (their ids are above 64) and one early; categories come as arrays and lists.
        var lines = new List<Purchase>();
        lines.AddRange(Enumerable.Range(0, 70).Select(i => Purchase(1, "o1", AsOf - Duration.FromDays(2), 1m, "c" + i)));
        lines.Add(Purchase(2, "o2", AsOf, 1m, "c0") with { Categories = new List<string> { "c64", "c0" } });
        lines.Add(Purchase(2, "o3", AsOf, 1m, "c65", "c69"));
        lines.AddRange(Enumerable.Range(10, 70).Select(i => Purchase(1, "o4", AsOf - Duration.FromDays(1), 1m) with { Categories = new List<string> { "c" + i } }));
        var batch = lines.ToArray();

        var result = Aggregate(path, batch, out _);

        result.Select(c => c.Categories).Should().Equal(80, 4);
        result.Should().Equal(GroupBy(batch));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void The_same_category_strings_passed_over_and_over_count_as_their_own_categories(Path path)
    {
        // One catalogue of string instances reused on every line, as a shop's product table would be.
        string[] catalogue = ["books", "music", "games", "toys", "garden", "kitchen", "sports"];
        var lines = Enumerable.Range(0, 200)
            .Select(i => Purchase(1 + (i % 9), "o" + (i % 5), AsOf - Duration.FromHours(i), 1m, catalogue[i % 7], catalogue[(i / 7) % 7]))
            .ToArray();

        var result = Aggregate(path, lines, out _);

        result.Should().Equal(GroupBy(lines));
        result.Select(c => c.Categories).Should().OnlyContain(n => n == 7);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_customer_buying_a_single_category_again_and_again_has_one(Path path)
    {
        string[] catalogue = ["books", "music", "games"];
        var lines = Enumerable.Range(0, 60)
            .Select(i => Purchase(1 + (i % 3), "o" + i, AsOf - Duration.FromHours(i), 1m, catalogue[i % 3]))
            .ToArray();

        var result = Aggregate(path, lines, out _);

        result.Select(c => c.Categories).Should().Equal(1, 1, 1);
        result.Select(c => c.Orders).Should().Equal(20, 20, 20);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void An_order_seen_again_after_another_counts_once(Path path)
    {
        // Forty customers, each with order x, then y, then x again, the customers interleaved (the ids are shared by all).
        var lines = new[] { "x", "y", "x" }
            .SelectMany((order, round) => Enumerable.Range(1, 40).Select(c => Purchase(c, order, AsOf - Duration.FromHours(round), 1m)))
            .ToArray();

        var result = Aggregate(path, lines, out _);

        result.Should().HaveCount(40).And.OnlyContain(c => c.Orders == 2 && c.NetAmount.Amount == 3m);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Customers_sharing_order_ids_have_their_own_orders(Path path)
    {
        Purchase[] lines =
        [
            Purchase(1, "A", AsOf, 1m), Purchase(2, "A", AsOf, 1m), Purchase(1, "B", AsOf, 1m), Purchase(2, "A", AsOf, 1m),
            Purchase(3, "B", AsOf, 1m), Purchase(1, "A", AsOf, 1m),
        ];

        var result = Aggregate(path, lines, out _);

        result.Select(c => c.Orders).Should().Equal(2, 1, 1);
    }

    [Fact]
    public void An_order_repeated_in_the_second_and_third_parts_counts_once()
    {
        // Three parts of forty lines: every customer's order a in the first, b in the second and b again in the third.
        var lines = new[] { "a", "b", "b" }
            .SelectMany((order, part) => Enumerable.Range(1, 40).Select(c => Purchase(c, $"{order}{c}", AsOf - Duration.FromHours(part), 1m, $"k{part}")))
            .ToArray();

        var result = Aggregate(Path.ThreeParts, lines, out _);

        result.Should().Equal(GroupBy(lines));
        result.Should().OnlyContain(c => c.Orders == 2 && c.Categories == 3 && c.LastPurchaseAt == AsOf);
    }

    [Fact]
    public void A_customer_whose_latest_line_is_in_the_first_part_keeps_it()
    {
        Purchase[] lines =
        [
            Purchase(1, "a", AsOf - Duration.FromDays(1), 1m), Purchase(2, "b", AsOf - Duration.FromDays(9), 1m),
            Purchase(1, "c", AsOf - Duration.FromDays(5), 1m), Purchase(2, "d", AsOf - Duration.FromDays(2), 1m),
        ];

        var result = Aggregate(Path.TwoParts, lines, out _);

        result.Select(c => c.LastPurchaseAt).Should().Equal(AsOf - Duration.FromDays(1), AsOf - Duration.FromDays(2));
        result.Select(c => c.Orders).Should().Equal(2, 2);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Many_distinct_customers_in_each_part_are_all_kept(Path path)
    {
        // More customers than half a part's table: the customer tables grow, and the merge grows the first part's.
        var lines = Enumerable.Range(0, 900)
            .Select(i => Purchase(1 + (i * 7 % 600), "o" + (i % 4), AsOf - Duration.FromMinutes(i), 1m + (i % 3), "c" + (i % 5)))
            .ToArray();

        var result = Aggregate(path, lines, out _);

        result.Should().HaveCount(600).And.Equal(GroupBy(lines));
    }

    public static TheoryData<Path, int, string> BadLines() => new()
    {
        { Path.OnePass, 0, "Purchase #8 has no customer (default(MemberId)); set Customer with MemberId.From(...). (Parameter 'purchases')" },
        { Path.TwoParts, 0, "Purchase #28 has no customer (default(MemberId)); set Customer with MemberId.From(...). (Parameter 'purchases')" },
        { Path.TwoParts, 1, "Purchase #28 (customer 28) has no order (default(OrderId)); set Order with OrderId.From(...). (Parameter 'purchases')" },
        { Path.TwoParts, 2, "Purchase #28 (customer 28, order o28) is in USD but the programme's currency is EUR; convert it before segmenting (no conversion is ever made). (Parameter 'purchases')" },
        { Path.TwoParts, 3, "Purchase #28 (customer 28, order o28) lists a null or blank product category; leave unknown categories out of the list. (Parameter 'purchases')" },
        { Path.ThreeParts, 4, "Purchase #28 (customer 28, order o28) lists a null or blank product category; leave unknown categories out of the list. (Parameter 'purchases')" },
        { Path.Streamed, 4, "Purchase #28 (customer 28, order o28) lists a null or blank product category; leave unknown categories out of the list. (Parameter 'purchases')" },
        { Path.SmallBatch, 3, "Purchase #28 (customer 28, order o28) lists a null or blank product category; leave unknown categories out of the list. (Parameter 'purchases')" },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public void A_bad_line_is_reported_with_its_position_in_the_batch(Path path, int fault, string message)
    {
        var lines = Enumerable.Range(1, 40).Select(i => Purchase(i, "o" + i, AsOf, 1m, "books")).ToArray();
        var good = lines[27];
        lines[27] = fault switch
        {
            0 => good with { Customer = default },
            1 => good with { Order = default },
            2 => good with { NetAmount = Money.FromDecimal(1m, "USD") },
            3 => good with { Categories = new List<string> { "books", " " } },
            _ => good with { Categories = ["books", null!] },
        };
        if (path == Path.OnePass)
        {
            lines = lines.Take(30).Skip(20).ToArray();
            message = message.Replace("#28", "#8", StringComparison.Ordinal);
        }

        var act = () => Aggregate(path, lines, out _);

        act.Should().Throw<ArgumentException>().WithParameterName("purchases").WithMessage(message);
    }

    [Fact]
    public void Lines_streamed_before_a_batch_are_kept_and_numbered_first()
    {
        var aggregator = Aggregator(Path.TwoParts);
        aggregator.Add(Purchase(1, "a", AsOf, 1m));
        aggregator.Add(Purchase(9, "z", AsOf + Duration.FromDays(1), 1m));

        aggregator.AddAll(new[] { Purchase(2, "b", AsOf, 2m), Purchase(1, "c", AsOf, 3m) });
        aggregator.Add(Purchase(3, "d", AsOf, 4m));

        aggregator.ToActivities().Select(c => (c.Customer.Value, c.Orders, c.NetAmount.Amount)).Should().Equal(("1", 2, 4m), ("2", 1, 2m), ("3", 1, 4m));
        aggregator.Exclusions.Should().Be(new PurchaseExclusions(1, 0));
        var bad = () => aggregator.Add(Purchase(4, "e", AsOf, -1m));
        bad.Should().Throw<ArgumentException>().WithMessage("Purchase #6 (customer 4, order e)*");
    }

    [Fact]
    public void Excluded_lines_streamed_before_a_batch_shift_its_positions()
    {
        var aggregator = Aggregator(Path.TwoParts);
        aggregator.Add(Purchase(9, "z", AsOf + Duration.FromDays(1), 1m));
        aggregator.Add(Purchase(9, "y", AsOf + Duration.FromDays(2), 1m));
        var lines = Enumerable.Range(1, 10).Select(i => Purchase(i, "o" + i, AsOf, 1m)).ToArray();
        lines[7] = lines[7] with { NetAmount = Money.FromDecimal(-1m, Currency.EUR) };

        var act = () => aggregator.AddAll(lines);

        act.Should().Throw<ArgumentException>().WithMessage("Purchase #10 (customer 8, order o8) has a negative net amount*");
    }

    [Theory]
    [InlineData(Path.OnePass)]
    [InlineData(Path.TwoParts)]
    public void After_a_one_pass_batch_the_aggregator_takes_no_more_purchases(Path path)
    {
        var aggregator = Aggregator(path);
        aggregator.AddAll(new[] { Purchase(1, "a", AsOf, 1m), Purchase(2, "b", AsOf, 1m) });

        var more = () => aggregator.Add(Purchase(3, "c", AsOf, 1m));
        var again = () => aggregator.AddAll(new[] { Purchase(3, "c", AsOf, 1m) });

        more.Should().Throw<InvalidOperationException>().WithMessage("This aggregator already took a partitioned batch; create a new one.");
        again.Should().Throw<InvalidOperationException>().WithMessage("This aggregator already took a partitioned batch; create a new one.");
        aggregator.Count.Should().Be(2);
    }

    [Fact]
    public void A_small_batch_with_order_instants_leaves_the_aggregator_open()
    {
        var aggregator = Aggregator(Path.SmallBatch, trackOrderTimes: true);

        aggregator.AddAll(new[] { Purchase(1, "a", AsOf - Duration.FromDays(2), 1m), Purchase(1, "b", AsOf - Duration.FromDays(4), 1m) });
        aggregator.AddAll(new[] { Purchase(1, "c", AsOf, 1m), Purchase(2, "d", AsOf, 1m) });
        aggregator.Add(Purchase(1, "a", AsOf - Duration.FromDays(3), 1m));

        aggregator.Count.Should().Be(2);
        aggregator.OrderTimes(0).Should().Equal(AsOf - Duration.FromDays(4), AsOf - Duration.FromDays(3), AsOf);
        aggregator.OrderTimes(1).Should().Equal(AsOf);
        aggregator.CustomerAt(1).Should().Be(MemberId.From(2));
    }

    [Fact]
    public void Order_instants_are_only_read_from_an_aggregator_that_keeps_them()
    {
        var aggregator = Aggregator(Path.Streamed);
        aggregator.Add(Purchase(1, "a", AsOf, 1m));

        var act = () => aggregator.OrderTimes(0);

        act.Should().Throw<InvalidOperationException>().WithMessage("This aggregator does not track order instants.");
    }
}
