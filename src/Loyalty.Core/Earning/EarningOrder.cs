using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Earning;

/// <summary>An order (or a cart being quoted) as the earning engine sees it.</summary>
/// <remarks>Immutable and thread-safe once built. All amounts are in <see cref="Currency"/>.</remarks>
public sealed class EarningOrder
{
    private static readonly string[] NoCoupons = [];

    /// <summary>Creates an order.</summary>
    /// <param name="id">The shop's order id.</param>
    /// <param name="member">The member who placed it.</param>
    /// <param name="placedAt">When it was placed; picks the rule set in force and the calendar period.</param>
    /// <param name="currency">The currency of every amount.</param>
    /// <param name="lines">The lines; at least one, with at most <see cref="EarningLimits.MaxQuantity"/> units in all.</param>
    /// <param name="shipping">Shipping charged, 0 or greater.</param>
    /// <param name="tax">Tax charged, 0 or greater.</param>
    /// <param name="paidWithPoints">The part of the order paid with points, 0 or greater; earns nothing by default.</param>
    /// <remarks>The order's total (lines' net amounts + shipping + tax) is at most <see cref="EarningLimits.MaxAmount"/>.</remarks>
    /// <param name="channel">The sales channel (e.g. <c>web</c>, <c>app</c>, <c>store</c>), or null.</param>
    /// <param name="store">The merchant or store, or null.</param>
    /// <param name="coupons">Coupon codes used, or null for none.</param>
    /// <exception cref="ArgumentException">An argument is out of range; the message says which and why.</exception>
    public EarningOrder(
        OrderId id,
        MemberId member,
        Instant placedAt,
        Currency currency,
        IReadOnlyList<OrderLine> lines,
        decimal shipping = 0m,
        decimal tax = 0m,
        decimal paidWithPoints = 0m,
        string? channel = null,
        MerchantId? store = null,
        IReadOnlyList<string>? coupons = null)
    {
        Preconditions.CheckNotDefault(id.IsDefault, nameof(OrderId), nameof(id));
        Preconditions.CheckNotDefault(member.IsDefault, nameof(MemberId), nameof(member));
        if (currency.IsDefault)
        {
            throw new ArgumentException("currency must not be default(Currency); use Currency.FromCode(\"EUR\") or another ISO 4217 code.", nameof(currency));
        }

        Preconditions.CheckNotNull(lines);
        if (lines.Count == 0)
        {
            throw new ArgumentException("lines must hold at least one line; an order without lines earns nothing.", nameof(lines));
        }

        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i] is null)
            {
                throw new ArgumentException($"lines[{i}] must not be null.", nameof(lines));
            }
        }

        CheckAmount(shipping, nameof(shipping));
        CheckAmount(tax, nameof(tax));
        CheckAmount(paidWithPoints, nameof(paidWithPoints));

        decimal subtotal = 0m;
        decimal merchandise = 0m;
        long units = 0;
        foreach (var line in lines)
        {
            subtotal += line.NetAmount;
            merchandise += line.IsGiftCard ? 0m : line.NetAmount;
            units += line.Quantity;
        }

        if (units > EarningLimits.MaxQuantity)
        {
            throw new ArgumentOutOfRangeException(nameof(lines), units, $"lines must hold at most {EarningLimits.MaxQuantity} units in all (was {units}); split larger orders.");
        }

        if (subtotal + shipping + tax > EarningLimits.MaxAmount)
        {
            var paramName = subtotal > EarningLimits.MaxAmount ? nameof(lines) : tax >= shipping ? nameof(tax) : nameof(shipping);
            throw new ArgumentOutOfRangeException(
                paramName,
                subtotal + shipping + tax,
                $"The order total (lines {subtotal} + shipping {shipping} + tax {tax}) must be at most {EarningLimits.MaxAmount} (was {subtotal + shipping + tax}); amounts are in units of the currency (euros, not cents).");
        }

        if (paidWithPoints > subtotal + shipping + tax)
        {
            throw new ArgumentOutOfRangeException(nameof(paidWithPoints), paidWithPoints, $"paidWithPoints must not exceed the order total {subtotal + shipping + tax} (was {paidWithPoints}).");
        }

        Id = id;
        Member = member;
        PlacedAt = placedAt;
        Currency = currency;
        Lines = lines;
        Shipping = shipping;
        Tax = tax;
        PaidWithPoints = paidWithPoints;
        Channel = channel;
        Store = store;
        Coupons = coupons ?? NoCoupons;
        NetSubtotal = subtotal;
        MerchandiseSubtotal = merchandise;
    }

    /// <summary>The shop's order id.</summary>
    public OrderId Id { get; }

    /// <summary>The member who placed the order.</summary>
    public MemberId Member { get; }

    /// <summary>When the order was placed.</summary>
    public Instant PlacedAt { get; }

    /// <summary>The currency of every amount.</summary>
    public Currency Currency { get; }

    /// <summary>The lines, in the shop's order (which never changes the points).</summary>
    public IReadOnlyList<OrderLine> Lines { get; }

    /// <summary>Shipping charged.</summary>
    public decimal Shipping { get; }

    /// <summary>Tax charged.</summary>
    public decimal Tax { get; }

    /// <summary>The part paid with points.</summary>
    public decimal PaidWithPoints { get; }

    /// <summary>The sales channel, or null.</summary>
    public string? Channel { get; }

    /// <summary>The merchant or store, or null.</summary>
    public MerchantId? Store { get; }

    /// <summary>Coupon codes used (never null).</summary>
    public IReadOnlyList<string> Coupons { get; }

    /// <summary>The sum of the lines' net amounts (after line discounts, before shipping and tax).</summary>
    public decimal NetSubtotal { get; }

    /// <summary>The sum of the net amounts of the lines that are not gift cards; subtotal conditions and basket thresholds use it.</summary>
    public decimal MerchandiseSubtotal { get; }

    private static void CheckAmount(decimal value, string name)
    {
        if (value < 0m)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be 0 or greater (was {value}).");
        }

        if (value > EarningLimits.MaxAmount)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at most {EarningLimits.MaxAmount} (was {value}); amounts are in units of the currency (euros, not cents).");
        }
    }
}
