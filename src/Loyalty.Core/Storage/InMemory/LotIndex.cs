using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>
/// An account's lots, every one it ever had, as positions in the store's lot log (see <see cref="RecordArena{T}"/>):
/// one array of numbers (each lot's id hash, whether it is open, its position), scanned to find a lot while the
/// account has few, through a map from hash to entry beyond. It holds numbers only, so an order's new lot is
/// written side by side with the other accounts' in the log, and no card of the account's own older objects is
/// marked for it (a dictionary keyed by the lot's id would hold the new id's string); and an account with a few
/// lots costs one array, not a dictionary and a set that each grow by copying.
/// A lot is written again in place when it changes (spent, expired, reversed): rarer than the orders that create them.
/// Not thread-safe: used under the account's lock.
/// </summary>
internal sealed class LotIndex
{
    // Up to this many lots an account finds a lot by scanning its entries; beyond, through a map by hash.
    private const int ScanLimit = 32;
    private const long OpenBit = 1L << 31;
    private static readonly Func<TransactionId, int> OrdinalHash = static id => StringComparer.Ordinal.GetHashCode(id.Value);

    // Every lot: its id's hash in the upper half, whether it is open in bit 31, its position in the lower bits.
    // One array of numbers per account, grown by doubling: a collection never scans it.
    private long[] entries = [];
    private int count;
    private int openCount;

    // Beyond ScanLimit lots: the entry index of the first lot of each hash, and the lots whose id's hash
    // another lot of the account had first (rare: created with the first one).
    private Dictionary<int, int>? byHash;
    private Dictionary<TransactionId, int>? collided;

    // The hash of a lot's id: ordinal by default; tests give one that collides.
    private readonly Func<TransactionId, int> hashOf;

    /// <summary>An empty index.</summary>
    /// <param name="hashOf">The hash of a lot's id (ordinal by default; tests give one that collides).</param>
    public LotIndex(Func<TransactionId, int>? hashOf = null) => this.hashOf = hashOf ?? OrdinalHash;

    /// <summary>The number of open lots.</summary>
    public int OpenCount => openCount;

    /// <summary>The open lots' records, in the order the lots were first written (an array of <see cref="OpenCount"/>, empty when none).</summary>
    public LedgerLotRecord[] ReadOpen(RecordArena<LedgerLotRecord> log)
    {
        if (openCount == 0)
        {
            return [];
        }

        var lots = new LedgerLotRecord[openCount];
        var n = 0;
        for (var i = 0; i < count; i++)
        {
            if ((entries[i] & OpenBit) != 0)
            {
                lots[n++] = log[PositionOf(entries[i])];
            }
        }

        return lots;
    }

    /// <summary>Every lot's position, open or closed.</summary>
    public IEnumerable<int> All
    {
        get
        {
            for (var i = 0; i < count; i++)
            {
                yield return PositionOf(entries[i]);
            }
        }
    }

    /// <summary>Inserts <paramref name="lot"/>, or replaces the lot of its id, and lists it open when it has points left.</summary>
    public void Set(RecordArena<LedgerLotRecord> log, LedgerLotRecord lot)
    {
        var entry = EntryOf(log, lot.LotId);
        if (entry >= 0)
        {
            log.Set(PositionOf(entries[entry]), lot);
        }
        else
        {
            entry = Append(log, log.Add(lot), hashOf(lot.LotId));
        }

        var wasOpen = (entries[entry] & OpenBit) != 0;
        if (lot.Remaining != 0 && !wasOpen)
        {
            entries[entry] |= OpenBit;
            openCount++;
        }
        else if (lot.Remaining == 0 && wasOpen)
        {
            entries[entry] &= ~OpenBit;
            openCount--;
        }
    }

    /// <summary>The position of the lot <paramref name="id"/>, or -1.</summary>
    public int Find(RecordArena<LedgerLotRecord> log, TransactionId id) =>
        EntryOf(log, id) is var entry and >= 0 ? PositionOf(entries[entry]) : -1;

    /// <summary>Drops every lot from the log (the account was rewritten elsewhere) and from this index.</summary>
    public void Forget(RecordArena<LedgerLotRecord> log)
    {
        for (var i = 0; i < count; i++)
        {
            log.Forget(PositionOf(entries[i]));
        }

        entries = [];
        count = 0;
        openCount = 0;
        byHash = null;
        collided = null;
    }

    /// <summary>The index in <see cref="entries"/> of the lot <paramref name="id"/>, or -1.</summary>
    private int EntryOf(RecordArena<LedgerLotRecord> log, TransactionId id)
    {
        var hash = hashOf(id);
        if (byHash is null)
        {
            for (var i = 0; i < count; i++)
            {
                if ((int)(entries[i] >> 32) == hash && log[PositionOf(entries[i])].LotId == id)
                {
                    return i;
                }
            }

            return -1;
        }

        if (byHash.TryGetValue(hash, out var entry) && log[PositionOf(entries[entry])].LotId == id)
        {
            return entry;
        }

        return collided is not null && collided.TryGetValue(id, out entry) ? entry : -1;
    }

    /// <summary>Adds a closed entry for a new lot and returns its index; the map by hash is built once the scan would be long.</summary>
    private int Append(RecordArena<LedgerLotRecord> log, int position, int hash)
    {
        if (count == entries.Length)
        {
            Array.Resize(ref entries, Math.Max(4, count * 2));
        }

        var entry = count++;
        entries[entry] = ((long)hash << 32) | (uint)position;
        if (byHash is not null)
        {
            Index(log, entry);
        }
        else if (count > ScanLimit)
        {
            byHash = new Dictionary<int, int>(count * 2);
            for (var i = 0; i < count; i++)
            {
                Index(log, i);
            }
        }

        return entry;
    }

    /// <summary>Maps the entry's hash to it when it is the first of that hash; otherwise lists it among the collisions by its lot's id.</summary>
    private void Index(RecordArena<LedgerLotRecord> log, int entry)
    {
        if (!byHash!.TryAdd((int)(entries[entry] >> 32), entry))
        {
            (collided ??= [])[log[PositionOf(entries[entry])].LotId] = entry;
        }
    }

    private static int PositionOf(long entry) => (int)(entry & int.MaxValue);
}
