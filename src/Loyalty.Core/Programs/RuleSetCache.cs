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
    private readonly ConcurrentDictionary<(ProgramId, MerchantId), MerchantEntry> merchantEntries = new();
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

    /// <summary>A merchant's own rule sets (namespaced, see <see cref="MerchantRuleNames"/>), from the cache when read less than <see cref="Lifetime"/> ago.</summary>
    /// <param name="store">The store to read on a miss.</param>
    /// <param name="programId">The programme.</param>
    /// <param name="merchant">The merchant.</param>
    /// <param name="now">The clock's instant.</param>
    /// <param name="check">Checks every rule set read against the programme (throws on a mismatch), before any write.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async ValueTask<MerchantRuleSets> GetMerchantAsync(IMerchantRuleSetStore store, ProgramId programId, MerchantId merchant, Instant now, Action<EarningRuleSet> check, CancellationToken cancellationToken)
    {
        var key = (programId, merchant);
        if (merchantEntries.TryGetValue(key, out var entry) && now >= entry.ReadAt && now < entry.ReadAt + Lifetime)
        {
            return entry.Sets;
        }

        var before = Interlocked.Read(ref generation);
        var history = await store.GetMerchantHistoryAsync(programId, merchant, cancellationToken).ConfigureAwait(false);
        var sets = new MerchantRuleSet[history.Versions.Count];
        for (var i = 0; i < sets.Length; i++)
        {
            var ruleSet = history.Versions[i];
            check(ruleSet);
            sets[i] = new MerchantRuleSet(ruleSet, MerchantRuleNames.Namespace(merchant, ruleSet, "ruleSet"));
        }

        var read = new MerchantRuleSets(sets);
        if (Interlocked.Read(ref generation) == before)
        {
            merchantEntries[key] = new MerchantEntry(read, now);
        }

        return read;
    }

    /// <summary>Forgets what was read for a merchant (after a publish).</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="merchant">The merchant.</param>
    public void Invalidate(ProgramId programId, MerchantId merchant)
    {
        Interlocked.Increment(ref generation);
        merchantEntries.TryRemove((programId, merchant), out _);
    }

    private sealed record Entry(EarningRuleSetHistory History, Instant ReadAt);

    private sealed record MerchantEntry(MerchantRuleSets Sets, Instant ReadAt);
}

/// <summary>A merchant's own rule sets, oldest effective instant first, each with its namespaced copy.</summary>
/// <param name="Versions">The versions.</param>
internal sealed record MerchantRuleSets(IReadOnlyList<MerchantRuleSet> Versions)
{
    /// <summary>The version in force at an instant, or null.</summary>
    public MerchantRuleSet? InForceAt(Instant instant)
    {
        MerchantRuleSet? found = null;
        foreach (var version in Versions)
        {
            if (version.Published.EffectiveFrom > instant)
            {
                break;
            }

            found = version;
        }

        return found;
    }

    /// <summary>The version with a label, or null.</summary>
    public MerchantRuleSet? ByVersion(string version)
    {
        foreach (var v in Versions)
        {
            if (v.Published.Version == version)
            {
                return v;
            }
        }

        return null;
    }
}
