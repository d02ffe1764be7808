using Loyalty.Core.Primitives;
using Loyalty.Core.Referrals;
using NodaTime;

namespace Loyalty.Core.Storage;

/// <summary>
/// Persists member profiles and what was recorded for them (orders, refunds, activities), which
/// refunds, tier qualification, order counts and earning caps are computed from. Small and
/// atomic: every decision is the programme's.
/// </summary>
/// <remarks>
/// Implementations must be thread-safe; every operation is atomic. Ids are unique per programme.
/// Infrastructure faults throw <see cref="LoyaltyStoreException"/>.
/// </remarks>
public interface IMemberStore
{
    /// <summary>Reads a member.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The member, or null.</returns>
    ValueTask<MemberRecord?> GetMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);

    /// <summary>Finds the member with a referral code.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="code">The code.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The member, or null.</returns>
    ValueTask<MemberRecord?> FindByReferralCodeAsync(ProgramId programId, ReferralCode code, CancellationToken cancellationToken = default);

    /// <summary>Adds a member unless the id or the referral code is taken.</summary>
    /// <param name="member">The member, with version 1.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Added, or why not.</returns>
    ValueTask<MemberAddStatus> AddMemberAsync(MemberRecord member, CancellationToken cancellationToken = default);

    /// <summary>Replaces a member if its stored version is still <paramref name="expectedVersion"/>.</summary>
    /// <param name="member">The new record, whose version is <paramref name="expectedVersion"/> + 1.</param>
    /// <param name="expectedVersion">The version read.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when written; false when the version moved on (re-read and retry).</returns>
    ValueTask<bool> UpdateMemberAsync(MemberRecord member, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Lists member ids in ordinal order, for paging through a programme.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="afterMember">Return members after this one, or null from the start.</param>
    /// <param name="maxCount">At most this many, at least 1.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The ids.</returns>
    ValueTask<IReadOnlyList<MemberId>> ListMembersAsync(ProgramId programId, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads a page of the members of one partition with their histories, for batch runs
    /// (maintenance): keyset paging in (<see cref="MemberPartition.KeyOf(Loyalty.Core.Primitives.MemberId)">partition key</see>,
    /// ordinal member id) order, so each page costs the same whatever its position, and the pages of
    /// the partitions of one count hold every member exactly once.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="partition">The partition (<see cref="MemberPartition.All"/> for the whole programme).</param>
    /// <param name="afterMember">Return the members after this one in the page order (the last member of the previous page), or null from the start of the partition. It need not be a member of the partition or of the programme.</param>
    /// <param name="maxCount">At most this many, at least 1.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The members in page order, each with its history; fewer than <paramref name="maxCount"/> only at the end of the partition.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCount"/> is less than 1.</exception>
    ValueTask<IReadOnlyList<MemberPageEntry>> ReadMemberPageAsync(ProgramId programId, MemberPartition partition, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces several members, each only if its stored version is still the expected one (as
    /// <see cref="UpdateMemberAsync"/> does for one). Each update stands alone: one refused leaves
    /// the others written.
    /// </summary>
    /// <param name="updates">The updates, at most one per member.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The members not written because their version moved on (re-read and retry them); empty when all were written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="updates"/> or a record in it is null.</exception>
    async ValueTask<IReadOnlyList<MemberId>> UpdateMembersAsync(IReadOnlyList<MemberUpdate> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        List<MemberId>? refused = null;
        foreach (var update in updates)
        {
            ArgumentNullException.ThrowIfNull(update.Member, nameof(updates));
            if (!await UpdateMemberAsync(update.Member, update.ExpectedVersion, cancellationToken).ConfigureAwait(false))
            {
                (refused ??= []).Add(update.Member.MemberId);
            }
        }

        return refused ?? (IReadOnlyList<MemberId>)[];
    }

    /// <summary>
    /// Inserts an order unless one with the same id exists, and only if the member's history is
    /// still at <paramref name="expectedHistoryVersion"/> (so two orders evaluated from the same
    /// history, e.g. both as the member's first order, cannot both be written). Inserting increments
    /// the history version. An existing order with the same id is returned whatever the version.
    /// </summary>
    /// <param name="order">The order.</param>
    /// <param name="expectedHistoryVersion">The <see cref="MemberHistory.Version"/> the order was evaluated from; 0 or greater.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Added, exists (with the stored order) or conflict.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="order"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expectedHistoryVersion"/> is negative.</exception>
    ValueTask<HistoryAddResult<OrderRecord>> AddOrderAsync(OrderRecord order, long expectedHistoryVersion, CancellationToken cancellationToken = default);

    /// <summary>Reads an order.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="orderId">The order.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The order, or null.</returns>
    ValueTask<OrderRecord?> GetOrderAsync(ProgramId programId, OrderId orderId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts a refund if no refund has its id and its order still has exactly
    /// <paramref name="expectedRefundCount"/> refunds (so two refunds computed from the same state
    /// cannot both be written). Adding a refund increments the member's history version.
    /// </summary>
    /// <param name="refund">The refund.</param>
    /// <param name="expectedRefundCount">The number of refunds of the order the caller read.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Added, exists (with the stored refund) or conflict.</returns>
    ValueTask<RefundAddResult> AddRefundAsync(RefundRecord refund, int expectedRefundCount, CancellationToken cancellationToken = default);

    /// <summary>Reads a refund.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="refundId">The refund.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The refund, or null.</returns>
    ValueTask<RefundRecord?> GetRefundAsync(ProgramId programId, RefundId refundId, CancellationToken cancellationToken = default);

    /// <summary>Lists the refunds of an order in the order they were added.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="orderId">The order.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The refunds.</returns>
    ValueTask<IReadOnlyList<RefundRecord>> ListRefundsAsync(ProgramId programId, OrderId orderId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts an activity unless one with the same id exists, and only if the member's history is
    /// still at <paramref name="expectedHistoryVersion"/>. Inserting increments the history version.
    /// An existing activity with the same id is returned whatever the version.
    /// </summary>
    /// <param name="activity">The activity.</param>
    /// <param name="expectedHistoryVersion">The <see cref="MemberHistory.Version"/> the activity was evaluated from; 0 or greater.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Added, exists (with the stored activity) or conflict.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="activity"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expectedHistoryVersion"/> is negative.</exception>
    ValueTask<HistoryAddResult<ActivityRecord>> AddActivityAsync(ActivityRecord activity, long expectedHistoryVersion, CancellationToken cancellationToken = default);

    /// <summary>Reads an activity.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="activityId">The activity.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The activity, or null.</returns>
    ValueTask<ActivityRecord?> GetActivityAsync(ProgramId programId, ActivityId activityId, CancellationToken cancellationToken = default);

    /// <summary>Reads everything recorded for a member.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The orders, refunds and activities, each in time order, and the history's version (never newer than the records read).</returns>
    ValueTask<MemberHistory> GetHistoryAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);

    // ---------------------------------------------------------------- writes with the member's kept state

    /// <summary>
    /// Inserts an order and replaces its member's record (with the kept evaluation state moved past the
    /// order) in one atomic write: nothing is written unless no order has the id, the stored member is
    /// still at version <c><paramref name="member"/>.Version - 1</c>, and the member's history is still at
    /// version <c><paramref name="member"/>.Evaluation.HistoryVersion - 1</c>. Writing moves the history
    /// version to <c>member.Evaluation.HistoryVersion</c>. An existing order with the same id is returned
    /// whatever the versions.
    /// </summary>
    /// <param name="order">The order.</param>
    /// <param name="member">The member's new record, with <see cref="MemberRecord.Evaluation"/> set.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Added, exists (with the stored order) or conflict (re-read the member and retry).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="member"/> has no evaluation state, or is another member than the order's.</exception>
    ValueTask<HistoryAddResult<OrderRecord>> AddOrderWithStateAsync(OrderRecord order, MemberRecord member, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts a refund and replaces its member's record in one atomic write, under the conditions of
    /// <see cref="AddRefundAsync(RefundRecord, int, CancellationToken)"/> and those of
    /// <see cref="AddOrderWithStateAsync(OrderRecord, MemberRecord, CancellationToken)"/> on the member's versions.
    /// </summary>
    /// <param name="refund">The refund.</param>
    /// <param name="expectedRefundCount">The number of refunds of the order the caller read.</param>
    /// <param name="member">The member's new record, with <see cref="MemberRecord.Evaluation"/> set.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Added, exists (with the stored refund) or conflict.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="member"/> has no evaluation state, or is another member than the refund's.</exception>
    ValueTask<RefundAddResult> AddRefundWithStateAsync(RefundRecord refund, int expectedRefundCount, MemberRecord member, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts an activity and replaces its member's record in one atomic write, under the conditions
    /// of <see cref="AddOrderWithStateAsync(OrderRecord, MemberRecord, CancellationToken)"/>.
    /// </summary>
    /// <param name="activity">The activity.</param>
    /// <param name="member">The member's new record, with <see cref="MemberRecord.Evaluation"/> set.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Added, exists (with the stored activity) or conflict.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="member"/> has no evaluation state, or is another member than the activity's.</exception>
    ValueTask<HistoryAddResult<ActivityRecord>> AddActivityWithStateAsync(ActivityRecord activity, MemberRecord member, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the orders recorded (<see cref="OrderRecord.RecordedAt"/>) in [<paramref name="from"/>,
    /// <paramref name="until"/>), by recording instant then order id, for the recovery of calls
    /// interrupted after the order was written (its points, budget settlement, referral).
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="from">The first recording instant, inclusive.</param>
    /// <param name="until">The last recording instant, exclusive.</param>
    /// <param name="after">Continue after this (recording instant, order id) of the previous page, or null from the start.</param>
    /// <param name="maxCount">At most this many, at least 1.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The orders.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCount"/> is less than 1.</exception>
    ValueTask<IReadOnlyList<OrderRecord>> ListOrdersRecordedAsync(ProgramId programId, Instant from, Instant until, (Instant RecordedAt, OrderId OrderId)? after, int maxCount, CancellationToken cancellationToken = default);
}
