using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;

namespace Loyalty.Core.Programs;

/// <summary>What the tier evaluator reads of a member's recorded history: orders (spend and points), refunds (reductions) and the points of activities.</summary>
internal static class TierInputs
{
    /// <summary>The member as the tier evaluator takes it, replayed from enrolment (no prior status, unless <paramref name="prior"/> is given), as every other tier question of the programme is answered.</summary>
    /// <param name="member">The member.</param>
    /// <param name="history">The member's history.</param>
    /// <param name="currency">The programme's currency.</param>
    /// <param name="weights">How much each merchant counts.</param>
    /// <param name="buffer">Where the entries are written (a batch's members share one array), or null for an array of the member's own.</param>
    /// <param name="prior">The status to continue from (<see cref="TierMember.PriorStatus"/>), or null to replay from enrolment.</param>
    public static TierMember Member(MemberRecord member, MemberHistory history, Currency currency, QualificationWeights weights, EntryBuffer? buffer = null, TierStatus? prior = null)
    {
        var size = history.Orders.Count + history.Refunds.Count + history.Activities.Count;
        var (entries, start) = buffer is null ? (new QualificationEntry[size], 0) : buffer.Take(size);
        var n = start;
        // Indexed loops: a foreach over the lists' interface allocates an enumerator per non-empty list and member.
        var orders = history.Orders;
        for (var i = 0; i < orders.Count; i++)
        {
            entries[n++] = weights.Order(orders[i], currency);
        }

        var refunds = history.Refunds;
        if (refunds.Count > 0)
        {
            var merchantOf = weights.MerchantsOf(history);
            for (var i = 0; i < refunds.Count; i++)
            {
                entries[n++] = weights.Refund(refunds[i], merchantOf(refunds[i].OrderId));
            }
        }

        var activities = history.Activities;
        for (var i = 0; i < activities.Count; i++)
        {
            if (weights.Activity(activities[i]) is { } entry)
            {
                entries[n++] = entry;
            }
        }

        buffer?.Return(start + size - n);
        return new TierMember { MemberId = member.MemberId, EnrolledAt = member.EnrolledAt, History = entries.AsMemory(start, n - start), PriorStatus = prior };
    }

    /// <summary>
    /// One array the entries of a batch's members are written to, each member's a slice of it: reused
    /// from batch to batch (<see cref="Reset"/>), so a page of members costs no array per member. The
    /// slices handed out before a reset must no longer be read after it.
    /// </summary>
    internal sealed class EntryBuffer
    {
        private QualificationEntry[] array = new QualificationEntry[1024];
        private int used;

        /// <summary>Starts a new batch: the array is written from its start again.</summary>
        public void Reset() => used = 0;

        /// <summary>Room for <paramref name="count"/> entries: the array and the index they start at (a larger array when this one is full; slices of the old one stay valid).</summary>
        public (QualificationEntry[] Array, int Start) Take(int count)
        {
            if (array.Length - used < count)
            {
                array = new QualificationEntry[Math.Max(array.Length * 2, count)];
                used = 0;
            }

            var start = used;
            used += count;
            return (array, start);
        }

        /// <summary>Gives back the last <paramref name="unused"/> entries of the last <see cref="Take"/>.</summary>
        public void Return(int unused) => used -= unused;
    }
}
