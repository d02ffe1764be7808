using Loyalty.Core.DataRights;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage.InMemory;

/// <content>The <see cref="IMemberDataStore"/> capability: referral listing and re-keying for members' data rights.</content>
public sealed partial class InMemoryMemberStore : IMemberDataStore
{
    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MemberRecord>> ListReferredMembersAsync(ProgramId programId, MemberId referrer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(members.Values
                .Select(d => d.Record)
                .Where(r => r.ProgramId == programId && r.ReferredBy == referrer)
                .OrderBy(r => r.MemberId.Value, StringComparer.Ordinal)
                .ToArray());
        }
    }

    /// <inheritdoc />
    public ValueTask<MemberRewriteStatus> RewriteMemberAsync(MemberRewrite rewrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        cancellationToken.ThrowIfCancellationRequested();
        var programId = rewrite.ProgramId;
        var to = rewrite.Member.MemberId;
        lock (gate)
        {
            if (Data(programId, rewrite.From) is not { } data)
            {
                return new(MemberRewriteStatus.NotFound);
            }

            if (data.Record.Version != rewrite.ExpectedVersion || HistoryVersion(programId, rewrite.From) != rewrite.ExpectedHistoryVersion)
            {
                return new(MemberRewriteStatus.Conflict);
            }

            if (to != rewrite.From && (members.ContainsKey((programId, to)) || historyVersions.ContainsKey((programId, to))))
            {
                return new(MemberRewriteStatus.TargetExists);
            }

            var ownCode = data.Record.ReferralCode;
            if (rewrite.Member.ReferralCode != ownCode && codes.ContainsKey((programId, rewrite.Member.ReferralCode)))
            {
                return new(MemberRewriteStatus.TargetExists);
            }

            var ownOrderRecords = OrdersOf(data);
            var ownOrders = ownOrderRecords.Select(o => o.OrderId).ToHashSet();
            var ownRefunds = data.Refunds.Select(r => r.RefundId).ToHashSet();
            var ownActivities = data.Activities.Select(a => a.ActivityId).ToHashSet();
            if (rewrite.Orders.Any(o => !ownOrders.Contains(o.OrderId) && orders.ContainsKey((programId, o.OrderId)))
                || rewrite.Refunds.Any(r => !ownRefunds.Contains(r.RefundId) && refunds.ContainsKey((programId, r.RefundId)))
                || rewrite.Activities.Any(a => !ownActivities.Contains(a.ActivityId) && activities.ContainsKey((programId, a.ActivityId))))
            {
                return new(MemberRewriteStatus.TargetExists);
            }

            // Remove every row of the old id.
            foreach (var position in data.Orders)
            {
                orderLog.Forget(position);
            }

            data.Orders.Clear();
            foreach (var order in ownOrderRecords)
            {
                orders.Remove((programId, order.OrderId));
                refundsByOrder.Remove((programId, order.OrderId));
                if (ordersRecorded.TryGetValue(programId, out var index))
                {
                    index.Remove((order.RecordedAt, order.OrderId.Value));
                }
            }

            foreach (var refund in data.Refunds)
            {
                refunds.Remove((programId, refund.RefundId));
            }

            foreach (var activity in data.Activities)
            {
                activities.Remove((programId, activity.ActivityId));
            }

            members.Remove((programId, rewrite.From));
            codes.Remove((programId, ownCode));
            historyVersions.Remove((programId, rewrite.From));
            memberIds[programId].Remove(rewrite.From.Value);
            memberKeys[programId].Remove((MemberPartition.KeyOf(rewrite.From.Value), rewrite.From.Value));

            // Write them under the new id.
            var moved = new MemberData(rewrite.Member);
            members[(programId, to)] = moved;
            codes[(programId, rewrite.Member.ReferralCode)] = to;
            memberIds[programId].Add(to.Value);
            memberKeys[programId].Add((MemberPartition.KeyOf(to.Value), to.Value));
            historyVersions[(programId, to)] = rewrite.ExpectedHistoryVersion;
            foreach (var order in rewrite.Orders)
            {
                moved.AddOrder(AddOrderRecord(order), order.Order.PlacedAt);
            }

            foreach (var refund in rewrite.Refunds)
            {
                refunds[(programId, refund.RefundId)] = refund;
                if (!refundsByOrder.TryGetValue((programId, refund.OrderId), out var forOrder))
                {
                    refundsByOrder[(programId, refund.OrderId)] = forOrder = [];
                }

                forOrder.Add(refund);
                moved.Refunds.Add(refund);
            }

            foreach (var activity in rewrite.Activities)
            {
                activities[(programId, activity.ActivityId)] = activity;
                moved.Activities.Add(activity);
            }

            // The members this one referred now point to the new id; their version moves so that a
            // writer holding the old record re-reads it.
            foreach (var referee in members.Values.Where(d => d.Record.ProgramId == programId && d.Record.ReferredBy == rewrite.From))
            {
                referee.Record = referee.Record with { ReferredBy = to, Version = referee.Record.Version + 1 };
            }

            return new(MemberRewriteStatus.Rewritten);
        }
    }
}
