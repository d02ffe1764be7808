using System.Globalization;

namespace Loyalty.Core.Segmentation;

/// <summary>
/// How one RFMP dimension turns raw values into scores 1..k: quantiles of the customers being
/// scored (the default), or fixed upper bounds chosen by the shop.
/// </summary>
/// <remarks>
/// <para>Immutable and thread-safe. Bins are right-closed in both cases: a value equal to an
/// upper bound falls in the lower bin. Recency is scored in reverse (fewest days = score k).</para>
/// <para>Fixed bounds are in the dimension's unit: days for recency, orders for frequency,
/// currency units for monetary, categories for product. For example the frequency bands
/// <c>1 | 2 | 3–4 | 5–9 | 10+</c> are <c>FromUpperBounds(1, 2, 4, 9)</c>.</para>
/// </remarks>
public sealed class ScoreScale
{
    private readonly decimal[] upperBounds;

    private ScoreScale(decimal[] upperBounds) => this.upperBounds = upperBounds;

    /// <summary>
    /// Quantile scores: the cut points are the observed values at ranks ⌈n·j/k⌉ of the sorted
    /// values (inverted-CDF quantile), j = 1..k-1.
    /// </summary>
    public static ScoreScale Quantiles { get; } = new([]);

    /// <summary>True for <see cref="Quantiles"/>, false for fixed upper bounds.</summary>
    public bool IsQuantile => upperBounds.Length == 0;

    /// <summary>The fixed upper bounds (empty for <see cref="Quantiles"/>).</summary>
    public IReadOnlyList<decimal> UpperBounds => upperBounds;

    /// <summary>Creates a fixed scale from ascending upper bounds; <c>n</c> bounds give <c>n + 1</c> scores.</summary>
    /// <param name="upperBounds">1 to 9 strictly ascending upper bounds of the bins 1..n.</param>
    /// <returns>The scale.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="upperBounds"/> is null.</exception>
    /// <exception cref="ArgumentException">There are no bounds, more than 9, or they are not strictly ascending.</exception>
    public static ScoreScale FromUpperBounds(params decimal[] upperBounds)
    {
        ArgumentNullException.ThrowIfNull(upperBounds);
        if (upperBounds.Length is < 1 or > RfmpOptions.MaxScoreCount - 1)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"upperBounds must hold 1 to {RfmpOptions.MaxScoreCount - 1} bounds (one fewer than the number of scores), was {upperBounds.Length}."),
                nameof(upperBounds));
        }

        for (var i = 1; i < upperBounds.Length; i++)
        {
            if (upperBounds[i] <= upperBounds[i - 1])
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"upperBounds must be strictly ascending, but bound {i + 1} ({upperBounds[i]}) is not greater than bound {i} ({upperBounds[i - 1]})."),
                    nameof(upperBounds));
            }
        }

        return new ScoreScale((decimal[])upperBounds.Clone());
    }

    /// <summary>Describes the scale, e.g. <c>quantiles</c> or <c>upper bounds 1 | 2 | 4 | 9</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        IsQuantile ? "quantiles" : "upper bounds " + string.Join(" | ", upperBounds.Select(b => b.ToString(CultureInfo.InvariantCulture)));
}
