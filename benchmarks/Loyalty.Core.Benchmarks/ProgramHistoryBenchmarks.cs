using BenchmarkDotNet.Attributes;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// Cost per call against the length of the member's history, all in memory, DI defaults: members
/// with 0 prior orders (20,000 of them, so the measured calls add few orders to each) or with 1,000
/// prior orders (50 members, one order a day, so about 365 fall inside the 12-month qualification
/// window; the measured orders, a second apart, add more to each), under a three-tier ladder with a
/// tier multiplier.
/// <list type="bullet">
/// <item>the baseline: a bare <see cref="PointsLedger.EarnAsync"/> of the same points (what every order ends in);</item>
/// <item><see cref="LoyaltyProgram.RecordOrderAsync"/> of a new 3-line order (one member read, one member-store write, the ledger earn);</item>
/// <item><see cref="LoyaltyProgram.GetMemberSummaryAsync"/> (member read, balances, expiry schedule, tier from the kept state);</item>
/// <item>for reference, what the replaying path paid per tier evaluation: read the full history and replay it.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class ProgramHistoryBenchmarks
{
    private int Members => PriorOrders == 0 ? 20_000 : 50;
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    private readonly MutableClock clock = new();
    private ServiceProvider provider = null!;
    private LoyaltyProgram program = null!;
    private PointsLedger ledger = null!;
    private IMemberStore store = null!;
    private MemberStateKeeper keeper = null!;
    private MemberId[] members = [];
    private OrderLine[] lines = [];
    private Instant now;
    private long next;

    /// <summary>Orders each member placed before the measured calls.</summary>
    [Params(0, 1_000)]
    public int PriorOrders { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        now = new LocalDateTime(2026, 3, 2, 10, 0).InZoneLeniently(Paris).ToInstant();
        var enrolledAt = now - Duration.FromDays(PriorOrders + 30);
        clock.Now = enrolledAt;
        members = Enumerable.Range(0, Members).Select(i => MemberId.From("m" + i)).ToArray();
        lines = [new OrderLine("SHOE-42", 1, 89.90m, categories: ["shoes"]), new OrderLine("SOCK", 3, 4.50m, categories: ["clothing"]), new OrderLine("CAP", 1, 19m, categories: ["clothing"])];
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
        .UseTiers(ladder);
        provider = services.BuildServiceProvider();
        program = provider.CreateScope().ServiceProvider.GetRequiredService<LoyaltyProgram>(); // in memory: one scope for the run
        ledger = provider.GetRequiredService<PointsLedger>();
        store = provider.GetRequiredService<IMemberStore>();
        keeper = new MemberStateKeeper(new TierEvaluator(ladder), Currency.EUR, new Referrals.ReferralPolicy(), new Programs.QualificationWeights());
        program.PublishRuleSetAsync(new EarningRuleSetBuilder("v1", enrolledAt - Duration.FromDays(1), Currency.EUR, "Europe/Paris")
            .EarnPerUnit("base", 1m)
            .Multiply("shoes", "base", 2m, LineSelector.ForCategories("shoes"))
            .TierMultiplier("tier", "base")
            .ThresholdBonus("basket-100", 100m, 50)
            .Activity("welcome", ActivityKind.SignUp, 100)
            .Build()).GetAwaiter().GetResult();
        foreach (var member in members)
        {
            program.EnrolAsync(new Enrolment(member) { EnrolledAt = enrolledAt }).GetAwaiter().GetResult().GetValueOrThrow();
        }

        for (var day = 0; day < PriorOrders; day++)
        {
            clock.Now = enrolledAt + Duration.FromDays(day + 1);
            foreach (var member in members)
            {
                program.RecordOrderAsync(new EarningOrder(OrderId.From($"p-{member}-{day}"), member, clock.Now, Currency.EUR, lines)).GetAwaiter().GetResult().GetValueOrThrow();
            }
        }

        clock.Now = now;
    }

    [GlobalCleanup]
    public void Cleanup() => provider.Dispose();

    [Benchmark(Baseline = true)]
    public async Task<LedgerResult> LedgerEarnOnly()
    {
        var n = next++;
        return await ledger.EarnAsync(new EarnPoints(TransactionId.From("bare-" + n), members[n % Members], Points.FromInt64(242)));
    }

    [Benchmark]
    public async Task<LoyaltyResult<OrderReceipt>> RecordOrder()
    {
        // Each order a second after the previous one, as a shop's orders come (the clock moves with them).
        var n = next++;
        var at = now + Duration.FromSeconds(n);
        clock.Now = at;
        return await program.RecordOrderAsync(new EarningOrder(OrderId.From("o-" + n), members[n % Members], at, Currency.EUR, lines));
    }

    [Benchmark]
    public async Task<LoyaltyResult<MemberSummary>> GetMemberSummary() => await program.GetMemberSummaryAsync(members[next++ % Members]);

    [Benchmark]
    public async Task<TierEvaluation> ReplayTierFromHistory()
    {
        var member = members[next++ % Members];
        var record = (await store.GetMemberAsync(ProgramId.From("default"), member))!;
        var history = await store.GetHistoryAsync(ProgramId.From("default"), member);
        return keeper.EvaluateByReplay(record, history, now);
    }

    /// <summary>
    /// A Stopwatch profile outside BenchmarkDotNet (for finding where time and allocations go): sets the
    /// class up at each history length and prints the mean time, the process's CPU time (steadier than
    /// the wall time on a shared machine), the bytes allocated per call, the bytes still held after a full collection (what the stores keep per call) and the collections; with
    /// <paramref name="sampleAllocations"/>, also the types that allocated most and what the collections promoted; with
    /// <paramref name="gcPhases"/>, the collections' time split into marking through the card table, other marking and what follows marking.
    /// </summary>
    public static async Task ProfileAsync(int calls, int[] priorOrders, bool sampleAllocations = false, bool gcPhases = false)
    {
        foreach (var prior in priorOrders)
        {
            var b = new ProgramHistoryBenchmarks { PriorOrders = prior };
            b.Setup();
            foreach (var (name, call) in new (string, Func<Task>)[] { ("LedgerEarnOnly", () => b.LedgerEarnOnly()), ("RecordOrder", () => b.RecordOrder()), ("GetMemberSummary", () => b.GetMemberSummary()) })
            {
                for (var i = 0; i < calls / 10; i++)
                {
                    await call();
                }

                var heldBefore = GC.GetTotalMemory(forceFullCollection: true);
                using var sampler = sampleAllocations ? new AllocationSampler() : null;
                using var phases = gcPhases ? new GcPauseListener(phases: true) : null;
                var bytes = GC.GetAllocatedBytesForCurrentThread();
                var pause = GC.GetTotalPauseDuration();
                var gen0 = GC.CollectionCount(0);
                var gen1 = GC.CollectionCount(1);
                var gen2 = GC.CollectionCount(2);
                var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                var watch = System.Diagnostics.Stopwatch.StartNew();
                for (var i = 0; i < calls; i++)
                {
                    await call();
                }

                watch.Stop();
                var cpuPerCall = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / calls;
                var allocated = GC.GetAllocatedBytesForCurrentThread() - bytes;
                var paused = (GC.GetTotalPauseDuration() - pause).TotalMicroseconds / calls;
                var gens = $"{GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}";
                var held = (GC.GetTotalMemory(forceFullCollection: true) - heldBefore) / (double)calls;
                Console.WriteLine($"{prior,5} prior orders  {name,-18} {watch.Elapsed.TotalMicroseconds / calls,9:F2} us (CPU {cpuPerCall,7:F2} us)  {allocated / (double)calls,8:F0} B/call  {held,6:F0} B/call kept  GC pauses {paused,7:F2} us/call, gen0/1/2 {gens}");
                sampler?.Print(calls);
                if (phases is not null)
                {
                    Console.WriteLine("      " + phases.PhaseSummary());
                }
            }

            b.Cleanup();
        }
    }

    private sealed class MutableClock : IClock
    {
        public Instant Now { get; set; }

        public Instant GetCurrentInstant() => Now;
    }
}
