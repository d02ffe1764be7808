using System.Globalization;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Economics;

/// <summary>How the relative stand-alone selling prices are turned into an allocation.</summary>
public enum AllocationRounding
{
    /// <summary>The exact ratio (goods SSP ÷ total SSP), the money rounded once at the end.</summary>
    Exact = 0,

    /// <summary>The points' share rounded to a whole percent first (as published worked examples do: 91 % / 9 %), then applied.</summary>
    WholePercent = 1,
}

/// <summary>
/// The IFRS 15 allocation of one sale's transaction price between the goods and the loyalty
/// points it earned (a material right, IFRS 15.B39–B43): by relative stand-alone selling prices,
/// the points' SSP being points × value per point × expected redemption rate.
/// </summary>
/// <remarks>Immutable. The two parts always add up to the transaction price exactly.</remarks>
public sealed record MaterialRightAllocation
{
    /// <summary>The transaction price allocated.</summary>
    public required Money TransactionPrice { get; init; }

    /// <summary>The stand-alone selling price of the goods.</summary>
    public required Money GoodsStandAloneSellingPrice { get; init; }

    /// <summary>The stand-alone selling price of the points: points × value per point × expected redemption rate.</summary>
    public required Money PointsStandAloneSellingPrice { get; init; }

    /// <summary>The share of the price allocated to the points (exact, or a whole percent under <see cref="AllocationRounding.WholePercent"/>).</summary>
    public required decimal PointsShare { get; init; }

    /// <summary>The revenue recognised for the goods on delivery.</summary>
    public required Money Goods { get; init; }

    /// <summary>The contract liability for the points (deferred revenue), recognised as points are redeemed.</summary>
    public required Money Points { get; init; }

    /// <summary>The points issued.</summary>
    public required long PointsIssued { get; init; }
}

/// <summary>One period of revenue recognised for points, with the catch-up when the estimate changed.</summary>
/// <remarks>Immutable.</remarks>
public sealed record MaterialRightPeriod
{
    /// <summary>Points redeemed since the sale, at the end of the period.</summary>
    public required long CumulativeRedeemed { get; init; }

    /// <summary>The total number of points expected to be redeemed, as estimated at the end of the period.</summary>
    public required long ExpectedTotalRedemptions { get; init; }

    /// <summary>Revenue recognised in the period (the catch-up included).</summary>
    public required Money Revenue { get; init; }

    /// <summary>The part of <see cref="Revenue"/> that re-measures earlier redemptions under the new estimate (cumulative catch-up, IFRS 15.88).</summary>
    public required Money CatchUp { get; init; }

    /// <summary>Revenue recognised since the sale.</summary>
    public required Money CumulativeRevenue { get; init; }

    /// <summary>The contract liability left at the end of the period.</summary>
    public required Money ContractLiability { get; init; }
}

/// <summary>
/// IFRS 15 accounting for loyalty points: allocation of the transaction price, then revenue
/// recognised as points are redeemed, in proportion to the total expected to be redeemed, with a
/// cumulative catch-up when that expectation changes.
/// </summary>
/// <remarks>
/// <para>Thread-safe; pure. Money is rounded to <c>decimals</c> places, midpoint away from zero:
/// the goods part is rounded and the points part is the rest, so they add up exactly; the
/// cumulative revenue is rounded and each period is its difference with what was recognised before,
/// so the periods add up to the allocation exactly.</para>
/// <para>Reproduces the IFRS 15 Illustrative Example 52 ("Customer loyalty programme") and its
/// rounded-percentage variants: see <c>docs/economics.md</c>.</para>
/// </remarks>
public static class MaterialRight
{
    /// <summary>Allocates a sale's transaction price between goods and points.</summary>
    /// <param name="transactionPrice">The price of the sale (0 or more).</param>
    /// <param name="goodsStandAloneSellingPrice">The goods' stand-alone selling price (more than 0), usually the transaction price; same currency.</param>
    /// <param name="pointsIssued">The points the sale earned (0 or more).</param>
    /// <param name="valuePerPoint">What one point is worth to the customer when redeemed (0 or more).</param>
    /// <param name="expectedRedemptionRate">The share of the points expected to be redeemed, in [0, 1].</param>
    /// <param name="rounding">Exact ratio or a whole-percent share.</param>
    /// <param name="decimals">Money decimals, 0 to 4 (2 for cents, 0 for whole units as in the published example).</param>
    /// <returns>The allocation.</returns>
    /// <exception cref="ArgumentException">An argument is out of range or the currencies differ; the message says which.</exception>
    public static MaterialRightAllocation Allocate(
        Money transactionPrice,
        Money goodsStandAloneSellingPrice,
        long pointsIssued,
        Money valuePerPoint,
        decimal expectedRedemptionRate,
        AllocationRounding rounding = AllocationRounding.Exact,
        int decimals = 2)
    {
        var currency = transactionPrice.Currency;
        EconomicsGuard.SameCurrency(goodsStandAloneSellingPrice, currency, nameof(goodsStandAloneSellingPrice));
        EconomicsGuard.SameCurrency(valuePerPoint, currency, nameof(valuePerPoint));
        if (transactionPrice.Amount < 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(transactionPrice), transactionPrice, $"transactionPrice must be 0 or more (was {transactionPrice}).");
        }

        if (goodsStandAloneSellingPrice.Amount <= 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(goodsStandAloneSellingPrice), goodsStandAloneSellingPrice, $"goodsStandAloneSellingPrice must be more than 0 (was {goodsStandAloneSellingPrice}); use the price the goods sell for without points.");
        }

        Internal.Preconditions.CheckNotNegative(pointsIssued, nameof(pointsIssued));
        EconomicsGuard.CostPerPoint(valuePerPoint.Amount, nameof(valuePerPoint));
        EconomicsGuard.Rate(expectedRedemptionRate, nameof(expectedRedemptionRate));
        EconomicsGuard.Decimals(decimals, nameof(decimals));
        if (!Enum.IsDefined(rounding))
        {
            throw new ArgumentOutOfRangeException(nameof(rounding), rounding, $"rounding must be Exact or WholePercent (was {(int)rounding}).");
        }

        var pointsSsp = pointsIssued * valuePerPoint.Amount * expectedRedemptionRate;
        var share = pointsSsp / (goodsStandAloneSellingPrice.Amount + pointsSsp);
        if (rounding == AllocationRounding.WholePercent)
        {
            share = Math.Round(share * 100m, 0, MidpointRounding.AwayFromZero) / 100m;
        }

        var goods = Round(transactionPrice.Amount * (1m - share), decimals);
        return new MaterialRightAllocation
        {
            TransactionPrice = transactionPrice,
            GoodsStandAloneSellingPrice = goodsStandAloneSellingPrice,
            PointsStandAloneSellingPrice = Money.FromDecimal(Round(pointsSsp, decimals), currency),
            PointsShare = share,
            Goods = Money.FromDecimal(goods, currency),
            Points = Money.FromDecimal(transactionPrice.Amount - goods, currency),
            PointsIssued = pointsIssued,
        };
    }

    /// <summary>
    /// Recognises revenue for a period: cumulative revenue = allocation × cumulative redeemed ÷
    /// expected total redemptions (capped at the allocation), less what was recognised before.
    /// </summary>
    /// <param name="allocation">The allocation (or the sum of a cohort's allocations).</param>
    /// <param name="previous">The previous period, or null for the first.</param>
    /// <param name="cumulativeRedeemed">Points redeemed since the sale, at the end of this period (0 or more, not less than before).</param>
    /// <param name="expectedTotalRedemptions">The total expected to be redeemed as estimated now (at least <paramref name="cumulativeRedeemed"/>, more than 0).</param>
    /// <param name="decimals">Money decimals, 0 to 4; use the allocation's.</param>
    /// <returns>The period.</returns>
    /// <exception cref="ArgumentException">An argument is out of range; the message says which.</exception>
    public static MaterialRightPeriod Recognise(MaterialRightAllocation allocation, MaterialRightPeriod? previous, long cumulativeRedeemed, long expectedTotalRedemptions, int decimals = 2)
    {
        ArgumentNullException.ThrowIfNull(allocation);
        EconomicsGuard.Decimals(decimals, nameof(decimals));
        var before = previous?.CumulativeRedeemed ?? 0;
        if (cumulativeRedeemed < before)
        {
            throw new ArgumentOutOfRangeException(nameof(cumulativeRedeemed), cumulativeRedeemed, string.Create(CultureInfo.InvariantCulture, $"cumulativeRedeemed must not go down (was {cumulativeRedeemed}, previous period {before}); pass the points redeemed since the sale, not in the period."));
        }

        if (expectedTotalRedemptions <= 0 || expectedTotalRedemptions < cumulativeRedeemed)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedTotalRedemptions), expectedTotalRedemptions, string.Create(CultureInfo.InvariantCulture, $"expectedTotalRedemptions must be more than 0 and at least the {cumulativeRedeemed} points already redeemed (was {expectedTotalRedemptions})."));
        }

        var currency = allocation.Points.Currency;
        var pool = allocation.Points.Amount;
        var recognisedBefore = previous?.CumulativeRevenue.Amount ?? 0m;
        var cumulative = Round(pool * cumulativeRedeemed / expectedTotalRedemptions, decimals);
        var remeasured = Round(pool * before / expectedTotalRedemptions, decimals);
        return new MaterialRightPeriod
        {
            CumulativeRedeemed = cumulativeRedeemed,
            ExpectedTotalRedemptions = expectedTotalRedemptions,
            Revenue = Money.FromDecimal(cumulative - recognisedBefore, currency),
            CatchUp = Money.FromDecimal(previous is null ? 0m : remeasured - recognisedBefore, currency),
            CumulativeRevenue = Money.FromDecimal(cumulative, currency),
            ContractLiability = Money.FromDecimal(pool - cumulative, currency),
        };
    }

    private static decimal Round(decimal value, int decimals) => Math.Round(value, decimals, MidpointRounding.AwayFromZero);
}
