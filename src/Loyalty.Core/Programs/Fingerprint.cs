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
        var c = Canon.Start().Add(order.Id.Value).Add(order.Member.Value).Add(order.PlacedAt).Add(order.Currency.Code);
        var lines = order.Lines;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            c.Add(line.Sku).Add(line.Quantity).Add(line.UnitPrice).Add(line.Discount).AddJoined(line.Categories).Add(line.Brand).Add(line.IsGiftCard ? 1 : 0);
        }

        return c.Add(order.Shipping).Add(order.Tax).Add(order.PaidWithPoints).Add(order.Channel).Add(order.Store?.Value).AddJoined(order.Coupons).Hash();
    }

    public static string Of(RefundRequest refund, Instant refundedAt)
    {
        var c = Canon.Start().Add(refund.RefundId.Value).Add(refund.OrderId.Value).Add(refundedAt).Add(refund.Refund.Amount);
        foreach (var line in refund.Refund.Lines)
        {
            c.Add(line.LineIndex).Add(line.Quantity);
        }

        return c.Hash();
    }

    public static string Of(ActivityId id, ActivityInput activity)
    {
        var c = Canon.Start().Add(id.Value).Add(activity.Member.Value).Add((int)activity.Kind).Add(activity.OccurredAt).Add(activity.EventName);

        // The merchant only when set, so an activity without one keeps the fingerprint it always had.
        return (activity.Merchant is { } merchant ? c.Add(merchant.Value) : c).Hash();
    }

    /// <summary>The same value at the smallest scale that holds it (89.90 → 89.9, 40.00 → 40).</summary>
    internal static decimal WithoutTrailingZeros(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (byte)(bits[3] >> 16);
        if (scale == 0)
        {
            return value;
        }

        var trimmed = scale;
        var mantissa = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        while (trimmed > 0 && mantissa % 10 == 0)
        {
            mantissa /= 10;
            trimmed--;
        }

        return trimmed == scale
            ? value
            : new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), (int)(uint)(mantissa >> 64), bits[3] < 0, trimmed);
    }

    /// <summary>
    /// The canonical form: each field as its length in UTF-16 code units, a colon and its text (null:
    /// <c>-1:</c>), so that no two different sequences of fields give the same text; the fingerprint is
    /// the lower-case hex SHA-256 of that text in UTF-8. The text is written as UTF-8 straight into a
    /// buffer kept per thread (numbers formatted in place), so a fingerprint allocates only its result.
    /// </summary>
    private sealed class Canon
    {
        // 40 and 40.00 are the same amount: format without trailing zeros.
        private const string DecimalFormat = "0.############################";

        /// <summary>The custom format's text of a zero without, and with, the sign bit.</summary>
        private static readonly string Zero = 0m.ToString(DecimalFormat, CultureInfo.InvariantCulture);
        private static readonly string NegativeZero = new decimal(0, 0, 0, isNegative: true, scale: 0).ToString(DecimalFormat, CultureInfo.InvariantCulture);

        // A buffer grown past this by an outsized request is not kept for the thread's next fingerprint.
        private const int MaxKeptBuffer = 1 << 16;

        [ThreadStatic]
        private static Canon? perThread;

        private readonly IncrementalHash sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private byte[] buffer = new byte[512];
        private int length;

        /// <summary>The calling thread's writer, emptied (a fingerprint never calls out while it writes).</summary>
        public static Canon Start()
        {
            var canon = perThread ??= new Canon();
            canon.length = 0;
            return canon;
        }

        public Canon Add(string? value)
        {
            if (value is null)
            {
                return Ascii("-1:"u8);
            }

            Prefix(value.Length);
            Text(value);
            return this;
        }

        public Canon Add(Instant value) => Add(value.ToUnixTimeTicks());

        public Canon Add(decimal value)
        {
            // The invariant format of a decimal is ASCII: as many UTF-8 bytes as UTF-16 code units.
            Span<byte> digits = stackalloc byte[64];

            // The custom format's text, written faster: the value without its trailing zeros in the general
            // format (fixed-point for a decimal, never an exponent) is the same text for every non-zero value;
            // zero, whose sign the two formats may write apart, takes the custom format.
            if (value != 0m && WithoutTrailingZeros(value).TryFormat(digits, out var fast, default, CultureInfo.InvariantCulture))
            {
                Prefix(fast);
                return Ascii(digits[..fast]);
            }

            if (value == 0m)
            {
                // An order's empty discount, tax or shipping: the custom format's text of a zero depends only on
                // its sign (never on its scale), so it is formatted once per sign.
                return Add(decimal.IsNegative(value) ? NegativeZero : Zero);
            }

            if (!value.TryFormat(digits, out var written, DecimalFormat, CultureInfo.InvariantCulture))
            {
                return Add(value.ToString(DecimalFormat, CultureInfo.InvariantCulture));
            }

            Prefix(written);
            return Ascii(digits[..written]);
        }

        public Canon Add(long value)
        {
            Span<byte> digits = stackalloc byte[24];
            value.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
            Prefix(written);
            return Ascii(digits[..written]);
        }

        /// <summary>The values joined by commas, as one field (a null value counts as empty, as <see cref="string.Join(string, IEnumerable{string})"/> has it).</summary>
        public Canon AddJoined(IReadOnlyList<string> values)
        {
            var total = values.Count == 0 ? 0 : values.Count - 1;
            for (var i = 0; i < values.Count; i++)
            {
                total += values[i]?.Length ?? 0;
            }

            Prefix(total);
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0)
                {
                    Ascii(","u8);
                }

                if (values[i] is { } value)
                {
                    Text(value);
                }
            }

            return this;
        }

        /// <summary>The lower-case hex SHA-256 of the canonical text in UTF-8.</summary>
        public string Hash()
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            sha256.AppendData(buffer, 0, length);
            sha256.GetHashAndReset(hash);
            if (buffer.Length > MaxKeptBuffer)
            {
                buffer = new byte[512];
            }

            return Convert.ToHexStringLower(hash);
        }

        private void Prefix(int count)
        {
            Span<byte> digits = stackalloc byte[12];
            count.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
            Ascii(digits[..written]);
            Ascii(":"u8);
        }

        private void Text(string value)
        {
            Reserve(Encoding.UTF8.GetMaxByteCount(value.Length));
            length += Encoding.UTF8.GetBytes(value, buffer.AsSpan(length));
        }

        private Canon Ascii(ReadOnlySpan<byte> bytes)
        {
            Reserve(bytes.Length);
            bytes.CopyTo(buffer.AsSpan(length));
            length += bytes.Length;
            return this;
        }

        private void Reserve(int more)
        {
            if (length + more > buffer.Length)
            {
                Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + more));
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
