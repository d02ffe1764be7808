using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using NodaTime.Text;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// An <see cref="IMemberStore"/> on EF Core, in the shop's own <see cref="DbContext"/>: one row per
/// member, and per order, refund and activity recorded for a member.
/// </summary>
/// <remarks>
/// <para>Every write is atomic and decided by the database's keys, so racing writers get the same
/// answers as sequential ones: a member id and a referral code are unique in a programme; an
/// update is <c>UPDATE … WHERE version = @expected</c>; orders, refunds and activities are
/// inserted once per id (a second insert returns the stored record); an order or activity is
/// inserted only if the member's history version (a row per member, moved on in the same
/// transaction by every order, refund and activity) is still the one read; the refunds of an order
/// are numbered from 0 under a unique key, so two refunds computed from the same count cannot both
/// be written.</para>
/// <para>On PostgreSQL a member read is one batch of prepared statements that also reads the
/// member's ledger account (head, open lots, open holds), which the ledger store of the same
/// context takes for its next read of that account in the same call: an order's reads cost one round trip.</para>
/// <para>An order's lines, its earning explanation, a refund and a tier status are kept as JSON
/// text. A member's history costs four queries (its version, orders, refunds, activities), whatever its size;
/// so does a page of members with their histories (<see cref="ReadMemberPageAsync"/>: members by
/// keyset on the (programme, partition key, member id) index, then the page's histories, orders,
/// refunds and activities), whatever the page size. A batch of member updates
/// (<see cref="UpdateMembersAsync"/>) is one command in one transaction.
/// Writes run in one database transaction, or behind a savepoint in the shop's transaction (so an
/// order row of the shop and the loyalty records commit together); the store bypasses the change
/// tracker. Like its context, an instance is not thread-safe: use one per scope. Provider faults
/// are thrown as <see cref="LoyaltyStoreException"/>.</para>
/// </remarks>
public sealed partial class EntityFrameworkMemberStore : IMemberStore
{
    private readonly StoreSession session;

    /// <summary>Creates a store on <paramref name="context"/>.</summary>
    /// <param name="context">The shop's context; its model must include the loyalty model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context's model has no loyalty tables.</exception>
    public EntityFrameworkMemberStore(DbContext context)
    {
        session = new StoreSession(context, "member store");
    }

    /// <inheritdoc />
    public async ValueTask<MemberRecord?> GetMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var member = memberId.Value;
        var row = await session.ReadAsync(
            ct => PostgresReads.Supports(session.Context)

                // One round trip for the member and its ledger account, which the ledger store takes next.
                ? PostgresReads.For(session.Context).ReadMemberAsync(session.Context, program, member, ct)
                : session.Rows<MemberRow>().FirstOrDefaultAsync(m => m.ProgramId == program && m.MemberId == member, ct),
            $"read member '{memberId}'",
            cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToRecord(row);
    }

    /// <inheritdoc />
    public async ValueTask<MemberRecord?> FindByReferralCodeAsync(ProgramId programId, ReferralCode code, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var value = code.Value;
        var row = await session.ReadAsync(
            ct => session.Rows<MemberRow>().FirstOrDefaultAsync(m => m.ProgramId == program && m.ReferralCode == value, ct),
            $"find referral code '{code}'",
            cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToRecord(row);
    }

    /// <inheritdoc />
    public async ValueTask<MemberAddStatus> AddMemberAsync(MemberRecord member, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        var row = ToRow(member);
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false);
                return (MemberAddStatus.Added, true);
            },
            async ct =>
            {
                if (await session.Rows<MemberRow>().AnyAsync(m => m.ProgramId == row.ProgramId && m.MemberId == row.MemberId, ct).ConfigureAwait(false))
                {
                    return (true, MemberAddStatus.MemberExists);
                }

                var taken = await session.Rows<MemberRow>().AnyAsync(m => m.ProgramId == row.ProgramId && m.ReferralCode == row.ReferralCode, ct).ConfigureAwait(false);
                return (taken, MemberAddStatus.ReferralCodeTaken);
            },
            $"add member '{member.MemberId}'",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> UpdateMemberAsync(MemberRecord member, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        var row = ToRow(member with { Version = expectedVersion + 1 });
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                var written = await session.ExecuteAsync(tx, w => w.Update(row, expectedVersion), ct).ConfigureAwait(false) == 1;
                return (written, written);
            },
            async ct =>
            {
                // The new referral code is another member's, or the version moved on: not written.
                var taken = await session.Rows<MemberRow>().AnyAsync(m => m.ProgramId == row.ProgramId && m.ReferralCode == row.ReferralCode && m.MemberId != row.MemberId, ct).ConfigureAwait(false);
                return (taken, false);
            },
            $"update member '{member.MemberId}'",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<MemberId>> ListMembersAsync(ProgramId programId, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default)
    {
        if (maxCount < 1)
        {
            // The in-memory store's message, word for word.
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"maxCount must be between 1 and {int.MaxValue} inclusive (was {maxCount}).");
        }

        var program = programId.Value;
        var after = afterMember?.Value;
        var ids = await session.ReadAsync(
            ct =>
            {
                var query = session.Rows<MemberRow>().Where(m => m.ProgramId == program);
                if (after is not null)
                {
                    query = query.Where(m => string.Compare(m.MemberId, after) > 0);
                }

                return query.OrderBy(m => m.MemberId).Select(m => m.MemberId).Take(maxCount).ToListAsync(ct);
            },
            "list the members of programme " + programId,
            cancellationToken).ConfigureAwait(false);

        // The database orders by its collation; callers page with ordinal comparisons.
        ids.Sort(StringComparer.Ordinal);
        return ids.ConvertAll(MemberId.From);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<MemberPageEntry>> ReadMemberPageAsync(ProgramId programId, MemberPartition partition, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default)
    {
        if (maxCount < 1)
        {
            // The in-memory store's message, word for word.
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"maxCount must be between 1 and {int.MaxValue} inclusive (was {maxCount}).");
        }

        var program = programId.Value;
        long first = partition.FirstKey, last = partition.LastKey;
        long afterKey = -1;
        var afterId = "";
        if (afterMember is { IsDefault: false } after)
        {
            afterKey = MemberPartition.KeyOf(after);
            afterId = after.Value;
        }

        return await session.ReadAsync(
            async ct =>
            {
                var memberRows = await session.Rows<MemberRow>()
                    .Where(m => m.ProgramId == program && m.PartitionKey >= first && m.PartitionKey <= last)
                    .Where(m => m.PartitionKey > afterKey || (m.PartitionKey == afterKey && string.Compare(m.MemberId, afterId) > 0))
                    .OrderBy(m => m.PartitionKey).ThenBy(m => m.MemberId)
                    .Take(maxCount)
                    .ToListAsync(ct).ConfigureAwait(false);
                if (memberRows.Count == 0)
                {
                    return (IReadOnlyList<MemberPageEntry>)[];
                }

                // The page's ids in order (ordinal within a key, as the in-memory store pages).
                memberRows.Sort((a, b) => a.PartitionKey != b.PartitionKey ? a.PartitionKey.CompareTo(b.PartitionKey) : string.CompareOrdinal(a.MemberId, b.MemberId));
                var ids = memberRows.ConvertAll(m => m.MemberId);

                // Versions first, as for one member: a write landing between the reads makes a version older than the records read.
                var versions = await session.Rows<MemberHistoryRow>().Where(h => h.ProgramId == program && ids.Contains(h.MemberId))
                    .ToDictionaryAsync(h => h.MemberId, h => h.Version, ct).ConfigureAwait(false);
                var orders = await session.Rows<OrderRow>().Where(o => o.ProgramId == program && ids.Contains(o.MemberId))
                    .OrderBy(o => o.PlacedAt).ThenBy(o => o.RecordedAt).ToListAsync(ct).ConfigureAwait(false);
                var refunds = await session.Rows<RefundRow>().Where(r => r.ProgramId == program && ids.Contains(r.MemberId))
                    .OrderBy(r => r.RefundedAt).ThenBy(r => r.RecordedAt).ToListAsync(ct).ConfigureAwait(false);
                var activities = await session.Rows<ActivityRow>().Where(a => a.ProgramId == program && ids.Contains(a.MemberId))
                    .OrderBy(a => a.OccurredAt).ThenBy(a => a.RecordedAt).ToListAsync(ct).ConfigureAwait(false);
                var ordersBy = orders.ToLookup(o => o.MemberId, StringComparer.Ordinal);
                var refundsBy = refunds.ToLookup(r => r.MemberId, StringComparer.Ordinal);
                var activitiesBy = activities.ToLookup(a => a.MemberId, StringComparer.Ordinal);
                return memberRows.ConvertAll(m => new MemberPageEntry(
                    ToRecord(m),
                    new MemberHistory(
                        ordersBy[m.MemberId].Select(ToRecord).ToArray(),
                        refundsBy[m.MemberId].Select(ToRecord).ToArray(),
                        activitiesBy[m.MemberId].Select(ToRecord).ToArray(),
                        versions.GetValueOrDefault(m.MemberId))));
            },
            $"read a page of the members of programme {programId}, partition {partition}",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<MemberId>> UpdateMembersAsync(IReadOnlyList<MemberUpdate> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        foreach (var update in updates)
        {
            ArgumentNullException.ThrowIfNull(update.Member, nameof(updates));
        }

        if (updates.Count == 0)
        {
            return [];
        }

        var rows = new MemberRow[updates.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = ToRow(updates[i].Member with { Version = updates[i].ExpectedVersion + 1 });
        }

        // The common case: every version is still the one read, and one command writes them all.
        var all = await session.WriteAsync(
            async (tx, ct) =>
            {
                var written = await session.ExecuteAsync(
                    tx,
                    w =>
                    {
                        for (var i = 0; i < rows.Length; i++)
                        {
                            w.Update(rows[i], updates[i].ExpectedVersion);
                        }
                    },
                    ct).ConfigureAwait(false);
                return (written == rows.Length, written == rows.Length);
            },
            _ => Task.FromResult((true, false)),
            $"update {rows.Length} members",
            cancellationToken).ConfigureAwait(false);
        if (all)
        {
            return [];
        }

        // One of them moved on (or took a referral code): write them one by one to tell which.
        var refused = new List<MemberId>();
        foreach (var update in updates)
        {
            if (!await UpdateMemberAsync(update.Member, update.ExpectedVersion, cancellationToken).ConfigureAwait(false))
            {
                refused.Add(update.Member.MemberId);
            }
        }

        return refused;
    }

    /// <inheritdoc />
    public async ValueTask<HistoryAddResult<OrderRecord>> AddOrderAsync(OrderRecord order, long expectedHistoryVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        CheckVersion(expectedHistoryVersion);
        var row = ToRow(order);
        return await InsertInHistoryAsync(row, row.ProgramId, row.MemberId, expectedHistoryVersion, ct => FindOrderAsync(row.ProgramId, row.OrderId, ct), $"add order '{order.OrderId}'", cancellationToken).ConfigureAwait(false);
    }

    private static OrderRow ToRow(OrderRecord order) => new()
    {
        ProgramId = order.ProgramId.Value,
        OrderId = order.OrderId.Value,
        MemberId = order.MemberId.Value,
        Fingerprint = order.Fingerprint,
        PlacedAt = LedgerMapping.Ticks(order.Order.PlacedAt),
        Order = MemberJson.Write(order.Order),
        Earning = order.Earning.ToJson(),
        Tier = order.Tier?.Value,
        TransactionId = order.TransactionId.Value,
        RecordedAt = LedgerMapping.Ticks(order.RecordedAt),
    };

    /// <inheritdoc />
    public async ValueTask<OrderRecord?> GetOrderAsync(ProgramId programId, OrderId orderId, CancellationToken cancellationToken = default)
        => await session.ReadAsync(ct => FindOrderAsync(programId.Value, orderId.Value, ct), $"read order '{orderId}'", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<RefundAddResult> AddRefundAsync(RefundRecord refund, int expectedRefundCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(refund);
        var row = ToRow(refund, expectedRefundCount);
        var what = $"add refund '{refund.RefundId}'";

        async Task<(bool, RefundAddResult)> ExplainAsync(CancellationToken ct)
        {
            var existing = await FindRefundAsync(row.ProgramId, row.RefundId, ct).ConfigureAwait(false);
            if (existing is not null)
            {
                return (true, new RefundAddResult(RefundAddStatus.Exists, existing));
            }

            // Another refund of the order took this number: the caller's count is stale.
            var count = await CountRefundsAsync(row, ct).ConfigureAwait(false);
            return (count != expectedRefundCount, new RefundAddResult(RefundAddStatus.Conflict));
        }

        // A refund already under this id, or another count, writes nothing. The check runs before
        // the insert; a racing writer that lands in between takes this refund's id or its number
        // (the order's refund count), so the insert fails on a unique key and the re-read explains it.
        var (known, outcome) = await session.ReadAsync(ExplainAsync, what, cancellationToken).ConfigureAwait(false);
        if (known)
        {
            return outcome;
        }

        return await session.WriteAsync(
            async (tx, ct) =>
            {
                await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false);
                await HistoryHead.IncrementAsync(session, tx, row.ProgramId, row.MemberId, ct).ConfigureAwait(false);
                return (new RefundAddResult(RefundAddStatus.Added), true);
            },
            ExplainAsync,
            what,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<RefundRecord?> GetRefundAsync(ProgramId programId, RefundId refundId, CancellationToken cancellationToken = default)
        => await session.ReadAsync(ct => FindRefundAsync(programId.Value, refundId.Value, ct), $"read refund '{refundId}'", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RefundRecord>> ListRefundsAsync(ProgramId programId, OrderId orderId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var order = orderId.Value;
        var rows = await session.ReadAsync(
            ct => session.Rows<RefundRow>().Where(r => r.ProgramId == program && r.OrderId == order).OrderBy(r => r.Sequence).ToListAsync(ct),
            $"list the refunds of order '{orderId}'",
            cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(ToRecord);
    }

    /// <inheritdoc />
    public async ValueTask<HistoryAddResult<ActivityRecord>> AddActivityAsync(ActivityRecord activity, long expectedHistoryVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(activity);
        CheckVersion(expectedHistoryVersion);
        var row = ToRow(activity);
        return await InsertInHistoryAsync(row, row.ProgramId, row.MemberId, expectedHistoryVersion, ct => FindActivityAsync(row.ProgramId, row.ActivityId, ct), $"add activity '{activity.ActivityId}'", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<ActivityRecord?> GetActivityAsync(ProgramId programId, ActivityId activityId, CancellationToken cancellationToken = default)
        => await session.ReadAsync(ct => FindActivityAsync(programId.Value, activityId.Value, ct), $"read activity '{activityId}'", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<MemberHistory> GetHistoryAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var member = memberId.Value;
        return await session.ReadAsync(
            async ct =>
            {
                // The version first: a write landing between the reads makes it older than the
                // records read, so an order evaluated from them is refused, never wrongly accepted.
                var version = await HistoryHead.ReadAsync(session, program, member, ct).ConfigureAwait(false);
                var orders = await session.Rows<OrderRow>().Where(o => o.ProgramId == program && o.MemberId == member)
                    .OrderBy(o => o.PlacedAt).ThenBy(o => o.RecordedAt).ToListAsync(ct).ConfigureAwait(false);
                var refunds = await session.Rows<RefundRow>().Where(r => r.ProgramId == program && r.MemberId == member)
                    .OrderBy(r => r.RefundedAt).ThenBy(r => r.RecordedAt).ToListAsync(ct).ConfigureAwait(false);
                var activities = await session.Rows<ActivityRow>().Where(a => a.ProgramId == program && a.MemberId == member)
                    .OrderBy(a => a.OccurredAt).ThenBy(a => a.RecordedAt).ToListAsync(ct).ConfigureAwait(false);
                return new MemberHistory(orders.ConvertAll(ToRecord), refunds.ConvertAll(ToRecord), activities.ConvertAll(ToRecord), version);
            },
            $"read the history of member '{memberId}'",
            cancellationToken).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- writes with the member's kept state

    /// <inheritdoc />
    public async ValueTask<HistoryAddResult<OrderRecord>> AddOrderWithStateAsync(OrderRecord order, MemberRecord member, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        CheckKeptState(member, order.ProgramId, order.MemberId);
        var row = ToRow(order);
        return await InsertWithStateAsync(row, member, ct => FindOrderAsync(row.ProgramId, row.OrderId, ct), null, $"add order '{order.OrderId}'", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<RefundAddResult> AddRefundWithStateAsync(RefundRecord refund, int expectedRefundCount, MemberRecord member, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(refund);
        CheckKeptState(member, refund.ProgramId, refund.MemberId);
        var row = ToRow(refund, expectedRefundCount);
        var result = await InsertWithStateAsync(
            row,
            member,
            ct => FindRefundAsync(row.ProgramId, row.RefundId, ct),
            async ct => await CountRefundsAsync(row, ct).ConfigureAwait(false) != expectedRefundCount,
            $"add refund '{refund.RefundId}'",
            cancellationToken).ConfigureAwait(false);
        return new RefundAddResult((RefundAddStatus)(int)result.Status, result.Existing);
    }

    /// <inheritdoc />
    public async ValueTask<HistoryAddResult<ActivityRecord>> AddActivityWithStateAsync(ActivityRecord activity, MemberRecord member, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(activity);
        CheckKeptState(member, activity.ProgramId, activity.MemberId);
        var row = ToRow(activity);
        return await InsertWithStateAsync(row, member, ct => FindActivityAsync(row.ProgramId, row.ActivityId, ct), null, $"add activity '{activity.ActivityId}'", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<OrderRecord>> ListOrdersRecordedAsync(ProgramId programId, NodaTime.Instant from, NodaTime.Instant until, (NodaTime.Instant RecordedAt, OrderId OrderId)? after, int maxCount, CancellationToken cancellationToken = default)
    {
        if (maxCount < 1)
        {
            // The in-memory store's message, word for word.
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"maxCount must be between 1 and {int.MaxValue} inclusive (was {maxCount}).");
        }

        var program = programId.Value;
        var low = LedgerMapping.Ticks(from);
        var high = LedgerMapping.Ticks(until);
        var afterTicks = after is { } a ? LedgerMapping.Ticks(a.RecordedAt) : long.MinValue;
        var afterId = after?.OrderId.Value ?? string.Empty;
        var rows = await session.ReadAsync(
            ct => session.Rows<OrderRow>()
                .Where(o => o.ProgramId == program && o.RecordedAt >= low && o.RecordedAt < high
                    && (o.RecordedAt > afterTicks || (o.RecordedAt == afterTicks && string.Compare(o.OrderId, afterId) > 0)))
                .OrderBy(o => o.RecordedAt).ThenBy(o => o.OrderId)
                .Take(maxCount)
                .ToListAsync(ct),
            "list the orders recorded in programme " + programId,
            cancellationToken).ConfigureAwait(false);

        // Ordinal order on the ids within an instant, whatever the database's collation.
        return rows.OrderBy(o => o.RecordedAt).ThenBy(o => o.OrderId, StringComparer.Ordinal).Select(ToRecord).ToList();
    }

    private static void CheckKeptState(MemberRecord member, ProgramId programId, MemberId memberId)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (member.Evaluation is null)
        {
            // The in-memory store's messages, word for word.
            throw new ArgumentException("member.Evaluation must be set: the record written with an order, refund or activity carries the member's kept evaluation state.", nameof(member));
        }

        if (member.ProgramId != programId || member.MemberId != memberId)
        {
            throw new ArgumentException($"member is '{member.MemberId}' of programme '{member.ProgramId}' but the record written with it is for '{memberId}' of programme '{programId}'.", nameof(member));
        }
    }

    /// <summary>
    /// One transaction: the member row is replaced only at the expected version, the history version
    /// moved from the expected one, and the record inserted; a missed version writes nothing
    /// (conflict), a record with the same id is a repeat, whatever the versions.
    /// </summary>
    private async Task<HistoryAddResult<TRecord>> InsertWithStateAsync<TRow, TRecord>(TRow row, MemberRecord member, Func<CancellationToken, Task<TRecord?>> find, Func<CancellationToken, Task<bool>>? otherConflict, string what, CancellationToken cancellationToken)
        where TRow : class
        where TRecord : class
    {
        var memberRow = ToRow(member);
        var program = memberRow.ProgramId;
        var id = memberRow.MemberId;
        var expectedHistory = member.Evaluation!.HistoryVersion - 1;
        var expectedMember = member.Version - 1;
        if (otherConflict is null && WriteBehind.Deferred(session.Context) is { } behind)
        {
            // Held back by the unit of work, to go with its other writes in one batch: the same three
            // writes, each failing the batch when it misses (member version, history version, used id).
            // A refused batch keeps nothing and the unit runs again writing at once, which tells which.
            PostgresRowWrites.For<MemberRow>(session.Context).QueueUpdate(behind, memberRow, expectedMember);
            var head = new MemberHistoryRow { ProgramId = program, MemberId = id, Version = expectedHistory + 1 };
            var histories = PostgresRowWrites.For<MemberHistoryRow>(session.Context);
            if (expectedHistory == 0)
            {
                histories.QueueInsert(behind, head);
            }
            else
            {
                histories.QueueUpdate(behind, head, expectedHistory);
            }

            PostgresRowWrites.For<TRow>(session.Context).QueueInsert(behind, row);
            return new HistoryAddResult<TRecord>(HistoryAddStatus.Added);
        }

        return await session.WriteAsync(
            async (tx, ct) =>
            {
                // The member row first: a racing writer for the same member waits on its lock, then misses the version.
                if (await session.ExecuteAsync(tx, w => w.Update(memberRow, expectedMember), ct).ConfigureAwait(false) != 1
                    || !await HistoryHead.AdvanceAsync(session, tx, program, id, expectedHistory, ct).ConfigureAwait(false))
                {
                    // A record with this id is a repeat whatever the versions (its write moved them on).
                    return await find(ct).ConfigureAwait(false) is { } existing
                        ? (new HistoryAddResult<TRecord>(HistoryAddStatus.Exists, existing), false)
                        : (new HistoryAddResult<TRecord>(HistoryAddStatus.Conflict), false);
                }

                if (otherConflict is not null && await otherConflict(ct).ConfigureAwait(false))
                {
                    // A refund computed from another count: a racing one lands on the numbered key instead.
                    return await find(ct).ConfigureAwait(false) is { } existing
                        ? (new HistoryAddResult<TRecord>(HistoryAddStatus.Exists, existing), false)
                        : (new HistoryAddResult<TRecord>(HistoryAddStatus.Conflict), false);
                }

                await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false);
                return (new HistoryAddResult<TRecord>(HistoryAddStatus.Added), true);
            },
            async ct =>
            {
                if (await find(ct).ConfigureAwait(false) is { } stored)
                {
                    return (true, new HistoryAddResult<TRecord>(HistoryAddStatus.Exists, stored));
                }

                var conflict = await HistoryHead.ReadAsync(session, program, id, ct).ConfigureAwait(false) != expectedHistory
                    || (otherConflict is not null && await otherConflict(ct).ConfigureAwait(false));
                return (conflict, new HistoryAddResult<TRecord>(HistoryAddStatus.Conflict));
            },
            what,
            cancellationToken).ConfigureAwait(false);
    }

    private static RefundRow ToRow(RefundRecord refund, int sequence) => new()
    {
        ProgramId = refund.ProgramId.Value,
        RefundId = refund.RefundId.Value,
        MemberId = refund.MemberId.Value,
        OrderId = refund.OrderId.Value,
        Sequence = sequence,
        Fingerprint = refund.Fingerprint,
        Refund = MemberJson.Write(refund.Refund),
        Result = MemberJson.Write(refund.Result),
        Amount = refund.Amount.Amount,
        Currency = refund.Amount.Currency.Code,
        RefundedAt = LedgerMapping.Ticks(refund.RefundedAt),
        TransactionId = refund.TransactionId?.Value,
        RecordedAt = LedgerMapping.Ticks(refund.RecordedAt),
    };

    private static ActivityRow ToRow(ActivityRecord activity) => new()
    {
        ProgramId = activity.ProgramId.Value,
        ActivityId = activity.ActivityId.Value,
        MemberId = activity.MemberId.Value,
        Fingerprint = activity.Fingerprint,
        Kind = (int)activity.Activity.Kind,
        OccurredAt = LedgerMapping.Ticks(activity.Activity.OccurredAt),
        EventName = activity.Activity.EventName,
        Merchant = activity.Activity.Merchant?.Value,
        Earning = activity.Earning.ToJson(),
        TransactionId = activity.TransactionId?.Value,
        RecordedAt = LedgerMapping.Ticks(activity.RecordedAt),
    };

    private async Task<HistoryAddResult<TRecord>> InsertInHistoryAsync<TRow, TRecord>(TRow row, string program, string member, long expectedVersion, Func<CancellationToken, Task<TRecord?>> find, string what, CancellationToken cancellationToken)
        where TRow : class
        where TRecord : class
    {
        // A record with this id is a repeat, whatever the history's version.
        var existing = await session.ReadAsync(find, what, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return new HistoryAddResult<TRecord>(HistoryAddStatus.Exists, existing);
        }

        // The version is compared and moved on, then the record inserted, in one transaction: a
        // racing writer that moved the version first makes the update miss (or, from version 0, the
        // insert of the history row fail on its key); one that inserted the same id makes the insert
        // fail on its key. Either way nothing is written and the re-read says which.
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                if (!await HistoryHead.AdvanceAsync(session, tx, program, member, expectedVersion, ct).ConfigureAwait(false))
                {
                    return (new HistoryAddResult<TRecord>(HistoryAddStatus.Conflict), false);
                }

                await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false);
                return (new HistoryAddResult<TRecord>(HistoryAddStatus.Added), true);
            },
            async ct =>
            {
                if (await find(ct).ConfigureAwait(false) is { } stored)
                {
                    return (true, new HistoryAddResult<TRecord>(HistoryAddStatus.Exists, stored));
                }

                var version = await HistoryHead.ReadAsync(session, program, member, ct).ConfigureAwait(false);
                return (version != expectedVersion, new HistoryAddResult<TRecord>(HistoryAddStatus.Conflict));
            },
            what,
            cancellationToken).ConfigureAwait(false);
    }

    private static void CheckVersion(long expectedHistoryVersion)
    {
        if (expectedHistoryVersion < 0)
        {
            // The in-memory store's message, word for word.
            throw new ArgumentOutOfRangeException(nameof(expectedHistoryVersion), expectedHistoryVersion, $"expectedHistoryVersion must be 0 or greater (was {expectedHistoryVersion}).");
        }
    }

    private Task<int> CountRefundsAsync(RefundRow row, CancellationToken cancellationToken)
        => session.Rows<RefundRow>().CountAsync(r => r.ProgramId == row.ProgramId && r.OrderId == row.OrderId, cancellationToken);

    private async Task<OrderRecord?> FindOrderAsync(string program, string id, CancellationToken cancellationToken)
    {
        var row = await session.Rows<OrderRow>().FirstOrDefaultAsync(o => o.ProgramId == program && o.OrderId == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToRecord(row);
    }

    private async Task<RefundRecord?> FindRefundAsync(string program, string id, CancellationToken cancellationToken)
    {
        var row = await session.Rows<RefundRow>().FirstOrDefaultAsync(r => r.ProgramId == program && r.RefundId == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToRecord(row);
    }

    private async Task<ActivityRecord?> FindActivityAsync(string program, string id, CancellationToken cancellationToken)
    {
        var row = await session.Rows<ActivityRow>().FirstOrDefaultAsync(a => a.ProgramId == program && a.ActivityId == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToRecord(row);
    }

    private static MemberRow ToRow(MemberRecord member) => new()
    {
        ProgramId = member.ProgramId.Value,
        MemberId = member.MemberId.Value,
        PartitionKey = MemberPartition.KeyOf(member.MemberId),
        Version = member.Version,
        EnrolledAt = LedgerMapping.Ticks(member.EnrolledAt),
        BirthDate = member.BirthDate is { } date ? LocalDatePattern.Iso.Format(date) : null,
        ReferralCode = member.ReferralCode.Value,
        ReferredBy = member.ReferredBy?.Value,
        ReferralCompletedBy = member.ReferralCompletedBy?.Value,
        TierStatus = MemberJson.Write(member.TierStatus),
        LastMaintainedAt = LedgerMapping.Ticks(member.LastMaintainedAt),
        Evaluation = MemberJson.Write(member.Evaluation),
    };

    private static MemberRecord ToRecord(MemberRow row) => new()
    {
        ProgramId = ProgramId.From(row.ProgramId),
        MemberId = MemberId.From(row.MemberId),
        Version = row.Version,
        EnrolledAt = LedgerMapping.Instant(row.EnrolledAt),
        BirthDate = row.BirthDate is null ? null : LocalDatePattern.Iso.Parse(row.BirthDate).Value,
        ReferralCode = ReferralCode.From(row.ReferralCode),
        ReferredBy = row.ReferredBy is null ? null : MemberId.From(row.ReferredBy),
        ReferralCompletedBy = row.ReferralCompletedBy is null ? null : OrderId.From(row.ReferralCompletedBy),
        TierStatus = MemberJson.ReadTierStatus(row.TierStatus),
        LastMaintainedAt = LedgerMapping.Instant(row.LastMaintainedAt),
        Evaluation = MemberJson.ReadEvaluation(row.Evaluation),
    };

    private static OrderRecord ToRecord(OrderRow row) => new()
    {
        ProgramId = ProgramId.From(row.ProgramId),
        MemberId = MemberId.From(row.MemberId),
        OrderId = OrderId.From(row.OrderId),
        Fingerprint = row.Fingerprint,
        Order = MemberJson.ReadOrder(row.Order),
        Earning = EarningResult.FromJson(row.Earning),
        Tier = row.Tier is null ? null : TierId.From(row.Tier),
        TransactionId = TransactionId.From(row.TransactionId),
        RecordedAt = LedgerMapping.Instant(row.RecordedAt),
    };

    private static RefundRecord ToRecord(RefundRow row) => new()
    {
        ProgramId = ProgramId.From(row.ProgramId),
        MemberId = MemberId.From(row.MemberId),
        RefundId = RefundId.From(row.RefundId),
        OrderId = OrderId.From(row.OrderId),
        Fingerprint = row.Fingerprint,
        Refund = MemberJson.ReadRefund(row.Refund),
        Result = MemberJson.ReadRefundResult(row.Result),
        Amount = Money.FromDecimal(row.Amount, Currency.FromCode(row.Currency)),
        RefundedAt = LedgerMapping.Instant(row.RefundedAt),
        TransactionId = row.TransactionId is null ? null : TransactionId.From(row.TransactionId),
        RecordedAt = LedgerMapping.Instant(row.RecordedAt),
    };

    private static ActivityRecord ToRecord(ActivityRow row) => new()
    {
        ProgramId = ProgramId.From(row.ProgramId),
        MemberId = MemberId.From(row.MemberId),
        ActivityId = ActivityId.From(row.ActivityId),
        Fingerprint = row.Fingerprint,
        Activity = new ActivityInput((ActivityKind)row.Kind, MemberId.From(row.MemberId), LedgerMapping.Instant(row.OccurredAt), row.EventName) { Merchant = row.Merchant is { } merchant ? MerchantId.From(merchant) : null },
        Earning = EarningResult.FromJson(row.Earning),
        TransactionId = row.TransactionId is null ? null : TransactionId.From(row.TransactionId),
        RecordedAt = LedgerMapping.Instant(row.RecordedAt),
    };
}
