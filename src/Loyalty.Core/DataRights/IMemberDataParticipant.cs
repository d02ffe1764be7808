using System.Text.Json;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.DataRights;

/// <summary>
/// A store's part in a member's data rights: it tells whether it holds anything of a member, writes
/// what it holds into the member's export, and rewrites it for an erasure or a rectification. Every
/// store that keeps member data registers one in DI (<c>services.AddScoped&lt;IMemberDataParticipant, …&gt;()</c>,
/// or <c>TryAddEnumerable</c>); <see cref="DataRightsService"/> finds them all and runs each request
/// through every one, in registration order, inside one <see cref="Storage.ILoyaltyUnitOfWork"/> call.
/// </summary>
/// <remarks>
/// <para>Erasure contract: after <see cref="RewriteAsync"/> of an erasure the store holds nothing under
/// <see cref="MemberDataRewrite.From"/> and nothing from which it can be recovered: every row is deleted
/// or re-keyed to <see cref="MemberDataRewrite.To"/> (a random pseudonym), every id the shop chose
/// (order, refund, activity, transaction, message ids…) is passed through <see cref="MemberDataRewrite.MapId(string)"/>,
/// and free text and personal fields are dropped. Amounts, instants and counts are kept, so totals
/// across members stay exact. The specification suites check it store by store.</para>
/// <para>A rewrite must be resumable: when the call is retried after a conflict with the same
/// <see cref="MemberDataRewrite"/> (same pseudonym, same id map), a store already rewritten reports
/// <see cref="MemberRewriteStatus.NotFound"/> and the run goes on.</para>
/// </remarks>
public interface IMemberDataParticipant
{
    /// <summary>The name of this store's section in the export (a JSON property name, e.g. <c>ledger</c>); unique among participants.</summary>
    string Section { get; }

    /// <summary>Whether the store holds anything under the member's id.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>True when at least one row names the member.</returns>
    ValueTask<bool> HoldsDataAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes one JSON value (an object or an array) with everything the store holds of the member; the
    /// caller has written the property name <see cref="Section"/>. Long lists should be read page by page
    /// and flushed (<see cref="MemberDataExport.FlushAsync"/>) so that memory stays flat.
    /// </summary>
    /// <param name="export">The member and the writer.</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    /// <returns>The number of records written.</returns>
    ValueTask<int> ExportAsync(MemberDataExport export, CancellationToken cancellationToken = default);

    /// <summary>Rewrites the member's rows under <see cref="MemberDataRewrite.To"/> (erasure or rectification).</summary>
    /// <param name="rewrite">The rewrite, shared by every participant of the request.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>What happened and how many records were rewritten.</returns>
    ValueTask<MemberRewriteOutcome> RewriteAsync(MemberDataRewrite rewrite, CancellationToken cancellationToken = default);
}

/// <summary>What a participant did for a rewrite.</summary>
/// <param name="Status">Rewritten, nothing held (<see cref="MemberRewriteStatus.NotFound"/>), a conflict to retry, or the new id taken.</param>
/// <param name="Records">The records rewritten.</param>
public readonly record struct MemberRewriteOutcome(MemberRewriteStatus Status, int Records)
{
    /// <summary>Nothing held under the old id.</summary>
    public static MemberRewriteOutcome NotFound { get; } = new(MemberRewriteStatus.NotFound, 0);
}

/// <summary>One member's export in progress: the member and the JSON writer of the document.</summary>
/// <remarks>Not thread-safe: participants write one after another.</remarks>
public sealed class MemberDataExport
{
    private readonly Stream stream;
    private readonly IReadOnlyDictionary<string, string> redactions;

    internal MemberDataExport(ProgramId programId, MemberId memberId, Utf8JsonWriter writer, Stream stream, IReadOnlyDictionary<string, string> redactions)
    {
        ProgramId = programId;
        MemberId = memberId;
        Writer = writer;
        this.stream = stream;
        this.redactions = redactions;
    }

    /// <summary>
    /// The id to write for <paramref name="id"/>: itself, unless it names another member (the referral
    /// activity of a referrer is named after the referee, and so is its transaction), in which case a
    /// neutral label such as <c>referral:#1</c> is written instead. Pass every id through it.
    /// </summary>
    /// <param name="id">An id from the store.</param>
    /// <returns>The id to export.</returns>
    public string Id(string id) => redactions.TryGetValue(id, out var label) ? label : id;

    /// <summary>The programme.</summary>
    public ProgramId ProgramId { get; }

    /// <summary>The member.</summary>
    public MemberId MemberId { get; }

    /// <summary>The writer of the document.</summary>
    public Utf8JsonWriter Writer { get; }

    /// <summary>Writes what is buffered to the destination stream (call between pages).</summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
