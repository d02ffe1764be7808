using System.Diagnostics.Tracing;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// The runtime's collections in process, per generation: how many, how long the runtime was suspended
/// for them (from the suspension's start to the restart's end, the pause the application sees) and what
/// they promoted (the bytes that survived into the next generation). Informational events only, a few
/// per collection: cheap enough to stay on while a night is timed. With phases on, it also splits each
/// collection's time by the runtime's mark events (each fired when that kind of root has been marked
/// through): the roots on the stacks and in handles, the references from older generations (the card
/// table: objects of an older generation written to point at younger ones), and what follows marking
/// (planning, then sweeping or compacting and updating references).
/// </summary>
/// <param name="phases">Split the blocking collections' time into phases (background collections are not split: they mark while the program runs), summed in <see cref="PhaseSummary"/>.</param>
internal sealed class GcPauseListener(bool phases = false) : EventListener
{
    private readonly object gate = new();
    private readonly int[] count = new int[3];
    private readonly double[] pausedMs = new double[3];
    private readonly long[] promoted = new long[3];
    private int generation = -1;
    private DateTime suspended;
    private bool background;
    private DateTime started;
    private DateTime lastMark;
    private double cardsMs;
    private long cardsBytes;
    private double otherMarkMs;
    private double afterMarkMs;
    private int traced;

    /// <summary>One line: the collections by deepest generation with their pauses (s), and the bytes promoted out of each generation per member.</summary>
    public string Summary(int members)
    {
        lock (gate)
        {
            return string.Join(", ", Enumerable.Range(0, 3).Select(g => $"gen{g} {count[g]} (paused {pausedMs[g] / 1000:F2} s)"))
                + $"; promoted out of gen0 {promoted[0] / (double)members:F0} B/member, out of gen1 {promoted[1] / (double)members:F0} B/member, survived gen2 {promoted[2] / (double)members:F0} B/member";
        }
    }

    /// <summary>
    /// One line: over the blocking collections traced, the time spent marking through references from older
    /// generations (and the bytes marked that way), the rest of marking, and what followed marking.
    /// </summary>
    public string PhaseSummary()
    {
        lock (gate)
        {
            return $"{traced} collections: marking through older generations (card table) {cardsMs / 1000:F2} s, {cardsBytes / 1e6:F0} MB marked that way; other marking {otherMarkMs / 1000:F2} s; after marking (plan, sweep or compact) {afterMarkMs / 1000:F2} s";
        }
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Informational, (EventKeywords)0x1); // GC keyword
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.Payload is not { } payload || e.PayloadNames is not { } names || e.EventName is not { } name)
        {
            return;
        }

        lock (gate)
        {
            if (name.StartsWith("GCSuspendEEBegin", StringComparison.Ordinal))
            {
                suspended = e.TimeStamp;
            }
            else if (name.StartsWith("GCStart", StringComparison.Ordinal))
            {
                generation = Math.Clamp(Convert.ToInt32(payload[names.IndexOf("Depth")]), 0, 2);
                background = names.IndexOf("Type") is var t and >= 0 && Convert.ToInt32(payload[t]) == 1;
                count[generation]++;
                started = lastMark = e.TimeStamp;
            }
            else if (phases && name.StartsWith("GCMarkWithType", StringComparison.Ordinal) && started != default && !background)
            {
                // Type 3: marked through the card table (references from older generations). Server
                // collections fire one event per heap, the heaps marking in parallel: the last one ends the step.
                var ms = (e.TimeStamp - lastMark).TotalMilliseconds;
                if (Convert.ToInt32(payload[names.IndexOf("Type")]) == 3)
                {
                    cardsMs += ms;
                    cardsBytes += Convert.ToInt64(payload[names.IndexOf("Bytes")]);
                }
                else
                {
                    otherMarkMs += ms;
                }

                lastMark = e.TimeStamp;
            }
            else if (phases && name.StartsWith("GCEnd", StringComparison.Ordinal) && started != default && !background)
            {
                afterMarkMs += (e.TimeStamp - lastMark).TotalMilliseconds;
                traced++;
                started = default;
            }
            else if (name.StartsWith("GCHeapStats", StringComparison.Ordinal))
            {
                // Promoted out of gen0 and gen1 (and what survived gen2) by the collection that just ended.
                promoted[0] += Convert.ToInt64(payload[names.IndexOf("TotalPromotedSize0")]);
                promoted[1] += Convert.ToInt64(payload[names.IndexOf("TotalPromotedSize1")]);
                promoted[2] += Convert.ToInt64(payload[names.IndexOf("TotalPromotedSize2")]);
            }
            else if (name.StartsWith("GCRestartEEEnd", StringComparison.Ordinal) && generation >= 0 && suspended != default)
            {
                // A background collection suspends briefly at its start and end; its pauses are counted as gen2's.
                pausedMs[background ? 2 : generation] += (e.TimeStamp - suspended).TotalMilliseconds;
                suspended = default;
            }
        }
    }
}
