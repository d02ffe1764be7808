using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;

namespace Loyalty.Core.Programs;

/// <summary>What the tier evaluator reads of a member's recorded history: orders (spend and points), refunds (reductions) and the points of activities.</summary>
internal static class TierInputs
{
    /// <summary>The member as the tier evaluator takes it, replayed from enrolment (no prior status), as every other tier question of the programme is answered.</summary>
    public static TierMember Member(MemberRecord member, MemberHistory history, Currency currency, QualificationWeights weights)
    {
        var entries = new QualificationEntry[history.Orders.Count + history.Refunds.Count + history.Activities.Count];
        var n = 0;
        foreach (var order in history.Orders)
        {
            entries[n++] = weights.Order(order, currency);
        }

        var merchantOf = weights.MerchantsOf(history);
        foreach (var refund in history.Refunds)
        {
            entries[n++] = weights.Refund(refund, merchantOf(refund.OrderId));
        }

        foreach (var activity in history.Activities)
        {
            if (weights.Activity(activity) is { } entry)
            {
                entries[n++] = entry;
            }
        }

        return new TierMember { MemberId = member.MemberId, EnrolledAt = member.EnrolledAt, History = entries.AsMemory(0, n) };
    }
}
