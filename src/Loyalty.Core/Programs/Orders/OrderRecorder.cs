using System.Globalization;
using Loyalty.Core.Earning;
using Loyalty.Core.Internal;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Referrals;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using NodaTime;
using static Loyalty.Core.Programs.ProgramResults;

namespace Loyalty.Core.Programs;

/// <summary>
/// Records orders: evaluation from the member's kept state, one write of the order with the
/// member's next state, then the ledger's earn, the budget settlement and the referral it completes.
/// Every step after the first write is idempotent and completed by a retry or by maintenance.
/// </summary>
internal sealed class OrderRecorder
{
    private readonly ProgramContext program;
    private readonly IClock clock;
    private readonly PointsLedger ledger;
    private readonly IMemberStore members;
    private readonly IRewardCatalogStore rewards;
    private readonly ILedgerStore ledgerStore;
    private readonly ReferralPolicy referral;
    private readonly MemberStateKeeper keeper;
    private readonly LoyaltyMetrics metrics;
    private readonly ProgramId programId;
    private readonly Currency currency;
    private readonly Enrolments enrolments;
    private readonly RewardDesk rewardDesk;
    private readonly CampaignBudgets campaigns;

    /// <summary>Creates the capability over the programme's shared context (the facade does this).</summary>
    public OrderRecorder(ProgramContext program, Enrolments enrolments, RewardDesk rewardDesk, CampaignBudgets campaigns)
    {
        this.program = program;
        clock = program.Clock;
        ledger = program.Ledger;
        members = program.Members;
        rewards = program.Rewards;
        ledgerStore = program.LedgerStore;
        referral = program.Settings.Referral;
        keeper = program.Keeper;
        metrics = program.Metrics;
        programId = program.ProgramId;
        currency = program.Currency;
        this.enrolments = enrolments;
        this.rewardDesk = rewardDesk;
        this.campaigns = campaigns;
    }

    /// <summary>The work behind <see cref="LoyaltyProgram.RecordOrderAsync"/>.</summary>
    public async Task<LoyaltyResult<OrderReceipt>> RecordOrderAsync(EarningOrder order, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(order);
        program.CheckCurrency(order, nameof(order));
        var fingerprint = Fingerprint.Of(order);

        // The common case is one read (the member, with its kept evaluation state) and one atomic
        // write (the order with the member's state moved past it), then the ledger's earn.
        var member = await members.GetMemberAsync(programId, order.Member, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            // An order recorded before its member vanished is still completed by a retry.
            var recorded = await members.GetOrderAsync(programId, order.Id, cancellationToken).ConfigureAwait(false);
            return recorded is not null
                ? await CompleteOrderAsync(recorded, order, fingerprint, null, null, cancellationToken).ConfigureAwait(false)
                : NotEnrolled<OrderReceipt>(order.Member);
        }

        var rules = await program.RuleSetsAsync(cancellationToken).ConfigureAwait(false);
        if (rules.InForceAt(order.PlacedAt) is not { } ruleSet)
        {
            var recorded = await members.GetOrderAsync(programId, order.Id, cancellationToken).ConfigureAwait(false);
            return recorded is not null
                ? await CompleteOrderAsync(recorded, order, fingerprint, null, null, cancellationToken).ConfigureAwait(false)
                : NoRules<OrderReceipt>(order.PlacedAt);
        }

        // At a merchant with rules of its own in force, they apply on top of the programme-wide rules.
        var earningRules = await program.RulesAtAsync(ruleSet, order.Store, order.PlacedAt, cancellationToken).ConfigureAwait(false);

        if (order.PaidWithPoints > 0m && await CheckPaidWithPointsAsync(order, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            return LoyaltyResult<OrderReceipt>.Failure(refusal.Code, refusal.Message);
        }

        var key = DerivedIds.Order(order.Id);
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            // The order is evaluated from the member's kept state and written only if the member and
            // its history have not moved since (another order, refund or activity of the member):
            // otherwise both are re-read and the order re-evaluated, so first-order rules and
            // per-member caps see every order. After repeated conflicts the state is rebuilt from the
            // history, which also repairs a state left behind by a write that did not keep it.
            var now = clock.GetCurrentInstant();
            var (state, history) = await program.StateAsync(member, rebuild: attempt >= 2, now, cancellationToken).ConfigureAwait(false);
            var tierAtOrder = await program.TierAtAsync(member, state, history, order.PlacedAt, cancellationToken).ConfigureAwait(false);
            var context = ProgramContext.EarningContext(member, state, tierAtOrder);
            var current = member;

            // The budget reservations, the order with the member's state, the earn, the budget
            // settlement and the referral are one unit of work: one transaction where the stores
            // share a database; elsewhere the order record is the record of the steps still pending.
            LoyaltyResult<OrderReceipt>? outcome;
            try
            {
                outcome = await program.InUnitAsync(
                    new Attempt(this, order, fingerprint, earningRules, key, context, state, history, tierAtOrder, current, now),
                    static (a, ct) => a.Recorder.WriteAsync(a, ct),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (OrderWriteRefusedException)
            {
                outcome = null;
            }

            if (outcome is not null)
            {
                return outcome;
            }

            // Another write for the member landed meanwhile: re-read it and evaluate again.
            await PauseAsync(attempt, cancellationToken).ConfigureAwait(false);
            member = await members.GetMemberAsync(programId, order.Member, cancellationToken).ConfigureAwait(false);
            if (member is null)
            {
                // Erased (or removed) meanwhile. Where the stores share no unit of work the refused run's
                // reservations were kept: give them back, so nothing of a refused order is left.
                await campaigns.ReleaseBudgetsAsync(earningRules, key, cancellationToken).ConfigureAwait(false);
                return NotEnrolled<OrderReceipt>(order.Member);
            }
        }

        throw HistoryKeptChanging($"Order '{order.Id}'", order.Member);
    }

    /// <summary>
    /// One attempt's unit of work: the budget reservations, the order with the member's state, the earn,
    /// the budget settlement and the referral. Null when the member's write was refused (the member moved
    /// on since it was read); the caller reads it again.
    /// </summary>
    private async ValueTask<LoyaltyResult<OrderReceipt>?> WriteAsync(Attempt a, CancellationToken ct)
    {
        var (order, earningRules, key, state, current, now) = (a.Order, a.Rules, a.Key, a.State, a.Current, a.Now);
        var usage = await campaigns.WithCampaignUsageAsync(earningRules, MemberStateKeeper.Usage(state), key, ct).ConfigureAwait(false);
        var earning = earningRules.HasCampaignBudgets
            ? await EvaluateWithinBudgetsAsync(earningRules, order, a.Context, usage, key, ct).ConfigureAwait(false)
            : earningRules.Evaluate(order, a.Context, usage);
        var record = new OrderRecord
        {
            ProgramId = programId,
            MemberId = order.Member,
            OrderId = order.Id,
            Fingerprint = a.Fingerprint,
            Order = order,
            Earning = earning,
            Tier = a.TierAtOrder.Id,
            TransactionId = key,
            RecordedAt = now,
        };
        var next = keeper.WithOrder(current, state, record, now, out var evaluated)
            ?? await program.ReplayWithAsync(current, state, a.History, WithOrder(record), now, ct).ConfigureAwait(false);
        var advanced = program.Advance(current, next, now, evaluated);
        var (written, tier) = program.Pooled is null
            ? advanced
            : await program.PooledAsync(current, advanced, a.History, WithOrder(record), now, ct).ConfigureAwait(false);
        if (current.ReferredBy is not null && current.ReferralCompletedBy is null && next.FirstQualifyingOrder == order.Id)
        {
            // The referral is marked completed in the same write; its bonuses follow, idempotently.
            written = written with { ReferralCompletedBy = order.Id };
        }

        var added = await members.AddOrderWithStateAsync(record, written, ct).ConfigureAwait(false);
        if (added.Status == HistoryAddStatus.Added && program.Achievements is { } achievements)
        {
            await achievements.OnOrderAsync(record, ct).ConfigureAwait(false);
        }

        return added.Status switch
        {
            HistoryAddStatus.Added => await CompleteOrderAsync(record, order, a.Fingerprint, written, tier, ct).ConfigureAwait(false),
            HistoryAddStatus.Exists => await CompleteOrderAsync(added.Existing!, order, a.Fingerprint, null, null, ct).ConfigureAwait(false),

            // The member moved on (or was erased) since it was read: nothing of this run may be
            // kept, not even the budget reservations made before the member's write was refused.
            _ => throw new OrderWriteRefusedException(),
        };
    }

    // The lambdas of the rarer paths are made here, so that the common path allocates no closure for them.
    private ValueTask<EarningResult> EvaluateWithinBudgetsAsync(EarningRules rules, EarningOrder order, MemberContext context, EarningUsage usage, TransactionId key, CancellationToken ct) =>
        campaigns.EvaluateWithinBudgetsAsync(rules, usage, key, order.Member, u => rules.Evaluate(order, context, u), ct);

    private static Func<MemberHistory, MemberHistory> WithOrder(OrderRecord record) => h => h with { Orders = [.. h.Orders, record] };

    /// <summary>
    /// Completes an order from its stored record: settles its budget reservations, earns its points,
    /// completes the member's referral. Every step is idempotent, so a retry (or the pending-steps
    /// recovery) completes what an interrupted call left undone.
    /// </summary>
    /// <param name="record">The stored order.</param>
    /// <param name="incoming">The caller's order.</param>
    /// <param name="fingerprint">The caller's content, to tell a repeat from a conflict.</param>
    /// <param name="written">The member record written with the order by this call; null for a repeat.</param>
    /// <param name="tier">The member's tier after the order, evaluated by this call; null for a repeat.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    private async ValueTask<LoyaltyResult<OrderReceipt>> CompleteOrderAsync(OrderRecord record, EarningOrder incoming, string fingerprint, MemberRecord? written, TierEvaluation? tier, CancellationToken cancellationToken)
    {
        var isNew = written is not null;
        var ruleSet = await program.RulesOfAsync(record.Earning, record.Order.Store, cancellationToken).ConfigureAwait(false);
        await campaigns.SettleBudgetsAsync(ruleSet, record.TransactionId, record.Earning, cancellationToken).ConfigureAwait(false);
        if (record.Fingerprint != fingerprint)
        {
            return Conflict<OrderReceipt>(OrderConflict(record, incoming), FieldOf(Fingerprint.FirstDifference(record.Order, incoming)));
        }

        Instant? availableAt = null, expiresAt = null;
        if (record.Earning.Total.IsPositive)
        {
            var earned = await ledger.EarnAsync(program.OrderEarn(record), cancellationToken).ConfigureAwait(false);
            if (!earned.Succeeded)
            {
                return FromLedger<OrderReceipt>(earned);
            }

            availableAt = earned.Transaction!.AvailableAt;
            expiresAt = earned.Transaction.ExpiresAt;
            if (!earned.IsRepeat)
            {
                metrics.Earned(record.Earning.Total);
            }
        }

        if (isNew)
        {
            metrics.OrderRecorded();
        }

        var member = written ?? await members.GetMemberAsync(programId, record.MemberId, cancellationToken).ConfigureAwait(false);
        var completedReferral = member is not null && await enrolments.CompleteReferralAsync(record, member, cancellationToken).ConfigureAwait(false);
        if (tier is null && member is not null)
        {
            var now = clock.GetCurrentInstant();
            var (state, history) = await program.StateAsync(member, rebuild: false, now, cancellationToken).ConfigureAwait(false);
            tier = await program.TierAsync(member, state, history, now, cancellationToken).ConfigureAwait(false);
        }

        return LoyaltyResult<OrderReceipt>.Success(
            new OrderReceipt
            {
                OrderId = record.OrderId,
                MemberId = record.MemberId,
                Points = record.Earning.Total,
                AvailableAt = availableAt,
                ExpiresAt = expiresAt,
                RuleSetVersion = record.Earning.RuleSetVersion,
                MerchantRuleSetVersion = record.Earning.MerchantRuleSetVersion,
                Explanation = Explanations.For(record.Earning, ruleSet),
                Earning = record.Earning,
                TierAtOrder = record.Tier,
                Tier = tier?.Tier.Id ?? record.Tier ?? program.Tiers.EntryTier.Id,
                CompletedReferral = completedReferral,
            },
            isRepeat: !isNew);
    }

    /// <summary>
    /// An order paid partly with points is tied to the points held for it at checkout: the hold is
    /// captured now if it is still open (the whole hold), and the money the captured points are worth
    /// under a pay-with-points reward of the catalogue must be what the order says was paid with points.
    /// Runs before anything about the order is written.
    /// </summary>
    private async Task<LoyaltyError?> CheckPaidWithPointsAsync(EarningOrder order, CancellationToken cancellationToken)
    {
        var paid = order.PaidWithPoints.ToString("0.00##", CultureInfo.InvariantCulture);
        var hold = await ledgerStore.GetHoldAsync(new LedgerAccountKey(programId, order.Member), DerivedIds.Hold(order.Id), cancellationToken).ConfigureAwait(false);
        if (hold is null)
        {
            return new LoyaltyError(LoyaltyErrorCode.PaymentDoesNotMatchHold, $"Order '{order.Id}' says {paid} {currency.Code} was paid with points, but no points were held for it; hold them with HoldPointsAsync for this order id before recording the order.");
        }

        if (hold.Status == LedgerHoldStatus.Open)
        {
            var captured = await rewardDesk.CaptureHeldPointsAsync(order.Member, order.Id, null, order.Store, cancellationToken).ConfigureAwait(false);
            if (!captured.Succeeded)
            {
                return captured.Error;
            }

            hold = await ledgerStore.GetHoldAsync(new LedgerAccountKey(programId, order.Member), DerivedIds.Hold(order.Id), cancellationToken).ConfigureAwait(false) ?? hold;
        }

        if (hold.Status != LedgerHoldStatus.Captured)
        {
            return new LoyaltyError(LoyaltyErrorCode.PaymentDoesNotMatchHold, $"Order '{order.Id}' says {paid} {currency.Code} was paid with points, but its hold of {hold.Amount} points was {hold.Status.ToString().ToLowerInvariant()}; hold points again for the order, or record it without the points payment.");
        }

        var catalog = await rewards.GetCatalogAsync(programId, cancellationToken).ConfigureAwait(false);
        var worth = catalog.Rewards
            .Where(r => r.Kind == RewardKind.PayWithPoints && r.PayWithPointsTerms is not null)
            .Select(r => r.PayWithPointsTerms!.ValueOf(Points.FromInt64(hold.Captured)).Amount)
            .Distinct()
            .ToList();
        if (!worth.Contains(order.PaidWithPoints))
        {
            var values = worth.Count == 0 ? "nothing (the catalogue has no pay-with-points reward)" : string.Join(" or ", worth.Select(w => w.ToString("0.00##", CultureInfo.InvariantCulture) + " " + currency.Code));
            return new LoyaltyError(LoyaltyErrorCode.PaymentDoesNotMatchHold, $"Order '{order.Id}' says {paid} {currency.Code} was paid with points, but the {hold.Captured} points captured for it are worth {values}; record what the captured points paid.");
        }

        return null;
    }

    private static string OrderConflict(OrderRecord stored, EarningOrder incoming) =>
        $"Order '{stored.OrderId}' was recorded with other content: {Fingerprint.FirstDifference(stored.Order, incoming) ?? "its content"} differs (member '{stored.MemberId}', placed at {stored.Order.PlacedAt}); use a new order id for another order.";

    /// <summary>What one attempt's unit of work needs (passed as a value, so the unit's lambda captures nothing).</summary>
    private readonly record struct Attempt(
        OrderRecorder Recorder,
        EarningOrder Order,
        string Fingerprint,
        EarningRules Rules,
        TransactionId Key,
        MemberContext Context,
        MemberEvaluationState State,
        MemberHistory? History,
        TierDefinition TierAtOrder,
        MemberRecord Current,
        Instant Now);

    /// <summary>Leaves an order's unit of work whose member write was refused, so that none of its writes is kept.</summary>
    private sealed class OrderWriteRefusedException : Exception
    {
    }
}
