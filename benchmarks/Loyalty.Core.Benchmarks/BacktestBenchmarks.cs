using BenchmarkDotNet.Attributes;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Economics;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// A backtest of 1,000,000 orders of 100,000 members over two years (10-rule set, four tiers,
/// 14-day return window, 12-month expiry, members redeeming with probability 0.3), with the
/// monthly series (24 month ends: expiry, liability over every account, members per tier).
/// Baseline: the same orders recorded one by one through the programme facade
/// (<see cref="LoyaltyProgram.RecordOrderAsync"/>, in memory) — the production path a backtest
/// could otherwise take — which produces no series and no redemptions.
/// One operation takes minutes on this machine: run it with <c>--job dry</c> (one warm-up and one
/// measured operation, cold start), or time it without BenchmarkDotNet with
/// <c>--time-backtest 1000000 100000</c> (see <c>Program.cs</c>).
/// </summary>
[MemoryDiagnoser]
public class BacktestBenchmarks
{
    private int MemberCount = 100_000;
    private int OrderCount = 1_000_000;
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];

    private EarningOrder[] orders = [];
    private Dictionary<MemberId, Instant> enrolments = [];
    private ProgrammeCandidate candidate = null!;
    private ServiceProvider? provider;
    private LoyaltyProgram? program;
    private Clock? clock;

    [GlobalSetup]
    public void Setup()
    {
        var ruleSet = new EarningRuleSetBuilder("bench", Instant.FromUtc(2024, 1, 1, 0, 0), Currency.EUR, "Europe/Paris")
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
                Condition = Conditions.Between(new LocalDate(2025, 3, 20), new LocalDate(2025, 4, 20)),
            })
            .OrderCountBonus("first-order", 1, 100)
            .Build();
        var ladder = TierLadder.Create(
            [
                TierDefinition.Entry(TierId.From("bronze"), "Bronze"),
                TierDefinition.Create(TierId.From("silver"), "Silver", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(1_000)], TierBenefits.Create(1.25m)),
                TierDefinition.Create(TierId.From("gold"), "Gold", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(3_000)], TierBenefits.Create(1.5m)),
                TierDefinition.Create(TierId.From("vip"), "VIP", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(8_000)], TierBenefits.Create(2m)),
            ],
            new TierPolicy { Window = QualificationWindow.RollingMonths(12), Validity = StatusValidity.FixedMonths(12), TimeZone = Paris });
        candidate = new ProgrammeCandidate("bench", ruleSet)
        {
            Tiers = ladder,
            PendingPeriod = Duration.FromDays(14),
            Expiry = ExpiryPolicy.RollingMonths(12, ExpiryRounding.EndOfMonth),
            Rewards = RewardCatalog.Create([
                RewardDefinition.AmountOffVoucher(RewardId.From("v5"), "5 €", Points.FromInt64(500), Money.FromDecimal(5m, Currency.EUR)),
                RewardDefinition.AmountOffVoucher(RewardId.From("v20"), "20 €", Points.FromInt64(1_500), Money.FromDecimal(20m, Currency.EUR)),
            ]),
            Redemption = RedemptionBehaviour.BestAffordable(0.3),
        };

        var random = new Random(42);
        var start = new LocalDate(2025, 1, 1).AtStartOfDayInZone(Paris).ToInstant();
        var span = (new LocalDate(2027, 1, 1).AtStartOfDayInZone(Paris).ToInstant() - start).TotalTicks;
        string[] categories = ["shoes", "garden", "clothing", "books", "kitchen"];
        string[] channels = ["web", "app", "store"];
        orders = new EarningOrder[OrderCount];
        for (var i = 0; i < OrderCount; i++)
        {
            var lines = new OrderLine[random.Next(1, 6)];
            for (var j = 0; j < lines.Length; j++)
            {
                lines[j] = new OrderLine($"SKU-{random.Next(1_000)}", random.Next(1, 4), random.Next(200, 8_000) / 100m, categories: [categories[random.Next(categories.Length)]], brand: random.Next(8) == 0 ? "GreenCo" : "Other");
            }

            var at = start + Duration.FromTicks((long)(random.NextDouble() * span));
            orders[i] = new EarningOrder(OrderId.From("o" + i), MemberId.From("m" + random.Next(MemberCount)), at, Currency.EUR, lines, channel: channels[random.Next(channels.Length)]);
        }

        Array.Sort(orders, (a, b) => a.PlacedAt.CompareTo(b.PlacedAt));
        enrolments = orders.GroupBy(o => o.Member).ToDictionary(g => g.Key, g => g.First().PlacedAt);
    }

    [IterationSetup(Target = nameof(FacadeRecordOrder))]
    public void SetupFacade()
    {
        provider?.Dispose();
        clock = new Clock();
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddLoyalty(o =>
        {
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.FromDays(14);
            o.Ledger.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Months = 12, RoundUpTo = ExpiryRounding.EndOfMonth };
        }).UseInMemoryStores().UseTiers(candidate.Tiers);
        provider = services.BuildServiceProvider();
        program = provider.CreateScope().ServiceProvider.GetRequiredService<LoyaltyProgram>(); // in memory: one scope for the run
        program.PublishRuleSetAsync(candidate.RuleSets.Versions[0]).GetAwaiter().GetResult();
        foreach (var (member, at) in enrolments)
        {
            clock.Now = at;
            program.EnrolAsync(new Enrolment(member) { EnrolledAt = at }).GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true)]
    public async Task<long> FacadeRecordOrder()
    {
        long points = 0;
        foreach (var order in orders)
        {
            clock!.Now = order.PlacedAt;
            points += (await program!.RecordOrderAsync(order)).GetValueOrThrow().Points.Value;
        }

        return points;
    }

    [Benchmark]
    public async Task<long> Backtest() => Check(await RunBacktestAsync()).Issued;

    private Task<BacktestResult> RunBacktestAsync() =>
        ProgrammeBacktest.RunAsync(candidate, new BacktestInput { Orders = orders, Enrolments = enrolments }, new BacktestSettings(Currency.EUR, Paris, seed: 1));

    private static BacktestResult Check(BacktestResult result) =>
        result.Months.Count == 24 ? result : throw new InvalidOperationException($"Expected 24 months, got {result.Months.Count}.");

    /// <summary>
    /// A SHA-256 of everything a result holds (months, per-order points, balances and tiers in the
    /// dictionaries' own order, liability, breakage, returns), to show that a change of the replay
    /// leaves the result exactly as it was.
    /// </summary>
    public static string Fingerprint(BacktestResult result)
    {
        var text = new System.Text.StringBuilder();
        void Add(object? value) => text.Append(value switch
        {
            double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value?.ToString(),
        }).Append('|');
        foreach (var m in result.Months)
        {
            Add(m with { MembersPerTier = [] });
            foreach (var t in m.MembersPerTier)
            {
                Add(t);
            }
        }

        foreach (var (order, points) in result.OrderPoints)
        {
            Add(order);
            Add(points);
        }

        foreach (var (member, balance) in result.Balances)
        {
            Add(member);
            Add(balance);
        }

        foreach (var (member, tier) in result.MemberTiers)
        {
            Add(member);
            Add(tier);
        }

        var l = result.Liability;
        Add(l with { ByExpiry = new Dictionary<ExpiryBucket, LiabilityFigure>(), ByTier = new Dictionary<TierId, LiabilityFigure>(), ByMerchant = new Dictionary<MerchantId, LiabilityFigure>() });
        foreach (var p in l.ByExpiry)
        {
            Add(p);
        }

        foreach (var p in l.ByTier)
        {
            Add(p);
        }

        foreach (var p in l.ByMerchant)
        {
            Add(p);
        }

        var b = result.Breakage;
        Add(b.AsOf);
        Add(b.UltimateRedemptionRate);
        Add(b.StandardError);
        foreach (var r in b.RunOff)
        {
            Add(r);
        }

        foreach (var c in b.Cohorts)
        {
            Add(c with { RedeemedByAge = [] });
            Add(c.UltimateRedeemed);
            foreach (var r in c.RedeemedByAge)
            {
                Add(r);
            }
        }

        Add(result.Returns);
        Add(result.Returns.FrequencyBeforeEnrolment);
        Add(result.Returns.FrequencyAfterEnrolment);
        Add(result.Returns.Members.OrdersPerCustomerYear);
        Add(result.Returns.Members.ChurnRate);
        Add(result.Returns.NonMembers.OrdersPerCustomerYear);
        Add(result.Returns.NonMembers.ChurnRate);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>A Stopwatch console mode (no BenchmarkDotNet): generates the data at the given size and times one backtest.</summary>
    /// <param name="orderCount">The orders to generate.</param>
    /// <param name="memberCount">The members they are drawn from.</param>
    /// <param name="sampleAllocations">Also lists the types that allocate most per order.</param>
    /// <param name="latency">The collector's latency mode during the replay only (as a host could set it), or null to leave the process's.</param>
    /// <param name="gcPhases">Also splits the blocking collections' pauses into marking through the card table, other marking, and what follows marking.</param>
    public static async Task TimeAsync(int orderCount, int memberCount, bool sampleAllocations = false, System.Runtime.GCLatencyMode? latency = null, bool gcPhases = false)
    {
        var b = new BacktestBenchmarks { OrderCount = orderCount, MemberCount = memberCount };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        b.Setup();
        Console.WriteLine($"setup {watch.Elapsed.TotalSeconds:F1} s; collector: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, {(AppContext.GetData("System.GC.Concurrent") is false ? "no background collections" : "background collections")}, latency mode during the replay {latency ?? System.Runtime.GCSettings.LatencyMode}");
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var pause = GC.GetTotalPauseDuration();
        int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        watch.Restart();
        var sampler = sampleAllocations ? new AllocationSampler() : null;
        using var phases = gcPhases ? new GcPauseListener(phases: true) : null;
        var previousLatency = System.Runtime.GCSettings.LatencyMode;
        if (latency is { } mode)
        {
            System.Runtime.GCSettings.LatencyMode = mode;
        }

        BacktestResult result;
        try
        {
            result = Check(await b.RunBacktestAsync());
        }
        finally
        {
            System.Runtime.GCSettings.LatencyMode = previousLatency;
        }

        sampler?.Dispose();
        process.Refresh();
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        Console.WriteLine($"backtest {watch.Elapsed.TotalSeconds:F2} s wall, {(process.TotalProcessorTime - before).TotalSeconds:F2} s CPU, {bytes / 1_048_576d:F0} MB allocated ({bytes / (double)orderCount:F0} B per order), GC pauses {(GC.GetTotalPauseDuration() - pause).TotalSeconds:F2} s (gen0/1/2 collections {GC.CollectionCount(0) - collections[0]}/{GC.CollectionCount(1) - collections[1]}/{GC.CollectionCount(2) - collections[2]}), issued {result.Issued:N0}");
        if (phases is not null)
        {
            Thread.Sleep(1500); // the listener's events arrive a little after the collections
            Console.WriteLine($"phases of the {phases.PhaseSummary()}");
        }

        var heap = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"heap after the run (result and input alive) {heap / 1_048_576d:F0} MB, peak working set {process.PeakWorkingSet64 / 1_048_576d:F0} MB, result SHA-256 {Fingerprint(result)}");
        GC.KeepAlive(result);
        sampler?.Print(orderCount);
    }

    private sealed class Clock : IClock
    {
        public Instant Now { get; set; }

        public Instant GetCurrentInstant() => Now;
    }
}
