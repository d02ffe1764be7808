namespace Loyalty.Core.Benchmarks;
public static class Probe
{
    public static void Run()
    {
        var format = new Loyalty.Cli.Input.OrderCsvFormat();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        void Lap(string what) { var p = System.Diagnostics.Process.GetCurrentProcess(); p.Refresh(); Console.WriteLine($"{what}: wall {sw.Elapsed.TotalSeconds:F2}s cpu {(p.TotalProcessorTime - cpu).TotalSeconds:F2}s"); sw.Restart(); cpu = p.TotalProcessorTime; }
        {
            using var csv = Sylvan.Data.Csv.CsvDataReader.Create(new StreamReader(OrdersCsvBenchmarks.FilePath), new Sylvan.Data.Csv.CsvDataReaderOptions { Delimiter = ',', BufferSize = 1 << 16 });
            long n = 0; while (csv.Read()) n++;
            Lap($"sylvan read only ({n})");
        }
        {
            using var csv = Sylvan.Data.Csv.CsvDataReader.Create(new StreamReader(OrdersCsvBenchmarks.FilePath), new Sylvan.Data.Csv.CsvDataReaderOptions { Delimiter = ',', BufferSize = 1 << 16 });
            long n = 0; while (csv.Read()) { for (var i = 0; i < 6; i++) n += csv.GetFieldSpan(i).Length; }
            Lap($"sylvan spans ({n})");
        }
        {
            using var csv = Sylvan.Data.Csv.CsvDataReader.Create(new StreamReader(OrdersCsvBenchmarks.FilePath), new Sylvan.Data.Csv.CsvDataReaderOptions { Delimiter = ',', BufferSize = 1 << 16 });
            long n = 0; while (csv.Read()) { n += Loyalty.Core.Primitives.OrderId.From(csv.GetString(1)).GetHashCode() & 1; }
            Lap($"sylvan + order ids ({n})");
        }
        {
            using var csv = Sylvan.Data.Csv.CsvDataReader.Create(new StreamReader(OrdersCsvBenchmarks.FilePath), new Sylvan.Data.Csv.CsvDataReaderOptions { Delimiter = ',', BufferSize = 1 << 16 });
            var d = new Dictionary<string, Loyalty.Core.Primitives.MemberId>(StringComparer.Ordinal); var lk = d.GetAlternateLookup<ReadOnlySpan<char>>();
            long n = 0; while (csv.Read()) { var sp = csv.GetFieldSpan(0); if (!lk.TryGetValue(sp, out var m)) { var t = sp.ToString(); m = Loyalty.Core.Primitives.MemberId.From(t); d.Add(t, m); } n += m.GetHashCode() & 1; }
            Lap($"sylvan + customers ({n})");
        }
        {
            long n = 0; var eur = Loyalty.Core.Primitives.Currency.EUR;
            for (var i = 0; i < 10_000_000; i++) { n += Loyalty.Core.Primitives.Money.FromDecimal(new decimal(i % 30000, 0, 0, false, 2), eur).Amount > 5 ? 1 : 0; }
            Lap($"money ({n})");
        }
        using (var r = Loyalty.Cli.Input.OrderCsvReader.Open(OrdersCsvBenchmarks.FilePath, format))
        {
            var b = new Loyalty.Core.Segmentation.Purchase[8192]; var l = new long[8192]; long n = 0; int c;
            while ((c = r.Read(b, l)) > 0) n += c;
            Lap($"reader only ({n})");
        }
        if (Environment.GetEnvironmentVariable("PROBE_LIST") == "1") {        using (var r = Loyalty.Cli.Input.OrderCsvReader.Open(OrdersCsvBenchmarks.FilePath, format))
        {
            var res = Loyalty.Cli.Input.PurchaseFeed.Run(r, [p => { var list = new List<Loyalty.Core.Segmentation.Purchase>(10_100_000); list.AddRange(p); Lap("collected"); Console.WriteLine($"gc {GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)} mem {GC.GetTotalMemory(false)/1e6:F0}MB"); var seg = new Loyalty.Core.Segmentation.RfmpSegmenter(new Loyalty.Core.Segmentation.RfmpOptions { AsOf = NodaTime.Instant.FromUtc(2026,1,1,0,0), TimeZone = NodaTime.DateTimeZone.Utc, Currency = Loyalty.Core.Primitives.Currency.EUR }); return seg.Aggregate(list, out _).Count; }]);
            Lap($"list + fast aggregate ({res[0]})");
            Console.WriteLine($"gc {GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)} peak {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64/1e6:F0}MB");
            if (res.Length > 0) return;
        }
}
        using (var r = Loyalty.Cli.Input.OrderCsvReader.Open(OrdersCsvBenchmarks.FilePath, format))
        {
            var res = Loyalty.Cli.Input.PurchaseFeed.Run(r, [p => { long k = 0; foreach (var x in p) k++; return k; }]);
            Lap($"feed count ({res[0]})");
        }
        var seg = new Loyalty.Core.Segmentation.RfmpSegmenter(new Loyalty.Core.Segmentation.RfmpOptions { AsOf = NodaTime.Instant.FromUtc(2026,1,1,0,0), TimeZone = NodaTime.DateTimeZone.Utc, Currency = Loyalty.Core.Primitives.Currency.EUR });
        using (var r = Loyalty.Cli.Input.OrderCsvReader.Open(OrdersCsvBenchmarks.FilePath, format))
        {
            var res = Loyalty.Cli.Input.PurchaseFeed.Run(r, [p => seg.Aggregate(p, out _).Count]);
            Lap($"feed aggregate ({res[0]})");
        }
    }
}
