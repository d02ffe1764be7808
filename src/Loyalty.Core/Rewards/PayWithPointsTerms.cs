using System.Globalization;
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
    /// <param name="rateWorth">What <paramref name="ratePoints"/> are worth; greater than 0.</param>
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
        var raw = points.Value * RateWorth.Amount / RatePoints.Value;
        return Money.FromDecimal(RoundDown(raw, RateWorth.Currency.MinorUnits), RateWorth.Currency);
    }

    /// <summary>The most points that may pay for an order of <paramref name="orderTotal"/>, under the maximum share.</summary>
    /// <param name="orderTotal">The order total, in the rate's currency; 0 or more.</param>
    /// <returns>The largest number of points whose value does not exceed the allowed share.</returns>
    /// <exception cref="ArgumentException"><paramref name="orderTotal"/> is negative or in another currency.</exception>
    public Points MaximumPointsFor(Money orderTotal)
    {
        CheckOrderTotal(orderTotal);
        var allowed = orderTotal.Amount * MaximumShareOfOrder;

        // Values are rounded down to minor units, so a value is within the allowance exactly when it is
        // within the allowance rounded down: p qualifies while p × worth / points < floor(allowed) + one minor unit.
        var unit = 1m / Pow10(RateWorth.Currency.MinorUnits);
        var ceiling = RoundDown(allowed, RateWorth.Currency.MinorUnits) + unit;
        var estimate = decimal.Ceiling(ceiling * RatePoints.Value / RateWorth.Amount) - 1;
        var points = estimate >= long.MaxValue - 1 ? long.MaxValue - 1 : (long)estimate;
        while (points > 0 && ValueOf(Points.FromInt64(points)).Amount > allowed)
        {
            points--;
        }

        while (points < long.MaxValue - 1 && ValueOf(Points.FromInt64(points + 1)).Amount <= allowed)
        {
            points++;
        }

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

    private static decimal RoundDown(decimal value, int decimals) => Math.Round(value, decimals, MidpointRounding.ToZero);
}
