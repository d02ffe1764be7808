using FsCheck.Xunit;
using Loyalty.Core.Analytics.Internal;

namespace Loyalty.Core.Analytics.Tests.Internal;

public class RankingTests
{
    private static int[] Expected(double[] values) =>
        Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).ThenBy(i => i).ToArray();

    [Property(MaxTest = 300)]
    public bool Orders_largest_first_and_keeps_ties_in_index_order(int[] seeds)
    {
        var values = seeds.Select(s => (s % 7) * 0.5 - 1.0 + (s % 3 == 0 ? 1e-300 : 0)).ToArray();
        return Ranking.Descending(values).SequenceEqual(Expected(values));
    }

    [Fact]
    public void Sorts_a_large_array_split_over_cores_like_a_stable_sort()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 200_000).Select(_ => random.Next(5) == 0 ? 0.0 : Math.Round(random.NextDouble() * 1000, 1) - 10).ToArray();

        Ranking.Descending(values).Should().Equal(Expected(values));
    }

    [Fact]
    public void Negative_zero_ties_with_zero()
    {
        Ranking.Descending([0.0, -0.0, 1.0, -2.0, 0.0]).Should().Equal(2, 0, 1, 4, 3);
    }
}
