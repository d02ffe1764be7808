using System.Collections.Frozen;
using System.Globalization;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Tiers;

/// <summary>
/// A validated, ordered set of tiers (lowest first) with its <see cref="TierPolicy"/>: the data a
/// <see cref="TierEvaluator"/> runs on, and the place to answer "does this tier grant that?".
/// </summary>
/// <remarks>Immutable and thread-safe; build once and share.</remarks>
public sealed partial class TierLadder
{
    private readonly TierDefinition[] tiers;
    private readonly FrozenDictionary<TierId, int> rankById;

    private TierLadder(TierDefinition[] tiers, TierPolicy policy)
    {
        this.tiers = tiers;
        Policy = policy;
        rankById = tiers.Select((t, i) => (t.Id, i)).ToFrozenDictionary(p => p.Id, p => p.i);
        var mask = 0;
        foreach (var kind in policy.QualifyingEarnKinds)
        {
            mask |= 1 << (int)kind;
        }

        QualifyingKindMask = mask;
    }

    /// <summary>The tiers, lowest first; index = rank.</summary>
    public IReadOnlyList<TierDefinition> Tiers => tiers;

    /// <summary>The policy.</summary>
    public TierPolicy Policy { get; }

    /// <summary>The entry tier every member holds from enrolment.</summary>
    public TierDefinition EntryTier => tiers[0];

    internal int QualifyingKindMask { get; }

    internal TierDefinition[] TierArray => tiers;

    /// <summary>Validates and creates a ladder.</summary>
    /// <param name="tiers">The tiers from lowest to highest. The first has no thresholds; each
    /// higher one has thresholds strictly above those of the tier below on every shared metric.</param>
    /// <param name="policy">The policy, or null for <c>new TierPolicy()</c>.</param>
    /// <returns>The ladder.</returns>
    /// <exception cref="ArgumentException">The configuration is invalid; the message says what to fix.</exception>
    public static TierLadder Create(IEnumerable<TierDefinition> tiers, TierPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        policy ??= new TierPolicy();
        var list = tiers.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("A tier ladder needs at least one tier; list the entry tier (for instance Bronze) first.", nameof(tiers));
        }

        if (list.Any(t => t is null))
        {
            throw new ArgumentException("A tier ladder must not contain null tiers.", nameof(tiers));
        }

        var ids = new HashSet<TierId>();
        foreach (var tier in list)
        {
            if (!ids.Add(tier.Id))
            {
                throw new ArgumentException($"Tier '{tier.Id}' appears more than once; every tier id must be unique.", nameof(tiers));
            }
        }

        if (list[0].Thresholds.Count != 0)
        {
            throw new ArgumentException($"The lowest tier '{list[0].Id}' must have no thresholds: every member holds it from enrolment. Add an entry tier below it.", nameof(tiers));
        }

        for (var i = 1; i < list.Length; i++)
        {
            var tier = list[i];
            if (tier.Thresholds.Count == 0)
            {
                throw new ArgumentException($"Tier '{tier.Id}' has no thresholds; every tier above the lowest needs at least one.", nameof(tiers));
            }

            var below = list[i - 1];
            foreach (var threshold in tier.Thresholds)
            {
                foreach (var lower in below.Thresholds)
                {
                    if (lower.Metric == threshold.Metric && threshold.Minimum <= lower.Minimum)
                    {
                        throw new ArgumentException(
                            string.Create(CultureInfo.InvariantCulture, $"Tier '{tier.Id}' requires {threshold.Minimum} {Describe(threshold.Metric)}, which is not more than the {lower.Minimum} required by the tier below it ('{below.Id}'); list tiers from lowest to highest with strictly increasing thresholds."),
                            nameof(tiers));
                    }
                }
            }
        }

        ValidatePolicy(policy, list);
        return new TierLadder(list, policy);
    }

    /// <summary>Whether the ladder contains a tier.</summary>
    /// <param name="tier">The tier id.</param>
    /// <returns>True when known.</returns>
    public bool Contains(TierId tier) => rankById.ContainsKey(tier);

    /// <summary>The rank of a tier: 0 for the entry tier, increasing upward.</summary>
    /// <param name="tier">The tier id.</param>
    /// <returns>The rank.</returns>
    /// <exception cref="ArgumentException"><paramref name="tier"/> is not in the ladder.</exception>
    public int RankOf(TierId tier) => rankById.TryGetValue(tier, out var rank)
        ? rank
        : throw new ArgumentException($"Tier '{tier}' is not in the ladder; known tiers are {string.Join(", ", tiers.Select(t => $"'{t.Id}'"))}.", nameof(tier));

    /// <summary>The definition of a tier.</summary>
    /// <param name="tier">The tier id.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="ArgumentException"><paramref name="tier"/> is not in the ladder.</exception>
    public TierDefinition Get(TierId tier) => tiers[RankOf(tier)];

    /// <summary>
    /// The access check for tier-gated offers: whether a member of <paramref name="memberTier"/>
    /// may use an offer reserved to <paramref name="requiredTier"/> and above.
    /// </summary>
    /// <param name="memberTier">The member's current tier.</param>
    /// <param name="requiredTier">The lowest tier the offer admits.</param>
    /// <returns>True when the member's tier is at least the required one.</returns>
    /// <exception cref="ArgumentException">A tier is not in the ladder.</exception>
    public bool GrantsAccess(TierId memberTier, TierId requiredTier) => RankOf(memberTier) >= RankOf(requiredTier);

    /// <summary>Whether a tier grants a perk, e.g. <c>free-shipping</c>.</summary>
    /// <param name="tier">The tier.</param>
    /// <param name="perk">The perk key.</param>
    /// <returns>True when the tier's benefits list the perk.</returns>
    /// <exception cref="ArgumentException"><paramref name="tier"/> is not in the ladder.</exception>
    public bool HasPerk(TierId tier, string perk) => Get(tier).Benefits.HasPerk(perk);

    /// <summary>The earn multiplier of a tier, as the earning engine reads it.</summary>
    /// <param name="tier">The tier.</param>
    /// <returns>The multiplier (1 = no bonus).</returns>
    /// <exception cref="ArgumentException"><paramref name="tier"/> is not in the ladder.</exception>
    public decimal EarnMultiplierOf(TierId tier) => Get(tier).Benefits.EarnMultiplier;

    private static string Describe(QualifyingMetric metric) => metric switch
    {
        QualifyingMetric.Points => "qualifying points",
        QualifyingMetric.Spend => "of qualifying spend",
        _ => "orders",
    };

    private static void ValidatePolicy(TierPolicy policy, TierDefinition[] list)
    {
        if (policy.TimeZone is null)
        {
            throw new ArgumentException("TierPolicy.TimeZone must not be null; use the programme's zone, e.g. DateTimeZoneProviders.Tzdb[\"Europe/Paris\"].", nameof(policy));
        }

        if (!Enum.IsDefined(policy.Downgrade))
        {
            throw new ArgumentException($"TierPolicy.Downgrade {(int)policy.Downgrade} is not defined; use OneLevel, ToComputed or Never.", nameof(policy));
        }

        if (!Enum.IsDefined(policy.Refunds))
        {
            throw new ArgumentException($"TierPolicy.Refunds {(int)policy.Refunds} is not defined; use RevokeUpgrade or KeepStatus.", nameof(policy));
        }

        if (policy.GracePeriod is null)
        {
            throw new ArgumentException("TierPolicy.GracePeriod must not be null; use Period.Zero for no grace.", nameof(policy));
        }

        var grace = policy.GracePeriod;
        if (grace.HasTimeComponent)
        {
            throw new ArgumentException($"TierPolicy.GracePeriod {grace} must use date units only (years, months, weeks, days).", nameof(policy));
        }

        if (grace.Years < 0 || grace.Months < 0 || grace.Weeks < 0 || grace.Days < 0)
        {
            throw new ArgumentException($"TierPolicy.GracePeriod {grace} must not be negative; use Period.Zero for no grace.", nameof(policy));
        }

        if (IsLongerThanMaxGrace(grace))
        {
            throw new ArgumentException($"TierPolicy.GracePeriod {grace} must be at most {MaxGracePeriod} (ten years).", nameof(policy));
        }

        if (policy.QualifyingEarnKinds is null)
        {
            throw new ArgumentException("TierPolicy.QualifyingEarnKinds must not be null; list the earn kinds that count, e.g. [EarnKind.Purchase].", nameof(policy));
        }

        foreach (var kind in policy.QualifyingEarnKinds)
        {
            if (!Enum.IsDefined(kind))
            {
                throw new ArgumentException($"TierPolicy.QualifyingEarnKinds contains {(int)kind}, which is not an EarnKind.", nameof(policy));
            }
        }

        if (policy.QualifyingEarnKinds.Count == 0)
        {
            var usesPoints = list.FirstOrDefault(t => t.Thresholds.Any(th => th.Metric == QualifyingMetric.Points));
            if (usesPoints is not null)
            {
                throw new ArgumentException($"TierPolicy.QualifyingEarnKinds is empty but tier '{usesPoints.Id}' has a points threshold; list the earn kinds that count, e.g. [EarnKind.Purchase].", nameof(policy));
            }
        }

        if (policy.Currency is { IsDefault: true })
        {
            throw new ArgumentException("TierPolicy.Currency must not be default(Currency); use Currency.FromCode(\"EUR\") or leave it null.", nameof(policy));
        }
    }

    /// <summary>The longest grace period a policy may have: ten years (so that no status date can leave the calendar's range).</summary>
    internal static readonly NodaTime.Period MaxGracePeriod = NodaTime.Period.FromYears(10);

    /// <summary>True when the grace period is longer than ten years (counting a month as 31 days and a year as 366).</summary>
    internal static bool IsLongerThanMaxGrace(NodaTime.Period grace) =>
        ((long)grace.Years * 366) + ((long)grace.Months * 31) + ((long)grace.Weeks * 7) + grace.Days > 3660;
}
