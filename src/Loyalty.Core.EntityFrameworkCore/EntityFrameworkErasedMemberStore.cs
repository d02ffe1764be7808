using Loyalty.Core.EntityFrameworkCore.DataRights;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// An <see cref="IErasedMemberStore"/> on EF Core, in the shop's own <see cref="DbContext"/>: one row per
/// erasure marker (a keyed hash of an erased member id, never the id), keyed by (programme, marker).
/// </summary>
/// <remarks>
/// A marker is inserted in a transaction of its own, or behind a savepoint in the shop's — with
/// <see cref="Loyalty.Core.DataRights.DataRightsService"/>, in the erasure's own transaction, so that a call that finds the
/// member gone finds the marker. Like its context, an instance is not thread-safe: use one per scope.
/// Provider faults are thrown as <see cref="LoyaltyStoreException"/>.
/// </remarks>
public sealed class EntityFrameworkErasedMemberStore : IErasedMemberStore
{
    private readonly StoreSession session;

    /// <summary>Creates a store on <paramref name="context"/>.</summary>
    /// <param name="context">The shop's context; its model must include the loyalty model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context's model has no loyalty tables.</exception>
    public EntityFrameworkErasedMemberStore(DbContext context)
    {
        session = new StoreSession(context, "erased member store");
    }

    /// <inheritdoc />
    public async ValueTask<bool> AddAsync(ProgramId programId, string marker, CancellationToken cancellationToken = default)
    {
        ErasedMembers.CheckMarker(marker, nameof(marker));
        var row = new ErasedMemberRow { ProgramId = programId.Value, Marker = marker };
        if (await ContainsAsync(programId, marker, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        return await session.WriteAsync(
            async (tx, ct) => (await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false) == 1, true),
            async ct => await session.Rows<ErasedMemberRow>().AnyAsync(e => e.ProgramId == row.ProgramId && e.Marker == row.Marker, ct).ConfigureAwait(false) ? (true, false) : (false, false),
            "record an erasure marker",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> ContainsAsync(ProgramId programId, string marker, CancellationToken cancellationToken = default)
    {
        ErasedMembers.CheckMarker(marker, nameof(marker));
        var program = programId.Value;
        return await session.ReadAsync(
            ct => session.Rows<ErasedMemberRow>().AnyAsync(e => e.ProgramId == program && e.Marker == marker, ct),
            "read an erasure marker",
            cancellationToken).ConfigureAwait(false);
    }
}
