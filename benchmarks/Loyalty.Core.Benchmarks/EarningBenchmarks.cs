using BenchmarkDotNet.Attributes;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Tests.Earning;
using NodaTime;
using RulesEngine.Models;
using ReEngine = RulesEngine.RulesEngine;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// Earning one 5-line order under the same 10-rule programme: the Loyalty.Core engine (typed,
/// compiled rules, full explanation and per-line allocation) against Microsoft RulesEngine 6
/// (baseline: Dynamic-LINQ expression strings computing each rule's points, summed). The
/// straightforward evaluation the engine started from (a full entry per rule, decimal sums) runs
/// in the same job for a before/after comparison, and one case also reads the whole explanation.
/// </summary>
[MemoryDiagnoser]
public class EarningBenchmarks
{
    private const string Workflow = "earn";

    private EarningRuleSet ruleSet = null!;
    private EarningOrder order = null!;
    private MemberContext member = null!;
    private EarningUsage usage = null!;
    private ReEngine rulesEngine = null!;
    private RuleParameter[] parameters = [];

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
            .Multiply("weekend-garden", "base", 3m, LineSelector.ForCategories("garden"), r => r with
            {
                Condition = Conditions.DaysOfWeek(IsoDayOfWeek.Saturday, IsoDayOfWeek.Sunday),
            })
            .EarnPerUnit("spring-promo", 2.5m, r => r with
            {
                Caps = new RuleCaps { PerOrder = Points.FromInt64(400), PerMember = new PeriodCap { Period = CapPeriod.Month, MaxPoints = Points.FromInt64(1_000) } },
            })
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
        usage = EarningUsage.Empty;

        // The same programme as Dynamic-LINQ expressions, one output expression per rule.
        const string eligible = "order.Lines.Where(l => !l.IsGiftCard).Sum(l => l.Net)";
        var rules = new List<Rule>
        {
            Output("vip-flat", "order.Segments.Contains(\"vip\")", $"Math.Floor({eligible} * 5)"),
            Output("base", "true", $"Math.Floor({eligible})"),
            Output("shoes-x2", "true", "Math.Floor(order.Lines.Where(l => !l.IsGiftCard && l.Category == \"shoes\").Sum(l => l.Net))"),
            Output("big-basket", $"{eligible} >= 100", "500"),
            Output("app-bonus", "order.Channel == \"app\"", "50"),
            Output("second-order", "order.PreviousOrders + 1 == 2", "200"),
            Output("tier", "order.TierMultiplier > 1", $"Math.Floor({eligible} * (order.TierMultiplier - 1))"),
            Output("eco", "true", "order.Lines.Where(l => l.Brand == \"GreenCo\").Sum(l => l.Quantity) * 3"),
            Output("weekend-garden", "order.DayOfWeek == 6 || order.DayOfWeek == 7", "Math.Floor(order.Lines.Where(l => !l.IsGiftCard && l.Category == \"garden\").Sum(l => l.Net) * 2)"),
            Output("spring-promo", "true", $"Math.Min(400, Math.Min(1000 - order.PromoUsed, Math.Floor({eligible} * 2.5)))"),
        };
        rulesEngine = new ReEngine([new Workflow { WorkflowName = Workflow, Rules = rules }], new ReSettings());
        var input = new ReOrder
        {
            Channel = "app",
            PreviousOrders = 1,
            TierMultiplier = 1.5m,
            DayOfWeek = (int)order.PlacedAt.InZone(ruleSet.TimeZone).DayOfWeek,
            Segments = ["champions"],
            Lines = order.Lines.Select(l => new ReLine { Category = l.Categories[0], Brand = l.Brand ?? string.Empty, Quantity = l.Quantity, Net = l.NetAmount, IsGiftCard = l.IsGiftCard }).ToList(),
        };
        parameters = [new RuleParameter("order", input)];
    }

    [Benchmark(Baseline = true)]
    public async Task<decimal> MicrosoftRulesEngine()
    {
        var results = await rulesEngine.ExecuteAllRulesAsync(Workflow, parameters);
        decimal total = 0m;
        foreach (var result in results)
        {
            if (result.IsSuccess && result.ActionResult?.Output is { } output)
            {
                total += Convert.ToDecimal(output, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    [Benchmark]
    public long LoyaltyCoreEngine() => EarningEngine.Instance.Evaluate(ruleSet, order, member, usage).Total.Value;

    [Benchmark]
    public long LoyaltyCoreEngineReadingExplanation()
    {
        var result = EarningEngine.Instance.Evaluate(ruleSet, order, member, usage);
        long read = 0;
        var rules = result.Rules;
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            read += rule.Rounded.Value + rule.Awarded.Value + rule.Allocation.Length;
        }

        return read;
    }

    [Benchmark]
    public long LoyaltyCoreEngineBefore() => ReferenceEarningEngine.EvaluateOrder(ruleSet, order, member, usage, isQuote: false).Total.Value;

    private static Rule Output(string name, string expression, string points) => new()
    {
        RuleName = name,
        Expression = expression,
        Actions = new RuleActions
        {
            OnSuccess = new ActionInfo { Name = "OutputExpression", Context = new Dictionary<string, object> { ["expression"] = points } },
        },
    };

    public sealed class ReOrder
    {
        public string Channel { get; set; } = string.Empty;

        public int PreviousOrders { get; set; }

        public decimal TierMultiplier { get; set; }

        public int DayOfWeek { get; set; }

        public decimal PromoUsed { get; set; }

        public List<string> Segments { get; set; } = [];

        public List<ReLine> Lines { get; set; } = [];
    }

    public sealed class ReLine
    {
        public string Category { get; set; } = string.Empty;

        public string Brand { get; set; } = string.Empty;

        public int Quantity { get; set; }

        public decimal Net { get; set; }

        public bool IsGiftCard { get; set; }
    }
}
