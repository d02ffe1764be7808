using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore.Ledger;

/// <summary>Converts between the ledger records and their rows.</summary>
internal static class LedgerMapping
{
    public static long Ticks(Instant instant) => instant.ToUnixTimeTicks();

    public static long? Ticks(Instant? instant) => instant?.ToUnixTimeTicks();

    public static Instant Instant(long ticks) => NodaTime.Instant.FromUnixTimeTicks(ticks);

    public static Instant? Instant(long? ticks) => ticks is { } t ? NodaTime.Instant.FromUnixTimeTicks(t) : null;

    public static byte[]? Bytes(LedgerHash hash) => hash.IsNone ? null : hash.ToArray();

    // A stored value of the wrong length (the CHECK constraint refuses it) reads as no hash, which verification reports.
    public static LedgerHash Hash(byte[]? bytes) => bytes is { Length: LedgerHash.Size } ? LedgerHash.FromBytes(bytes) : default;

    public static LedgerAccountRow ToRow(LedgerAccountHead head) => new()
    {
        ProgramId = head.ProgramId.Value,
        MemberId = head.MemberId.Value,
        Version = head.Version,
        UpdatedAt = Ticks(head.UpdatedAt),
        LotPoints = head.LotPoints,
        Debt = head.Debt,
        Earned = head.Earned,
        Redeemed = head.Redeemed,
        Expired = head.Expired,
        Reversed = head.Reversed,
        Adjusted = head.Adjusted,
        WrittenOff = head.WrittenOff,
        LastActivityAt = Ticks(head.LastActivityAt),
        AvailableSnapshot = head.AvailableSnapshot,
        PendingSnapshot = head.PendingSnapshot,
        HeldSnapshot = head.HeldSnapshot,
        NextChangeAt = Ticks(head.NextChangeAt),
        NextExpiryAt = Ticks(head.NextExpiryAt),
        ChainHash = Bytes(head.ChainHash),
    };

    public static LedgerAccountHead ToRecord(LedgerAccountRow row) => new()
    {
        ProgramId = ProgramId.From(row.ProgramId),
        MemberId = MemberId.From(row.MemberId),
        Version = row.Version,
        UpdatedAt = Instant(row.UpdatedAt),
        LotPoints = row.LotPoints,
        Debt = row.Debt,
        Earned = row.Earned,
        Redeemed = row.Redeemed,
        Expired = row.Expired,
        Reversed = row.Reversed,
        Adjusted = row.Adjusted,
        WrittenOff = row.WrittenOff,
        LastActivityAt = Instant(row.LastActivityAt),
        AvailableSnapshot = row.AvailableSnapshot,
        PendingSnapshot = row.PendingSnapshot,
        HeldSnapshot = row.HeldSnapshot,
        NextChangeAt = Instant(row.NextChangeAt),
        NextExpiryAt = Instant(row.NextExpiryAt),
        ChainHash = Hash(row.ChainHash),
    };

    public static LedgerTransactionRow ToRow(LedgerTransactionRecord tx) => new()
    {
        ProgramId = tx.ProgramId.Value,
        Id = tx.Id.Value,
        MemberId = tx.MemberId.Value,
        Version = tx.Version,
        Kind = (int)tx.Kind,
        RecordedAt = Ticks(tx.RecordedAt),
        EffectiveAt = Ticks(tx.EffectiveAt),
        Amount = tx.Amount,
        RelatedId = tx.RelatedId?.Value,
        PendingPeriod = tx.PendingPeriod?.BclCompatibleTicks,
        RequestedExpiresAt = Ticks(tx.RequestedExpiresAt),
        IsWholeCapture = tx.IsWholeCapture,
        AvailableAt = Ticks(tx.AvailableAt),
        ExpiresAt = Ticks(tx.ExpiresAt),
        Reason = tx.Reason,
        Actor = tx.Actor,
        Applied = tx.Applied,
        DebtChange = tx.DebtChange,
        WrittenOff = tx.WrittenOff,
        ChainHash = Bytes(tx.ChainHash),
        Merchant = tx.Merchant?.Value,
    };

    public static LedgerTransactionRecord ToRecord(LedgerTransactionRow row, IReadOnlyList<LedgerLotMovement> movements) => new()
    {
        ProgramId = ProgramId.From(row.ProgramId),
        MemberId = MemberId.From(row.MemberId),
        Id = TransactionId.From(row.Id),
        Version = row.Version,
        Kind = (LedgerTransactionKind)row.Kind,
        RecordedAt = Instant(row.RecordedAt),
        EffectiveAt = Instant(row.EffectiveAt),
        Amount = row.Amount,
        RelatedId = row.RelatedId is { } related ? TransactionId.From(related) : null,
        PendingPeriod = row.PendingPeriod is { } period ? Duration.FromTicks(period) : null,
        RequestedExpiresAt = Instant(row.RequestedExpiresAt),
        IsWholeCapture = row.IsWholeCapture,
        AvailableAt = Instant(row.AvailableAt),
        ExpiresAt = Instant(row.ExpiresAt),
        Reason = row.Reason,
        Actor = row.Actor,
        Applied = row.Applied,
        DebtChange = row.DebtChange,
        WrittenOff = row.WrittenOff,
        Movements = movements,
        ChainHash = Hash(row.ChainHash),
        Merchant = row.Merchant is { } merchant ? MerchantId.From(merchant) : null,
    };

    public static LedgerMovementRow ToRow(LedgerTransactionRecord tx, int ordinal, LedgerLotMovement movement) => new()
    {
        ProgramId = tx.ProgramId.Value,
        MemberId = tx.MemberId.Value,
        Version = tx.Version,
        Ordinal = ordinal,
        LotId = movement.LotId.Value,
        Delta = movement.Delta,
    };

    public static LedgerLotRow ToRow(LedgerAccountKey account, LedgerLotRecord lot) => new()
    {
        ProgramId = account.ProgramId.Value,
        MemberId = account.MemberId.Value,
        LotId = lot.LotId.Value,
        Sequence = lot.Sequence,
        OriginalAmount = lot.OriginalAmount,
        Remaining = lot.Remaining,
        CreatedAt = Ticks(lot.CreatedAt),
        AvailableAt = Ticks(lot.AvailableAt),
        ExpiresAt = Ticks(lot.ExpiresAt),
    };

    public static LedgerLotRecord ToRecord(LedgerLotRow row) => new()
    {
        LotId = TransactionId.From(row.LotId),
        Sequence = row.Sequence,
        OriginalAmount = row.OriginalAmount,
        Remaining = row.Remaining,
        CreatedAt = Instant(row.CreatedAt),
        AvailableAt = Instant(row.AvailableAt),
        ExpiresAt = Instant(row.ExpiresAt),
    };

    public static LedgerHoldRow ToRow(LedgerAccountKey account, LedgerHoldRecord hold) => new()
    {
        ProgramId = account.ProgramId.Value,
        MemberId = account.MemberId.Value,
        HoldId = hold.HoldId.Value,
        Amount = hold.Amount,
        CreatedAt = Ticks(hold.CreatedAt),
        ExpiresAt = Ticks(hold.ExpiresAt),
        Status = (int)hold.Status,
        Captured = hold.Captured,
        ClosedBy = hold.ClosedBy?.Value,
    };

    public static LedgerHoldRecord ToRecord(LedgerHoldRow row) => new()
    {
        HoldId = TransactionId.From(row.HoldId),
        Amount = row.Amount,
        CreatedAt = Instant(row.CreatedAt),
        ExpiresAt = Instant(row.ExpiresAt),
        Status = (LedgerHoldStatus)row.Status,
        Captured = row.Captured,
        ClosedBy = row.ClosedBy is { } closedBy ? TransactionId.From(closedBy) : null,
    };
}
