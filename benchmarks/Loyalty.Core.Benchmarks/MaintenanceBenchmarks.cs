using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using Loyalty.Core.Storage;
using Loyalty.Core.Tests.Programs.Maintenance;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// The night one year after every member's last order, in memory: every member's points expire,
/// the Silver and Gold members drop at the end of their status, every member is re-evaluated and
/// written back. Members enrolled and ordered a year earlier (one order each, 20 € to 999 €, so
/// some reached Silver or Gold); no birthday falls in the night.
/// <list type="bullet">
/// <item>the baseline: the member-by-member path (the programme's whole expiry sweep, then per member
/// its record, account, expiry schedule and history, a tier replay and a write), over the same
/// indexed stores;</item>
/// <item>the paged run of the whole programme (pages of 500: one member read, one account read, a
/// tier batch and one member write per page).</item>
/// </list>
/// Each iteration runs on a freshly generated shop (generation is not measured: members, orders and
/// their earns written straight through the stores and the ledger). A macro benchmark: one
/// invocation (a whole night) per iteration.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 3)]
public class MaintenanceBenchmarks
{
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    private static readonly Instant Enrolled = new LocalDateTime(2026, 3, 2, 10, 0).InZoneLeniently(Paris).ToInstant();
    private static readonly Instant YearLater = Enrolled + Duration.FromDays(400);

    private ServiceProvider? provider;
    private Shop shop = null!;

    [Params(100_000, 1_000_000)]
    public int Members { get; set; }

    [IterationSetup]
    public void Generate()
    {
        provider?.Dispose();
        provider = null;
        GC.Collect();
        (provider, shop) = Shop.Generate(Members);
    }

    [GlobalCleanup]
    public void Cleanup() => provider?.Dispose();

    [Benchmark(Baseline = true)]
    public async Task<int> MemberByMember()
        => (await MemberByMemberMaintenance.RunAsync(shop.Program, shop.Members, shop.LedgerStore, shop.Ledger, YearLater)).MembersExamined;

    [Benchmark]
    public async Task<int> Paged()
        => (await shop.Program.RunMaintenanceAsync(YearLater)).MembersExamined;

    /// <summary>
    /// Times <paramref name="runs"/> paged nights on freshly generated shops with a <see cref="System.Diagnostics.Stopwatch"/>
    /// (generation not timed) and prints each night's wall time, cost per member, allocation and GC counts.
    /// </summary>
    /// <param name="members">The members of the shop.</param>
    /// <param name="runs">The nights, each on a new shop.</param>
    /// <param name="workers">1: one <c>RunMaintenanceAsync</c> over the whole programme; more: that many partitions run in parallel (as that many workers would).</param>
    /// <param name="sampleAllocations">Also lists the types that allocate most per member during the night (sampled; listening costs time).</param>
    /// <param name="gcPhases">Also splits the collections' pauses into marking through the card table, other marking, and what follows marking.</param>
    public static async Task TimeNightsAsync(int members, int runs, int workers = 1, bool sampleAllocations = false, bool gcPhases = false)
    {
        Console.WriteLine($"Paged maintenance a year later, in memory, {members:N0} members, {runs} nights, {(workers == 1 ? "one worker" : $"{workers} partitions in parallel")}; {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, server GC: {System.Runtime.GCSettings.IsServerGC}");
        var process = System.Diagnostics.Process.GetCurrentProcess();
        for (var run = 1; run <= runs; run++)
        {
            var generation = System.Diagnostics.Stopwatch.StartNew();
            var (provider, shop) = Shop.Generate(members);
            generation.Stop();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var (g0, g1, g2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var paused = GC.GetTotalPauseDuration();
            var heapBefore = GC.GetTotalMemory(forceFullCollection: false);
            Console.WriteLine($"generated in {generation.Elapsed.TotalSeconds:F1} s; heap {heapBefore / 1e6:F0} MB; night {run} starts (process {Environment.ProcessId})");
            using var sampler = sampleAllocations ? new AllocationSampler() : null;
            var collections = new GcPauseListener(gcPhases);
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var night = System.Diagnostics.Stopwatch.StartNew();
            var reports = await Task.WhenAll(Enumerable.Range(0, workers).Select(i => Task.Run(() => shop.Program.RunMaintenanceAsync(YearLater, MaintenanceScope.ForPartition(i, workers), null, CancellationToken.None))));
            night.Stop();
            process.Refresh();
            cpu = process.TotalProcessorTime - cpu;
            var (examined, expired, changes) = (reports.Sum(r => r.MembersExamined), reports.Sum(r => r.PointsExpired.Value), reports.Sum(r => r.TierChanges.Count));
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            var gcCounts = (GC.CollectionCount(0) - g0, GC.CollectionCount(1) - g1, GC.CollectionCount(2) - g2);
            paused = GC.GetTotalPauseDuration() - paused;
            Thread.Sleep(1500); // the listener's events arrive a little after the collections
            collections.Dispose();
            Console.WriteLine(
                $"night {run}: {night.Elapsed.TotalSeconds:F2} s wall ({night.Elapsed.TotalMicroseconds / members:F1} µs/member), CPU {cpu.TotalSeconds:F2} s ({cpu.TotalMicroseconds / members:F1} µs/member), {examined:N0} examined, " +
                $"{expired:N0} points expired, {changes:N0} tier changes; allocated {allocated / (double)members:F0} B/member; " +
                $"GC gen0/1/2 {gcCounts.Item1}/{gcCounts.Item2}/{gcCounts.Item3}, paused {paused.TotalSeconds:F2} s; generation {generation.Elapsed.TotalSeconds:F1} s; load before: {load}, after: {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?")}");
            Console.WriteLine($"      collections by deepest generation: {collections.Summary(members)}");
            if (gcPhases)
            {
                Console.WriteLine($"      phases of the {collections.PhaseSummary()}");
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            Console.WriteLine($"      retained by the night (heap after a full collection, the reports alive): {(GC.GetTotalMemory(forceFullCollection: false) - heapBefore) / (double)members:F0} B/member");
            GC.KeepAlive(reports);
            if (sampler is not null)
            {
                var last = GC.GetGCMemoryInfo(GCKind.Ephemeral);
                Console.WriteLine($"      last ephemeral GC (gen{last.Generation}): heap {last.HeapSizeBytes / 1e6:F0} MB, promoted {last.PromotedBytes / 1e6:F1} MB, pause {last.PauseDurations[0].TotalMilliseconds:F1} ms, memory load {last.MemoryLoadBytes / 1e6:F0} of {last.TotalAvailableMemoryBytes / 1e6:F0} MB");
                sampler.Print(members);
            }
            provider.Dispose();
        }
    }

    /// <summary>A generated shop: members enrolled a year ago, each with one order and its points.</summary>
    public sealed record Shop(LoyaltyProgram Program, IMemberStore Members, ILedgerStore LedgerStore, PointsLedger Ledger)
    {
        public static TierLadder Ladder { get; } = TierLadder.Create(
            [
                TierDefinition.Entry(TierId.From("bronze"), "Bronze"),
                TierDefinition.Create(TierId.From("silver"), "Silver", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(500)], TierBenefits.Create(1.25m)),
                TierDefinition.Create(TierId.From("gold"), "Gold", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(900)], TierBenefits.Create(1.5m)),
            ],
            new TierPolicy { Window = QualificationWindow.RollingMonths(12), Validity = StatusValidity.FixedMonths(12), TimeZone = Paris });

        public static (ServiceProvider Provider, Shop Shop) Generate(int members)
        {
            var clock = new MutableClock(Enrolled);
            var services = new ServiceCollection();
            services.AddSingleton<IClock>(clock);
            services.AddLoyalty(o =>
            {
                o.ProgramId = "club";
                o.Currency = "EUR";
                o.TimeZone = "Europe/Paris";
                o.Ledger.PendingPeriod = TimeSpan.FromDays(14);
                o.Ledger.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Months = 12 };
            })
            .UseInMemoryStores()
            .UseTiers(Ladder);
            var provider = services.BuildServiceProvider();
            var shop = new Shop(provider.CreateScope().ServiceProvider.GetRequiredService<LoyaltyProgram>(), provider.GetRequiredService<IMemberStore>(), provider.GetRequiredService<ILedgerStore>(), provider.GetRequiredService<PointsLedger>());
            var rules = new EarningRuleSetBuilder("v1", Enrolled - Duration.FromDays(30), Currency.EUR, "Europe/Paris").EarnPerUnit("base", 1m).Build();
            shop.Program.PublishRuleSetAsync(rules).GetAwaiter().GetResult();
            var program = ProgramId.From("club");
            var random = new Random(42);
            for (var i = 0; i < members; i++)
            {
                var memberId = MemberId.From("m" + i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture));
                var added = shop.Members.AddMemberAsync(new MemberRecord
                {
                    ProgramId = program,
                    MemberId = memberId,
                    EnrolledAt = Enrolled,
                    ReferralCode = ReferralCode.From("R" + i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture)),
                }).GetAwaiter().GetResult();
                if (added != MemberAddStatus.Added)
                {
                    throw new InvalidOperationException($"Member {memberId} was not added: {added}.");
                }

                var order = new EarningOrder(OrderId.From("o" + i), memberId, Enrolled, Currency.EUR, [new OrderLine("SKU", 1, 20m + random.Next(980))]);
                var earning = EarningEngine.Instance.Evaluate(rules, order, MemberContext.Default, EarningUsage.Empty);
                var record = new OrderRecord
                {
                    ProgramId = program,
                    MemberId = memberId,
                    OrderId = order.Id,
                    Fingerprint = "f",
                    Order = order,
                    Earning = earning,
                    TransactionId = TransactionId.From("order:" + order.Id.Value),
                    RecordedAt = Enrolled,
                };
                shop.Members.AddOrderAsync(record, 0).GetAwaiter().GetResult();
                var earned = shop.Ledger.EarnAsync(new EarnPoints(record.TransactionId, memberId, earning.Total)).GetAwaiter().GetResult();
                if (!earned.Succeeded)
                {
                    throw new InvalidOperationException(earned.Error?.Message);
                }
            }

            clock.Now = YearLater;
            return (provider, shop);
        }
    }

    private sealed class MutableClock(Instant now) : IClock
    {
        public Instant Now { get; set; } = now;

        public Instant GetCurrentInstant() => Now;
    }
}
