using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Cli.Input;
using Loyalty.Cli.Tests.Infrastructure;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;

namespace Loyalty.Cli.Tests.Input;

public class OrderCsvReaderTests
{
    private static List<(Purchase Purchase, long Line)> ReadAll(string content, OrderCsvFormat? format = null, string name = "orders.csv")
    {
        var path = Tool.TempFile(name, content);
        using var reader = OrderCsvReader.Open(path, format ?? new OrderCsvFormat());
        var purchases = new Purchase[3];
        var lines = new long[3];
        var all = new List<(Purchase, long)>();
        int count;
        while ((count = reader.Read(purchases, lines)) > 0)
        {
            for (var i = 0; i < count; i++)
            {
                all.Add((purchases[i], lines[i]));
            }
        }

        return all;
    }

    private static string ErrorOf(string content, OrderCsvFormat? format = null)
    {
        var act = () => ReadAll(content, format);
        var message = act.Should().Throw<InputException>().Which.Message;
        return message[(message.IndexOf("orders.csv", StringComparison.Ordinal))..];
    }

    [Fact]
    public void Reads_the_documented_format_with_optional_quantity_and_category()
    {
        var rows = ReadAll("customer,order,date,amount,quantity,category\nc1,o1,2024-01-05,10.50,2,shoes\nc2,o2,2024-01-06,0,,\n");

        rows.Should().HaveCount(2);
        rows[0].Purchase.Customer.Should().Be(MemberId.From("c1"));
        rows[0].Purchase.Order.Should().Be(OrderId.From("o1"));
        rows[0].Purchase.PlacedAt.Should().Be(Instant.FromUtc(2024, 1, 5, 0, 0));
        rows[0].Purchase.NetAmount.Should().Be(Money.FromDecimal(10.50m, Currency.EUR));
        rows[0].Purchase.Categories.Should().Equal("shoes");
        rows[1].Purchase.Categories.Should().BeNull();
        rows[1].Purchase.NetAmount.Amount.Should().Be(0m);
        rows.Select(r => r.Line).Should().Equal(2, 3);
    }

    [Fact]
    public void Maps_columns_and_reads_french_amounts_and_dates_in_the_shops_zone()
    {
        var format = new OrderCsvFormat
        {
            CustomerColumn = "client",
            OrderColumn = "commande",
            DateColumn = "jour",
            AmountColumn = "montant",
            Delimiter = ';',
            Culture = CultureInfo.GetCultureInfo("fr-FR"),
            DateFormat = "dd/MM/yyyy",
            TimeZone = DateTimeZoneProviders.Tzdb["Europe/Paris"],
        };

        var rows = ReadAll("Client;Commande;Jour;Montant\nc1;A-1;05/01/2024;1234,56\n", format);

        rows.Single().Purchase.NetAmount.Amount.Should().Be(1234.56m);
        rows.Single().Purchase.PlacedAt.Should().Be(Instant.FromUtc(2024, 1, 4, 23, 0));
    }

    [Fact]
    public void Reads_instants_with_an_offset_when_the_format_has_one()
    {
        var format = new OrderCsvFormat { DateFormat = "yyyy-MM-dd'T'HH:mm:sszzz" };

        var rows = ReadAll("customer,order,date,amount\nc1,o1,2024-03-31T01:30:00+02:00,5\n", format);

        rows.Single().Purchase.PlacedAt.Should().Be(Instant.FromUtc(2024, 3, 30, 23, 30));
    }

    [Fact]
    public void Counts_physical_lines_across_quoted_line_breaks_and_blank_lines()
    {
        var rows = ReadAll("customer,order,date,amount,category\nc1,o1,2024-01-05,1,\"two\nlines\"\n\nc2,o2,2024-01-06,2,x\n");

        rows.Select(r => r.Line).Should().Equal(2, 5);
    }

    [Theory]
    [InlineData("customer,order,date,amount\nc1,o1,2024-01-05,12,50\n", "orders.csv line 2: 5 fields but the header has 4; quote values that contain the delimiter ','.")]
    [InlineData("customer,order,date,amount\nc1,o1,2024-01-05\n", "orders.csv line 2: 3 fields but the header has 4; every line needs a value for each column (an empty line is not allowed).")]
    [InlineData("customer,order,date,amount\nc1,o1,2024-01-05,1\nc2,o2,05/01/2024,2\n", "orders.csv line 3, column 'date': '05/01/2024' is not a date in the format yyyy-MM-dd (like 2026-03-14); fix the line, or give the file's format with --date-format.")]
    [InlineData("customer,order,date,amount\nc1,o1,,1\n", "orders.csv line 2, column 'date': the date is empty; every line needs the order's date (yyyy-MM-dd, like 2026-03-14).")]
    [InlineData("customer,order,date,amount\nc1,o1,2024-01-05,12€\n", "orders.csv line 2, column 'amount': '12€' is not an amount in the invariant culture (like 1234.56); write it without thousands separators, or give the file's culture with --input-culture (e.g. fr-FR for 1234,56).")]
    [InlineData("customer,order,date,amount\nc1,o1,2024-01-05,\n", "orders.csv line 2, column 'amount': the amount is empty; every line needs the order's net amount (like 1234.56).")]
    [InlineData("customer,order,date,amount\nc1,o1,2024-01-05,-3.5\n", "orders.csv line 2, column 'amount': -3.5 is negative; net refunds against the orders they reverse before exporting (an order's net amount is zero or more).")]
    [InlineData("customer,order,date,amount\n ,o1,2024-01-05,1\n", "orders.csv line 2, column 'customer': the customer id is empty; every line needs the shop's customer id.")]
    [InlineData("customer,order,date,amount\nc1,,2024-01-05,1\n", "orders.csv line 2, column 'order': the order id is empty; every line needs the shop's order id (lines of one order share it).")]
    [InlineData("customer,order,date,amount\n c1,o1,2024-01-05,1\n", "orders.csv line 2, column 'customer': MemberId must not start or end with whitespace (was \" c1\"); trim it first.")]
    [InlineData("customer,order,date,amount,quantity\nc1,o1,2024-01-05,1,1.5\n", "orders.csv line 2, column 'quantity': '1.5' is not a whole number of items (0 or more); fix the line or leave the quantity empty.")]
    [InlineData("customer,order,date,amount\nc1,o1,2024-01-05,1\nc1,\"o2,2024-01-05,1\n", "orders.csv line 3: not valid CSV (A quoted field at the end of the input ends without a closing quote.); check the quotes of this line.")]
    public void The_first_bad_line_is_reported_with_its_number_column_and_fix(string content, string expected)
    {
        ErrorOf(content).Should().Be(expected);
    }

    [Fact]
    public void Only_the_first_bad_line_is_reported()
    {
        ErrorOf("customer,order,date,amount\nc1,o1,2024-01-05,1\nc2,o2,2024-13-01,1\nc3,o3,2024-01-05,x\n")
            .Should().StartWith("orders.csv line 3, column 'date':");
    }

    [Fact]
    public void A_header_without_a_required_column_says_how_to_map_it()
    {
        ErrorOf("client,order,date,amount\nc1,o1,2024-01-05,1\n")
            .Should().Be("orders.csv: the header has no column 'customer' (it has: client, order, date, amount); name the column 'customer' or map it with --customer-column <name>.");
    }

    [Fact]
    public void An_empty_file_asks_for_the_header()
    {
        ErrorOf(string.Empty)
            .Should().Be("orders.csv: the file is empty; its first line must be the header customer,order,date,amount (optional columns: quantity, category).");
    }

    [Theory]
    [InlineData("1,234.56")]
    [InlineData("1 234,56")]
    public void Amounts_with_thousands_separators_are_refused_rather_than_misread(string amount)
    {
        ErrorOf($"customer;order;date;amount\nc1;o1;2024-01-05;{amount}\n", new OrderCsvFormat { Delimiter = ';' })
            .Should().StartWith($"orders.csv line 2, column 'amount': '{amount}' is not an amount in the invariant culture");
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var path = Path.Combine(Tool.TempFolder(), "missing.csv");
        var act = () => OrderCsvReader.Open(path, new OrderCsvFormat());

        act.Should().Throw<InputException>().WithMessage($"{path}: no such file; give the path of an orders CSV file (header customer,order,date,amount).");
    }

    [Fact]
    public void A_french_amount_read_as_invariant_names_the_option_that_fixes_it()
    {
        ErrorOf("customer;order;date;amount\nc1;o1;2024-01-05;12,5\n", new OrderCsvFormat { Delimiter = ';' })
            .Should().Be("orders.csv line 2, column 'amount': '12,5' is not an amount in the invariant culture (like 1234.56); write it without thousands separators, or give the file's culture with --input-culture (e.g. fr-FR for 1234,56).");
    }

    [Property(MaxTest = 300)]
    public Property Any_text_is_read_or_refused_with_an_input_error_never_a_crash()
    {
        var pieces = Gen.Elements("customer", "order", "date", "amount", ",", "\n", "\r\n", "\"", "c1", "o1", "2024-01-05", "12.5", "-1", "x", " ", "\u0001", ";", "1e3", "");
        var text = Gen.ListOf(pieces).Select(p => "customer,order,date,amount\n" + string.Concat(p));
        return Prop.ForAll(text.ToArbitrary(), content =>
        {
            try
            {
                var rows = ReadAll(content);
                return rows.All(r => r.Line >= 2 && r.Purchase.NetAmount.Amount >= 0);
            }
            catch (InputException ex)
            {
                return ex.Message.Contains("orders.csv", StringComparison.Ordinal);
            }
        });
    }
}
