using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Loyalty.Core.Segmentation;

namespace Loyalty.Cli.Input;

/// <summary>
/// Reads an orders file once on one thread and feeds its purchases, in batches, to one or more
/// analyses running each on its own thread (for instance the RFMP aggregation, a second RFMP
/// run as of an earlier date, purchase cycles and retention): parsing and aggregation overlap,
/// and the file is read once however many analyses consume it.
/// </summary>
/// <remarks>
/// Memory stays bounded: a fixed pool of batch buffers circulates between the reader and the
/// analyses (the reader waits when every buffer is in use). The first error anywhere — a bad
/// line or an analysis failing — stops everything and is rethrown by <see cref="Run"/>.
/// </remarks>
internal static class PurchaseFeed
{
    /// <summary>Purchases per batch.</summary>
    internal const int BatchSize = 8192;

    /// <summary>Reads the file and runs the analyses over its purchases.</summary>
    /// <param name="reader">The opened reader.</param>
    /// <param name="analyses">The analyses; each enumerates its purchases once.</param>
    /// <param name="progress">Called about ten times a second on the calling thread while the file is read; may be null.</param>
    /// <returns>The analyses' results, in order.</returns>
    /// <exception cref="InputException">A line of the file is bad.</exception>
    public static object?[] Run(OrderCsvReader reader, IReadOnlyList<Func<IEnumerable<Purchase>, object?>> analyses, Action? progress = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(analyses);
        using var cancel = new CancellationTokenSource();
        var free = new BlockingCollection<Batch>();
        for (var i = 0; i < 2 + (2 * analyses.Count); i++)
        {
            free.Add(new Batch());
        }

        var queues = analyses.Select(_ => new BlockingCollection<Batch>(boundedCapacity: 4 + analyses.Count)).ToArray();
        var results = new object?[analyses.Count];
        var consumers = new Task[analyses.Count];
        for (var i = 0; i < analyses.Count; i++)
        {
            var index = i;
            consumers[i] = Task.Factory.StartNew(
                () =>
                {
                    var at = new LinePosition();
                    try
                    {
                        results[index] = analyses[index](Drain(queues[index], free, at, cancel.Token));
                    }
                    catch (ArgumentException ex)
                    {
                        // The reader checks every value first, so this is a rule of the engine the
                        // line breaks (the message says which and why).
                        cancel.Cancel();
                        throw new InputException($"{reader.FileName} line {at.Line}: {ex.Message}", ex);
                    }
                    catch
                    {
                        cancel.Cancel();
                        throw;
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }

        var producer = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    while (true)
                    {
                        var batch = free.Take(cancel.Token);
                        batch.Count = reader.Read(batch.Items, batch.Lines);
                        if (batch.Count == 0)
                        {
                            break;
                        }

                        batch.Pending = queues.Length;
                        foreach (var queue in queues)
                        {
                            queue.Add(batch, cancel.Token);
                        }
                    }

                    foreach (var queue in queues)
                    {
                        queue.CompleteAdding();
                    }
                }
                catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                {
                }
                catch
                {
                    cancel.Cancel();
                    throw;
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        var all = consumers.Append(producer).ToArray();
        try
        {
            while (!Task.WaitAll(all, 100))
            {
                progress?.Invoke();
            }
        }
        catch (AggregateException ex)
        {
            // The root cause (a bad line, an analysis failing), not the cancellations it caused.
            var root = ex.Flatten().InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException) ?? ex.InnerExceptions[0];
            ExceptionDispatchInfo.Capture(root).Throw();
        }

        progress?.Invoke();
        return results;
    }

    private static IEnumerable<Purchase> Drain(BlockingCollection<Batch> queue, BlockingCollection<Batch> free, LinePosition at, CancellationToken cancel)
    {
        foreach (var batch in queue.GetConsumingEnumerable(cancel))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                at.Line = batch.Lines[i];
                yield return batch.Items[i];
            }

            if (Interlocked.Decrement(ref batch.Pending) == 0)
            {
                free.Add(batch, CancellationToken.None);
            }
        }
    }

    private sealed class LinePosition
    {
        public long Line;
    }

    private sealed class Batch
    {
        public readonly Purchase[] Items = new Purchase[BatchSize];
        public readonly long[] Lines = new long[BatchSize];
        public int Count;
        public int Pending;
    }
}
