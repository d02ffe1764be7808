using Loyalty.Core.Primitives;

namespace Loyalty.Core.Ledger;

/// <summary>
/// A small, bounded, lock-free, four-way set-associative cache of decoded account states, so that consecutive writes on an
/// account skip re-reading and re-decoding its open lots and holds.
/// </summary>
/// <remarks>
/// <para>Set-associative: a member's state can only live in one of the four slots of the set its id
/// hashes to (so members whose ids collide do not evict each other until five share a set), and
/// memory stays bounded by <see cref="MaxCachedEntries"/> open lots and holds whatever the number of
/// members and their lots.</para>
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
    /// The slot count of a scoped ledger's cache (one set): a scope is one unit of work, such as a
    /// request, that writes on a few accounts at most, and a ledger made per scope would otherwise
    /// allocate the default cache's 1,024 slots (8 KB) for each one.
    /// </summary>
    public const int ScopedSlots = 4;

    /// <summary>
    /// The most open lots and holds the whole cache keeps (about 250 bytes each with their index, so
    /// some 256 MB at the very worst, when the cached members hoard a thousand open lots each),
    /// whatever the number of members: a state that would go over is not kept.
    /// </summary>
    public const int MaxCachedEntries = 1 << 20;

    /// <summary>States with more open lots and holds than this are never kept (a sixteenth of the budget).</summary>
    public const int MaxOpenEntries = MaxCachedEntries / 16;

    private readonly AccountState?[] slots;
    private readonly int ways;
    private readonly int mask;
    private long entries;

    /// <param name="slotCount">The number of slots (rounded up to a power of two, at most 2^20), in sets of up to four.</param>
    public AccountStateCache(int slotCount)
    {
        var size = 1;
        while (size < slotCount && size < (1 << 20))
        {
            size <<= 1;
        }

        ways = Math.Min(4, size);
        slots = new AccountState?[size];
        mask = (size / ways) - 1;
    }

    /// <summary>The number of slots.</summary>
    internal int SlotCount => slots.Length;

    /// <summary>The open lots and holds of the states cached now (for tests).</summary>
    internal long Entries => Interlocked.Read(ref entries);

    /// <summary>Removes and returns the cached state of <paramref name="memberId"/>, or null when none is cached.</summary>
    public AccountState? Take(MemberId memberId)
    {
        var first = SetOf(memberId);
        for (var i = first; i < first + ways; i++)
        {
            var candidate = Volatile.Read(ref slots[i]);
            if (candidate is null || candidate.Key.MemberId != memberId)
            {
                continue;
            }

            if (Interlocked.CompareExchange(ref slots[i], null, candidate) != candidate)
            {
                return null;
            }

            Interlocked.Add(ref entries, -candidate.CachedEntries);
            return candidate;
        }

        return null;
    }

    /// <summary>
    /// Caches a state that matches the store at its version, unless it has more than
    /// <see cref="MaxOpenEntries"/> open lots and holds or the cache would then keep more than
    /// <see cref="MaxCachedEntries"/>. It takes the slot of an older state of the same member, else a
    /// free slot of its set, else evicts one of the set. The caller must not use it afterwards.
    /// </summary>
    public void Return(AccountState state)
    {
        state.Settle();
        var count = state.Lots.Count + state.Holds.Count;
        if (count > MaxOpenEntries)
        {
            return;
        }

        var first = SetOf(state.Key.MemberId);
        var target = -1;
        for (var i = first; i < first + ways; i++)
        {
            var present = Volatile.Read(ref slots[i]);
            if (present is not null && present.Key.MemberId == state.Key.MemberId)
            {
                if (present.Version > state.Version)
                {
                    return;
                }

                target = i;
                break;
            }

            if (present is null && target < 0)
            {
                target = i;
            }
        }

        if (Interlocked.Add(ref entries, count) > MaxCachedEntries)
        {
            Interlocked.Add(ref entries, -count);
            return;
        }

        // No free slot and no older state of the member: evict a slot of the set, chosen by the version.
        target = target >= 0 ? target : first + (int)(state.Version & (ways - 1));
        state.CachedEntries = count;
        var evicted = Interlocked.Exchange(ref slots[target], state);
        if (evicted is not null)
        {
            Interlocked.Add(ref entries, -evicted.CachedEntries);
        }
    }

    /// <summary>Drops every cached state (after a rolled-back unit of work).</summary>
    public void Clear()
    {
        Array.Clear(slots);
        Interlocked.Exchange(ref entries, 0);
    }

    private int SetOf(MemberId memberId) => (memberId.GetHashCode() & mask) * ways;
}
