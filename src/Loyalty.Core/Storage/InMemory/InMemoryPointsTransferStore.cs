using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using Loyalty.Core.Transfers;
using NodaTime;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>A thread-safe, in-process <see cref="IPointsTransferStore"/>: the default store.</summary>
/// <remarks>One lock guards the store; every member completes synchronously.</remarks>
public sealed class InMemoryPointsTransferStore : IPointsTransferStore, DataRights.IPointsTransferDataStore
{
    private readonly object gate = new();
    private readonly Dictionary<(ProgramId, TransferId), PointsTransferRecord> transfers = [];
    private readonly List<(ProgramId Program, TransferId Id)> order = [];

    /// <inheritdoc />
    public ValueTask<TransferReservation> ReserveAsync(PointsTransferRecord transfer, Instant periodStart, Points periodLimit, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(transfer);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (transfers.TryGetValue((transfer.ProgramId, transfer.Id), out var existing))
            {
                return new(new TransferReservation(TransferReservationStatus.Exists, existing, Points.Zero));
            }

            var given = transfers.Values
                .Where(t => t.ProgramId == transfer.ProgramId && t.From == transfer.From && t.TransferredAt >= periodStart)
                .Aggregate(0L, (sum, t) => checked(sum + t.Points.Value));
            if (given + transfer.Points.Value > periodLimit.Value)
            {
                return new(new TransferReservation(TransferReservationStatus.PeriodLimitReached, null, Points.FromInt64(given)));
            }

            var pending = transfer with { Status = PointsTransferStatus.Pending, Legs = [] };
            transfers[(transfer.ProgramId, transfer.Id)] = pending;
            order.Add((transfer.ProgramId, transfer.Id));
            return new(new TransferReservation(TransferReservationStatus.Reserved, pending, Points.FromInt64(given)));
        }
    }

    /// <inheritdoc />
    public ValueTask<PointsTransferRecord?> CompleteAsync(ProgramId programId, TransferId transferId, IReadOnlyList<PointsTransferLeg> legs, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(legs);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!transfers.TryGetValue((programId, transferId), out var existing))
            {
                return new((PointsTransferRecord?)null);
            }

            if (existing.Status == PointsTransferStatus.Completed)
            {
                return new(existing);
            }

            var completed = existing with { Status = PointsTransferStatus.Completed, Legs = legs.ToArray() };
            transfers[(programId, transferId)] = completed;
            return new(completed);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RemovePendingAsync(ProgramId programId, TransferId transferId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (transfers.TryGetValue((programId, transferId), out var existing) && existing.Status == PointsTransferStatus.Pending)
            {
                transfers.Remove((programId, transferId));
                order.Remove((programId, transferId));
                return new(true);
            }

            return new(false);
        }
    }

    /// <inheritdoc />
    public ValueTask<PointsTransferRecord?> GetAsync(ProgramId programId, TransferId transferId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(transfers.GetValueOrDefault((programId, transferId)));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<PointsTransferRecord>> ListMemberTransfersAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            IReadOnlyList<PointsTransferRecord> list = order
                .Where(k => k.Program == programId)
                .Select(k => transfers[k])
                .Where(t => t.From == memberId || t.To == memberId)
                .ToArray();
            return new(list);
        }
    }

    /// <inheritdoc />
    public ValueTask<int> EraseMemberTransfersAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var mine = transfers.Values.Where(t => t.ProgramId == programId && (t.From == memberId || t.To == memberId)).ToList();
            foreach (var t in mine)
            {
                transfers.Remove((programId, t.Id));
                order.Remove((programId, t.Id));
            }

            return new(mine.Count);
        }
    }

    /// <inheritdoc />
    public ValueTask<int> RenameMemberTransfersAsync(ProgramId programId, MemberId from, MemberId to, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (from == to)
        {
            return new(0);
        }

        lock (gate)
        {
            var mine = transfers.Values.Where(t => t.ProgramId == programId && (t.From == from || t.To == from)).ToList();
            if (mine.Count == 0)
            {
                return new(0);
            }

            if (transfers.Values.Any(t => t.ProgramId == programId && (t.From == to || t.To == to)))
            {
                throw new InvalidOperationException($"Member '{to}' already gave or received a points transfer; the transfers of member '{from}' were not moved. Choose an unused id, or erase the other member's transfers first.");
            }

            foreach (var t in mine)
            {
                transfers[(programId, t.Id)] = t with { From = t.From == from ? to : t.From, To = t.To == from ? to : t.To };
            }

            return new(mine.Count);
        }
    }
}
