using System.Globalization;
using Loyalty.Core.Earning;
using Loyalty.Core.Internal;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using NodaTime;
using static Loyalty.Core.Programs.ProgramResults;

namespace Loyalty.Core.Programs;

/// <summary>
/// Rewards and holds: the catalogue, redemptions (stock claim, points spent, code) and their
/// cancellation, and pay with points at checkout (hold, capture, release).
/// </summary>
internal sealed class RewardDesk
{
    private readonly ProgramContext program;
    private readonly IClock clock;
    private readonly PointsLedger ledger;
    private readonly IMemberStore members;
    private readonly IRewardCatalogStore rewards;
    private readonly ILedgerStore ledgerStore;
    private readonly LoyaltyMetrics metrics;
    private readonly ProgramId programId;
    private readonly Currency currency;
    private readonly RewardCodeDesk codes;

    /// <summary>Creates the capability over the programme's shared context (the facade does this).</summary>
    public RewardDesk(ProgramContext program)
    {
        this.program = program;
        clock = program.Clock;
        ledger = program.Ledger;
        members = program.Members;
        rewards = program.Rewards;
        ledgerStore = program.LedgerStore;
        metrics = program.Metrics;
        programId = program.ProgramId;
        currency = program.Currency;
        codes = new RewardCodeDesk(program);
    }

    /// <summary>The codes of the redemptions.</summary>
    public RewardCodeDesk Codes => codes;

    /// <summary>The work behind <see cref="LoyaltyProgram.PublishRewardAsync"/>.</summary>
    public async Task<RewardCatalog> PublishRewardAsync(RewardDefinition reward, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(reward);
        var rewardCurrency = reward.AmountOff?.Currency ?? reward.PayWithPointsTerms?.RateWorth.Currency;
        if (rewardCurrency is { } c && c != currency)
        {
            throw new ArgumentException($"Reward '{reward.Id}' is in {c.Code} but the programme's currency is {currency.Code}.", nameof(reward));
        }

        if (reward.RequiredTier is { } tier && !program.Tiers.Contains(tier))
        {
            throw new ArgumentException($"Reward '{reward.Id}' requires tier '{tier}', which is not in the ladder; known tiers are {string.Join(", ", program.Tiers.Tiers.Select(t => $"'{t.Id}'"))}.", nameof(reward));
        }

        var catalog = (await rewards.GetCatalogAsync(programId, cancellationToken).ConfigureAwait(false)).WithReward(reward);
        await rewards.SaveCatalogAsync(programId, catalog, cancellationToken).ConfigureAwait(false);
        return catalog;
    }

    /// <summary>The work behind <see cref="LoyaltyProgram.GetCatalogAsync"/>.</summary>
    public async Task<RewardCatalog> GetCatalogAsync(CancellationToken cancellationToken = default) =>
        await rewards.GetCatalogAsync(programId, cancellationToken).ConfigureAwait(false);

    /// <summary>The work behind <see cref="LoyaltyProgram.RedeemRewardAsync"/>.</summary>
    // merchant: Where the reward was redeemed (recorded on the spend), or null for the programme's own shop.
    public async Task<LoyaltyResult<RewardRedemption>> RedeemRewardAsync(MemberId memberId, RewardId rewardId, RedemptionId redemptionId, MerchantId? merchant, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        Preconditions.CheckNotDefault(rewardId.IsDefault, nameof(RewardId), nameof(rewardId));
        Preconditions.CheckNotDefault(redemptionId.IsDefault, nameof(RedemptionId), nameof(redemptionId));

        var existing = await rewards.GetRedemptionAsync(programId, redemptionId, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing.MemberId == memberId && existing.RewardId == rewardId
                ? LoyaltyResult<RewardRedemption>.Success(existing, isRepeat: true)
                : Conflict<RewardRedemption>($"Redemption '{redemptionId}' was made for member '{existing.MemberId}' and reward '{existing.RewardId}'; use a new redemption id.", existing.MemberId != memberId ? "MemberId" : "RewardId");
        }

        var member = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return NotEnrolled<RewardRedemption>(memberId);
        }

        var now = clock.GetCurrentInstant();
        var (reward, refusal) = await FindOfferedRewardAsync(member, rewardId, expectPayWithPoints: false, now, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return LoyaltyResult<RewardRedemption>.Failure(refusal.Code, refusal.Message);
        }

        var balance = await ledger.GetBalanceAsync(memberId, cancellationToken).ConfigureAwait(false);
        var transactionId = DerivedIds.Redemption(redemptionId);
        var alreadySpent = await ledger.FindTransactionAsync(transactionId, cancellationToken).ConfigureAwait(false) is not null;
        if (!alreadySpent && balance.Available < reward!.Cost)
        {
            return Insufficient<RewardRedemption>(memberId, reward.Cost, balance.Available);
        }

        // The stock claim, the spend and the redemption record are one unit of work: one transaction
        // where the stores share a database.
        return await program.AtomicallyAsync(
            async ct =>
            {
                if (reward!.Stock is { } stock)
                {
                    // A store that records its claims lets maintenance finish or give back a claim whose redemption is never written.
                    var claim = rewards is IStockClaimRecovery recorded
                        ? await recorded.ClaimRecordedStockAsync(programId, rewardId, redemptionId, memberId, stock, program.Clock.GetCurrentInstant(), ct).ConfigureAwait(false)
                        : await rewards.ClaimStockAsync(programId, rewardId, redemptionId, stock, ct).ConfigureAwait(false);
                    if (claim == StockClaimStatus.OutOfStock)
                    {
                        return LoyaltyResult<RewardRedemption>.Failure(LoyaltyErrorCode.RewardOutOfStock, $"Reward '{rewardId}' is out of stock: all {stock} units are redeemed.");
                    }
                }

                var spent = await ledger.RedeemAsync(new RedeemPoints(transactionId, memberId, reward.Cost) { Merchant = merchant }, ct).ConfigureAwait(false);
                if (!spent.Succeeded)
                {
                    if (reward.Stock is not null)
                    {
                        await rewards.ReturnStockAsync(programId, rewardId, redemptionId, ct).ConfigureAwait(false);
                    }

                    return spent.ErrorCode == LedgerErrorCode.InsufficientPoints
                        ? Insufficient<RewardRedemption>(memberId, reward.Cost, (await ledger.GetBalanceAsync(memberId, ct).ConfigureAwait(false)).Available)
                        : FromLedger<RewardRedemption>(spent);
                }

                var code = await codes.IssueAsync(reward, memberId, redemptionId, spent.Transaction!.RecordedAt, ct).ConfigureAwait(false);
                var redemption = new RewardRedemption
                {
                    ProgramId = programId,
                    Id = redemptionId,
                    MemberId = memberId,
                    RewardId = rewardId,
                    RewardName = reward.Name,
                    Kind = reward.Kind,
                    Benefit = reward.DescribeBenefit(),
                    PointsSpent = reward.Cost,
                    Code = code,
                    RedeemedAt = spent.Transaction!.RecordedAt,
                    LedgerTransactionId = transactionId,
                };
                var stored = await rewards.AddRedemptionAsync(redemption, ct).ConfigureAwait(false);
                var isNew = ReferenceEquals(stored, redemption);
                if (isNew && !spent.IsRepeat)
                {
                    metrics.Redeemed(reward.Cost);
                }

                return LoyaltyResult<RewardRedemption>.Success(stored, isRepeat: !isNew);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The work behind <see cref="LoyaltyProgram.CancelRedemptionAsync"/>.</summary>
    public async Task<LoyaltyResult<RewardRedemption>> CancelRedemptionAsync(RedemptionId redemptionId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(redemptionId.IsDefault, nameof(RedemptionId), nameof(redemptionId));
        var redemption = await rewards.GetRedemptionAsync(programId, redemptionId, cancellationToken).ConfigureAwait(false);
        if (redemption is null)
        {
            return LoyaltyResult<RewardRedemption>.Failure(LoyaltyErrorCode.RedemptionNotFound, $"Redemption '{redemptionId}' was never made.");
        }

        // The reversal, the stock given back and the cancelled mark are one unit of work.
        return await program.AtomicallyAsync(
            async ct =>
            {
                var wasCancelled = redemption.Status == RedemptionStatus.Cancelled;
                if (!wasCancelled && await codes.VoidAsync(redemption, clock.GetCurrentInstant(), ct).ConfigureAwait(false) is { } refusal)
                {
                    return LoyaltyResult<RewardRedemption>.Failure(refusal.Code, refusal.Message);
                }

                var reversal = await ledger.ReverseAsync(
                    new ReversePoints(DerivedIds.RedemptionCancel(redemptionId), redemption.MemberId, redemption.LedgerTransactionId, redemption.PointsSpent) { Reason = "redemption cancelled" },
                    ct).ConfigureAwait(false);
                if (!reversal.Succeeded)
                {
                    return FromLedger<RewardRedemption>(reversal);
                }

                await rewards.ReturnStockAsync(programId, redemption.RewardId, redemptionId, ct).ConfigureAwait(false);
                var cancelled = await rewards.MarkCancelledAsync(programId, redemptionId, reversal.Transaction!.RecordedAt, ct).ConfigureAwait(false);
                return LoyaltyResult<RewardRedemption>.Success(cancelled!, isRepeat: wasCancelled);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The work behind <see cref="LoyaltyProgram.HoldPointsAsync"/>.</summary>
    // merchant: Where the order is paid (recorded on the hold, and on its capture unless the capture names another), or null for the programme's own shop.
    public async Task<LoyaltyResult<PointsHold>> HoldPointsAsync(MemberId memberId, RewardId rewardId, OrderId orderId, Money orderTotal, Points points, MerchantId? merchant, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        Preconditions.CheckNotDefault(rewardId.IsDefault, nameof(RewardId), nameof(rewardId));
        Preconditions.CheckNotDefault(orderId.IsDefault, nameof(OrderId), nameof(orderId));
        Preconditions.CheckPositive(points.Value, nameof(points));
        if (orderTotal.Currency != currency || orderTotal.IsNegative)
        {
            throw new ArgumentException($"orderTotal must be 0 or more in {currency.Code}, the programme's currency (was {orderTotal}).", nameof(orderTotal));
        }

        var member = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return NotEnrolled<PointsHold>(memberId);
        }

        var now = clock.GetCurrentInstant();
        var (reward, refusal) = await FindOfferedRewardAsync(member, rewardId, expectPayWithPoints: true, now, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return LoyaltyResult<PointsHold>.Failure(refusal.Code, refusal.Message);
        }

        var terms = reward!.PayWithPointsTerms!;
        if (points < terms.MinimumPoints)
        {
            return LoyaltyResult<PointsHold>.Failure(LoyaltyErrorCode.BelowMinimumPoints, $"At least {terms.MinimumPoints} points must be used at once (asked {points}).");
        }

        var maximum = terms.MaximumPointsFor(orderTotal);
        if (points > maximum)
        {
            return LoyaltyResult<PointsHold>.Failure(LoyaltyErrorCode.AboveMaximumShare, string.Create(CultureInfo.InvariantCulture, $"Points may pay at most {terms.MaximumShareOfOrder * 100m:0.##}% of a {orderTotal} order, that is {maximum} points (asked {points})."));
        }

        var held = await ledger.HoldAsync(new HoldPoints(DerivedIds.Hold(orderId), memberId, points) { Merchant = merchant }, cancellationToken).ConfigureAwait(false);
        if (!held.Succeeded)
        {
            return held.ErrorCode == LedgerErrorCode.InsufficientPoints
                ? Insufficient<PointsHold>(memberId, points, (await ledger.GetBalanceAsync(memberId, cancellationToken).ConfigureAwait(false)).Available)
                : FromLedger<PointsHold>(held);
        }

        var transaction = held.Transaction!;
        return LoyaltyResult<PointsHold>.Success(
            new PointsHold
            {
                OrderId = orderId,
                MemberId = memberId,
                HoldId = transaction.Id,
                Points = points,
                Value = terms.ValueOf(points),
                ExpiresAt = transaction.ExpiresAt ?? transaction.RecordedAt,
            },
            held.IsRepeat);
    }

    /// <summary>The work behind <see cref="LoyaltyProgram.CaptureHeldPointsAsync"/>.</summary>
    // merchant: Where the points are spent (recorded on the capture), or null for the hold's merchant (none when the hold named none).
    public async Task<LoyaltyResult<HoldSettlement>> CaptureHeldPointsAsync(MemberId memberId, OrderId orderId, Points? points, MerchantId? merchant, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        Preconditions.CheckNotDefault(orderId.IsDefault, nameof(OrderId), nameof(orderId));
        if (points is { } p)
        {
            Preconditions.CheckPositive(p.Value, nameof(points));
        }

        // The spend is recorded where the call says, else where the points were held.
        merchant ??= (await ledger.FindTransactionAsync(DerivedIds.Hold(orderId), cancellationToken).ConfigureAwait(false))?.Merchant;
        var captured = await ledger.CaptureAsync(new CaptureHold(DerivedIds.Capture(orderId), memberId, DerivedIds.Hold(orderId), points) { Merchant = merchant }, cancellationToken).ConfigureAwait(false);
        if (!captured.Succeeded)
        {
            return FromLedger<HoldSettlement>(captured);
        }

        var hold = await ledgerStore.GetHoldAsync(new LedgerAccountKey(programId, memberId), DerivedIds.Hold(orderId), cancellationToken).ConfigureAwait(false);
        var spent = Points.FromInt64(hold?.Captured ?? captured.Transaction!.Amount);
        var returned = Points.FromInt64(hold?.Amount ?? spent.Value) - spent;
        if (!captured.IsRepeat)
        {
            metrics.Redeemed(spent);
        }

        return LoyaltyResult<HoldSettlement>.Success(new HoldSettlement(orderId, memberId, captured.Transaction!.Id, spent, returned), captured.IsRepeat);
    }

    /// <summary>The work behind <see cref="LoyaltyProgram.ReleaseHeldPointsAsync"/>.</summary>
    public async Task<LoyaltyResult<HoldSettlement>> ReleaseHeldPointsAsync(MemberId memberId, OrderId orderId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        Preconditions.CheckNotDefault(orderId.IsDefault, nameof(OrderId), nameof(orderId));
        var released = await ledger.ReleaseAsync(new ReleaseHold(DerivedIds.Release(orderId), memberId, DerivedIds.Hold(orderId)), cancellationToken).ConfigureAwait(false);
        if (!released.Succeeded)
        {
            return FromLedger<HoldSettlement>(released);
        }

        var transaction = released.Transaction!;
        return LoyaltyResult<HoldSettlement>.Success(new HoldSettlement(orderId, memberId, transaction.Id, Points.Zero, Points.FromInt64(Math.Abs(transaction.Amount))), released.IsRepeat);
    }

    private async Task<(RewardDefinition? Reward, LoyaltyError? Refusal)> FindOfferedRewardAsync(MemberRecord member, RewardId rewardId, bool expectPayWithPoints, Instant now, CancellationToken cancellationToken)
    {
        var catalog = await rewards.GetCatalogAsync(programId, cancellationToken).ConfigureAwait(false);
        if (catalog.Find(rewardId) is not { } reward)
        {
            return (null, new LoyaltyError(LoyaltyErrorCode.RewardNotFound, $"Reward '{rewardId}' is not in the catalogue."));
        }

        if ((reward.Kind == RewardKind.PayWithPoints) != expectPayWithPoints)
        {
            return (null, new LoyaltyError(
                LoyaltyErrorCode.RewardKindMismatch,
                expectPayWithPoints
                    ? $"Reward '{rewardId}' is {reward.Kind}; redeem it with RedeemRewardAsync."
                    : $"Reward '{rewardId}' is PayWithPoints; hold points at checkout with HoldPointsAsync."));
        }

        if (!reward.IsOfferedAt(now))
        {
            return (null, new LoyaltyError(LoyaltyErrorCode.RewardNotOffered, $"Reward '{rewardId}' is offered from {reward.ValidFrom?.ToString() ?? "always"} until {reward.ValidUntil?.ToString() ?? "ever"}, not at {now}."));
        }

        if (reward.RequiredTier is { } required)
        {
            var (state, history) = await program.StateAsync(member, rebuild: false, now, cancellationToken).ConfigureAwait(false);
            var evaluation = await program.TierAsync(member, state, history, now, cancellationToken).ConfigureAwait(false);
            if (!evaluation.CanAccess(required))
            {
                return (null, new LoyaltyError(LoyaltyErrorCode.RewardRequiresHigherTier, $"Reward '{rewardId}' is for tier '{required}' and above; member '{member.MemberId}' is '{evaluation.Tier.Id}'."));
            }
        }

        return (reward, null);
    }
}
