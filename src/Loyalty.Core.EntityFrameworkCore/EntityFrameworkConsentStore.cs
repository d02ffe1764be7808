using Loyalty.Core.Engagement;
using Loyalty.Core.EntityFrameworkCore.Engagement;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// An <see cref="IConsentStore"/> on EF Core, in the shop's own <see cref="DbContext"/>: one row per
/// consent or opt-out, keyed by (programme, member, channel, instant), never updated.
/// </summary>
/// <remarks>
/// A record is inserted in a transaction of its own (or behind a savepoint in the shop's); a racing
/// insert of the same key fails on the key and is answered from a re-read (a repeat or a conflict), so
/// the log never holds two records for one key. Like its context, an instance is not thread-safe: use one
/// per scope. Provider faults are thrown as <see cref="Storage.LoyaltyStoreException"/>.
/// </remarks>
public sealed partial class EntityFrameworkConsentStore : IConsentStore
{
    private readonly StoreSession session;

    /// <summary>Creates a store on <paramref name="context"/>.</summary>
    /// <param name="context">The shop's context; its model must include the loyalty model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context's model has no loyalty tables.</exception>
    public EntityFrameworkConsentStore(DbContext context)
    {
        session = new StoreSession(context, "consent store");
    }

    /// <inheritdoc />
    public async ValueTask<ConsentRecordResult> RecordAsync(ConsentRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        record.Validate();
        var row = new ConsentRow
        {
            ProgramId = record.ProgramId.Value,
            MemberId = record.MemberId.Value,
            Channel = (int)record.Channel,
            At = LedgerMapping.Ticks(record.At),
            Status = (int)record.Status,
            Source = record.Source,
        };
        var what = $"record the {record.Status} consent of member '{record.MemberId}' on {record.Channel}";
        if (await FindAsync(row, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return Answer(existing, record);
        }

        return await session.WriteAsync(
            async (tx, ct) => (new ConsentRecordResult(await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false) == 1 ? ConsentRecordStatus.Added : ConsentRecordStatus.Conflict), true),
            async ct => await FindAsync(row, ct).ConfigureAwait(false) is { } raced ? (true, Answer(raced, record)) : (false, default),
            what,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ConsentRecord>> GetHistoryAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
        => (await GetHistoriesAsync(programId, [memberId], cancellationToken).ConfigureAwait(false))[0];

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<IReadOnlyList<ConsentRecord>>> GetHistoriesAsync(ProgramId programId, IReadOnlyList<MemberId> memberIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memberIds);
        if (memberIds.Count == 0)
        {
            return [];
        }

        var program = programId.Value;
        var ids = memberIds.Select(m => m.Value).Distinct().ToArray();
        var rows = await session.ReadAsync(
            ct => session.Rows<ConsentRow>().Where(c => c.ProgramId == program && ids.Contains(c.MemberId)).ToListAsync(ct),
            $"read the consents of {ids.Length} member(s) of programme {programId}",
            cancellationToken).ConfigureAwait(false);
        var byMember = rows.Select(r => ToRecord(programId, r)).ToLookup(r => r.MemberId);
        return memberIds.Select(m => (IReadOnlyList<ConsentRecord>)byMember[m].OrderBy(r => r.At).ThenBy(r => r.Channel).ToArray()).ToArray();
    }

    private async Task<ConsentRow?> FindAsync(ConsentRow row, CancellationToken cancellationToken) =>
        await session.ReadAsync(
            ct => session.Rows<ConsentRow>().FirstOrDefaultAsync(c => c.ProgramId == row.ProgramId && c.MemberId == row.MemberId && c.Channel == row.Channel && c.At == row.At, ct),
            $"read the consent of member '{row.MemberId}'",
            cancellationToken).ConfigureAwait(false);

    private static ConsentRecordResult Answer(ConsentRow existing, ConsentRecord record)
    {
        var stored = ToRecord(record.ProgramId, existing);
        return new ConsentRecordResult(stored == record ? ConsentRecordStatus.Exists : ConsentRecordStatus.Conflict, stored);
    }

    private static ConsentRecord ToRecord(ProgramId programId, ConsentRow row) => new()
    {
        ProgramId = programId,
        MemberId = MemberId.From(row.MemberId),
        Channel = (EngagementChannel)row.Channel,
        Status = (ConsentStatus)row.Status,
        At = LedgerMapping.Instant(row.At),
        Source = row.Source,
    };
}
