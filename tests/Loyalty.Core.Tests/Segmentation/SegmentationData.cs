using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;

namespace Loyalty.Core.Tests.Segmentation;

/// <summary>Builders shared by the segmentation tests.</summary>
internal static class SegmentationData
{
    public static readonly Instant AsOf = Instant.FromUtc(2024, 6, 30, 12, 0);

    public static RfmpOptions Options(int scoreCount = 5, SegmentMap? map = null) => new()
    {
        AsOf = AsOf,
        TimeZone = DateTimeZone.Utc,
        Currency = Currency.EUR,
        ScoreCount = scoreCount,
        SegmentMap = map ?? (scoreCount == 5 ? SegmentMap.Default : GridMap(scoreCount)),
    };

    /// <summary>A valid map for any grid size: "Top" for the top-right cell, "Rest" for the others.</summary>
    public static SegmentMap GridMap(int k) => SegmentMap.Create(k, [new("Top", k, k, k, k), new("Rest", 1, k, 1, k)]);

    public static CustomerActivity Customer(int id, int daysAgo, int orders, decimal amount, int categories) =>
        CustomerActivity.From(MemberId.From(id), AsOf - Duration.FromDays(daysAgo), orders, Money.FromDecimal(amount, Currency.EUR), categories);

    public static Purchase Purchase(long customer, string order, Instant at, decimal amount, params string[] categories) =>
        new(MemberId.From(customer), OrderId.From(order), at, Money.FromDecimal(amount, Currency.EUR), categories.Length == 0 ? null : categories);

    /// <summary>The twenty customers of the worked example in docs/segmentation.md.</summary>
    public static CustomerActivity[] TwentyCustomers()
    {
        int[] days = [300, 250, 200, 180, 5, 10, 60, 90, 2, 120, 30, 365, 0, 45, 150, 400, 1, 20, 210, 500];
        int[] orders = [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 5, 6, 8, 10, 12];
        int[] categories = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 5, 0];
        return Enumerable.Range(0, 20).Select(i => Customer(i + 1, days[i], orders[i], 10m * (i + 1), categories[i])).ToArray();
    }

    /// <summary>Random but reproducible purchases: customers, several orders, some with two lines, categories.</summary>
    public static List<Purchase> RandomPurchases(int seed, int customers, int maxOrders)
    {
        var random = new Random(seed);
        string[] catalogue = ["books", "music", "games", "toys", "garden", "kitchen"];
        var purchases = new List<Purchase>();
        for (var c = 1; c <= customers; c++)
        {
            var orders = random.Next(1, maxOrders + 1);
            for (var o = 0; o < orders; o++)
            {
                var at = AsOf - Duration.FromMinutes(random.Next(0, 400 * 24 * 60));
                var order = $"{c}-{o}";
                var lines = random.Next(1, 3);
                for (var l = 0; l < lines; l++)
                {
                    purchases.Add(Purchase(c, order, at + Duration.FromMinutes(l), random.Next(0, 20000) / 100m, catalogue[random.Next(catalogue.Length)]));
                }
            }
        }

        return purchases;
    }

    /// <summary>
    /// The customers' activity computed directly from its definition (lines up to <see cref="AsOf"/> and,
    /// with a window, from its start; grouped by customer in ordinal order; distinct orders and categories),
    /// which every aggregation path must give.
    /// </summary>
    public static CustomerActivity[] GroupBy(IEnumerable<Purchase> lines, Instant? windowStart = null) =>
        lines.Where(p => p.PlacedAt <= AsOf && (windowStart is null || p.PlacedAt >= windowStart))
            .GroupBy(p => p.Customer)
            .OrderBy(g => g.Key.Value, StringComparer.Ordinal)
            .Select(g => CustomerActivity.From(
                g.Key,
                g.Max(p => p.PlacedAt),
                g.Select(p => p.Order).Distinct().Count(),
                Money.FromDecimal(g.Sum(p => p.NetAmount.Amount), Currency.EUR),
                g.SelectMany(p => p.Categories ?? []).Distinct(StringComparer.Ordinal).Count()))
            .ToArray();
}
