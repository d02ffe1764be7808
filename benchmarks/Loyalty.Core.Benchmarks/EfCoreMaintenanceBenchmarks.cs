using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// The night one year after every member's last order, on PostgreSQL through EF Core (a
/// throwaway cluster with PostgreSQL's durable defaults): every member's points expire, Silver and
/// Gold members drop at the end of their status, every member is re-evaluated and written back.
/// <list type="bullet">
/// <item>the baseline: one worker runs the whole programme, in pages of 500;</item>
/// <item>two workers, each in its own scope (context, connection), run partitions 0/2 and 1/2 at the same time.</item>
/// </list>
/// Each iteration starts from a copy of a seeded database (<c>CREATE DATABASE … TEMPLATE</c>, not
/// measured). The seed is three template members (one order each: 120 €, 600 € and 950 €, so Bronze,
/// Silver and Gold), written through the stores, cloned in SQL for every member, with each member's
/// partition key computed in C# and sent with binary COPY.
/// A macro benchmark, run in process with one night per iteration:
/// <c>--filter '*EfCoreMaintenanceBenchmarks*' --inProcess --strategy Monitoring --launchCount 1 --warmupCount 0 --iterationCount 1</c>.
/// </summary>
[MemoryDiagnoser]
public class EfCoreMaintenanceBenchmarks
{
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    private static readonly Instant Enrolled = new LocalDateTime(2026, 3, 2, 10, 0).InZoneLeniently(Paris).ToInstant();
    private static readonly Instant YearLater = Enrolled + Duration.FromDays(400);
    private static readonly decimal[] TemplateAmounts = [120m, 600m, 950m];

    private PostgresServer? server;
    private string seedDatabase = "";
    private string? iterationDatabase;
    private ServiceProvider? provider;
    private int iteration;

    [Params(100_000)]
    public int Members { get; set; }

    [GlobalSetup]
    public void Seed()
    {
        NightClock.Seeded = false;
        server = PostgresServer.Start(durable: true);
        var connectionString = server.CreateDatabase("seed");
        seedDatabase = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        using (var services = Services(connectionString))
        {
            using (var scope = services.CreateScope())
            {
                scope.ServiceProvider.GetRequiredService<MaintenanceContext>().Database.EnsureCreated();
            }

            WriteTemplates(services);
        }

        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        Execute(connection, "CREATE TABLE bench_keys (n integer NOT NULL, member_id text NOT NULL, partition_key bigint NOT NULL, template integer NOT NULL)");
        using (var copy = connection.BeginBinaryImport("COPY bench_keys (n, member_id, partition_key, template) FROM STDIN (FORMAT BINARY)"))
        {
            for (var n = 0; n < Members; n++)
            {
                var member = "m" + n.ToString("D7", CultureInfo.InvariantCulture);
                copy.StartRow();
                copy.Write(n, NpgsqlDbType.Integer);
                copy.Write(member, NpgsqlDbType.Text);
                copy.Write((long)MemberPartition.KeyOf(MemberId.From(member)), NpgsqlDbType.Bigint);
                copy.Write(n % TemplateAmounts.Length, NpgsqlDbType.Integer);
            }

            copy.Complete();
        }

        // The clones are consistent with each other; the foreign keys are not checked while they are written.
        Execute(connection, "SET session_replication_role = replica");
        var tables = Query(connection, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'loyalty_%' AND table_name <> 'loyalty_rule_sets' ORDER BY table_name");
        foreach (var table in tables)
        {
            var columns = Query(connection, $"SELECT column_name || ':' || data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{table}' ORDER BY ordinal_position");
            for (var t = 0; t < TemplateAmounts.Length; t++)
            {
                var names = new StringBuilder();
                var values = new StringBuilder();
                foreach (var column in columns)
                {
                    var (name, type) = (column[..column.IndexOf(':', StringComparison.Ordinal)], column[(column.IndexOf(':', StringComparison.Ordinal) + 1)..]);
                    names.Append(names.Length == 0 ? "" : ", ").Append(name);
                    values.Append(values.Length == 0 ? "" : ", ").Append(name switch
                    {
                        "partition_key" => "k.partition_key",
                        "referral_code" => "'REF-' || lpad(k.n::text, 7, '0')",
                        _ when type is "text" or "character varying" => $"replace(replace(t.{name}, 'tmpl{t}-order', 'o' || k.n), 'tmpl{t}-member', k.member_id)",
                        _ => "t." + name,
                    });
                }

                Execute(connection, $"INSERT INTO {table} ({names}) SELECT {values} FROM {table} t CROSS JOIN bench_keys k WHERE k.template = {t} AND t::text LIKE '%tmpl{t}-%'");
            }

            Execute(connection, $"DELETE FROM {table} t WHERE t::text LIKE '%tmpl_-%'");
        }

        Execute(connection, "SET session_replication_role = origin");
        Execute(connection, "DROP TABLE bench_keys");
        Execute(connection, "VACUUM ANALYZE");
        Execute(connection, "CHECKPOINT");
        var members = (long)new NpgsqlCommand("SELECT count(*) FROM loyalty_members", connection).ExecuteScalar()!;
        var lots = (long)new NpgsqlCommand("SELECT count(*) FROM loyalty_ledger_lots", connection).ExecuteScalar()!;
        if (members != Members || lots != Members)
        {
            throw new InvalidOperationException($"The seed has {members} members and {lots} lots; expected {Members} of each.");
        }

        connection.Close();
        NpgsqlConnection.ClearAllPools();
        NightClock.Seeded = true;
    }

    [IterationSetup]
    public void CopySeed()
    {
        provider?.Dispose();
        NpgsqlConnection.ClearAllPools();
        using var admin = new NpgsqlConnection(server!.AdminConnectionString);
        admin.Open();
        if (iterationDatabase is not null)
        {
            Execute(admin, $"DROP DATABASE \"{iterationDatabase}\"");
        }

        iterationDatabase = $"night_{++iteration}";
        Execute(admin, $"CREATE DATABASE \"{iterationDatabase}\" TEMPLATE \"{seedDatabase}\" STRATEGY FILE_COPY");
        provider = Services(server.ConnectionString(iterationDatabase));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        provider?.Dispose();
        server?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> OneWorker()
    {
        using var scope = provider!.CreateScope();
        var report = await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RunMaintenanceAsync(YearLater);
        return Check(report.MembersExamined);
    }

    [Benchmark]
    public async Task<int> TwoWorkersInParallel()
    {
        var workers = Enumerable.Range(0, 2).Select(i => Task.Run(async () =>
        {
            using var scope = provider!.CreateScope();
            var report = await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RunMaintenanceAsync(YearLater, MaintenanceScope.ForPartition(i, 2), null, CancellationToken.None);
            return report.MembersExamined;
        }));
        return Check((await Task.WhenAll(workers)).Sum());
    }

    /// <summary>
    /// A Stopwatch console mode (no BenchmarkDotNet): seeds a throwaway PostgreSQL cluster with
    /// <paramref name="members"/> members, then times one worker over the whole programme and two
    /// partitions in parallel, each on a fresh copy of the seed, printing the progress every 20 pages,
    /// the wall and process CPU time of each night and the load average.
    /// </summary>
    public static async Task TimeNightsAsync(int members)
    {
        var bench = new EfCoreMaintenanceBenchmarks { Members = members };
        static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";
        var process = System.Diagnostics.Process.GetCurrentProcess();
        Console.WriteLine($"Maintenance a year later on PostgreSQL (EF Core), {members:N0} members; {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        bench.Seed();
        Console.WriteLine($"seed: {watch.Elapsed.TotalSeconds:F1} s; load {Load()}");
        try
        {
            foreach (var (name, run) in new (string, Func<IProgress<MaintenanceProgress>, Task<int>>)[]
            {
                ("one worker", p => bench.Night(1, p)),
                ("two partitions in parallel", p => bench.Night(2, p)),
            })
            {
                bench.CopySeed();
                var load = Load();
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                watch.Restart();
                var progress = new Progress(watch);
                var examined = await run(progress);
                watch.Stop();
                process.Refresh();
                Console.WriteLine($"{name}: {watch.Elapsed.TotalSeconds:F1} s wall ({watch.Elapsed.TotalMicroseconds / members:F0} µs/member), {(process.TotalProcessorTime - cpu).TotalSeconds:F1} s CPU of this process (PostgreSQL not counted), {examined:N0} examined; load before {load}, after {Load()}");
            }
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private async Task<int> Night(int workers, IProgress<MaintenanceProgress> progress)
    {
        var tasks = Enumerable.Range(0, workers).Select(i => Task.Run(async () =>
        {
            using var scope = provider!.CreateScope();
            var report = await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RunMaintenanceAsync(YearLater, MaintenanceScope.ForPartition(i, workers), progress, CancellationToken.None);
            return report.MembersExamined;
        }));
        return Check((await Task.WhenAll(tasks)).Sum());
    }

    /// <summary>Prints every 20th page of each partition with the elapsed time.</summary>
    private sealed class Progress(System.Diagnostics.Stopwatch watch) : IProgress<MaintenanceProgress>
    {
        public void Report(MaintenanceProgress value)
        {
            if (value.Page % 20 == 0)
            {
                Console.WriteLine($"  {watch.Elapsed.TotalSeconds,6:F1} s: partition {value.Partition}, page {value.Page}, {value.MembersExamined:N0} members");
            }
        }
    }

    private int Check(int examined) => examined == Members
        ? examined
        : throw new InvalidOperationException($"The night examined {examined} members of {Members}.");

    private static void WriteTemplates(ServiceProvider services)
    {
        using var scope = services.CreateScope();
        var sp = scope.ServiceProvider;
        var program = sp.GetRequiredService<LoyaltyProgram>();
        var rules = new EarningRuleSetBuilder("v1", Enrolled - Duration.FromDays(30), Currency.EUR, "Europe/Paris").EarnPerUnit("base", 1m).Build();
        program.PublishRuleSetAsync(rules).GetAwaiter().GetResult();
        var members = sp.GetRequiredService<IMemberStore>();
        var ledger = sp.GetRequiredService<PointsLedger>();
        for (var t = 0; t < TemplateAmounts.Length; t++)
        {
            var memberId = MemberId.From($"tmpl{t}-member");
            members.AddMemberAsync(new MemberRecord { ProgramId = ProgramId.From("club"), MemberId = memberId, EnrolledAt = Enrolled, ReferralCode = ReferralCode.From("TMPL" + t) }).GetAwaiter().GetResult();
            var order = new EarningOrder(OrderId.From($"tmpl{t}-order"), memberId, Enrolled, Currency.EUR, [new OrderLine("SKU", 1, TemplateAmounts[t])]);
            var earning = EarningEngine.Instance.Evaluate(rules, order, MemberContext.Default, EarningUsage.Empty);
            var record = new OrderRecord
            {
                ProgramId = ProgramId.From("club"),
                MemberId = memberId,
                OrderId = order.Id,
                Fingerprint = "f",
                Order = order,
                Earning = earning,
                TransactionId = TransactionId.From($"order:tmpl{t}-order"),
                RecordedAt = Enrolled,
            };
            members.AddOrderAsync(record, 0).GetAwaiter().GetResult();
            var earned = ledger.EarnAsync(new EarnPoints(record.TransactionId, memberId, earning.Total)).GetAwaiter().GetResult();
            if (!earned.Succeeded)
            {
                throw new InvalidOperationException(earned.Error?.Message);
            }
        }
    }

    private static ServiceProvider Services(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new NightClock());
        services.AddDbContext<MaintenanceContext>(o => o.UseNpgsql(connectionString));
        services.AddLoyalty(o =>
        {
            o.ProgramId = "club";
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.FromDays(14);
            o.Ledger.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Months = 12 };
        })
        .UseEntityFrameworkCore<MaintenanceContext>()
        .UseTiers(MaintenanceBenchmarks.Shop.Ladder);
        return services.BuildServiceProvider();
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        command.ExecuteNonQuery();
    }

    private static List<string> Query(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    /// <summary>Reads the enrolment instant while the seed is written, a year later once it is.</summary>
    private sealed class NightClock : IClock
    {
        public static bool Seeded { get; set; }

        public Instant GetCurrentInstant() => Seeded ? YearLater : Enrolled;
    }

    private sealed class MaintenanceContext(DbContextOptions<MaintenanceContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyLoyaltyModel();
    }
}
