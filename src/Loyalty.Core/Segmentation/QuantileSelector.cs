namespace Loyalty.Core.Segmentation;

/// <summary>
/// Inverted-CDF quantile cut points without a full sort: the values at ranks ⌈n·j/k⌉ are found
/// with a three-way quickselect (ties grouped, so runs of equal values cost one pass).
/// </summary>
internal static class QuantileSelector
{
    /// <summary>Cut points j = 1..k-1 of <paramref name="values"/> (reordered in place).</summary>
    public static T[] CutPoints<T>(Span<T> values, int scoreCount)
        where T : IComparable<T>
    {
        var n = values.Length;
        if (n == 0)
        {
            return [];
        }

        var cuts = new T[scoreCount - 1];
        var low = 0;
        var lastRank = -1;
        for (var j = 1; j < scoreCount; j++)
        {
            // 1-based rank ⌈n·j/k⌉, computed exactly in integers.
            var rank = (int)((((long)n * j) + scoreCount - 1) / scoreCount) - 1;
            if (rank == lastRank)
            {
                cuts[j - 1] = cuts[j - 2];
                continue;
            }

            cuts[j - 1] = Select(values[low..], rank - low);
            low = rank;
            lastRank = rank;
        }

        return cuts;
    }

    /// <summary>Puts the element of 0-based rank <paramref name="k"/> at index k, smaller-or-equal ones before it and greater-or-equal ones after it.</summary>
    private static T Select<T>(Span<T> a, int k)
        where T : IComparable<T>
    {
        var lo = 0;
        var hi = a.Length - 1;
        while (lo < hi)
        {
            var pivot = MedianOfThree(a[lo], a[lo + ((hi - lo) / 2)], a[hi]);
            int lt = lo, i = lo, gt = hi;
            while (i <= gt)
            {
                var c = a[i].CompareTo(pivot);
                if (c < 0)
                {
                    (a[lt], a[i]) = (a[i], a[lt]);
                    lt++;
                    i++;
                }
                else if (c > 0)
                {
                    (a[i], a[gt]) = (a[gt], a[i]);
                    gt--;
                }
                else
                {
                    i++;
                }
            }

            if (k < lt)
            {
                hi = lt - 1;
            }
            else if (k > gt)
            {
                lo = gt + 1;
            }
            else
            {
                return pivot;
            }
        }

        return a[k];
    }

    private static T MedianOfThree<T>(T a, T b, T c)
        where T : IComparable<T>
    {
        if (a.CompareTo(b) > 0)
        {
            (a, b) = (b, a);
        }

        if (b.CompareTo(c) > 0)
        {
            b = c;
            if (a.CompareTo(b) > 0)
            {
                b = a;
            }
        }

        return b;
    }
}
