using System.Globalization;
using BenchmarkDotNet.Attributes;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Texts;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// What member-facing texts cost: an order's explanation lines in French through <see cref="LoyaltyTexts"/>
/// against the English lines every receipt already builds (baseline), and the description of a 10-rule
/// set in French.
/// </summary>
[MemoryDiagnoser]
public class TextsBenchmarks
{
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");
    private readonly LoyaltyTexts texts = new();
    private EarningRuleSet ruleSet = null!;
    private EarningResult result = null!;
    private IReadOnlyList<ExplanationLine> lines = [];

    [GlobalSetup]
    public void Setup()
    {
        ruleSet = new EarningRuleSetBuilder("v1", Instant.FromUtc(2026, 1, 1, 0, 0), Currency.EUR, "Europe/Paris")
            .EarnPerUnit("base", 1m)
            .Multiply("shoes", "base", 2m, LineSelector.ForCategories("shoes"))
            .ThresholdBonus("big", 100m, 200)
            .FixedBonus("eco", 15, BonusBasis.PerUnit, LineSelector.ForBrands("GreenCo"))
            .OrderCountBonus("second", 2, 200)
            .TierMultiplier("tier", "base")
            .EarnPerUnit("weekend", 1m, r => r with { Condition = Conditions.DaysOfWeek(IsoDayOfWeek.Saturday, IsoDayOfWeek.Sunday), Caps = new RuleCaps { PerOrder = Points.FromInt64(300) } })
            .FixedBonus("summer", 50, configure: r => r with { Condition = Conditions.Between(new LocalDate(2026, 7, 1), new LocalDate(2026, 7, 14)) })
            .Activity("review", ActivityKind.Review, 20)
            .Activity("birthday", ActivityKind.Birthday, 100)
            .Build();
        var order = new EarningOrder(OrderId.From("o-1"), MemberId.From("alice"), Instant.FromUtc(2026, 3, 4, 10, 0), Currency.EUR,
        [
            new OrderLine("SHOE-42", 1, 120m, categories: ["shoes"]),
            new OrderLine("SHIRT-M", 2, 30m, categories: ["clothing"]),
            new OrderLine("ECO-BAG", 1, 12m, brand: "GreenCo"),
        ]);
        result = EarningEngine.Instance.Evaluate(ruleSet, order, MemberContext.Default, EarningUsage.Empty);
        lines = Explanations.For(result, EarningRules.Of(ruleSet));
    }

    [Benchmark(Baseline = true)]
    public IReadOnlyList<ExplanationLine> EnglishLinesOfTheReceipt() => Explanations.For(result, EarningRules.Of(ruleSet));

    [Benchmark]
    public IReadOnlyList<MemberExplanationLine> FrenchMemberLines() => texts.Explain(lines, French);

    [Benchmark]
    public IReadOnlyList<RuleDescription> FrenchRuleDescriptions() => texts.DescribeRules(ruleSet, French);
}
