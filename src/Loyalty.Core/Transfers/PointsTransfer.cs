using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Transfers;

/// <summary>A member giving points to another member (a gift to a friend).</summary>
/// <param name="Id">The shop's id for the transfer, also its idempotency key.</param>
/// <param name="From">The member giving the points.</param>
/// <param name="To">The member receiving them.</param>
/// <param name="Points">The points, greater than 0.</param>
/// <remarks>Immutable. Transferring again with the same id and content is a repeat.</remarks>
public sealed record PointsTransfer(TransferId Id, MemberId From, MemberId To, Points Points)
{
    /// <summary>A message for the recipient (at most 280 characters), or null.</summary>
    public string? Message { get; init; }
}

/// <summary>The state of a transfer record.</summary>
/// <remarks>The numeric values are stable and may be persisted.</remarks>
public enum PointsTransferStatus
{
    /// <summary>Counted against the sender's allowance; its ledger writes are being made (a retry with the same id completes them).</summary>
    Pending = 1,

    /// <summary>Both ledgers written.</summary>
    Completed = 2,
}

/// <summary>One lot the recipient received: points with the expiry of the sender's lot they came from.</summary>
/// <param name="Points">The points.</param>
/// <param name="ExpiresAt">Their expiry (the sender's lot's), or null when that lot had none (the recipient's lot then follows the programme's expiry policy).</param>
public sealed record PointsTransferLeg(Points Points, Instant? ExpiresAt);

/// <summary>A transfer as recorded: who gave what to whom, when, and the lots received. Also the persisted record.</summary>
/// <remarks>Immutable. A retried transfer returns the same record.</remarks>
public sealed record PointsTransferRecord
{
    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The transfer's id.</summary>
    public required TransferId Id { get; init; }

    /// <summary>The member who gave the points.</summary>
    public required MemberId From { get; init; }

    /// <summary>The member who received them.</summary>
    public required MemberId To { get; init; }

    /// <summary>The points.</summary>
    public required Points Points { get; init; }

    /// <summary>The message for the recipient, or null.</summary>
    public string? Message { get; init; }

    /// <summary>When the transfer was made (the instant its period is counted from).</summary>
    public required Instant TransferredAt { get; init; }

    /// <summary>Pending while its ledger writes are made; completed after.</summary>
    public PointsTransferStatus Status { get; init; } = PointsTransferStatus.Pending;

    /// <summary>The lots received, soonest expiry first; empty while pending.</summary>
    public IReadOnlyList<PointsTransferLeg> Legs { get; init; } = [];

    /// <summary>The transfer in one line, e.g. <c>gift-1: 200 points from alice to bob</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Id}: {Points} points from {From} to {To}" + (Status == PointsTransferStatus.Pending ? " (pending)" : string.Empty);
}
