using System.Globalization;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Segmentation;

/// <summary>
/// One customer's purchases in the analysis window, already aggregated: the input of
/// <see cref="RfmpSegmenter.Segment(IReadOnlyList{CustomerActivity})"/> when the shop keeps its
/// own per-customer totals, and the output of <see cref="RfmpSegmenter.Aggregate"/>.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. <c>default(CustomerActivity)</c> has no customer and is refused
/// by the segmenter; create values with <see cref="From"/>.
/// </remarks>
public readonly struct CustomerActivity : IEquatable<CustomerActivity>
{
    private CustomerActivity(MemberId customer, Instant lastPurchaseAt, int orders, Money netAmount, int categories)
    {
        Customer = customer;
        LastPurchaseAt = lastPurchaseAt;
        Orders = orders;
        NetAmount = netAmount;
        Categories = categories;
    }

    /// <summary>The customer.</summary>
    public MemberId Customer { get; }

    /// <summary>When the customer's last order in the window was placed.</summary>
    public Instant LastPurchaseAt { get; }

    /// <summary>Distinct orders in the window (at least 1).</summary>
    public int Orders { get; }

    /// <summary>Net amount spent in the window (zero or more).</summary>
    public Money NetAmount { get; }

    /// <summary>Distinct product categories bought in the window (zero when unknown).</summary>
    public int Categories { get; }

    /// <summary>Creates a customer's aggregated activity.</summary>
    /// <param name="customer">The customer; must not be <c>default</c>.</param>
    /// <param name="lastPurchaseAt">When the last order in the window was placed.</param>
    /// <param name="orders">Distinct orders in the window, at least 1.</param>
    /// <param name="netAmount">Net amount spent in the window, zero or more.</param>
    /// <param name="categories">Distinct product categories bought, zero or more.</param>
    /// <returns>The activity.</returns>
    /// <exception cref="ArgumentException"><paramref name="customer"/> or the currency of <paramref name="netAmount"/> is default, or <paramref name="netAmount"/> is negative.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="orders"/> is below 1 or <paramref name="categories"/> is negative.</exception>
    public static CustomerActivity From(MemberId customer, Instant lastPurchaseAt, int orders, Money netAmount, int categories)
    {
        if (customer.IsDefault)
        {
            throw new ArgumentException("customer must not be default(MemberId); create one with MemberId.From(...).", nameof(customer));
        }

        if (orders < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(orders), orders, $"orders must be 1 or more for customer {customer} (was {orders}); leave customers without orders out of the input.");
        }

        if (netAmount.Currency.IsDefault)
        {
            throw new ArgumentException($"netAmount of customer {customer} has no currency; create it with Money.FromDecimal(amount, currency).", nameof(netAmount));
        }

        if (netAmount.IsNegative)
        {
            throw new ArgumentException($"netAmount of customer {customer} must be 0 or more (was {netAmount}); net refunds against the orders they reverse before segmenting.", nameof(netAmount));
        }

        if (categories < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(categories), categories, $"categories must be 0 or more for customer {customer} (was {categories}).");
        }

        return new CustomerActivity(customer, lastPurchaseAt, orders, netAmount, categories);
    }

    /// <summary>Compares two activities field by field.</summary>
    /// <param name="left">The first activity.</param>
    /// <param name="right">The second activity.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(CustomerActivity left, CustomerActivity right) => left.Equals(right);

    /// <summary>Compares two activities field by field.</summary>
    /// <param name="left">The first activity.</param>
    /// <param name="right">The second activity.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(CustomerActivity left, CustomerActivity right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(CustomerActivity other) =>
        Customer == other.Customer && LastPurchaseAt == other.LastPurchaseAt && Orders == other.Orders
        && NetAmount == other.NetAmount && Categories == other.Categories;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CustomerActivity other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Customer, LastPurchaseAt, Orders, NetAmount, Categories);

    /// <summary>A readable form, e.g. <c>42: 3 orders, 120.00 EUR, 2 categories, last 2024-05-01T10:00:00Z</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Customer}: {Orders} orders, {NetAmount}, {Categories} categories, last {LastPurchaseAt}");
}
