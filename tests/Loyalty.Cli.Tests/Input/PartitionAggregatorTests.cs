using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Cli.Input;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;

namespace Loyalty.Cli.Tests.Input;

public class PartitionAggregatorTests
{
    private static readonly Instant Start = Instant.FromUtc(2024, 1, 1, 0, 0);

    private static RfmpOptions OptionsAsOf(int day, bool window) => new()
    {
        AsOf = Start.Plus(Duration.FromDays(day)),
        TimeZone = DateTimeZone.ForOffset(Offset.FromHours(2)),
        Currency = Currency.EUR,
        Window = window ? Period.FromDays(20) : null,
    };

    private static PurchaseStore Store(IReadOnlyList<Purchase> purchases, int threads, int partitions)
    {
        var store = new PurchaseStore(1, threads, long.MaxValue, partitions);
        for (var i = 0; i < purchases.Count; i++)
        {
            var p = purchases[i];
            store.WriterOf(i % threads).Append(p.Customer.Value, p.Order.Value, p.PlacedAt, p.NetAmount.Amount, p.Categories is null ? null : [p.Categories[0]]);
        }

        store.Complete();
        return store;
    }

    // Totals stay within decimal's 28 significant digits (beyond, a sum rounds and depends on the
    // order of the additions, which in the library's own parallel path is not the input's either).
    [Property(MaxTest = 300, Replay = "(16845455465109450851,2486005713975486149,78)")]
    public Property Aggregates_exactly_as_the_library_for_every_as_of_date_and_window()
    {
        var customer = Gen.Elements("a", "b", "c-12345678901234567890", "é", "日本", "😀x", "Z", "a b");
        var order = Gen.Elements("1", "2", "3", "ord-000000001", "ü");
        var amount = Gen.OneOf(
            Gen.Choose(0, 100_000).Select(c => c / 100m),
            Gen.Elements(12345678901234567890.5m, 0.001m, 12345678901234567.5m, -0m));
        var category = Gen.OneOf(Gen.Constant<string?>(null), Gen.Choose(0, 90).Select(c => (string?)$"c{c}"));
        var purchase = from c in customer
                       from o in order
                       from hours in Gen.Choose(0, 60 * 24)
                       from a in amount
                       from k in category
                       select new Purchase(MemberId.From(c), OrderId.From(o), Start.Plus(Duration.FromHours(hours)), Money.FromDecimal(a, Currency.EUR), k is null ? null : [k]);
        var input = from list in Gen.ListOf(purchase)
                    from threads in Gen.Choose(1, 4)
                    from partitions in Gen.Choose(1, 9)
                    from day in Gen.Choose(1, 70)
                    from window in Gen.Elements(true, false)
                    select (list.ToList(), threads, partitions, day, window);
        return Prop.ForAll(input.ToArbitrary(), t =>
        {
            var (purchases, threads, partitions, day, window) = t;
            var options = new[] { OptionsAsOf(day, window), OptionsAsOf(day / 2 + 1, !window) };
            using var store = Store(purchases, threads, partitions);

            var aggregated = PartitionAggregator.Aggregate(store, options, threads);

            return options.Select((o, i) =>
            {
                var expected = new RfmpSegmenter(o).Aggregate(purchases, out var exclusions);
                return aggregated[i].Customers.SequenceEqual(expected) && aggregated[i].Exclusions == exclusions;
            }).All(ok => ok);
        });
    }

    [Fact]
    public void Customers_come_in_ordinal_order_of_their_ids()
    {
        var ids = new[] { "b", "a", "B", "é", "aa", "😀", "\uFFFD" };
        var purchases = ids.Select((id, i) => new Purchase(MemberId.From(id), OrderId.From("1"), Start, Money.FromDecimal(i, Currency.EUR))).ToList();
        using var store = Store(purchases, 2, 3);

        var customers = PartitionAggregator.Aggregate(store, [OptionsAsOf(1, false)], 2)[0].Customers;

        customers.Select(c => c.Customer.Value).Should().Equal(ids.Order(StringComparer.Ordinal));
    }
}
