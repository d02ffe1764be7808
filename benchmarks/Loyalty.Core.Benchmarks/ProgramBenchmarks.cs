using BenchmarkDotNet.Attributes;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// What the programme facade costs on top of the ledger write it ends in, all in memory:
/// <list type="bullet">
/// <item>the baseline: a bare <see cref="PointsLedger.EarnAsync"/> of the same points;</item>
/// <item>recording a new 3-line order (rule set lookup, member history, tier at the order's instant,
/// earning engine, order record, ledger earn, tier refresh) for one of 10,000 members in turn;</item>
/// <item>the same order under a rule set with a programme-wide campaign budget (usage read, reservation, settlement);</item>
/// <item>the same order delivered again (a webhook retry);</item>
/// <item>quoting a cart (no write).</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
public class ProgramBenchmarks
{
    private const int Members = 10_000;
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    private ServiceProvider provider = null!;
    private ServiceProvider budgetedProvider = null!;
    private LoyaltyProgram program = null!;
    private LoyaltyProgram budgeted = null!;
    private PointsLedger ledger = null!;
    private MemberId[] members = [];
    private OrderLine[] lines = [];
    private EarningOrder repeated = null!;
    private Instant now;
    private long next;

    [GlobalSetup]
    public void Setup()
    {
        now = new LocalDateTime(2026, 3, 2, 10, 0).InZoneLeniently(Paris).ToInstant();
        members = Enumerable.Range(0, Members).Select(i => MemberId.From("m" + i)).ToArray();
        (provider, program) = Create(rules => rules);
        (budgetedProvider, budgeted) = Create(rules => rules.FixedBonus("spring", 20, configure: r => r with { Caps = new RuleCaps { CampaignBudget = Points.FromInt64(1_000_000_000_000) } }));
        ledger = provider.GetRequiredService<PointsLedger>();
        lines = [new OrderLine("SHOE-42", 1, 89.90m, categories: ["shoes"]), new OrderLine("SOCK", 3, 4.50m, categories: ["clothing"]), new OrderLine("CAP", 1, 19m, categories: ["clothing"])];
        repeated = new EarningOrder(OrderId.From("repeat"), members[0], now, Currency.EUR, lines);
        program.RecordOrderAsync(repeated).GetAwaiter().GetResult().GetValueOrThrow();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        provider.Dispose();
        budgetedProvider.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<LedgerResult> LedgerEarnOnly()
    {
        var n = next++;
        return await ledger.EarnAsync(new EarnPoints(TransactionId.From("bare-" + n), members[n % Members], Points.FromInt64(242)));
    }

    [Benchmark]
    public async Task<LoyaltyResult<OrderReceipt>> RecordOrder()
    {
        var n = next++;
        return await program.RecordOrderAsync(new EarningOrder(OrderId.From("o-" + n), members[n % Members], now, Currency.EUR, lines));
    }

    [Benchmark]
    public async Task<LoyaltyResult<OrderReceipt>> RecordOrderWithCampaignBudget()
    {
        var n = next++;
        return await budgeted.RecordOrderAsync(new EarningOrder(OrderId.From("b-" + n), members[n % Members], now, Currency.EUR, lines));
    }

    [Benchmark]
    public async Task<LoyaltyResult<OrderReceipt>> RecordOrderRetry() => await program.RecordOrderAsync(repeated);

    [Benchmark]
    public async Task<LoyaltyResult<EarningQuote>> QuoteCart() => await program.QuoteAsync(repeated);

    private (ServiceProvider Provider, LoyaltyProgram Program) Create(Func<EarningRuleSetBuilder, EarningRuleSetBuilder> extra)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FixedClock(now));
        services.AddLoyalty(o =>
        {
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.FromDays(14);
        })
        .UseInMemoryStores()
        .UseTiers(TierLadder.Create(
            [
                TierDefinition.Entry(TierId.From("bronze"), "Bronze"),
                TierDefinition.Create(TierId.From("silver"), "Silver", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(500)], TierBenefits.Create(1.25m)),
                TierDefinition.Create(TierId.From("gold"), "Gold", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(1500)], TierBenefits.Create(1.5m)),
            ],
            new TierPolicy { Window = QualificationWindow.RollingMonths(12), TimeZone = Paris }));
        var built = services.BuildServiceProvider();
        var created = built.CreateScope().ServiceProvider.GetRequiredService<LoyaltyProgram>(); // in memory: one scope for the run
        created.PublishRuleSetAsync(extra(new EarningRuleSetBuilder("v1", now - Duration.FromDays(60), Currency.EUR, "Europe/Paris")
            .EarnPerUnit("base", 1m)
            .Multiply("shoes", "base", 2m, LineSelector.ForCategories("shoes"))
            .TierMultiplier("tier", "base")
            .ThresholdBonus("basket-100", 100m, 50)
            .Activity("welcome", ActivityKind.SignUp, 100))
            .Build()).GetAwaiter().GetResult();
        foreach (var member in members)
        {
            created.EnrolAsync(new Enrolment(member)).GetAwaiter().GetResult().GetValueOrThrow();
        }

        return (built, created);
    }

    private sealed class FixedClock(Instant now) : IClock
    {
        public Instant GetCurrentInstant() => now;
    }
}
