using Loyalty.Core.Configuration;
using Loyalty.Core.Households;
using Loyalty.Core.Internal;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using NodaTime;
using static Loyalty.Core.Programs.ProgramResults;

namespace Loyalty.Core.Programs;

/// <summary>A reward redeemed with a household's pooled points: the redemption and who paid what.</summary>
/// <param name="Redemption">The redemption (made by, and spent from, the redeeming member).</param>
/// <param name="Contributions">Each member's share, in spending order; the redeeming member's own share included, zero shares left out.</param>
public sealed record HouseholdRedemption(RewardRedemption Redemption, IReadOnlyList<HouseholdContribution> Contributions);

/// <summary>
/// Households (family pools): members create, join and leave a household; each member keeps their own
/// earnings, balance and tier, and a pooled redemption spends the members' available points in the
/// order <see cref="HouseholdOptions.SpendingOrder"/> says. Resolve it from DI after <c>AddHouseholds()</c>.
/// </summary>
/// <remarks>
/// <para>A pooled redemption moves each other member's share to the redeeming member (keeping its
/// expiry, as a transfer does) and redeems there, in one unit of work; when the redemption is refused
/// (stock, tier, a racing spend) the moves are given back. Pending and held points are never pooled.
/// Moved points are not earnings and never count towards a tier. Tier qualification stays per member
/// unless <see cref="HouseholdOptions.PooledTierQualification"/> is true: then the tier the programme
/// evaluates and holds for a member sharing a household counts the pooled qualification
/// (<see cref="EvaluatePooledTierAsync"/>).</para>
/// <para>Thread-safe when its stores are; scoped with them on EF Core.</para>
/// </remarks>
public sealed class HouseholdService
{
    private readonly IClock clock;
    private readonly ProgramSettings settings;
    private readonly LoyaltyProgram program;
    private readonly PointsLedger ledger;
    private readonly IMemberStore members;
    private readonly IRewardCatalogStore rewards;
    private readonly IHouseholdStore households;
    private readonly HouseholdOptions options;
    private readonly ILoyaltyUnitOfWork? unitOfWork;
    private readonly LotPreservingMove mover;

    /// <summary>Creates the service (DI does this).</summary>
    /// <param name="clock">The clock.</param>
    /// <param name="settings">The programme's settings.</param>
    /// <param name="program">The programme (it makes the redemptions).</param>
    /// <param name="ledger">The points ledger.</param>
    /// <param name="ledgerStore">The ledger store (read for the expiry of the lots moved).</param>
    /// <param name="members">The member store.</param>
    /// <param name="rewards">The rewards catalogue store.</param>
    /// <param name="households">The household store.</param>
    /// <param name="options">The limits and spending order.</param>
    /// <param name="unitOfWork">The stores' unit of work, or null.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public HouseholdService(IClock clock, ProgramSettings settings, LoyaltyProgram program, PointsLedger ledger, ILedgerStore ledgerStore, IMemberStore members, IRewardCatalogStore rewards, IHouseholdStore households, HouseholdOptions options, ILoyaltyUnitOfWork? unitOfWork = null)
    {
        this.clock = Preconditions.CheckNotNull(clock);
        this.settings = Preconditions.CheckNotNull(settings);
        this.program = Preconditions.CheckNotNull(program);
        this.ledger = Preconditions.CheckNotNull(ledger);
        Preconditions.CheckNotNull(ledgerStore);
        this.members = Preconditions.CheckNotNull(members);
        this.rewards = Preconditions.CheckNotNull(rewards);
        this.households = Preconditions.CheckNotNull(households);
        Preconditions.CheckNotNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("The household options are invalid: " + string.Join(" ", errors), nameof(options));
        }

        this.options = new HouseholdOptions { MaxMembers = options.MaxMembers, SpendingOrder = options.SpendingOrder, PooledTierQualification = options.PooledTierQualification };
        this.unitOfWork = unitOfWork;
        if (this.options.PooledTierQualification && program.PooledQualification is null)
        {
            // Built by hand rather than by DI: the programme this service works with counts the pooled qualification too.
            program.WithPooledQualification(households);
        }

        mover = new LotPreservingMove(ledger, ledgerStore, settings.ProgramId);
    }

    /// <summary>Creates a household with <paramref name="owner"/> as its first member. Creating it again with the same owner is a repeat.</summary>
    /// <param name="householdId">The shop's id for the household.</param>
    /// <param name="owner">The owner, an enrolled member in no household.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The household, or <see cref="LoyaltyErrorCode.MemberNotFound"/>, <see cref="LoyaltyErrorCode.AlreadyInHousehold"/> or <see cref="LoyaltyErrorCode.IdempotencyConflict"/> (the id is another owner's household).</returns>
    /// <exception cref="ArgumentException">An id is default.</exception>
    public async Task<LoyaltyResult<Household>> CreateHouseholdAsync(HouseholdId householdId, MemberId owner, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(householdId.IsDefault, nameof(HouseholdId), nameof(householdId));
        Preconditions.CheckNotDefault(owner.IsDefault, nameof(MemberId), nameof(owner));
        if (await members.GetMemberAsync(settings.ProgramId, owner, cancellationToken).ConfigureAwait(false) is null)
        {
            return NotEnrolled<Household>(owner);
        }

        var status = await households.CreateAsync(settings.ProgramId, householdId, owner, clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false);
        return status switch
        {
            HouseholdWriteStatus.Done or HouseholdWriteStatus.Unchanged => LoyaltyResult<Household>.Success((await households.GetAsync(settings.ProgramId, householdId, cancellationToken).ConfigureAwait(false))!, status == HouseholdWriteStatus.Unchanged),
            HouseholdWriteStatus.InAnotherHousehold => await InAnotherAsync(owner, cancellationToken).ConfigureAwait(false),
            _ => Conflict<Household>($"Household '{householdId}' exists with another owner; use another household id.", "Owner"),
        };
    }

    /// <summary>
    /// A member's tier with the household's qualification pooled (with
    /// <see cref="HouseholdOptions.PooledTierQualification"/>): the programme's tier ladder evaluated on
    /// the member's own qualifying history (orders, refunds, activity points) plus, for each other
    /// current member, what they recorded from the later of their two joining instants on (the
    /// amounts of the time both shared the household). A member who left takes their amounts with them.
    /// Writes nothing. It is the tier the programme holds for a member sharing a household (the one of
    /// <see cref="LoyaltyProgram.GetMemberSummaryAsync"/>, earning multipliers, reward access and
    /// maintenance), evaluated as of any past instant.
    /// </summary>
    /// <param name="memberId">The member.</param>
    /// <param name="asOf">The instant of the evaluation; not after the clock's current instant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The evaluation, or <see cref="LoyaltyErrorCode.MemberNotFound"/> or <see cref="LoyaltyErrorCode.NotInHousehold"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="asOf"/> is in the future.</exception>
    /// <exception cref="InvalidOperationException">Pooled qualification is not configured.</exception>
    public async Task<LoyaltyResult<Tiers.TierEvaluation>> EvaluatePooledTierAsync(MemberId memberId, Instant asOf, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        var now = clock.GetCurrentInstant();
        if (asOf > now)
        {
            throw new ArgumentOutOfRangeException(nameof(asOf), asOf, $"asOf ({asOf}) must not be after the clock's current instant ({now}); a tier is evaluated on what was recorded.");
        }

        if (!options.PooledTierQualification)
        {
            throw new InvalidOperationException($"Tier qualification is per member in this programme; set {HouseholdOptions.SectionName}:PooledTierQualification to true to pool a household's qualification.");
        }

        var programId = settings.ProgramId;
        var member = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return NotEnrolled<Tiers.TierEvaluation>(memberId);
        }

        var household = await households.FindByMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        if (household is null)
        {
            return LoyaltyResult<Tiers.TierEvaluation>.Failure(LoyaltyErrorCode.NotInHousehold, $"Member '{memberId}' belongs to no household; a pooled tier needs one (the member's own tier is LoyaltyProgram.GetMemberSummaryAsync's).");
        }

        var history = await members.GetHistoryAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        var pooled = await program.PooledQualification!.MemberAsync(member, history, household, null, cancellationToken).ConfigureAwait(false);
        return LoyaltyResult<Tiers.TierEvaluation>.Success(new Tiers.TierEvaluator(program.Tiers).Evaluate(pooled, asOf < member.EnrolledAt ? member.EnrolledAt : asOf));
    }

    /// <summary>
    /// Adds a member to a household. Joining again is a repeat. With
    /// <see cref="HouseholdOptions.PooledTierQualification"/>, the tier of every member of the household
    /// is evaluated again at once on the pooled qualification and stored.
    /// </summary>
    /// <param name="householdId">The household.</param>
    /// <param name="memberId">The member, enrolled and in no other household.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The household after the change, or <see cref="LoyaltyErrorCode.MemberNotFound"/>, <see cref="LoyaltyErrorCode.HouseholdNotFound"/>, <see cref="LoyaltyErrorCode.AlreadyInHousehold"/> or <see cref="LoyaltyErrorCode.HouseholdFull"/>.</returns>
    /// <exception cref="ArgumentException">An id is default.</exception>
    public async Task<LoyaltyResult<Household>> JoinHouseholdAsync(HouseholdId householdId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(householdId.IsDefault, nameof(HouseholdId), nameof(householdId));
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        if (await members.GetMemberAsync(settings.ProgramId, memberId, cancellationToken).ConfigureAwait(false) is null)
        {
            return NotEnrolled<Household>(memberId);
        }

        var status = await households.AddMemberAsync(settings.ProgramId, householdId, memberId, clock.GetCurrentInstant(), options.MaxMembers, cancellationToken).ConfigureAwait(false);
        if (status == HouseholdWriteStatus.Done)
        {
            var joined = (await households.GetAsync(settings.ProgramId, householdId, cancellationToken).ConfigureAwait(false))!;
            await RefreshTiersAsync(joined.Members.Select(m => m.MemberId), cancellationToken).ConfigureAwait(false);
            return LoyaltyResult<Household>.Success(joined);
        }

        return status switch
        {
            HouseholdWriteStatus.Unchanged => LoyaltyResult<Household>.Success((await households.GetAsync(settings.ProgramId, householdId, cancellationToken).ConfigureAwait(false))!, isRepeat: true),
            HouseholdWriteStatus.InAnotherHousehold => await InAnotherAsync(memberId, cancellationToken).ConfigureAwait(false),
            HouseholdWriteStatus.Full => LoyaltyResult<Household>.Failure(LoyaltyErrorCode.HouseholdFull, $"Household '{householdId}' has {options.MaxMembers} members, the most allowed; a member must leave before '{memberId}' can join."),
            _ => NotFound(householdId),
        };
    }

    /// <summary>
    /// Removes a member from a household: from then on pooled redemptions no longer spend their points
    /// (shares already spent stay spent). The owner can leave only as the last member, which removes the household.
    /// With <see cref="HouseholdOptions.PooledTierQualification"/>, the tiers of the member who left (now
    /// their own qualification only) and of the members who stay are evaluated again at once and stored.
    /// </summary>
    /// <param name="householdId">The household.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The household after the change (no members when removed), or <see cref="LoyaltyErrorCode.HouseholdNotFound"/>, <see cref="LoyaltyErrorCode.NotInHousehold"/> or <see cref="LoyaltyErrorCode.HouseholdOwnerCannotLeave"/>.</returns>
    /// <exception cref="ArgumentException">An id is default.</exception>
    public async Task<LoyaltyResult<Household>> LeaveHouseholdAsync(HouseholdId householdId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(householdId.IsDefault, nameof(HouseholdId), nameof(householdId));
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        var household = await households.GetAsync(settings.ProgramId, householdId, cancellationToken).ConfigureAwait(false);
        if (household is null)
        {
            return NotFound(householdId);
        }

        if (!household.Contains(memberId))
        {
            return LoyaltyResult<Household>.Failure(LoyaltyErrorCode.NotInHousehold, $"Member '{memberId}' does not belong to household '{householdId}'.");
        }

        if (household.Owner == memberId && household.Members.Count > 1)
        {
            return LoyaltyResult<Household>.Failure(LoyaltyErrorCode.HouseholdOwnerCannotLeave, $"Member '{memberId}' owns household '{householdId}', which has {household.Members.Count - 1} other member{(household.Members.Count == 2 ? string.Empty : "s")}; they must leave first.");
        }

        var status = await households.RemoveMemberAsync(settings.ProgramId, householdId, memberId, cancellationToken).ConfigureAwait(false);
        if (status == HouseholdWriteStatus.NotAMember)
        {
            return LoyaltyResult<Household>.Failure(LoyaltyErrorCode.NotInHousehold, $"Member '{memberId}' does not belong to household '{householdId}'.");
        }

        var after = await households.GetAsync(settings.ProgramId, householdId, cancellationToken).ConfigureAwait(false);
        await RefreshTiersAsync(household.Members.Select(m => m.MemberId), cancellationToken).ConfigureAwait(false);
        return LoyaltyResult<Household>.Success(after ?? household with { Members = [] });
    }

    /// <summary>With pooled qualification, evaluates the tiers of the members a household change affects again and stores them.</summary>
    private async Task RefreshTiersAsync(IEnumerable<MemberId> affected, CancellationToken cancellationToken)
    {
        if (!options.PooledTierQualification)
        {
            return;
        }

        foreach (var memberId in affected)
        {
            await program.RefreshTierAsync(memberId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The household a member belongs to.</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The household, or null.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default.</exception>
    public async Task<Household?> GetHouseholdAsync(MemberId memberId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        return await households.FindByMemberAsync(settings.ProgramId, memberId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Who would pay what if the household spent <paramref name="points"/> now: the members' available
    /// points in the configured spending order. Writes nothing.
    /// </summary>
    /// <param name="householdId">The household.</param>
    /// <param name="points">The points to spend, greater than 0.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The shares (zero shares left out), or <see cref="LoyaltyErrorCode.HouseholdNotFound"/> or <see cref="LoyaltyErrorCode.InsufficientPoints"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="householdId"/> is default or <paramref name="points"/> is not positive.</exception>
    public async Task<LoyaltyResult<IReadOnlyList<HouseholdContribution>>> PlanAsync(HouseholdId householdId, Points points, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(householdId.IsDefault, nameof(HouseholdId), nameof(householdId));
        Preconditions.CheckPositive(points.Value, nameof(points));
        var household = await households.GetAsync(settings.ProgramId, householdId, cancellationToken).ConfigureAwait(false);
        if (household is null)
        {
            return LoyaltyResult<IReadOnlyList<HouseholdContribution>>.Failure(LoyaltyErrorCode.HouseholdNotFound, NotFoundMessage(householdId));
        }

        var (plan, available) = await PlanAsync(household, points, cancellationToken).ConfigureAwait(false);
        return plan is null
            ? LoyaltyResult<IReadOnlyList<HouseholdContribution>>.Failure(LoyaltyErrorCode.InsufficientPoints, InsufficientMessage(household, available, points))
            : LoyaltyResult<IReadOnlyList<HouseholdContribution>>.Success(plan);
    }

    /// <summary>
    /// Redeems a reward for a member with the household's pooled points: the shares of the plan
    /// (<see cref="PlanAsync(HouseholdId, Points, CancellationToken)"/>) of the other members move to the
    /// member (keeping their expiry) and the member redeems. Redeeming again with the same redemption id
    /// returns the same redemption.
    /// </summary>
    /// <param name="memberId">The member redeeming (the receipt and code are theirs).</param>
    /// <param name="rewardId">The reward.</param>
    /// <param name="redemptionId">The shop's id for the redemption, also its idempotency key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The redemption with the shares, or <see cref="LoyaltyErrorCode.NotInHousehold"/>, <see cref="LoyaltyErrorCode.InsufficientPoints"/> (the household's pooled points), or any refusal of <see cref="LoyaltyProgram.RedeemRewardAsync"/>.</returns>
    /// <exception cref="ArgumentException">An id is default.</exception>
    public async Task<LoyaltyResult<HouseholdRedemption>> RedeemRewardAsync(MemberId memberId, RewardId rewardId, RedemptionId redemptionId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        Preconditions.CheckNotDefault(rewardId.IsDefault, nameof(RewardId), nameof(rewardId));
        Preconditions.CheckNotDefault(redemptionId.IsDefault, nameof(RedemptionId), nameof(redemptionId));
        var programId = settings.ProgramId;
        var existing = await rewards.GetRedemptionAsync(programId, redemptionId, cancellationToken).ConfigureAwait(false);
        var household = await households.FindByMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        if (existing is not null || household is null)
        {
            if (existing is null)
            {
                return LoyaltyResult<HouseholdRedemption>.Failure(LoyaltyErrorCode.NotInHousehold, $"Member '{memberId}' belongs to no household; join one, or redeem with the member's own points (LoyaltyProgram.RedeemRewardAsync).");
            }

            var repeat = await program.RedeemRewardAsync(memberId, rewardId, redemptionId, cancellationToken).ConfigureAwait(false);
            return repeat.Succeeded
                ? LoyaltyResult<HouseholdRedemption>.Success(new HouseholdRedemption(repeat.Value!, await SharesOfAsync(repeat.Value!, household, cancellationToken).ConfigureAwait(false)), repeat.IsRepeat)
                : LoyaltyResult<HouseholdRedemption>.Failure(repeat.Error!.Code, repeat.Error.Message, repeat.Error.Field);
        }

        var catalog = await rewards.GetCatalogAsync(programId, cancellationToken).ConfigureAwait(false);
        if (catalog.Find(rewardId) is not { Kind: not RewardKind.PayWithPoints } reward || !reward.IsOfferedAt(clock.GetCurrentInstant()))
        {
            // Unknown, pay-with-points or not offered: the programme refuses it with its own words, before anything moves.
            var refused = await program.RedeemRewardAsync(memberId, rewardId, redemptionId, cancellationToken).ConfigureAwait(false);
            return refused.Succeeded
                ? LoyaltyResult<HouseholdRedemption>.Success(new HouseholdRedemption(refused.Value!, [new HouseholdContribution(memberId, refused.Value!.PointsSpent)]), refused.IsRepeat)
                : LoyaltyResult<HouseholdRedemption>.Failure(refused.Error!.Code, refused.Error.Message, refused.Error.Field);
        }

        var (plan, available) = await PlanAsync(household, reward.Cost, cancellationToken).ConfigureAwait(false);
        if (plan is null)
        {
            return LoyaltyResult<HouseholdRedemption>.Failure(LoyaltyErrorCode.InsufficientPoints, InsufficientMessage(household, available, reward.Cost));
        }

        return await AtomicallyAsync(ct => RedeemInUnitAsync(memberId, rewardId, redemptionId, plan, ct), cancellationToken).ConfigureAwait(false);
    }

    private async Task<LoyaltyResult<HouseholdRedemption>> RedeemInUnitAsync(MemberId memberId, RewardId rewardId, RedemptionId redemptionId, IReadOnlyList<HouseholdContribution> plan, CancellationToken cancellationToken)
    {
        var moved = new List<(HouseholdContribution Share, IReadOnlyList<Transfers.PointsTransferLeg> Legs)>();
        foreach (var share in plan.Where(s => s.MemberId != memberId))
        {
            var (debit, legs) = await mover.MoveAsync(
                share.MemberId, memberId, share.Points, DerivedIds.Household("out", redemptionId, share.MemberId), i => LegId("in", i, redemptionId, share.MemberId), $"the share of member '{share.MemberId}' in redemption '{redemptionId}'", cancellationToken).ConfigureAwait(false);
            if (!debit.Succeeded)
            {
                await UndoAsync(memberId, redemptionId, moved, cancellationToken).ConfigureAwait(false);
                return debit.ErrorCode == LedgerErrorCode.InsufficientPoints
                    ? LoyaltyResult<HouseholdRedemption>.Failure(LoyaltyErrorCode.InsufficientPoints, $"Member '{share.MemberId}' no longer has the {share.Points} points of their share (spent meanwhile); nothing was redeemed, try again.")
                    : FromLedger<HouseholdRedemption>(debit);
            }

            moved.Add((share, legs));
        }

        var redeemed = await program.RedeemRewardAsync(memberId, rewardId, redemptionId, cancellationToken).ConfigureAwait(false);
        if (!redeemed.Succeeded)
        {
            await UndoAsync(memberId, redemptionId, moved, cancellationToken).ConfigureAwait(false);
            return LoyaltyResult<HouseholdRedemption>.Failure(redeemed.Error!.Code, redeemed.Error.Message, redeemed.Error.Field);
        }

        return LoyaltyResult<HouseholdRedemption>.Success(new HouseholdRedemption(redeemed.Value!, plan), redeemed.IsRepeat);
    }

    private async Task UndoAsync(MemberId memberId, RedemptionId redemptionId, List<(HouseholdContribution Share, IReadOnlyList<Transfers.PointsTransferLeg> Legs)> moved, CancellationToken cancellationToken)
    {
        foreach (var (share, legs) in moved)
        {
            await mover.UndoAsync(
                share.MemberId, memberId, DerivedIds.Household("out", redemptionId, share.MemberId), share.Points, legs,
                i => LegId("in", i, redemptionId, share.MemberId), i => LegId("undo", i, redemptionId, share.MemberId), "pooled redemption refused", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The shares of a redemption already made: what each member's move gave, the rest the member's own.</summary>
    private async Task<IReadOnlyList<HouseholdContribution>> SharesOfAsync(RewardRedemption redemption, Household? household, CancellationToken cancellationToken)
    {
        var shares = new List<HouseholdContribution>();
        var others = Points.Zero;
        foreach (var member in household?.Members ?? [])
        {
            if (member.MemberId != redemption.MemberId
                && await ledger.FindTransactionAsync(DerivedIds.Household("out", redemption.Id, member.MemberId), cancellationToken).ConfigureAwait(false) is { } moved)
            {
                shares.Add(new HouseholdContribution(member.MemberId, Points.FromInt64(moved.Amount)));
                others += Points.FromInt64(moved.Amount);
            }
        }

        var own = redemption.PointsSpent - others;
        if (own > Points.Zero)
        {
            shares.Insert(0, new HouseholdContribution(redemption.MemberId, own));
        }

        return shares;
    }

    /// <summary>The plan for <paramref name="points"/>, or null with the pooled points when they are not enough.</summary>
    private async Task<(IReadOnlyList<HouseholdContribution>? Plan, Points Available)> PlanAsync(Household household, Points points, CancellationToken cancellationToken)
    {
        var ordered = household.Members.OrderBy(m => m.MemberId == household.Owner ? 0 : 1).ToList();
        var available = new long[ordered.Count];
        for (var i = 0; i < ordered.Count; i++)
        {
            available[i] = Math.Max(0, (await ledger.GetBalanceAsync(ordered[i].MemberId, cancellationToken).ConfigureAwait(false)).Available.Value);
        }

        var shares = HouseholdPlan.Shares(options.SpendingOrder, available, points.Value);
        var total = Points.FromInt64(available.Sum());
        if (shares is null)
        {
            return (null, total);
        }

        IReadOnlyList<HouseholdContribution> plan = ordered.Select((m, i) => new HouseholdContribution(m.MemberId, Points.FromInt64(shares[i]))).Where(c => c.Points > Points.Zero).ToArray();
        return (plan, total);
    }

    private static TransactionId LegId(string step, int leg, RedemptionId redemptionId, MemberId member) =>
        DerivedIds.Household(step + leg.ToString(System.Globalization.CultureInfo.InvariantCulture), redemptionId, member);

    private async Task<LoyaltyResult<Household>> InAnotherAsync(MemberId memberId, CancellationToken cancellationToken)
    {
        var current = await households.FindByMemberAsync(settings.ProgramId, memberId, cancellationToken).ConfigureAwait(false);
        return LoyaltyResult<Household>.Failure(LoyaltyErrorCode.AlreadyInHousehold, $"Member '{memberId}' already belongs to household '{current?.Id}'; they must leave it first.");
    }

    private static LoyaltyResult<Household> NotFound(HouseholdId householdId) =>
        LoyaltyResult<Household>.Failure(LoyaltyErrorCode.HouseholdNotFound, NotFoundMessage(householdId));

    private static string NotFoundMessage(HouseholdId householdId) => $"Household '{householdId}' does not exist; create it first with CreateHouseholdAsync.";

    private static string InsufficientMessage(Household household, Points available, Points needed) =>
        $"Household '{household.Id}' has {available} points available among its {household.Members.Count} member{(household.Members.Count == 1 ? string.Empty : "s")}; {needed} are needed.";

    private async Task<T> AtomicallyAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (unitOfWork is null)
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await unitOfWork.RunAsync(ledger.ForgettingOnRerun(work), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ledger.ForgetCachedAccounts();
            throw;
        }
    }
}
