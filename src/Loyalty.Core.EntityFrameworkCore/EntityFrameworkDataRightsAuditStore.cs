using Loyalty.Core.DataRights;
using Loyalty.Core.EntityFrameworkCore.DataRights;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// An <see cref="IDataRightsAuditStore"/> on EF Core, in the shop's own <see cref="DbContext"/>: one row per
/// request, keyed by (programme, request id). An erasure's row names no member, and the rows of earlier
/// requests about an erased member are re-keyed to its pseudonym, so the table keeps no erased id.
/// </summary>
/// <remarks>
/// An entry is inserted in a transaction of its own (or behind a savepoint in the shop's); of racing inserts
/// of one request id the database keeps one. Like its context, an instance is not thread-safe: use one per
/// scope. Provider faults are thrown as <see cref="Storage.LoyaltyStoreException"/>.
/// </remarks>
public sealed class EntityFrameworkDataRightsAuditStore : IDataRightsAuditStore
{
    private readonly StoreSession session;

    /// <summary>Creates a store on <paramref name="context"/>.</summary>
    /// <param name="context">The shop's context; its model must include the loyalty model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context's model has no loyalty tables.</exception>
    public EntityFrameworkDataRightsAuditStore(DbContext context)
    {
        session = new StoreSession(context, "data-rights audit store");
    }

    /// <inheritdoc />
    public async ValueTask<bool> AppendAsync(DataRightsAuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var row = new DataRightsAuditRow
        {
            ProgramId = entry.ProgramId.Value,
            RequestId = entry.RequestId,
            Action = (int)entry.Action,
            At = LedgerMapping.Ticks(entry.At),
            RequestedBy = entry.RequestedBy,
            MemberId = entry.MemberId?.Value,
            Status = (int)entry.Status,
            Records = entry.Records,
        };
        if (await ExistsAsync(row.ProgramId, row.RequestId, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        return await session.WriteAsync(
            async (tx, ct) => (await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false) == 1, true),
            async ct => await session.Rows<DataRightsAuditRow>().AnyAsync(a => a.ProgramId == row.ProgramId && a.RequestId == row.RequestId, ct).ConfigureAwait(false) ? (true, false) : (false, false),
            $"record data-rights request '{entry.RequestId}'",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<DataRightsAuditEntry?> FindAsync(ProgramId programId, string requestId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        var program = programId.Value;
        var row = await session.ReadAsync(
            ct => session.Rows<DataRightsAuditRow>().FirstOrDefaultAsync(a => a.ProgramId == program && a.RequestId == requestId, ct),
            $"read data-rights request '{requestId}'",
            cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToEntry(programId, row);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<DataRightsAuditEntry>> ListAsync(ProgramId programId, Instant from, Instant until, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var start = LedgerMapping.Ticks(from);
        var end = LedgerMapping.Ticks(until);
        var rows = await session.ReadAsync(
            ct => session.Rows<DataRightsAuditRow>().Where(a => a.ProgramId == program && a.At >= start && a.At < end).ToListAsync(ct),
            $"list the data-rights requests of programme {programId}",
            cancellationToken).ConfigureAwait(false);
        return Sorted(programId, rows);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<DataRightsAuditEntry>> ListForMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var member = memberId.Value;
        var rows = await session.ReadAsync(
            ct => session.Rows<DataRightsAuditRow>().Where(a => a.ProgramId == program && a.MemberId == member).ToListAsync(ct),
            $"list the data-rights requests about member '{memberId}'",
            cancellationToken).ConfigureAwait(false);
        return Sorted(programId, rows);
    }

    /// <inheritdoc />
    public async ValueTask<int> RenameMemberAsync(ProgramId programId, MemberId from, MemberId to, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var old = from.Value;
        var renamed = to.Value;
        return await session.ReadAsync(
            ct => session.Rows<DataRightsAuditRow>().Where(a => a.ProgramId == program && a.MemberId == old).ExecuteUpdateAsync(s => s.SetProperty(a => a.MemberId, renamed), ct),
            $"re-key the data-rights requests about member '{from}'",
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> ExistsAsync(string program, string requestId, CancellationToken cancellationToken) =>
        await session.ReadAsync(
            ct => session.Rows<DataRightsAuditRow>().AnyAsync(a => a.ProgramId == program && a.RequestId == requestId, ct),
            $"read data-rights request '{requestId}'",
            cancellationToken).ConfigureAwait(false);

    // Ordered here, not by the database, so that request ids sort ordinally whatever its collation.
    private static IReadOnlyList<DataRightsAuditEntry> Sorted(ProgramId programId, List<DataRightsAuditRow> rows) =>
        rows.Select(r => ToEntry(programId, r)).OrderBy(e => e.At).ThenBy(e => e.RequestId, StringComparer.Ordinal).ToArray();

    private static DataRightsAuditEntry ToEntry(ProgramId programId, DataRightsAuditRow row) => new()
    {
        ProgramId = programId,
        RequestId = row.RequestId,
        Action = (DataRightsAction)row.Action,
        At = LedgerMapping.Instant(row.At),
        RequestedBy = row.RequestedBy,
        MemberId = row.MemberId is null ? null : MemberId.From(row.MemberId),
        Status = (DataRightsStatus)row.Status,
        Records = row.Records,
    };
}
