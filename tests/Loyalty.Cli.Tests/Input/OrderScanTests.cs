using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Cli.Input;
using Loyalty.Cli.Tests.Infrastructure;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;

namespace Loyalty.Cli.Tests.Input;

public class OrderScanTests
{
    private static readonly RfmpOptions Options = new()
    {
        AsOf = Instant.FromUtc(1998, 6, 30, 12, 0),
        TimeZone = DateTimeZone.Utc,
        Currency = Currency.USD,
        Window = Period.FromMonths(12),
    };

    private static readonly OrderCsvFormat Format = new() { Currency = Currency.USD };

    /// <summary>The file read by one reader, aggregated by the library: what every split read must give.</summary>
    internal static (IReadOnlyList<CustomerActivity> Customers, PurchaseExclusions Exclusions, long Lines) Expected(string path, RfmpOptions options)
    {
        using var reader = OrderCsvReader.Open(path, Format);
        var buffer = new Purchase[1000];
        var lines = new long[1000];
        var all = new List<Purchase>();
        int count;
        while ((count = reader.Read(buffer, lines)) > 0)
        {
            all.AddRange(buffer.Take(count));
        }

        var customers = new RfmpSegmenter(options).Aggregate(all, out var exclusions);
        return (customers, exclusions, reader.Lines);
    }

    internal static (CustomerActivity[] Customers, PurchaseExclusions Exclusions, long Lines, bool Split) Scanned(string path, RfmpOptions options, int threads, long minimumRange, int partitions = 5, long inMemoryLimit = long.MaxValue)
    {
        using var reader = OrderCsvReader.Open(path, Format);
        var scan = new OrderScan(reader, threads, minimumRange);
        using var store = new PurchaseStore(reader.Length, scan.Threads, inMemoryLimit, partitions);
        var lines = scan.ReadInto(store);
        var (customers, exclusions) = PartitionAggregator.Aggregate(store, [options], threads)[0];
        return (customers, exclusions, lines, scan.Split);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 7)]
    [InlineData(5, 64)]
    public void Reading_the_file_in_ranges_on_several_threads_gives_exactly_the_customers_of_one_read(int threads, int partitions)
    {
        var expected = Expected(Tool.Excerpt, Options);

        var scanned = Scanned(Tool.Excerpt, Options, threads, minimumRange: 1024, partitions);

        scanned.Split.Should().Be(threads > 1);
        scanned.Customers.Should().Equal(expected.Customers);
        scanned.Exclusions.Should().Be(expected.Exclusions);
        scanned.Exclusions.BeforeWindow.Should().BePositive();
        scanned.Lines.Should().Be(expected.Lines).And.Be(6937);
    }

    [Fact]
    public void Lines_of_one_order_split_between_ranges_count_as_one_order()
    {
        var text = new StringBuilder("customer,order,date,amount,category\n");
        for (var i = 0; i < 400; i++)
        {
            text.Append("a,1,1998-01-05,1.25,shoes\n");
        }

        text.Append("a,2,1998-02-05,3,socks\nb,3,1998-03-01,7.00,\n");
        var path = Tool.TempFile("orders.csv", text.ToString());

        var scanned = Scanned(path, Options, threads: 4, minimumRange: 100);

        scanned.Split.Should().BeTrue();
        var a = scanned.Customers.Single(c => c.Customer == MemberId.From("a"));
        (a.Orders, a.NetAmount.Amount, a.Categories).Should().Be((2, 503m, 2));
        scanned.Customers.Should().Equal(Expected(path, Options).Customers);
    }

    [Fact]
    public void A_file_with_quotes_is_read_whole_so_a_quoted_line_break_is_never_a_range_boundary()
    {
        var text = new StringBuilder("customer,order,date,amount,category\n");
        for (var i = 0; i < 300; i++)
        {
            text.Append(i % 50 == 7 ? $"c{i % 13},o{i},1998-01-05,2.5,\"two\nlines, and a comma\"\n" : $"c{i % 13},o{i},1998-01-0{1 + (i % 9)},2.5,plain\n");
        }

        var path = Tool.TempFile("orders.csv", text.ToString());

        var scanned = Scanned(path, Options, threads: 4, minimumRange: 64);

        scanned.Split.Should().BeFalse();
        var expected = Expected(path, Options);
        scanned.Customers.Should().Equal(expected.Customers);
        scanned.Lines.Should().Be(300);
    }

    [Fact]
    public void A_bad_line_in_a_later_range_is_reported_with_its_line_number_in_the_file()
    {
        var text = new StringBuilder("customer,order,date,amount\n");
        for (var i = 0; i < 500; i++)
        {
            text.Append(i == 431 ? "c1,o431,1998-02-30,1.00\n" : $"c{i % 17},o{i},1998-01-05,1.00\n");
        }

        var path = Tool.TempFile("orders.csv", text.ToString());

        var act = () => Scanned(path, Options, threads: 4, minimumRange: 64);

        act.Should().Throw<InputException>().Which.Message.Should().Be(
            $"{path} line 433, column 'date': '1998-02-30' is not a date in the format yyyy-MM-dd (like 2026-03-14); fix the line, or give the file's format with --date-format.");
    }

    [Fact]
    public void A_file_that_spills_to_temporary_files_gives_the_same_customers_and_leaves_no_file()
    {
        var before = Directory.GetDirectories(Path.GetTempPath(), "loyalty-partitions-*");
        var expected = Expected(Tool.Excerpt, Options);

        var scanned = Scanned(Tool.Excerpt, Options, threads: 2, minimumRange: 4096, partitions: 3, inMemoryLimit: 0);

        scanned.Customers.Should().Equal(expected.Customers);
        scanned.Exclusions.Should().Be(expected.Exclusions);
        Directory.GetDirectories(Path.GetTempPath(), "loyalty-partitions-*").Should().BeEquivalentTo(before);
    }

    [Property(MaxTest = 200)]
    public Property Any_text_read_in_ranges_gives_the_customers_or_the_first_bad_line_of_one_read()
    {
        var customer = Gen.Elements("a", "b", "é", "c d", " x", "日本", "a\"b", "");
        var order = Gen.Elements("1", "2", "3", "o 1");
        var date = Gen.Elements("1998-01-05", "1998-06-30", "1998-07-01", "1997-01-01", "1998-02-30", "05/01/1998");
        var amount = Gen.Elements("1.5", "0", "-1", "12,5", "79228162514264337593543950.335", "3");
        var category = Gen.Elements(string.Empty, "shoes", "socks", "\"qu,oted\"", " ");
        var ends = Gen.Elements("\n", "\n", "\r\n", "\n\n", ",\n");
        var line = from c in customer
                   from o in order
                   from d in date
                   from a in amount
                   from k in category
                   from e in ends
                   select $"{c},{o},{d},{a},{k}{e}";
        var files = Gen.ListOf(line).Select(lines => "customer,order,date,amount,category\n" + string.Concat(lines));
        var threads = Gen.Choose(2, 4);
        return Prop.ForAll(files.ToArbitrary(), threads.ToArbitrary(), (content, n) =>
        {
            var path = Tool.TempFile("orders.csv", content);
            string? expectedError = null;
            (IReadOnlyList<CustomerActivity> Customers, PurchaseExclusions Exclusions, long Lines) expected = ([], PurchaseExclusions.None, 0);
            try
            {
                expected = Expected(path, Options);
            }
            catch (InputException ex)
            {
                expectedError = ex.Message;
            }

            try
            {
                var scanned = Scanned(path, Options, n, minimumRange: 8, partitions: 3);
                return expectedError is null
                    && scanned.Customers.SequenceEqual(expected.Customers)
                    && scanned.Exclusions == expected.Exclusions
                    && scanned.Lines == expected.Lines;
            }
            catch (InputException ex)
            {
                return ex.Message == expectedError;
            }
        });
    }
}
