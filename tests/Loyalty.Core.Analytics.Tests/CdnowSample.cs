using System.Globalization;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;

namespace Loyalty.Core.Analytics.Tests;

/// <summary>The CDNOW sample shipped in Data/ (see Data/README.md), read as purchases: one order per line, at midnight UTC.</summary>
public static class CdnowSample
{
    public static readonly LocalDate CalibrationEnd = new(1997, 9, 30);
    public static readonly LocalDate HoldoutEnd = new(1998, 6, 30);

    private static readonly Lazy<Purchase[]> Lines = new(Read);
    private static readonly Lazy<CustomerBase> Base = new(() => CustomerBase.FromPurchases(Purchases, Options));

    public static IReadOnlyList<Purchase> Purchases => Lines.Value;

    public static CustomerBaseOptions Options => new()
    {
        TimeZone = DateTimeZone.Utc,
        Currency = Currency.FromCode("USD"),
        CalibrationEnd = CalibrationEnd,
        HoldoutEnd = HoldoutEnd,
        Unit = TimeUnit.Weeks,
    };

    /// <summary>The customer base in weeks with the 39-week calibration period (to 1997-09-30) and the 39-week hold-out.</summary>
    public static CustomerBase CustomerBase => Base.Value;

    private static Purchase[] Read()
    {
        var usd = Currency.FromCode("USD");
        var path = Path.Combine(AppContext.BaseDirectory, "Data", "CDNOW_sample.txt");
        var purchases = new List<Purchase>();
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 5)
            {
                continue;
            }

            line++;
            var date = LocalDate.FromDateTime(DateTime.ParseExact(fields[2], "yyyyMMdd", CultureInfo.InvariantCulture));
            purchases.Add(new Purchase(
                MemberId.From(fields[0]),
                OrderId.From(line),
                date.AtMidnight().InUtc().ToInstant(),
                Money.FromDecimal(decimal.Parse(fields[4], CultureInfo.InvariantCulture), usd)));
        }

        return [.. purchases];
    }
}
