using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// The runtime's GC events in process, for the Stopwatch profiles: the allocation samples (one about
/// every 100 KB allocated, with the type that crossed the mark) summed by type, and the bytes the
/// ephemeral collections kept alive because older objects referenced them (what survives a call is
/// what the collections pay for). Listening costs time: only turned on when asked.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const int OlderGenerationRoots = 3;
    private readonly ConcurrentDictionary<string, long> allocated = new();
    private long promotedFromOlder;

    /// <summary>Prints the types that allocated most per call and what the collections promoted per call.</summary>
    public void Print(int calls, int top = 45)
    {
        var total = Math.Max(1, allocated.Values.Sum());
        Console.WriteLine($"      promoted through references from older generations: {Interlocked.Read(ref promotedFromOlder) / (double)calls,8:F0} B/call");
        foreach (var (type, amount) in allocated.OrderByDescending(x => x.Value).Take(top))
        {
            Console.WriteLine($"      {amount * 100.0 / total,5:F1}% {amount / (double)calls,8:F0} B/call  {type}");
        }
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.Payload is not { } payload || e.PayloadNames is not { } names)
        {
            return;
        }

        if (e.EventName == "GCMarkWithType" && Convert.ToInt32(payload[names.IndexOf("Type")]) == OlderGenerationRoots)
        {
            Interlocked.Add(ref promotedFromOlder, Convert.ToInt64(payload[names.IndexOf("Bytes")]));
        }
        else if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && names.IndexOf("TypeName") is var t and >= 0)
        {
            var amount = names.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(payload[a]) : 100_000;
            allocated.AddOrUpdate(payload[t]?.ToString() ?? "?", amount, (_, v) => v + amount);
        }
    }
}
