using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using Loyalty.Core.Referrals;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>
/// A thread-safe, in-process <see cref="IMemberStore"/>: the default store, for tests, samples
/// and single-process shops that accept losing state on restart.
/// </summary>
/// <remarks>One lock guards the store; every member completes synchronously.</remarks>
public sealed class InMemoryMemberStore : IMemberStore
{
    private readonly object gate = new();
    private readonly Dictionary<(ProgramId, MemberId), MemberData> members = [];
    private readonly Dictionary<(ProgramId, ReferralCode), MemberId> codes = [];
    private readonly Dictionary<ProgramId, SortedSet<string>> memberIds = [];
    private readonly Dictionary<(ProgramId, OrderId), OrderRecord> orders = [];
    private readonly Dictionary<(ProgramId, RefundId), RefundRecord> refunds = [];
    private readonly Dictionary<(ProgramId, OrderId), List<RefundRecord>> refundsByOrder = [];
    private readonly Dictionary<(ProgramId, ActivityId), ActivityRecord> activities = [];
    private readonly Dictionary<(ProgramId, MemberId), long> historyVersions = [];

    /// <inheritdoc />
    public ValueTask<MemberRecord?> GetMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(members.TryGetValue((programId, memberId), out var data) ? data.Record : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<MemberRecord?> FindByReferralCodeAsync(ProgramId programId, ReferralCode code, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(codes.TryGetValue((programId, code), out var id) ? members[(programId, id)].Record : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<MemberAddStatus> AddMemberAsync(MemberRecord member, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(member);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (members.ContainsKey((member.ProgramId, member.MemberId)))
            {
                return new(MemberAddStatus.MemberExists);
            }

            if (codes.ContainsKey((member.ProgramId, member.ReferralCode)))
            {
                return new(MemberAddStatus.ReferralCodeTaken);
            }

            members[(member.ProgramId, member.MemberId)] = new MemberData(member);
            codes[(member.ProgramId, member.ReferralCode)] = member.MemberId;
            if (!memberIds.TryGetValue(member.ProgramId, out var ids))
            {
                ids = new SortedSet<string>(StringComparer.Ordinal);
                memberIds[member.ProgramId] = ids;
            }

            ids.Add(member.MemberId.Value);
            return new(MemberAddStatus.Added);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> UpdateMemberAsync(MemberRecord member, long expectedVersion, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(member);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!members.TryGetValue((member.ProgramId, member.MemberId), out var data) || data.Record.Version != expectedVersion)
            {
                return new(false);
            }

            if (data.Record.ReferralCode != member.ReferralCode)
            {
                if (codes.ContainsKey((member.ProgramId, member.ReferralCode)))
                {
                    return new(false);
                }

                codes.Remove((member.ProgramId, data.Record.ReferralCode));
                codes[(member.ProgramId, member.ReferralCode)] = member.MemberId;
            }

            data.Record = member with { Version = expectedVersion + 1 };
            return new(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MemberId>> ListMembersAsync(ProgramId programId, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckInRange(maxCount, 1, int.MaxValue);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!memberIds.TryGetValue(programId, out var ids))
            {
                return new(Array.Empty<MemberId>());
            }

            IEnumerable<string> view = ids;
            if (afterMember is { } after)
            {
                view = ids.Where(id => string.CompareOrdinal(id, after.Value) > 0);
            }

            IReadOnlyList<MemberId> page = view.Take(maxCount).Select(MemberId.From).ToArray();
            return new(page);
        }
    }

    /// <inheritdoc />
    public ValueTask<HistoryAddResult<OrderRecord>> AddOrderAsync(OrderRecord order, long expectedHistoryVersion, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(order);
        Preconditions.CheckNotNegative(expectedHistoryVersion);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (orders.TryGetValue((order.ProgramId, order.OrderId), out var existing))
            {
                return new(new HistoryAddResult<OrderRecord>(HistoryAddStatus.Exists, existing));
            }

            if (HistoryVersion(order.ProgramId, order.MemberId) != expectedHistoryVersion)
            {
                return new(new HistoryAddResult<OrderRecord>(HistoryAddStatus.Conflict));
            }

            orders[(order.ProgramId, order.OrderId)] = order;
            Data(order.ProgramId, order.MemberId)?.Orders.Add(order);
            AdvanceHistory(order.ProgramId, order.MemberId);
            return new(new HistoryAddResult<OrderRecord>(HistoryAddStatus.Added));
        }
    }

    /// <inheritdoc />
    public ValueTask<OrderRecord?> GetOrderAsync(ProgramId programId, OrderId orderId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(orders.GetValueOrDefault((programId, orderId)));
        }
    }

    /// <inheritdoc />
    public ValueTask<RefundAddResult> AddRefundAsync(RefundRecord refund, int expectedRefundCount, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(refund);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (refunds.TryGetValue((refund.ProgramId, refund.RefundId), out var existing))
            {
                return new(new RefundAddResult(RefundAddStatus.Exists, existing));
            }

            var forOrder = refundsByOrder.GetValueOrDefault((refund.ProgramId, refund.OrderId));
            if ((forOrder?.Count ?? 0) != expectedRefundCount)
            {
                return new(new RefundAddResult(RefundAddStatus.Conflict));
            }

            if (forOrder is null)
            {
                forOrder = [];
                refundsByOrder[(refund.ProgramId, refund.OrderId)] = forOrder;
            }

            forOrder.Add(refund);
            refunds[(refund.ProgramId, refund.RefundId)] = refund;
            Data(refund.ProgramId, refund.MemberId)?.Refunds.Add(refund);
            AdvanceHistory(refund.ProgramId, refund.MemberId);
            return new(new RefundAddResult(RefundAddStatus.Added));
        }
    }

    /// <inheritdoc />
    public ValueTask<RefundRecord?> GetRefundAsync(ProgramId programId, RefundId refundId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(refunds.GetValueOrDefault((programId, refundId)));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RefundRecord>> ListRefundsAsync(ProgramId programId, OrderId orderId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            IReadOnlyList<RefundRecord> list = refundsByOrder.TryGetValue((programId, orderId), out var found) ? found.ToArray() : [];
            return new(list);
        }
    }

    /// <inheritdoc />
    public ValueTask<HistoryAddResult<ActivityRecord>> AddActivityAsync(ActivityRecord activity, long expectedHistoryVersion, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(activity);
        Preconditions.CheckNotNegative(expectedHistoryVersion);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (activities.TryGetValue((activity.ProgramId, activity.ActivityId), out var existing))
            {
                return new(new HistoryAddResult<ActivityRecord>(HistoryAddStatus.Exists, existing));
            }

            if (HistoryVersion(activity.ProgramId, activity.MemberId) != expectedHistoryVersion)
            {
                return new(new HistoryAddResult<ActivityRecord>(HistoryAddStatus.Conflict));
            }

            activities[(activity.ProgramId, activity.ActivityId)] = activity;
            Data(activity.ProgramId, activity.MemberId)?.Activities.Add(activity);
            AdvanceHistory(activity.ProgramId, activity.MemberId);
            return new(new HistoryAddResult<ActivityRecord>(HistoryAddStatus.Added));
        }
    }

    /// <inheritdoc />
    public ValueTask<ActivityRecord?> GetActivityAsync(ProgramId programId, ActivityId activityId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(activities.GetValueOrDefault((programId, activityId)));
        }
    }

    /// <inheritdoc />
    public ValueTask<MemberHistory> GetHistoryAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var version = HistoryVersion(programId, memberId);
            if (Data(programId, memberId) is not { } data)
            {
                return new(new MemberHistory([], [], [], version));
            }

            return new(new MemberHistory(
                data.Orders.OrderBy(o => o.Order.PlacedAt).ToArray(),
                data.Refunds.OrderBy(r => r.RefundedAt).ToArray(),
                data.Activities.OrderBy(a => a.Activity.OccurredAt).ToArray(),
                version));
        }
    }

    /// <inheritdoc />
    public ValueTask<HistoryAddResult<OrderRecord>> AddOrderWithStateAsync(OrderRecord order, MemberRecord member, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(order);
        CheckKeptState(member, order.ProgramId, order.MemberId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (orders.TryGetValue((order.ProgramId, order.OrderId), out var existing))
            {
                return new(new HistoryAddResult<OrderRecord>(HistoryAddStatus.Exists, existing));
            }

            if (!CanReplace(member, out var data))
            {
                return new(new HistoryAddResult<OrderRecord>(HistoryAddStatus.Conflict));
            }

            orders[(order.ProgramId, order.OrderId)] = order;
            data.Orders.Add(order);
            Replace(data, member);
            return new(new HistoryAddResult<OrderRecord>(HistoryAddStatus.Added));
        }
    }

    /// <inheritdoc />
    public ValueTask<RefundAddResult> AddRefundWithStateAsync(RefundRecord refund, int expectedRefundCount, MemberRecord member, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(refund);
        CheckKeptState(member, refund.ProgramId, refund.MemberId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (refunds.TryGetValue((refund.ProgramId, refund.RefundId), out var existing))
            {
                return new(new RefundAddResult(RefundAddStatus.Exists, existing));
            }

            var forOrder = refundsByOrder.GetValueOrDefault((refund.ProgramId, refund.OrderId));
            if ((forOrder?.Count ?? 0) != expectedRefundCount || !CanReplace(member, out var data))
            {
                return new(new RefundAddResult(RefundAddStatus.Conflict));
            }

            if (forOrder is null)
            {
                forOrder = [];
                refundsByOrder[(refund.ProgramId, refund.OrderId)] = forOrder;
            }

            forOrder.Add(refund);
            refunds[(refund.ProgramId, refund.RefundId)] = refund;
            data.Refunds.Add(refund);
            Replace(data, member);
            return new(new RefundAddResult(RefundAddStatus.Added));
        }
    }

    /// <inheritdoc />
    public ValueTask<HistoryAddResult<ActivityRecord>> AddActivityWithStateAsync(ActivityRecord activity, MemberRecord member, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(activity);
        CheckKeptState(member, activity.ProgramId, activity.MemberId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (activities.TryGetValue((activity.ProgramId, activity.ActivityId), out var existing))
            {
                return new(new HistoryAddResult<ActivityRecord>(HistoryAddStatus.Exists, existing));
            }

            if (!CanReplace(member, out var data))
            {
                return new(new HistoryAddResult<ActivityRecord>(HistoryAddStatus.Conflict));
            }

            activities[(activity.ProgramId, activity.ActivityId)] = activity;
            data.Activities.Add(activity);
            Replace(data, member);
            return new(new HistoryAddResult<ActivityRecord>(HistoryAddStatus.Added));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OrderRecord>> ListOrdersRecordedAsync(ProgramId programId, NodaTime.Instant from, NodaTime.Instant until, (NodaTime.Instant RecordedAt, OrderId OrderId)? after, int maxCount, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckInRange(maxCount, 1, int.MaxValue);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            // A scan: the in-memory store is for tests, samples and small shops; the relational store reads an index.
            IReadOnlyList<OrderRecord> page = orders.Values
                .Where(o => o.ProgramId == programId && o.RecordedAt >= from && o.RecordedAt < until)
                .Where(o => after is not { } a || o.RecordedAt > a.RecordedAt || (o.RecordedAt == a.RecordedAt && string.CompareOrdinal(o.OrderId.Value, a.OrderId.Value) > 0))
                .OrderBy(o => o.RecordedAt)
                .ThenBy(o => o.OrderId.Value, StringComparer.Ordinal)
                .Take(maxCount)
                .ToArray();
            return new(page);
        }
    }

    /// <summary>The checks every store makes, with the same messages.</summary>
    internal static void CheckKeptState(MemberRecord member, ProgramId programId, MemberId memberId)
    {
        Preconditions.CheckNotNull(member);
        if (member.Evaluation is null)
        {
            throw new ArgumentException("member.Evaluation must be set: the record written with an order, refund or activity carries the member's kept evaluation state.", nameof(member));
        }

        if (member.ProgramId != programId || member.MemberId != memberId)
        {
            throw new ArgumentException($"member is '{member.MemberId}' of programme '{member.ProgramId}' but the record written with it is for '{memberId}' of programme '{programId}'.", nameof(member));
        }
    }

    private bool CanReplace(MemberRecord member, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MemberData? data)
    {
        data = Data(member.ProgramId, member.MemberId);
        return data is not null
            && data.Record.Version == member.Version - 1
            && HistoryVersion(member.ProgramId, member.MemberId) == member.Evaluation!.HistoryVersion - 1;
    }

    private void Replace(MemberData data, MemberRecord member)
    {
        // The referral code is not changed by these writes: the record keeps its index entry.
        data.Record = member with { ReferralCode = data.Record.ReferralCode };
        historyVersions[(member.ProgramId, member.MemberId)] = member.Evaluation!.HistoryVersion;
    }

    private MemberData? Data(ProgramId programId, MemberId memberId) => members.GetValueOrDefault((programId, memberId));

    private long HistoryVersion(ProgramId programId, MemberId memberId) => historyVersions.GetValueOrDefault((programId, memberId));

    private void AdvanceHistory(ProgramId programId, MemberId memberId) => historyVersions[(programId, memberId)] = HistoryVersion(programId, memberId) + 1;

    private sealed class MemberData(MemberRecord record)
    {
        public MemberRecord Record { get; set; } = record;

        public List<OrderRecord> Orders { get; } = [];

        public List<RefundRecord> Refunds { get; } = [];

        public List<ActivityRecord> Activities { get; } = [];
    }
}
