using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.DataRights;

/// <summary>What a data-rights request did.</summary>
public enum DataRightsAction
{
    /// <summary>The member's data was exported.</summary>
    Export = 1,

    /// <summary>The member was erased at the member's (or the shop's) request.</summary>
    Erasure = 2,

    /// <summary>The member's shop id was changed.</summary>
    Rectification = 3,

    /// <summary>A member's available points were moved to another member.</summary>
    Merge = 4,

    /// <summary>The member was erased by the retention limit (inactive for the retention period).</summary>
    RetentionErasure = 5,
}

/// <summary>
/// One audited data-rights request: what, when, requested by whom, with what outcome. An erasure's
/// entry names no member (only the request id the shop gave, e.g. its ticket number); the entries of
/// earlier requests about an erased member are re-keyed to the erasure's pseudonym.
/// </summary>
/// <remarks>Immutable.</remarks>
public sealed record DataRightsAuditEntry
{
    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The request's id, unique in the programme: the idempotency key of the request.</summary>
    public required string RequestId { get; init; }

    /// <summary>What was done.</summary>
    public required DataRightsAction Action { get; init; }

    /// <summary>When (the service's clock).</summary>
    public required Instant At { get; init; }

    /// <summary>Who asked (an operator, a service, "member" for a self-service request).</summary>
    public required string RequestedBy { get; init; }

    /// <summary>The member concerned: the member exported, the new id of a rectification, the target of a merge; null for an erasure.</summary>
    public MemberId? MemberId { get; init; }

    /// <summary>The outcome.</summary>
    public required DataRightsStatus Status { get; init; }

    /// <summary>The records exported, rewritten or moved (points for a merge).</summary>
    public long Records { get; init; }
}

/// <summary>
/// Persists the audit of data-rights requests. Optional store: registered by default in memory; the EF
/// Core adapter keeps it in a table.
/// </summary>
/// <remarks>Implementations must be thread-safe; every operation is atomic.</remarks>
public interface IDataRightsAuditStore
{
    /// <summary>Adds an entry unless one with the same request id exists in the programme.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when added; false when the request id is already used (nothing written).</returns>
    ValueTask<bool> AppendAsync(DataRightsAuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Reads the entry of a request.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="requestId">The request id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entry, or null.</returns>
    ValueTask<DataRightsAuditEntry?> FindAsync(ProgramId programId, string requestId, CancellationToken cancellationToken = default);

    /// <summary>Lists the entries recorded in [<paramref name="from"/>, <paramref name="until"/>), by instant then request id.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="from">The first instant, inclusive.</param>
    /// <param name="until">The last instant, exclusive.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entries.</returns>
    ValueTask<IReadOnlyList<DataRightsAuditEntry>> ListAsync(ProgramId programId, Instant from, Instant until, CancellationToken cancellationToken = default);

    /// <summary>Lists the entries about a member, by instant then request id.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entries.</returns>
    ValueTask<IReadOnlyList<DataRightsAuditEntry>> ListForMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);

    /// <summary>Re-keys the entries about <paramref name="from"/> to <paramref name="to"/>.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="from">The member's current id.</param>
    /// <param name="to">The new id (a pseudonym for an erasure).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The number of entries re-keyed.</returns>
    ValueTask<int> RenameMemberAsync(ProgramId programId, MemberId from, MemberId to, CancellationToken cancellationToken = default);
}

/// <summary>A thread-safe, in-process <see cref="IDataRightsAuditStore"/>.</summary>
public sealed class InMemoryDataRightsAuditStore : IDataRightsAuditStore
{
    private readonly object gate = new();
    private readonly Dictionary<(ProgramId, string), DataRightsAuditEntry> entries = [];

    /// <inheritdoc />
    public ValueTask<bool> AppendAsync(DataRightsAuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(entries.TryAdd((entry.ProgramId, entry.RequestId), entry));
        }
    }

    /// <inheritdoc />
    public ValueTask<DataRightsAuditEntry?> FindAsync(ProgramId programId, string requestId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(entries.GetValueOrDefault((programId, requestId)));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DataRightsAuditEntry>> ListAsync(ProgramId programId, Instant from, Instant until, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(Sorted(entries.Values.Where(e => e.ProgramId == programId && e.At >= from && e.At < until)));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DataRightsAuditEntry>> ListForMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(Sorted(entries.Values.Where(e => e.ProgramId == programId && e.MemberId == memberId)));
        }
    }

    /// <inheritdoc />
    public ValueTask<int> RenameMemberAsync(ProgramId programId, MemberId from, MemberId to, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var renamed = entries.Where(e => e.Key.Item1 == programId && e.Value.MemberId == from).ToArray();
            foreach (var (key, entry) in renamed)
            {
                entries[key] = entry with { MemberId = to };
            }

            return new(renamed.Length);
        }
    }

    private static IReadOnlyList<DataRightsAuditEntry> Sorted(IEnumerable<DataRightsAuditEntry> source) =>
        source.OrderBy(e => e.At).ThenBy(e => e.RequestId, StringComparer.Ordinal).ToArray();
}
