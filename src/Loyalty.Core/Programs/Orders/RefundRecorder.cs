using System.Globalization;
using Loyalty.Core.Earning;
using Loyalty.Core.Internal;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using NodaTime;
using static Loyalty.Core.Programs.ProgramResults;

namespace Loyalty.Core.Programs;

/// <summary>
/// Records refunds of recorded orders: what the refunded part earned is computed from the order's
/// own earning, written with the member's next state, then reversed in the ledger.
/// </summary>
internal sealed class RefundRecorder
{
    private readonly ProgramContext program;
    private readonly IClock clock;
    private readonly PointsLedger ledger;
    private readonly IMemberStore members;
    private readonly MemberStateKeeper keeper;
    private readonly LoyaltyMetrics metrics;
    private readonly ProgramId programId;
    private readonly Currency currency;

    /// <summary>Creates the capability over the programme's shared context (the facade does this).</summary>
    public RefundRecorder(ProgramContext program)
    {
        this.program = program;
        clock = program.Clock;
        ledger = program.Ledger;
        members = program.Members;
        keeper = program.Keeper;
        metrics = program.Metrics;
        programId = program.ProgramId;
        currency = program.Currency;
    }

    /// <summary>The work behind <see cref="LoyaltyProgram.RecordRefundAsync"/>.</summary>
    public async Task<LoyaltyResult<RefundReceipt>> RecordRefundAsync(RefundRequest refund, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(refund);
        Preconditions.CheckNotDefault(refund.RefundId.IsDefault, nameof(RefundId), nameof(refund));
        Preconditions.CheckNotDefault(refund.OrderId.IsDefault, nameof(OrderId), nameof(refund));
        Preconditions.CheckNotNull(refund.Refund, nameof(refund));
        var refundedAt = refund.RefundedAt ?? clock.GetCurrentInstant();

        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            var existing = await members.GetRefundAsync(programId, refund.RefundId, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                var same = refund.RefundedAt is null
                    ? existing.Fingerprint == Fingerprint.Of(refund, existing.RefundedAt)
                    : existing.Fingerprint == Fingerprint.Of(refund, refundedAt);
                return same
                    ? await CompleteRefundAsync(existing, null, cancellationToken).ConfigureAwait(false)
                    : Conflict<RefundReceipt>($"Refund '{refund.RefundId}' was recorded with other content; use a new refund id for another refund.", RefundDifference(existing, refund, refundedAt));
            }

            var order = await members.GetOrderAsync(programId, refund.OrderId, cancellationToken).ConfigureAwait(false);
            if (order is null)
            {
                return LoyaltyResult<RefundReceipt>.Failure(LoyaltyErrorCode.OrderNotFound, $"Order '{refund.OrderId}' was never recorded; record it before refunding it.");
            }

            var previous = await members.ListRefundsAsync(programId, refund.OrderId, cancellationToken).ConfigureAwait(false);
            if (RefundExcess(order.Order, previous, refund.Refund) is { } excess)
            {
                return LoyaltyResult<RefundReceipt>.Failure(LoyaltyErrorCode.RefundExceedsOrder, excess);
            }

            var member = await members.GetMemberAsync(programId, order.MemberId, cancellationToken).ConfigureAwait(false);
            if (member is null)
            {
                return NotEnrolled<RefundReceipt>(order.MemberId);
            }

            var result = EarningEngine.Instance.ComputeRefund(order.Order, order.Earning, previous.Select(p => p.Refund).ToArray(), refund.Refund);
            var record = new RefundRecord
            {
                ProgramId = programId,
                MemberId = order.MemberId,
                RefundId = refund.RefundId,
                OrderId = refund.OrderId,
                Fingerprint = Fingerprint.Of(refund, refundedAt),
                Refund = refund.Refund,
                Result = result,
                Amount = Money.FromDecimal(RefundedValue(order.Order, refund.Refund), currency),
                RefundedAt = refundedAt,
                TransactionId = result.Total.IsPositive && order.Earning.Total.IsPositive ? DerivedIds.Refund(refund.RefundId) : null,
                RecordedAt = clock.GetCurrentInstant(),
            };
            var now = record.RecordedAt;
            var (state, history) = await program.StateAsync(member, rebuild: attempt >= 2, now, cancellationToken).ConfigureAwait(false);
            var next = keeper.WithRefund(member, state, record, order.Order.Store, now, out var evaluated)
                ?? await program.ReplayWithAsync(member, state, history, h => h with { Refunds = [.. h.Refunds, record] }, now, cancellationToken).ConfigureAwait(false);
            var (written, tier) = await program.PooledAsync(member, program.Advance(member, next, now, evaluated), history, h => h with { Refunds = [.. h.Refunds, record] }, now, cancellationToken).ConfigureAwait(false);
            var count = previous.Count;

            // The refund with the member's state and its reversal are one unit of work (see RecordOrderAsync).
            var (status, receipt) = await program.AtomicallyAsync(
                async ct =>
                {
                    var added = await members.AddRefundWithStateAsync(record, count, written, ct).ConfigureAwait(false);
                    if (added.Status == RefundAddStatus.Added && program.Achievements is { } achievements)
                    {
                        await achievements.OnRefundAsync(order, record, previous, ct).ConfigureAwait(false);
                    }

                    return added.Status == RefundAddStatus.Added
                        ? (added.Status, await CompleteRefundAsync(record, tier, ct).ConfigureAwait(false))
                        : (added.Status, null);
                },
                cancellationToken).ConfigureAwait(false);
            if (receipt is not null)
            {
                return receipt;
            }

            if (status != RefundAddStatus.Exists)
            {
                // Another refund of the order, or another write for the member, landed meanwhile: recompute from the new state.
                await PauseAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }

        throw new LoyaltyStoreException($"Refund '{refund.RefundId}' could not be written after {MaxUpdateAttempts} attempts because other refunds of order '{refund.OrderId}' kept being written; retry it.", isTransient: true);
    }

    internal async Task<LoyaltyResult<RefundReceipt>> CompleteRefundAsync(RefundRecord record, TierEvaluation? tier, CancellationToken cancellationToken)
    {
        var isRepeat = tier is null;
        var order = await members.GetOrderAsync(programId, record.OrderId, cancellationToken).ConfigureAwait(false);
        if (order is null)
        {
            return LoyaltyResult<RefundReceipt>.Failure(LoyaltyErrorCode.OrderNotFound, $"Refund '{record.RefundId}' names order '{record.OrderId}', which is no longer in the member store; restore the order's record before completing the refund.");
        }

        long applied = 0, writtenOff = 0, debt = 0;
        if (record.TransactionId is { } transactionId)
        {
            // The order's own earn may be missing if its recording was interrupted; it is written
            // (idempotently) first, so that the reversal always has something to reverse.
            var earned = await ledger.EarnAsync(program.OrderEarn(order), cancellationToken).ConfigureAwait(false);
            if (!earned.Succeeded)
            {
                return FromLedger<RefundReceipt>(earned);
            }

            if (!earned.IsRepeat)
            {
                metrics.Earned(order.Earning.Total);
            }

            var reversed = await ledger.ReverseAsync(
                new ReversePoints(transactionId, record.MemberId, order.TransactionId, record.Result.Total) { Reason = $"refund {record.RefundId} of order {record.OrderId}" },
                cancellationToken).ConfigureAwait(false);
            if (!reversed.Succeeded)
            {
                return FromLedger<RefundReceipt>(reversed);
            }

            applied = reversed.Transaction!.Applied;
            writtenOff = reversed.Transaction.WrittenOff;
            debt = Math.Max(0, reversed.Transaction.DebtChange);
        }

        if (tier is null && await members.GetMemberAsync(programId, record.MemberId, cancellationToken).ConfigureAwait(false) is { } member)
        {
            var now = clock.GetCurrentInstant();
            var (state, history) = await program.StateAsync(member, rebuild: false, now, cancellationToken).ConfigureAwait(false);
            tier = await program.TierAsync(member, state, history, now, cancellationToken).ConfigureAwait(false);
        }

        return LoyaltyResult<RefundReceipt>.Success(
            new RefundReceipt
            {
                RefundId = record.RefundId,
                OrderId = record.OrderId,
                MemberId = record.MemberId,
                Amount = record.Amount,
                PointsReversed = record.Result.Total,
                PointsTakenBack = Points.FromInt64(applied),
                PointsWrittenOff = Points.FromInt64(writtenOff),
                DebtAdded = Points.FromInt64(debt),
                IsFullRefund = record.Result.IsFullRefund,
                Tier = tier?.Tier.Id ?? program.Tiers.EntryTier.Id,
                Rules = record.Result.Rules,
            },
            isRepeat);
    }

    private static string RefundDifference(RefundRecord stored, RefundRequest incoming, Instant refundedAt) =>
        stored.OrderId != incoming.OrderId ? "OrderId"
        : incoming.RefundedAt is not null && stored.RefundedAt != refundedAt ? "RefundedAt"
        : stored.Refund.Lines.Count != incoming.Refund.Lines.Count || !stored.Refund.Lines.SequenceEqual(incoming.Refund.Lines) ? "Refund.Lines"
        : "Refund.Amount";

    private static decimal RefundedValue(EarningOrder order, OrderRefund refund)
    {
        if (refund.Lines.Count == 0)
        {
            return refund.Amount;
        }

        decimal total = 0m;
        foreach (var line in refund.Lines)
        {
            if (line.LineIndex >= order.Lines.Count)
            {
                throw new ArgumentException($"Refund line {line.LineIndex} does not exist; order '{order.Id}' has {order.Lines.Count} lines (0 to {order.Lines.Count - 1}).", nameof(refund));
            }

            var ordered = order.Lines[line.LineIndex];
            total += ordered.NetAmount * line.Quantity / ordered.Quantity;
        }

        return total;
    }

    private static string? RefundExcess(EarningOrder order, IReadOnlyList<RefundRecord> previous, OrderRefund refund)
    {
        var value = RefundedValue(order, refund);
        if (refund.Lines.Count > 0)
        {
            foreach (var group in refund.Lines.GroupBy(l => l.LineIndex))
            {
                var before = previous.SelectMany(p => p.Refund.Lines).Where(l => l.LineIndex == group.Key).Sum(l => l.Quantity);
                var ordered = order.Lines[group.Key].Quantity;
                if (before + group.Sum(l => l.Quantity) > ordered)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"Line {group.Key} of order '{order.Id}' has {ordered} units, {before} already refunded; {group.Sum(l => l.Quantity)} more cannot be refunded.");
                }
            }
        }

        var refunded = previous.Sum(p => p.Amount.Amount);
        if (refunded + value > order.NetSubtotal)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Order '{order.Id}' has a net subtotal of {order.NetSubtotal:0.00##} with {refunded:0.00##} already refunded; {value:0.00##} more cannot be refunded.");
        }

        return null;
    }
}
