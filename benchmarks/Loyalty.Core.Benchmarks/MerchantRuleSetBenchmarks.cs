using BenchmarkDotNet.Attributes;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// What a merchant's own rule set costs an order, in memory: the baseline records a 3-line order
/// at a store with no rule set of its own (the programme-wide set alone, as before merchant rule
/// sets); the other records the same order at a store whose own rule set (a spend rule and a bonus)
/// applies on top (a second evaluation, namespaced results combined). Quotes the same way.
/// </summary>
[MemoryDiagnoser]
public class MerchantRuleSetBenchmarks
{
    private const int Members = 10_000;
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    private static readonly MerchantId Plain = MerchantId.From("plain");
    private static readonly MerchantId Own = MerchantId.From("own-rules");
    private ServiceProvider provider = null!;
    private LoyaltyProgram program = null!;
    private MemberId[] members = [];
    private OrderLine[] lines = [];
    private Instant now;
    private long next;

    [GlobalSetup]
    public void Setup()
    {
        now = new LocalDateTime(2026, 3, 2, 10, 0).InZoneLeniently(Paris).ToInstant();
        members = Enumerable.Range(0, Members).Select(i => MemberId.From("m" + i)).ToArray();
        lines = [new OrderLine("SHOE-42", 1, 89.90m, categories: ["shoes"]), new OrderLine("SOCK", 3, 4.50m, categories: ["clothing"]), new OrderLine("CAP", 1, 19m, categories: ["clothing"])];
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FixedClock(now));
        services.AddLoyalty(o =>
        {
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.FromDays(14);
        }).UseInMemoryStores();
        provider = services.BuildServiceProvider();
        program = provider.CreateScope().ServiceProvider.GetRequiredService<LoyaltyProgram>(); // in memory: one scope for the run
        var from = now - Duration.FromDays(60);
        program.PublishRuleSetAsync(new EarningRuleSetBuilder("v1", from, Currency.EUR, "Europe/Paris")
            .EarnPerUnit("base", 1m)
            .Multiply("shoes", "base", 2m, LineSelector.ForCategories("shoes"))
            .ThresholdBonus("basket-100", 100m, 50)
            .Build()).GetAwaiter().GetResult();
        program.PublishMerchantRuleSetAsync(Own, new EarningRuleSetBuilder("own-1", from, Currency.EUR, "Europe/Paris")
            .EarnPerUnit("base", 2m)
            .FixedBonus("welcome", 10)
            .Build(), CancellationToken.None).GetAwaiter().GetResult();
        foreach (var member in members)
        {
            program.EnrolAsync(new Enrolment(member)).GetAwaiter().GetResult().GetValueOrThrow();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => provider.Dispose();

    [Benchmark(Baseline = true)]
    public async Task<LoyaltyResult<OrderReceipt>> RecordOrderAtStoreWithoutOwnRules()
    {
        var n = next++;
        return await program.RecordOrderAsync(new EarningOrder(OrderId.From("p-" + n), members[n % Members], now, Currency.EUR, lines, store: Plain));
    }

    [Benchmark]
    public async Task<LoyaltyResult<OrderReceipt>> RecordOrderAtStoreWithOwnRules()
    {
        var n = next++;
        return await program.RecordOrderAsync(new EarningOrder(OrderId.From("o-" + n), members[n % Members], now, Currency.EUR, lines, store: Own));
    }

    [Benchmark]
    public async Task<LoyaltyResult<EarningQuote>> QuoteAtStoreWithOwnRules() =>
        await program.QuoteAsync(new EarningOrder(OrderId.From("quote"), members[0], now, Currency.EUR, lines, store: Own));

    private sealed class FixedClock(Instant now) : IClock
    {
        public Instant GetCurrentInstant() => now;
    }
}
