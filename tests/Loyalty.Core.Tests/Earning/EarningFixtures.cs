using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Tests.Earning;

internal static class EarningFixtures
{
    public static readonly Instant Start = Instant.FromUtc(2026, 1, 1, 0, 0);

    public static readonly MemberId Alice = MemberId.From("alice");

    public static EarningRuleSetBuilder Rules(string version = "v1") => new(version, Start, Currency.EUR, "Europe/Paris");

    public static OrderLine Line(string sku, decimal unitPrice, int quantity = 1, string? category = null, decimal discount = 0m, string? brand = null, bool giftCard = false) =>
        new(sku, quantity, unitPrice, discount, category is null ? null : [category], brand, giftCard);

    public static EarningOrder Order(params OrderLine[] lines) => Order(Instant.FromUtc(2026, 3, 4, 10, 0), lines);

    public static EarningOrder Order(Instant placedAt, params OrderLine[] lines) =>
        new(OrderId.From("o-1"), Alice, placedAt, Currency.EUR, lines);

    public static EarningResult Evaluate(EarningRuleSet rules, EarningOrder order, MemberContext? member = null, EarningUsage? usage = null) =>
        EarningEngine.Instance.Evaluate(rules, order, member ?? MemberContext.Default, usage ?? EarningUsage.Empty);
}
