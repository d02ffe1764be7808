using Loyalty.Core.Primitives;
namespace Loyalty.Core.EntityFrameworkCore.Programs;

// The persisted shape of the programme's other stores (members, what was recorded for them, rule
// sets, the rewards catalogue, stock claims and redemptions). Same conventions as the ledger: ids
// as strings, instants as 100-ns ticks since the Unix epoch, enums as integers; values the
// programme only reads back whole (an order's lines, an earning explanation) as JSON text.

/// <summary>One row per member.</summary>
internal sealed class MemberRow
{
    public string ProgramId { get; set; } = "";
    public string MemberId { get; set; } = "";

    /// <summary>The member's <see cref="Storage.MemberPartition.KeyOf(Primitives.MemberId)"/> (0 to 2³² − 1), which batch runs page by.</summary>
    public long PartitionKey { get; set; }

    public long Version { get; set; }
    public long EnrolledAt { get; set; }
    public string? BirthDate { get; set; }
    public string ReferralCode { get; set; } = "";
    public string? ReferredBy { get; set; }
    public string? ReferralCompletedBy { get; set; }
    public string? TierStatus { get; set; }
    public long? LastMaintainedAt { get; set; }
    public string? Evaluation { get; set; }
}

/// <summary>
/// One row per member with a history: its version, incremented with every order, refund and
/// activity written for the member (in the same transaction), so an order or activity evaluated
/// from a history is written only if the version is still the one read. No row reads as version 0.
/// </summary>
internal sealed class MemberHistoryRow
{
    public string ProgramId { get; set; } = "";
    public string MemberId { get; set; } = "";
    public long Version { get; set; }
}

/// <summary>One row per recorded order; never updated.</summary>
internal sealed class OrderRow
{
    public string ProgramId { get; set; } = "";
    public string OrderId { get; set; } = "";
    public string MemberId { get; set; } = "";
    public string Fingerprint { get; set; } = "";
    public long PlacedAt { get; set; }
    public string Order { get; set; } = "";
    public string Earning { get; set; } = "";
    public string? Tier { get; set; }
    public string TransactionId { get; set; } = "";
    public long RecordedAt { get; set; }
}

/// <summary>One row per refund; never updated. <see cref="Sequence"/> numbers the refunds of an order from 0.</summary>
internal sealed class RefundRow
{
    public string ProgramId { get; set; } = "";
    public string RefundId { get; set; } = "";
    public string MemberId { get; set; } = "";
    public string OrderId { get; set; } = "";
    public int Sequence { get; set; }
    public string Fingerprint { get; set; } = "";
    public string Refund { get; set; } = "";
    public string Result { get; set; } = "";
    public decimal Amount { get; set; }
    public string Currency { get; set; } = "";
    public long RefundedAt { get; set; }
    public string? TransactionId { get; set; }
    public long RecordedAt { get; set; }
}

/// <summary>One row per recorded activity; never updated.</summary>
internal sealed class ActivityRow
{
    public string ProgramId { get; set; } = "";
    public string ActivityId { get; set; } = "";
    public string MemberId { get; set; } = "";
    public string Fingerprint { get; set; } = "";
    public int Kind { get; set; }
    public long OccurredAt { get; set; }
    public string? EventName { get; set; }
    public string? Merchant { get; set; }
    public string Earning { get; set; } = "";
    public string? TransactionId { get; set; }
    public long RecordedAt { get; set; }
}

/// <summary>
/// One row per rule with a campaign budget: the points its reservations hold together, and a
/// version every write increments first, which locks the row (and so the rule's reservations)
/// until the transaction ends.
/// </summary>
internal sealed class CampaignBudgetRow
{
    public string ProgramId { get; set; } = "";
    public string RuleId { get; set; } = "";
    public long Used { get; set; }
    public long Version { get; set; }
}

/// <summary>One row per order or activity (its ledger transaction) and budgeted rule: the points it holds of the rule's budget.</summary>
internal sealed class CampaignReservationRow
{
    public string ProgramId { get; set; } = "";
    public string TransactionId { get; set; } = "";
    public string RuleId { get; set; } = "";
    public long Points { get; set; }
}

/// <summary>One row per version of a programme's earning rule set; never updated.</summary>
internal sealed class RuleSetRow
{
    public string ProgramId { get; set; } = "";
    public string Version { get; set; } = "";
    public long EffectiveFrom { get; set; }
    public string Definition { get; set; } = "";
}

/// <summary>One row per version of one merchant's own earning rule set (a coalition partner's); never updated.</summary>
internal sealed class MerchantRuleSetRow
{
    public string ProgramId { get; set; } = "";
    public string MerchantId { get; set; } = "";
    public string Version { get; set; } = "";
    public long EffectiveFrom { get; set; }
    public string Definition { get; set; } = "";
}

/// <summary>One row per reward of a programme's catalogue; the catalogue is replaced as a whole.</summary>
internal sealed class RewardRow
{
    public string ProgramId { get; set; } = "";
    public string RewardId { get; set; } = "";
    public int Position { get; set; }
    public string Name { get; set; } = "";
    public int Kind { get; set; }
    public long Cost { get; set; }
    public decimal? AmountOff { get; set; }
    public string? Currency { get; set; }
    public decimal? Percentage { get; set; }
    public string? GiftSku { get; set; }
    public long? RatePoints { get; set; }
    public decimal? RateWorth { get; set; }
    public long? MinimumPoints { get; set; }
    public decimal? MaximumShareOfOrder { get; set; }
    public string? RequiredTier { get; set; }
    public long? Stock { get; set; }
    public long? ValidFrom { get; set; }
    public long? ValidUntil { get; set; }
    public decimal? CostToShop { get; set; }
    public string? CostToShopCurrency { get; set; }
    public int? CodeValidityDays { get; set; }
    public string? CodeValidThrough { get; set; }
    public int CodeUses { get; set; } = 1;
    public bool ReturnPointsOnExpiry { get; set; }
}

/// <summary>One row per unit of stock claimed: unit numbers run from 0 to the stock, so a unique key caps the claims.</summary>
internal sealed class StockClaimRow
{
    public string ProgramId { get; set; } = "";
    public string RewardId { get; set; } = "";
    public long Unit { get; set; }
    public string RedemptionId { get; set; } = "";
}

/// <summary>One row per redemption; updated once, when cancelled.</summary>
internal sealed class RedemptionRow
{
    public string ProgramId { get; set; } = "";
    public string RedemptionId { get; set; } = "";
    public string MemberId { get; set; } = "";
    public string RewardId { get; set; } = "";
    public string RewardName { get; set; } = "";
    public int Kind { get; set; }
    public string Benefit { get; set; } = "";
    public long PointsSpent { get; set; }
    public string Code { get; set; } = "";
    public long RedeemedAt { get; set; }
    public string LedgerTransactionId { get; set; } = "";
    public int Status { get; set; }
    public long? CancelledAt { get; set; }
}
