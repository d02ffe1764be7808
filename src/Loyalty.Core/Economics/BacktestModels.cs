using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using NodaTime;

namespace Loyalty.Core.Economics;

/// <summary>The historical data a backtest replays: orders, refunds, optional enrolment dates and referrals.</summary>
/// <remarks>Immutable once built. Orders and refunds may come in any order; they are replayed by instant.</remarks>
public sealed class BacktestInput
{
    /// <summary>The orders (with their lines), in the programme's currency.</summary>
    public required IReadOnlyList<EarningOrder> Orders { get; init; }

    /// <summary>Refunds of some of the orders; each needs <see cref="RefundRequest.RefundedAt"/>.</summary>
    public IReadOnlyList<RefundRequest> Refunds { get; init; } = [];

    /// <summary>
    /// When each customer enrolled, or null: every customer enrols at their first order. With
    /// enrolment dates, a customer not listed never enrols, and orders placed before enrolment are
    /// non-member orders (they earn nothing; they feed the member vs non-member comparison).
    /// </summary>
    public IReadOnlyDictionary<MemberId, Instant>? Enrolments { get; init; }

    /// <summary>Who referred whom (referee → referrer), or null: feeds the referred revenue.</summary>
    public IReadOnlyDictionary<MemberId, MemberId>? Referrers { get; init; }
}

/// <summary>The programme-wide settings of a backtest.</summary>
/// <remarks>Immutable.</remarks>
public sealed class BacktestSettings
{
    /// <summary>Creates settings.</summary>
    /// <param name="currency">The programme's currency; every order must be in it.</param>
    /// <param name="timeZone">The programme's time zone (months, expiry, tiers).</param>
    /// <param name="seed">The seed of the redemption behaviour's random draws.</param>
    /// <exception cref="ArgumentException">The currency is default or the zone is null.</exception>
    public BacktestSettings(Currency currency, DateTimeZone timeZone, int seed = 1)
    {
        if (currency.IsDefault)
        {
            throw new ArgumentException("currency must not be default(Currency); use Currency.FromCode(\"EUR\") or another ISO 4217 code.", nameof(currency));
        }

        Currency = currency;
        TimeZone = timeZone ?? throw new ArgumentNullException(nameof(timeZone));
        Seed = seed;
    }

    /// <summary>The programme's currency.</summary>
    public Currency Currency { get; }

    /// <summary>The programme's time zone.</summary>
    public DateTimeZone TimeZone { get; }

    /// <summary>The seed.</summary>
    public int Seed { get; }

    /// <summary>The end of the replay (exclusive), or null: the start of the month after the last order or refund. Set it later to see the run-off (expiry, outstanding points) after the last order.</summary>
    public Instant? EndAt { get; init; }

    /// <summary>
    /// How many partitions of the members replay in parallel, or null: one per processor (at most 8)
    /// for 20,000 events or more, otherwise one. The result is the same for any number.
    /// </summary>
    internal int? Partitions { get; init; }

    /// <summary>How long without an order makes a customer churned, for the member vs non-member comparison (default 180 days).</summary>
    public Duration ChurnAfter { get; init; } = Duration.FromDays(180);
}

/// <summary>One month of a backtest. Points figures are for the month; outstanding and liability are at its end.</summary>
/// <remarks>Immutable. Every month: cumulative <see cref="Issued"/> = cumulative <see cref="Redeemed"/> + cumulative <see cref="Expired"/> + <see cref="Outstanding"/>.</remarks>
public sealed record BacktestMonth
{
    /// <summary>The month, in the programme's zone.</summary>
    public required YearMonth Month { get; init; }

    /// <summary>Orders placed (members and non-members).</summary>
    public required int Orders { get; init; }

    /// <summary>Revenue: order net subtotals less refunded values, all customers.</summary>
    public required Money Revenue { get; init; }

    /// <summary>Revenue of members (orders placed while enrolled, less their refunds).</summary>
    public required Money MemberRevenue { get; init; }

    /// <summary>Points credited (orders and sign-up bonuses).</summary>
    public required long Earned { get; init; }

    /// <summary>Points taken back by refunds.</summary>
    public required long Reversed { get; init; }

    /// <summary>Points issued net of refunds: <see cref="Earned"/> − <see cref="Reversed"/>.</summary>
    public long Issued => Earned - Reversed;

    /// <summary>Points redeemed for rewards.</summary>
    public required long Redeemed { get; init; }

    /// <summary>Points expired (lots whose expiry fell in the month).</summary>
    public required long Expired { get; init; }

    /// <summary>Points outstanding at the month's end (available + pending + held).</summary>
    public required long Outstanding { get; init; }

    /// <summary>The liability at the month's end: outstanding points valued at the candidate's cost per point.</summary>
    public required Money Liability { get; init; }

    /// <summary>Realised breakage to date: cumulative expired ÷ cumulative issued (0 before anything is issued).</summary>
    public required double BreakageToDate { get; init; }

    /// <summary>Rewards redeemed in the month.</summary>
    public required int Redemptions { get; init; }

    /// <summary>The cost to the shop of the rewards redeemed in the month.</summary>
    public required Money RewardCost { get; init; }

    /// <summary>Reward cost ÷ member revenue for the month, or null without member revenue.</summary>
    public double? CostRatio => MemberRevenue.Amount > 0m ? (double)(RewardCost.Amount / MemberRevenue.Amount) : null;

    /// <summary>Members enrolled at the month's end.</summary>
    public required int Members { get; init; }

    /// <summary>Members per tier at the month's end (every tier of the ladder, lowest first).</summary>
    public required IReadOnlyList<KeyValuePair<TierId, int>> MembersPerTier { get; init; }
}

/// <summary>The result of replaying orders through one candidate programme.</summary>
/// <remarks>Immutable.</remarks>
public sealed record BacktestResult
{
    /// <summary>The candidate.</summary>
    public required ProgrammeCandidate Candidate { get; init; }

    /// <summary>The valuation of outstanding points used for the liability.</summary>
    public required PointValuation Valuation { get; init; }

    /// <summary>The months, in order.</summary>
    public required IReadOnlyList<BacktestMonth> Months { get; init; }

    /// <summary>The points each member order earned, by order id (non-member orders are absent).</summary>
    public required IReadOnlyDictionary<OrderId, Points> OrderPoints { get; init; }

    /// <summary>Each member's balance at the end (as the ledger reports it).</summary>
    public required IReadOnlyDictionary<MemberId, Ledger.LedgerBalance> Balances { get; init; }

    /// <summary>Each member's tier at the end, as the tier evaluator gives it from their replayed history.</summary>
    public required IReadOnlyDictionary<MemberId, TierId> MemberTiers { get; init; }

    /// <summary>The liability at the end.</summary>
    public required LiabilityReport Liability { get; init; }

    /// <summary>The breakage estimate at the end, from the replayed ledger's history.</summary>
    public required BreakageReport Breakage { get; init; }

    /// <summary>Costs and returns over the whole replay (members vs non-members, referred revenue).</summary>
    public required ProgrammeReturns Returns { get; init; }

    /// <summary>Points issued net of refunds over the whole replay.</summary>
    public long Issued => Months.Sum(m => m.Issued);

    /// <summary>Points redeemed over the whole replay.</summary>
    public long Redeemed => Months.Sum(m => m.Redeemed);

    /// <summary>Points expired over the whole replay.</summary>
    public long Expired => Months.Sum(m => m.Expired);

    /// <summary>The cost of rewards redeemed over the whole replay.</summary>
    public Money RewardCost => Months.Aggregate(Money.Zero(Valuation.CostPerPoint.Currency), (s, m) => s + m.RewardCost);
}
