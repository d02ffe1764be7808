using System.Globalization;
using Loyalty.Core.Configuration;
using Loyalty.Core.Earning;
using Loyalty.Core.Internal;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Coalition;

/// <summary>
/// One programme serving many merchants: the operator registers partners and their agreements,
/// partners record orders, activities and redemptions (each recorded on the ledger with its
/// merchant), and the operator settles each period with every partner. Resolve it from DI after
/// <c>services.AddLoyalty(…).AddCoalition()</c>.
/// </summary>
/// <remarks>
/// <para>A member has one balance across merchants and one tier (qualification counts orders at
/// every merchant). Orders name their merchant in <see cref="EarningOrder.Store"/>, activities in
/// <see cref="ActivityInput.Merchant"/>; a merchant's own earning rules are a rule-set history of its
/// own (<see cref="PublishMerchantRuleSetAsync"/>), applied on top of the coalition-wide rules.</para>
/// <para>Bad input (an unknown merchant, an order dated after its merchant left, an overlapping
/// agreement, a negative price) throws an <see cref="ArgumentException"/> before anything is
/// written. Business outcomes come back as <see cref="CoalitionResult{T}"/> errors.</para>
/// </remarks>
public sealed class CoalitionProgram
{
    private readonly IClock clock;
    private readonly ProgramSettings settings;
    private readonly LoyaltyProgram program;
    private readonly PointsLedger ledger;
    private readonly ILedgerStore ledgerStore;
    private readonly IPartnerStore partners;
    private readonly ISettlementStore settlements;
    private readonly SettlementOptions options;

    /// <summary>Creates the coalition service (DI does this).</summary>
    /// <param name="clock">The clock.</param>
    /// <param name="settings">The programme's settings.</param>
    /// <param name="program">The programme (orders, activities, refunds).</param>
    /// <param name="ledger">The points ledger (redemptions at partners).</param>
    /// <param name="ledgerStore">The ledger store; it must implement <see cref="ILedgerTransactionFeed"/> for settlement.</param>
    /// <param name="partners">The partner store.</param>
    /// <param name="settlements">The settlement store.</param>
    /// <param name="options">The settlement options, or null for the defaults.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public CoalitionProgram(
        IClock clock,
        ProgramSettings settings,
        LoyaltyProgram program,
        PointsLedger ledger,
        ILedgerStore ledgerStore,
        IPartnerStore partners,
        ISettlementStore settlements,
        SettlementOptions? options = null)
    {
        this.clock = Preconditions.CheckNotNull(clock);
        this.settings = Preconditions.CheckNotNull(settings);
        this.program = Preconditions.CheckNotNull(program);
        this.ledger = Preconditions.CheckNotNull(ledger);
        this.ledgerStore = Preconditions.CheckNotNull(ledgerStore);
        this.partners = Preconditions.CheckNotNull(partners);
        this.settlements = Preconditions.CheckNotNull(settlements);
        this.options = options ?? new SettlementOptions();
        if (this.options.ClosingDelay < Duration.Zero || this.options.ClosingDelay > Duration.FromDays(7))
        {
            throw new ArgumentOutOfRangeException(nameof(options), this.options.ClosingDelay, $"SettlementOptions.ClosingDelay must be 0 to 7 days (was {this.options.ClosingDelay}).");
        }

        Preconditions.CheckInRange(this.options.ReferenceBatchSize, 1, 100_000, "options.ReferenceBatchSize");
    }

    /// <summary>The programme the coalition runs.</summary>
    public LoyaltyProgram Program => program;

    // ---------------------------------------------------------------- partners and agreements

    /// <summary>Registers a partner. Registering the same partner again is a repeat.</summary>
    /// <param name="partner">The partner (its <see cref="Partner.Version"/> is ignored).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored partner.</returns>
    /// <exception cref="ArgumentException">A field is invalid, or another partner with that id is registered.</exception>
    public async Task<Partner> RegisterPartnerAsync(Partner partner, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(partner);
        partner.Validate(nameof(partner));
        var stored = await partners.AddPartnerAsync(settings.ProgramId, partner with { Version = 0 }, cancellationToken).ConfigureAwait(false);
        if (stored with { Version = 0 } != partner with { Version = 0 })
        {
            throw new ArgumentException($"Partner '{partner.Id}' is already registered with other details; change it with RecordPartnerLeavingAsync or UpdatePartnerAsync, or use another id.", nameof(partner));
        }

        return stored;
    }

    /// <summary>Changes a registered partner (name, status, dates), under optimistic concurrency.</summary>
    /// <param name="partner">The new details, with the <see cref="Partner.Version"/> read.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored partner.</returns>
    /// <exception cref="ArgumentException">A field is invalid, the partner is unknown, its currency would change, or it changed since it was read.</exception>
    public async Task<Partner> UpdatePartnerAsync(Partner partner, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(partner);
        partner.Validate(nameof(partner));
        var current = await PartnerAsync(partner.Id, nameof(partner), cancellationToken).ConfigureAwait(false);
        if (current.Currency != partner.Currency)
        {
            throw new ArgumentException($"Partner '{partner.Id}' is billed in {current.Currency.Code}; its currency cannot change to {partner.Currency.Code}. Register a new partner id for the new currency.", nameof(partner));
        }

        if (!await partners.UpdatePartnerAsync(settings.ProgramId, partner, partner.Version, cancellationToken).ConfigureAwait(false))
        {
            throw new ArgumentException($"Partner '{partner.Id}' changed since version {partner.Version} was read (now version {current.Version}); read it again and reapply the change.", nameof(partner));
        }

        return partner with { Version = partner.Version + 1 };
    }

    /// <summary>Records that a partner leaves the coalition: nothing dated <paramref name="leftOn"/> or later can be recorded for it; its history is settled as usual.</summary>
    /// <param name="merchant">The partner.</param>
    /// <param name="leftOn">The first day it no longer takes part, in the programme's time zone.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored partner.</returns>
    /// <exception cref="ArgumentException">The partner is unknown, or the day is not after it joined.</exception>
    public async Task<Partner> RecordPartnerLeavingAsync(MerchantId merchant, LocalDate leftOn, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await PartnerAsync(merchant, nameof(merchant), cancellationToken).ConfigureAwait(false);
            var next = current with { Status = PartnerStatus.Left, LeftOn = leftOn };
            next.Validate(nameof(leftOn));
            if (await partners.UpdatePartnerAsync(settings.ProgramId, next, current.Version, cancellationToken).ConfigureAwait(false))
            {
                return next with { Version = current.Version + 1 };
            }

            if (attempt >= 3)
            {
                throw new LoyaltyStoreException($"Partner '{merchant}' kept changing concurrently; retry the call.", isTransient: true);
            }
        }
    }

    /// <summary>Reads a partner.</summary>
    /// <param name="merchant">The partner's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The partner, or null.</returns>
    public Task<Partner?> GetPartnerAsync(MerchantId merchant, CancellationToken cancellationToken = default) =>
        partners.GetPartnerAsync(settings.ProgramId, merchant, cancellationToken).AsTask();

    /// <summary>Reads every partner, ordered by id.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The partners.</returns>
    public Task<IReadOnlyList<Partner>> ListPartnersAsync(CancellationToken cancellationToken = default) =>
        partners.ListPartnersAsync(settings.ProgramId, cancellationToken).AsTask();

    /// <summary>Adds an agreement version. Adding the same version again is a repeat.</summary>
    /// <param name="agreement">The version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when added; false when the identical version was already there.</returns>
    /// <exception cref="ArgumentException">
    /// A field is invalid (a negative price, a billing percentage out of range…), the merchant is not a
    /// partner, the currency is not the partner's, the version number is taken, or its days overlap
    /// another version's.
    /// </exception>
    public async Task<bool> AddAgreementAsync(PartnerAgreement agreement, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(agreement);
        agreement.Validate(nameof(agreement));
        var partner = await PartnerAsync(agreement.Merchant, nameof(agreement), cancellationToken).ConfigureAwait(false);
        if (agreement.Currency != partner.Currency)
        {
            throw new ArgumentException($"Agreement version {agreement.Version} of partner '{agreement.Merchant}' is in {agreement.Currency.Code} but the partner is billed in {partner.Currency.Code}; use the partner's currency.", nameof(agreement));
        }

        var result = await partners.AddAgreementAsync(settings.ProgramId, agreement, cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            AgreementAddStatus.Added => true,
            AgreementAddStatus.Repeat => false,
            AgreementAddStatus.VersionTaken => throw new ArgumentException(
                $"Partner '{agreement.Merchant}' already has an agreement version {agreement.Version} with other terms; versions are never changed, add version {agreement.Version + 1} instead.", nameof(agreement)),
            _ => throw new ArgumentException(
                $"Agreement version {agreement.Version} of partner '{agreement.Merchant}' ({Days(agreement)}) overlaps version {result.Conflicting!.Version} ({Days(result.Conflicting)}); give it days no other version covers (end the earlier version first by adding it with an EffectiveUntil).",
                nameof(agreement)),
        };
    }

    /// <summary>Reads a partner's agreement versions, oldest first.</summary>
    /// <param name="merchant">The partner.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The versions.</returns>
    public Task<IReadOnlyList<PartnerAgreement>> GetAgreementsAsync(MerchantId merchant, CancellationToken cancellationToken = default) =>
        partners.GetAgreementsAsync(settings.ProgramId, merchant, cancellationToken).AsTask();

    /// <summary>Records a prepaid block bought by a partner. Recording the same block again is a repeat.</summary>
    /// <param name="block">The block.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored block.</returns>
    /// <exception cref="ArgumentException">A field is invalid, the merchant is not a partner, the currency is not the partner's, or another block has that id.</exception>
    public async Task<PrepaidPointBlock> BuyPrepaidBlockAsync(PrepaidPointBlock block, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(block);
        block.Validate(nameof(block));
        var partner = await PartnerAsync(block.Merchant, nameof(block), cancellationToken).ConfigureAwait(false);
        if (block.Currency != partner.Currency)
        {
            throw new ArgumentException($"Prepaid block '{block.BlockId}' of partner '{block.Merchant}' is priced in {block.Currency.Code} but the partner is billed in {partner.Currency.Code}.", nameof(block));
        }

        var stored = await partners.AddBlockAsync(settings.ProgramId, block, cancellationToken).ConfigureAwait(false);
        return stored == block
            ? stored
            : throw new ArgumentException($"Partner '{block.Merchant}' already has a prepaid block '{block.BlockId}' with other terms; use another block id.", nameof(block));
    }

    /// <summary>What a partner's prepaid blocks hold now.</summary>
    /// <param name="merchant">The partner.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The balance.</returns>
    public Task<PrepaidBalance> GetPrepaidBalanceAsync(MerchantId merchant, CancellationToken cancellationToken = default) =>
        partners.GetPrepaidBalanceAsync(settings.ProgramId, merchant, clock.GetCurrentInstant(), cancellationToken).AsTask();

    // ---------------------------------------------------------------- merchant earning rules

    /// <summary>
    /// Publishes a version of a partner's own earning rule set. An order (or activity) at the partner
    /// is earned under the programme-wide rule set in force at its instant <em>plus</em> the partner's
    /// own version in force then: both sets' rules apply and their points add; stacking groups,
    /// exclusive rules and caps act within each set (an exclusive rule of one set never skips a rule of
    /// the other). The partner's rules are recorded under the ids <c>{merchant}/{rule}</c>, so their cap
    /// usage never mixes with a programme-wide rule's or another partner's of the same id. Versions
    /// are kept per partner (their labels and effective instants are the partner's own); publishing
    /// the same rule set again changes nothing.
    /// </summary>
    /// <param name="merchant">The partner.</param>
    /// <param name="ruleSet">The rule set, in the programme's currency and time zone; its rule ids hold no <c>/</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when added; false when this very rule set was already published for the partner.</returns>
    /// <exception cref="ArgumentException">
    /// The merchant is not a partner, has left (or leaves before the rule set takes effect); the rule
    /// set is in another currency or time zone than the programme; a rule id holds a <c>/</c> or is too
    /// long once namespaced; a programme-wide rule has a namespaced id; or another version of the
    /// partner has the same label or effective instant. Nothing is written.
    /// </exception>
    /// <exception cref="InvalidOperationException">The rule-set store does not keep merchant rule sets (<see cref="IMerchantRuleSetStore"/>).</exception>
    public async Task<bool> PublishMerchantRuleSetAsync(MerchantId merchant, EarningRuleSet ruleSet, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(merchant.IsDefault, nameof(MerchantId), nameof(merchant));
        Preconditions.CheckNotNull(ruleSet);
        var partner = await PartnerAsync(merchant, nameof(merchant), cancellationToken).ConfigureAwait(false);
        if (partner.LeftOn is { } left)
        {
            var today = clock.GetCurrentInstant().InZone(settings.TimeZone).Date;
            var effective = ruleSet.EffectiveFrom.InZone(settings.TimeZone).Date;
            if (today >= left)
            {
                throw new ArgumentException($"Partner '{merchant}' left the coalition on {left:yyyy-MM-dd}; a partner that left cannot publish earning rules (rule set {ruleSet.Version} was not published).", nameof(merchant));
            }

            if (effective >= left)
            {
                throw new ArgumentException($"Rule set {ruleSet.Version} of partner '{merchant}' takes effect on {effective:yyyy-MM-dd}, but the partner leaves the coalition on {left:yyyy-MM-dd}; it would never apply. Nothing was published.", nameof(ruleSet));
            }
        }

        return await program.PublishMerchantRuleSetAsync(merchant, ruleSet, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a partner's own earning rule-set versions, oldest effective instant first.</summary>
    /// <param name="merchant">The partner.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The history; empty when the partner published none.</returns>
    public Task<EarningRuleSetHistory> GetMerchantRuleSetsAsync(MerchantId merchant, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(merchant.IsDefault, nameof(MerchantId), nameof(merchant));
        return program.GetMerchantRuleSetsAsync(merchant, cancellationToken);
    }

    // ---------------------------------------------------------------- orders, activities, redemptions

    /// <summary>
    /// Records an order placed at a partner (<see cref="EarningOrder.Store"/>): the programme's
    /// <see cref="LoyaltyProgram.RecordOrderAsync"/>, with the merchant recorded on its points. Under
    /// a prepaid agreement the points are first drawn from the partner's blocks, and the order is
    /// refused with <see cref="CoalitionErrorCode.PrepaidPointsExhausted"/> when they do not hold
    /// enough. Recording the same order again is a repeat.
    /// </summary>
    /// <param name="order">The order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The receipt, or an error.</returns>
    /// <exception cref="ArgumentException">The order names no merchant, a merchant that is not a partner, or one that does not take part on the order's day; nothing is written.</exception>
    public async Task<CoalitionResult<OrderReceipt>> RecordOrderAsync(EarningOrder order, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(order);
        if (order.Store is not { } merchant)
        {
            throw new ArgumentException($"Order '{order.Id}' names no merchant; in a coalition every order names the partner where it was placed in EarningOrder.Store.", nameof(order));
        }

        var (_, agreement) = await ParticipationAsync(merchant, order.PlacedAt, $"Order '{order.Id}'", nameof(order), cancellationToken).ConfigureAwait(false);
        if (agreement is null)
        {
            return CoalitionResult<OrderReceipt>.Failure(NoAgreement(merchant, order.PlacedAt, $"order '{order.Id}'"));
        }

        var key = DerivedIds.Order(order.Id);
        if (agreement.Billing != IssuanceBilling.Prepaid
            || await program.Members.GetOrderAsync(settings.ProgramId, order.Id, cancellationToken).ConfigureAwait(false) is not null)
        {
            // Not prepaid, or already recorded (a repeat or a conflict): the blocks were drawn, if at all, when it was first recorded.
            return Wrap(await program.RecordOrderAsync(order, cancellationToken).ConfigureAwait(false));
        }

        return await WithPrepaidAsync(
            merchant,
            key,
            async ct => (await program.QuoteAsync(order, ct).ConfigureAwait(false)).Value?.Points ?? Points.Zero,
            async ct =>
            {
                var result = await program.RecordOrderAsync(order, ct).ConfigureAwait(false);
                return (result, result.Value?.Points, result.Value is null ? null : new ReversePoints(TransactionId.From("prepaid-excess:" + order.Id.Value), order.Member, key, Points.Zero));
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records an activity at a partner (<see cref="ActivityInput.Merchant"/>), like
    /// <see cref="RecordOrderAsync"/> does an order. Under a prepaid agreement its points are quoted
    /// and drawn from the partner's blocks before anything is written; when the blocks cannot cover
    /// them it is refused with <see cref="CoalitionErrorCode.PrepaidPointsExhausted"/> and nothing is
    /// recorded. (The quote does not reserve campaign budgets: when a budget cuts the points, the
    /// draw is shrunk to what was earned once recorded.)
    /// </summary>
    /// <param name="activityId">The shop's id for the activity.</param>
    /// <param name="activity">The activity.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The receipt, or an error.</returns>
    /// <exception cref="ArgumentException">The activity names no merchant, a merchant that is not a partner, or one that does not take part on the activity's day; nothing is written.</exception>
    public async Task<CoalitionResult<ActivityReceipt>> RecordActivityAsync(ActivityId activityId, ActivityInput activity, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(activity);
        if (activity.Merchant is not { } merchant)
        {
            throw new ArgumentException($"Activity '{activityId}' names no merchant; in a coalition every activity names the partner where it happened in ActivityInput.Merchant.", nameof(activity));
        }

        var (_, agreement) = await ParticipationAsync(merchant, activity.OccurredAt, $"Activity '{activityId}'", nameof(activity), cancellationToken).ConfigureAwait(false);
        if (agreement is null)
        {
            return CoalitionResult<ActivityReceipt>.Failure(NoAgreement(merchant, activity.OccurredAt, $"activity '{activityId}'"));
        }

        if (agreement.Billing != IssuanceBilling.Prepaid
            || await program.Members.GetActivityAsync(settings.ProgramId, activityId, cancellationToken).ConfigureAwait(false) is not null)
        {
            return Wrap(await program.RecordActivityAsync(activityId, activity, cancellationToken).ConfigureAwait(false));
        }

        // Quoted and drawn before anything is written: an activity the blocks cannot cover is refused with nothing recorded.
        var key = DerivedIds.Activity(activityId);
        return await WithPrepaidAsync(
            merchant,
            key,
            ct => program.QuoteActivityAsync(activity, ct),
            async ct =>
            {
                var result = await program.RecordActivityAsync(activityId, activity, ct).ConfigureAwait(false);
                return (result, result.Value?.Points, result.Value is null ? null : new ReversePoints(TransactionId.From("prepaid-excess:" + activityId.Value), activity.Member, key, Points.Zero));
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records a refund of an order placed at a partner: the programme's
    /// <see cref="LoyaltyProgram.RecordRefundAsync"/>; the reversal carries the order's merchant, and
    /// settles in the period it is recorded in (as an adjustment when the order was in an earlier one).
    /// When the order drew on the partner's prepaid blocks, the points taken back return to them
    /// (latest-drawn part first): the draw shrinks to the order's points less every refund's points
    /// reversed, so a repeat or a retry after a crash returns them once.
    /// </summary>
    /// <param name="refund">The refund.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The receipt, or an error.</returns>
    public async Task<CoalitionResult<RefundReceipt>> RecordRefundAsync(RefundRequest refund, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(refund);
        var result = await program.RecordRefundAsync(refund, cancellationToken).ConfigureAwait(false);
        if (result.Value is { } receipt)
        {
            await ReturnToBlocksAsync(receipt.OrderId, cancellationToken).ConfigureAwait(false);
        }

        return Wrap(result);
    }

    /// <summary>
    /// Spends a member's points in a partner's shop (soonest-expiry-first, across every merchant's
    /// lots): the partner is reimbursed for them at settlement. Spending again with the same id is a repeat.
    /// </summary>
    /// <param name="redemptionId">The partner's id for the spend, also its idempotency key.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="merchant">The partner.</param>
    /// <param name="points">The points, more than 0.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The ledger transaction, or an error (insufficient points, no agreement in force).</returns>
    /// <exception cref="ArgumentException">An id is default, the points are not positive, or the merchant is not a partner taking part today.</exception>
    public async Task<CoalitionResult<LedgerTransactionRecord>> RedeemAtAsync(string redemptionId, MemberId memberId, MerchantId merchant, Points points, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(redemptionId);
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        Preconditions.CheckNotDefault(merchant.IsDefault, nameof(MerchantId), nameof(merchant));
        Preconditions.CheckPositive(points.Value, nameof(points));
        var now = clock.GetCurrentInstant();
        var (_, agreement) = await ParticipationAsync(merchant, now, $"Redemption '{redemptionId}'", nameof(merchant), cancellationToken).ConfigureAwait(false);
        if (agreement is null)
        {
            return CoalitionResult<LedgerTransactionRecord>.Failure(NoAgreement(merchant, now, $"redemption '{redemptionId}'"));
        }

        var result = await ledger.RedeemAsync(new RedeemPoints(TransactionId.From("partner-redeem:" + redemptionId), memberId, points) { Merchant = merchant }, cancellationToken).ConfigureAwait(false);
        return result.Transaction is { } tx
            ? CoalitionResult<LedgerTransactionRecord>.Success(tx, result.IsRepeat)
            : CoalitionResult<LedgerTransactionRecord>.Failure(new CoalitionError(CoalitionErrorCode.LedgerRefused, result.Error!.Message, Ledger: result.Error));
    }

    /// <summary>
    /// Redeems a catalogue reward in a partner's shop: the programme's
    /// <see cref="LoyaltyProgram.RedeemRewardAsync"/>, with the partner recorded on the spend, so the
    /// partner is reimbursed for the points at settlement (a cancellation gives the reimbursement back).
    /// Redeeming again with the same id is a repeat.
    /// </summary>
    /// <param name="merchant">The partner.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="rewardId">The reward.</param>
    /// <param name="redemptionId">The redemption's id, also its idempotency key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The receipt, or an error (the programme's refusals, or no agreement in force).</returns>
    /// <exception cref="ArgumentException">An id is default, or the merchant is not a partner taking part today; nothing is written.</exception>
    public async Task<CoalitionResult<RewardRedemption>> RedeemRewardAtAsync(MerchantId merchant, MemberId memberId, RewardId rewardId, RedemptionId redemptionId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(merchant.IsDefault, nameof(MerchantId), nameof(merchant));
        var now = clock.GetCurrentInstant();
        var (_, agreement) = await ParticipationAsync(merchant, now, $"Redemption '{redemptionId}'", nameof(merchant), cancellationToken).ConfigureAwait(false);
        if (agreement is null)
        {
            return CoalitionResult<RewardRedemption>.Failure(NoAgreement(merchant, now, $"redemption '{redemptionId}'"));
        }

        return Wrap(await program.RedeemRewardAtAsync(merchant, memberId, rewardId, redemptionId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Pay with points in a partner's shop, step 1: the programme's <see cref="LoyaltyProgram.HoldPointsAsync"/>
    /// with the partner recorded on the hold. The capture (by <see cref="RecordOrderAsync"/> for an order
    /// paid with points, or <see cref="LoyaltyProgram.CaptureHeldPointsAsync"/>) is recorded at the
    /// order's partner, else at the hold's: the partner is reimbursed for the points captured.
    /// </summary>
    /// <param name="merchant">The partner.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="rewardId">The pay-with-points reward whose terms apply.</param>
    /// <param name="orderId">The order being paid.</param>
    /// <param name="orderTotal">The order total, in the programme's currency.</param>
    /// <param name="points">The points to use; greater than 0.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hold, or an error (the programme's refusals, or no agreement in force).</returns>
    /// <exception cref="ArgumentException">An argument is invalid, or the merchant is not a partner taking part today; nothing is written.</exception>
    public async Task<CoalitionResult<PointsHold>> HoldPointsAtAsync(MerchantId merchant, MemberId memberId, RewardId rewardId, OrderId orderId, Money orderTotal, Points points, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(merchant.IsDefault, nameof(MerchantId), nameof(merchant));
        var now = clock.GetCurrentInstant();
        var (_, agreement) = await ParticipationAsync(merchant, now, $"Points hold for order '{orderId}'", nameof(merchant), cancellationToken).ConfigureAwait(false);
        if (agreement is null)
        {
            return CoalitionResult<PointsHold>.Failure(NoAgreement(merchant, now, $"the points hold of order '{orderId}'"));
        }

        return Wrap(await program.HoldPointsAtAsync(merchant, memberId, rewardId, orderId, orderTotal, points, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Undoes all or part of a spend at a partner (the goods were returned): the points go back to the lots they came from; the reimbursement is taken back at settlement.</summary>
    /// <param name="redemptionId">The spend's id.</param>
    /// <param name="reversalId">The partner's id for the return, also its idempotency key.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="points">The points to give back.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The ledger transaction, or an error.</returns>
    /// <exception cref="ArgumentException">An id is default or the points are not positive.</exception>
    public async Task<CoalitionResult<LedgerTransactionRecord>> ReverseRedemptionAsync(string redemptionId, string reversalId, MemberId memberId, Points points, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(redemptionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reversalId);
        var result = await ledger.ReverseAsync(new ReversePoints(TransactionId.From("partner-return:" + reversalId), memberId, TransactionId.From("partner-redeem:" + redemptionId), points), cancellationToken).ConfigureAwait(false);
        return result.Transaction is { } tx
            ? CoalitionResult<LedgerTransactionRecord>.Success(tx, result.IsRepeat)
            : CoalitionResult<LedgerTransactionRecord>.Failure(new CoalitionError(CoalitionErrorCode.LedgerRefused, result.Error!.Message, Ledger: result.Error));
    }

    // ---------------------------------------------------------------- settlement

    /// <summary>
    /// Settles a period: a statement per partner from the ledger transactions recorded in it, checked
    /// by the reconciliation, stored as a draft. Idempotent: settling the same period again gives the
    /// same statements while nothing new is recorded in it; a closed period gives its closed run,
    /// unchanged whatever happened since.
    /// </summary>
    /// <param name="period">The period.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The run.</returns>
    /// <exception cref="ArgumentException">The period has not started yet.</exception>
    /// <exception cref="InvalidOperationException">The ledger store cannot list transactions by period, or the ledger holds what the settlement cannot attribute (see <see cref="SettlementCalculator"/>).</exception>
    public async Task<SettlementRun> SettleAsync(SettlementPeriod period, CancellationToken cancellationToken = default)
    {
        if (await settlements.GetRunAsync(settings.ProgramId, period, cancellationToken).ConfigureAwait(false) is { Status: SettlementStatus.Closed } closed)
        {
            return closed;
        }

        var run = await ComputeAsync(period, closing: false, cancellationToken).ConfigureAwait(false);
        return await settlements.SaveRunAsync(settings.ProgramId, run, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Closes a period: settles it one last time and freezes it, with the ids of the transactions it
    /// counted (<see cref="SettlementRun.Included"/>). A reversal recorded later of an order or
    /// redemption of the period lands in the period it is recorded in, as an adjustment line; a
    /// transaction recorded in the period but committed after the close (a clock behind, a slow
    /// commit) lands in the next settlement of a later period as an adjustment line naming this one.
    /// Closing a closed period returns it unchanged.
    /// </summary>
    /// <param name="period">The period.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The closed run.</returns>
    /// <exception cref="ArgumentException">The period has not ended at least <see cref="SettlementOptions.ClosingDelay"/> ago.</exception>
    public async Task<SettlementRun> CloseAsync(SettlementPeriod period, CancellationToken cancellationToken = default)
    {
        if (await settlements.GetRunAsync(settings.ProgramId, period, cancellationToken).ConfigureAwait(false) is { Status: SettlementStatus.Closed } closed)
        {
            return closed;
        }

        var now = clock.GetCurrentInstant();
        var closable = period.EndIn(settings.TimeZone) + options.ClosingDelay;
        if (now < closable)
        {
            throw new ArgumentException($"Period {period} can be closed from {closable} (its end plus the closing delay of {options.ClosingDelay}); it is {now}. Settle it as a draft until then.", nameof(period));
        }

        var run = await ComputeAsync(period, closing: true, cancellationToken).ConfigureAwait(false) with { Status = SettlementStatus.Closed, ClosedAt = now };
        return await settlements.SaveRunAsync(settings.ProgramId, run, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The ledger transactions behind a statement line: the ids of the period's transactions
    /// attributed to the partner with that kind, ordered by recording instant then id. They include
    /// the late transactions of earlier closed periods the period's settlement lands as adjustments
    /// (for a closed period, those its closed run counted).
    /// </summary>
    /// <param name="period">The period.</param>
    /// <param name="merchant">The partner.</param>
    /// <param name="kind">The line kind (not <see cref="SettlementLineKind.PrepaidBlock"/>: a block line names its block).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The transaction ids.</returns>
    /// <exception cref="InvalidOperationException">The ledger store cannot list transactions by period.</exception>
    public async Task<IReadOnlyList<TransactionId>> TraceAsync(SettlementPeriod period, MerchantId merchant, SettlementLineKind kind, CancellationToken cancellationToken = default)
    {
        var transactions = await ReadPeriodAsync(period, cancellationToken).ConfigureAwait(false);
        transactions.AddRange(await LateAsync(period, transactions, cancellationToken).ConfigureAwait(false));
        var references = await ReferencesAsync(transactions, cancellationToken).ConfigureAwait(false);
        LedgerTransactionRecord? Find(TransactionId id) => references.TryGetValue(id, out var r) ? r : transactions.FirstOrDefault(t => t.Id == id);
        var found = new List<LedgerTransactionRecord>();
        foreach (var tx in transactions)
        {
            var match = kind switch
            {
                SettlementLineKind.Issued => tx.Kind == LedgerTransactionKind.Earn && tx.Merchant == merchant,
                SettlementLineKind.Redeemed => tx.Kind is LedgerTransactionKind.Redeem or LedgerTransactionKind.Capture && tx.Merchant == merchant,
                SettlementLineKind.Adjusted => tx.Kind == LedgerTransactionKind.Adjust && tx.Merchant == merchant,
                SettlementLineKind.IssuanceReversed or SettlementLineKind.WrittenOff => tx.Kind == LedgerTransactionKind.Reverse
                    && Find(tx.RelatedId!.Value) is { Kind: LedgerTransactionKind.Earn } o && o.Merchant == merchant && (kind != SettlementLineKind.WrittenOff || tx.WrittenOff > 0),
                SettlementLineKind.RedemptionReversed => tx.Kind == LedgerTransactionKind.Reverse
                    && Find(tx.RelatedId!.Value) is { Kind: LedgerTransactionKind.Redeem or LedgerTransactionKind.Capture } o && o.Merchant == merchant,
                SettlementLineKind.Expired => tx.Kind == LedgerTransactionKind.Expire && tx.Movements.Any(m => Find(m.LotId)?.Merchant == merchant),
                _ => false,
            };
            if (match)
            {
                found.Add(tx);
            }
        }

        return found.OrderBy(t => t.RecordedAt).ThenBy(t => t.Id).Select(t => t.Id).ToArray();
    }

    private async Task<SettlementRun> ComputeAsync(SettlementPeriod period, bool closing, CancellationToken cancellationToken)
    {
        var zone = settings.TimeZone;
        var start = period.StartIn(zone);
        if (clock.GetCurrentInstant() < start)
        {
            throw new ArgumentException($"Period {period} starts at {start}, in the future; settle a period that has started.", nameof(period));
        }

        var all = await partners.ListPartnersAsync(settings.ProgramId, cancellationToken).ConfigureAwait(false);
        var agreements = new Dictionary<MerchantId, IReadOnlyList<PartnerAgreement>>();
        var blocks = new List<PrepaidPointBlock>();
        var end = period.EndIn(zone);
        foreach (var partner in all)
        {
            agreements[partner.Id] = await partners.GetAgreementsAsync(settings.ProgramId, partner.Id, cancellationToken).ConfigureAwait(false);
            blocks.AddRange((await partners.GetBlocksAsync(settings.ProgramId, partner.Id, cancellationToken).ConfigureAwait(false))
                .Where(b => b.PurchasedAt >= start && b.PurchasedAt < end));
        }

        var transactions = await ReadPeriodAsync(period, cancellationToken).ConfigureAwait(false);
        var late = await LateAsync(period, null, cancellationToken).ConfigureAwait(false);
        var references = await ReferencesAsync([.. transactions, .. late], cancellationToken).ConfigureAwait(false);

        var run = SettlementCalculator.Compute(period, zone, all, agreements, blocks, transactions, late, references);

        // The watermark later settlements compare this period against: kept by closed runs only.
        return closing ? run with { Included = transactions.Concat(late).Select(t => t.Id).Order().ToArray() } : run;
    }

    /// <summary>
    /// The late transactions a period's settlement counts: for a closed run, those of its watermark
    /// outside its own period; otherwise every transaction recorded in an earlier closed period that
    /// no closed run counted (committed after that period was closed).
    /// </summary>
    private async Task<List<LedgerTransactionRecord>> LateAsync(SettlementPeriod period, List<LedgerTransactionRecord>? own, CancellationToken cancellationToken)
    {
        var late = new List<LedgerTransactionRecord>();
        if (own is not null && await settlements.GetRunAsync(settings.ProgramId, period, cancellationToken).ConfigureAwait(false) is { Status: SettlementStatus.Closed } closedRun)
        {
            // A closed period traces what it counted: not the writes of its own month committed after the close.
            var counted = closedRun.Included.ToHashSet();
            own.RemoveAll(t => !counted.Contains(t.Id));
            var ownIds = own.Select(t => t.Id).ToHashSet();
            foreach (var id in closedRun.Included)
            {
                if (!ownIds.Contains(id) && await ledgerStore.FindTransactionAsync(settings.ProgramId, id, cancellationToken).ConfigureAwait(false) is { } found)
                {
                    late.Add(found);
                }
            }

            return late;
        }

        var closed = await settlements.ListClosedPeriodsAsync(settings.ProgramId, cancellationToken).ConfigureAwait(false);
        if (!closed.Any(p => p < period))
        {
            return late;
        }

        var claimed = new HashSet<TransactionId>();
        foreach (var p in closed)
        {
            if (await settlements.GetRunAsync(settings.ProgramId, p, cancellationToken).ConfigureAwait(false) is { } run)
            {
                claimed.UnionWith(run.Included);
            }
        }

        foreach (var p in closed.Where(p => p < period))
        {
            foreach (var tx in await ReadPeriodAsync(p, cancellationToken).ConfigureAwait(false))
            {
                if (!claimed.Contains(tx.Id))
                {
                    late.Add(tx);
                }
            }
        }

        return late;
    }

    private async Task<List<LedgerTransactionRecord>> ReadPeriodAsync(SettlementPeriod period, CancellationToken cancellationToken)
    {
        if (ledgerStore is not ILedgerTransactionFeed feed)
        {
            throw new InvalidOperationException($"The ledger store ({ledgerStore.GetType().Name}) cannot list transactions by period (it does not implement ILedgerTransactionFeed); settlement needs a store that does, like the in-memory and EF Core stores.");
        }

        var zone = settings.TimeZone;
        var transactions = new List<LedgerTransactionRecord>();
        await foreach (var tx in feed.ReadRecordedAsync(settings.ProgramId, period.StartIn(zone), period.EndIn(zone), cancellationToken).ConfigureAwait(false))
        {
            transactions.Add(tx);
        }

        return transactions;
    }

    private async Task<Dictionary<TransactionId, LedgerTransactionRecord>> ReferencesAsync(List<LedgerTransactionRecord> transactions, CancellationToken cancellationToken)
    {
        var references = new Dictionary<TransactionId, LedgerTransactionRecord>();
        foreach (var id in SettlementCalculator.MissingReferences(transactions))
        {
            if (await ledgerStore.FindTransactionAsync(settings.ProgramId, id, cancellationToken).ConfigureAwait(false) is { } found)
            {
                references[id] = found;
            }
        }

        return references;
    }

    private async Task<(Partner Partner, PartnerAgreement? Agreement)> ParticipationAsync(MerchantId merchant, Instant at, string what, string paramName, CancellationToken cancellationToken)
    {
        var partner = await partners.GetPartnerAsync(settings.ProgramId, merchant, cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException($"{what} names merchant '{merchant}', which is not a partner of programme '{settings.ProgramId}'; register it with RegisterPartnerAsync first.", paramName);
        var date = at.InZone(settings.TimeZone).Date;
        if (!partner.IsActiveOn(date))
        {
            var why = partner.Status == PartnerStatus.Suspended ? "is suspended"
                : date < partner.JoinedOn ? $"joins the coalition on {partner.JoinedOn:yyyy-MM-dd}"
                : $"left the coalition on {partner.LeftOn:yyyy-MM-dd}";
            throw new ArgumentException($"{what} is dated {date:yyyy-MM-dd} but partner '{merchant}' {why}; nothing can be recorded for it that day.", paramName);
        }

        var agreements = await partners.GetAgreementsAsync(settings.ProgramId, merchant, cancellationToken).ConfigureAwait(false);
        return (partner, agreements.FirstOrDefault(a => a.IsInForceOn(date)));
    }

    private async Task<Partner> PartnerAsync(MerchantId merchant, string paramName, CancellationToken cancellationToken) =>
        await partners.GetPartnerAsync(settings.ProgramId, merchant, cancellationToken).ConfigureAwait(false)
        ?? throw new ArgumentException($"Merchant '{merchant}' is not a partner of programme '{settings.ProgramId}'; register it with RegisterPartnerAsync first.", paramName);

    /// <summary>Shrinks an order's prepaid draws to its points less its refunds' (idempotent: a repeat computes the same).</summary>
    private async Task ReturnToBlocksAsync(OrderId orderId, CancellationToken cancellationToken)
    {
        if (await program.Members.GetOrderAsync(settings.ProgramId, orderId, cancellationToken).ConfigureAwait(false) is not { Order.Store: not null } order)
        {
            return;
        }

        var refunds = await program.Members.ListRefundsAsync(settings.ProgramId, orderId, cancellationToken).ConfigureAwait(false);
        var keep = Math.Max(0, order.Earning.Total.Value - refunds.Sum(r => r.Result.Total.Value));
        var key = DerivedIds.Order(orderId);

        // The order may have drawn twice (the points grew between the quote and the record): the extra draw gives back first.
        var main = await partners.SettleDrawAsync(settings.ProgramId, key, long.MaxValue, cancellationToken).ConfigureAwait(false);
        if (main is null)
        {
            return; // not a prepaid order
        }

        await partners.SettleDrawAsync(settings.ProgramId, TransactionId.From(key.Value + ":extra"), Math.Max(0, keep - main.Points), cancellationToken).ConfigureAwait(false);
        if (main.Points > keep)
        {
            await partners.SettleDrawAsync(settings.ProgramId, key, keep, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<CoalitionResult<T>> WithPrepaidAsync<T>(
        MerchantId merchant,
        TransactionId key,
        Func<CancellationToken, Task<Points>> quote,
        Func<CancellationToken, Task<(LoyaltyResult<T> Result, Points? Earned, ReversePoints? Excess)>> record,
        CancellationToken cancellationToken)
        where T : class
    {
        var now = clock.GetCurrentInstant();
        var expected = await quote(cancellationToken).ConfigureAwait(false);
        PrepaidDraw? draw = null;
        if (expected.IsPositive)
        {
            draw = await partners.DrawAsync(settings.ProgramId, merchant, key, expected.Value, now, cancellationToken).ConfigureAwait(false);
            if (draw is null)
            {
                return CoalitionResult<T>.Failure(Exhausted(merchant, expected.Value));
            }
        }

        var (result, earned, excess) = await record(cancellationToken).ConfigureAwait(false);
        if (result.IsRepeat)
        {
            // Recorded concurrently by another call with the same id: that call settles the draw.
            return Wrap(result);
        }

        var drawn = draw?.Points ?? 0;
        var issued = earned?.Value ?? 0;
        if (issued < drawn)
        {
            await partners.SettleDrawAsync(settings.ProgramId, key, issued, cancellationToken).ConfigureAwait(false);
        }
        else if (issued > drawn && excess is not null)
        {
            // The member's state moved between the quote and the record: draw the difference, or take it back.
            var extraKey = TransactionId.From(key.Value + ":extra");
            if (await partners.DrawAsync(settings.ProgramId, merchant, extraKey, issued - drawn, now, cancellationToken).ConfigureAwait(false) is null)
            {
                await ledger.ReverseAsync(excess with { Amount = Points.FromInt64(issued - drawn), Reason = "prepaid points exhausted" }, cancellationToken).ConfigureAwait(false);
            }
        }

        return Wrap(result);
    }

    private static CoalitionError NoAgreement(MerchantId merchant, Instant at, string what) => new(
        CoalitionErrorCode.NoAgreementInForce,
        $"Partner '{merchant}' has no agreement version in force at {at} for {what}; add one covering that day, then record it again.");

    private static CoalitionError Exhausted(MerchantId merchant, long points) => new(
        CoalitionErrorCode.PrepaidPointsExhausted,
        $"Partner '{merchant}' has fewer than {points.ToString(CultureInfo.InvariantCulture)} prepaid points left (reserve included); nothing was recorded. The partner must buy a new block (BuyPrepaidBlockAsync), then record it again.");

    private static CoalitionResult<T> Wrap<T>(LoyaltyResult<T> result)
        where T : class => result.Value is { } value
            ? CoalitionResult<T>.Success(value, result.IsRepeat)
            : CoalitionResult<T>.Failure(new CoalitionError(CoalitionErrorCode.ProgrammeRefused, result.Error!.Message, Programme: result.Error));

    private static string Days(PartnerAgreement a) => a.EffectiveUntil is { } until
        ? $"{a.EffectiveFrom:yyyy-MM-dd} to {until:yyyy-MM-dd}"
        : $"from {a.EffectiveFrom:yyyy-MM-dd}";
}
