using Loyalty.Core.Configuration;
using Loyalty.Core.Earning;
using Loyalty.Core.Internal;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Referrals;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Programs;

/// <summary>
/// Completes the steps that interrupted calls left undone, so recovery never depends on the caller
/// retrying; maintenance runs it per partition at the start of each scope.
/// </summary>
internal sealed class PendingStepsRecovery
{
    private readonly ProgramContext program;
    private readonly PointsLedger ledger;
    private readonly IMemberStore members;
    private readonly ReferralPolicy referral;
    private readonly LoyaltyMetrics metrics;
    private readonly ProgramId programId;
    private readonly Enrolments enrolments;
    private readonly CampaignBudgets campaigns;
    private readonly RefundRecorder refunds;
    private readonly ActivityRecorder activities;

    /// <summary>Creates the capability over the programme's shared context (the facade does this).</summary>
    public PendingStepsRecovery(ProgramContext program, Enrolments enrolments, CampaignBudgets campaigns, RefundRecorder refunds, ActivityRecorder activities)
    {
        this.refunds = refunds;
        this.activities = activities;
        this.program = program;
        ledger = program.Ledger;
        members = program.Members;
        referral = program.Settings.Referral;
        metrics = program.Metrics;
        programId = program.ProgramId;
        this.enrolments = enrolments;
        this.campaigns = campaigns;
    }

    /// <summary>How many recorded orders the recovery reads at once.</summary>
    private const int PendingPageSize = 500;

    /// <summary>How long a call has to finish its own steps before the recovery completes them.</summary>
    internal static readonly Duration PendingGracePeriod = Duration.FromMinutes(5);

    /// <summary>How far back the recovery looks for interrupted calls (a week of missed nightly runs).</summary>
    internal static readonly Duration PendingLookBack = Duration.FromDays(7);

    /// <summary>
    /// Completes the steps that interrupted calls left undone, so recovery never depends on the
    /// caller retrying: every order recorded between <see cref="PendingLookBack"/> and
    /// <see cref="PendingGracePeriod"/> before <paramref name="asOf"/> gets its budget settlement, its
    /// points (when the ledger has no transaction for it) and its referral bonuses, each step
    /// idempotent. The order record written with the member's state is the record of the pending
    /// steps: nothing extra is written on the order path.
    /// </summary>
    /// <param name="asOf">The instant of the run.</param>
    /// <param name="partition">The members whose orders this run completes (the maintenance worker's partition).</param>
    /// <param name="cancellationToken">Cancels the run between orders.</param>
    /// <returns>The orders checked and those completed.</returns>
    internal async Task<(int Checked, int Completed, int ReservationsReleased, int StockClaimsReleased, int RedemptionsCompleted)> CompletePendingAsync(Instant asOf, MemberPartition partition, CancellationToken cancellationToken)
    {
        var (seen, completed) = await CompletePendingOrdersAsync(asOf, partition, cancellationToken).ConfigureAwait(false);
        var released = await SweepReservationsAsync(asOf, partition, cancellationToken).ConfigureAwait(false);
        var (claimsReleased, redemptionsCompleted) = await SweepStockClaimsAsync(asOf, partition, cancellationToken).ConfigureAwait(false);
        return (seen, completed, released, claimsReleased, redemptionsCompleted);
    }

    /// <summary>Completes an interrupted redemption by calling it again with its id (the redemption path is idempotent by id).</summary>
    public Func<MemberId, RewardId, RedemptionId, CancellationToken, Task<LoyaltyResult<Rewards.RewardRedemption>>>? CompleteRedemption { get; init; }

    /// <summary>
    /// With a catalogue store that records its stock claims (<see cref="IStockClaimRecovery"/>): every
    /// claim of the partition's members made more than <see cref="PendingGracePeriod"/> before
    /// <paramref name="asOf"/> whose redemption record was never written is either completed, when the
    /// redemption's points were spent (the call is made again with the same redemption id, which writes
    /// the missing record), or given back to the stock, when they were not (nothing was paid).
    /// </summary>
    /// <returns>The units given back and the redemptions completed.</returns>
    internal async Task<(int Released, int Completed)> SweepStockClaimsAsync(Instant asOf, MemberPartition partition, CancellationToken cancellationToken)
    {
        if (program.Rewards is not IStockClaimRecovery recorded)
        {
            return (0, 0);
        }

        int released = 0, completed = 0;
        RedemptionId? after = null;
        while (true)
        {
            var page = await recorded.ListClaimsWithoutRedemptionAsync(programId, asOf - PendingGracePeriod, after, PendingPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var claim in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!partition.Contains(claim.MemberId))
                {
                    continue; // another worker's member
                }

                if (await ledger.FindTransactionAsync(DerivedIds.Redemption(claim.RedemptionId), cancellationToken).ConfigureAwait(false) is not null)
                {
                    if (CompleteRedemption is not null
                        && (await CompleteRedemption(claim.MemberId, claim.RewardId, claim.RedemptionId, cancellationToken).ConfigureAwait(false)).Succeeded)
                    {
                        completed++;
                    }

                    continue;
                }

                if (await program.Rewards.GetRedemptionAsync(programId, claim.RedemptionId, cancellationToken).ConfigureAwait(false) is null
                    && await program.Rewards.ReturnStockAsync(programId, claim.RewardId, claim.RedemptionId, cancellationToken).ConfigureAwait(false))
                {
                    released++;
                }
            }

            if (page.Count < PendingPageSize)
            {
                return (released, completed);
            }

            after = page[^1].RedemptionId;
        }
    }

    /// <summary>
    /// With a budget store that records reservations (<see cref="ICampaignReservationRecovery"/>): every
    /// reservation of the partition's members first made more than <see cref="PendingGracePeriod"/>
    /// before <paramref name="asOf"/> and never settled is settled to what its written order or activity
    /// awarded (found in the member's history by its ledger transaction) or, when none was written (the
    /// call was interrupted, or gave up after its conflicts), given back to the budget in full.
    /// </summary>
    /// <returns>The reservations given back (those of calls that never wrote their record).</returns>
    internal async Task<int> SweepReservationsAsync(Instant asOf, MemberPartition partition, CancellationToken cancellationToken)
    {
        if (program.Budgets is not ICampaignReservationRecovery recorded)
        {
            return 0;
        }

        var released = 0;
        UnsettledReservation? after = null;
        while (true)
        {
            var page = await recorded.ListUnsettledAsync(programId, asOf - PendingGracePeriod, after, PendingPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var reservation in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!partition.Contains(reservation.MemberId))
                {
                    continue; // another worker's member
                }

                var history = await members.GetHistoryAsync(programId, reservation.MemberId, cancellationToken).ConfigureAwait(false);
                var orderOf = history.Orders.FirstOrDefault(o => o.TransactionId == reservation.Key);
                var activityOf = orderOf is null ? history.Activities.FirstOrDefault(a => a.TransactionId == reservation.Key) : null;
                var earning = orderOf?.Earning ?? activityOf?.Earning;
                if (earning is not null)
                {
                    var ruleSet = await program.RulesOfAsync(earning, orderOf?.Order.Store ?? activityOf?.Activity.Merchant, cancellationToken).ConfigureAwait(false);
                    await campaigns.SettleBudgetsAsync(ruleSet, reservation.Key, earning, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await program.Budgets.SettleAsync(programId, reservation.Key, [], cancellationToken).ConfigureAwait(false);
                    released++;
                }
            }

            if (page.Count < PendingPageSize)
            {
                return released;
            }

            after = page[^1];
        }
    }

    private async Task<(int Checked, int Completed)> CompletePendingOrdersAsync(Instant asOf, MemberPartition partition, CancellationToken cancellationToken)
    {
        var until = asOf - PendingGracePeriod;
        var from = asOf - PendingLookBack;
        (Instant, OrderId)? after = null;
        int seen = 0, completed = 0;
        while (true)
        {
            var page = await members.ListOrdersRecordedAsync(programId, from, until, after, PendingPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var order in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!partition.Contains(order.MemberId))
                {
                    continue; // another worker's member
                }

                seen++;
                var ruleSet = await program.RulesOfAsync(order.Earning, order.Order.Store, cancellationToken).ConfigureAwait(false);
                await campaigns.SettleBudgetsAsync(ruleSet, order.TransactionId, order.Earning, cancellationToken).ConfigureAwait(false);
                var repaired = false;
                if (order.Earning.Total.IsPositive && await ledger.FindTransactionAsync(order.TransactionId, cancellationToken).ConfigureAwait(false) is null)
                {
                    var earned = await ledger.EarnAsync(program.OrderEarn(order), cancellationToken).ConfigureAwait(false);
                    if (earned.Succeeded && !earned.IsRepeat)
                    {
                        metrics.Earned(order.Earning.Total);
                        repaired = true;
                    }
                }

                // A referral marked completed with the order gets its bonuses (each idempotent).
                if (await members.GetMemberAsync(programId, order.MemberId, cancellationToken).ConfigureAwait(false) is { ReferralCompletedBy: { } by } member && by == order.OrderId)
                {
                    repaired |= await ReferralBonusesMissingAsync(order, cancellationToken).ConfigureAwait(false);
                    await enrolments.CompleteReferralAsync(order, member, cancellationToken).ConfigureAwait(false);
                }

                completed += repaired ? 1 : 0;
            }

            if (page.Count < PendingPageSize)
            {
                return (seen, completed);
            }

            after = (page[^1].RecordedAt, page[^1].OrderId);
        }
    }

    /// <summary>Whether the referee's bonus of a completed referral is missing from the ledger.</summary>
    private async Task<bool> ReferralBonusesMissingAsync(OrderRecord order, CancellationToken cancellationToken) =>
        referral.RefereePoints > 0 && await ledger.FindTransactionAsync(DerivedIds.RefereeBonus(order.MemberId), cancellationToken).ConfigureAwait(false) is null;

    /// <summary>
    /// Completes the refunds and activities of one maintenance page whose calls were interrupted
    /// after their record was written (with the member's state) but before their ledger transaction:
    /// every refund or activity recorded between <see cref="PendingLookBack"/> and
    /// <see cref="PendingGracePeriod"/> before <paramref name="asOf"/> whose transaction the ledger
    /// does not have gets it now (a refund's reversal, after its order's earn; an activity's budget
    /// settlement and earn), each step idempotent. The record written with the member's state is the
    /// record of the pending steps; the histories come with the page, so this reads nothing more
    /// than one ledger look-up per recent refund or activity.
    /// </summary>
    /// <param name="page">The page of members, with their histories.</param>
    /// <param name="asOf">The instant of the run.</param>
    /// <param name="cancellationToken">Cancels the run between records.</param>
    /// <returns>The refunds and activities completed.</returns>
    internal async Task<(int Refunds, int Activities)> CompletePageAsync(IReadOnlyList<MemberPageEntry> page, Instant asOf, CancellationToken cancellationToken)
    {
        var until = asOf - PendingGracePeriod;
        var from = asOf - PendingLookBack;
        int refundsCompleted = 0, activitiesCompleted = 0;
        foreach (var entry in page)
        {
            foreach (var refund in entry.History.Refunds)
            {
                if (refund.TransactionId is not { } id || refund.RecordedAt < from || refund.RecordedAt >= until
                    || await ledger.FindTransactionAsync(id, cancellationToken).ConfigureAwait(false) is not null)
                {
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                var completed = await refunds.CompleteRefundAsync(refund, null, cancellationToken).ConfigureAwait(false);
                refundsCompleted += completed.Succeeded ? 1 : 0;
            }

            foreach (var activity in entry.History.Activities)
            {
                if (activity.TransactionId is not { } id || activity.RecordedAt < from || activity.RecordedAt >= until
                    || await ledger.FindTransactionAsync(id, cancellationToken).ConfigureAwait(false) is not null)
                {
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                var completed = await activities.CompleteActivityAsync(activity, isRepeat: true, cancellationToken).ConfigureAwait(false);
                if (completed.Succeeded)
                {
                    activitiesCompleted++;
                }
            }
        }

        return (refundsCompleted, activitiesCompleted);
    }
}
