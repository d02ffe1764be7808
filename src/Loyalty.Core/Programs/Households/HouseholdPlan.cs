using Loyalty.Core.Households;

namespace Loyalty.Core.Programs;

/// <summary>The pure arithmetic of a pooled spend: each member's share of the points, in spending order.</summary>
internal static class HouseholdPlan
{
    /// <summary>
    /// The shares of <paramref name="points"/> from members with <paramref name="available"/> points
    /// (owner first, then in joining order), or null when they have fewer in all. Owner first: each
    /// pays what they can in that order. Proportional: each pays ⌊points × available ÷ total⌋, and the
    /// points left go one each to the largest remainders (the earlier member first on a tie) among
    /// members with points to spare. Every share is at most the member's available points.
    /// </summary>
    public static long[]? Shares(HouseholdSpendingOrder order, IReadOnlyList<long> available, long points)
    {
        var total = available.Sum();
        if (total < points)
        {
            return null;
        }

        var shares = new long[available.Count];
        if (order == HouseholdSpendingOrder.OwnerFirst)
        {
            var need = points;
            for (var i = 0; i < shares.Length && need > 0; i++)
            {
                shares[i] = Math.Min(available[i], need);
                need -= shares[i];
            }

            return shares;
        }

        var remainders = new Int128[shares.Length];
        long given = 0;
        for (var i = 0; i < shares.Length; i++)
        {
            var product = (Int128)points * available[i];
            shares[i] = (long)(product / total);
            remainders[i] = product % total;
            given += shares[i];
        }

        var left = points - given;
        foreach (var i in Enumerable.Range(0, shares.Length).Where(i => shares[i] < available[i]).OrderByDescending(i => remainders[i]).ThenBy(i => i))
        {
            if (left == 0)
            {
                break;
            }

            shares[i]++;
            left--;
        }

        return shares;
    }
}
