using System.Globalization;

namespace Loyalty.Core.Segmentation;

/// <summary>
/// One entry of a <see cref="SegmentMap"/>: the segment given to every cell of the R×F grid
/// whose R score is in [<see cref="MinRecency"/>, <see cref="MaxRecency"/>] and whose F score is
/// in [<see cref="MinFrequency"/>, <see cref="MaxFrequency"/>].
/// </summary>
/// <remarks>Immutable. Bounds are inclusive scores; the map checks them against its grid size.</remarks>
/// <param name="Segment">The segment name, e.g. <c>Champions</c>.</param>
/// <param name="MinRecency">Lowest R score covered.</param>
/// <param name="MaxRecency">Highest R score covered.</param>
/// <param name="MinFrequency">Lowest F score covered.</param>
/// <param name="MaxFrequency">Highest F score covered.</param>
public sealed record SegmentRule(string Segment, int MinRecency, int MaxRecency, int MinFrequency, int MaxFrequency)
{
    /// <summary>The rule in the form <c>Champions: R 5, F 4–5</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Segment}: R {Range(MinRecency, MaxRecency)}, F {Range(MinFrequency, MaxFrequency)}");

    private static string Range(int min, int max) =>
        min == max ? min.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{min}–{max}");
}
