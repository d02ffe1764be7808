using System.Globalization;
using Loyalty.Core.Earning;
using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Rewards;

/// <summary>
/// How points pay for part of an order at checkout: an exchange rate (for example 100 points are
/// worth 1.00 €), a minimum number of points per use, and the largest share of the order that
/// points may pay.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. Money values are rounded <em>down</em> to the currency's minor
/// units, so points never pay more than the rate says.
/// </remarks>
public sealed class PayWithPointsTerms
{
    private PayWithPointsTerms(Points points, Money worth, Points minimumPoints, decimal maximumShare)
    {
        RatePoints = points;
        RateWorth = worth;
        MinimumPoints = minimumPoints;
        MaximumShareOfOrder = maximumShare;
    }

    /// <summary>The most one point may be worth, in units of the currency: 1,000,000 (so that the value of any number of points fits in a <see cref="decimal"/>).</summary>
    public const decimal MaxWorthPerPoint = 1_000_000m;

    /// <summary>The points side of the exchange rate, e.g. 100 in "100 points = 1.00 EUR".</summary>
    public Points RatePoints { get; }

    /// <summary>The money side of the exchange rate, e.g. 1.00 EUR in "100 points = 1.00 EUR".</summary>
    public Money RateWorth { get; }

    /// <summary>The fewest points a member may use at once.</summary>
    public Points MinimumPoints { get; }

    /// <summary>The largest share of the order total points may pay, in (0, 1]; 1 means the whole order.</summary>
    public decimal MaximumShareOfOrder { get; }

    /// <summary>Creates terms.</summary>
    /// <param name="ratePoints">The points side of the rate; greater than 0.</param>
    /// <param name="rateWorth">What <paramref name="ratePoints"/> are worth; greater than 0 and at most <see cref="MaxWorthPerPoint"/> per point.</param>
    /// <param name="minimumPoints">The fewest points per use; 0 or more.</param>
    /// <param name="maximumShareOfOrder">The largest share of the order, greater than 0 and at most 1.</param>
    /// <returns>The terms.</returns>
    /// <exception cref="ArgumentException">An argument is out of range; the message says which and how to fix it.</exception>
    public static PayWithPointsTerms Create(Points ratePoints, Money rateWorth, Points minimumPoints, decimal maximumShareOfOrder)
    {
        Preconditions.CheckPositive(ratePoints.Value, nameof(ratePoints));
        if (rateWorth.Currency.IsDefault || rateWorth.Amount <= 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(rateWorth), rateWorth, $"rateWorth must be a positive amount of money, e.g. 1.00 EUR for 100 points (was {rateWorth}).");
        }

        if (rateWorth.Amount > MaxWorthPerPoint * ratePoints.Value)
        {
            throw new ArgumentOutOfRangeException(nameof(rateWorth), rateWorth, string.Create(CultureInfo.InvariantCulture, $"rateWorth must be at most {MaxWorthPerPoint} {rateWorth.Currency.Code} per point (was {rateWorth} for {ratePoints} points)."));
        }

        Preconditions.CheckNotNegative(minimumPoints.Value, nameof(minimumPoints));
        if (maximumShareOfOrder <= 0m || maximumShareOfOrder > 1m)
        {
            throw new ArgumentOutOfRangeException(nameof(maximumShareOfOrder), maximumShareOfOrder, $"maximumShareOfOrder must be greater than 0 and at most 1, e.g. 0.5 for half the order (was {maximumShareOfOrder.ToString(CultureInfo.InvariantCulture)}).");
        }

        return new PayWithPointsTerms(ratePoints, rateWorth, minimumPoints, maximumShareOfOrder);
    }

    /// <summary>What a number of points is worth, rounded down to the currency's minor units.</summary>
    /// <param name="points">The points; 0 or more.</param>
    /// <returns>The money value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="points"/> is negative.</exception>
    public Money ValueOf(Points points)
    {
        Preconditions.CheckNotNegative(points.Value, nameof(points));

        // Exact: points × worth / ratePoints, rounded down to minor units, without the overflow a
        // decimal product of many points and a large worth would risk.
        var minorUnits = RateWorth.Currency.MinorUnits;
        var raw = Fraction.From(points.Value) * Fraction.From(RateWorth.Amount) / Fraction.From(RatePoints.Value);
        var minor = (raw * Fraction.From(Pow10(minorUnits))).Floor();
        return Money.FromDecimal((decimal)minor / Pow10(minorUnits), RateWorth.Currency);
    }

    /// <summary>The most points that may pay for an order of <paramref name="orderTotal"/>, under the maximum share.</summary>
    /// <param name="orderTotal">The order total, in the rate's currency; 0 or more and at most <see cref="EarningLimits.MaxAmount"/>.</param>
    /// <returns>The largest number of points whose value does not exceed the allowed share.</returns>
    /// <exception cref="ArgumentException"><paramref name="orderTotal"/> is negative, above <see cref="EarningLimits.MaxAmount"/> or in another currency.</exception>
    public Points MaximumPointsFor(Money orderTotal)
    {
        CheckOrderTotal(orderTotal);

        // Values are rounded down to minor units, so p points fit the allowance exactly when
        // floor(p × worth / points × 10^m) ≤ K = floor(allowed × 10^m), that is when
        // p < (K + 1) × points / (worth × 10^m): the answer is the largest integer below that bound.
        // Exact rational arithmetic: no decimal product can overflow or round.
        var scale = Fraction.From(Pow10(RateWorth.Currency.MinorUnits));
        var allowed = Fraction.From(orderTotal.Amount) * Fraction.From(MaximumShareOfOrder);
        var k = (allowed * scale).Floor();
        var bound = Fraction.Ratio(k + 1, 1) * Fraction.From(RatePoints.Value) / (Fraction.From(RateWorth.Amount) * scale);
        var below = bound.Floor();
        if (Fraction.Ratio(below, 1).CompareTo(bound) == 0)
        {
            below -= 1;
        }

        var points = below >= long.MaxValue - 1 ? long.MaxValue - 1 : below <= 0 ? 0 : (long)below;
        return Points.FromInt64(points);
    }

    /// <summary>The rate in words, e.g. <c>100 points = 1.00 EUR, min 500, up to 50% of the order</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{RatePoints} points = {RateWorth}, min {MinimumPoints}, up to {MaximumShareOfOrder * 100m:0.##}% of the order");

    internal void CheckOrderTotal(Money orderTotal, string paramName = "orderTotal")
    {
        if (orderTotal.Currency != RateWorth.Currency)
        {
            throw new ArgumentException($"{paramName} must be in {RateWorth.Currency.Code}, the currency of the exchange rate (was {orderTotal}).", paramName);
        }

        if (orderTotal.IsNegative)
        {
            throw new ArgumentOutOfRangeException(paramName, orderTotal, $"{paramName} must be 0 or more (was {orderTotal}).");
        }

        if (orderTotal.Amount > EarningLimits.MaxAmount)
        {
            throw new ArgumentOutOfRangeException(paramName, orderTotal, string.Create(CultureInfo.InvariantCulture, $"{paramName} must be at most {EarningLimits.MaxAmount} {orderTotal.Currency.Code} (was {orderTotal.Amount}); amounts are in units of the currency (euros, not cents)."));
        }
    }

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10m;
        }

        return result;
    }

}
