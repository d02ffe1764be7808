using System.Globalization;
using System.Text;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;
using Sylvan.Data.Csv;

namespace Loyalty.Cli.Input;

/// <summary>
/// Streams an orders CSV file into <see cref="Purchase"/> values, one line at a time (the file
/// is never held in memory), with Sylvan.Data.Csv. Every value is checked as it is read; the
/// first bad line stops the read with an <see cref="InputException"/> naming the file, the line
/// number, the column, the value and the fix.
/// </summary>
/// <remarks>Not thread-safe: one thread reads; <see cref="BytesRead"/> and <see cref="Length"/> may be read from another (progress).</remarks>
internal sealed class OrderCsvReader : IDisposable, IReadProgress
{
    private const int NotPresent = -1;

    private const NumberStyles AmountStyle = NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;

    private readonly CsvDataReader csv;
    private readonly CountingStream stream;
    private readonly OrderCsvFormat format;
    private readonly string fileName;
    private readonly int customerColumn;
    private readonly int orderColumn;
    private readonly int dateColumn;
    private readonly int amountColumn;
    private readonly int quantityColumn;
    private readonly int categoryColumn;
    private readonly int headerFields;
    private readonly bool dateHasOffset;
    private readonly bool isoDate;
    private readonly char decimalSeparator;
    private readonly Dictionary<int, Instant> isoDates = [];
    private readonly Dictionary<string, string[]> categories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]>.AlternateLookup<ReadOnlySpan<char>> categoryLookup;
    private readonly Dictionary<long, Instant> localDateTimes = [];
    private readonly char[] lastDate = new char[64];
    private int lastDateLength = -1;
    private Instant lastDateInstant;
    private string? lastCustomerText;
    private MemberId lastCustomer;
    private string? lastOrderText;
    private OrderId lastOrder;
    private long nextLine;
    private long line;

    private OrderCsvReader(CsvDataReader csv, CountingStream stream, OrderCsvFormat format, string fileName, long nextLine, OrderCsvReader? header = null)
    {
        this.csv = csv;
        this.stream = stream;
        this.format = format;
        this.fileName = fileName;
        this.nextLine = nextLine;
        categoryLookup = categories.GetAlternateLookup<ReadOnlySpan<char>>();
        if (header is null)
        {
            headerFields = csv.FieldCount;
            customerColumn = Required(format.CustomerColumn, "--customer-column");
            orderColumn = Required(format.OrderColumn, "--order-column");
            dateColumn = Required(format.DateColumn, "--date-column");
            amountColumn = Required(format.AmountColumn, "--amount-column");
            quantityColumn = Optional(format.QuantityColumn);
            categoryColumn = Optional(format.CategoryColumn);
        }
        else
        {
            // A range of the file: no header of its own, the whole file's columns.
            headerFields = header.headerFields;
            customerColumn = header.customerColumn;
            orderColumn = header.orderColumn;
            dateColumn = header.dateColumn;
            amountColumn = header.amountColumn;
            quantityColumn = header.quantityColumn;
            categoryColumn = header.categoryColumn;
        }

        dateHasOffset = format.DateFormat.Contains('z', StringComparison.Ordinal) || format.DateFormat.Contains('K', StringComparison.Ordinal);
        isoDate = format.DateFormat == OrderCsvFormat.DefaultDateFormat;
        var separator = format.Culture.NumberFormat.NumberDecimalSeparator;
        decimalSeparator = separator.Length == 1 ? separator[0] : '\0';
    }

    /// <summary>The file's path as given, used in messages.</summary>
    public string FileName => fileName;

    /// <summary>The size of the file in bytes.</summary>
    public long Length { get; private init; }

    /// <summary>The bytes read so far (may be read from another thread).</summary>
    public long BytesRead => stream.BytesRead;

    /// <summary>The data lines read so far.</summary>
    public long Lines { get; private set; }

    /// <summary>The line number (1-based, the header is line 1) of the last purchase read.</summary>
    public long Line => line;

    /// <summary>Opens the file and reads its header.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="format">The layout and value formats.</param>
    /// <returns>The reader, positioned before the first data line.</returns>
    /// <exception cref="InputException">The file cannot be opened, is empty, or its header lacks a required column.</exception>
    public static OrderCsvReader Open(string path, OrderCsvFormat format)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(format);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException($"{path}: no such file; give the path of an orders CSV file (header customer,order,date,amount).", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot be read ({ex.Message}).", ex);
        }

        var counting = new CountingStream(file);
        try
        {
            var text = new StreamReader(counting, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            var options = new CsvDataReaderOptions
            {
                HasHeaders = true,
                Delimiter = format.Delimiter,
                HeaderComparer = StringComparer.OrdinalIgnoreCase,
                Culture = format.Culture,
                BufferSize = 1 << 16,
                CommentHandler = null,
                Comment = '\0',
            };
            CsvDataReader csv;
            try
            {
                csv = CsvDataReader.Create(text, options);
            }
            catch (CsvFormatException ex) when (file.Length <= 3)
            {
                throw new InputException($"{path}: the file is empty; its first line must be the header customer,order,date,amount (optional columns: quantity, category).", ex);
            }
            catch (CsvFormatException ex)
            {
                throw new InputException($"{path} line 1: the header is not valid CSV ({ex.Message}).", ex);
            }

            if (csv.FieldCount == 0 || (csv.FieldCount == 1 && string.IsNullOrWhiteSpace(csv.GetName(0))))
            {
                throw new InputException($"{path}: the file is empty; its first line must be the header customer,order,date,amount (optional columns: quantity, category).");
            }

            var headerNewLines = 0;
            for (var i = 0; i < csv.FieldCount; i++)
            {
                headerNewLines += csv.GetName(i).AsSpan().Count('\n');
            }

            return new OrderCsvReader(csv, counting, format, path, 2 + headerNewLines) { Length = file.Length };
        }
        catch
        {
            counting.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a byte range of the file read by <paramref name="header"/> with its columns: the
    /// range starts at the start of a line after the header and ends at the end of a line. Its
    /// line numbers count from 1 at the range's start, so an error in a range names the line
    /// within the range only; read the whole file with <see cref="Open"/> for the file's number.
    /// </summary>
    /// <param name="header">The reader of the whole file, positioned after its header.</param>
    /// <param name="start">The first byte of the range.</param>
    /// <param name="end">The byte after the range.</param>
    /// <returns>The reader of the range; <see cref="SawQuote"/> tells whether a quote was met, which stops the read.</returns>
    public static OrderCsvReader OpenRange(OrderCsvReader header, long start, long end)
    {
        ArgumentNullException.ThrowIfNull(header);
        var file = new FileStream(header.fileName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        file.Position = start;
        var counting = new CountingStream(file, end - start, stopAtQuote: true);
        try
        {
            var text = new StreamReader(counting, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
            var options = new CsvDataReaderOptions
            {
                HasHeaders = false,
                Delimiter = header.format.Delimiter,
                Culture = header.format.Culture,
                BufferSize = 1 << 16,
                CommentHandler = null,
                Comment = '\0',
            };
            var csv = CsvDataReader.Create(text, options);
            return new OrderCsvReader(csv, counting, header.format, header.fileName, 1, header) { Length = end - start };
        }
        catch
        {
            counting.Dispose();
            throw;
        }
    }

    /// <summary>Whether a range reader stopped at a double quote (a quoted field may span ranges: read the file whole instead).</summary>
    public bool SawQuote => stream.SawQuote;

    /// <summary>Moves to the next data line (blank lines skipped), checking its number of fields.</summary>
    /// <returns>False at the end.</returns>
    /// <exception cref="InputException">The line is not valid CSV or has another number of fields than the header.</exception>
    public bool NextRecord() => Next();

    /// <summary>The current line's customer id, checked by the rules of <see cref="MemberId"/>.</summary>
    /// <returns>Its text.</returns>
    /// <exception cref="InputException">The id is empty or breaks a rule of identifiers.</exception>
    public ReadOnlySpan<char> CustomerText()
    {
        var span = csv.GetFieldSpan(customerColumn);
        if (IsPlainIdentifier(span))
        {
            return span;
        }

        ParseCustomer();
        return span;
    }

    /// <summary>The current line's order id, checked by the rules of <see cref="OrderId"/>.</summary>
    /// <returns>Its text.</returns>
    /// <exception cref="InputException">The id is empty or breaks a rule of identifiers.</exception>
    public ReadOnlySpan<char> OrderText()
    {
        var span = csv.GetFieldSpan(orderColumn);
        if (IsPlainIdentifier(span))
        {
            return span;
        }

        ParseOrder();
        return span;
    }

    /// <summary>The current line's date and time, amount and category, each checked (the quantity too).</summary>
    /// <param name="placedAt">The instant.</param>
    /// <param name="amount">The net amount.</param>
    /// <returns>The category (one shared array per distinct category), or null.</returns>
    /// <exception cref="InputException">A value is bad.</exception>
    public string[]? Values(out Instant placedAt, out decimal amount)
    {
        placedAt = ParseDate();
        amount = ParseAmount();
        if (quantityColumn != NotPresent)
        {
            ParseQuantity();
        }

        return categoryColumn == NotPresent ? null : ParseCategory();
    }

    /// <summary>Printable ASCII without spaces, 1 to 128 characters: an id every identifier accepts, checked without a string.</summary>
    private static bool IsPlainIdentifier(ReadOnlySpan<char> span) =>
        span.Length is > 0 and <= Loyalty.Core.Primitives.Identifier.MaxLength && !span.ContainsAnyExceptInRange('!', '~');

    /// <summary>Reads up to <paramref name="buffer"/>.Length purchases.</summary>
    /// <param name="buffer">Where to write the purchases.</param>
    /// <param name="lines">Where to write each purchase's line number.</param>
    /// <returns>The number written; 0 at the end of the file.</returns>
    /// <exception cref="InputException">A line is bad; the message names it.</exception>
    public int Read(Purchase[] buffer, long[] lines)
    {
        var count = 0;
        while (count < buffer.Length && Next())
        {
            buffer[count] = Current();
            lines[count] = line;
            count++;
        }

        return count;
    }

    /// <summary>Reads the dates only, for the latest one (when no as-of date is given).</summary>
    /// <returns>The latest instant, or null when the file has no data line.</returns>
    /// <exception cref="InputException">A line is bad.</exception>
    public Instant? LatestInstant()
    {
        Instant? latest = null;
        while (Next())
        {
            var at = ParseDate();
            if (latest is null || at > latest.Value)
            {
                latest = at;
            }
        }

        return latest;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        csv.Dispose();
        stream.Dispose();
    }

    private bool Next()
    {
        while (true)
        {
            try
            {
                if (!csv.Read())
                {
                    return false;
                }
            }
            catch (CsvFormatException ex)
            {
                throw new InputException($"{fileName} line {nextLine}: not valid CSV ({ex.Message}); check the quotes of this line.", ex);
            }

            if (csv.RowFieldCount == 1 && headerFields > 1 && csv.GetFieldSpan(0).IsWhiteSpace() && !csv.GetFieldSpan(0).Contains('\n'))
            {
                // A blank line (a trailing one, or between blocks of orders) holds no order.
                nextLine++;
                continue;
            }

            break;
        }

        line = nextLine;
        var fields = csv.RowFieldCount;
        var newLines = 0;
        for (var i = 0; i < fields && !stream.StopsAtQuote; i++)
        {
            // A line break inside a field needs quotes: a range, which stops at the first quote, has none.
            var span = csv.GetFieldSpan(i);
            if (span.Contains('\n'))
            {
                newLines += span.Count('\n');
            }
        }

        nextLine = line + 1 + newLines;
        Lines++;
        if (fields != headerFields)
        {
            throw new InputException(fields < headerFields
                ? $"{fileName} line {line}: {fields} field{(fields == 1 ? string.Empty : "s")} but the header has {headerFields}; every line needs a value for each column (an empty line is not allowed)."
                : $"{fileName} line {line}: {fields} fields but the header has {headerFields}; quote values that contain the delimiter '{format.Delimiter}'.");
        }

        return true;
    }

    private Purchase Current()
    {
        var customer = ParseCustomer();
        var order = ParseOrder();
        var placedAt = ParseDate();
        var amount = ParseAmount();
        if (quantityColumn != NotPresent)
        {
            ParseQuantity();
        }

        string[]? category = categoryColumn == NotPresent ? null : ParseCategory();
        return new Purchase(customer, order, placedAt, Money.FromDecimal(amount, format.Currency), category);
    }

    private MemberId ParseCustomer()
    {
        // Consecutive lines of one customer (an order's lines) share one id; otherwise a new string
        // per line is cheaper than a look-up in a table of a million customers.
        var span = csv.GetFieldSpan(customerColumn);
        if (lastCustomerText is not null && span.SequenceEqual(lastCustomerText))
        {
            return lastCustomer;
        }

        var text = span.ToString();
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Bad(format.CustomerColumn, "the customer id is empty; every line needs the shop's customer id.");
        }

        lastCustomer = Identifier(text, format.CustomerColumn, MemberId.From);
        lastCustomerText = text;
        return lastCustomer;
    }

    private OrderId ParseOrder()
    {
        var span = csv.GetFieldSpan(orderColumn);
        if (lastOrderText is not null && span.SequenceEqual(lastOrderText))
        {
            return lastOrder;
        }

        var text = span.ToString();
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Bad(format.OrderColumn, "the order id is empty; every line needs the shop's order id (lines of one order share it).");
        }

        lastOrder = Identifier(text, format.OrderColumn, OrderId.From);
        lastOrderText = text;
        return lastOrder;
    }

    private T Identifier<T>(string text, string column, Func<string, T> create)
    {
        try
        {
            return create(text);
        }
        catch (ArgumentException ex)
        {
            var message = ex.Message;
            var cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
            throw Bad(column, cut >= 0 ? message[..cut] : message);
        }
    }

    private Instant ParseDate()
    {
        var span = csv.GetFieldSpan(dateColumn);
        if (isoDate && TryIsoDate(span, out var day))
        {
            return day;
        }

        if (span.Length == lastDateLength && span.SequenceEqual(lastDate.AsSpan(0, lastDateLength)))
        {
            return lastDateInstant;
        }

        Instant instant;
        if (dateHasOffset)
        {
            if (!DateTimeOffset.TryParseExact(span, format.DateFormat, format.Culture, DateTimeStyles.AllowWhiteSpaces, out var offset))
            {
                throw BadDate(span);
            }

            instant = Instant.FromDateTimeOffset(offset);
        }
        else
        {
            if (!DateTime.TryParseExact(span, format.DateFormat, format.Culture, DateTimeStyles.AllowWhiteSpaces, out var local))
            {
                throw BadDate(span);
            }

            if (!localDateTimes.TryGetValue(local.Ticks, out instant))
            {
                instant = LocalDateTime.FromDateTime(local).InZoneLeniently(format.TimeZone).ToInstant();
                if (localDateTimes.Count < 100_000)
                {
                    localDateTimes.Add(local.Ticks, instant);
                }
            }
        }

        if (span.Length <= lastDate.Length)
        {
            span.CopyTo(lastDate);
            lastDateLength = span.Length;
            lastDateInstant = instant;
        }

        return instant;
    }

    /// <summary>The default format, yyyy-MM-dd, read without the general parser; each distinct day converted once.</summary>
    private bool TryIsoDate(ReadOnlySpan<char> span, out Instant instant)
    {
        instant = default;
        if (span.Length != 10 || span[4] != '-' || span[7] != '-')
        {
            return false;
        }

        var key = 0;
        for (var i = 0; i < 10; i++)
        {
            if (i is 4 or 7)
            {
                continue;
            }

            var digit = span[i] - '0';
            if ((uint)digit > 9)
            {
                return false;
            }

            key = (key * 10) + digit;
        }

        if (isoDates.TryGetValue(key, out instant))
        {
            return true;
        }

        int year = key / 10000, month = key / 100 % 100, dayOfMonth = key % 100;
        if (year < 1 || month is < 1 or > 12 || dayOfMonth < 1 || dayOfMonth > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        instant = new LocalDate(year, month, dayOfMonth).AtStartOfDayInZone(format.TimeZone).ToInstant();
        isoDates[key] = instant;
        return true;
    }

    private InputException BadDate(ReadOnlySpan<char> span)
    {
        var example = new DateTimeOffset(2026, 3, 14, 15, 30, 0, TimeSpan.FromHours(1)).ToString(format.DateFormat, format.Culture);
        return Bad(format.DateColumn, span.IsWhiteSpace()
            ? $"the date is empty; every line needs the order's date ({format.DateFormat}, like {example})."
            : $"'{span}' is not a date in the format {format.DateFormat} (like {example}); fix the line, or give the file's format with --date-format.");
    }

    private decimal ParseAmount()
    {
        var span = csv.GetFieldSpan(amountColumn);
        // No group separators: "12,5" read as invariant must be an error, never 125.
        if (!TryPlainAmount(span, out var amount) && !decimal.TryParse(span, AmountStyle, format.Culture, out amount))
        {
            var example = 1234.56m.ToString("0.00", format.Culture);
            var culture = format.Culture.Name.Length == 0 ? "the invariant culture" : $"the {format.Culture.Name} culture";
            throw Bad(format.AmountColumn, span.IsWhiteSpace()
                ? $"the amount is empty; every line needs the order's net amount (like {example})."
                : $"'{span}' is not an amount in {culture} (like {example}); write it without thousands separators, or give the file's culture with --input-culture (e.g. fr-FR for 1234,56).");
        }

        if (amount < 0)
        {
            throw Bad(format.AmountColumn, $"{amount.ToString(format.Culture)} is negative; net refunds against the orders they reverse before exporting (an order's net amount is zero or more).");
        }

        return amount;
    }

    /// <summary>The common case, digits with at most one decimal separator (up to 18 digits), read without the general parser.</summary>
    private bool TryPlainAmount(ReadOnlySpan<char> span, out decimal amount)
    {
        amount = 0m;
        if (span.IsEmpty || span.Length > 19)
        {
            return false;
        }

        long value = 0;
        byte scale = 0;
        var digits = 0;
        var seenSeparator = false;
        foreach (var c in span)
        {
            var digit = c - '0';
            if ((uint)digit <= 9)
            {
                value = (value * 10) + digit;
                digits++;
                if (seenSeparator)
                {
                    scale++;
                }
            }
            else if (c == decimalSeparator && !seenSeparator)
            {
                seenSeparator = true;
            }
            else
            {
                return false;
            }
        }

        if (digits == 0 || digits > 18)
        {
            return false;
        }

        amount = new decimal((int)(value & 0xFFFFFFFF), (int)(value >> 32), 0, false, scale);
        return true;
    }

    private void ParseQuantity()
    {
        var span = csv.GetFieldSpan(quantityColumn);
        if (span.IsWhiteSpace())
        {
            return;
        }

        if (span.Length is > 0 and < 6 && IsDigits(span))
        {
            return;
        }

        if (!int.TryParse(span, NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, format.Culture, out var quantity) || quantity < 0)
        {
            throw Bad(format.QuantityColumn, $"'{span}' is not a whole number of items (0 or more); fix the line or leave the quantity empty.");
        }
    }

    private static bool IsDigits(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if ((uint)(c - '0') > 9)
            {
                return false;
            }
        }

        return true;
    }

    private string[]? ParseCategory()
    {
        var span = csv.GetFieldSpan(categoryColumn).Trim();
        if (span.IsEmpty)
        {
            return null;
        }

        if (!categoryLookup.TryGetValue(span, out var list))
        {
            var text = span.ToString();
            list = [text];
            categories.Add(text, list);
        }

        return list;
    }

    private InputException Bad(string column, string what) =>
        new($"{fileName} line {line}, column '{column}': {what}");

    private int Required(string name, string option)
    {
        var index = csv.GetOrdinalOrMissing(name);
        if (index == NotPresent)
        {
            var found = string.Join(", ", Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetName(i)));
            throw new InputException($"{fileName}: the header has no column '{name}' (it has: {found}); name the column '{name}' or map it with {option} <name>.");
        }

        return index;
    }

    private int Optional(string name) => csv.GetOrdinalOrMissing(name);
}

/// <summary>Header look-up helpers over Sylvan's reader.</summary>
internal static class CsvDataReaderExtensions
{
    /// <summary>The index of a header column (ignoring case and surrounding spaces), or -1.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="name">The column name.</param>
    /// <returns>The index or -1.</returns>
    public static int GetOrdinalOrMissing(this CsvDataReader reader, string name)
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (string.Equals(reader.GetName(i).Trim(), name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
