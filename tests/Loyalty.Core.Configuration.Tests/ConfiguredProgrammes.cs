using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.Configuration;
using NodaTime;

namespace Loyalty.Core.Configuration.Tests;

/// <summary>The programme of <c>Data/appsettings.full.json</c>, and the same programme written with the fluent builders.</summary>
public static class ConfiguredProgrammes
{
    public static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];

    public static string FullPath => Path.Combine(AppContext.BaseDirectory, "Data", "appsettings.full.json");

    public static IConfigurationRoot Full(IEnumerable<KeyValuePair<string, string?>>? overrides = null) =>
        new ConfigurationBuilder().AddJsonFile(FullPath).AddInMemoryCollection(overrides ?? []).Build();

    public static TierLadder Ladder { get; } = TierLadder.Create(
        [
            TierDefinition.Entry(TierId.From("bronze"), "Bronze"),
            TierDefinition.Create(TierId.From("silver"), "Silver", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(500), TierThreshold.FromOrders(5)], TierBenefits.Create(1.25m, "free-shipping")),
            TierDefinition.Create(TierId.From("gold"), "Gold", ThresholdCombination.AllOf, [TierThreshold.FromPoints(1500)], TierBenefits.Create(1.5m, "free-shipping", "private-sales")),
        ],
        new TierPolicy
        {
            Window = QualificationWindow.RollingMonths(12),
            Validity = StatusValidity.FixedMonths(12),
            GracePeriod = Period.FromMonths(1),
            TimeZone = Paris,
            Currency = Currency.EUR,
        });

    public static EarningRuleSet January { get; } = new EarningRuleSetBuilder("2026-01", Instant.FromUtc(2026, 1, 1, 0, 0), Currency.EUR, "Europe/Paris")
        .EarnPerUnit("base", 1m)
        .Multiply("shoes-x2", "base", 2m, LineSelector.ForCategories("shoes"))
        .ThresholdBonus("big-basket", 150m, 100, r => r with { Clawback = BonusClawback.ReverseBelowThreshold })
        .OrderCountBonus("first-order", 1, 200)
        .Activity("welcome", ActivityKind.SignUp, 500)
        .Build();

    public static EarningRuleSet June { get; } = new EarningRuleSetBuilder("2026-06", Instant.FromUtc(2026, 6, 1, 0, 0), Currency.EUR, "Europe/Paris")
        .Group("summer", StackingMode.BestOf)
        .EarnPerUnit("base", 1m)
        .TierMultiplier("tier-bonus", "base", [new TierMultiplier(TierId.From("silver"), 1.25m), new TierMultiplier(TierId.From("gold"), 1.5m)])
        .FixedBonus("summer-sale", 50, configure: r => r with
        {
            Group = "summer",
            Priority = 10,
            Condition = new AllCondition
            {
                Conditions = [new DateWindowCondition { From = new LocalDate(2026, 6, 21), To = new LocalDate(2026, 8, 31) }, new SubtotalCondition { Min = 30m }],
            },
            Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Month, MaxAwards = 2 } },
        })
        .FixedBonus("summer-shoes", 80, lines: LineSelector.ForCategories("shoes"), configure: r => r with { Group = "summer", Priority = 10 })
        .Activity("review", ActivityKind.Review, 20, r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Month, MaxAwards = 5 } } })
        .Build();

    public static IReadOnlyList<RewardDefinition> Rewards { get; } =
    [
        RewardDefinition.AmountOffVoucher(RewardId.From("voucher-5"), "5 € voucher", Points.FromInt64(500), Money.FromDecimal(5.00m, Currency.EUR)).WithStock(1000),
        RewardDefinition.PercentageDiscount(RewardId.From("ten-percent"), "10 % off", Points.FromInt64(800), 10m),
        RewardDefinition.FreeShipping(RewardId.From("free-shipping"), "Free shipping", Points.FromInt64(300)).WithRequiredTier(TierId.From("silver")).WithCostToShop(Money.FromDecimal(4.90m, Currency.EUR)),
        RewardDefinition.GiftProduct(RewardId.From("tote-bag"), "Tote bag", Points.FromInt64(1200), "TOTE-BAG").WithStock(50).WithValidity(Instant.FromUtc(2026, 3, 1, 0, 0), Instant.FromUtc(2026, 9, 1, 0, 0)),
        RewardDefinition.PayWithPoints(RewardId.From("pay-with-points"), "Pay with points", PayWithPointsTerms.Create(Points.FromInt64(100), Money.FromDecimal(1.00m, Currency.EUR), Points.FromInt64(500), 0.5m)),
    ];
}
