using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Segmentation;

/// <summary>
/// One purchase fed to the segmenter and the customer analytics: a whole order, or one line of
/// an order (lines sharing an <see cref="Order"/> are merged into one order).
/// </summary>
/// <remarks>
/// <para>Immutable and thread-safe. The segmenter validates each purchase as it streams in:
/// <c>default(Purchase)</c> (no customer, no order) is refused with a message naming the
/// missing field.</para>
/// <para>Lines of one order add up their net amounts and their categories, count as one order
/// in the frequency, and the order's instant is the earliest line's instant.</para>
/// </remarks>
/// <param name="Customer">The buying customer.</param>
/// <param name="Order">The order the purchase belongs to.</param>
/// <param name="PlacedAt">When the order was placed.</param>
/// <param name="NetAmount">The net amount (after discounts and refunds); must be zero or positive and in the programme's currency.</param>
/// <param name="Categories">The product categories bought, or null when unknown (counts no category).</param>
public readonly record struct Purchase(
    MemberId Customer,
    OrderId Order,
    Instant PlacedAt,
    Money NetAmount,
    IReadOnlyList<string>? Categories = null);
