using System.Collections.Concurrent;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Programs;

/// <summary>
/// The published rule sets of each programme, read once and shared by every programme instance of
/// one registration (every scope of an EF Core host), so an order costs no rule set read. A publish
/// through the programme clears the entry at once; a rule set published by another process is seen
/// within <see cref="Lifetime"/> of the clock (publish rule sets ahead of their effective instant).
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class RuleSetCache
{
    /// <summary>How long a read is used before the store is read again.</summary>
    public static readonly Duration Lifetime = Duration.FromSeconds(30);

    private readonly ConcurrentDictionary<ProgramId, Entry> entries = new();
    private long generation;

    /// <summary>The rule sets, from the cache when read less than <see cref="Lifetime"/> ago.</summary>
    /// <param name="store">The store to read on a miss.</param>
    /// <param name="programId">The programme.</param>
    /// <param name="now">The clock's instant.</param>
    /// <param name="check">Checks every rule set read against the programme (throws on a mismatch), before any write.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async ValueTask<EarningRuleSetHistory> GetAsync(IRuleSetStore store, ProgramId programId, Instant now, Action<EarningRuleSet> check, CancellationToken cancellationToken)
    {
        if (entries.TryGetValue(programId, out var entry) && now >= entry.ReadAt && now < entry.ReadAt + Lifetime)
        {
            return entry.History;
        }

        var before = Interlocked.Read(ref generation);
        var history = await store.GetHistoryAsync(programId, cancellationToken).ConfigureAwait(false);
        foreach (var ruleSet in history.Versions)
        {
            check(ruleSet);
        }

        // A publish that cleared the cache while this read ran wins: the read is used once, not kept.
        if (Interlocked.Read(ref generation) == before)
        {
            entries[programId] = new Entry(history, now);
        }

        return history;
    }

    /// <summary>Forgets what was read for a programme (after a publish).</summary>
    /// <param name="programId">The programme.</param>
    public void Invalidate(ProgramId programId)
    {
        Interlocked.Increment(ref generation);
        entries.TryRemove(programId, out _);
    }

    private sealed record Entry(EarningRuleSetHistory History, Instant ReadAt);
}
