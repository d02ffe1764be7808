using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Earning;

/// <summary>The calendar periods a per-member cap can count over.</summary>
public enum CapPeriod
{
    /// <summary>A calendar day in the programme's time zone.</summary>
    Day = 0,

    /// <summary>An ISO week (Monday to Sunday) in the programme's time zone.</summary>
    Week = 1,

    /// <summary>A calendar month in the programme's time zone.</summary>
    Month = 2,

    /// <summary>A calendar year in the programme's time zone.</summary>
    Year = 3,
}

/// <summary>One calendar period: its unit and its first local date in the programme's time zone.</summary>
/// <param name="Unit">The unit.</param>
/// <param name="Start">The first day of the period (a Monday for weeks, the 1st for months, 1 January for years).</param>
public readonly record struct UsagePeriod(CapPeriod Unit, LocalDate Start)
{
    /// <summary>The period of the given unit that contains a local date.</summary>
    /// <param name="unit">The unit.</param>
    /// <param name="date">A local date in the programme's time zone.</param>
    /// <returns>The period.</returns>
    public static UsagePeriod Containing(CapPeriod unit, LocalDate date) => unit switch
    {
        CapPeriod.Day => new(unit, date),
        CapPeriod.Week => new(unit, date.PlusDays(1 - (int)date.DayOfWeek)),
        CapPeriod.Month => new(unit, new LocalDate(date.Year, date.Month, 1)),
        CapPeriod.Year => new(unit, new LocalDate(date.Year, 1, 1)),
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, $"unit must be Day, Week, Month or Year (was {(int)unit})."),
    };
}

/// <summary>How much one rule has awarded a member in one period: points and number of awards.</summary>
/// <param name="Points">Points awarded.</param>
/// <param name="Count">Number of orders or activities that earned points from the rule.</param>
public readonly record struct UsageTotals(Points Points, int Count);

/// <summary>A change to the usage counters caused by one evaluation, for the caller to store.</summary>
/// <param name="RuleId">The rule.</param>
/// <param name="Period">The member's period the points count towards, or null for the campaign budget (all members).</param>
/// <param name="Points">Points awarded by the rule in this evaluation.</param>
/// <param name="Count">1: one more award.</param>
public readonly record struct RuleUsageDelta(RuleId RuleId, UsagePeriod? Period, Points Points, int Count);

/// <summary>
/// Usage so far, an input to the engine so that it stays pure: the points each rule already
/// awarded this member in each period, and the points each campaign budget already gave out
/// (all members together).
/// </summary>
/// <remarks>Immutable and thread-safe; the <c>With…</c> and <see cref="Apply"/> methods return new instances.</remarks>
public sealed class EarningUsage
{
    private readonly Dictionary<(RuleId Rule, UsagePeriod Period), UsageTotals> periods;
    private readonly Dictionary<RuleId, Points> campaigns;

    private EarningUsage(Dictionary<(RuleId, UsagePeriod), UsageTotals> periods, Dictionary<RuleId, Points> campaigns)
    {
        this.periods = periods;
        this.campaigns = campaigns;
    }

    /// <summary>No usage at all.</summary>
    public static EarningUsage Empty { get; } = new(new(), new());

    /// <summary>What a rule awarded the member in a period; zero when nothing is recorded.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="period">The period.</param>
    /// <returns>The totals.</returns>
    public UsageTotals ForPeriod(RuleId rule, UsagePeriod period) =>
        periods.Count != 0 && periods.TryGetValue((rule, period), out var totals) ? totals : default;

    /// <summary>Points a rule's campaign budget already gave out; zero when nothing is recorded.</summary>
    /// <param name="rule">The rule.</param>
    /// <returns>The points.</returns>
    public Points ForCampaign(RuleId rule) =>
        campaigns.Count != 0 && campaigns.TryGetValue(rule, out var points) ? points : Points.Zero;

    /// <summary>Returns usage with a rule's totals for one period set.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="period">The period.</param>
    /// <param name="totals">The totals so far.</param>
    /// <returns>The new usage.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Points or count are negative.</exception>
    public EarningUsage WithPeriod(RuleId rule, UsagePeriod period, UsageTotals totals)
    {
        if (totals.Points.IsNegative || totals.Count < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(totals), totals, $"totals must not be negative (was {totals.Points} points, {totals.Count} awards).");
        }

        var copy = new Dictionary<(RuleId, UsagePeriod), UsageTotals>(periods) { [(rule, period)] = totals };
        return new EarningUsage(copy, campaigns);
    }

    /// <summary>Returns usage with the points a rule's campaign budget gave out set.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="used">Points given out so far, 0 or greater.</param>
    /// <returns>The new usage.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="used"/> is negative.</exception>
    public EarningUsage WithCampaign(RuleId rule, Points used)
    {
        if (used.IsNegative)
        {
            throw new ArgumentOutOfRangeException(nameof(used), used, $"used must be 0 or greater (was {used}).");
        }

        var copy = new Dictionary<RuleId, Points>(campaigns) { [rule] = used };
        return new EarningUsage(periods, copy);
    }

    /// <summary>Returns usage with an evaluation's deltas added (what a store would do after recording it).</summary>
    /// <param name="deltas">The deltas, e.g. <see cref="EarningResult.UsageDeltas"/>.</param>
    /// <returns>The new usage.</returns>
    public EarningUsage Apply(IEnumerable<RuleUsageDelta> deltas)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        var p = new Dictionary<(RuleId, UsagePeriod), UsageTotals>(periods);
        var c = new Dictionary<RuleId, Points>(campaigns);
        foreach (var delta in deltas)
        {
            if (delta.Period is { } period)
            {
                p.TryGetValue((delta.RuleId, period), out var t);
                p[(delta.RuleId, period)] = new UsageTotals(t.Points + delta.Points, t.Count + delta.Count);
            }
            else
            {
                c.TryGetValue(delta.RuleId, out var used);
                c[delta.RuleId] = used + delta.Points;
            }
        }

        return new EarningUsage(p, c);
    }
}
