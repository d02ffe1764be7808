using System.Collections.Frozen;

namespace Loyalty.Core.Tiers;

/// <summary>
/// What a tier gives its members, as data: an earn multiplier read by the earning engine and
/// perk keys (for instance <c>free-shipping</c>, <c>private-sales</c>, <c>early-access</c>).
/// </summary>
/// <remarks>Immutable and thread-safe. Perk keys are compared ordinally.</remarks>
public sealed class TierBenefits
{
    private TierBenefits(decimal earnMultiplier, FrozenSet<string> perks)
    {
        EarnMultiplier = earnMultiplier;
        Perks = perks;
    }

    /// <summary>No perks and an earn multiplier of 1.</summary>
    public static TierBenefits None { get; } = new(1m, FrozenSet<string>.Empty);

    /// <summary>The factor the earning engine applies to points earned by a member of this tier (1 = no bonus).</summary>
    public decimal EarnMultiplier { get; }

    /// <summary>The perk keys of the tier.</summary>
    public IReadOnlySet<string> Perks { get; }

    /// <summary>Creates benefits.</summary>
    /// <param name="earnMultiplier">Greater than zero and at most <see cref="Earning.EarningLimits.MaxMultiplier"/>; 1.5 means 50 % more points.</param>
    /// <param name="perks">Perk keys: non-empty, no surrounding whitespace, no duplicates.</param>
    /// <returns>The benefits.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="earnMultiplier"/> is zero or negative, or above <see cref="Earning.EarningLimits.MaxMultiplier"/>.</exception>
    /// <exception cref="ArgumentException">A perk key is empty, padded or repeated.</exception>
    public static TierBenefits Create(decimal earnMultiplier, params IEnumerable<string> perks)
    {
        if (earnMultiplier <= 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(earnMultiplier), earnMultiplier, $"{nameof(earnMultiplier)} must be greater than 0 (was {earnMultiplier}); use 1 for no bonus.");
        }

        if (earnMultiplier > Earning.EarningLimits.MaxMultiplier)
        {
            throw new ArgumentOutOfRangeException(nameof(earnMultiplier), earnMultiplier, $"{nameof(earnMultiplier)} must be at most {Earning.EarningLimits.MaxMultiplier} (was {earnMultiplier}).");
        }

        ArgumentNullException.ThrowIfNull(perks);
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var perk in perks)
        {
            if (string.IsNullOrWhiteSpace(perk))
            {
                throw new ArgumentException("A perk key must not be null, empty or whitespace; use a key such as \"free-shipping\".", nameof(perks));
            }

            if (perk.Trim().Length != perk.Length)
            {
                throw new ArgumentException($"Perk key \"{perk}\" must not start or end with whitespace; trim it first.", nameof(perks));
            }

            if (!set.Add(perk))
            {
                throw new ArgumentException($"Perk key \"{perk}\" is listed more than once; list each perk once.", nameof(perks));
            }
        }

        return new TierBenefits(earnMultiplier, set.ToFrozenSet(StringComparer.Ordinal));
    }

    /// <summary>Whether the tier grants a perk.</summary>
    /// <param name="perk">The perk key.</param>
    /// <returns>True when <paramref name="perk"/> is one of <see cref="Perks"/>.</returns>
    public bool HasPerk(string perk) => perk is not null && Perks.Contains(perk);
}
