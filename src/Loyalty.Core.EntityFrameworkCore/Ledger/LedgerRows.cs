namespace Loyalty.Core.EntityFrameworkCore.Ledger;

// The persisted shape of the ledger. Plain rows with provider-neutral column types: ids as
// strings, instants and durations as 100-ns ticks since the Unix epoch (64-bit integers, which
// every provider compares and indexes natively), enums as integers.

/// <summary>One row per account: the head (version and running figures).</summary>
internal sealed class LedgerAccountRow
{
    public string ProgramId { get; set; } = "";
    public string MemberId { get; set; } = "";
    public long Version { get; set; }
    public long UpdatedAt { get; set; }
    public long LotPoints { get; set; }
    public long Debt { get; set; }
    public long Earned { get; set; }
    public long Redeemed { get; set; }
    public long Expired { get; set; }
    public long Reversed { get; set; }
    public long Adjusted { get; set; }
    public long WrittenOff { get; set; }
    public long? LastActivityAt { get; set; }
    public long AvailableSnapshot { get; set; }
    public long PendingSnapshot { get; set; }
    public long HeldSnapshot { get; set; }
    public long? NextChangeAt { get; set; }
    public long? NextExpiryAt { get; set; }
    public byte[]? ChainHash { get; set; }
}

/// <summary>One row per appended transaction; never updated.</summary>
internal sealed class LedgerTransactionRow
{
    public string ProgramId { get; set; } = "";
    public string Id { get; set; } = "";
    public string MemberId { get; set; } = "";
    public long Version { get; set; }
    public int Kind { get; set; }
    public long RecordedAt { get; set; }
    public long EffectiveAt { get; set; }
    public long Amount { get; set; }
    public string? RelatedId { get; set; }
    public long? PendingPeriod { get; set; }
    public long? RequestedExpiresAt { get; set; }
    public bool IsWholeCapture { get; set; }
    public long? AvailableAt { get; set; }
    public long? ExpiresAt { get; set; }
    public string? Reason { get; set; }
    public string? Actor { get; set; }
    public long Applied { get; set; }
    public long DebtChange { get; set; }
    public long WrittenOff { get; set; }
    public byte[]? ChainHash { get; set; }
    public string? Merchant { get; set; }
}

/// <summary>One row per lot movement of a transaction, in allocation order.</summary>
internal sealed class LedgerMovementRow
{
    public string ProgramId { get; set; } = "";
    public string MemberId { get; set; } = "";
    public long Version { get; set; }
    public int Ordinal { get; set; }
    public string LotId { get; set; } = "";
    public long Delta { get; set; }
}

/// <summary>One row per lot; replaced when a transaction changes its remaining points.</summary>
internal sealed class LedgerLotRow
{
    public string ProgramId { get; set; } = "";
    public string MemberId { get; set; } = "";
    public string LotId { get; set; } = "";
    public long Sequence { get; set; }
    public long OriginalAmount { get; set; }
    public long Remaining { get; set; }
    public long CreatedAt { get; set; }
    public long AvailableAt { get; set; }
    public long? ExpiresAt { get; set; }
}

/// <summary>One row per hold; replaced when it is captured, released or lapses.</summary>
internal sealed class LedgerHoldRow
{
    public string ProgramId { get; set; } = "";
    public string MemberId { get; set; } = "";
    public string HoldId { get; set; } = "";
    public long Amount { get; set; }
    public long CreatedAt { get; set; }
    public long ExpiresAt { get; set; }
    public int Status { get; set; }
    public long Captured { get; set; }
    public string? ClosedBy { get; set; }
}
