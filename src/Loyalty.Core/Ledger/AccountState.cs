using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Ledger;

/// <summary>A lot in memory while a write is decided or the log is replayed.</summary>
internal sealed class Lot
{
    public required TransactionId Id { get; init; }

    public required long Sequence { get; init; }

    public required long Original { get; init; }

    public required Instant CreatedAt { get; init; }

    public required Instant AvailableAt { get; init; }

    public Instant? ExpiresAt { get; init; }

    public long Remaining { get; set; }

    public bool Changed { get; set; }

    public static Lot From(LedgerLotRecord r) => new()
    {
        Id = r.LotId, Sequence = r.Sequence, Original = r.OriginalAmount, Remaining = r.Remaining,
        CreatedAt = r.CreatedAt, AvailableAt = r.AvailableAt, ExpiresAt = r.ExpiresAt,
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
internal sealed class AccountState
{
    private readonly ExpiryPolicy policy;
    private readonly DateTimeZone zone;
    private List<Lot>? spendingScratch;
    private Comparison<Lot>? spendingComparison;
    private Instant? sortDeadline;

    public AccountState(LedgerAccountKey key, ExpiryPolicy policy, DateTimeZone zone)
    {
        Key = key;
        this.policy = policy;
        this.zone = zone;
    }

    public LedgerAccountKey Key { get; }

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

    public Dictionary<TransactionId, Lot> Lots { get; } = [];

    public Dictionary<TransactionId, Hold> Holds { get; } = [];

    public static AccountState FromSnapshot(LedgerAccountKey key, LedgerAccountSnapshot snapshot, ExpiryPolicy policy, DateTimeZone zone)
    {
        var state = new AccountState(key, policy, zone);
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

        foreach (var lot in snapshot.OpenLots)
        {
            state.Lots[lot.LotId] = Lot.From(lot);
            state.LotPoints = checked(state.LotPoints + lot.Remaining);
        }

        foreach (var hold in snapshot.OpenHolds)
        {
            state.Holds[hold.HoldId] = Hold.From(hold);
        }

        return state;
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

    public Figures Compute(Instant t)
    {
        long available = 0, pending = 0, held = 0, expired = 0;
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

        foreach (var hold in Holds.Values)
        {
            if (hold.Status == LedgerHoldStatus.Open && hold.ExpiresAt > t)
            {
                held = checked(held + hold.Amount);
            }
        }

        return new Figures(available, pending, held, expired);
    }

    public LedgerBalance Balance(Instant t)
    {
        var f = Compute(t);
        return new LedgerBalance
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
    }

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
    /// The list is this state's scratch list: valid until the next call.
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

    private int CompareForSpending(Lot a, Lot b)
        => LotAllocator.Compare(EffectiveExpiry(a, sortDeadline), a.Sequence, EffectiveExpiry(b, sortDeadline), b.Sequence);

    /// <summary>Applies a recorded transaction. Lots it moves must be loaded.</summary>
    public void Apply(LedgerTransactionRecord r)
    {
        switch (r.Kind)
        {
            case LedgerTransactionKind.Earn:
            case LedgerTransactionKind.Adjust when r.Amount > 0:
                Lots[r.Id] = new Lot
                {
                    Id = r.Id, Sequence = r.Version, Original = r.Amount, Remaining = 0,
                    CreatedAt = r.RecordedAt, AvailableAt = r.AvailableAt ?? r.RecordedAt, ExpiresAt = r.ExpiresAt, Changed = true,
                };
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
            lot.Remaining = checked(lot.Remaining + m.Delta);
            lot.Changed = true;
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

    /// <summary>
    /// Brings the state to what <see cref="FromSnapshot"/> would decode from the store once the
    /// applied transactions are written: only lots with points remaining and open holds are kept,
    /// and nothing is marked changed.
    /// </summary>
    public void Settle()
    {
        spendingScratch?.Clear();
        foreach (var (id, lot) in Lots)
        {
            if (lot.Remaining == 0)
            {
                Lots.Remove(id);
            }
            else
            {
                lot.Changed = false;
            }
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
        var f = Compute(now);
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

        foreach (var hold in Holds.Values)
        {
            if (hold.Status == LedgerHoldStatus.Open && hold.ExpiresAt > now)
            {
                nextChange = Min(nextChange, hold.ExpiresAt);
            }
        }

        return new LedgerAccountHead
        {
            ProgramId = Key.ProgramId, MemberId = Key.MemberId, Version = Version, UpdatedAt = now,
            LotPoints = lotPoints, Debt = Debt, Earned = Earned, Redeemed = Redeemed, Expired = Expired,
            Reversed = Reversed, Adjusted = Adjusted, WrittenOff = WrittenOff, LastActivityAt = LastActivityAt,
            AvailableSnapshot = f.AvailableLots - f.Held - Debt, PendingSnapshot = f.Pending, HeldSnapshot = f.Held,
            NextChangeAt = nextChange, NextExpiryAt = nextExpiry, ChainHash = ChainHash,
        };
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
