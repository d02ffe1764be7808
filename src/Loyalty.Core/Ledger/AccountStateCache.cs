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
    /// States with more open lots and holds than this are not kept, so that the cache's memory
    /// stays small (a few tens of megabytes at most) even when many members hoard lots.
    /// </summary>
    public const int MaxOpenEntries = 256;

    private readonly AccountState?[] slots;
    private readonly int mask;

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

        return Interlocked.CompareExchange(ref slot, null, candidate) == candidate ? candidate : null;
    }

    /// <summary>
    /// Caches a state that matches the store at its version, unless it has more than
    /// <see cref="MaxOpenEntries"/> open lots and holds. The caller must not use it afterwards.
    /// </summary>
    public void Return(AccountState state)
    {
        state.Settle();
        if (state.Lots.Count + state.Holds.Count > MaxOpenEntries)
        {
            return;
        }

        Volatile.Write(ref slots[state.Key.MemberId.GetHashCode() & mask], state);
    }

    /// <summary>Drops every cached state (after a rolled-back unit of work).</summary>
    public void Clear() => Array.Clear(slots);
}
