using Loyalty.Core.Engagement;
using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>A thread-safe, in-process <see cref="IContactHistoryStore"/>: the default store.</summary>
/// <remarks>One lock guards the store; every member completes synchronously. Each member's sends are kept in sending order.</remarks>
public sealed partial class InMemoryContactHistoryStore : IContactHistoryStore
{
    private readonly object gate = new();
    private readonly Dictionary<(ProgramId, string), ContactRecord> byId = [];
    private readonly Dictionary<(ProgramId, MemberId), List<ContactRecord>> byMember = [];

    /// <inheritdoc />
    public ValueTask<ContactRecordResult> RecordAsync(ContactRecord record, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(record);
        record.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (byId.TryGetValue((record.ProgramId, record.MessageId), out var existing))
            {
                return new(new ContactRecordResult(existing == record ? ContactRecordStatus.Exists : ContactRecordStatus.Conflict, existing));
            }

            byId[(record.ProgramId, record.MessageId)] = record;
            if (!byMember.TryGetValue((record.ProgramId, record.MemberId), out var list))
            {
                list = [];
                byMember[(record.ProgramId, record.MemberId)] = list;
            }

            var at = list.FindIndex(r => Compare(r, record) > 0);
            list.Insert(at < 0 ? list.Count : at, record);
            return new(new ContactRecordResult(ContactRecordStatus.Added));
        }
    }

    /// <inheritdoc />
    public ValueTask<ContactRecord?> GetAsync(ProgramId programId, string messageId, CancellationToken cancellationToken = default)
    {
        ContactRecord.CheckMessageId(messageId, nameof(messageId));
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(byId.GetValueOrDefault((programId, messageId)));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ContactRecord>> ListAsync(ProgramId programId, MemberId memberId, Instant since, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(Read(programId, memberId, since));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<IReadOnlyList<ContactRecord>>> ListManyAsync(ProgramId programId, IReadOnlyList<MemberId> memberIds, Instant since, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(memberIds);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var result = new IReadOnlyList<ContactRecord>[memberIds.Count];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = Read(programId, memberIds[i], since);
            }

            return new(result);
        }
    }

    private IReadOnlyList<ContactRecord> Read(ProgramId programId, MemberId memberId, Instant since)
    {
        if (!byMember.TryGetValue((programId, memberId), out var list))
        {
            return [];
        }

        var first = list.FindIndex(r => r.SentAt >= since);
        return first < 0 ? [] : list.GetRange(first, list.Count - first).ToArray();
    }

    private static int Compare(ContactRecord a, ContactRecord b)
    {
        var byInstant = a.SentAt.CompareTo(b.SentAt);
        return byInstant != 0 ? byInstant : string.CompareOrdinal(a.MessageId, b.MessageId);
    }
}
