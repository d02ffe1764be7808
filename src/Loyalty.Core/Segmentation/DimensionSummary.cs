using System.Globalization;

namespace Loyalty.Core.Segmentation;

/// <summary>How one dimension was scored in a run: its cut points and how many customers got each score.</summary>
/// <remarks>
/// Immutable. Cut point <c>j</c> (1-based) is the inclusive upper bound of the raw values in bin
/// <c>j</c>; for recency the bins are reversed, so bin <c>j</c> holds score <c>k + 1 - j</c>.
/// Repeated cut points leave scores that no customer can get: they are listed in
/// <see cref="EmptyScores"/>.
/// </remarks>
public sealed class DimensionSummary
{
    internal DimensionSummary(RfmpDimension dimension, bool quantile, decimal[] cutPoints, int[] customersPerScore)
    {
        Dimension = dimension;
        IsQuantile = quantile;
        CutPoints = cutPoints;
        CustomersPerScore = customersPerScore;
        var empty = new List<int>();
        for (var i = 0; i < customersPerScore.Length; i++)
        {
            if (customersPerScore[i] == 0)
            {
                empty.Add(i + 1);
            }
        }

        EmptyScores = empty;
    }

    /// <summary>The dimension.</summary>
    public RfmpDimension Dimension { get; }

    /// <summary>True when the cut points are quantiles of this run; false for fixed upper bounds.</summary>
    public bool IsQuantile { get; }

    /// <summary>The k − 1 cut points in the dimension's unit (days, orders, currency units, categories); empty when no customer was scored with quantiles.</summary>
    public IReadOnlyList<decimal> CutPoints { get; }

    /// <summary>Customers per score: element <c>s − 1</c> counts the customers with score <c>s</c>.</summary>
    public IReadOnlyList<int> CustomersPerScore { get; }

    /// <summary>The scores no customer got (ascending), e.g. because ties or few customers made cut points repeat.</summary>
    public IReadOnlyList<int> EmptyScores { get; }

    /// <summary>True when at least one score is empty.</summary>
    public bool HasEmptyScores => EmptyScores.Count > 0;

    /// <summary>A readable form, e.g. <c>Frequency: cut points 1 | 1 | 2 | 4; customers per score 500 | 0 | 200 | 180 | 120; empty scores 2</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{Dimension}: cut points {string.Join(" | ", CutPoints.Select(c => c.ToString(CultureInfo.InvariantCulture)))}; customers per score {string.Join(" | ", CustomersPerScore.Select(c => c.ToString(CultureInfo.InvariantCulture)))}");
        return HasEmptyScores ? text + "; empty scores " + string.Join(", ", EmptyScores.Select(s => s.ToString(CultureInfo.InvariantCulture))) : text;
    }
}
