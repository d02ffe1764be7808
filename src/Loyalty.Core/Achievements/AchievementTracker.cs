using System.Security.Cryptography;
using System.Text;
using Loyalty.Core.Configuration;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Achievements;

/// <summary>
/// Moves achievements forward from inside the programme's writes: the order, refund or activity and the
/// member's achievements (and any unlock bonus or revocation) are one unit of work. Registered by
/// <c>AddAchievements()</c>; the programme calls it when one is registered.
/// </summary>
internal sealed class AchievementTracker
{
    private readonly IAchievementStore store;
    private readonly PointsLedger ledger;
    private readonly ProgramId programId;
    private readonly DateTimeZone zone;

    public AchievementTracker(AchievementSet set, IAchievementStore store, PointsLedger ledger, ProgramSettings settings)
    {
        Set = set;
        this.store = store;
        this.ledger = ledger;
        programId = settings.ProgramId;
        zone = settings.TimeZone;
    }

    public AchievementSet Set { get; }

    /// <summary>Counts a newly written order; nothing to do (no store call) when no achievement counts orders.</summary>
    public ValueTask OnOrderAsync(OrderRecord record, CancellationToken cancellationToken) =>
        Set.CountsOrders ? ApplyAsync(record.MemberId, s => AchievementEngine.ApplyOrder(Set, s, record.Order, zone), cancellationToken) : default;

    /// <summary>Counts a newly written activity.</summary>
    public ValueTask OnActivityAsync(ActivityRecord record, CancellationToken cancellationToken) =>
        ApplyAsync(record.MemberId, s => AchievementEngine.ApplyActivity(Set, s, record.ActivityId, record.Activity, zone), cancellationToken);

    /// <summary>Takes back what a newly written refund undoes, under the set's refund policy.</summary>
    public ValueTask OnRefundAsync(OrderRecord order, RefundRecord refund, IReadOnlyList<RefundRecord> previous, CancellationToken cancellationToken)
    {
        if (!Set.CountsOrders)
        {
            return default;
        }

        var refunded = refund.Amount.Amount;
        var fully = previous.Sum(p => p.Amount.Amount) + refunded >= order.Order.NetSubtotal;
        return ApplyAsync(order.MemberId, s => AchievementEngine.ApplyRefund(Set, s, order.Order, refunded, fully, refund.RefundedAt, zone), cancellationToken);
    }

    /// <summary>The member's achievements as of an instant.</summary>
    public async Task<IReadOnlyList<AchievementStatus>> StatusAsync(MemberId memberId, Instant asOf, CancellationToken cancellationToken)
    {
        if (Set.Definitions.Count == 0)
        {
            return [];
        }

        var state = await store.GetAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        return AchievementEngine.Status(Set, state, zone, asOf);
    }

    private async ValueTask ApplyAsync(MemberId memberId, Func<MemberAchievements, AchievementChange?> change, CancellationToken cancellationToken)
    {
        var written = await store.UpdateAsync(programId, memberId, change, cancellationToken).ConfigureAwait(false);
        if (written is null || (written.Unlocked.Count == 0 && written.Revoked.Count == 0))
        {
            return;
        }

        foreach (var unlock in written.Unlocked)
        {
            if (unlock.BonusTransaction is { } id)
            {
                Check(await ledger.EarnAsync(new EarnPoints(id, memberId, Points.FromInt64(unlock.BonusPoints)) { PendingPeriod = Duration.Zero }, cancellationToken).ConfigureAwait(false), unlock);
            }
        }

        foreach (var revoked in written.Revoked)
        {
            if (revoked.BonusTransaction is { } original)
            {
                var reversal = new ReversePoints(RevocationOf(original), memberId, original, Points.FromInt64(revoked.BonusPoints)) { Reason = $"achievement '{revoked.AchievementId}' revoked by a refund" };
                Check(await ledger.ReverseAsync(reversal, cancellationToken).ConfigureAwait(false), revoked);
            }
        }
    }

    private static TransactionId RevocationOf(TransactionId original)
    {
        var text = "revoke:" + original.Value;
        return TransactionId.From(text.Length <= Identifier.MaxLength ? text : "revoke:#" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(original.Value))).ToLowerInvariant());
    }

    private static void Check(LedgerResult result, AchievementUnlock unlock)
    {
        if (!result.Succeeded)
        {
            // Nothing of the call is kept where the stores share a transaction; a retry of the call completes it.
            throw new LoyaltyStoreException($"The bonus of achievement '{unlock.AchievementId}' could not be written to the ledger ({result.Error}); retry the call.", isTransient: true);
        }
    }
}
