namespace Loyalty.Core.Tiers;

/// <summary>
/// The data form of a <see cref="TierLadder"/>, as stored in JSON or bound from
/// <c>appsettings.json</c>: nothing is checked until it is turned into a ladder with
/// <see cref="TierLadder.FromDefinition"/>.
/// </summary>
/// <remarks>A plain mutable-by-initialiser record with a parameterless constructor, so configuration binding fills it.</remarks>
public sealed record TierLadderDefinition
{
    /// <summary>The policy; every property left out takes the default of <see cref="TierPolicy"/>.</summary>
    public TierPolicyDefinition? Policy { get; init; }

    /// <summary>The tiers from lowest (the entry tier, no thresholds) to highest.</summary>
    public IReadOnlyList<TierLevelDefinition?> Tiers { get; init; } = [];
}

/// <summary>The data form of one tier of a <see cref="TierLadderDefinition"/>.</summary>
public sealed record TierLevelDefinition
{
    /// <summary>The tier id, e.g. <c>gold</c>.</summary>
    public string? Id { get; init; }

    /// <summary>The name members see, e.g. <c>Gold</c>.</summary>
    public string? Name { get; init; }

    /// <summary>How the thresholds combine; default <see cref="ThresholdCombination.AllOf"/>.</summary>
    public ThresholdCombination Combination { get; init; } = ThresholdCombination.AllOf;

    /// <summary>The requirements; empty for the entry tier, at most one per metric.</summary>
    public IReadOnlyList<TierThresholdDefinition?> Thresholds { get; init; } = [];

    /// <summary>The earn multiplier; default 1 (no bonus).</summary>
    public decimal EarnMultiplier { get; init; } = 1m;

    /// <summary>The perk keys, e.g. <c>free-shipping</c>.</summary>
    public IReadOnlyList<string?> Perks { get; init; } = [];
}

/// <summary>The data form of a <see cref="TierThreshold"/>.</summary>
public sealed record TierThresholdDefinition
{
    /// <summary>The metric measured.</summary>
    public QualifyingMetric Metric { get; init; }

    /// <summary>The minimum (inclusive): greater than 0; a whole number for points and orders.</summary>
    public decimal Value { get; init; }
}

/// <summary>The data form of a <see cref="TierPolicy"/>; a property left out takes the policy's default.</summary>
public sealed record TierPolicyDefinition
{
    /// <summary>The kind of qualification window; default <see cref="QualificationWindowKind.CalendarYear"/>.</summary>
    public QualificationWindowKind Window { get; init; } = QualificationWindowKind.CalendarYear;

    /// <summary>The months of a <see cref="QualificationWindowKind.RollingMonths"/> window (1 to 120); left out for other kinds.</summary>
    public int? WindowMonths { get; init; }

    /// <summary>The kind of status validity; default <see cref="StatusValidityKind.EndOfFollowingPeriod"/>.</summary>
    public StatusValidityKind Validity { get; init; } = StatusValidityKind.EndOfFollowingPeriod;

    /// <summary>The months of a <see cref="StatusValidityKind.FixedMonths"/> validity (1 to 120); left out for other kinds.</summary>
    public int? ValidityMonths { get; init; }

    /// <summary>The downgrade policy; default <see cref="DowngradePolicy.OneLevel"/>.</summary>
    public DowngradePolicy Downgrade { get; init; } = DowngradePolicy.OneLevel;

    /// <summary>The grace period as an ISO 8601 period in date units, e.g. <c>P1M</c> or <c>P30D</c>; left out for none.</summary>
    public string? GracePeriod { get; init; }

    /// <summary>The refund policy; default <see cref="RefundPolicy.RevokeUpgrade"/>.</summary>
    public RefundPolicy Refunds { get; init; } = RefundPolicy.RevokeUpgrade;

    /// <summary>The earn kinds whose points qualify; left out for purchases only.</summary>
    public IReadOnlyList<EarnKind>? QualifyingEarnKinds { get; init; }

    /// <summary>The programme's IANA time zone, e.g. <c>Europe/Paris</c>; left out for UTC.</summary>
    public string? TimeZone { get; init; }

    /// <summary>The programme's ISO 4217 currency code, e.g. <c>EUR</c>; left out for none.</summary>
    public string? Currency { get; init; }
}
