using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Coalition;

/// <summary>What a statement line counts. The numeric values are stable.</summary>
public enum SettlementLineKind
{
    /// <summary>Points earned by the partner's customers in its shop; billed to the partner (per point, or drawn from its prepaid blocks).</summary>
    Issued = 1,

    /// <summary>Points of earns at the partner taken back (refunds); credited back to the partner at the price they were billed at.</summary>
    IssuanceReversed = 2,

    /// <summary>Points spent in the partner's shop; reimbursed to the partner.</summary>
    Redeemed = 3,

    /// <summary>Redemptions in the partner's shop undone; the reimbursement is taken back.</summary>
    RedemptionReversed = 4,

    /// <summary>Points of the partner's lots that expired unspent (its breakage): no money moves, the operator keeps what the partner paid for them.</summary>
    Expired = 5,

    /// <summary>Manual adjustments recorded at the partner (net points); no money moves.</summary>
    Adjusted = 6,

    /// <summary>A prepaid block bought by the partner in the period; billed.</summary>
    PrepaidBlock = 7,

    /// <summary>Points a reversal could not take back from the member and wrote off (information: they stay outstanding).</summary>
    WrittenOff = 8,
}

/// <summary>
/// One line of a partner's statement: a kind of movement under one agreement version (and, for a
/// late reversal, the earlier period it corrects), with its points, the transactions it sums and
/// the money it moves.
/// </summary>
/// <remarks>Immutable. Amounts are in the statement's currency, rounded once per line.</remarks>
public sealed record SettlementLine
{
    /// <summary>What the line counts.</summary>
    public required SettlementLineKind Kind { get; init; }

    /// <summary>The agreement version that prices the line, or null for lines without money (expired, adjusted, written off) and prepaid blocks.</summary>
    public int? AgreementVersion { get; init; }

    /// <summary>The points: positive, the kind saying in which direction they move; for <see cref="SettlementLineKind.Adjusted"/> the net adjustment, signed.</summary>
    public required long Points { get; init; }

    /// <summary>The price per point applied (after the billing percentage for issuance), or 0.</summary>
    public decimal UnitPrice { get; init; }

    /// <summary>The money: positive when the partner owes it to the operator (billed), negative when the operator owes it to the partner.</summary>
    public decimal Amount { get; init; }

    /// <summary>The number of ledger transactions summed (the block count for a prepaid block line).</summary>
    public required int TransactionCount { get; init; }

    /// <summary>For an adjustment of an earlier period (a late reversal of an order or redemption of that period), that period; else null.</summary>
    public SettlementPeriod? Adjusts { get; init; }

    /// <summary>For a prepaid block line, the block's id.</summary>
    public string? BlockId { get; init; }

    /// <summary>True for a line that corrects an earlier period.</summary>
    public bool IsAdjustment => Adjusts is not null;
}

/// <summary>Points moved in a period, by kind.</summary>
/// <param name="Issued">Points earned.</param>
/// <param name="Reversed">Points of earns taken back.</param>
/// <param name="Redeemed">Points spent, net of reversed redemptions.</param>
/// <param name="Expired">Points of the party's own lots that expired.</param>
/// <param name="Adjusted">Net manual adjustments.</param>
/// <param name="WrittenOff">Points reversals could not take back (they stay outstanding).</param>
public readonly record struct SettlementPoints(long Issued, long Reversed, long Redeemed, long Expired, long Adjusted, long WrittenOff)
{
    /// <summary>The change of outstanding points these movements make: issued − reversed − redeemed − expired + adjusted.</summary>
    public long OutstandingChange => Issued - Reversed - Redeemed - Expired + Adjusted;

    /// <summary>Adds two sets of figures.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>The sums.</returns>
    public static SettlementPoints operator +(SettlementPoints left, SettlementPoints right) => new(
        checked(left.Issued + right.Issued), checked(left.Reversed + right.Reversed), checked(left.Redeemed + right.Redeemed),
        checked(left.Expired + right.Expired), checked(left.Adjusted + right.Adjusted), checked(left.WrittenOff + right.WrittenOff));

    /// <summary>Adds two sets of figures.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>The sums.</returns>
    public static SettlementPoints Add(SettlementPoints left, SettlementPoints right) => left + right;
}

/// <summary>
/// A partner's statement for one period: the points issued, reversed, redeemed and expired (its
/// own lots), the amounts billed and reimbursed, and the net amount due either way, line by line.
/// </summary>
/// <remarks>Immutable.</remarks>
public sealed record SettlementStatement
{
    /// <summary>The partner.</summary>
    public required MerchantId Merchant { get; init; }

    /// <summary>The partner's name.</summary>
    public required string PartnerName { get; init; }

    /// <summary>The currency of every amount.</summary>
    public required Currency Currency { get; init; }

    /// <summary>The period.</summary>
    public required SettlementPeriod Period { get; init; }

    /// <summary>The points, by kind.</summary>
    public required SettlementPoints Points { get; init; }

    /// <summary>The lines, in a stable order (kind, adjusted period, agreement version, block).</summary>
    public required IReadOnlyList<SettlementLine> Lines { get; init; }

    /// <summary>What the partner is billed: issuance and prepaid blocks, net of reversed issuance.</summary>
    public decimal Billed { get; init; }

    /// <summary>What the partner is reimbursed for points spent in its shop, net of reversed redemptions.</summary>
    public decimal Reimbursed { get; init; }

    /// <summary>The net amount due: positive when the partner pays the operator, negative when the operator pays the partner.</summary>
    public decimal NetDue => Billed - Reimbursed;

    /// <summary>Equality by content (lines compared in order).</summary>
    /// <param name="other">The other statement.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(SettlementStatement? other) => other is not null
        && Merchant == other.Merchant && PartnerName == other.PartnerName && Currency == other.Currency && Period == other.Period
        && Points == other.Points && Billed == other.Billed && Reimbursed == other.Reimbursed && Lines.SequenceEqual(other.Lines);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Merchant, Period, Points, Billed, Reimbursed, Lines.Count);
}

/// <summary>
/// The reconciliation of a period: the points of every partner's statement and of the programme's
/// own shop add up to the change of outstanding points (lot points minus debt over every account,
/// summed from the ledger's lot movements), and the money billed minus reimbursed is the operator's
/// margin, per currency.
/// </summary>
/// <param name="Partners">The sum of the partners' points.</param>
/// <param name="Operator">The points of transactions recorded without a merchant (the programme's own shop, and expiry of its own lots).</param>
/// <param name="OutstandingChange">The change of outstanding points in the period, from the lot movements and debt changes of its transactions.</param>
/// <param name="Margin">Per currency: billed minus reimbursed over every statement.</param>
public sealed record SettlementReconciliation(SettlementPoints Partners, SettlementPoints Operator, long OutstandingChange, IReadOnlyList<Money> Margin)
{
    /// <summary>Whether the partners' and operator's points add up to the change of outstanding points.</summary>
    public bool PointsBalance => checked(Partners.OutstandingChange + Operator.OutstandingChange) == OutstandingChange;

    /// <summary>Equality by content.</summary>
    /// <param name="other">The other reconciliation.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(SettlementReconciliation? other) => other is not null
        && Partners == other.Partners && Operator == other.Operator && OutstandingChange == other.OutstandingChange && Margin.SequenceEqual(other.Margin);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Partners, Operator, OutstandingChange, Margin.Count);
}

/// <summary>Whether a settlement run may still change.</summary>
public enum SettlementStatus
{
    /// <summary>Computed from the ledger as it is; running the period again recomputes it.</summary>
    Draft = 1,

    /// <summary>Closed: never recomputed; later corrections land in the next open period as adjustment lines.</summary>
    Closed = 2,
}

/// <summary>The settlement of one period: a statement per partner and the reconciliation.</summary>
/// <remarks>Immutable.</remarks>
public sealed record SettlementRun
{
    /// <summary>The period.</summary>
    public required SettlementPeriod Period { get; init; }

    /// <summary>Draft or closed.</summary>
    public required SettlementStatus Status { get; init; }

    /// <summary>When it was closed, or null for a draft.</summary>
    public Instant? ClosedAt { get; init; }

    /// <summary>One statement per partner registered by the period's end, ordered by merchant id.</summary>
    public required IReadOnlyList<SettlementStatement> Statements { get; init; }

    /// <summary>The reconciliation.</summary>
    public required SettlementReconciliation Reconciliation { get; init; }

    /// <summary>The number of ledger transactions the run read.</summary>
    public required long TransactionCount { get; init; }

    /// <summary>
    /// For a closed run, the ids of the ledger transactions it counted, in ordinal order: those
    /// recorded in its period and the late transactions of earlier closed periods it lands as
    /// adjustments (empty for a draft). The watermark later settlements compare a closed period
    /// against: a transaction recorded in a closed period that no closed run counted was committed
    /// after the close.
    /// </summary>
    public IReadOnlyList<TransactionId> Included { get; init; } = [];

    /// <summary>The statement of a partner.</summary>
    /// <param name="merchant">The partner.</param>
    /// <returns>The statement.</returns>
    /// <exception cref="KeyNotFoundException">The run has no statement for that partner.</exception>
    public SettlementStatement StatementOf(MerchantId merchant) =>
        Statements.FirstOrDefault(s => s.Merchant == merchant)
        ?? throw new KeyNotFoundException($"The settlement of {Period} has no statement for merchant '{merchant}'; it lists the partners registered by the period's end.");

    /// <summary>Equality by content (statements compared in order).</summary>
    /// <param name="other">The other run.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(SettlementRun? other) => other is not null
        && Period == other.Period && Status == other.Status && ClosedAt == other.ClosedAt && TransactionCount == other.TransactionCount
        && Included.SequenceEqual(other.Included)
        && Reconciliation.Equals(other.Reconciliation) && Statements.SequenceEqual(other.Statements);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Period, Status, TransactionCount, Statements.Count);
}
