using BenchmarkDotNet.Attributes;
using Loyalty.Core.Achievements;
using Loyalty.Core.Configuration;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// What 20 achievement definitions add to recording an order: the earning engine alone on a 5-line order
/// under a 10-rule programme (baseline), then the same with the achievement step <c>RecordOrderAsync</c>
/// runs in its unit of work (the in-memory store's atomic update with the engine over 20 definitions:
/// 4 streaks, 3 spend thresholds, 3 firsts in a category, 10 activity and referral counts that an order
/// skips), and that step alone. Steady state: the member's achievements already hold a year of orders.
/// </summary>
[MemoryDiagnoser]
public class AchievementBenchmarks
{
    private readonly ProgramSettings settings = new LoyaltyOptions { ProgramId = "bench", TimeZone = "Europe/Paris" }.ToProgramSettings();
    private EarningRuleSet ruleSet = null!;
    private EarningOrder order = null!;
    private MemberContext member = null!;
    private AchievementTracker tracker = null!;
    private OrderRecord record = null!;

    [GlobalSetup]
    public void Setup()
    {
        ruleSet = new EarningRuleSetBuilder("bench", Instant.FromUtc(2026, 1, 1, 0, 0), Currency.EUR, "Europe/Paris")
            .Group("promo", StackingMode.BestOf)
            .EarnPerUnit("base", 1m)
            .Multiply("shoes-x2", "base", 2m, LineSelector.ForCategories("shoes"))
            .ThresholdBonus("big-basket", 100m, 500, r => r with { Group = "promo" })
            .FixedBonus("app-bonus", 50, configure: r => r with { Group = "promo", Condition = Conditions.Channel("app") })
            .OrderCountBonus("second-order", 2, 200)
            .TierMultiplier("tier", "base")
            .FixedBonus("eco", 3, BonusBasis.PerUnit, LineSelector.ForBrands("GreenCo"))
            .Multiply("weekend-garden", "base", 3m, LineSelector.ForCategories("garden"), r => r with { Condition = Conditions.DaysOfWeek(IsoDayOfWeek.Saturday, IsoDayOfWeek.Sunday) })
            .EarnPerUnit("spring-promo", 2.5m)
            .EarnPerUnit("vip-flat", 5m, r => r with { Priority = -1, Exclusive = true, Condition = Conditions.Segment("vip") })
            .Build();
        order = new EarningOrder(
            OrderId.From("o-1"),
            MemberId.From("alice"),
            Instant.FromUtc(2026, 3, 28, 10, 0),
            Currency.EUR,
            [
                new OrderLine("sneaker", 1, 79.90m, 0m, ["shoes"], "Acme"),
                new OrderLine("rake", 2, 12.50m, 2m, ["garden"], "GreenCo"),
                new OrderLine("shirt", 1, 25m, 0m, ["tops"], "Acme"),
                new OrderLine("soap", 3, 4.20m, 0m, ["bath"], "GreenCo"),
                new OrderLine("card", 1, 20m, 0m, ["gift"], null, isGiftCard: true),
            ],
            shipping: 4.90m,
            tax: 30m,
            channel: "app");
        member = new MemberContext(tier: TierId.From("gold"), tierEarnMultiplier: 1.5m, previousOrderCount: 1, segments: ["champions"]);

        var definitions = new List<AchievementDefinition>();
        for (var i = 0; i < 4; i++)
        {
            definitions.Add(new AchievementDefinition { Id = "streak-" + i, Name = "Streak", Kind = AchievementKind.Streak, Target = 3 + (i * 3), BonusPoints = 100 });
        }

        for (var i = 0; i < 3; i++)
        {
            definitions.Add(new AchievementDefinition { Id = "spend-" + i, Name = "Spender", Kind = AchievementKind.SpendThreshold, Amount = 500m * (i + 1), Validity = AchievementValidity.CalendarYear, BonusPoints = 50 });
        }

        foreach (var category in new[] { "shoes", "garden", "books" })
        {
            definitions.Add(new AchievementDefinition { Id = "first-" + category, Name = "First", Kind = AchievementKind.FirstInCategory, Category = category });
        }

        for (var i = 0; i < 8; i++)
        {
            definitions.Add(new AchievementDefinition { Id = "reviews-" + i, Name = "Critic", Kind = AchievementKind.ActivityCount, Activity = ActivityKind.Review, Target = 5 * (i + 1) });
        }

        definitions.Add(new AchievementDefinition { Id = "ambassador", Name = "Ambassador", Kind = AchievementKind.ReferralCount, Target = 3, BonusPoints = 200 });
        definitions.Add(new AchievementDefinition { Id = "ambassador-gold", Name = "Ambassador", Kind = AchievementKind.ReferralCount, Target = 10, BonusPoints = 500 });
        var set = AchievementSet.Create(definitions);

        var clock = new FixedClock(Instant.FromUtc(2026, 3, 28, 12, 0));
        var ledger = new PointsLedger(clock, new InMemoryLedgerStore(), settings, Options.Create(new LedgerOptions()));
        tracker = new AchievementTracker(set, new InMemoryAchievementStore(), ledger, settings);

        // A year of monthly orders first, so the step runs in steady state (every first unlocked, streaks long).
        for (var month = 1; month <= 12; month++)
        {
            var earlier = new EarningOrder(OrderId.From("m-" + month), order.Member, Instant.FromUtc(2025, month, 10, 10, 0), Currency.EUR, order.Lines, channel: "app");
            tracker.OnOrderAsync(Record(earlier), default).AsTask().GetAwaiter().GetResult();
        }

        record = Record(order);
    }

    private OrderRecord Record(EarningOrder o) => new()
    {
        ProgramId = settings.ProgramId,
        MemberId = o.Member,
        OrderId = o.Id,
        Fingerprint = "bench",
        Order = o,
        Earning = EarningEngine.Instance.Evaluate(ruleSet, o, member, EarningUsage.Empty),
        TransactionId = TransactionId.From("order:" + o.Id.Value),
        RecordedAt = o.PlacedAt,
    };

    [Benchmark(Baseline = true)]
    public long EarningEngineOnly() => EarningEngine.Instance.Evaluate(ruleSet, order, member, EarningUsage.Empty).Total.Value;

    [Benchmark]
    public long EarningEngineAndTwentyAchievements()
    {
        var total = EarningEngine.Instance.Evaluate(ruleSet, order, member, EarningUsage.Empty).Total.Value;
        tracker.OnOrderAsync(record, default).AsTask().GetAwaiter().GetResult();
        return total;
    }

    [Benchmark]
    public void TwentyAchievementsOnly() => tracker.OnOrderAsync(record, default).AsTask().GetAwaiter().GetResult();

    private sealed class FixedClock(Instant now) : IClock
    {
        public Instant GetCurrentInstant() => now;
    }
}
