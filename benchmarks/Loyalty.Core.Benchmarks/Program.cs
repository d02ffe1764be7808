using BenchmarkDotNet.Running;
using Loyalty.Core.Benchmarks;

// Generate the 10,000,000-line orders CSV only (for timing the loyalty tool end to end):
//               dotnet run -c Release --project benchmarks/Loyalty.Core.Benchmarks -- --generate-orders-csv
if (args is ["--generate-orders-csv"])
{
    OrdersCsvBenchmarks.Generate(OrdersCsvBenchmarks.FilePath);
    Console.WriteLine(OrdersCsvBenchmarks.FilePath);
    return;
}

// Time one backtest without BenchmarkDotNet (profiling):
//               dotnet run -c Release --project benchmarks/Loyalty.Core.Benchmarks -- --time-backtest 1000000 100000 [--sample-allocations] [--gc-phases] [--gc-latency Batch|Interactive|LowLatency|SustainedLowLatency]
// (--sample-allocations also lists the types that allocate most per order; listening costs time;
// --gc-latency sets GCSettings.LatencyMode for the replay only, as a host could; the collector itself is the
// process's: DOTNET_gcServer=1 for the server collector, DOTNET_gcConcurrent=0 for no background collections)
if (args is ["--time-backtest", var orderCount, var memberCount, ..])
{
    var latency = Array.IndexOf(args, "--gc-latency") is var l and > 0 && l + 1 < args.Length
        ? Enum.Parse<System.Runtime.GCLatencyMode>(args[l + 1])
        : (System.Runtime.GCLatencyMode?)null;
    await BacktestBenchmarks.TimeAsync(int.Parse(orderCount, System.Globalization.CultureInfo.InvariantCulture), int.Parse(memberCount, System.Globalization.CultureInfo.InvariantCulture), args.Contains("--sample-allocations"), latency, args.Contains("--gc-phases"));
    return;
}

// Time whole in-memory nights with a Stopwatch, outside BenchmarkDotNet (a night is one long operation; the
// figures in results/MaintenanceNight-console.md were taken this way):
//               dotnet run -c Release --project benchmarks/Loyalty.Core.Benchmarks -- --maintenance-night 1000000 [runs] [workers] [--sample-allocations] [--gc-phases]
// (workers: 1 = one call over the whole programme; 2 = partitions 0/2 and 1/2 in parallel, as two workers would run them;
// --sample-allocations also lists the types that allocate most per member during the night;
// --gc-phases splits the collections' pauses: marking through the card table, other marking, after marking)
if (args is ["--maintenance-night", var members, ..] && int.TryParse(members, out var count))
{
    var numbers = args[2..].Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
    await MaintenanceBenchmarks.TimeNightsAsync(
        count,
        numbers.Length > 0 ? int.Parse(numbers[0], System.Globalization.CultureInfo.InvariantCulture) : 3,
        numbers.Length > 1 ? int.Parse(numbers[1], System.Globalization.CultureInfo.InvariantCulture) : 1,
        args.Contains("--sample-allocations"),
        args.Contains("--gc-phases"));
    return;
}

// Time the PostgreSQL night (a throwaway cluster, seeded; one worker, then two partitions in parallel):
//               dotnet run -c Release --project benchmarks/Loyalty.Core.Benchmarks -- --pg-maintenance-night 100000
if (args is ["--pg-maintenance-night", var pgMembers])
{
    await EfCoreMaintenanceBenchmarks.TimeNightsAsync(int.Parse(pgMembers, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

// Profile the order path by Stopwatch (time, CPU and bytes per call at 0 and 1,000 prior orders;
// --sample-allocations also lists the types that allocate most and what the collections promote;
// --gc-phases splits the collections' pauses: marking through the card table, other marking, after marking):
//               dotnet run -c Release --project benchmarks/Loyalty.Core.Benchmarks -- --profile-order-path 20000 [prior orders...] [--sample-allocations] [--gc-phases]
if (args is ["--profile-order-path", var calls, ..])
{
    var rest = args[2..].Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
    var priors = rest.Length > 0 ? rest.Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToArray() : [0, 1_000];
    await ProgramHistoryBenchmarks.ProfileAsync(int.Parse(calls, System.Globalization.CultureInfo.InvariantCulture), priors, args.Contains("--sample-allocations"), args.Contains("--gc-phases"));
    return;
}

// Orders per second through RecordOrderAsync on PostgreSQL (a throwaway cluster), 8 writers, by Stopwatch:
// (also prints the CPU time per order of the client and of the server; --statements lists the server's statements per order):
// (the shop's context pooled, with the recommended connection string; --plain: AddDbContext and the default connection string):
// (--unix-socket: the shop connects through the server's Unix-domain socket instead of TCP on the loopback):
// (--fill-factor N: the members table's pages filled to N % instead of PostgreSQL's default 100):
//               dotnet run -c Release --project benchmarks/Loyalty.Core.Benchmarks -- --pg-writers [rounds] [--statements] [--plain] [--unix-socket] [--fill-factor N] [--sample-allocations]
if (args is ["--pg-writers", ..])
{
    var fill = Array.IndexOf(args, "--fill-factor");
    int? fillFactor = null;
    if (fill > 0)
    {
        if (fill + 1 >= args.Length || !int.TryParse(args[fill + 1], System.Globalization.CultureInfo.InvariantCulture, out var percent) || percent is < 10 or > 100)
        {
            Console.Error.WriteLine("--fill-factor takes a percentage from 10 to 100 (PostgreSQL's range), for example --fill-factor 70.");
            Environment.ExitCode = 2;
            return;
        }

        fillFactor = percent;
    }

    var rest = args[1..].Where((a, i) => a is not "--statements" and not "--plain" and not "--unix-socket" and not "--fill-factor" and not "--sample-allocations" && (fill < 0 || i != fill)).ToArray();
    await EfCoreProgramOrderBenchmarks.TimeAsync(rest.Length > 0 ? int.Parse(rest[0], System.Globalization.CultureInfo.InvariantCulture) : 5, args.Contains("--statements"), args.Contains("--plain"), args.Contains("--unix-socket"), fillFactor, args.Contains("--sample-allocations"));
    return;
}

// Run all:      dotnet run -c Release --project benchmarks/Loyalty.Core.Benchmarks -- --filter '*'
// Run one class: dotnet run -c Release --project benchmarks/Loyalty.Core.Benchmarks -- --filter '*Primitives*'
BenchmarkSwitcher.FromAssembly(typeof(OrdersCsvBenchmarks).Assembly).Run(args);
