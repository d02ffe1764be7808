using System.Text.Json;
using System.Text.Json.Serialization;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Earning;

/// <summary>What happened to one rule in one evaluation. Stable codes: the numbers never change.</summary>
public enum RuleOutcome
{
    /// <summary>The rule awarded points.</summary>
    Fired = 0,

    /// <summary>The rule's condition (or its own qualification: threshold, Nth order, matching product) is false.</summary>
    ConditionNotMet = 1,

    /// <summary>The order is outside the rule's date, day-of-week or time-of-day window.</summary>
    OutsideWindow = 2,

    /// <summary>The rule is for orders and this is an activity, or for another activity.</summary>
    NotApplicable = 3,

    /// <summary>The rule applies but rounds to 0 points (nothing eligible, or too little spent).</summary>
    NothingToEarn = 4,

    /// <summary>A cap (per order, per member per period, or campaign budget) left nothing to award.</summary>
    CapReached = 5,

    /// <summary>An exclusive rule earlier in evaluation order awarded points.</summary>
    ExcludedByExclusiveRule = 6,

    /// <summary>An earlier rule of the same first-match group awarded points.</summary>
    SkippedByFirstMatch = 7,

    /// <summary>Another rule of the same best-of group awarded more (or as much, earlier).</summary>
    NotBestOfGroup = 8,

    /// <summary>The order's currency is not the rule set's currency; nothing is converted.</summary>
    CurrencyMismatch = 9,
}

/// <summary>The explanation for one rule.</summary>
/// <param name="RuleId">The rule.</param>
/// <param name="Outcome">Fired, or why not.</param>
/// <param name="Reversal">How a refund takes the points back.</param>
/// <param name="Desired">The exact (fractional) points the rule computed, before rounding; 0 when it did not get that far.</param>
/// <param name="Rounded">The desired points rounded by the rule's rounding mode.</param>
/// <param name="Awarded">The points awarded after caps and stacking (0 unless fired).</param>
/// <param name="Allocation">
/// For a fired rule on an order, the awarded points per order line (same order as the order's
/// lines) followed by one last entry for the order as a whole (shipping, tax, order bonuses);
/// the entries sum to <paramref name="Awarded"/>. Empty when the rule did not fire.
/// </param>
public readonly record struct RuleEvaluation(
    RuleId RuleId,
    RuleOutcome Outcome,
    ReversalPolicy Reversal,
    decimal Desired,
    Points Rounded,
    Points Awarded,
    ReadOnlyMemory<long> Allocation)
{
    /// <summary>True when the rule awarded points.</summary>
    [JsonIgnore]
    public bool Fired => Outcome == RuleOutcome.Fired;
}

/// <summary>A basket threshold recorded with a bonus that is taken back if a refund brings the order below it.</summary>
/// <param name="RuleId">The threshold rule.</param>
/// <param name="Threshold">The merchandise subtotal the order had to reach.</param>
public sealed record ThresholdTerm(RuleId RuleId, decimal Threshold);

/// <summary>
/// The points an order or activity earns and why: one entry per rule of the rule set, fired or
/// not. Store it with the order: refunds are computed from it, never from today's rules.
/// </summary>
/// <remarks>Immutable and thread-safe; serialises with <see cref="ToJson"/> / <see cref="FromJson"/>.</remarks>
public sealed class EarningResult
{
    /// <summary>Creates a result (used by the engine and by JSON deserialisation).</summary>
    /// <param name="orderId">The order, or null for an activity.</param>
    /// <param name="member">The member.</param>
    /// <param name="ruleSetVersion">The version of the rule set that was applied.</param>
    /// <param name="occurredAt">When the order was placed or the activity happened.</param>
    /// <param name="isQuote">True for a quote (preview) that must not be recorded.</param>
    /// <param name="total">The total points awarded.</param>
    /// <param name="lineCount">The number of order lines (0 for an activity).</param>
    /// <param name="rules">One entry per rule, in evaluation order.</param>
    /// <param name="usageDeltas">What the caller adds to its usage counters once the result is recorded.</param>
    /// <param name="thresholds">Threshold bonuses to take back if a refund brings the order below them.</param>
    [JsonConstructor]
    public EarningResult(
        OrderId? orderId,
        MemberId member,
        string ruleSetVersion,
        Instant occurredAt,
        bool isQuote,
        Points total,
        int lineCount,
        IReadOnlyList<RuleEvaluation> rules,
        IReadOnlyList<RuleUsageDelta> usageDeltas,
        IReadOnlyList<ThresholdTerm> thresholds)
    {
        OrderId = orderId;
        Member = member;
        RuleSetVersion = ruleSetVersion;
        OccurredAt = occurredAt;
        IsQuote = isQuote;
        Total = total;
        LineCount = lineCount;
        Rules = rules ?? [];
        UsageDeltas = usageDeltas ?? [];
        Thresholds = thresholds ?? [];
    }

    /// <summary>The order, or null for an activity.</summary>
    public OrderId? OrderId { get; }

    /// <summary>The member.</summary>
    public MemberId Member { get; }

    /// <summary>The version of the rule set that was applied.</summary>
    public string RuleSetVersion { get; }

    /// <summary>
    /// The version of the merchant's own rule set applied on top of <see cref="RuleSetVersion"/>: in a
    /// coalition, for an order or activity at a merchant with rules of its own in force; null otherwise.
    /// That set's rules are listed after the programme-wide set's, under the ids <c>{merchant}/{rule}</c>.
    /// </summary>
    public string? MerchantRuleSetVersion { get; init; }

    /// <summary>When the order was placed or the activity happened.</summary>
    public Instant OccurredAt { get; }

    /// <summary>True for a quote (preview for a cart): nothing must be recorded from it.</summary>
    public bool IsQuote { get; }

    /// <summary>The total points awarded: the sum of <see cref="RuleEvaluation.Awarded"/>.</summary>
    public Points Total { get; }

    /// <summary>The number of order lines (0 for an activity).</summary>
    public int LineCount { get; }

    /// <summary>One entry per rule of the rule set, in evaluation order.</summary>
    public IReadOnlyList<RuleEvaluation> Rules { get; }

    /// <summary>Per-rule usage changes for the caller's counters (period caps and campaign budgets).</summary>
    public IReadOnlyList<RuleUsageDelta> UsageDeltas { get; }

    /// <summary>Threshold bonuses that a refund takes back when the order falls below them.</summary>
    public IReadOnlyList<ThresholdTerm> Thresholds { get; }

    /// <summary>The entry for one rule.</summary>
    /// <param name="ruleId">The rule.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentException">The result has no entry for this rule.</exception>
    public RuleEvaluation this[RuleId ruleId]
    {
        get
        {
            var rules = Rules;
            for (var i = 0; i < rules.Count; i++)
            {
                var rule = rules[i];
                if (rule.RuleId == ruleId)
                {
                    return rule;
                }
            }

            throw new ArgumentException($"The result has no entry for rule \"{ruleId}\".", nameof(ruleId));
        }
    }

    /// <summary>Reads a result written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="JsonException">The JSON is not a result.</exception>
    public static EarningResult FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize<EarningResult>(json, EarningJson.Options) ?? throw new JsonException("The JSON holds null instead of an earning result.");
    }

    /// <summary>Writes the result as JSON for storage with the order.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, EarningJson.Options);
}
