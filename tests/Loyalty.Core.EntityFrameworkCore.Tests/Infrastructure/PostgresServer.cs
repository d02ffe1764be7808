using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster: <c>initdb</c> into a temporary folder, <c>pg_ctl start</c> on a
/// free loopback port, and everything stopped and deleted on dispose. When the process runs as
/// root, the server commands run as the <c>postgres</c> user (PostgreSQL refuses root).
/// </summary>
public sealed class PostgresServer : IDisposable
{
    /// <summary>Set to 1 (as CI does) to make a missing PostgreSQL a failure instead of a skip.</summary>
    public const string RequireVariable = "LOYALTY_REQUIRE_POSTGRES";

    /// <summary>Optional: the folder holding initdb and pg_ctl, when pg_config is not on the PATH.</summary>
    public const string BinDirVariable = "LOYALTY_PG_BINDIR";

    private const string SuperUser = "loyalty";
    private static readonly Lazy<string?> BinDirectory = new(FindBinDirectory);
    private static readonly Lazy<int> ClockTicksPerSecond = new(() =>
    {
        try
        {
            var start = new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit(10_000);
            return int.TryParse(output, out var hz) && hz > 0 ? hz : 100;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 100; // Linux's USER_HZ everywhere in practice
        }
    });

    private readonly string root;
    private readonly string dataDirectory;
    private readonly bool asPostgresUser;
    private string serverOptions = "";
    private int databaseCounter;

    private PostgresServer(string root, string dataDirectory, int port, bool asPostgresUser)
    {
        this.root = root;
        this.dataDirectory = dataDirectory;
        this.asPostgresUser = asPostgresUser;
        Port = port;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>Whether CI demands the PostgreSQL tests run.</summary>
    public static bool IsRequired => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>The folder with initdb and pg_ctl, or null when PostgreSQL is not installed.</summary>
    public static string? BinDir => BinDirectory.Value;

    /// <summary>Why PostgreSQL tests are skipped here, or null when they run.</summary>
    public static string? SkipReason =>
        BinDir is not null || IsRequired
            ? null
            : $"PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL (e.g. apt-get install postgresql) or set {BinDirVariable}; set {RequireVariable}=1 to make this a failure.";

    /// <summary>The folder holding the server's Unix-domain socket (a host name for Npgsql: a client on the same machine can connect without TCP).</summary>
    public string SocketDirectory => root;

    /// <summary>A connection string to the maintenance database.</summary>
    public string AdminConnectionString => ConnectionString("postgres");

    /// <summary>Starts a new cluster: by default tuned for tests (no fsync); <paramref name="durable"/>
    /// keeps PostgreSQL's production defaults (fsync, synchronous commit), as benchmarks need.</summary>
    public static PostgresServer Start() => Start(durable: false);

    /// <inheritdoc cref="Start()"/>
    public static PostgresServer Start(bool durable) => Start(durable, []);

    /// <summary>Starts a new cluster as <see cref="Start(bool)"/> does, with server settings added
    /// (<c>name=value</c>, each passed as <c>-c name=value</c>, e.g. <c>shared_preload_libraries=pg_stat_statements</c>).</summary>
    public static PostgresServer Start(bool durable, IReadOnlyList<string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var bin = BinDir ?? throw new InvalidOperationException(
            $"{RequireVariable}=1 but no PostgreSQL server binaries were found: install PostgreSQL (apt-get install postgresql) or set {BinDirVariable} to the folder holding initdb and pg_ctl.");
        var asPostgres = Environment.UserName == "root";
        var root = Path.Combine(Path.GetTempPath(), "loyalty-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(root);
        if (asPostgres)
        {
            Run("chown", ["-R", "postgres:postgres", root], asPostgresUser: false);
        }

        var port = FreePort();
        var server = new PostgresServer(root, data, port, asPostgres);
        try
        {
            server.Pg(Path.Combine(bin, "initdb"), ["-D", data, "-U", SuperUser, "-A", "trust", "-E", "UTF8", "--no-locale", .. (durable ? Array.Empty<string>() : ["--no-sync"])]);
            var serverOptions = $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=400"
                + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off")
                + string.Concat(settings.Select(setting => " -c " + setting));
            server.serverOptions = serverOptions;
            server.StartAgain();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Stops the server (<c>pg_ctl stop</c>, by default in fast mode: open sessions are ended with
    /// <c>57P01</c>, as an administrator's restart does); <see cref="StartAgain"/> brings it back.</summary>
    public void Stop(string mode = "fast")
        => Pg(Path.Combine(BinDir!, "pg_ctl"), ["-D", dataDirectory, "-m", mode, "-w", "-t", "60", "stop"]);

    /// <summary>Starts the (stopped) server again on the same port and data.</summary>
    public void StartAgain()
        => Pg(Path.Combine(BinDir!, "pg_ctl"), ["-D", dataDirectory, "-l", Path.Combine(root, "server.log"), "-o", serverOptions, "-w", "-t", "60", "start"]);

    /// <summary>
    /// The CPU time the server has used so far: the postmaster's own, its finished children's (as the
    /// kernel accounts them to it) and its running children's (backends, WAL writer, checkpointer…),
    /// from <c>/proc</c>; null where there is no <c>/proc</c>.
    /// </summary>
    public TimeSpan? CpuTime()
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists("/proc/self/stat") || !File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).First(), out var postmaster))
        {
            return null;
        }

        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || ProcStat(pid) is not { } stat)
            {
                continue;
            }

            // Fields after the command's closing parenthesis: [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime.
            if (pid == postmaster)
            {
                ticks += long.Parse(stat[11]) + long.Parse(stat[12]) + long.Parse(stat[13]) + long.Parse(stat[14]);
            }
            else if (int.Parse(stat[1]) == postmaster)
            {
                ticks += long.Parse(stat[11]) + long.Parse(stat[12]);
            }
        }

        return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond.Value);

        static string[]? ProcStat(int pid)
        {
            try
            {
                var text = File.ReadAllText($"/proc/{pid}/stat");
                return text[(text.LastIndexOf(')') + 2)..].Split(' ');
            }
            catch (IOException)
            {
                return null; // the process ended meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }
    }

    /// <summary>A connection string to <paramref name="database"/> on this server.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Database = database,
        Pooling = true,
        MaxPoolSize = 100,
        // Every test class has its own database, so its own pool. Idle connections are closed after two
        // seconds, so the pools of classes that have finished do not add up to the server's limit.
        ConnectionIdleLifetime = 2,
        ConnectionPruningInterval = 1,
        IncludeErrorDetail = true,
    }.ConnectionString;

    /// <summary>Creates a fresh, empty database and returns its connection string.</summary>
    public string CreateDatabase(string prefix)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref databaseCounter)}";
        using var connection = new NpgsqlConnection(AdminConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE \"{name}\"";
        command.ExecuteNonQuery();
        return ConnectionString(name);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            if (Directory.Exists(Path.Combine(dataDirectory, "base")) && BinDir is { } bin)
            {
                Pg(Path.Combine(bin, "pg_ctl"), ["-D", dataDirectory, "-m", "immediate", "-w", "stop"]);
            }
        }
        catch (InvalidOperationException)
        {
            // The server was not running; the folder is removed below all the same.
        }

        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temporary folder is the system's to clean.
        }
    }

    private void Pg(string program, IReadOnlyList<string> arguments) => Run(program, arguments, asPostgresUser);

    private static void Run(string program, IReadOnlyList<string> arguments, bool asPostgresUser)
    {
        var start = new ProcessStartInfo(asPostgresUser ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgresUser)
        {
            foreach (var a in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} did not finish within 120 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {stderr.Result}{stdout.Result}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindBinDirectory()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable(BinDirVariable) is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }

        try
        {
            var start = new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start);
            if (process is not null)
            {
                var output = process.StandardOutput.ReadToEnd().Trim();
                process.WaitForExit(10_000);
                if (process.ExitCode == 0 && output.Length > 0)
                {
                    candidates.Add(output);
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // pg_config is not installed; fall back to the usual Debian layout below.
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal).Select(d => Path.Combine(d, "bin")));
        }

        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }
}
