using Loyalty.Core.Engagement;
using Loyalty.Core.EntityFrameworkCore.Engagement;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// An <see cref="IContactHistoryStore"/> on EF Core, in the shop's own <see cref="DbContext"/>: one row per
/// message sent, keyed by (programme, message id), never updated, indexed by (programme, member, sending instant).
/// </summary>
/// <remarks>
/// A send is inserted in a transaction of its own (or behind a savepoint in the shop's); of racing inserts
/// of one message id the database keeps one and the others are answered from a re-read (a repeat or a
/// conflict). Like its context, an instance is not thread-safe: use one per scope. Provider faults are
/// thrown as <see cref="Storage.LoyaltyStoreException"/>.
/// </remarks>
public sealed partial class EntityFrameworkContactHistoryStore : IContactHistoryStore
{
    private readonly StoreSession session;

    /// <summary>Creates a store on <paramref name="context"/>.</summary>
    /// <param name="context">The shop's context; its model must include the loyalty model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context's model has no loyalty tables.</exception>
    public EntityFrameworkContactHistoryStore(DbContext context)
    {
        session = new StoreSession(context, "contact history store");
    }

    /// <inheritdoc />
    public async ValueTask<ContactRecordResult> RecordAsync(ContactRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        record.Validate();
        var row = new ContactRow
        {
            ProgramId = record.ProgramId.Value,
            MessageId = record.MessageId,
            MemberId = record.MemberId.Value,
            Channel = (int)record.Channel,
            Category = (int)record.Category,
            MessageType = record.MessageType,
            SentAt = LedgerMapping.Ticks(record.SentAt),
        };
        if (await GetAsync(record.ProgramId, record.MessageId, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return Answer(existing, record);
        }

        return await session.WriteAsync(
            async (tx, ct) => (new ContactRecordResult(await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false) == 1 ? ContactRecordStatus.Added : ContactRecordStatus.Conflict), true),
            async ct => await ReadAsync(record.ProgramId, record.MessageId, ct).ConfigureAwait(false) is { } raced ? (true, Answer(raced, record)) : (false, default),
            $"record the send of message '{record.MessageId}'",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<ContactRecord?> GetAsync(ProgramId programId, string messageId, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(messageId) || messageId.Length > ContactRecord.MaxMessageIdLength)
        {
            // The in-memory store's message, word for word.
            throw new ArgumentException($"The message id must be 1 to {ContactRecord.MaxMessageIdLength} characters (was {(messageId is null ? "null" : $"{messageId.Length} characters")}).", nameof(messageId));
        }

        return await session.ReadAsync(ct => ReadAsync(programId, messageId, ct), $"read the send of message '{messageId}'", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ContactRecord>> ListAsync(ProgramId programId, MemberId memberId, Instant since, CancellationToken cancellationToken = default)
        => (await ListManyAsync(programId, [memberId], since, cancellationToken).ConfigureAwait(false))[0];

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<IReadOnlyList<ContactRecord>>> ListManyAsync(ProgramId programId, IReadOnlyList<MemberId> memberIds, Instant since, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memberIds);
        if (memberIds.Count == 0)
        {
            return [];
        }

        var program = programId.Value;
        var ids = memberIds.Select(m => m.Value).Distinct().ToArray();
        var from = LedgerMapping.Ticks(since);
        var rows = await session.ReadAsync(
            ct => session.Rows<ContactRow>().Where(c => c.ProgramId == program && ids.Contains(c.MemberId) && c.SentAt >= from).ToListAsync(ct),
            $"read the contact history of {ids.Length} member(s) of programme {programId}",
            cancellationToken).ConfigureAwait(false);

        // Ordered here, not by the database, so that message ids sort ordinally whatever its collation.
        var byMember = rows.Select(r => ToRecord(programId, r)).ToLookup(r => r.MemberId);
        return memberIds.Select(m => (IReadOnlyList<ContactRecord>)byMember[m].OrderBy(r => r.SentAt).ThenBy(r => r.MessageId, StringComparer.Ordinal).ToArray()).ToArray();
    }

    private async Task<ContactRecord?> ReadAsync(ProgramId programId, string messageId, CancellationToken cancellationToken)
    {
        var program = programId.Value;
        var row = await session.Rows<ContactRow>().FirstOrDefaultAsync(c => c.ProgramId == program && c.MessageId == messageId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToRecord(programId, row);
    }

    private static ContactRecordResult Answer(ContactRecord stored, ContactRecord record) =>
        new(stored == record ? ContactRecordStatus.Exists : ContactRecordStatus.Conflict, stored);

    private static ContactRecord ToRecord(ProgramId programId, ContactRow row) => new()
    {
        ProgramId = programId,
        MessageId = row.MessageId,
        MemberId = MemberId.From(row.MemberId),
        Channel = (EngagementChannel)row.Channel,
        Category = (MessageCategory)row.Category,
        MessageType = row.MessageType,
        SentAt = LedgerMapping.Instant(row.SentAt),
    };
}
