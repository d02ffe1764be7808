using Loyalty.Core.Primitives;
using Loyalty.Core.Transfers;
using NodaTime;

namespace Loyalty.Core.Storage;

/// <summary>The outcome of <see cref="IPointsTransferStore.ReserveAsync"/>.</summary>
public enum TransferReservationStatus
{
    /// <summary>The transfer was recorded as pending and counted against the sender's allowance.</summary>
    Reserved = 1,

    /// <summary>A transfer with the same id exists; nothing changed.</summary>
    Exists = 2,

    /// <summary>The sender's transfers in the period with this one would exceed the limit; nothing changed.</summary>
    PeriodLimitReached = 3,
}

/// <summary>The result of <see cref="IPointsTransferStore.ReserveAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Record">The stored record (the new pending one, or the existing one), or null when refused.</param>
/// <param name="GivenInPeriod">The points the sender gave in the period before this transfer (pending ones included).</param>
public sealed record TransferReservation(TransferReservationStatus Status, PointsTransferRecord? Record, Points GivenInPeriod);

/// <summary>
/// Persists points transfers between members: a transfer is first reserved (recorded pending and
/// counted against the sender's allowance for the period, atomically, so racing transfers of one sender
/// never exceed it), then completed once both ledgers are written, or removed when the ledger refuses it.
/// </summary>
/// <remarks>
/// Implementations must be thread-safe; every operation is atomic. Transfers are personal data (they
/// name two members): <see cref="ListMemberTransfersAsync"/> exports a member's and
/// <see cref="EraseMemberTransfersAsync"/> erases them. Infrastructure faults throw <see cref="LoyaltyStoreException"/>.
/// </remarks>
public interface IPointsTransferStore
{
    /// <summary>
    /// Records <paramref name="transfer"/> (pending) unless its id exists, when the points the sender gave
    /// since <paramref name="periodStart"/> plus its points stay within <paramref name="periodLimit"/>.
    /// </summary>
    /// <param name="transfer">The transfer, pending, with no legs.</param>
    /// <param name="periodStart">The start of the sender's current period (inclusive).</param>
    /// <param name="periodLimit">The most points the sender may give in the period.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Reserved, exists (with the existing record), or period limit reached.</returns>
    ValueTask<TransferReservation> ReserveAsync(PointsTransferRecord transfer, Instant periodStart, Points periodLimit, CancellationToken cancellationToken = default);

    /// <summary>Marks a pending transfer completed with the lots received; does nothing to a completed one.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="transferId">The transfer.</param>
    /// <param name="legs">The lots received.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored record after the call, or null when unknown.</returns>
    ValueTask<PointsTransferRecord?> CompleteAsync(ProgramId programId, TransferId transferId, IReadOnlyList<PointsTransferLeg> legs, CancellationToken cancellationToken = default);

    /// <summary>Removes a pending transfer (the ledger refused it), giving its points back to the sender's allowance; a completed one stays.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="transferId">The transfer.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when removed.</returns>
    ValueTask<bool> RemovePendingAsync(ProgramId programId, TransferId transferId, CancellationToken cancellationToken = default);

    /// <summary>Reads a transfer.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="transferId">The transfer.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The record, or null.</returns>
    ValueTask<PointsTransferRecord?> GetAsync(ProgramId programId, TransferId transferId, CancellationToken cancellationToken = default);

    /// <summary>Lists the transfers a member gave or received (a data export), oldest first.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The records.</returns>
    ValueTask<IReadOnlyList<PointsTransferRecord>> ListMemberTransfersAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);

    /// <summary>Erases every transfer a member gave or received (the ledger keeps the points moved).</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The number of records erased.</returns>
    ValueTask<int> EraseMemberTransfersAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);
}
