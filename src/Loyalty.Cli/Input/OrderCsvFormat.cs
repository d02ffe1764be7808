using System.Globalization;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Cli.Input;

/// <summary>
/// How an orders CSV file is laid out and how its values are written: column names, delimiter,
/// the culture of dates and amounts, the date format, the currency and time zone of the shop.
/// </summary>
/// <remarks>Immutable. The defaults describe the documented format: header
/// <c>customer,order,date,amount[,quantity][,category]</c>, comma, ISO dates, dot decimals.</remarks>
internal sealed record OrderCsvFormat
{
    /// <summary>The default column holding the customer id.</summary>
    public const string DefaultCustomerColumn = "customer";

    /// <summary>The default column holding the order id.</summary>
    public const string DefaultOrderColumn = "order";

    /// <summary>The default column holding the order date.</summary>
    public const string DefaultDateColumn = "date";

    /// <summary>The default column holding the order's net amount.</summary>
    public const string DefaultAmountColumn = "amount";

    /// <summary>The default (optional) column holding the quantity.</summary>
    public const string DefaultQuantityColumn = "quantity";

    /// <summary>The default (optional) column holding the product category.</summary>
    public const string DefaultCategoryColumn = "category";

    /// <summary>The default date format: ISO 8601 calendar date.</summary>
    public const string DefaultDateFormat = "yyyy-MM-dd";

    /// <summary>The column holding the customer id.</summary>
    public string CustomerColumn { get; init; } = DefaultCustomerColumn;

    /// <summary>The column holding the order id.</summary>
    public string OrderColumn { get; init; } = DefaultOrderColumn;

    /// <summary>The column holding the order date (or date and time).</summary>
    public string DateColumn { get; init; } = DefaultDateColumn;

    /// <summary>The column holding the net amount.</summary>
    public string AmountColumn { get; init; } = DefaultAmountColumn;

    /// <summary>The optional quantity column (read and checked when present).</summary>
    public string QuantityColumn { get; init; } = DefaultQuantityColumn;

    /// <summary>The optional product category column (read when present).</summary>
    public string CategoryColumn { get; init; } = DefaultCategoryColumn;

    /// <summary>The field delimiter.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>The culture of amounts and dates; invariant by default (dot decimals).</summary>
    public CultureInfo Culture { get; init; } = CultureInfo.InvariantCulture;

    /// <summary>The .NET custom format of the date column, e.g. <c>yyyy-MM-dd</c>, <c>dd/MM/yyyy</c> or <c>yyyy-MM-dd'T'HH:mm:sszzz</c>.</summary>
    public string DateFormat { get; init; } = DefaultDateFormat;

    /// <summary>The currency of the amounts.</summary>
    public Currency Currency { get; init; } = Currency.EUR;

    /// <summary>The shop's time zone: dates without an offset are local to it, and calendar days are counted in it.</summary>
    public DateTimeZone TimeZone { get; init; } = DateTimeZone.Utc;
}
