using BenchmarkDotNet.Attributes;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Households;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// What pooled tier qualification costs on the order path and the member summary, in memory: two programmes built
/// alike — 200 households of two members, each member with <see cref="PriorOrders"/> orders recorded after joining —
/// one with <see cref="HouseholdOptions.PooledTierQualification"/> off (the baseline: the kept-state path) and one with
/// it on (a household member's tier replayed over both members' histories, one household read per evaluation).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class HouseholdTierBenchmarks
{
    private const int Households = 200;
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    private readonly MutableClock clock = new();
    private ServiceProvider perMemberProvider = null!;
    private ServiceProvider pooledProvider = null!;
    private LoyaltyProgram perMember = null!;
    private LoyaltyProgram pooled = null!;
    private MemberId[] members = [];
    private OrderLine[] lines = [];
    private Instant now;
    private long next;

    /// <summary>Orders each member placed (one a day, after joining) before the measured calls.</summary>
    [Params(0, 100)]
    public int PriorOrders { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        now = new LocalDateTime(2026, 3, 2, 10, 0).InZoneLeniently(Paris).ToInstant();
        var enrolledAt = now - Duration.FromDays(PriorOrders + 30);
        members = Enumerable.Range(0, Households * 2).Select(i => MemberId.From("m" + i)).ToArray();
        lines = [new OrderLine("SHOE-42", 1, 89.90m, categories: ["shoes"]), new OrderLine("SOCK", 3, 4.50m, categories: ["clothing"])];
        (perMemberProvider, perMember) = Build(pooledQualification: false, enrolledAt);
        (pooledProvider, pooled) = Build(pooledQualification: true, enrolledAt);
        clock.Now = now;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        perMemberProvider.Dispose();
        pooledProvider.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<LoyaltyResult<OrderReceipt>> RecordOrderPerMember() => OrderAsync(perMember);

    [Benchmark]
    public Task<LoyaltyResult<OrderReceipt>> RecordOrderPooled() => OrderAsync(pooled);

    [Benchmark]
    public Task<LoyaltyResult<MemberSummary>> SummaryPerMember() => perMember.GetMemberSummaryAsync(members[next++ % members.Length]);

    [Benchmark]
    public Task<LoyaltyResult<MemberSummary>> SummaryPooled() => pooled.GetMemberSummaryAsync(members[next++ % members.Length]);

    private Task<LoyaltyResult<OrderReceipt>> OrderAsync(LoyaltyProgram program)
    {
        // Each order a second after the previous one (the clock moves with them).
        var n = next++;
        var at = now + Duration.FromSeconds(n);
        clock.Now = at;
        return program.RecordOrderAsync(new EarningOrder(OrderId.From("o-" + n), members[n % members.Length], at, Currency.EUR, lines));
    }

    private (ServiceProvider Provider, LoyaltyProgram Program) Build(bool pooledQualification, Instant enrolledAt)
    {
        var ladder = TierLadder.Create(
            [
                TierDefinition.Entry(TierId.From("bronze"), "Bronze"),
                TierDefinition.Create(TierId.From("silver"), "Silver", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(5_000)], TierBenefits.Create(1.25m)),
                TierDefinition.Create(TierId.From("gold"), "Gold", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(50_000)], TierBenefits.Create(1.5m)),
            ],
            new TierPolicy { Window = QualificationWindow.RollingMonths(12), TimeZone = Paris });
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddLoyalty(o =>
        {
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.FromDays(14);
        })
        .UseInMemoryStores()
        .UseTiers(ladder)
        .AddHouseholds(o => o.PooledTierQualification = pooledQualification);
        var provider = services.BuildServiceProvider();
        var scope = provider.CreateScope().ServiceProvider; // in memory: one scope for the run
        var program = scope.GetRequiredService<LoyaltyProgram>();
        var households = scope.GetRequiredService<HouseholdService>();
        clock.Now = enrolledAt;
        program.PublishRuleSetAsync(new EarningRuleSetBuilder("v1", enrolledAt - Duration.FromDays(1), Currency.EUR, "Europe/Paris")
            .EarnPerUnit("base", 1m)
            .TierMultiplier("tier", "base")
            .Build()).GetAwaiter().GetResult();
        for (var i = 0; i < members.Length; i++)
        {
            program.EnrolAsync(new Enrolment(members[i]) { EnrolledAt = enrolledAt }).GetAwaiter().GetResult().GetValueOrThrow();
            var household = HouseholdId.From("h" + (i / 2));
            var joined = i % 2 == 0 ? households.CreateHouseholdAsync(household, members[i]) : households.JoinHouseholdAsync(household, members[i]);
            joined.GetAwaiter().GetResult().GetValueOrThrow();
        }

        for (var day = 0; day < PriorOrders; day++)
        {
            clock.Now = enrolledAt + Duration.FromDays(day + 1);
            foreach (var member in members)
            {
                program.RecordOrderAsync(new EarningOrder(OrderId.From($"p-{member}-{day}"), member, clock.Now, Currency.EUR, lines)).GetAwaiter().GetResult().GetValueOrThrow();
            }
        }

        return (provider, program);
    }

    private sealed class MutableClock : IClock
    {
        public Instant Now { get; set; }

        public Instant GetCurrentInstant() => Now;
    }
}
