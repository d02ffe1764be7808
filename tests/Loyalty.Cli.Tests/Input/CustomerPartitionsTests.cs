using Loyalty.Cli.Input;
using Loyalty.Cli.Tests.Infrastructure;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;

namespace Loyalty.Cli.Tests.Input;

public class CustomerPartitionsTests
{
    private static readonly RfmpSegmenter Segmenter = new(new RfmpOptions
    {
        AsOf = Instant.FromUtc(1998, 6, 30, 12, 0),
        TimeZone = DateTimeZone.Utc,
        Currency = Currency.USD,
        Window = Period.FromMonths(12),
    });

    private static List<Purchase> Read(string path)
    {
        using var reader = OrderCsvReader.Open(path, new OrderCsvFormat { Currency = Currency.USD });
        var buffer = new Purchase[1000];
        var lines = new long[1000];
        var all = new List<Purchase>();
        int count;
        while ((count = reader.Read(buffer, lines)) > 0)
        {
            all.AddRange(buffer.Take(count));
        }

        return all;
    }

    private static List<CustomerActivity> ByPartition(IEnumerable<Purchase> purchases, int partitions, out PurchaseExclusions exclusions)
    {
        using var split = new CustomerPartitions(partitions * CustomerPartitions.BytesPerPartition, Currency.USD);
        split.AddAll(purchases);
        split.Count.Should().Be(partitions);
        var customers = new List<CustomerActivity>();
        long after = 0, before = 0;
        foreach (var partition in split.Read())
        {
            customers.AddRange(Segmenter.Aggregate(partition, out var excluded));
            after += excluded.AfterAsOf;
            before += excluded.BeforeWindow;
        }

        exclusions = new PurchaseExclusions(after, before);
        return [.. customers.OrderBy(c => c.Customer.ToString(), StringComparer.Ordinal)];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void Aggregating_partition_by_partition_gives_exactly_the_customers_of_the_whole_file(int partitions)
    {
        var purchases = Read(Tool.Excerpt);
        var whole = Segmenter.Aggregate(purchases, out var expectedExclusions);

        var split = ByPartition(purchases, partitions, out var exclusions);

        split.Should().Equal(whole);
        exclusions.Should().Be(expectedExclusions);
        exclusions.BeforeWindow.Should().BePositive();
    }

    [Fact]
    public void Lines_of_one_order_and_categories_survive_the_temporary_files()
    {
        var orders = Tool.TempFile("orders.csv", """
            customer,order,date,amount,category
            a,1,1998-01-05,10.00,shoes
            b,2,1998-01-06,5.50,
            a,1,1998-01-05,2.25,socks
            a,3,1998-03-01,7.00,shoes
            c,4,1998-06-30,0,books

            """);
        var purchases = Read(orders);

        var split = ByPartition(purchases, 3, out _);

        split.Should().Equal(Segmenter.Aggregate(purchases, out _));
        var a = split.Single(c => c.Customer == MemberId.From("a"));
        (a.Orders, a.NetAmount.Amount, a.Categories).Should().Be((2, 19.25m, 2));
    }

    [Fact]
    public void The_temporary_files_are_deleted()
    {
        string[] before = Directory.GetDirectories(Path.GetTempPath(), "loyalty-partitions-*");
        using (var split = new CustomerPartitions(3 * CustomerPartitions.BytesPerPartition, Currency.USD))
        {
            split.AddAll(Read(Tool.Excerpt));
            Directory.GetDirectories(Path.GetTempPath(), "loyalty-partitions-*").Length.Should().Be(before.Length + 1);
        }

        Directory.GetDirectories(Path.GetTempPath(), "loyalty-partitions-*").Should().BeEquivalentTo(before);
    }
}
