using Loyalty.Core.Primitives;

namespace Loyalty.Core.Ledger;

/// <summary>
/// A small, bounded, lock-free cache of decoded account states, so that consecutive writes on an
/// account skip re-reading and re-decoding its open lots and holds.
/// </summary>
/// <remarks>
/// <para>Direct-mapped: a member's state can only live in the slot its id hashes to, and a newer
/// state evicts whatever was there, so memory stays bounded by the slot count whatever the number
/// of members.</para>
/// <para>A state is owned by one writer at a time: <see cref="Take"/> removes it from its slot
/// atomically, so two writers never share a mutable state; the writer hands it back with
/// <see cref="Return"/> only when it matches the store again (after a successful append, or
/// unchanged after a business error). A write made elsewhere (another process, another ledger
/// instance, maintenance) is never missed, although the ledger does not re-read the head before
/// using a cached state: an append decided on a stale state is refused by the store's version check
/// (and the write is decided again from the store), and a refusal decided on a cached state is
/// confirmed against the store's head before it is returned. Versions only ever grow and a
/// version's content never changes.</para>
/// </remarks>
internal sealed class AccountStateCache
{
    /// <summary>The slot count of the ledger's default cache.</summary>
    public const int DefaultSlots = 1024;

    /// <summary>
    /// The most open lots and holds the whole cache keeps (about 250 bytes each with their index, so
    /// some 64 MB at most), whatever the number of members and however many lots they hoard: a state
    /// that would go over is not kept.
    /// </summary>
    public const int MaxCachedEntries = 1 << 18;

    /// <summary>States with more open lots and holds than this are never kept (a quarter of the budget).</summary>
    public const int MaxOpenEntries = MaxCachedEntries / 4;

    private readonly AccountState?[] slots;
    private readonly int mask;
    private long entries;

    public AccountStateCache(int slotCount)
    {
        var size = 1;
        while (size < slotCount && size < (1 << 20))
        {
            size <<= 1;
        }

        slots = new AccountState?[size];
        mask = size - 1;
    }

    /// <summary>Removes and returns the cached state of <paramref name="memberId"/>, or null when none is cached.</summary>
    public AccountState? Take(MemberId memberId)
    {
        ref var slot = ref slots[memberId.GetHashCode() & mask];
        var candidate = Volatile.Read(ref slot);
        if (candidate is null || candidate.Key.MemberId != memberId)
        {
            return null;
        }

        if (Interlocked.CompareExchange(ref slot, null, candidate) != candidate)
        {
            return null;
        }

        Interlocked.Add(ref entries, -candidate.CachedEntries);
        return candidate;
    }

    /// <summary>The open lots and holds of the states cached now (for tests).</summary>
    internal long Entries => Interlocked.Read(ref entries);

    /// <summary>
    /// Caches a state that matches the store at its version (evicting whatever shared its slot),
    /// unless it has more than <see cref="MaxOpenEntries"/> open lots and holds or the cache would then
    /// keep more than <see cref="MaxCachedEntries"/>. The caller must not use it afterwards.
    /// </summary>
    public void Return(AccountState state)
    {
        state.Settle();
        var count = state.Lots.Count + state.Holds.Count;
        if (count > MaxOpenEntries)
        {
            return;
        }

        if (Interlocked.Add(ref entries, count) > MaxCachedEntries)
        {
            Interlocked.Add(ref entries, -count);
            return;
        }

        state.CachedEntries = count;
        var evicted = Interlocked.Exchange(ref slots[state.Key.MemberId.GetHashCode() & mask], state);
        if (evicted is not null)
        {
            Interlocked.Add(ref entries, -evicted.CachedEntries);
        }
    }
}
