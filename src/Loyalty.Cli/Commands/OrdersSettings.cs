using System.ComponentModel;
using Loyalty.Cli.Input;
using Loyalty.Core.Primitives;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Loyalty.Cli.Commands;

/// <summary>The options of every command that reads an orders CSV file.</summary>
internal class OrdersSettings : OutputSettings
{
    /// <summary>The orders CSV file.</summary>
    [CommandArgument(0, "<ORDERS.CSV>")]
    [Description("The orders CSV file: header customer,order,date,amount (optional quantity, category); see docs/cli.md.")]
    public string File { get; init; } = string.Empty;

    /// <summary>The as-of date.</summary>
    [CommandOption("--as-of <DATE>")]
    [Description("The analysis date (yyyy-MM-dd), counted to its end; default: the date of the latest order in the file.")]
    public string? AsOf { get; init; }

    /// <summary>The window before the as-of date.</summary>
    [CommandOption("--window <PERIOD>")]
    [Description("Only the orders in this period before the as-of date, as an ISO 8601 period (P12M, P2Y, P90D); default: all history.")]
    public string? Window { get; init; }

    /// <summary>The currency of the amounts.</summary>
    [CommandOption("--currency <CODE>")]
    [Description("ISO 4217 currency of the amounts.")]
    [DefaultValue("EUR")]
    public string Currency { get; init; } = "EUR";

    /// <summary>The shop's time zone.</summary>
    [CommandOption("--time-zone <ZONE>")]
    [Description("IANA time zone of the shop (dates without an offset are local to it; days and months are counted in it).")]
    [DefaultValue("UTC")]
    public string TimeZone { get; init; } = "UTC";

    /// <summary>The culture of amounts and dates in the file.</summary>
    [CommandOption("--input-culture <NAME>")]
    [Description("Culture of amounts and dates in the file: invariant (default: 1234.56) or e.g. fr-FR (1234,56).")]
    [DefaultValue("invariant")]
    public string InputCulture { get; init; } = "invariant";

    /// <summary>The date format of the file.</summary>
    [CommandOption("--date-format <FORMAT>")]
    [Description(".NET custom format of the date column, e.g. yyyy-MM-dd, dd/MM/yyyy or yyyy-MM-dd'T'HH:mm:sszzz.")]
    [DefaultValue(OrderCsvFormat.DefaultDateFormat)]
    public string DateFormat { get; init; } = OrderCsvFormat.DefaultDateFormat;

    /// <summary>The field delimiter.</summary>
    [CommandOption("--delimiter <CHAR>")]
    [Description("Field delimiter: , (default), ; or \\t for a tab.")]
    [DefaultValue(",")]
    public string Delimiter { get; init; } = ",";

    /// <summary>The customer column name.</summary>
    [CommandOption("--customer-column <NAME>")]
    [Description("Name of the customer id column.")]
    [DefaultValue(OrderCsvFormat.DefaultCustomerColumn)]
    public string CustomerColumn { get; init; } = OrderCsvFormat.DefaultCustomerColumn;

    /// <summary>The order column name.</summary>
    [CommandOption("--order-column <NAME>")]
    [Description("Name of the order id column (lines of one order share it).")]
    [DefaultValue(OrderCsvFormat.DefaultOrderColumn)]
    public string OrderColumn { get; init; } = OrderCsvFormat.DefaultOrderColumn;

    /// <summary>The date column name.</summary>
    [CommandOption("--date-column <NAME>")]
    [Description("Name of the order date column.")]
    [DefaultValue(OrderCsvFormat.DefaultDateColumn)]
    public string DateColumn { get; init; } = OrderCsvFormat.DefaultDateColumn;

    /// <summary>The amount column name.</summary>
    [CommandOption("--amount-column <NAME>")]
    [Description("Name of the net amount column.")]
    [DefaultValue(OrderCsvFormat.DefaultAmountColumn)]
    public string AmountColumn { get; init; } = OrderCsvFormat.DefaultAmountColumn;

    /// <summary>The quantity column name.</summary>
    [CommandOption("--quantity-column <NAME>")]
    [Description("Name of the optional quantity column (checked when present).")]
    [DefaultValue(OrderCsvFormat.DefaultQuantityColumn)]
    public string QuantityColumn { get; init; } = OrderCsvFormat.DefaultQuantityColumn;

    /// <summary>The category column name.</summary>
    [CommandOption("--category-column <NAME>")]
    [Description("Name of the optional product category column (gives P, product breadth).")]
    [DefaultValue(OrderCsvFormat.DefaultCategoryColumn)]
    public string CategoryColumn { get; init; } = OrderCsvFormat.DefaultCategoryColumn;

    /// <summary>The parsed file format.</summary>
    public OrderCsvFormat Format { get; private set; } = new();

    /// <summary>The parsed as-of date, if given.</summary>
    public LocalDate? AsOfDate { get; private set; }

    /// <summary>The parsed window, if given.</summary>
    public Period? WindowPeriod { get; private set; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var output = base.Validate();
        if (!output.Successful)
        {
            return output;
        }

        if (string.IsNullOrWhiteSpace(File))
        {
            return ValidationResult.Error("<ORDERS.CSV>: give the path of an orders CSV file.");
        }

        if (!Loyalty.Core.Primitives.Currency.TryFromCode(Currency, out var currency))
        {
            return ValidationResult.Error($"--currency: '{Currency}' is not an ISO 4217 currency code; use a three-letter upper-case code such as EUR, USD or GBP.");
        }

        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(TimeZone);
        if (zone is null)
        {
            return ValidationResult.Error($"--time-zone: '{TimeZone}' is not an IANA time zone; use an id such as Europe/Paris, America/New_York or UTC.");
        }

        if (!TryCulture(InputCulture, out var inputCulture))
        {
            return ValidationResult.Error($"--input-culture: '{InputCulture}' is not a known culture; use invariant, en-US or fr-FR, for instance.");
        }

        var delimiter = Delimiter == "\\t" ? "\t" : Delimiter;
        if (delimiter.Length != 1 || delimiter[0] is '"' or '\r' or '\n')
        {
            return ValidationResult.Error($"--delimiter: '{Delimiter}' is not a single character; use , or ; or \\t.");
        }

        if (string.IsNullOrWhiteSpace(DateFormat))
        {
            return ValidationResult.Error("--date-format: give a .NET custom date format such as yyyy-MM-dd.");
        }

        if (AsOf is not null)
        {
            if (ParseDate("--as-of", AsOf, "1998-06-30", out var asOf) is { } error)
            {
                return error;
            }

            AsOfDate = asOf;
        }

        if (Window is not null)
        {
            var parsed = PeriodPattern.NormalizingIso.Parse(Window);
            if (!parsed.Success || parsed.Value.HasTimeComponent || parsed.Value.Equals(Period.Zero) || parsed.Value.Years < 0 || parsed.Value.Months < 0 || parsed.Value.Weeks < 0 || parsed.Value.Days < 0)
            {
                return ValidationResult.Error($"--window: '{Window}' is not a positive ISO 8601 period in date units; use e.g. P12M (12 months), P2Y or P90D.");
            }

            WindowPeriod = parsed.Value;
        }

        Format = new OrderCsvFormat
        {
            CustomerColumn = CustomerColumn,
            OrderColumn = OrderColumn,
            DateColumn = DateColumn,
            AmountColumn = AmountColumn,
            QuantityColumn = QuantityColumn,
            CategoryColumn = CategoryColumn,
            Delimiter = delimiter[0],
            Culture = inputCulture,
            DateFormat = DateFormat,
            Currency = currency,
            TimeZone = zone,
        };
        return ValidationResult.Success();
    }

    /// <summary>Parses an option's ISO date (yyyy-MM-dd).</summary>
    /// <param name="option">The option, e.g. <c>--as-of</c>.</param>
    /// <param name="text">The value given.</param>
    /// <param name="example">A date to show in the error.</param>
    /// <param name="date">The date, when it parses.</param>
    /// <returns>Null when it parses; otherwise the error naming the option.</returns>
    protected static ValidationResult? ParseDate(string option, string text, string example, out LocalDate date)
    {
        var parsed = LocalDatePattern.Iso.Parse(text);
        date = parsed.Success ? parsed.Value : default;
        return parsed.Success ? null : ValidationResult.Error($"{option}: '{text}' is not a date written yyyy-MM-dd, e.g. {example}.");
    }
}
