namespace Loyalty.Core.EntityFrameworkCore.Programs;

// The persisted shape of reward codes, points transfers and households. Same conventions as the
// other rows: ids as strings, instants as 100-ns ticks since the Unix epoch, enums as integers.

/// <summary>One row per reward code; the code's text is its key, its redemption has one code.</summary>
internal sealed class RewardCodeRow
{
    public string ProgramId { get; set; } = "";
    public string Code { get; set; } = "";
    public string RedemptionId { get; set; } = "";
    public string MemberId { get; set; } = "";
    public string RewardId { get; set; } = "";
    public int Kind { get; set; }
    public string Benefit { get; set; } = "";
    public long PointsSpent { get; set; }
    public long IssuedAt { get; set; }

    /// <summary>The expiry, or <see cref="long.MaxValue"/> for a code that never expires (so the due index needs no null test).</summary>
    public long ExpiresAt { get; set; }

    public int MaxUses { get; set; }
    public int Uses { get; set; }
    public bool ReturnPointsOnExpiry { get; set; }
    public int Status { get; set; }
    public long? ClosedAt { get; set; }
    public long PointsReturned { get; set; }
}

/// <summary>One row per use of a code by an order; the order is part of the key, so a retried use adds nothing.</summary>
internal sealed class RewardCodeUseRow
{
    public string ProgramId { get; set; } = "";
    public string Code { get; set; } = "";
    public string OrderId { get; set; } = "";
    public long UsedAt { get; set; }
}

/// <summary>
/// One row per points transfer. A sender's transfers are numbered from 1 (unique), so two transfers
/// that read the same allowance cannot both be written.
/// </summary>
internal sealed class PointsTransferRow
{
    public string ProgramId { get; set; } = "";
    public string TransferId { get; set; } = "";
    public string SenderId { get; set; } = "";
    public string RecipientId { get; set; } = "";
    public long Sequence { get; set; }
    public long Points { get; set; }
    public string? Message { get; set; }
    public long TransferredAt { get; set; }
    public int Status { get; set; }
    public string Legs { get; set; } = "[]";
}

/// <summary>One row per household.</summary>
internal sealed class HouseholdRow
{
    public string ProgramId { get; set; } = "";
    public string HouseholdId { get; set; } = "";
    public string OwnerId { get; set; } = "";
    public long CreatedAt { get; set; }
}

/// <summary>
/// One row per member in a household: the member is the key (one household per member), and the
/// member's slot, below the household's limit, is unique in the household, so racing joins never exceed it.
/// </summary>
internal sealed class HouseholdMemberRow
{
    public string ProgramId { get; set; } = "";
    public string MemberId { get; set; } = "";
    public string HouseholdId { get; set; } = "";
    public int Slot { get; set; }
    public long JoinedAt { get; set; }
}
