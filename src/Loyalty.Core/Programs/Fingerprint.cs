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

    public static string Of(ActivityId id, ActivityInput activity) =>
        new Canon().Add(id.Value).Add(activity.Member.Value).Add((int)activity.Kind).Add(activity.OccurredAt).Add(activity.EventName).Hash();

    private sealed class Canon
    {
        private readonly StringBuilder text = new();

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

        public string Hash() => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();
    }
}
