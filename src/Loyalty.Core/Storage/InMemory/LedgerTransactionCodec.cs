using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>
/// A <see cref="LedgerTransactionRecord"/> as bytes for the in-memory ledger store's
/// <see cref="ByteArena{T}"/>, keyed by its recording instant (for the transaction feed). An order's earn
/// takes about 90 bytes (its hash 32 of them), against some 270 in three objects.
/// </summary>
/// <remarks>
/// Only the fields a transaction carries are written, after a set of flags; the programme and merchant go
/// to the arena's table, the member, transaction and lot ids, reason and actor are written whole (an
/// erased member's transactions leave no trace once forgotten). A movement of the transaction's own lot
/// (an earn's) does not repeat the id.
/// </remarks>
internal sealed class LedgerTransactionCodec : RecordCodec<LedgerTransactionRecord>
{
    /// <summary>The codec (stateless).</summary>
    public static readonly LedgerTransactionCodec Instance = new();

    private const int HasRelated = 1, HasPending = 2, HasRequestedExpiry = 4, IsWholeCapture = 8, HasAvailableAt = 16, HasExpiresAt = 32,
        HasReason = 64, HasActor = 128, HasSettlement = 256, HasMerchant = 512, HasHash = 1024, EffectiveDiffers = 2048;

    private LedgerTransactionCodec()
    {
    }

    /// <inheritdoc />
    public override long KeyOf(LedgerTransactionRecord record) => record.RecordedAt.ToUnixTimeTicks();

    /// <inheritdoc />
    public override void Write(ref RecordWriter w, LedgerTransactionRecord record)
    {
        var flags = (record.RelatedId is null ? 0 : HasRelated)
            | (record.PendingPeriod is null ? 0 : HasPending)
            | (record.RequestedExpiresAt is null ? 0 : HasRequestedExpiry)
            | (record.IsWholeCapture ? IsWholeCapture : 0)
            | (record.AvailableAt is null ? 0 : HasAvailableAt)
            | (record.ExpiresAt is null ? 0 : HasExpiresAt)
            | (record.Reason is null ? 0 : HasReason)
            | (record.Actor is null ? 0 : HasActor)
            | (record.Applied == 0 && record.DebtChange == 0 && record.WrittenOff == 0 ? 0 : HasSettlement)
            | (record.Merchant is null ? 0 : HasMerchant)
            | (record.ChainHash.IsNone ? 0 : HasHash)
            | (record.EffectiveAt == record.RecordedAt ? 0 : EffectiveDiffers);
        w.Varint((uint)flags);
        w.Interned(record.ProgramId.IsDefault ? null : record.ProgramId.Value);
        w.Text(record.MemberId.IsDefault ? null : record.MemberId.Value);
        w.Text(record.Id.IsDefault ? null : record.Id.Value);
        w.Signed(record.Version);
        w.Varint((uint)record.Kind);
        w.At(record.RecordedAt);
        if ((flags & EffectiveDiffers) != 0)
        {
            w.At(record.EffectiveAt);
        }

        w.Signed(record.Amount);
        if (record.RelatedId is { } related)
        {
            w.Text(related.IsDefault ? null : related.Value);
        }

        if (record.PendingPeriod is { } pending)
        {
            w.Span(pending);
        }

        if (record.RequestedExpiresAt is { } requested)
        {
            w.At(requested);
        }

        if (record.AvailableAt is { } available)
        {
            w.At(available);
        }

        if (record.ExpiresAt is { } expires)
        {
            w.At(expires);
        }

        if (record.Reason is { } reason)
        {
            w.Text(reason);
        }

        if (record.Actor is { } actor)
        {
            w.Text(actor);
        }

        if ((flags & HasSettlement) != 0)
        {
            w.Signed(record.Applied);
            w.Signed(record.DebtChange);
            w.Signed(record.WrittenOff);
        }

        if (record.Merchant is { } merchant)
        {
            w.Interned(merchant.IsDefault ? null : merchant.Value);
        }

        if (!record.ChainHash.IsNone)
        {
            Span<byte> hash = stackalloc byte[LedgerHash.Size];
            record.ChainHash.CopyTo(hash);
            w.Raw(hash);
        }

        var movements = record.Movements;
        w.Varint((uint)movements.Count);
        for (var i = 0; i < movements.Count; i++)
        {
            var (lotId, delta) = movements[i];
            if (lotId == record.Id)
            {
                w.Varint(0);
            }
            else
            {
                w.Varint(1);
                w.Text(lotId.IsDefault ? null : lotId.Value);
            }

            w.Signed(delta);
        }
    }

    /// <inheritdoc />
    public override LedgerTransactionRecord Read(ref RecordReader r)
    {
        var flags = (int)r.Varint();
        var programId = r.Interned() is { } program ? ProgramId.Trusted(program) : default;
        var memberId = r.Text() is { } member ? MemberId.Trusted(member) : default;
        var id = r.Text() is { } own ? TransactionId.Trusted(own) : default;
        var version = r.Signed();
        var kind = (LedgerTransactionKind)r.Varint();
        var recordedAt = r.At();
        var effectiveAt = (flags & EffectiveDiffers) != 0 ? r.At() : recordedAt;
        var settled = (flags & HasSettlement) != 0;

        // One object, its fields read in the written order; an absent optional field is set to its default,
        // which stores nothing.
        return new LedgerTransactionRecord
        {
            ProgramId = programId,
            MemberId = memberId,
            Id = id,
            Version = version,
            Kind = kind,
            RecordedAt = recordedAt,
            EffectiveAt = effectiveAt,
            Amount = r.Signed(),
            RelatedId = (flags & HasRelated) == 0 ? null : r.Text() is { } related ? TransactionId.Trusted(related) : default(TransactionId),
            PendingPeriod = (flags & HasPending) == 0 ? null : r.Span(),
            RequestedExpiresAt = (flags & HasRequestedExpiry) == 0 ? null : r.At(),
            IsWholeCapture = (flags & IsWholeCapture) != 0,
            AvailableAt = (flags & HasAvailableAt) == 0 ? null : r.At(),
            ExpiresAt = (flags & HasExpiresAt) == 0 ? null : r.At(),
            Reason = (flags & HasReason) == 0 ? null : r.Text(),
            Actor = (flags & HasActor) == 0 ? null : r.Text(),
            Applied = settled ? r.Signed() : 0,
            DebtChange = settled ? r.Signed() : 0,
            WrittenOff = settled ? r.Signed() : 0,
            Merchant = (flags & HasMerchant) == 0 ? null : r.Interned() is { } merchant ? MerchantId.Trusted(merchant) : default(MerchantId),
            ChainHash = (flags & HasHash) == 0 ? default : LedgerHash.FromBytes(r.Raw(LedgerHash.Size)),
            Movements = Movements(ref r, id),
        };
    }

    private static IReadOnlyList<LedgerLotMovement> Movements(ref RecordReader r, TransactionId id)
    {
        var count = (int)r.Varint();
        if (count == 0)
        {
            return [];
        }

        var movements = new LedgerLotMovement[count];
        for (var i = 0; i < count; i++)
        {
            var lotId = r.Varint() == 0 ? id : r.Text() is { } lot ? TransactionId.Trusted(lot) : default;
            movements[i] = new LedgerLotMovement(lotId, r.Signed());
        }

        return movements;
    }
}
