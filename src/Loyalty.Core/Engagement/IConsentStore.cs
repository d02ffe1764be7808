using Loyalty.Core.Primitives;

namespace Loyalty.Core.Engagement;

/// <summary>
/// Persists members' consents and opt-outs per channel as an append-only log, each with its instant
/// and source. Small and atomic: what a record means is the planner's business.
/// </summary>
/// <remarks>
/// Implementations must be thread-safe; every operation is atomic. A record is keyed by (programme,
/// member, channel, instant): recording the same record again changes nothing (<see cref="ConsentRecordStatus.Exists"/>);
/// another record with the same key is refused (<see cref="ConsentRecordStatus.Conflict"/>). Infrastructure
/// faults throw <see cref="Storage.LoyaltyStoreException"/>.
/// </remarks>
public interface IConsentStore
{
    /// <summary>Appends a consent or an opt-out.</summary>
    /// <param name="record">The record; validated (<see cref="ConsentRecord.Validate"/>).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Added, a repeat (exists), or a conflict with the stored record.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="record"/> is invalid.</exception>
    ValueTask<ConsentRecordResult> RecordAsync(ConsentRecord record, CancellationToken cancellationToken = default);

    /// <summary>Reads a member's consent log.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Every record of the member, by instant then channel; empty when none.</returns>
    ValueTask<IReadOnlyList<ConsentRecord>> GetHistoryAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);

    /// <summary>Reads the consent logs of several members at once (a page of a planning run).</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberIds">The members.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One log per member, in the order of <paramref name="memberIds"/>, each as <see cref="GetHistoryAsync"/> returns it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="memberIds"/> is null.</exception>
    ValueTask<IReadOnlyList<IReadOnlyList<ConsentRecord>>> GetHistoriesAsync(ProgramId programId, IReadOnlyList<MemberId> memberIds, CancellationToken cancellationToken = default);
}

/// <summary>
/// Persists the messages the shop sent (the contact history): what the contact-pressure caps count and
/// what the planner never plans again. Recording is idempotent by message id.
/// </summary>
/// <remarks>
/// Implementations must be thread-safe; every operation is atomic: of racing records with one message id
/// exactly one is added. Infrastructure faults throw <see cref="Storage.LoyaltyStoreException"/>.
/// </remarks>
public interface IContactHistoryStore
{
    /// <summary>Records a send unless one with its message id exists.</summary>
    /// <param name="record">The send; validated (<see cref="ContactRecord.Validate"/>).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Added; exists (the same send, a repeat); or conflict (another send has the id), with the stored record.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="record"/> is invalid.</exception>
    ValueTask<ContactRecordResult> RecordAsync(ContactRecord record, CancellationToken cancellationToken = default);

    /// <summary>Reads a send by its message id.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="messageId">The message id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The send, or null.</returns>
    /// <exception cref="ArgumentException"><paramref name="messageId"/> is empty or too long.</exception>
    ValueTask<ContactRecord?> GetAsync(ProgramId programId, string messageId, CancellationToken cancellationToken = default);

    /// <summary>Reads what was sent to a member since an instant.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="since">The first sending instant, inclusive.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The sends, by sending instant then message id (ordinal).</returns>
    ValueTask<IReadOnlyList<ContactRecord>> ListAsync(ProgramId programId, MemberId memberId, NodaTime.Instant since, CancellationToken cancellationToken = default);

    /// <summary>Reads what was sent to several members since an instant (a page of a planning run).</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberIds">The members.</param>
    /// <param name="since">The first sending instant, inclusive.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One list per member, in the order of <paramref name="memberIds"/>, each as <see cref="ListAsync"/> returns it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="memberIds"/> is null.</exception>
    ValueTask<IReadOnlyList<IReadOnlyList<ContactRecord>>> ListManyAsync(ProgramId programId, IReadOnlyList<MemberId> memberIds, NodaTime.Instant since, CancellationToken cancellationToken = default);
}
