using NodaTime;

namespace Loyalty.Core.Tests.Storage.InMemory;

/// <summary>Values for the codec round trips: the extremes as often as the ordinary ones.</summary>
internal static class RandomValues
{
    /// <summary>An instant from the 10th to the 23rd century, to the nanosecond (before the Unix epoch a third of the time).</summary>
    public static Instant Instant(Random random) =>
        NodaTime.Instant.FromUnixTimeTicks(random.NextInt64(-30_000_000_000_000_000L, 70_000_000_000_000_000L)) + Duration.FromNanoseconds(random.Next(100));

    /// <summary>A whole number: the smallest, the largest, a small one or any.</summary>
    public static long Long(Random random) => random.Next(5) switch
    {
        0 => long.MinValue,
        1 => long.MaxValue,
        2 => random.Next(-1000, 1000),
        _ => random.NextInt64(long.MinValue, long.MaxValue),
    };

    /// <summary>A decimal: zero, the smallest, any 96-bit one with any scale, or a small one.</summary>
    public static decimal Decimal(Random random) => random.Next(4) switch
    {
        0 => 0m,
        1 => decimal.MinValue,
        2 => new decimal(random.Next(), random.Next(), random.Next(), random.Next(2) == 0, (byte)random.Next(29)),
        _ => new decimal(random.Next(), 0, 0, random.Next(2) == 0, (byte)random.Next(6)),
    };
}
