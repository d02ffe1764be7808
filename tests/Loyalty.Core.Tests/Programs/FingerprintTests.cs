using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using NodaTime;

namespace Loyalty.Core.Tests.Programs;

/// <summary>
/// Stored orders, refunds and activities keep the fingerprint they were recorded with, so the way it is
/// computed must never change: every fingerprint is checked against the canonical text built the
/// straightforward way (length-prefixed fields in a string, UTF-8, SHA-256, lower-case hex).
/// </summary>
public class FingerprintTests
{
    private static readonly Instant At = Instant.FromUtc(2026, 3, 2, 9, 30, 15) + Duration.FromTicks(1234);

    public static TheoryData<string> Orders => ["plain", "unicode", "nulls", "numbers", "empty-lists", "many-lines", "long-text"];

    [Theory]
    [MemberData(nameof(Orders))]
    public void An_orders_fingerprint_is_the_sha256_of_its_canonical_text(string shape)
    {
        var order = Order(shape);

        Fingerprint.Of(order).Should().Be(Reference(order));
    }

    [Fact]
    public void Orders_that_differ_in_one_field_have_different_fingerprints_and_the_same_order_the_same()
    {
        var order = Order("plain");
        var other = new EarningOrder(order.Id, order.Member, order.PlacedAt, order.Currency, [.. order.Lines.Take(1), new OrderLine("SOCK", 4, 4.50m, categories: ["clothing"])]);

        Fingerprint.Of(Order("plain")).Should().Be(Fingerprint.Of(order));
        Fingerprint.Of(other).Should().NotBe(Fingerprint.Of(order));
        Fingerprint.Of(order).Should().MatchRegex("^[0-9a-f]{64}$");
    }

    [Fact]
    public void Amounts_equal_in_value_give_the_same_fingerprint()
    {
        var a = new EarningOrder(OrderId.From("A-1"), MemberId.From("m"), At, Currency.EUR, [new OrderLine("X", 1, 40m)], shipping: 5m);
        var b = new EarningOrder(OrderId.From("A-1"), MemberId.From("m"), At, Currency.EUR, [new OrderLine("X", 1, 40.00m)], shipping: 5.000m);

        Fingerprint.Of(a).Should().Be(Fingerprint.Of(b));
    }

    [Fact]
    public void A_refunds_and_an_activitys_fingerprints_are_the_sha256_of_their_canonical_text()
    {
        var refund = new RefundRequest(RefundId.From("R-é1"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(0, 2), new LineRefund(3, 1)));
        var byAmount = new RefundRequest(RefundId.From("R-2"), OrderId.From("A-1"), OrderRefund.ForAmount(12.50m));
        var activity = new ActivityInput(ActivityKind.Custom, MemberId.From("zoë"), At, "review:42");
        var atMerchant = new ActivityInput(ActivityKind.Survey, MemberId.From("m"), At, null) { Merchant = MerchantId.From("shop-7") };

        Fingerprint.Of(refund, At).Should().Be(Hash(new Text().Add(refund.RefundId.Value).Add(refund.OrderId.Value).Add(At).Add(refund.Refund.Amount).Add(0).Add(2).Add(3).Add(1)));
        Fingerprint.Of(byAmount, At).Should().Be(Hash(new Text().Add(byAmount.RefundId.Value).Add(byAmount.OrderId.Value).Add(At).Add(12.5m)));
        Fingerprint.Of(ActivityId.From("act-1"), activity).Should().Be(Hash(new Text().Add("act-1").Add("zoë").Add((int)ActivityKind.Custom).Add(At).Add("review:42")));
        Fingerprint.Of(ActivityId.From("act-2"), atMerchant).Should().Be(Hash(new Text().Add("act-2").Add("m").Add((int)ActivityKind.Survey).Add(At).Add((string?)null).Add("shop-7")));
    }

    [Property(MaxTest = 2000)]
    public void Any_amount_is_written_as_the_custom_format_writes_it(DoNotSize<int> lo, DoNotSize<int> mid, int hi, bool wide, bool negative, byte scale)
    {
        // Unsized low words: mantissas over the whole 96 bits (wide) and within 64 bits, where most amounts are.
        var amount = new decimal(lo.Item, mid.Item, wide ? hi : 0, negative, (byte)(scale % 29));

        if (amount != 0m)
        {
            Fingerprint.WithoutTrailingZeros(amount).ToString(CultureInfo.InvariantCulture)
                .Should().Be(amount.ToString("0.############################", CultureInfo.InvariantCulture));
        }

        var refunded = Math.Abs(amount) is var a && a > 0m && a <= EarningLimits.MaxAmount ? a : 1m;
        var refund = new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForAmount(refunded));
        Fingerprint.Of(refund, At).Should().Be(Hash(new Text().Add("R-1").Add("A-1").Add(At).Add(refunded)));
    }

    [Fact]
    public void A_zero_of_any_scale_and_either_sign_is_written_as_the_custom_format_writes_it()
    {
        for (byte scale = 0; scale <= 28; scale++)
        {
            foreach (var negative in new[] { false, true })
            {
                var zero = new decimal(0, 0, 0, negative, scale);
                var order = new EarningOrder(OrderId.From("Z-1"), MemberId.From("zoë"), At, Currency.EUR, [new OrderLine("X", 1, 10m, zero)], shipping: zero, tax: zero);

                Fingerprint.Of(order).Should().Be(Reference(order), $"a zero of scale {scale}{(negative ? ", negative" : "")}");
            }
        }
    }

    [Theory]
    [InlineData("89.90", "89.9")]
    [InlineData("40.00", "40")]
    [InlineData("-4.500", "-4.5")]
    [InlineData("0.0000000000000000000000000010", "0.000000000000000000000000001")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    [InlineData("7.9228162514264337593543950330", "7.922816251426433759354395033")]
    public void Trailing_zeros_are_dropped_and_the_value_kept(string text, string expected)
    {
        var value = decimal.Parse(text, CultureInfo.InvariantCulture);

        var trimmed = Fingerprint.WithoutTrailingZeros(value);

        trimmed.Should().Be(value);
        trimmed.ToString(CultureInfo.InvariantCulture).Should().Be(expected);
    }

    private static EarningOrder Order(string shape) => shape switch
    {
        "plain" => new EarningOrder(OrderId.From("A-1001"), MemberId.From("alice"), At, Currency.EUR,
            [new OrderLine("SHOE-42", 1, 89.90m, categories: ["shoes"]), new OrderLine("SOCK", 3, 4.50m, categories: ["clothing"]), new OrderLine("CAP", 1, 19m, categories: ["clothing"])]),
        "unicode" => new EarningOrder(OrderId.From("Commande-№7"), MemberId.From("zoë-😀"), At, Currency.EUR,
            [new OrderLine("thé-vert-🍵", 2, 7.25m, 0.5m, ["boissons", "thé", "🍵"], "Maison Dé")], channel: "magasin-été", store: MerchantId.From("boutique-ñ"), coupons: ["ÉTÉ", "日本"]),
        "nulls" => new EarningOrder(OrderId.From("A-2"), MemberId.From("bob"), At, Currency.USD, [new OrderLine("X", 1, 1m)]),
        "numbers" => new EarningOrder(OrderId.From("A-3"), MemberId.From("carol"), Instant.FromUnixTimeTicks(-5), Currency.EUR,
            [new OrderLine("BIG", 1_000, 79_228.162514264337593543950m, 0.0000000000000000000000000001m, isGiftCard: true), new OrderLine("ZERO", 1, 0.000m, 0m)],
            shipping: 12.30m, tax: 0.001m, paidWithPoints: 7m),
        "empty-lists" => new EarningOrder(OrderId.From("A-4"), MemberId.From("dan"), At, Currency.EUR, [new OrderLine("X", 1, 1m, categories: [])], coupons: []),
        "many-lines" => new EarningOrder(OrderId.From("A-5"), MemberId.From("eve"), At, Currency.EUR,
            Enumerable.Range(0, 60).Select(i => new OrderLine($"SKU-{i}", i + 1, i * 1.25m, categories: [$"c{i % 7}", $"d{i % 3}", "a,b"], brand: i % 2 == 0 ? null : $"brand {i}")).ToArray()),
        "long-text" => new EarningOrder(OrderId.From("A-6"), MemberId.From("fay"), At, Currency.EUR,
            [new OrderLine(new string('é', 40_000) + "x", 1, 1m, categories: [new string('c', 50_000)], brand: new string('b', 30_000))], channel: new string('w', 10_000)),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    private static string Reference(EarningOrder order)
    {
        var c = new Text().Add(order.Id.Value).Add(order.Member.Value).Add(order.PlacedAt).Add(order.Currency.Code);
        foreach (var line in order.Lines)
        {
            c.Add(line.Sku).Add(line.Quantity).Add(line.UnitPrice).Add(line.Discount).Add(string.Join(",", line.Categories)).Add(line.Brand).Add(line.IsGiftCard ? 1 : 0);
        }

        return Hash(c.Add(order.Shipping).Add(order.Tax).Add(order.PaidWithPoints).Add(order.Channel).Add(order.Store?.Value).Add(string.Join(",", order.Coupons)));
    }

    private static string Hash(Text text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));

    /// <summary>The canonical text: each field as its length, a colon and its text; null as <c>-1:</c>.</summary>
    private sealed class Text
    {
        private readonly StringBuilder text = new();

        public Text Add(string? value)
        {
            text.Append(value is null ? "-1:" : value.Length.ToString(CultureInfo.InvariantCulture) + ":" + value);
            return this;
        }

        public Text Add(Instant value) => Add(value.ToUnixTimeTicks().ToString(CultureInfo.InvariantCulture));

        public Text Add(decimal value) => Add(value.ToString("0.############################", CultureInfo.InvariantCulture));

        public Text Add(long value) => Add(value.ToString(CultureInfo.InvariantCulture));

        public override string ToString() => text.ToString();
    }
}
