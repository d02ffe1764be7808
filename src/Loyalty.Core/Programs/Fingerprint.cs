using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Programs;

/// <summary>A hash of a request's content, to tell a retry (same content) from a conflict (same id, other content).</summary>
internal static class Fingerprint
{
    public static string Of(EarningOrder order)
    {
        var c = new Canon().Add(order.Id.Value).Add(order.Member.Value).Add(order.PlacedAt).Add(order.Currency.Code);
        foreach (var line in order.Lines)
        {
            c.Add(line.Sku).Add(line.Quantity).Add(line.UnitPrice).Add(line.Discount).Add(string.Join(",", line.Categories)).Add(line.Brand).Add(line.IsGiftCard ? 1 : 0);
        }

        return c.Add(order.Shipping).Add(order.Tax).Add(order.PaidWithPoints).Add(order.Channel).Add(order.Store?.Value).Add(string.Join(",", order.Coupons)).Hash();
    }

    public static string Of(RefundRequest refund, Instant refundedAt)
    {
        var c = new Canon().Add(refund.RefundId.Value).Add(refund.OrderId.Value).Add(refundedAt).Add(refund.Refund.Amount);
        foreach (var line in refund.Refund.Lines)
        {
            c.Add(line.LineIndex).Add(line.Quantity);
        }

        return c.Hash();
    }

    public static string Of(ActivityId id, ActivityInput activity)
    {
        var c = new Canon().Add(id.Value).Add(activity.Member.Value).Add((int)activity.Kind).Add(activity.OccurredAt).Add(activity.EventName);

        // The merchant only when set, so an activity without one keeps the fingerprint it always had.
        return (activity.Merchant is { } merchant ? c.Add(merchant.Value) : c).Hash();
    }

    private sealed class Canon
    {
        private readonly StringBuilder text = new(256);

        public Canon Add(string? value)
        {
            // Length-prefixed, so that no two different sequences of fields give the same text.
            if (value is null)
            {
                text.Append("-1:");
            }
            else
            {
                text.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value);
            }

            return this;
        }

        public Canon Add(Instant value) => Add(value.ToUnixTimeTicks().ToString(CultureInfo.InvariantCulture));

        // 40 and 40.00 are the same amount: format without trailing zeros.
        public Canon Add(decimal value) => Add(value.ToString("0.############################", CultureInfo.InvariantCulture));

        public Canon Add(long value) => Add(value.ToString(CultureInfo.InvariantCulture));

        /// <summary>The lower-case hex SHA-256 of the canonical text in UTF-8 (the text and its bytes in pooled buffers).</summary>
        public string Hash()
        {
            var length = text.Length;
            var chars = ArrayPool<char>.Shared.Rent(length);
            var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(length));
            try
            {
                text.CopyTo(0, chars, 0, length);
                var count = Encoding.UTF8.GetBytes(chars, 0, length, bytes, 0);
                Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
                SHA256.HashData(bytes.AsSpan(0, count), hash);
                return Convert.ToHexStringLower(hash);
            }
            finally
            {
                ArrayPool<char>.Shared.Return(chars);
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
    }

    /// <summary>The first field in which two orders with the same id differ (e.g. <c>PlacedAt</c>, <c>Lines[1].Quantity</c>), or null when none does.</summary>
    public static string? FirstDifference(EarningOrder stored, EarningOrder incoming)
    {
        if (stored.Member != incoming.Member)
        {
            return $"Member ('{stored.Member}' recorded, '{incoming.Member}' now)";
        }

        if (stored.PlacedAt != incoming.PlacedAt)
        {
            return $"PlacedAt ({stored.PlacedAt} recorded, {incoming.PlacedAt} now)";
        }

        if (stored.Currency != incoming.Currency)
        {
            return $"Currency ({stored.Currency} recorded, {incoming.Currency} now)";
        }

        if (stored.Lines.Count != incoming.Lines.Count)
        {
            return $"Lines ({stored.Lines.Count} recorded, {incoming.Lines.Count} now)";
        }

        for (var i = 0; i < stored.Lines.Count; i++)
        {
            var a = stored.Lines[i];
            var b = incoming.Lines[i];
            var field = a.Sku != b.Sku ? "Sku"
                : a.Quantity != b.Quantity ? "Quantity"
                : a.UnitPrice != b.UnitPrice ? "UnitPrice"
                : a.Discount != b.Discount ? "Discount"
                : !a.Categories.SequenceEqual(b.Categories) ? "Categories"
                : a.Brand != b.Brand ? "Brand"
                : a.IsGiftCard != b.IsGiftCard ? "IsGiftCard"
                : null;
            if (field is not null)
            {
                return $"Lines[{i}].{field}";
            }
        }

        return stored.Shipping != incoming.Shipping ? "Shipping"
            : stored.Tax != incoming.Tax ? "Tax"
            : stored.PaidWithPoints != incoming.PaidWithPoints ? "PaidWithPoints"
            : stored.Channel != incoming.Channel ? "Channel"
            : stored.Store != incoming.Store ? "Store"
            : !stored.Coupons.SequenceEqual(incoming.Coupons) ? "Coupons"
            : null;
    }

    /// <summary>The first field in which two activities with the same id differ, or null when none does.</summary>
    public static string? FirstDifference(ActivityInput stored, ActivityInput incoming) =>
        stored.Kind != incoming.Kind ? $"Kind ({stored.Kind} recorded, {incoming.Kind} now)"
        : stored.Member != incoming.Member ? $"Member ('{stored.Member}' recorded, '{incoming.Member}' now)"
        : stored.OccurredAt != incoming.OccurredAt ? $"OccurredAt ({stored.OccurredAt} recorded, {incoming.OccurredAt} now)"
        : stored.EventName != incoming.EventName ? $"EventName ('{stored.EventName}' recorded, '{incoming.EventName}' now)"
        : stored.Merchant != incoming.Merchant ? $"Merchant ('{stored.Merchant}' recorded, '{incoming.Merchant}' now)"
        : null;
}
