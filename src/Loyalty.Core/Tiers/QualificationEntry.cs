using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Tiers;

/// <summary>
/// One dated qualifying amount in a member's history: points of an earn kind, spend, and/or an
/// order count. Refunds and reversals are negative amounts.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. <c>default</c> is an all-zero entry at the Unix epoch, which changes nothing.
/// An entry can also be the sum of several (see <see cref="FromSums"/>): a member's kept evaluation state
/// folds the entries of one day, or of one qualification period, into one per earn kind.
/// </remarks>
public readonly record struct QualificationEntry
{
    // For a sum, how long before At its earliest entry happened, in nanoseconds; 0 for a single entry.
    private readonly long sinceNanoseconds;

    private QualificationEntry(Instant at, long points, EarnKind kind, decimal spend, Currency spendCurrency, int orders, long sinceNanoseconds = 0)
    {
        At = at;
        Points = points;
        Kind = kind;
        Spend = spend;
        SpendCurrency = spendCurrency;
        Orders = orders;
        this.sinceNanoseconds = sinceNanoseconds;
    }

    /// <summary>When the amount happened; for a sum of several entries, when the latest of them happened.</summary>
    public Instant At { get; }

    /// <summary>
    /// For a sum of several entries (<see cref="FromSums"/>), when the earliest of them happened; otherwise
    /// <see cref="At"/>. <see cref="TierEvaluator"/> counts a sum whole, at <see cref="At"/>; a store that keeps
    /// entries must keep this too.
    /// </summary>
    public Instant Since => sinceNanoseconds == 0 ? At : At - Duration.FromNanoseconds(sinceNanoseconds);

    /// <summary>True when the entry sums entries of more than one instant (<see cref="Since"/> is before <see cref="At"/>).</summary>
    public bool IsSum => sinceNanoseconds != 0;

    /// <summary>Points (negative for a reversal).</summary>
    public long Points { get; }

    /// <summary>The earn kind of <see cref="Points"/>.</summary>
    public EarnKind Kind { get; }

    /// <summary>Spend in units of the programme currency (negative for a refund).</summary>
    public decimal Spend { get; }

    /// <summary>The currency of <see cref="Spend"/> when it was given as <see cref="Money"/>; default otherwise.</summary>
    public Currency SpendCurrency { get; }

    /// <summary>Order count (1 for an order, -1 for a cancelled order).</summary>
    public int Orders { get; }

    /// <summary>True when any amount is negative: a refund, reversal or cancellation.</summary>
    public bool IsReduction => Points < 0 || Spend < 0m || Orders < 0;

    /// <summary>Points earned (or reversed, when negative).</summary>
    /// <param name="at">When.</param>
    /// <param name="points">The points, any sign.</param>
    /// <param name="kind">The earn kind.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not defined.</exception>
    public static QualificationEntry FromPoints(Instant at, Points points, EarnKind kind = EarnKind.Purchase) =>
        new(at, points.Value, CheckKind(kind), 0m, default, 0);

    /// <summary>An order: one order, its spend and the points it earned.</summary>
    /// <param name="at">When the order was placed.</param>
    /// <param name="spend">The qualifying spend.</param>
    /// <param name="points">The purchase points it earned.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentException"><paramref name="spend"/> has the default currency.</exception>
    public static QualificationEntry FromOrder(Instant at, Money spend, Points points = default) =>
        new(at, points.Value, EarnKind.Purchase, spend.Amount, CheckCurrency(spend), 1);

    /// <summary>A refund: spend and points taken back, and the order removed when it is cancelled entirely.</summary>
    /// <param name="at">When the refund happened.</param>
    /// <param name="refunded">The refunded amount, positive (it is subtracted).</param>
    /// <param name="pointsReversed">The purchase points taken back, positive (they are subtracted).</param>
    /// <param name="cancelsOrder">True when the whole order is cancelled, so it no longer counts as an order.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentException"><paramref name="refunded"/> has the default currency.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An amount is negative.</exception>
    public static QualificationEntry FromRefund(Instant at, Money refunded, Points pointsReversed = default, bool cancelsOrder = false)
    {
        CheckCurrency(refunded);
        if (refunded.Amount < 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(refunded), refunded.Amount, $"{nameof(refunded)} must be 0 or greater (was {refunded.Amount}); give the refunded amount, it is subtracted.");
        }

        if (pointsReversed.IsNegative)
        {
            throw new ArgumentOutOfRangeException(nameof(pointsReversed), pointsReversed.Value, $"{nameof(pointsReversed)} must be 0 or greater (was {pointsReversed.Value}); give the points taken back, they are subtracted.");
        }

        return new(at, -pointsReversed.Value, EarnKind.Purchase, -refunded.Amount, refunded.Currency, cancelsOrder ? -1 : 0);
    }

    /// <summary>Any combination of amounts, spend in the programme currency.</summary>
    /// <param name="at">When.</param>
    /// <param name="points">Points, any sign.</param>
    /// <param name="kind">Earn kind of the points.</param>
    /// <param name="spend">Spend, any sign.</param>
    /// <param name="orders">Order count, any sign.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not defined.</exception>
    public static QualificationEntry FromAmounts(Instant at, long points, EarnKind kind, decimal spend, int orders) =>
        new(at, points, CheckKind(kind), spend, default, orders);

    /// <summary>
    /// The sum of several entries of one earn kind that happened from <paramref name="since"/> to
    /// <paramref name="at"/>, spend in the programme currency. A window that starts after
    /// <paramref name="since"/> and at or before <paramref name="at"/> would count part of the sum: the
    /// kept evaluation state answers such a question by replaying the member's history instead.
    /// </summary>
    /// <param name="since">When the earliest entry happened.</param>
    /// <param name="at">When the latest entry happened.</param>
    /// <param name="points">Points, any sign.</param>
    /// <param name="kind">Earn kind of the points.</param>
    /// <param name="spend">Spend, any sign.</param>
    /// <param name="orders">Order count, any sign.</param>
    /// <returns>The entry; a plain entry at <paramref name="at"/> when <paramref name="since"/> equals it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not defined, <paramref name="since"/> is after <paramref name="at"/>, or they are more than 100 years apart.</exception>
    public static QualificationEntry FromSums(Instant since, Instant at, long points, EarnKind kind, decimal spend, int orders)
    {
        if (since > at)
        {
            throw new ArgumentOutOfRangeException(nameof(since), since, $"{nameof(since)} must not be after {nameof(at)} ({at}); it is when the earliest summed entry happened.");
        }

        if (at - since > MaxSumSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(since), since, $"{nameof(since)} must be at most 100 years before {nameof(at)} ({at}).");
        }

        return new(at, points, CheckKind(kind), spend, default, orders, (at - since).ToInt64Nanoseconds());
    }

    private static readonly Duration MaxSumSpan = Duration.FromDays(36_525);

    private static EarnKind CheckKind(EarnKind kind) => Enum.IsDefined(kind)
        ? kind
        : throw new ArgumentOutOfRangeException(nameof(kind), kind, $"{nameof(kind)} must be Purchase, Activity, Bonus or Adjustment (was {(int)kind}).");

    private static Currency CheckCurrency(Money money) => money.Currency.IsDefault
        ? throw new ArgumentException("Money must have a currency; create it with Money.FromDecimal(amount, currency).", nameof(money))
        : money.Currency;
}
