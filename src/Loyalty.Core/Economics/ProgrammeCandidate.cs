using System.Globalization;
using System.Text.Json;
using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.Economics;

/// <summary>
/// A candidate programme for a backtest: earning rule set(s), tier ladder, ledger terms (return
/// window, expiry), reward catalogue (with each reward's cost to the shop) and a member redemption
/// behaviour. Loadable from JSON (<see cref="FromJson"/>; the format is in <c>docs/economics.md</c>).
/// </summary>
/// <remarks>Immutable and thread-safe once built.</remarks>
public sealed class ProgrammeCandidate
{
    private static readonly TierLadder SingleTier = TierLadder.Create([TierDefinition.Entry(TierId.From("member"), "Member")]);

    /// <summary>Creates a candidate.</summary>
    /// <param name="name">A short name shown in reports, e.g. <c>A: 1 pt/EUR, 12 months</c>.</param>
    /// <param name="ruleSets">The earning rule set versions (at least one, all in one currency).</param>
    /// <exception cref="ArgumentException">The name is empty, there is no rule set, or rule sets are in different currencies.</exception>
    public ProgrammeCandidate(string name, params EarningRuleSet[] ruleSets)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("name must not be empty; give the candidate a short name, e.g. \"A: 1 pt/EUR\".", nameof(name));
        }

        ArgumentNullException.ThrowIfNull(ruleSets);
        if (ruleSets.Length == 0)
        {
            throw new ArgumentException("A candidate needs at least one earning rule set.", nameof(ruleSets));
        }

        if (ruleSets.Select(r => r.Currency).Distinct().Count() > 1)
        {
            throw new ArgumentException($"Every rule set of a candidate must be in one currency (found {string.Join(", ", ruleSets.Select(r => r.Currency).Distinct())}).", nameof(ruleSets));
        }

        Name = name;
        RuleSets = EarningRuleSetHistory.Create(ruleSets);
    }

    /// <summary>The candidate's name.</summary>
    public string Name { get; }

    /// <summary>The rule set versions. An order is earned under the version in force at its instant, or the earliest version for orders before it (a backtest asks "what if this had been in force").</summary>
    public EarningRuleSetHistory RuleSets { get; }

    /// <summary>
    /// Merchants' own rule set versions (a coalition's partners), by merchant: an order at one of them
    /// (<see cref="EarningOrder.Store"/>) earns under <see cref="RuleSets"/> plus the merchant's version,
    /// exactly as the programme combines them (points add; exclusivity and groups per set; the merchant's
    /// rules counted under <c>{merchant}/{rule}</c>). Like <see cref="RuleSets"/>, the version in force at
    /// the order's instant, or the merchant's earliest for orders before it. Empty by default; not read from JSON.
    /// </summary>
    public IReadOnlyDictionary<MerchantId, EarningRuleSetHistory> MerchantRuleSets { get; init; } = new Dictionary<MerchantId, EarningRuleSetHistory>();

    /// <summary>The currency of the rule sets.</summary>
    public Currency Currency => RuleSets.Versions[0].Currency;

    /// <summary>The tier ladder (default: one tier, <c>member</c>, as the programme's default).</summary>
    public TierLadder Tiers { get; init; } = SingleTier;

    /// <summary>The expiry policy (default: never).</summary>
    public ExpiryPolicy Expiry { get; init; } = ExpiryPolicy.Never;

    /// <summary>The return window: order points are pending this long after the order (default: none).</summary>
    public Duration PendingPeriod { get; init; } = Duration.Zero;

    /// <summary>The reward catalogue (rewards other than pay-with-points need a <see cref="RewardDefinition.CostToShop"/> for the backtest to cost them).</summary>
    public RewardCatalog Rewards { get; init; } = RewardCatalog.Empty;

    /// <summary>How members redeem (default: never).</summary>
    public RedemptionBehaviour Redemption { get; init; } = RedemptionBehaviour.None;

    /// <summary>The valuation of outstanding points, or null for the cheapest reward's cost per point (or 0 when the catalogue is empty).</summary>
    public PointValuation? Valuation { get; init; }

    /// <summary>
    /// Reads a candidate from JSON: <c>name</c>, <c>ruleSet</c> (or <c>ruleSets</c>, as
    /// <see cref="EarningRuleSet.FromJson"/>), optional <c>tiers</c> (as <see cref="TierLadder.FromJson"/>),
    /// <c>pendingPeriodDays</c>, <c>expiry</c> (<c>policy</c>, <c>days</c>, <c>months</c>, <c>roundUpTo</c>,
    /// <c>month</c>, <c>day</c>, <c>yearsAfter</c>), <c>rewards</c>, <c>redemption</c>
    /// (<c>model</c>, <c>probability</c>) and <c>costPerPoint</c>.
    /// </summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The candidate.</returns>
    /// <exception cref="ArgumentException">The JSON is malformed or a value is invalid; the message gives the JSON path.</exception>
    public static ProgrammeCandidate FromJson(string json) => ProgrammeCandidateJson.Read(json);

    /// <summary>The candidate's name and terms in one line.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}: {RuleSets.Versions.Count} rule set(s), {Tiers.Tiers.Count} tier(s), expiry {Expiry}, {Rewards.Rewards.Count} reward(s), redemption {Redemption}");
}
