using Loyalty.Core.Engagement;
using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>A thread-safe, in-process <see cref="IConsentStore"/>: the default store.</summary>
/// <remarks>One lock guards the store; every member completes synchronously.</remarks>
public sealed partial class InMemoryConsentStore : IConsentStore
{
    private readonly object gate = new();
    private readonly Dictionary<(ProgramId, MemberId), List<ConsentRecord>> logs = [];

    /// <inheritdoc />
    public ValueTask<ConsentRecordResult> RecordAsync(ConsentRecord record, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(record);
        record.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!logs.TryGetValue((record.ProgramId, record.MemberId), out var log))
            {
                log = [];
                logs[(record.ProgramId, record.MemberId)] = log;
            }

            foreach (var existing in log)
            {
                if (existing.Channel == record.Channel && existing.At == record.At)
                {
                    return new(new ConsentRecordResult(existing == record ? ConsentRecordStatus.Exists : ConsentRecordStatus.Conflict, existing));
                }
            }

            var at = log.FindIndex(r => Compare(r, record) > 0);
            log.Insert(at < 0 ? log.Count : at, record);
            return new(new ConsentRecordResult(ConsentRecordStatus.Added));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ConsentRecord>> GetHistoryAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(Read(programId, memberId));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<IReadOnlyList<ConsentRecord>>> GetHistoriesAsync(ProgramId programId, IReadOnlyList<MemberId> memberIds, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(memberIds);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var result = new IReadOnlyList<ConsentRecord>[memberIds.Count];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = Read(programId, memberIds[i]);
            }

            return new(result);
        }
    }

    private IReadOnlyList<ConsentRecord> Read(ProgramId programId, MemberId memberId) =>
        logs.TryGetValue((programId, memberId), out var log) ? log.ToArray() : [];

    private static int Compare(ConsentRecord a, ConsentRecord b)
    {
        var byInstant = a.At.CompareTo(b.At);
        return byInstant != 0 ? byInstant : ((int)a.Channel).CompareTo((int)b.Channel);
    }
}
