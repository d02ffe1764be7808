namespace Loyalty.Core.Rewards;

/// <summary>What a reward gives the member.</summary>
/// <remarks>The numeric values are stable and may be persisted.</remarks>
public enum RewardKind
{
    /// <summary>A voucher worth a fixed amount off an order, e.g. 5 € off.</summary>
    AmountOffVoucher = 1,

    /// <summary>A percentage off an order, e.g. 10 % off.</summary>
    PercentageDiscount = 2,

    /// <summary>Free shipping on an order.</summary>
    FreeShipping = 3,

    /// <summary>A product given for free, identified by its SKU.</summary>
    GiftProduct = 4,

    /// <summary>Points spent as money at checkout, at an exchange rate, through hold / capture / release.</summary>
    PayWithPoints = 5,
}
