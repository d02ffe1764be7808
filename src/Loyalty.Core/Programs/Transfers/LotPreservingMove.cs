using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Transfers;
using NodaTime;
using static Loyalty.Core.Programs.ProgramResults;

namespace Loyalty.Core.Programs;

/// <summary>
/// Moves available points from one member to another, keeping their expiry: a redemption from the
/// giver, then one earn (available at once) per expiry of the giver's lots drawn, with that expiry.
/// Every write has an id derived from the caller's, so a retry moves nothing twice.
/// </summary>
internal sealed class LotPreservingMove(PointsLedger ledger, ILedgerStore ledgerStore, ProgramId programId)
{
    /// <summary>The debit's result (not succeeded: nothing moved) and, when it succeeded, the lots credited.</summary>
    public async Task<(LedgerResult Debit, IReadOnlyList<PointsTransferLeg> Legs)> MoveAsync(
        MemberId from, MemberId to, Points points, TransactionId debitId, Func<int, TransactionId> creditId, string what, CancellationToken cancellationToken)
    {
        var debit = await ledger.RedeemAsync(new RedeemPoints(debitId, from, points), cancellationToken).ConfigureAwait(false);
        if (!debit.Succeeded)
        {
            return (debit, []);
        }

        var legs = await LegsAsync(from, debit.Transaction!, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < legs.Count; i++)
        {
            var credit = await ledger.EarnAsync(
                new EarnPoints(creditId(i), to, legs[i].Points) { PendingPeriod = Duration.Zero, ExpiresAt = legs[i].ExpiresAt },
                cancellationToken).ConfigureAwait(false);
            if (!credit.Succeeded)
            {
                _ = FromLedger<PointsTransferRecord>(credit);
                throw new LoyaltyStoreException($"The ledger refused the credit of {what} to member '{to}': {credit.Error!.Message} Call it again with the same id to complete it.", isTransient: false);
            }
        }

        return (debit, legs);
    }

    /// <summary>Gives back a move that was made: takes the credits back from the receiver and puts the points back into the giver's lots.</summary>
    public async Task UndoAsync(MemberId from, MemberId to, TransactionId debitId, Points points, IReadOnlyList<PointsTransferLeg> legs, Func<int, TransactionId> creditId, Func<int, TransactionId> undoId, string reason, CancellationToken cancellationToken)
    {
        for (var i = 0; i < legs.Count; i++)
        {
            var taken = await ledger.ReverseAsync(new ReversePoints(undoId(i + 1), to, creditId(i), legs[i].Points) { Reason = reason }, cancellationToken).ConfigureAwait(false);
            Check(taken);
        }

        Check(await ledger.ReverseAsync(new ReversePoints(undoId(0), from, debitId, points) { Reason = reason }, cancellationToken).ConfigureAwait(false));

        static void Check(LedgerResult result)
        {
            if (!result.Succeeded)
            {
                _ = FromLedger<PointsTransferRecord>(result);
                throw new LoyaltyStoreException($"A move of points could not be given back: {result.Error!.Message}", isTransient: false);
            }
        }
    }

    /// <summary>The lots a debit drew from, as the receiver's lots: points per expiry, soonest first (no expiry last).</summary>
    private async Task<IReadOnlyList<PointsTransferLeg>> LegsAsync(MemberId from, LedgerTransactionRecord debit, CancellationToken cancellationToken)
    {
        var drawn = debit.Movements.Where(m => m.Delta < 0).ToList();
        var lots = await ledgerStore.GetLotsAsync(new LedgerAccountKey(programId, from), drawn.Select(m => m.LotId).Distinct().ToArray(), cancellationToken).ConfigureAwait(false);
        var expiry = lots.ToDictionary(l => l.LotId, l => l.ExpiresAt);
        var legs = drawn
            .GroupBy(m => expiry.GetValueOrDefault(m.LotId))
            .Select(g => new PointsTransferLeg(Points.FromInt64(-g.Sum(m => m.Delta)), g.Key))
            .OrderBy(l => l.ExpiresAt is null ? 1 : 0).ThenBy(l => l.ExpiresAt ?? Instant.MaxValue)
            .ToList();
        var total = legs.Sum(l => l.Points.Value);
        if (total != Math.Abs(debit.Amount))
        {
            throw new LoyaltyStoreException($"A debit of {Math.Abs(debit.Amount)} points drew {total} points from member '{from}''s lots; the ledger store is inconsistent.", isTransient: false);
        }

        return legs;
    }
}
