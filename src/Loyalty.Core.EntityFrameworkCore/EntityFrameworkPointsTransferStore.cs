using System.Text.Json;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Transfers;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// An <see cref="IPointsTransferStore"/> on EF Core, in the shop's own <see cref="DbContext"/>: one row
/// per transfer. A sender's transfers are numbered; a reservation reads the sender's last number and
/// the points given in the period and writes the next number, a unique key, so two racing transfers
/// computed from the same allowance cannot both be written (the second reads again).
/// </summary>
/// <remarks>Writes run in one database transaction, or behind a savepoint in the shop's (or the call's)
/// transaction. Like its context, an instance is not thread-safe: use one per scope. Provider faults
/// are thrown as <see cref="LoyaltyStoreException"/>.</remarks>
public sealed class EntityFrameworkPointsTransferStore : IPointsTransferStore, Loyalty.Core.DataRights.IPointsTransferDataStore
{
    private const int ReserveAttempts = 16;
    private readonly StoreSession session;

    /// <summary>Creates a store on <paramref name="context"/>.</summary>
    /// <param name="context">The shop's context; its model must include the loyalty model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context's model has no loyalty tables.</exception>
    public EntityFrameworkPointsTransferStore(DbContext context)
    {
        session = new StoreSession(context, "points transfer store");
    }

    /// <inheritdoc />
    public async ValueTask<TransferReservation> ReserveAsync(PointsTransferRecord transfer, Instant periodStart, Points periodLimit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transfer);
        var program = transfer.ProgramId.Value;
        var id = transfer.Id.Value;
        var sender = transfer.From.Value;
        var start = LedgerMapping.Ticks(periodStart);
        var what = $"reserve transfer '{transfer.Id}'";
        for (var attempt = 1; ; attempt++)
        {
            if (await FindAsync(program, id, what, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                return new TransferReservation(TransferReservationStatus.Exists, existing, Points.Zero);
            }

            var last = await session.ReadAsync(
                ct => session.Rows<PointsTransferRow>().Where(t => t.ProgramId == program && t.SenderId == sender).MaxAsync(t => (long?)t.Sequence, ct),
                what,
                cancellationToken).ConfigureAwait(false) ?? 0;
            var given = await session.ReadAsync(
                ct => session.Rows<PointsTransferRow>().Where(t => t.ProgramId == program && t.SenderId == sender && t.TransferredAt >= start).SumAsync(t => t.Points, ct),
                what,
                cancellationToken).ConfigureAwait(false);
            if (given + transfer.Points.Value > periodLimit.Value)
            {
                return new TransferReservation(TransferReservationStatus.PeriodLimitReached, null, Points.FromInt64(given));
            }

            var pending = transfer with { Status = PointsTransferStatus.Pending, Legs = [] };
            var row = ToRow(pending, last + 1);
            var retry = attempt < ReserveAttempts;
            var (done, result) = await session.WriteAsync(
                async (tx, ct) =>
                {
                    await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false);
                    return ((true, new TransferReservation(TransferReservationStatus.Reserved, pending, Points.FromInt64(given))), true);
                },
                async ct =>
                {
                    // The id was taken by a racing call with it, or the number by another transfer of the sender.
                    if (await session.Rows<PointsTransferRow>().FirstOrDefaultAsync(t => t.ProgramId == program && t.TransferId == id, ct).ConfigureAwait(false) is { } raced)
                    {
                        return (true, (true, new TransferReservation(TransferReservationStatus.Exists, ToRecord(raced), Points.Zero)));
                    }

                    return retry ? (true, (false, (TransferReservation)null!)) : (false, default);
                },
                what,
                cancellationToken).ConfigureAwait(false);
            if (done)
            {
                return result;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<PointsTransferRecord?> CompleteAsync(ProgramId programId, TransferId transferId, IReadOnlyList<PointsTransferLeg> legs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(legs);
        var program = programId.Value;
        var id = transferId.Value;
        var pending = (int)PointsTransferStatus.Pending;
        var completed = (int)PointsTransferStatus.Completed;
        var json = WriteLegs(legs);
        var what = $"complete transfer '{transferId}'";
        await session.ReadAsync(
            ct => session.Rows<PointsTransferRow>().Where(t => t.ProgramId == program && t.TransferId == id && t.Status == pending)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, completed).SetProperty(t => t.Legs, json), ct),
            what,
            cancellationToken).ConfigureAwait(false);
        return await FindAsync(program, id, what, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> RemovePendingAsync(ProgramId programId, TransferId transferId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var id = transferId.Value;
        var pending = (int)PointsTransferStatus.Pending;
        return await session.ReadAsync(
            ct => session.Rows<PointsTransferRow>().Where(t => t.ProgramId == program && t.TransferId == id && t.Status == pending).ExecuteDeleteAsync(ct),
            $"remove pending transfer '{transferId}'",
            cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc />
    public async ValueTask<PointsTransferRecord?> GetAsync(ProgramId programId, TransferId transferId, CancellationToken cancellationToken = default)
        => await FindAsync(programId.Value, transferId.Value, $"read transfer '{transferId}'", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<PointsTransferRecord>> ListMemberTransfersAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var member = memberId.Value;
        var rows = await session.ReadAsync(
            ct => session.Rows<PointsTransferRow>().Where(t => t.ProgramId == program && (t.SenderId == member || t.RecipientId == member))
                .OrderBy(t => t.TransferredAt).ThenBy(t => t.TransferId).ToListAsync(ct),
            $"list the transfers of member '{memberId}'",
            cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(ToRecord);
    }

    /// <inheritdoc />
    public async ValueTask<int> EraseMemberTransfersAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var member = memberId.Value;
        return await session.ReadAsync(
            ct => session.Rows<PointsTransferRow>().Where(t => t.ProgramId == program && (t.SenderId == member || t.RecipientId == member)).ExecuteDeleteAsync(ct),
            $"erase the transfers of member '{memberId}'",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<int> RenameMemberTransfersAsync(ProgramId programId, MemberId from, MemberId to, CancellationToken cancellationToken = default)
    {
        if (from == to)
        {
            return 0;
        }

        var program = programId.Value;
        var source = from.Value;
        var target = to.Value;
        var moved = await session.WriteAsync(
            async (tx, ct) =>
            {
                if (await session.Rows<PointsTransferRow>().AnyAsync(t => t.ProgramId == program && (t.SenderId == target || t.RecipientId == target), ct).ConfigureAwait(false))
                {
                    return (-1, false);
                }

                var sent = await session.Rows<PointsTransferRow>().Where(t => t.ProgramId == program && t.SenderId == source)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.SenderId, target), ct).ConfigureAwait(false);
                var received = await session.Rows<PointsTransferRow>().Where(t => t.ProgramId == program && t.RecipientId == source)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.RecipientId, target), ct).ConfigureAwait(false);
                return (sent + received, sent + received > 0);
            },
            _ => Task.FromResult((false, 0)),
            $"move the transfers of member '{from}' to '{to}'",
            cancellationToken).ConfigureAwait(false);
        return moved < 0 ? throw new InvalidOperationException($"Member '{to}' already gave or received a points transfer; the transfers of member '{from}' were not moved. Choose an unused id, or erase the other member's transfers first.") : moved;
    }

    private async Task<PointsTransferRecord?> FindAsync(string program, string id, string what, CancellationToken cancellationToken)
    {
        var row = await session.ReadAsync(
            ct => session.Rows<PointsTransferRow>().FirstOrDefaultAsync(t => t.ProgramId == program && t.TransferId == id, ct),
            what,
            cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToRecord(row);
    }

    private static PointsTransferRow ToRow(PointsTransferRecord record, long sequence) => new()
    {
        ProgramId = record.ProgramId.Value,
        TransferId = record.Id.Value,
        SenderId = record.From.Value,
        RecipientId = record.To.Value,
        Sequence = sequence,
        Points = record.Points.Value,
        Message = record.Message,
        TransferredAt = LedgerMapping.Ticks(record.TransferredAt),
        Status = (int)record.Status,
        Legs = WriteLegs(record.Legs),
    };

    private static PointsTransferRecord ToRecord(PointsTransferRow row) => new()
    {
        ProgramId = ProgramId.From(row.ProgramId),
        Id = TransferId.From(row.TransferId),
        From = MemberId.From(row.SenderId),
        To = MemberId.From(row.RecipientId),
        Points = Points.FromInt64(row.Points),
        Message = row.Message,
        TransferredAt = LedgerMapping.Instant(row.TransferredAt),
        Status = (PointsTransferStatus)row.Status,
        Legs = ReadLegs(row),
    };

    private static string WriteLegs(IReadOnlyList<PointsTransferLeg> legs) =>
        JsonSerializer.Serialize(legs.Select(l => new LegJson(l.Points.Value, LedgerMapping.Ticks(l.ExpiresAt))).ToArray(), LegJsonContext.Default.LegJsonArray);

    private static PointsTransferLeg[] ReadLegs(PointsTransferRow row)
    {
        var legs = JsonSerializer.Deserialize(row.Legs, LegJsonContext.Default.LegJsonArray)
            ?? throw new InvalidOperationException($"The stored transfer '{row.TransferId}' of programme '{row.ProgramId}' has no legs; its legs_json is 'null'.");
        return Array.ConvertAll(legs, l => new PointsTransferLeg(Points.FromInt64(l.Points), LedgerMapping.Instant(l.ExpiresAt)));
    }
}

/// <summary>One received lot as stored: points and expiry ticks.</summary>
internal sealed record LegJson(long Points, long? ExpiresAt);

/// <summary>The source-generated serializer of <see cref="LegJson"/>.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(LegJson[]))]
internal sealed partial class LegJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
