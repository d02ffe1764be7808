using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Loyalty.Cli.Commands;
using Loyalty.Cli.Infrastructure;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;
using Spectre.Console;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// The <c>loyalty rfmp</c> read path on a 10,000,000-line orders CSV (about 650 MB, 1,000,000
/// customers, generated once into the temporary folder): the tool's own path (the file split into
/// byte ranges at line boundaries, each parsed by Sylvan.Data.Csv on its own core into compact
/// per-customer partitions, each partition aggregated on every core, then scored), against a
/// naive reader of the same file in the same class — <c>File.ReadAllLines</c>,
/// <c>string.Split</c>, parse every field, collect the purchases in a list, then the same
/// segmenter. Both produce the same customers.
/// </summary>
[MemoryDiagnoser]
public class OrdersCsvBenchmarks
{
    /// <summary>Lines of the generated file.</summary>
    public const int Lines = 10_000_000;

    private const int Customers = 1_000_000;

    /// <summary>The generated file.</summary>
    public static readonly string FilePath = Path.Combine(Path.GetTempPath(), "loyalty-bench", "orders-10m.csv");

    private static readonly LocalDate AsOf = new(2025, 12, 31);

    private RfmpSettings settings = null!;
    private RfmpCommand command = null!;

    [GlobalSetup]
    public void Setup()
    {
        Generate(FilePath);
        settings = new RfmpSettings { File = FilePath, Currency = "EUR", AsOf = "2025-12-31" };
        var validation = settings.Validate();
        if (!validation.Successful)
        {
            throw new InvalidOperationException(validation.Message);
        }

        var quiet = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
        quiet.Profile.Capabilities.Interactive = false;
        command = new RfmpCommand(new CliConsole(quiet, TextWriter.Null, quiet));
    }

    [Benchmark(Baseline = true)]
    public int Naive_ReadAllLines_and_Split()
    {
        var eur = Currency.EUR;
        var zone = DateTimeZone.Utc;
        var lines = File.ReadAllLines(FilePath);
        var header = lines[0].Split(',');
        int customer = Array.IndexOf(header, "customer"), order = Array.IndexOf(header, "order"), date = Array.IndexOf(header, "date"), amount = Array.IndexOf(header, "amount");
        var purchases = new List<Purchase>(lines.Length - 1);
        for (var i = 1; i < lines.Length; i++)
        {
            var fields = lines[i].Split(',');
            var day = DateTime.ParseExact(fields[date], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            purchases.Add(new Purchase(
                MemberId.From(fields[customer]),
                OrderId.From(fields[order]),
                LocalDateTime.FromDateTime(day).InZoneLeniently(zone).ToInstant(),
                Money.FromDecimal(decimal.Parse(fields[amount], CultureInfo.InvariantCulture), eur)));
        }

        var segmenter = new RfmpSegmenter(new RfmpOptions { AsOf = AsOf.PlusDays(1).AtStartOfDayInZone(zone).ToInstant() - Duration.Epsilon, TimeZone = zone, Currency = eur });
        return segmenter.Segment(purchases).Customers.Count;
    }

    [Benchmark]
    public int Loyalty_tool_rfmp() => command.Analyse(settings).Result.Customers.Count;

    /// <summary>Writes the file once (kept between runs; rewritten when its size is not the expected one).</summary>
    /// <param name="path">Where.</param>
    public static void Generate(string path)
    {
        if (File.Exists(path) && new FileInfo(path).Length > 600_000_000)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        var random = new Random(11);
        var start = new DateOnly(2024, 1, 1);
        using (var writer = new StreamWriter(temporary, false, new UTF8Encoding(false), 1 << 20))
        {
            writer.Write("customer,order,date,amount,quantity,category\n");
            var orderNumber = 0L;
            var line = 0;
            while (line < Lines)
            {
                // One order in three has two lines (same customer, order and date).
                var customer = random.Next(Customers);
                var date = start.AddDays(random.Next(731)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                orderNumber++;
                var orderLines = random.Next(3) == 0 ? 2 : 1;
                for (var l = 0; l < orderLines && line < Lines; l++, line++)
                {
                    var amount = (random.Next(100, 30_000) / 100m).ToString("0.00", CultureInfo.InvariantCulture);
                    writer.Write(string.Create(CultureInfo.InvariantCulture, $"customer-{customer:D7},ord-{orderNumber:D11},{date},{amount},{random.Next(1, 4)},category-{random.Next(40):D2}\n"));
                }
            }
        }

        File.Move(temporary, path, overwrite: true);
    }
}
