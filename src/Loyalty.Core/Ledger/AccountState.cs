using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Ledger;

/// <summary>A lot in memory while a write is decided or the log is replayed.</summary>
/// <remarks>What a lot is (id, age, amount, instants) never changes while a state holds it; only <see cref="Reuse"/> sets it again, for a state decoding its next account.</remarks>
internal sealed class Lot
{
    private TransactionId id;
    private long sequence;
    private long original;
    private Instant createdAt;
    private Instant availableAt;
    private Instant? expiresAt;

    public required TransactionId Id { get => id; init => id = value; }

    public required long Sequence { get => sequence; init => sequence = value; }

    public required long Original { get => original; init => original = value; }

    public required Instant CreatedAt { get => createdAt; init => createdAt = value; }

    public required Instant AvailableAt { get => availableAt; init => availableAt = value; }

    public Instant? ExpiresAt { get => expiresAt; init => expiresAt = value; }

    public long Remaining { get; set; }

    public bool Changed { get; set; }

    public static Lot From(LedgerLotRecord r) => new()
    {
        Id = r.LotId, Sequence = r.Sequence, Original = r.OriginalAmount, Remaining = r.Remaining,
        CreatedAt = r.CreatedAt, AvailableAt = r.AvailableAt, ExpiresAt = r.ExpiresAt,
    };

    /// <summary>Makes this lot, which no state holds any more, what <see cref="From"/> decodes from <paramref name="r"/>.</summary>
    public Lot Reuse(LedgerLotRecord r)
    {
        (id, sequence, original, Remaining) = (r.LotId, r.Sequence, r.OriginalAmount, r.Remaining);
        (createdAt, availableAt, expiresAt, Changed) = (r.CreatedAt, r.AvailableAt, r.ExpiresAt, false);
        return this;
    }

    /// <summary>A lot that only stands for a position in an index: the given expiry and sequence.</summary>
    public static Lot Probe(Instant? expiresAt, long sequence) => new()
    {
        Id = default, Sequence = sequence, Original = 0, CreatedAt = default, AvailableAt = default, ExpiresAt = expiresAt,
    };

    public LedgerLotRecord ToRecord() => new()
    {
        LotId = Id, Sequence = Sequence, OriginalAmount = Original, Remaining = Remaining,
        CreatedAt = CreatedAt, AvailableAt = AvailableAt, ExpiresAt = ExpiresAt,
    };
}

/// <summary>A hold in memory.</summary>
internal sealed class Hold
{
    public required TransactionId Id { get; init; }

    public required long Amount { get; init; }

    public required Instant CreatedAt { get; init; }

    public required Instant ExpiresAt { get; init; }

    public LedgerHoldStatus Status { get; set; } = LedgerHoldStatus.Open;

    public long Captured { get; set; }

    public TransactionId? ClosedBy { get; set; }

    public bool Changed { get; set; }

    public static Hold From(LedgerHoldRecord r) => new()
    {
        Id = r.HoldId, Amount = r.Amount, CreatedAt = r.CreatedAt, ExpiresAt = r.ExpiresAt,
        Status = r.Status, Captured = r.Captured, ClosedBy = r.ClosedBy,
    };

    public LedgerHoldRecord ToRecord() => new()
    {
        HoldId = Id, Amount = Amount, CreatedAt = CreatedAt, ExpiresAt = ExpiresAt,
        Status = Status, Captured = Captured, ClosedBy = ClosedBy,
    };
}

/// <summary>Figures computed from an account's state at an instant.</summary>
internal readonly record struct Figures(long AvailableLots, long Pending, long HeldActive, long ExpiredUnswept)
{
    public long Held => Math.Min(HeldActive, Math.Max(0, AvailableLots));
}

/// <summary>
/// An account's state: lots, holds, debt, lifetime counters. Pure: the same <see cref="Apply"/>
/// serves the write path (after deciding) and the as-of replay of the log.
/// </summary>
/// <remarks>
/// <para>Kept incrementally, so that what a write, a balance or an expiry schedule costs does not
/// grow with the number of open lots: once an indexed question is asked, the open lots are indexed
/// by expiry (then age) and the pending ones by availability, and the points are kept in three
/// buckets — available, pending, expired but not swept — classified at a <em>frontier</em> instant.
/// Moving the frontier forward moves only the lots that cross it (each lot becomes available once
/// and expires once); a movement adjusts one bucket; only a question about an instant before the
/// frontier re-classifies every lot. The inactivity deadline needs no index: before it, a lot's
/// effective expiry is its own date; from it on, every lot is expired.</para>
/// <para><see cref="ComputeByScan"/> and <see cref="ToHeadByScan"/> keep the plain scans over every
/// lot: the reference the kept figures are tested against.</para>
/// </remarks>
internal sealed class AccountState
{
    private static readonly Lot AfterEveryLot = Lot.Probe(null, long.MaxValue);
    private readonly ExpiryPolicy policy;
    private readonly DateTimeZone zone;
    private readonly List<Lot> touched = [];
    private List<Lot>? loaded;
    private List<Lot>? spare;
    private List<Lot>? spendingScratch;
    private List<(Instant At, LedgerLotMovement[] Movements)>? dueScratch;
    private Comparison<Lot>? spendingComparison;
    private Instant? sortDeadline;

    // The index, built on first use (a replay that only asks for one balance at its end never pays for it).
    private SortedSet<Lot>? byExpiry;     // open lots (Remaining != 0) by expiry (none last), then sequence
    private SortedSet<Lot>? pendingLots;  // open lots not expired and not yet available at the frontier, by availability
    private Instant? frontier;            // the instant the buckets are classified at, or null
    private long availableSum, pendingSum, expiredSum;

    /// <summary>Accounts with fewer lots than this are answered by a scan (cheaper than an index for a handful of lots).</summary>
    public const int DefaultIndexFrom = 16;

    /// <summary>
    /// The threshold of a ledger made per scope, whose states are decoded from the database for one write or
    /// two: each operation scans the lots once (O(n)), where building the index would cost two sorted sets
    /// of n nodes (O(n log n)) to be used once; the index still serves accounts with very many lots.
    /// </summary>
    public const int ScopedIndexFrom = 256;

    /// <summary>The largest dictionary <see cref="Reload"/> clears for the next account rather than replaces.</summary>
    private const int ReusedCapacity = 64;

    private readonly int indexFrom;

    /// <param name="key">The account.</param>
    /// <param name="policy">The expiry policy.</param>
    /// <param name="zone">The programme's zone.</param>
    /// <param name="indexFrom">Index the lots once there are this many (0: at the first question).</param>
    public AccountState(LedgerAccountKey key, ExpiryPolicy policy, DateTimeZone zone, int indexFrom = DefaultIndexFrom)
    {
        Key = key;
        this.policy = policy;
        this.zone = zone;
        this.indexFrom = indexFrom;
    }

    private enum Bucket
    {
        Available,
        Pending,
        Expired,
    }

    public LedgerAccountKey Key { get; private set; }

    public long Version { get; private set; }

    public Instant UpdatedAt { get; private set; }

    public long Debt { get; private set; }

    public long Earned { get; private set; }

    public long Redeemed { get; private set; }

    public long Expired { get; private set; }

    public long Reversed { get; private set; }

    public long Adjusted { get; private set; }

    public long WrittenOff { get; private set; }

    public Instant? LastActivityAt { get; private set; }

    /// <summary>The hash chain's last link (see <see cref="LedgerChain"/>).</summary>
    public LedgerHash ChainHash { get; set; }

    /// <summary>The points in open lots, pending or available, expired or not.</summary>
    public long LotPoints { get; private set; }

    /// <summary>The lots: every open one, and closed ones a write loaded or closed since the last <see cref="Settle"/>. Read-only for callers.</summary>
    public Dictionary<TransactionId, Lot> Lots { get; private set; } = [];

    public Dictionary<TransactionId, Hold> Holds { get; private set; } = [];

    /// <summary>Whether the state was decoded under this expiry policy, zone and lot indexing (a kept state serves only a ledger with the same).</summary>
    public bool DecodedUnder(ExpiryPolicy expiryPolicy, DateTimeZone timeZone, int lotIndexFrom)
        => ReferenceEquals(policy, expiryPolicy) && zone.Equals(timeZone) && indexFrom == lotIndexFrom;

    /// <summary>
    /// The incarnation of the stored account this state was decoded from (see <see cref="LedgerAccountSnapshot.Incarnation"/>),
    /// or the one its first append gave a new account; null when the store does not tell.
    /// </summary>
    internal object? Incarnation { get; set; }

    /// <summary>The number of lots and holds cached with this state (set by the cache).</summary>
    internal int CachedEntries { get; set; }

    public static AccountState FromSnapshot(LedgerAccountKey key, LedgerAccountSnapshot snapshot, ExpiryPolicy policy, DateTimeZone zone, int indexFrom = DefaultIndexFrom)
    {
        var state = new AccountState(key, policy, zone, indexFrom);
        state.Fill(snapshot);
        return state;
    }

    /// <summary>
    /// Makes this state what <see cref="FromSnapshot"/> decodes from <paramref name="snapshot"/> (with this
    /// state's policy, zone and index threshold), reusing its dictionaries and lists: a run that writes
    /// account after account (an expiry night) decodes each into the same state. Every figure, lot, hold,
    /// index and scratch of the previous account is dropped.
    /// </summary>
    public AccountState Reload(LedgerAccountKey key, LedgerAccountSnapshot snapshot)
    {
        Key = key;
        touched.Clear();
        loaded?.Clear();
        spendingScratch?.Clear();
        dueScratch?.Clear();
        sortDeadline = null;
        byExpiry = null;
        pendingLots = null;
        frontier = null;
        availableSum = pendingSum = expiredSum = 0;
        Version = 0;
        UpdatedAt = default;
        Debt = Earned = Redeemed = Expired = Reversed = Adjusted = WrittenOff = 0;
        LastActivityAt = null;
        ChainHash = default;
        LotPoints = 0;
        // Clearing costs the capacity: after a large account, small ones get new dictionaries. The lots of a
        // small account are decoded into again (no lot object per account of an expiry night): nothing else
        // holds them, since a state reloaded for the next account is one no write kept.
        if (Lots.EnsureCapacity(0) > ReusedCapacity)
        {
            Lots = [];
        }
        else
        {
            foreach (var lot in Lots.Values)
            {
                if ((spare ??= []).Count < ReusedCapacity)
                {
                    spare.Add(lot);
                }
            }

            Lots.Clear();
        }

        Holds = Holds.EnsureCapacity(0) > ReusedCapacity ? [] : Cleared(Holds);
        CachedEntries = 0;
        Fill(snapshot);
        return this;
    }

    private Lot Spare()
    {
        var lot = spare![^1];
        spare.RemoveAt(spare.Count - 1);
        return lot;
    }

    private static Dictionary<TransactionId, T> Cleared<T>(Dictionary<TransactionId, T> dictionary)
    {
        dictionary.Clear();
        return dictionary;
    }

    private void Fill(LedgerAccountSnapshot snapshot)
    {
        var state = this;
        state.Incarnation = snapshot.Incarnation;
        if (snapshot.Head is { } h)
        {
            state.Version = h.Version;
            state.UpdatedAt = h.UpdatedAt;
            state.Debt = h.Debt;
            state.Earned = h.Earned;
            state.Redeemed = h.Redeemed;
            state.Expired = h.Expired;
            state.Reversed = h.Reversed;
            state.Adjusted = h.Adjusted;
            state.WrittenOff = h.WrittenOff;
            state.LastActivityAt = h.LastActivityAt;
            state.ChainHash = h.ChainHash;
        }

        // Indexed loops: a foreach over the lists' interface would allocate an enumerator per account decoded.
        var lots = snapshot.OpenLots;
        for (var i = 0; i < lots.Count; i++)
        {
            var lot = lots[i];
            state.Lots[lot.LotId] = spare is { Count: > 0 } ? Spare().Reuse(lot) : Lot.From(lot);
            state.LotPoints = checked(state.LotPoints + lot.Remaining);
        }

        var holds = snapshot.OpenHolds;
        for (var i = 0; i < holds.Count; i++)
        {
            var hold = holds[i];
            state.Holds[hold.HoldId] = Hold.From(hold);
        }
    }

    public Instant? InactivityDeadline => LastActivityAt is { } a ? policy.InactivityDeadline(a, zone) : null;

    /// <summary>The instant at which a lot's points stop counting (exclusive), or null.</summary>
    public Instant? EffectiveExpiry(Lot lot, Instant? deadline)
    {
        if (deadline is { } d)
        {
            return lot.ExpiresAt is { } e && e < d ? e : d;
        }

        return lot.ExpiresAt;
    }

    /// <summary>Adds a lot read from the store (a closed lot a reversal puts points back into).</summary>
    public void AddLoaded(Lot lot)
    {
        Lots[lot.Id] = lot;
        (loaded ??= []).Add(lot);
        if (lot.Remaining != 0 && byExpiry is not null)
        {
            Open(lot, lot.Remaining);
        }
    }

    public Figures Compute(Instant t)
    {
        if (!Indexed())
        {
            return ComputeByScan(t);
        }

        if (frontier is not { } f || t < f)
        {
            Classify(t);
        }
        else if (t > f)
        {
            Advance(f, t);
        }

        var held = HeldActive(t);
        return InactivityDeadline is { } d && d <= t
            ? new Figures(0, 0, held, checked(availableSum + pendingSum + expiredSum))
            : new Figures(availableSum, pendingSum, held, expiredSum);
    }

    /// <summary>The figures by a scan of every lot: the reference <see cref="Compute"/> is tested against.</summary>
    public Figures ComputeByScan(Instant t)
    {
        long available = 0, pending = 0, expired = 0;
        var deadline = InactivityDeadline;
        foreach (var lot in Lots.Values)
        {
            if (lot.Remaining == 0)
            {
                continue;
            }

            if (EffectiveExpiry(lot, deadline) is { } e && e <= t)
            {
                expired = checked(expired + lot.Remaining);
            }
            else if (lot.AvailableAt <= t)
            {
                available = checked(available + lot.Remaining);
            }
            else
            {
                pending = checked(pending + lot.Remaining);
            }
        }

        return new Figures(available, pending, HeldActive(t), expired);
    }

    public LedgerBalance Balance(Instant t) => ToBalance(Compute(t), t);

    /// <summary>The balance by a scan of every lot: the reference <see cref="Balance"/> is tested against.</summary>
    public LedgerBalance BalanceByScan(Instant t) => ToBalance(ComputeByScan(t), t);

    /// <summary>Spendable points at <paramref name="t"/>, ignoring the hold <paramref name="excludingHold"/>.</summary>
    public long Spendable(Instant t, TransactionId? excludingHold = null)
    {
        var f = Compute(t);
        var heldActive = f.HeldActive;
        if (excludingHold is { } id && Holds.TryGetValue(id, out var h) && h.Status == LedgerHoldStatus.Open && h.ExpiresAt > t)
        {
            heldActive -= h.Amount;
        }

        return f.AvailableLots - Math.Min(heldActive, Math.Max(0, f.AvailableLots)) - Debt;
    }

    /// <summary>
    /// Lots spendable at <paramref name="t"/> in spending order: soonest expiry first (none last), then oldest.
    /// The list is this state's scratch list: valid until the next call. A scan of every lot: for the
    /// rare paths (a reversal's shortfall); a redemption walks the index with <see cref="TakeInSpendingOrder"/>.
    /// </summary>
    public List<Lot> SpendingOrder(Instant t)
    {
        var deadline = InactivityDeadline;
        var list = spendingScratch ??= [];
        list.Clear();
        foreach (var lot in Lots.Values)
        {
            if (lot.Remaining > 0 && lot.AvailableAt <= t && !(EffectiveExpiry(lot, deadline) is { } e && e <= t))
            {
                list.Add(lot);
            }
        }

        if (list.Count > 1)
        {
            sortDeadline = deadline;
            list.Sort(spendingComparison ??= CompareForSpending);
        }

        return list;
    }

    /// <summary>
    /// Takes <paramref name="amount"/> from the lots spendable at <paramref name="t"/> in spending
    /// order (the order of <see cref="SpendingOrder"/>), walking the index only as far as needed;
    /// returns what could not be taken.
    /// </summary>
    public long TakeInSpendingOrder(Instant t, long amount, List<LedgerLotMovement> movements)
    {
        if (!Indexed())
        {
            return LotAllocator.Take(SpendingOrder(t), amount, movements);
        }

        var rest = amount;
        var deadline = InactivityDeadline;
        if (rest <= 0 || byExpiry!.Count == 0 || (deadline is { } dl && dl <= t))
        {
            return rest;
        }

        // Lots expiring after t, soonest first; before the deadline a lot's own expiry orders it.
        foreach (var lot in byExpiry.GetViewBetween(Lot.Probe(t, long.MaxValue), AfterEveryLot))
        {
            if (deadline is { } d && (lot.ExpiresAt is not { } e || e >= d))
            {
                break;
            }

            rest = TakeFrom(lot, t, rest, movements);
            if (rest == 0)
            {
                return 0;
            }
        }

        if (deadline is not { } deadlineAt)
        {
            return rest;
        }

        // From the deadline on, every remaining lot expires at the deadline: oldest first. The dated
        // ones (expiring at or after the deadline) are merged by age with the undated ones, which the
        // index already holds by age.
        var dated = new List<Lot>();
        using var tail = byExpiry.GetViewBetween(Lot.Probe(deadlineAt, long.MinValue), AfterEveryLot).GetEnumerator();
        Lot? undated = null;
        while (tail.MoveNext())
        {
            if (tail.Current.ExpiresAt is null)
            {
                undated = tail.Current;
                break;
            }

            dated.Add(tail.Current);
        }

        dated.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        var next = 0;
        while (rest > 0)
        {
            Lot lot;
            if (next < dated.Count && (undated is null || dated[next].Sequence < undated.Sequence))
            {
                lot = dated[next++];
            }
            else if (undated is not null)
            {
                lot = undated;
                undated = tail.MoveNext() ? tail.Current : null;
            }
            else
            {
                break;
            }

            rest = TakeFrom(lot, t, rest, movements);
        }

        return rest;

        static long TakeFrom(Lot lot, Instant t, long rest, List<LedgerLotMovement> movements)
        {
            if (lot.Remaining <= 0 || lot.AvailableAt > t)
            {
                return rest;
            }

            var take = Math.Min(rest, lot.Remaining);
            movements.Add(new LedgerLotMovement(lot.Id, -take));
            return rest - take;
        }
    }

    /// <summary>
    /// The open lots whose effective expiry is at or before <paramref name="asOf"/>, grouped by that
    /// instant (ascending), each group in lot age order — what an expiry run writes (each group's
    /// movements are the array its expiry transaction keeps). The list is this state's scratch list:
    /// valid until the next call.
    /// </summary>
    public List<(Instant At, LedgerLotMovement[] Movements)> DueForExpiry(Instant asOf)
    {
        if (!Indexed())
        {
            return DueForExpiryByScan(asOf);
        }

        var groups = DueScratch();
        if (byExpiry!.Count == 0)
        {
            return groups;
        }

        var group = new List<LedgerLotMovement>();
        Instant? groupAt = null;

        // Dated lots due on their own date: expiring at or before asOf, or before a deadline already reached.
        var deadline = InactivityDeadline is { } d && d <= asOf ? d : (Instant?)null;
        var lastOwnDate = deadline is { } dl ? Lot.Probe(dl, long.MinValue) : Lot.Probe(asOf, long.MaxValue);
        if (ExpiryOrder.Instance.Compare(byExpiry.Min, lastOwnDate) <= 0)
        {
            foreach (var lot in byExpiry.GetViewBetween(byExpiry.Min, lastOwnDate))
            {
                if (lot.Remaining <= 0 || lot.ExpiresAt is not { } at)
                {
                    continue;
                }

                if (groupAt != at)
                {
                    Close(groups, groupAt, group);
                    groupAt = at;
                }

                group.Add(new LedgerLotMovement(lot.Id, -lot.Remaining));
            }
        }

        Close(groups, groupAt, group);

        // Every other lot lapses at the inactivity deadline once it is reached: oldest first.
        if (deadline is { } deadlineAt)
        {
            var rest = new List<Lot>();
            foreach (var lot in byExpiry.GetViewBetween(lastOwnDate, AfterEveryLot))
            {
                if (lot.Remaining > 0)
                {
                    rest.Add(lot);
                }
            }

            if (rest.Count > 0)
            {
                rest.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
                var movements = new LedgerLotMovement[rest.Count];
                for (var i = 0; i < movements.Length; i++)
                {
                    movements[i] = new LedgerLotMovement(rest[i].Id, -rest[i].Remaining);
                }

                groups.Add((deadlineAt, movements));
            }
        }

        return groups;
    }

    /// <summary>
    /// Points whose effective expiry falls after <paramref name="asOf"/> and at or before
    /// <paramref name="end"/>, in expiry order: (instant, points) per lot, or one entry for every lot
    /// that lapses at the inactivity deadline.
    /// </summary>
    public List<(Instant At, long Points)> Expiring(Instant asOf, Instant end)
    {
        if (!Indexed())
        {
            return ExpiringByScan(asOf, end);
        }

        var list = new List<(Instant At, long Points)>();
        var deadline = InactivityDeadline;
        if (byExpiry!.Count == 0 || end <= asOf || (deadline is { } d0 && d0 <= asOf))
        {
            return list;
        }

        if (byExpiry.Min!.ExpiresAt is { } first && first <= end)
        {
            foreach (var lot in byExpiry.GetViewBetween(Lot.Probe(asOf, long.MaxValue), Lot.Probe(end, long.MaxValue)))
            {
                if (deadline is { } d && lot.ExpiresAt >= d)
                {
                    break;
                }

                if (lot.Remaining > 0)
                {
                    list.Add((lot.ExpiresAt!.Value, lot.Remaining));
                }
            }
        }

        if (deadline is { } deadlineAt && deadlineAt <= end)
        {
            long points = 0;
            foreach (var lot in byExpiry.GetViewBetween(Lot.Probe(deadlineAt, long.MinValue), AfterEveryLot))
            {
                if (lot.Remaining > 0)
                {
                    points = checked(points + lot.Remaining);
                }
            }

            if (points > 0)
            {
                list.Add((deadlineAt, points));
            }
        }

        return list;
    }

    /// <summary>What <see cref="DueForExpiry"/> answers, by a scan of every lot (in age order, grouped by effective expiry); the same scratch list.</summary>
    public List<(Instant At, LedgerLotMovement[] Movements)> DueForExpiryByScan(Instant asOf)
    {
        // One lot due (the usual case) needs neither a list of the due lots nor a sort.
        var deadline = InactivityDeadline;
        Lot? single = null;
        List<Lot>? due = null;
        foreach (var lot in Lots.Values)
        {
            if (lot.Remaining > 0 && EffectiveExpiry(lot, deadline) is { } e && e <= asOf)
            {
                if (single is null)
                {
                    single = lot;
                }
                else
                {
                    (due ??= [single]).Add(lot);
                }
            }
        }

        var groups = DueScratch();
        if (single is null)
        {
            return groups;
        }

        if (due is null)
        {
            groups.Add((EffectiveExpiry(single, deadline)!.Value, [new LedgerLotMovement(single.Id, -single.Remaining)]));
            return groups;
        }

        sortDeadline = deadline;
        due.Sort(spendingComparison ??= CompareForSpending);
        var group = new List<LedgerLotMovement>(due.Count);
        Instant? groupAt = null;
        foreach (var lot in due)
        {
            var at = EffectiveExpiry(lot, deadline)!.Value;
            if (groupAt != at)
            {
                Close(groups, groupAt, group);
                groupAt = at;
            }

            group.Add(new LedgerLotMovement(lot.Id, -lot.Remaining));
        }

        Close(groups, groupAt, group);
        return groups;
    }

    private List<(Instant At, LedgerLotMovement[] Movements)> DueScratch()
    {
        var groups = dueScratch ??= [];
        groups.Clear();
        return groups;
    }

    /// <summary>Adds the group gathered for <paramref name="at"/> (when there is one) and empties <paramref name="group"/> for the next.</summary>
    private static void Close(List<(Instant At, LedgerLotMovement[] Movements)> groups, Instant? at, List<LedgerLotMovement> group)
    {
        if (at is { } instant && group.Count > 0)
        {
            groups.Add((instant, group.ToArray()));
        }

        group.Clear();
    }

    /// <summary>What <see cref="Expiring"/> answers, by a scan of every lot.</summary>
    public List<(Instant At, long Points)> ExpiringByScan(Instant asOf, Instant end)
    {
        var deadline = InactivityDeadline;
        var list = new List<(Instant At, long Points)>();
        foreach (var lot in Lots.Values)
        {
            if (lot.Remaining > 0 && EffectiveExpiry(lot, deadline) is { } e && e > asOf && e <= end)
            {
                list.Add((e, lot.Remaining));
            }
        }

        if (list.Count > 1)
        {
            list.Sort(static (a, b) => a.At.CompareTo(b.At));
        }

        return list;
    }

    private int CompareForSpending(Lot a, Lot b)
        => LotAllocator.Compare(EffectiveExpiry(a, sortDeadline), a.Sequence, EffectiveExpiry(b, sortDeadline), b.Sequence);

    /// <summary>Applies a recorded transaction. Lots it moves must be loaded.</summary>
    public void Apply(LedgerTransactionRecord r)
    {
        if (!r.ChainHash.IsNone)
        {
            // A sealed transaction is the account's last link (a replay of the log carries the chain on).
            ChainHash = r.ChainHash;
        }

        switch (r.Kind)
        {
            case LedgerTransactionKind.Earn:
            case LedgerTransactionKind.Adjust when r.Amount > 0:
                var created = new Lot
                {
                    Id = r.Id, Sequence = r.Version, Original = r.Amount, Remaining = 0,
                    CreatedAt = r.RecordedAt, AvailableAt = r.AvailableAt ?? r.RecordedAt, ExpiresAt = r.ExpiresAt, Changed = true,
                };
                Lots[r.Id] = created;
                touched.Add(created);
                break;
            case LedgerTransactionKind.Hold:
                Holds[r.Id] = new Hold { Id = r.Id, Amount = r.Amount, CreatedAt = r.RecordedAt, ExpiresAt = r.ExpiresAt ?? r.RecordedAt, Changed = true };
                break;
            case LedgerTransactionKind.Capture:
            case LedgerTransactionKind.Release:
                if (r.RelatedId is { } holdId && Holds.TryGetValue(holdId, out var hold))
                {
                    hold.Status = r.Kind == LedgerTransactionKind.Capture ? LedgerHoldStatus.Captured : LedgerHoldStatus.Released;
                    hold.Captured = r.Kind == LedgerTransactionKind.Capture ? r.Amount : 0;
                    hold.ClosedBy = r.Id;
                    hold.Changed = true;
                }

                break;
        }

        long moved = 0;
        var movements = r.Movements;
        for (var i = 0; i < movements.Count; i++)
        {
            var m = movements[i];
            var lot = Lots[m.LotId];
            var before = lot.Remaining;
            lot.Remaining = checked(before + m.Delta);
            if (!lot.Changed)
            {
                lot.Changed = true;
                touched.Add(lot);
            }

            if (byExpiry is not null)
            {
                Moved(lot, before);
            }

            LotPoints = checked(LotPoints + m.Delta);
            moved = checked(moved + m.Delta);
        }

        Debt = checked(Debt + r.DebtChange);
        switch (r.Kind)
        {
            case LedgerTransactionKind.Earn:
                Earned = checked(Earned + r.Amount);
                LastActivityAt = r.RecordedAt;
                break;
            case LedgerTransactionKind.Redeem:
            case LedgerTransactionKind.Capture:
                Redeemed = checked(Redeemed + r.Amount);
                LastActivityAt = r.RecordedAt;
                break;
            case LedgerTransactionKind.Expire:
                Expired = checked(Expired - moved);
                break;
            case LedgerTransactionKind.Reverse when moved > 0:
                Redeemed = checked(Redeemed - r.Amount);
                break;
            case LedgerTransactionKind.Reverse:
                Reversed = checked(Reversed + r.Applied);
                WrittenOff = checked(WrittenOff + r.WrittenOff);
                break;
            case LedgerTransactionKind.Adjust:
                Adjusted = checked(Adjusted + r.Amount);
                break;
        }

        Version = r.Version;
        UpdatedAt = r.RecordedAt;
    }

    /// <summary>The lots changed since the last <see cref="Settle"/> (what an append writes).</summary>
    public LedgerLotRecord[] ChangedLotRecords()
    {
        var count = 0;
        foreach (var lot in touched)
        {
            count += lot.Changed ? 1 : 0;
        }

        if (count == 0)
        {
            return [];
        }

        var records = new LedgerLotRecord[count];
        var i = 0;
        foreach (var lot in touched)
        {
            if (lot.Changed)
            {
                records[i++] = lot.ToRecord();
            }
        }

        return records;
    }

    /// <summary>
    /// Brings the state to what <see cref="FromSnapshot"/> would decode from the store once the
    /// applied transactions are written: only lots with points remaining and open holds are kept,
    /// and nothing is marked changed.
    /// </summary>
    public void Settle()
    {
        spendingScratch?.Clear();
        foreach (var lot in touched)
        {
            lot.Changed = false;
            if (lot.Remaining == 0)
            {
                Lots.Remove(lot.Id);
            }
        }

        touched.Clear();
        if (loaded is { Count: > 0 })
        {
            foreach (var lot in loaded)
            {
                if (lot.Remaining == 0)
                {
                    Lots.Remove(lot.Id);
                }
            }

            loaded.Clear();
        }

        foreach (var (id, hold) in Holds)
        {
            if (hold.Status != LedgerHoldStatus.Open)
            {
                Holds.Remove(id);
            }
            else
            {
                hold.Changed = false;
            }
        }
    }

    /// <summary>Builds the head after the last applied transaction, with figures at <paramref name="now"/>.</summary>
    public LedgerAccountHead ToHead(Instant now)
    {
        if (!Indexed())
        {
            return ToHeadByScan(now);
        }

        var f = Compute(now);
        var deadline = InactivityDeadline;
        Instant? nextChange = null, nextExpiry = null;
        if (byExpiry!.Count > 0)
        {
            // The soonest effective expiry of an open lot: its own date, or the deadline if sooner.
            var soonest = byExpiry.Min!;
            nextExpiry = deadline is { } d ? (soonest.ExpiresAt is { } e && e < d ? e : d) : soonest.ExpiresAt;

            // A pending lot becoming available (the index keeps them by availability).
            if (pendingLots!.Count > 0)
            {
                nextChange = pendingLots.Min!.AvailableAt;
            }

            // The soonest effective expiry after now: lots not expired at now are the available and pending buckets.
            if (!(deadline is { } d2 && d2 <= now) && availableSum + pendingSum != 0)
            {
                var firstLive = soonest.ExpiresAt is { } se && se <= now
                    ? byExpiry.GetViewBetween(Lot.Probe(now, long.MaxValue), AfterEveryLot).Min
                    : soonest;
                var liveExpiry = firstLive?.ExpiresAt;
                if (deadline is { } d3 && (liveExpiry is null || liveExpiry >= d3))
                {
                    liveExpiry = d3;
                }

                if (liveExpiry is { } le)
                {
                    nextChange = Min(nextChange, le);
                }
            }
        }

        nextChange = NextHoldLapse(nextChange, now);
        return NewHead(now, f, LotPointsOf(f), nextChange, nextExpiry);
    }

    /// <summary>The head by a scan of every lot: the reference <see cref="ToHead"/> is tested against.</summary>
    public LedgerAccountHead ToHeadByScan(Instant now)
    {
        var f = ComputeByScan(now);
        var deadline = InactivityDeadline;
        long lotPoints = 0;
        Instant? nextChange = null, nextExpiry = null;
        foreach (var lot in Lots.Values)
        {
            if (lot.Remaining == 0)
            {
                continue;
            }

            lotPoints = checked(lotPoints + lot.Remaining);
            if (lot.AvailableAt > now)
            {
                nextChange = Min(nextChange, lot.AvailableAt);
            }

            if (EffectiveExpiry(lot, deadline) is { } e)
            {
                nextExpiry = Min(nextExpiry, e);
                if (e > now)
                {
                    nextChange = Min(nextChange, e);
                }
            }
        }

        nextChange = NextHoldLapse(nextChange, now);
        return NewHead(now, f, lotPoints, nextChange, nextExpiry);
    }

    /// <summary>The balance from a head alone, valid while <paramref name="t"/> is before <see cref="LedgerAccountHead.NextChangeAt"/>.</summary>
    public static LedgerBalance FromHead(LedgerAccountHead h, Instant t)
    {
        // Lots past expiry but not swept are the part of LotPoints not in available, held, pending.
        var unswept = h.LotPoints - (h.AvailableSnapshot + h.HeldSnapshot + h.Debt) - h.PendingSnapshot;
        return new LedgerBalance
        {
            AsOf = t,
            Available = Points.FromInt64(h.AvailableSnapshot),
            Pending = Points.FromInt64(h.PendingSnapshot),
            Held = Points.FromInt64(h.HeldSnapshot),
            Debt = Points.FromInt64(h.Debt),
            Earned = Points.FromInt64(h.Earned),
            Redeemed = Points.FromInt64(h.Redeemed),
            Expired = Points.FromInt64(checked(h.Expired + unswept)),
            Reversed = Points.FromInt64(h.Reversed),
            Adjusted = Points.FromInt64(h.Adjusted),
            WrittenOff = Points.FromInt64(h.WrittenOff),
            Version = h.Version,
        };
    }

    private static Instant? Min(Instant? a, Instant b) => a is { } x && x <= b ? x : b;

    private static long LotPointsOf(Figures f) => checked(f.AvailableLots + f.Pending + f.ExpiredUnswept);

    private LedgerBalance ToBalance(Figures f, Instant t) => new()
    {
        AsOf = t,
        Available = Points.FromInt64(f.AvailableLots - f.Held - Debt),
        Pending = Points.FromInt64(f.Pending),
        Held = Points.FromInt64(f.Held),
        Debt = Points.FromInt64(Debt),
        Earned = Points.FromInt64(Earned),
        Redeemed = Points.FromInt64(Redeemed),
        Expired = Points.FromInt64(checked(Expired + f.ExpiredUnswept)),
        Reversed = Points.FromInt64(Reversed),
        Adjusted = Points.FromInt64(Adjusted),
        WrittenOff = Points.FromInt64(WrittenOff),
        Version = Version,
    };

    private LedgerAccountHead NewHead(Instant now, Figures f, long lotPoints, Instant? nextChange, Instant? nextExpiry) => new()
    {
        ProgramId = Key.ProgramId, MemberId = Key.MemberId, Version = Version, UpdatedAt = now,
        LotPoints = lotPoints, Debt = Debt, Earned = Earned, Redeemed = Redeemed, Expired = Expired,
        Reversed = Reversed, Adjusted = Adjusted, WrittenOff = WrittenOff, LastActivityAt = LastActivityAt,
        AvailableSnapshot = f.AvailableLots - f.Held - Debt, PendingSnapshot = f.Pending, HeldSnapshot = f.Held,
        NextChangeAt = nextChange, NextExpiryAt = nextExpiry, ChainHash = ChainHash,
    };

    private long HeldActive(Instant t)
    {
        long held = 0;
        foreach (var (_, hold) in Holds)
        {
            if (hold.Status == LedgerHoldStatus.Open && hold.ExpiresAt > t)
            {
                held = checked(held + hold.Amount);
            }
        }

        return held;
    }

    private Instant? NextHoldLapse(Instant? nextChange, Instant now)
    {
        foreach (var (_, hold) in Holds)
        {
            if (hold.Status == LedgerHoldStatus.Open && hold.ExpiresAt > now)
            {
                nextChange = Min(nextChange, hold.ExpiresAt);
            }
        }

        return nextChange;
    }

    /// <summary>Whether the lots are indexed: they are once there are <see cref="indexFrom"/> of them, and stay so.</summary>
    private bool Indexed()
    {
        if (byExpiry is not null)
        {
            return true;
        }

        if (Lots.Count < indexFrom)
        {
            return false;
        }

        EnsureIndexed();
        return true;
    }

    private void EnsureIndexed()
    {
        if (byExpiry is not null)
        {
            return;
        }

        byExpiry = new SortedSet<Lot>(ExpiryOrder.Instance);
        pendingLots = new SortedSet<Lot>(AvailabilityOrder.Instance);
        foreach (var lot in Lots.Values)
        {
            if (lot.Remaining != 0)
            {
                byExpiry.Add(lot);
            }
        }
    }

    private static Bucket BucketAt(Lot lot, Instant f)
        => lot.ExpiresAt is { } e && e <= f ? Bucket.Expired : lot.AvailableAt > f ? Bucket.Pending : Bucket.Available;

    private void AddTo(Bucket bucket, long points)
    {
        switch (bucket)
        {
            case Bucket.Available:
                availableSum = checked(availableSum + points);
                break;
            case Bucket.Pending:
                pendingSum = checked(pendingSum + points);
                break;
            default:
                expiredSum = checked(expiredSum + points);
                break;
        }
    }

    /// <summary>Indexes a lot that has just become open with <paramref name="points"/>.</summary>
    private void Open(Lot lot, long points)
    {
        byExpiry!.Add(lot);
        if (frontier is { } f)
        {
            var bucket = BucketAt(lot, f);
            if (bucket == Bucket.Pending)
            {
                pendingLots!.Add(lot);
            }

            AddTo(bucket, points);
        }
    }

    /// <summary>Keeps the index after a lot's remaining points changed from <paramref name="before"/>.</summary>
    private void Moved(Lot lot, long before)
    {
        var after = lot.Remaining;
        if (before == 0)
        {
            if (after != 0)
            {
                Open(lot, after);
            }

            return;
        }

        var bucket = frontier is { } f ? BucketAt(lot, f) : (Bucket?)null;
        if (after == 0)
        {
            byExpiry!.Remove(lot);
            if (bucket == Bucket.Pending)
            {
                pendingLots!.Remove(lot);
            }
        }

        if (bucket is { } b)
        {
            AddTo(b, after - before);
        }
    }

    /// <summary>Classifies every open lot at <paramref name="t"/> (the first question, or one about an earlier instant).</summary>
    private void Classify(Instant t)
    {
        pendingLots!.Clear();
        availableSum = pendingSum = expiredSum = 0;
        foreach (var lot in byExpiry!)
        {
            var bucket = BucketAt(lot, t);
            if (bucket == Bucket.Pending)
            {
                pendingLots.Add(lot);
            }

            AddTo(bucket, lot.Remaining);
        }

        frontier = t;
    }

    /// <summary>Moves the frontier from <paramref name="from"/> to the later <paramref name="to"/>: only the lots that cross it move.</summary>
    private void Advance(Instant from, Instant to)
    {
        // Lots expiring in (from, to]: from their bucket at `from` (available or pending) to expired.
        if (byExpiry!.Count > 0 && byExpiry.Min!.ExpiresAt is { } soonest && soonest <= to)
        {
            List<Lot>? crossing = null;
            foreach (var lot in byExpiry.GetViewBetween(Lot.Probe(from, long.MaxValue), Lot.Probe(to, long.MaxValue)))
            {
                (crossing ??= []).Add(lot);
            }

            if (crossing is not null)
            {
                foreach (var lot in crossing)
                {
                    var was = BucketAt(lot, from);
                    if (was == Bucket.Pending)
                    {
                        pendingLots!.Remove(lot);
                    }

                    AddTo(was, -lot.Remaining);
                    expiredSum = checked(expiredSum + lot.Remaining);
                }
            }
        }

        // Pending lots available by `to` (none of them expired: those were just moved).
        while (pendingLots!.Count > 0 && pendingLots.Min is { } next && next.AvailableAt <= to)
        {
            pendingLots.Remove(next);
            pendingSum = checked(pendingSum - next.Remaining);
            availableSum = checked(availableSum + next.Remaining);
        }

        frontier = to;
    }

    /// <summary>Lots by expiry (none last), then sequence: <see cref="LotAllocator.Compare"/> on their own dates.</summary>
    private sealed class ExpiryOrder : IComparer<Lot>
    {
        public static readonly ExpiryOrder Instance = new();

        public int Compare(Lot? x, Lot? y) => LotAllocator.Compare(x!.ExpiresAt, x.Sequence, y!.ExpiresAt, y.Sequence);
    }

    /// <summary>Lots by availability, then sequence.</summary>
    private sealed class AvailabilityOrder : IComparer<Lot>
    {
        public static readonly AvailabilityOrder Instance = new();

        public int Compare(Lot? x, Lot? y)
        {
            var c = x!.AvailableAt.CompareTo(y!.AvailableAt);
            return c != 0 ? c : x.Sequence.CompareTo(y.Sequence);
        }
    }
}

/// <summary>Pure lot allocation: which lots give how much, soonest-expiry-first, ties by age.</summary>
internal static class LotAllocator
{
    /// <summary>Orders lots: an earlier expiry first, no expiry last; equal expiries by age (sequence).</summary>
    public static int Compare(Instant? expiryA, long sequenceA, Instant? expiryB, long sequenceB)
    {
        var c = (expiryA, expiryB) switch
        {
            (null, null) => 0,
            (null, _) => 1,
            (_, null) => -1,
            var (a, b) => a!.Value.CompareTo(b!.Value),
        };
        return c != 0 ? c : sequenceA.CompareTo(sequenceB);
    }

    /// <summary>Takes <paramref name="amount"/> from the lots in the given order; returns the movements (negative) and what could not be taken.</summary>
    public static long Take(IReadOnlyList<Lot> orderedLots, long amount, List<LedgerLotMovement> movements)
    {
        var rest = amount;
        for (var i = 0; i < orderedLots.Count; i++)
        {
            var lot = orderedLots[i];
            if (rest == 0)
            {
                break;
            }

            var take = Math.Min(rest, lot.Remaining);
            if (take > 0)
            {
                movements.Add(new LedgerLotMovement(lot.Id, -take));
                rest -= take;
            }
        }

        return rest;
    }
}
