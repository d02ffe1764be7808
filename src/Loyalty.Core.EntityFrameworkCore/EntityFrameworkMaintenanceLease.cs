using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Maintenance;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// An <see cref="IMaintenanceLease"/> kept as a row of the shop's own database (table
/// <c>loyalty_maintenance_leases</c>), shared by every instance of the shop that uses it: works on
/// SQLite, PostgreSQL and any relational provider.
/// </summary>
/// <remarks>
/// Taking a lease is one conditional <c>UPDATE</c> (free, lapsed, or already this holder's), or,
/// when the row does not exist yet, an <c>INSERT</c> that a racing instance's insert of the same key
/// makes fail: the database decides, so two holders never hold one lease at once. Renewal and release
/// are conditional on the holder. Like its context, an instance is not thread-safe: use one per scope.
/// Provider faults are thrown as <see cref="LoyaltyStoreException"/>.
/// </remarks>
public sealed class EntityFrameworkMaintenanceLease : IMaintenanceLease
{
    private readonly StoreSession session;

    /// <summary>Creates a lease store on <paramref name="context"/>.</summary>
    /// <param name="context">The shop's context; its model must include the loyalty model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context's model has no loyalty tables.</exception>
    public EntityFrameworkMaintenanceLease(DbContext context)
    {
        session = new StoreSession(context, "maintenance lease");
    }

    /// <inheritdoc />
    public async ValueTask<MaintenanceLeaseState?> TryAcquireAsync(ProgramId programId, string name, string holder, Instant now, Duration duration, CancellationToken cancellationToken = default)
    {
        MaintenanceLeaseState.Validate(name, holder, duration);
        var program = programId.Value;
        var at = LedgerMapping.Ticks(now);
        var until = LedgerMapping.Ticks(now + duration);
        var what = $"take the maintenance lease '{name}' of programme {programId}";
        var updated = await session.ReadAsync(
            ct => Leases().Where(l => l.ProgramId == program && l.Name == name && (l.Holder == null || l.Holder == holder || l.ExpiresAt <= at))
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, holder).SetProperty(l => l.ExpiresAt, until), ct),
            what,
            cancellationToken).ConfigureAwait(false);
        if (updated == 1)
        {
            return await GetAsync(programId, name, cancellationToken).ConfigureAwait(false);
        }

        var row = new MaintenanceLeaseRow { ProgramId = program, Name = name, Holder = holder, ExpiresAt = until };
        var inserted = await session.WriteAsync(
            async (tx, ct) => (await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false) == 1, true),
            async ct => (await FindAsync(program, name, ct).ConfigureAwait(false) is not null, false),
            what,
            cancellationToken).ConfigureAwait(false);
        return inserted ? ToState(row) : null;
    }

    /// <inheritdoc />
    public async ValueTask<bool> RenewAsync(ProgramId programId, string name, string holder, Instant now, Duration duration, CancellationToken cancellationToken = default)
    {
        MaintenanceLeaseState.Validate(name, holder, duration);
        var program = programId.Value;
        var until = LedgerMapping.Ticks(now + duration);
        var updated = await session.ReadAsync(
            ct => Leases().Where(l => l.ProgramId == program && l.Name == name && l.Holder == holder)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, until), ct),
            $"renew the maintenance lease '{name}' of programme {programId}",
            cancellationToken).ConfigureAwait(false);
        return updated == 1;
    }

    /// <inheritdoc />
    public async ValueTask<bool> ReleaseAsync(ProgramId programId, string name, string holder, Instant? completedAt, CancellationToken cancellationToken = default)
    {
        MaintenanceLeaseState.Validate(name, holder, null);
        var program = programId.Value;
        var what = $"release the maintenance lease '{name}' of programme {programId}";
        var query = Leases().Where(l => l.ProgramId == program && l.Name == name && l.Holder == holder);
        var updated = completedAt is { } completed
            ? await session.ReadAsync(
                ct => query.ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, (string?)null).SetProperty(l => l.LastCompletedAt, LedgerMapping.Ticks(completed)), ct),
                what,
                cancellationToken).ConfigureAwait(false)
            : await session.ReadAsync(
                ct => query.ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, (string?)null), ct),
                what,
                cancellationToken).ConfigureAwait(false);
        return updated == 1;
    }

    /// <inheritdoc />
    public async ValueTask<MaintenanceLeaseState?> GetAsync(ProgramId programId, string name, CancellationToken cancellationToken = default)
    {
        MaintenanceLeaseState.Validate(name, null, null);
        var program = programId.Value;
        var row = await session.ReadAsync(
            ct => FindAsync(program, name, ct),
            $"read the maintenance lease '{name}' of programme {programId}",
            cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToState(row);
    }

    private IQueryable<MaintenanceLeaseRow> Leases() => session.Context.Set<MaintenanceLeaseRow>();

    private Task<MaintenanceLeaseRow?> FindAsync(string program, string name, CancellationToken cancellationToken) =>
        session.Rows<MaintenanceLeaseRow>().FirstOrDefaultAsync(l => l.ProgramId == program && l.Name == name, cancellationToken);

    private static MaintenanceLeaseState ToState(MaintenanceLeaseRow row) =>
        new(row.Name, row.Holder, LedgerMapping.Instant(row.ExpiresAt), LedgerMapping.Instant(row.LastCompletedAt));
}
