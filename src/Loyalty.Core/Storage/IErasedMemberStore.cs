using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage;

/// <summary>
/// Persists erasure markers: one keyed hash per erased member id (see <see cref="ErasedMembers"/>), so that
/// the programme can tell a later call for an erased id from a call for an id it never knew, without
/// keeping the id. Optional store: registered in memory by <c>AddDataRights</c>; the EF Core adapter keeps
/// it in a table.
/// </summary>
/// <remarks>
/// A marker is 32 lowercase hexadecimal digits. Implementations must be thread-safe; every operation is
/// atomic. Infrastructure faults throw <see cref="LoyaltyStoreException"/>.
/// </remarks>
public interface IErasedMemberStore
{
    /// <summary>Adds a marker; adding one that is there already changes nothing.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="marker">The marker.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when added; false when it was there already.</returns>
    /// <exception cref="ArgumentException"><paramref name="marker"/> is not 32 lowercase hexadecimal digits.</exception>
    ValueTask<bool> AddAsync(ProgramId programId, string marker, CancellationToken cancellationToken = default);

    /// <summary>Whether the programme holds a marker.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="marker">The marker.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>True when the marker was added.</returns>
    /// <exception cref="ArgumentException"><paramref name="marker"/> is not 32 lowercase hexadecimal digits.</exception>
    ValueTask<bool> ContainsAsync(ProgramId programId, string marker, CancellationToken cancellationToken = default);
}
