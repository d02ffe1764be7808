using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>
/// An <see cref="OrderRecord"/> as bytes for the in-memory member store's <see cref="ByteArena{T}"/>: the
/// record's ids, the order and its lines, the earning explanation (every rule, its allocation per line,
/// the usage and threshold terms). About 240 bytes for a three-line order under four rules, against some
/// 900 in eight objects.
/// </summary>
/// <remarks>
/// Strings that repeat across orders (programme, currency, SKUs, categories, brands, channels, stores,
/// rule ids, rule-set versions, tiers) go to the arena's table; the member, order and transaction ids,
/// the fingerprint and the coupon codes are written whole, so that an erased member's orders leave no
/// trace once forgotten. An id the record shares with its order or explanation (the usual case) is
/// written once.
/// </remarks>
internal sealed class OrderRecordCodec : RecordCodec<OrderRecord>
{
    /// <summary>The codec (stateless).</summary>
    public static readonly OrderRecordCodec Instance = new();

    // Flags of a record's header.
    private const int HasTier = 1, OrderIdDiffers = 2, MemberDiffers = 4, EarningOrderDiffers = 8, EarningMemberDiffers = 16, OccurredAtDiffers = 32, IsQuote = 64;

    // Flags of an order line.
    private const int LineHasBrand = 1, LineIsGiftCard = 2;

    private OrderRecordCodec()
    {
    }

    /// <inheritdoc />
    public override void Write(ref RecordWriter w, OrderRecord record)
    {
        var order = record.Order;
        var earning = record.Earning;
        var flags = (record.Tier is null ? 0 : HasTier)
            | (order.Id == record.OrderId ? 0 : OrderIdDiffers)
            | (order.Member == record.MemberId ? 0 : MemberDiffers)
            | (earning.OrderId == record.OrderId ? 0 : EarningOrderDiffers)
            | (earning.Member == record.MemberId ? 0 : EarningMemberDiffers)
            | (earning.OccurredAt == order.PlacedAt ? 0 : OccurredAtDiffers)
            | (earning.IsQuote ? IsQuote : 0);

        w.Varint((uint)flags);
        w.Interned(record.ProgramId.IsDefault ? null : record.ProgramId.Value);
        w.Text(record.MemberId.IsDefault ? null : record.MemberId.Value);
        w.Text(record.OrderId.IsDefault ? null : record.OrderId.Value);
        w.Text(record.Fingerprint);
        if (record.Tier is { } tier)
        {
            w.Interned(tier.IsDefault ? null : tier.Value);
        }

        w.Text(record.TransactionId.IsDefault ? null : record.TransactionId.Value);
        w.At(record.RecordedAt);

        // The order.
        if ((flags & OrderIdDiffers) != 0)
        {
            w.Text(order.Id.Value);
        }

        if ((flags & MemberDiffers) != 0)
        {
            w.Text(order.Member.Value);
        }

        w.At(order.PlacedAt);
        w.Interned(order.Currency.Code);
        w.Varint((uint)order.Lines.Count);
        // Indexed loops: a foreach over these interface-typed lists would box an enumerator per list per order.
        var lines = order.Lines;
        for (var l = 0; l < lines.Count; l++)
        {
            var line = lines[l];
            w.Varint((uint)((line.Brand is null ? 0 : LineHasBrand) | (line.IsGiftCard ? LineIsGiftCard : 0)));
            w.Interned(line.Sku);
            w.Varint((uint)line.Quantity);
            w.Amount(line.UnitPrice);
            w.Amount(line.Discount);
            w.Varint((uint)line.Categories.Count);
            var categories = line.Categories;
            for (var c = 0; c < categories.Count; c++)
            {
                w.Interned(categories[c]);
            }

            if (line.Brand is { } brand)
            {
                w.Interned(brand);
            }
        }

        w.Amount(order.Shipping);
        w.Amount(order.Tax);
        w.Amount(order.PaidWithPoints);
        w.Interned(order.Channel);
        w.Interned(order.Store is { IsDefault: false } store ? store.Value : null);
        w.Varint((uint)order.Coupons.Count);
        var coupons = order.Coupons;
        for (var c = 0; c < coupons.Count; c++)
        {
            w.Text(coupons[c]);
        }

        // The earning explanation.
        if ((flags & EarningOrderDiffers) != 0)
        {
            w.Text(earning.OrderId is { IsDefault: false } earningOrder ? earningOrder.Value : null);
        }

        if ((flags & EarningMemberDiffers) != 0)
        {
            w.Text(earning.Member.IsDefault ? null : earning.Member.Value);
        }

        if ((flags & OccurredAtDiffers) != 0)
        {
            w.At(earning.OccurredAt);
        }

        w.Interned(earning.RuleSetVersion);
        w.Interned(earning.MerchantRuleSetVersion);
        w.Signed(earning.Total.Value);
        w.Varint((uint)earning.LineCount);
        w.Varint((uint)earning.Rules.Count);
        for (var i = 0; i < earning.Rules.Count; i++)
        {
            var rule = earning.Rules[i];
            w.Interned(rule.RuleId.IsDefault ? null : rule.RuleId.Value);
            w.Varint((uint)rule.Outcome);
            w.Varint((uint)rule.Reversal);
            w.Amount(rule.Desired);
            w.Signed(rule.Rounded.Value);
            w.Signed(rule.Awarded.Value);
            var allocation = rule.Allocation.Span;
            w.Varint((uint)allocation.Length);
            foreach (var points in allocation)
            {
                w.Signed(points);
            }
        }

        w.Varint((uint)earning.UsageDeltas.Count);
        var deltas = earning.UsageDeltas;
        for (var d = 0; d < deltas.Count; d++)
        {
            var delta = deltas[d];
            w.Interned(delta.RuleId.IsDefault ? null : delta.RuleId.Value);
            if (delta.Period is { } period)
            {
                w.Varint(1 + (uint)period.Unit);
                w.Day(period.Start);
            }
            else
            {
                w.Varint(0);
            }

            w.Signed(delta.Points.Value);
            w.Signed(delta.Count);
        }

        w.Varint((uint)earning.Thresholds.Count);
        var thresholds = earning.Thresholds;
        for (var t = 0; t < thresholds.Count; t++)
        {
            var threshold = thresholds[t];
            w.Interned(threshold.RuleId.IsDefault ? null : threshold.RuleId.Value);
            w.Amount(threshold.Threshold);
        }
    }

    /// <inheritdoc />
    public override OrderRecord Read(ref RecordReader r)
    {
        var flags = (int)r.Varint();
        var programId = r.Interned() is { } program ? ProgramId.Trusted(program) : default;
        var memberId = r.Text() is { } member ? MemberId.Trusted(member) : default;
        var orderId = r.Text() is { } id ? OrderId.Trusted(id) : default;
        var fingerprint = r.Text()!;
        TierId? tier = (flags & HasTier) == 0 ? null : r.Interned() is { } tierId ? TierId.Trusted(tierId) : default(TierId);
        var transactionId = r.Text() is { } transaction ? TransactionId.Trusted(transaction) : default;
        var recordedAt = r.At();

        var orderOrderId = (flags & OrderIdDiffers) != 0 ? OrderId.Trusted(r.Text()!) : orderId;
        var orderMember = (flags & MemberDiffers) != 0 ? MemberId.Trusted(r.Text()!) : memberId;
        var placedAt = r.At();
        var currency = Currency.FromCode(r.Interned()!);
        var lines = new OrderLine[(int)r.Varint()];
        for (var i = 0; i < lines.Length; i++)
        {
            var lineFlags = (int)r.Varint();
            var sku = r.Interned()!;
            var quantity = (int)r.Varint();
            var unitPrice = r.Amount();
            var discount = r.Amount();
            var categories = (int)r.Varint() is var n and > 0 ? new string[n] : [];
            for (var c = 0; c < categories.Length; c++)
            {
                categories[c] = r.Interned()!;
            }

            var brand = (lineFlags & LineHasBrand) != 0 ? r.Interned() : null;
            lines[i] = new OrderLine(sku, quantity, unitPrice, discount, categories, brand, (lineFlags & LineIsGiftCard) != 0);
        }

        var shipping = r.Amount();
        var tax = r.Amount();
        var paidWithPoints = r.Amount();
        var channel = r.Interned();
        var store = r.Interned() is { } merchant ? MerchantId.Trusted(merchant) : (MerchantId?)null;
        var coupons = (int)r.Varint() is var couponCount and > 0 ? new string[couponCount] : null;
        for (var c = 0; c < (coupons?.Length ?? 0); c++)
        {
            coupons![c] = r.Text()!;
        }

        var order = new EarningOrder(orderOrderId, orderMember, placedAt, currency, lines, shipping, tax, paidWithPoints, channel, store, coupons);

        OrderId? earningOrder = orderId;
        if ((flags & EarningOrderDiffers) != 0)
        {
            earningOrder = r.Text() is { } other ? OrderId.Trusted(other) : null;
        }

        var earningMember = memberId;
        if ((flags & EarningMemberDiffers) != 0)
        {
            earningMember = r.Text() is { } other ? MemberId.Trusted(other) : default;
        }

        var occurredAt = (flags & OccurredAtDiffers) != 0 ? r.At() : placedAt;
        var version = r.Interned()!;
        var merchantVersion = r.Interned();
        var total = Points.FromInt64(r.Signed());
        var lineCount = (int)r.Varint();
        var rules = new RuleEvaluation[(int)r.Varint()];
        for (var i = 0; i < rules.Length; i++)
        {
            var ruleId = r.Interned() is { } rule ? RuleId.Trusted(rule) : default;
            var outcome = (RuleOutcome)r.Varint();
            var reversal = (ReversalPolicy)r.Varint();
            var desired = r.Amount();
            var rounded = Points.FromInt64(r.Signed());
            var awarded = Points.FromInt64(r.Signed());
            // An empty allocation is the default memory, as the engine makes it (equal to it, not only as long).
            var allocated = (int)r.Varint();
            var allocation = allocated > 0 ? new long[allocated] : null;
            for (var k = 0; k < allocated; k++)
            {
                allocation![k] = r.Signed();
            }

            rules[i] = new RuleEvaluation(ruleId, outcome, reversal, desired, rounded, awarded, allocation);
        }

        var deltas = (int)r.Varint() is var d and > 0 ? new RuleUsageDelta[d] : [];
        for (var i = 0; i < deltas.Length; i++)
        {
            var ruleId = r.Interned() is { } rule ? RuleId.Trusted(rule) : default;
            var unit = r.Varint();
            UsagePeriod? period = unit == 0 ? null : new UsagePeriod((CapPeriod)(unit - 1), r.Day());
            deltas[i] = new RuleUsageDelta(ruleId, period, Points.FromInt64(r.Signed()), (int)r.Signed());
        }

        var thresholds = (int)r.Varint() is var t and > 0 ? new ThresholdTerm[t] : [];
        for (var i = 0; i < thresholds.Length; i++)
        {
            var ruleId = r.Interned() is { } rule ? RuleId.Trusted(rule) : default;
            thresholds[i] = new ThresholdTerm(ruleId, r.Amount());
        }

        var earning = new EarningResult(earningOrder, earningMember, version, occurredAt, (flags & IsQuote) != 0, total, lineCount, rules, deltas, thresholds)
        {
            MerchantRuleSetVersion = merchantVersion,
        };

        return new OrderRecord
        {
            ProgramId = programId,
            MemberId = memberId,
            OrderId = orderId,
            Fingerprint = fingerprint,
            Order = order,
            Earning = earning,
            Tier = tier,
            TransactionId = transactionId,
            RecordedAt = recordedAt,
        };
    }
}
