using Loyalty.Core.Configuration;
using Loyalty.Core.Earning;
using Loyalty.Core.Internal;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using NodaTime;
using static Loyalty.Core.Programs.ProgramResults;

namespace Loyalty.Core.Programs;

/// <summary>Reads that write nothing: a cart's quote and a member's summary.</summary>
internal sealed class ProgramQueries
{
    private readonly ProgramContext program;
    private readonly IClock clock;
    private readonly PointsLedger ledger;
    private readonly IMemberStore members;
    private readonly IRewardCatalogStore rewards;
    private readonly ProgramId programId;
    private readonly CampaignBudgets campaigns;

    /// <summary>Creates the capability over the programme's shared context (the facade does this).</summary>
    public ProgramQueries(ProgramContext program, CampaignBudgets campaigns)
    {
        this.program = program;
        clock = program.Clock;
        ledger = program.Ledger;
        members = program.Members;
        rewards = program.Rewards;
        programId = program.ProgramId;
        this.campaigns = campaigns;
    }

    /// <summary>The work behind <see cref="LoyaltyProgram.QuoteAsync"/>.</summary>
    public async Task<LoyaltyResult<EarningQuote>> QuoteAsync(EarningOrder cart, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(cart);
        program.CheckCurrency(cart, nameof(cart));
        var rules = await program.RuleSetsAsync(cancellationToken).ConfigureAwait(false);
        if (rules.InForceAt(cart.PlacedAt) is not { } ruleSet)
        {
            return NoRules<EarningQuote>(cart.PlacedAt);
        }

        var member = await members.GetMemberAsync(programId, cart.Member, cancellationToken).ConfigureAwait(false);
        var context = MemberContext.Default;
        var usage = EarningUsage.Empty;
        if (member is not null)
        {
            var (state, history) = await program.StateAsync(member, rebuild: false, clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false);
            var tier = await program.TierAtAsync(member, state, history, cart.PlacedAt, cancellationToken).ConfigureAwait(false);
            context = ProgramContext.EarningContext(member, state, tier);
            usage = MemberStateKeeper.Usage(state);
        }

        // At a merchant with rules of its own in force, the quote adds them, as the order will.
        var earningRules = await program.RulesAtAsync(ruleSet, cart.Store, cart.PlacedAt, cancellationToken).ConfigureAwait(false);
        usage = await campaigns.WithCampaignUsageAsync(earningRules, usage, DerivedIds.Order(cart.Id), cancellationToken).ConfigureAwait(false);

        var quote = earningRules.Quote(cart, context, usage);
        return LoyaltyResult<EarningQuote>.Success(new EarningQuote(quote.Total, ruleSet.Version, Explanations.For(quote, earningRules), quote));
    }

    /// <summary>The work behind <see cref="LoyaltyProgram.GetMemberSummaryAsync"/>.</summary>
    public async Task<LoyaltyResult<MemberSummary>> GetMemberSummaryAsync(MemberId memberId, int expiringWithinDays = 30, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        Preconditions.CheckInRange(expiringWithinDays, 1, 3660);
        var member = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return NotEnrolled<MemberSummary>(memberId);
        }

        var now = clock.GetCurrentInstant();
        var (state, history) = await program.StateAsync(member, rebuild: false, now, cancellationToken).ConfigureAwait(false);
        var summary = new MemberSummary
        {
            Profile = program.ToProfile(member, state.WelcomePoints),
            AsOf = now,
            Balance = await ledger.GetBalanceAsync(memberId, cancellationToken).ConfigureAwait(false),
            ExpiringSoon = await ledger.GetExpiryScheduleAsync(memberId, expiringWithinDays, cancellationToken).ConfigureAwait(false),
            Tier = await program.TierAsync(member, state, history, now, cancellationToken).ConfigureAwait(false),
            Redemptions = await rewards.ListRedemptionsAsync(programId, memberId, cancellationToken).ConfigureAwait(false),
            Achievements = program.Achievements is { } achievements ? await achievements.StatusAsync(memberId, now, cancellationToken).ConfigureAwait(false) : [],
        };
        return LoyaltyResult<MemberSummary>.Success(summary);
    }
}
