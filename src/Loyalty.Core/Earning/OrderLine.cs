using Loyalty.Core.Internal;

namespace Loyalty.Core.Earning;

/// <summary>One line of an order as the earning engine sees it.</summary>
/// <remarks>
/// Immutable and thread-safe. Amounts are in the order's currency. The line's net amount is
/// <c>Quantity × UnitPrice − Discount</c>; it is what spend rules earn on.
/// </remarks>
public sealed class OrderLine
{
    private static readonly string[] NoCategories = [];

    /// <summary>Creates a line.</summary>
    /// <param name="sku">The product's stock-keeping unit; not empty.</param>
    /// <param name="quantity">The number of units; from 1 to <see cref="EarningLimits.MaxQuantity"/>.</param>
    /// <param name="unitPrice">The price of one unit, 0 or greater, in the order's currency; <c>quantity × unitPrice</c> at most <see cref="EarningLimits.MaxAmount"/>.</param>
    /// <param name="discount">The discount on the whole line, between 0 and <c>quantity × unitPrice</c>.</param>
    /// <param name="categories">The product's categories, or null for none.</param>
    /// <param name="brand">The product's brand, or null.</param>
    /// <param name="isGiftCard">True when the line sells a gift card (earns nothing unless a rule says so).</param>
    /// <exception cref="ArgumentException">An argument is out of range; the message says which and why.</exception>
    public OrderLine(string sku, int quantity, decimal unitPrice, decimal discount = 0m, IReadOnlyList<string>? categories = null, string? brand = null, bool isGiftCard = false)
    {
        if (string.IsNullOrWhiteSpace(sku))
        {
            throw new ArgumentException("sku must not be empty; give the product's stock-keeping unit.", nameof(sku));
        }

        Preconditions.CheckPositive(quantity);
        if (quantity > EarningLimits.MaxQuantity)
        {
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, $"quantity must be at most {EarningLimits.MaxQuantity} (was {quantity}); split larger quantities over several orders.");
        }

        if (unitPrice < 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(unitPrice), unitPrice, $"unitPrice must be 0 or greater (was {unitPrice}).");
        }

        if (unitPrice > EarningLimits.MaxAmount || quantity * unitPrice > EarningLimits.MaxAmount)
        {
            throw new ArgumentOutOfRangeException(nameof(unitPrice), unitPrice, $"unitPrice × quantity must be at most {EarningLimits.MaxAmount} (was {unitPrice} × {quantity}); amounts are in units of the currency (euros, not cents).");
        }

        var gross = quantity * unitPrice;
        if (discount < 0m || discount > gross)
        {
            throw new ArgumentOutOfRangeException(nameof(discount), discount, $"discount must be between 0 and the line's gross amount {gross} (was {discount}).");
        }

        Sku = sku;
        Quantity = quantity;
        UnitPrice = unitPrice;
        Discount = discount;
        Categories = categories ?? NoCategories;
        Brand = brand;
        IsGiftCard = isGiftCard;
        NetAmount = gross - discount;
    }

    /// <summary>The product's stock-keeping unit.</summary>
    public string Sku { get; }

    /// <summary>The number of units.</summary>
    public int Quantity { get; }

    /// <summary>The price of one unit.</summary>
    public decimal UnitPrice { get; }

    /// <summary>The discount on the whole line.</summary>
    public decimal Discount { get; }

    /// <summary>The product's categories (never null).</summary>
    public IReadOnlyList<string> Categories { get; }

    /// <summary>The product's brand, or null.</summary>
    public string? Brand { get; }

    /// <summary>True when the line sells a gift card.</summary>
    public bool IsGiftCard { get; }

    /// <summary><c>Quantity × UnitPrice − Discount</c>.</summary>
    public decimal NetAmount { get; }
}
