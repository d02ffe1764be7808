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
    /// <exception cref="ArgumentNullException"><paramref name="tiers"/> is null.</exception>
    /// <exception cref="TierLadderException">The configuration is invalid; <see cref="TierLadderException.Errors"/> lists every
    /// problem with its path (<c>tiers[1].thresholds[0].value ...</c>, <c>policy.gracePeriod ...</c>), worded as
    /// <see cref="FromDefinition"/> and <see cref="FromJson"/> word the same mistake.</exception>
    public static TierLadder Create(IEnumerable<TierDefinition> tiers, TierPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        policy ??= new TierPolicy();
        var list = tiers.ToArray();
        var errors = new List<string>();
        CheckTiers(list, errors);
        CheckPolicy(policy, list, errors);
        if (errors.Count > 0)
        {
            throw new TierLadderException(errors);
        }

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

    private static void CheckTiers(TierDefinition[] list, List<string> errors)
    {
        if (list.Length == 0)
        {
            errors.Add("tiers must list at least one tier; put the entry tier (for instance Bronze) first.");
            return;
        }

        var firstIndexById = new Dictionary<TierId, int>();
        for (var i = 0; i < list.Length; i++)
        {
            var tier = list[i];
            if (tier is null)
            {
                errors.Add($"tiers[{i}] must not be null.");
                continue;
            }

            if (!firstIndexById.TryAdd(tier.Id, i))
            {
                errors.Add($"tiers[{i}].id '{tier.Id}' is already the id of tiers[{firstIndexById[tier.Id]}]; every tier id must be unique.");
            }

            if (i == 0 && tier.Thresholds.Count != 0)
            {
                errors.Add("tiers[0].thresholds must be empty: every member holds the lowest tier from enrolment; add an entry tier below it.");
            }
            else if (i > 0 && tier.Thresholds.Count == 0)
            {
                errors.Add($"tiers[{i}].thresholds must list at least one threshold; every tier above the lowest needs one.");
            }
        }

        // Ordering: strictly increasing minimum per metric from one tier to the next.
        for (var i = 1; i < list.Length; i++)
        {
            if (list[i] is not { } upper || list[i - 1] is not { } lower)
            {
                continue;
            }

            for (var k = 0; k < upper.Thresholds.Count; k++)
            {
                var t = upper.Thresholds[k];
                foreach (var l in lower.Thresholds)
                {
                    if (l.Metric == t.Metric && t.Minimum <= l.Minimum)
                    {
                        errors.Add(OrderingError(i, k, l.Minimum, t.Metric, t.Minimum));
                    }
                }
            }
        }
    }

    /// <summary>The one wording of a threshold not above the tier below, shared by <see cref="Create"/> and <see cref="FromDefinition"/>.</summary>
    private static string OrderingError(int tier, int threshold, decimal below, QualifyingMetric metric, decimal value) =>
        string.Create(CultureInfo.InvariantCulture, $"tiers[{tier}].thresholds[{threshold}].value must be greater than the {below} {Camel(metric.ToString())} required by tiers[{tier - 1}] (was {value}); list tiers from lowest to highest with strictly increasing thresholds.");

    private static void CheckPolicy(TierPolicy policy, TierDefinition[] list, List<string> errors)
    {
        if (policy.TimeZone is null)
        {
            errors.Add("policy.timeZone must not be null; use the programme's zone, e.g. DateTimeZoneProviders.Tzdb[\"Europe/Paris\"].");
        }

        if (!Enum.IsDefined(policy.Downgrade))
        {
            errors.Add($"policy.downgrade {(int)policy.Downgrade} is not defined; use oneLevel, toComputed or never.");
        }

        if (!Enum.IsDefined(policy.Refunds))
        {
            errors.Add($"policy.refunds {(int)policy.Refunds} is not defined; use revokeUpgrade or keepStatus.");
        }

        if (policy.GracePeriod is not { } grace)
        {
            errors.Add("policy.gracePeriod must not be null; use Period.Zero for no grace.");
        }
        else if (GracePeriodError(grace, NodaTime.Text.PeriodPattern.Roundtrip.Format(grace)) is { } graceError)
        {
            errors.Add(graceError);
        }

        if (policy.QualifyingEarnKinds is not { } kinds)
        {
            errors.Add("policy.qualifyingEarnKinds must not be null; list the earn kinds that count, e.g. [EarnKind.Purchase].");
        }
        else
        {
            var i = 0;
            foreach (var kind in kinds)
            {
                if (!Enum.IsDefined(kind))
                {
                    errors.Add($"policy.qualifyingEarnKinds[{i}] {(int)kind} is not defined; use purchase, activity, bonus or adjustment.");
                }

                i++;
            }

            if (kinds.Count == 0 && Array.FindIndex(list, t => t is not null && t.Thresholds.Any(th => th.Metric == QualifyingMetric.Points)) is var usesPoints and >= 0)
            {
                errors.Add(EmptyEarnKindsError(usesPoints, list[usesPoints].Id.ToString()));
            }
        }

        if (policy.Currency is { IsDefault: true })
        {
            errors.Add("policy.currency must not be default(Currency); use Currency.FromCode(\"EUR\") or leave it null.");
        }
    }

    /// <summary>The one wording of empty qualifying earn kinds with a points threshold.</summary>
    private static string EmptyEarnKindsError(int tier, string id) =>
        $"policy.qualifyingEarnKinds is empty but tiers[{tier}] ('{id}') has a points threshold; list the earn kinds that count, e.g. [\"purchase\"].";

    /// <summary>The one wording of an invalid grace period, or null when it is valid.</summary>
    private static string? GracePeriodError(NodaTime.Period grace, string text)
    {
        if (grace.HasTimeComponent)
        {
            return $"policy.gracePeriod \"{text}\" must use date units only (years, months, weeks, days).";
        }

        if (grace.Years < 0 || grace.Months < 0 || grace.Weeks < 0 || grace.Days < 0)
        {
            return $"policy.gracePeriod \"{text}\" must not be negative; leave it out for no grace.";
        }

        return IsLongerThanMaxGrace(grace) ? $"policy.gracePeriod \"{text}\" must be at most \"P10Y\" (ten years)." : null;
    }

    /// <summary>The longest grace period a policy may have: ten years (so that no status date can leave the calendar's range).</summary>
    internal static readonly NodaTime.Period MaxGracePeriod = NodaTime.Period.FromYears(10);

    /// <summary>True when the grace period is longer than ten years (counting a month as 31 days and a year as 366).</summary>
    internal static bool IsLongerThanMaxGrace(NodaTime.Period grace) =>
        ((long)grace.Years * 366) + ((long)grace.Months * 31) + ((long)grace.Weeks * 7) + grace.Days > 3660;
}
