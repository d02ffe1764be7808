using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Tiers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// Orders per second through <see cref="LoyaltyProgram.RecordOrderAsync"/> on the EF Core stores on
/// PostgreSQL, 8 concurrent writers, each order in a DI scope of its own (one context, as a web shop's
/// request), under a three-tier ladder with a tier multiplier and a 4-rule rule set; each writer
/// records orders for its own 25 members in turn. The baseline in the same run is the bare ledger
/// earn of the same points through <see cref="PointsLedger"/> on the same stores (what every order
/// ends in), also one scope per earn. The shop's context is registered as the EF Core page
/// recommends for PostgreSQL: <c>AddDbContextPool</c>, and <c>Max Auto Prepare=32;No Reset On Close=true</c>
/// in the connection string (the console mode's <c>--plain</c> takes <c>AddDbContext</c> and the
/// default connection string). The cluster is a throwaway one started for the run, with
/// PostgreSQL's durable defaults (fsync and synchronous commit on). One operation is one order; the
/// Orders/s column is 1 / Mean. Sixty warm-up iterations (24,000 orders) come before the measured
/// ones whatever the job: on two busy cores the JIT's tiering takes about that long to settle (a shop's
/// long-running process is past it), and fewer measured code partly still at tier 0.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(60)]
[Config(typeof(OrdersPerSecondConfig))]
public class EfCoreProgramOrderBenchmarks
{
    private const int Writers = 8;
    private const int OrdersPerWriter = 50;
    private const int MembersPerWriter = 25;
    private const int Operations = Writers * OrdersPerWriter;

    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    private static readonly OrderLine[] Lines = [new OrderLine("SHOE-42", 1, 89.90m, categories: ["shoes"]), new OrderLine("SOCK", 3, 4.50m, categories: ["clothing"]), new OrderLine("CAP", 1, 19m, categories: ["clothing"])];

    private PostgresServer? server;
    private string connectionString = "";
    private ServiceProvider? provider;
    private TickingClock clock = null!;
    private int round;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        provider?.Dispose();
        server?.Dispose();
    }

    /// <summary>The baseline: a bare ledger earn of the points an order earns, one scope per earn.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public Task LedgerEarnOnly() => RunWritersAsync(async (services, member, id) =>
    {
        var result = await services.GetRequiredService<PointsLedger>().EarnAsync(new EarnPoints(TransactionId.From(id), member, Points.FromInt64(242)));
        return result.Succeeded ? null : result.ToString();
    });

    /// <summary>A new 3-line order through the programme: member read, evaluation, one transaction (order, member state, ledger).</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task RecordOrder() => RunWritersAsync(async (services, member, id) =>
    {
        var result = await services.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(new EarningOrder(OrderId.From(id), member, clock.GetCurrentInstant(), Currency.EUR, Lines));
        return result.Succeeded ? null : result.Error!.Message;
    });

    /// <summary>
    /// The same measurement outside BenchmarkDotNet, by Stopwatch (for a loaded machine, where a run of
    /// BenchmarkDotNet's iterations takes long): <paramref name="rounds"/> rounds of 8 writers × 50 orders,
    /// each round's orders per second printed, then the median, and the CPU time per order of this
    /// process (the client: programme, EF Core, Npgsql) and of the server's processes over the rounds,
    /// which a loaded machine changes much less than the rate. With <paramref name="statements"/> the
    /// server loads pg_stat_statements and the statements per order are listed (it costs the server some CPU).
    /// </summary>
    /// <param name="rounds">The rounds timed (after one warm-up round).</param>
    /// <param name="statements">Whether to list the server's statements per order.</param>
    /// <param name="plain">Whether the shop registers its context with <c>AddDbContext</c> and the default
    /// connection string instead of the recommended settings (<see cref="RecommendedSettings"/>, <c>AddDbContextPool</c>).</param>
    /// <param name="unixSocket">Whether the shop connects through the server's Unix-domain socket instead of TCP on the loopback.</param>
    /// <param name="fillFactor">When set, the fill factor the members table is given after it is created (100 is PostgreSQL's default: pages filled up).</param>
    /// <param name="sampleAllocations">Whether to list the types that allocate most per operation in the timed rounds (the runtime's allocation samples).</param>
    public static async Task TimeAsync(int rounds, bool statements = false, bool plain = false, bool unixSocket = false, int? fillFactor = null, bool sampleAllocations = false)
    {
        var b = new EfCoreProgramOrderBenchmarks();
        await b.SetupAsync(statements, plain, unixSocket, fillFactor);
        Console.WriteLine((plain
            ? "Shop's context: AddDbContext, default connection string"
            : $"Shop's context: AddDbContextPool, connection string with {RecommendedSettings}")
            + (unixSocket ? ", through the Unix-domain socket" : ", through TCP on the loopback"));
        try
        {
            foreach (var (name, run) in new (string, Func<Task>)[] { ("RecordOrder", b.RecordOrder), ("LedgerEarnOnly", b.LedgerEarnOnly) })
            {
                // Warm-up until the JIT has settled, as in a shop's process that has run for a while: on two
                // busy cores the tiered compiler puts off optimising while new methods keep being compiled, so
                // a fixed couple of rounds measured code still at tier 0 (about twice the client's CPU per order).
                // Rounds go on until one compiles fewer than 10 methods (at most 60 rounds); what is left is
                // reported apart (the background compiler thread's CPU).
                var warmUps = await WarmUpAsync(run);
                Console.WriteLine($"{name,-15} warm-up: {warmUps.Rounds} rounds, {warmUps.Methods:N0} methods compiled, {warmUps.LastRound} in the last round");
                if (statements)
                {
                    await b.ExecuteAsync("SELECT pg_stat_statements_reset()");
                    await b.ExecuteAsync("SELECT pg_stat_reset()");
                }

                var rates = new List<double>();
                var allocatedBefore = GC.GetTotalAllocatedBytes();
                using var sampler = sampleAllocations ? new AllocationSampler() : null;
                var process = System.Diagnostics.Process.GetCurrentProcess();
                process.Refresh();
                var clientBefore = process.TotalProcessorTime;
                var jitBefore = BackgroundJitTime();
                var serverBefore = b.server!.CpuTime();
                var walBefore = await b.WalPositionAsync();
                var elapsed = TimeSpan.Zero;
                for (var r = 0; r < rounds; r++)
                {
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    await run();
                    elapsed += watch.Elapsed;
                    rates.Add(Operations / watch.Elapsed.TotalSeconds);
                    Console.WriteLine($"{name,-15} round {r + 1}: {rates[^1],8:N0} /s");
                }

                var allocated = (GC.GetTotalAllocatedBytes() - allocatedBefore) / (double)(rounds * Operations);
                var wal = (await b.WalPositionAsync() - walBefore) / (double)(rounds * Operations);
                process.Refresh();
                var jit = (BackgroundJitTime() - jitBefore).TotalMilliseconds / (rounds * Operations);
                var client = (process.TotalProcessorTime - clientBefore).TotalMilliseconds / (rounds * Operations) - jit;
                var server = b.server.CpuTime() - serverBefore is { } used ? used.TotalMilliseconds / (rounds * Operations) : double.NaN;
                rates.Sort();
                Console.WriteLine($"{name,-15} median of {rounds}: {rates[rates.Count / 2],8:N0} /s (min {rates[0]:N0}, max {rates[^1]:N0}), 8 writers × {OrdersPerWriter} per round");
                Console.WriteLine($"{name,-15} CPU per operation: client {client:N2} ms, server {server:N2} ms, total {client + server:N2} ms; background JIT apart {jit:N2} ms (wall {elapsed.TotalMilliseconds / (rounds * Operations):N2} ms per operation; {Environment.ProcessorCount} cores); WAL {wal:N0} bytes per operation; allocated {allocated:N0} bytes per operation (the process)");
                sampler?.Print(rounds * Operations);
                if (statements)
                {
                    await b.PrintStatementsAsync(name, rounds * Operations);
                }
            }
        }
        finally
        {
            b.Cleanup();
        }
    }

    /// <summary>Runs <paramref name="run"/> until a round compiles fewer than 10 methods (tiering done), at least 2 and at most 60 rounds.</summary>
    private static async Task<(int Rounds, long Methods, long LastRound)> WarmUpAsync(Func<Task> run)
    {
        var start = System.Runtime.JitInfo.GetCompiledMethodCount();
        var before = start;
        for (var round = 1; ; round++)
        {
            await run();
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if ((round >= 2 && now - before < 10) || round == 60)
            {
                return (round, now - start, now - before);
            }

            before = now;
        }
    }

    /// <summary>The CPU time of this process's background JIT thread (tiered compilation), from <c>/proc</c>; zero elsewhere.</summary>
    private static TimeSpan BackgroundJitTime()
    {
        long ticks = 0;
        if (Directory.Exists("/proc/self/task"))
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered Com", StringComparison.Ordinal))
                    {
                        var stat = File.ReadAllText(Path.Combine(task, "stat"));
                        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                        ticks += long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
                catch (IOException)
                {
                    // The thread ended meanwhile.
                }
            }
        }

        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The server's current write-ahead log position, in bytes: what it logged between two readings is their difference.</summary>
    private async Task<long> WalPositionAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The statements the server ran per operation since the last reset, most frequent first.</summary>
    private async Task PrintStatementsAsync(string name, int operations)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT calls, total_exec_time, regexp_replace(left(query, 110), '\\s+', ' ', 'g') FROM pg_stat_statements "
            + "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT LIKE '%pg_stat_statements%' ORDER BY calls DESC, query",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        double calls = 0, time = 0;
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            calls += reader.GetInt64(0);
            time += reader.GetDouble(1);
            lines.Add($"  {reader.GetInt64(0) / (double)operations,6:N2} × {reader.GetDouble(1) * 1000 / reader.GetInt64(0),8:N0} µs  {reader.GetString(2)}");
        }

        Console.WriteLine($"{name,-15} statements per operation: {calls / operations:N2} ({time * 1000 / operations:N0} µs of execution per operation)");
        foreach (var line in lines.Take(25))
        {
            Console.WriteLine(line);
        }

        await reader.DisposeAsync();
        await using var sizes = new Npgsql.NpgsqlCommand(
            "SELECT avg(length(evaluation))::bigint, avg(pg_column_size(evaluation))::bigint, avg(pg_column_size(m.*))::bigint FROM loyalty_members m", connection);
        await using var size = await sizes.ExecuteReaderAsync();
        await size.ReadAsync();
        Console.WriteLine($"{name,-15} member rows: evaluation state {size.GetInt64(0):N0} characters ({size.GetInt64(1):N0} bytes stored), whole row {size.GetInt64(2):N0} bytes");
        await size.DisposeAsync();

        // The updated tables: how many of their row updates were heap-only (HOT: no index written). The
        // shop's pooled connections are closed first, as a server process hands its counts on when it ends
        // (so counts from the warm-up rounds handed on after the reset are in them too: a share, not a rate).
        Npgsql.NpgsqlConnection.ClearAllPools();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await using var hot = new Npgsql.NpgsqlCommand(
            "SELECT s.relname, s.n_tup_upd, s.n_tup_hot_upd, pg_relation_size(s.relid) / 8192, "
            + "coalesce((SELECT option_value FROM pg_options_to_table(c.reloptions) WHERE option_name = 'fillfactor'), '100') "
            + "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.n_tup_upd > 0 ORDER BY s.n_tup_upd DESC",
            connection);
        await using var tables = await hot.ExecuteReaderAsync();
        while (await tables.ReadAsync())
        {
            Console.WriteLine($"{name,-15} updates of {tables.GetString(0),-28} {tables.GetInt64(1),7:N0}, {(tables.GetInt64(1) == 0 ? 0 : 100.0 * tables.GetInt64(2) / tables.GetInt64(1)),5:N1} % HOT ({tables.GetInt64(3):N0} pages, fill factor {tables.GetString(4)})");
        }
    }

    /// <summary>The connection string settings the EF Core page recommends for the stores on PostgreSQL.</summary>
    private const string RecommendedSettings = "Max Auto Prepare=32;No Reset On Close=true";

    /// <summary><paramref name="connectionString"/> with the recommended settings added.</summary>
    private static string RecommendedConnectionString(string connectionString) => connectionString + ";" + RecommendedSettings;

    private Task SetupAsync() => SetupAsync(statements: false, plain: false, unixSocket: false, fillFactor: null);

    private async Task SetupAsync(bool statements, bool plain, bool unixSocket, int? fillFactor)
    {
        server = PostgresServer.Start(durable: true, statements ? ["shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track=all"] : []);
        connectionString = server.CreateDatabase("orders");
        var shopConnectionString = plain ? connectionString : RecommendedConnectionString(connectionString);
        if (unixSocket)
        {
            shopConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(shopConnectionString) { Host = server.SocketDirectory }.ConnectionString;
        }

        var start = new LocalDateTime(2026, 3, 2, 10, 0).InZoneLeniently(Paris).ToInstant();
        clock = new TickingClock(start);
        var ladder = TierLadder.Create(
            [
                TierDefinition.Entry(TierId.From("bronze"), "Bronze"),
                TierDefinition.Create(TierId.From("silver"), "Silver", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(5_000)], TierBenefits.Create(1.25m)),
                TierDefinition.Create(TierId.From("gold"), "Gold", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(50_000)], TierBenefits.Create(1.5m)),
            ],
            new TierPolicy { Window = QualificationWindow.RollingMonths(12), TimeZone = Paris });
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        if (plain)
        {
            services.AddDbContext<OrdersContext>(o => o.UseNpgsql(shopConnectionString));
        }
        else
        {
            services.AddDbContextPool<OrdersContext>(o => o.UseNpgsql(shopConnectionString));
        }

        services.AddLoyalty(o =>
        {
            o.ProgramId = "bench";
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.FromDays(14);
        })
        .UseEntityFrameworkCore<OrdersContext>()
        .UseTiers(ladder);
        provider = services.BuildServiceProvider();
        await using (var scope = provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<OrdersContext>().Database.EnsureCreatedAsync();
            if (statements)
            {
                await ExecuteAsync("CREATE EXTENSION pg_stat_statements");
            }

            if (fillFactor is { } percent)
            {
                await ExecuteAsync($"ALTER TABLE loyalty_members SET (fillfactor = {percent})");
            }

            await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().PublishRuleSetAsync(new EarningRuleSetBuilder("v1", start - Duration.FromDays(1), Currency.EUR, "Europe/Paris")
                .EarnPerUnit("base", 1m)
                .Multiply("shoes", "base", 2m, LineSelector.ForCategories("shoes"))
                .TierMultiplier("tier", "base")
                .ThresholdBonus("basket-100", 100m, 50)
                .Build());
        }

        for (var w = 0; w < Writers; w++)
        {
            for (var m = 0; m < MembersPerWriter; m++)
            {
                await using var scope = provider.CreateAsyncScope();
                (await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().EnrolAsync(new Enrolment(Member(w, m)))).GetValueOrThrow();
            }
        }
    }

    private static MemberId Member(int writer, int index) => MemberId.From($"w{writer}-m{index}");

    /// <summary>8 writers at once, each its orders one after the other, each in its own scope; a failed call fails the run.</summary>
    private Task RunWritersAsync(Func<IServiceProvider, MemberId, string, Task<string?>> call)
    {
        var r = Interlocked.Increment(ref round);
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < OrdersPerWriter; i++)
            {
                await using var scope = provider!.CreateAsyncScope();
                var id = $"r{r}-w{w}-{i}";
                if (await call(scope.ServiceProvider, Member(w, i % MembersPerWriter), id) is { } failure)
                {
                    throw new InvalidOperationException($"Call {id} failed: {failure}");
                }
            }
        })));
    }

    /// <summary>A clock a millisecond later at every read, so orders are placed one after the other.</summary>
    private sealed class TickingClock(Instant start) : IClock
    {
        private long ticks;

        public Instant GetCurrentInstant() => start + Duration.FromMilliseconds(Interlocked.Increment(ref ticks));
    }

    /// <summary>A shop's context holding only the loyalty model.</summary>
    private sealed class OrdersContext(DbContextOptions<OrdersContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyLoyaltyModel();
    }

    private sealed class OrdersPerSecondConfig : ManualConfig
    {
        public OrdersPerSecondConfig() => AddColumn(new PerSecondColumn("Orders/s", "Orders (or earns) per second with 8 concurrent writers (1 s / Mean)"));
    }
}
