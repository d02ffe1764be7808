using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using Loyalty.Core.Referrals;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>
/// A thread-safe, in-process <see cref="IMemberStore"/>: the default store, for tests, samples
/// and single-process shops that accept losing state on restart.
/// </summary>
/// <remarks>
/// One lock guards the store; every member completes synchronously. Members are indexed by id and
/// by (<see cref="MemberPartition.KeyOf(MemberId)">partition key</see>, id) in sorted chunk lists,
/// so a page of <see cref="ListMembersAsync"/> or <see cref="ReadMemberPageAsync"/> costs O(log n +
/// page size) wherever it starts. Orders are kept as bytes in one store-wide log, encoded once when
/// added: an order read back is a new record equal in content to the one added, not that instance, and a
/// history's orders are decoded when first read from a copy of their bytes made by the read.
/// </remarks>
public sealed partial class InMemoryMemberStore : IMemberStore
{
    private readonly object gate = new();
    private readonly Dictionary<(ProgramId, MemberId), MemberData> members = [];
    private readonly Dictionary<(ProgramId, ReferralCode), MemberId> codes = [];
    private readonly Dictionary<ProgramId, OrderedIndex<string>> memberIds = [];
    private readonly Dictionary<ProgramId, OrderedIndex<(uint Key, string Id)>> memberKeys = [];
    // Orders by id: their positions in the order log (kept as bytes, see ByteArena), decoded on read.
    private readonly Dictionary<(ProgramId, OrderId), int> orders = [];
    private readonly ByteArena<OrderRecord> orderLog = new(OrderRecordCodec.Instance);
    private readonly Dictionary<ProgramId, OrderedIndex<(NodaTime.Instant RecordedAt, string Id)>> ordersRecorded = [];
    private readonly Dictionary<(ProgramId, RefundId), RefundRecord> refunds = [];
    private readonly Dictionary<(ProgramId, OrderId), List<RefundRecord>> refundsByOrder = [];
    private readonly Dictionary<(ProgramId, ActivityId), ActivityRecord> activities = [];
    private readonly Dictionary<(ProgramId, MemberId), long> historyVersions = [];

    /// <summary>The order log (for tests: what a rewrite leaves in it).</summary>
    internal ByteArena<OrderRecord> OrderLog => orderLog;

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
                ids = new OrderedIndex<string>(StringComparer.Ordinal);
                memberIds[member.ProgramId] = ids;
                memberKeys[member.ProgramId] = new OrderedIndex<(uint Key, string Id)>(KeyOrder.Instance);
            }

            ids.Add(member.MemberId.Value);
            memberKeys[member.ProgramId].Add((MemberPartition.KeyOf(member.MemberId.Value), member.MemberId.Value));
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
            return new(Update(member, expectedVersion));
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

            var page = new List<MemberId>(Math.Min(maxCount, ids.Count));
            ids.Walk(afterMember?.Value ?? string.Empty, inclusive: afterMember is null, id =>
            {
                page.Add(MemberId.From(id));
                return page.Count < maxCount ? OrderedIndex<string>.Step.Go : OrderedIndex<string>.Step.Stop;
            });
            return new(page);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MemberPageEntry>> ReadMemberPageAsync(ProgramId programId, MemberPartition partition, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckInRange(maxCount, 1, int.MaxValue);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!memberKeys.TryGetValue(programId, out var keys))
            {
                return new(Array.Empty<MemberPageEntry>());
            }

            var first = (partition.FirstKey, string.Empty);
            var start = first;
            var inclusive = true;
            if (afterMember is { IsDefault: false } after)
            {
                var cursor = (MemberPartition.KeyOf(after.Value), after.Value);
                if (KeyOrder.Instance.Compare(cursor, first) >= 0)
                {
                    start = cursor;
                    inclusive = false;
                }
            }

            var last = partition.LastKey;
            var page = new List<MemberPageEntry>(Math.Min(maxCount, 1024));
            keys.Walk(start, inclusive, item =>
            {
                if (item.Key > last)
                {
                    return OrderedIndex<(uint, string)>.Step.Stop;
                }

                var memberId = MemberId.From(item.Id);
                var data = members[(programId, memberId)];
                page.Add(new MemberPageEntry(data.Record, History(programId, memberId, data)));
                return page.Count < maxCount ? OrderedIndex<(uint, string)>.Step.Go : OrderedIndex<(uint, string)>.Step.Stop;
            });
            return new(page);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MemberId>> UpdateMembersAsync(IReadOnlyList<MemberUpdate> updates, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(updates);
        cancellationToken.ThrowIfCancellationRequested();
        List<MemberId>? refused = null;
        lock (gate)
        {
            foreach (var update in updates)
            {
                ArgumentNullException.ThrowIfNull(update.Member, nameof(updates));
            }

            foreach (var (member, expectedVersion) in updates)
            {
                if (!Update(member, expectedVersion))
                {
                    (refused ??= []).Add(member.MemberId);
                }
            }
        }

        return new(refused ?? (IReadOnlyList<MemberId>)[]);
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
                return new(new HistoryAddResult<OrderRecord>(HistoryAddStatus.Exists, orderLog[existing]));
            }

            if (HistoryVersion(order.ProgramId, order.MemberId) != expectedHistoryVersion)
            {
                return new(new HistoryAddResult<OrderRecord>(HistoryAddStatus.Conflict));
            }

            var position = AddOrderRecord(order);
            Data(order.ProgramId, order.MemberId)?.AddOrder(position, order.Order.PlacedAt);
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
            return new(orders.TryGetValue((programId, orderId), out var position) ? orderLog[position] : null);
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

            return new(History(programId, memberId, data));
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
                return new(new HistoryAddResult<OrderRecord>(HistoryAddStatus.Exists, orderLog[existing]));
            }

            if (!CanReplace(member, out var data))
            {
                return new(new HistoryAddResult<OrderRecord>(HistoryAddStatus.Conflict));
            }

            data.AddOrder(AddOrderRecord(order), order.Order.PlacedAt);
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
            if (!ordersRecorded.TryGetValue(programId, out var index))
            {
                return new(Array.Empty<OrderRecord>());
            }

            // A walk of the (recorded instant, order id) index from the cursor: the page costs
            // O(log n + page size) whatever its position, like the relational store's index.
            var start = (from, string.Empty);
            var inclusive = true;
            if (after is { } a && RecordedOrder.Instance.Compare((a.RecordedAt, a.OrderId.Value), start) >= 0)
            {
                start = (a.RecordedAt, a.OrderId.Value);
                inclusive = false;
            }

            var page = new List<OrderRecord>(Math.Min(maxCount, 1024));
            index.Walk(start, inclusive, item =>
            {
                if (item.RecordedAt >= until)
                {
                    return OrderedIndex<(NodaTime.Instant, string)>.Step.Stop;
                }

                page.Add(orderLog[orders[(programId, OrderId.From(item.Id))]]);
                return page.Count < maxCount ? OrderedIndex<(NodaTime.Instant, string)>.Step.Go : OrderedIndex<(NodaTime.Instant, string)>.Step.Stop;
            });
            return new(page);
        }
    }

    /// <summary>Adds the order to the log and its indexes; returns its position in the log.</summary>
    private int AddOrderRecord(OrderRecord order)
    {
        var position = orderLog.Add(order);
        orders[(order.ProgramId, order.OrderId)] = position;
        if (!ordersRecorded.TryGetValue(order.ProgramId, out var index))
        {
            index = new OrderedIndex<(NodaTime.Instant RecordedAt, string Id)>(RecordedOrder.Instance);
            ordersRecorded[order.ProgramId] = index;
        }

        index.Add((order.RecordedAt, order.OrderId.Value));
        return position;
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
        // The referral code is not changed by these writes: the record keeps its index entry. The record
        // is immutable, so the caller's is kept as given unless its code differs (no copy per order).
        data.Record = member.ReferralCode == data.Record.ReferralCode ? member : member with { ReferralCode = data.Record.ReferralCode };
        historyVersions[(member.ProgramId, member.MemberId)] = member.Evaluation!.HistoryVersion;
    }
    private bool Update(MemberRecord member, long expectedVersion)
    {
        if (!members.TryGetValue((member.ProgramId, member.MemberId), out var data) || data.Record.Version != expectedVersion)
        {
            return false;
        }

        if (data.Record.ReferralCode != member.ReferralCode)
        {
            if (codes.ContainsKey((member.ProgramId, member.ReferralCode)))
            {
                return false;
            }

            codes.Remove((member.ProgramId, data.Record.ReferralCode));
            codes[(member.ProgramId, member.ReferralCode)] = member.MemberId;
        }

        // Records are immutable: one already at the next version is kept as given, not copied.
        data.Record = member.Version == expectedVersion + 1 ? member : member with { Version = expectedVersion + 1 };
        return true;
    }

    private MemberHistory History(ProgramId programId, MemberId memberId, MemberData data) => new(
        data.OrdersInPlacementOrder ? orderLog.Snapshot(data.OrdersIfAny) : InOrder(OrdersOf(data), static o => o.Order.PlacedAt),
        InOrder(data.RefundsIfAny, static r => r.RefundedAt),
        InOrder(data.ActivitiesIfAny, static a => a.Activity.OccurredAt),
        HistoryVersion(programId, memberId));

    /// <summary>
    /// A copy of <paramref name="items"/> in <paramref name="key"/> order, ties in insertion order: the copy
    /// as is when the items were added in that order (the usual case: no sort, nothing else allocated).
    /// </summary>
    private static T[] InOrder<T>(List<T>? items, Func<T, NodaTime.Instant> key) =>
        items is null || items.Count == 0 ? [] : InOrder(items.ToArray(), key);

    /// <summary><paramref name="copy"/> (a copy the caller made) in <paramref name="key"/> order, ties in insertion order: sorted only when it is not.</summary>
    private static T[] InOrder<T>(T[] copy, Func<T, NodaTime.Instant> key)
    {
        for (var i = 1; i < copy.Length; i++)
        {
            if (key(copy[i]) < key(copy[i - 1]))
            {
                return copy.OrderBy(key).ToArray();
            }
        }

        return copy;
    }

    /// <summary>The member's orders in insertion order, a new array (read from the store's order log).</summary>
    private OrderRecord[] OrdersOf(MemberData data)
    {
        if (data.OrdersIfAny is not { Count: > 0 } positions)
        {
            return [];
        }

        var records = new OrderRecord[positions.Count];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = orderLog[positions[i]];
        }

        return records;
    }

    private MemberData? Data(ProgramId programId, MemberId memberId) => members.GetValueOrDefault((programId, memberId));

    private long HistoryVersion(ProgramId programId, MemberId memberId) => historyVersions.GetValueOrDefault((programId, memberId));

    private void AdvanceHistory(ProgramId programId, MemberId memberId) => historyVersions[(programId, memberId)] = HistoryVersion(programId, memberId) + 1;

    /// <summary>
    /// A member's record and history. The lists are created with their first item: a store keeps one of these
    /// per member, most members have no refund or activity, and every empty list would be one more object
    /// for each collection of the old generation to trace.
    /// </summary>
    private sealed class MemberData(MemberRecord record)
    {
        // The orders as positions in the store's order log (see ByteArena): numbers, which a collection never scans.
        private List<int>? orders;

        // The last order's placement instant, and whether an order was ever added placed before the one added
        // before it: while not, the positions are in placement order and a history reads them undecoded.
        private NodaTime.Instant lastPlacedAt;
        private bool outOfOrder;
        private List<RefundRecord>? refunds;
        private List<ActivityRecord>? activities;

        public MemberRecord Record { get; set; } = record;

        /// <summary>The orders' positions in the store's order log, in insertion order (created on first use: for writes and rewrites).</summary>
        public List<int> Orders => orders ??= [];

        /// <summary>Whether the orders were added in placement order (each placed no earlier than the one added before it).</summary>
        public bool OrdersInPlacementOrder => !outOfOrder;

        /// <summary>Adds an order's position, placed at <paramref name="placedAt"/>.</summary>
        public void AddOrder(int position, NodaTime.Instant placedAt)
        {
            outOfOrder |= Orders.Count > 0 && placedAt < lastPlacedAt;
            lastPlacedAt = placedAt;
            Orders.Add(position);
        }

        /// <summary>The refunds (created on first use: for writes).</summary>
        public List<RefundRecord> Refunds => refunds ??= [];

        /// <summary>The activities (created on first use: for writes).</summary>
        public List<ActivityRecord> Activities => activities ??= [];

        /// <summary>The orders' positions in the store's order log, or null when none was recorded (for reads).</summary>
        public List<int>? OrdersIfAny => orders;

        /// <summary>The refunds, or null when none was recorded (for reads).</summary>
        public List<RefundRecord>? RefundsIfAny => refunds;

        /// <summary>The activities, or null when none was recorded (for reads).</summary>
        public List<ActivityRecord>? ActivitiesIfAny => activities;
    }

    /// <summary>Orders (partition key, member id): keys as unsigned numbers, ids ordinally.</summary>
    private sealed class RecordedOrder : IComparer<(NodaTime.Instant RecordedAt, string Id)>
    {
        public static readonly RecordedOrder Instance = new();

        public int Compare((NodaTime.Instant RecordedAt, string Id) x, (NodaTime.Instant RecordedAt, string Id) y)
        {
            var c = x.RecordedAt.CompareTo(y.RecordedAt);
            return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
        }
    }

    private sealed class KeyOrder : IComparer<(uint Key, string Id)>
    {
        public static readonly KeyOrder Instance = new();

        public int Compare((uint Key, string Id) x, (uint Key, string Id) y)
        {
            var c = x.Key.CompareTo(y.Key);
            return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
        }
    }
}
