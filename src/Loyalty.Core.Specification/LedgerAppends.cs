using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Specification;

/// <summary>
/// Builds consistent appends (transaction, lots, holds and the new head) from a snapshot, the
/// way a ledger service would, so that the specification exercises stores with realistic data.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class LedgerAppends
{
    /// <summary>An earn of <paramref name="amount"/> points, available at once unless <paramref name="pending"/> is given.</summary>
    public static LedgerAppend Earn(
        LedgerAccountKey account, LedgerAccountSnapshot snapshot, TransactionId id, long amount, Instant at,
        Instant? expiresAt = null, Duration? pending = null)
    {
        var version = snapshot.Version + 1;
        var availableAt = at + (pending ?? Duration.Zero);
        var tx = Transaction(account, id, version, LedgerTransactionKind.Earn, amount, at) with
        {
            PendingPeriod = pending,
            AvailableAt = availableAt,
            ExpiresAt = expiresAt,
            Movements = [new LedgerLotMovement(id, amount)],
        };
        var lot = new LedgerLotRecord
        {
            LotId = id,
            Sequence = version,
            OriginalAmount = amount,
            Remaining = amount,
            CreatedAt = at,
            AvailableAt = availableAt,
            ExpiresAt = expiresAt,
        };
        var lots = snapshot.OpenLots.Append(lot).ToList();
        var head = Head(account, snapshot, version, at, lots, snapshot.OpenHolds) with
        {
            Earned = (snapshot.Head?.Earned ?? 0) + amount,
            LastActivityAt = at,
        };
        return new LedgerAppend { Account = account, ExpectedVersion = snapshot.Version, Transactions = [tx], Head = head, Lots = [lot] };
    }

    /// <summary>A redemption of <paramref name="amount"/> points from available lots, soonest expiry first;
    /// null when the available points do not cover it.</summary>
    public static LedgerAppend? Redeem(LedgerAccountKey account, LedgerAccountSnapshot snapshot, TransactionId id, long amount, Instant at)
    {
        var spendable = snapshot.OpenLots
            .Where(l => l.Remaining > 0 && l.AvailableAt <= at && (l.ExpiresAt is null || l.ExpiresAt > at))
            .OrderBy(l => l.ExpiresAt ?? Instant.MaxValue).ThenBy(l => l.Sequence)
            .ToList();
        var held = snapshot.OpenHolds.Sum(h => h.Amount);
        if (spendable.Sum(l => l.Remaining) - held < amount)
        {
            return null;
        }

        var version = snapshot.Version + 1;
        var movements = new List<LedgerLotMovement>();
        var changed = new List<LedgerLotRecord>();
        var left = amount;
        foreach (var lot in spendable)
        {
            if (left == 0)
            {
                break;
            }

            var take = Math.Min(left, lot.Remaining);
            left -= take;
            movements.Add(new LedgerLotMovement(lot.LotId, -take));
            changed.Add(lot with { Remaining = lot.Remaining - take });
        }

        var tx = Transaction(account, id, version, LedgerTransactionKind.Redeem, amount, at) with { Movements = movements };
        var lots = snapshot.OpenLots.Select(l => changed.FirstOrDefault(c => c.LotId == l.LotId) ?? l).ToList();
        var head = Head(account, snapshot, version, at, lots, snapshot.OpenHolds) with
        {
            Redeemed = (snapshot.Head?.Redeemed ?? 0) + amount,
            LastActivityAt = at,
        };
        return new LedgerAppend { Account = account, ExpectedVersion = snapshot.Version, Transactions = [tx], Head = head, Lots = changed };
    }

    /// <summary>A hold of <paramref name="amount"/> points until <paramref name="expiresAt"/>.</summary>
    public static LedgerAppend Hold(LedgerAccountKey account, LedgerAccountSnapshot snapshot, TransactionId id, long amount, Instant at, Instant expiresAt)
    {
        var version = snapshot.Version + 1;
        var tx = Transaction(account, id, version, LedgerTransactionKind.Hold, amount, at) with { ExpiresAt = expiresAt };
        var hold = new LedgerHoldRecord { HoldId = id, Amount = amount, CreatedAt = at, ExpiresAt = expiresAt, Status = LedgerHoldStatus.Open };
        var head = Head(account, snapshot, version, at, snapshot.OpenLots, snapshot.OpenHolds.Append(hold).ToList());
        return new LedgerAppend { Account = account, ExpectedVersion = snapshot.Version, Transactions = [tx], Head = head, Holds = [hold] };
    }

    /// <summary>The release of an open hold.</summary>
    public static LedgerAppend Release(LedgerAccountKey account, LedgerAccountSnapshot snapshot, TransactionId id, TransactionId holdId, Instant at)
    {
        var hold = snapshot.OpenHolds.Single(h => h.HoldId == holdId);
        var version = snapshot.Version + 1;
        var tx = Transaction(account, id, version, LedgerTransactionKind.Release, hold.Amount, at) with { RelatedId = holdId };
        var closed = hold with { Status = LedgerHoldStatus.Released, ClosedBy = id };
        var head = Head(account, snapshot, version, at, snapshot.OpenLots, snapshot.OpenHolds.Where(h => h.HoldId != holdId).ToList());
        return new LedgerAppend { Account = account, ExpectedVersion = snapshot.Version, Transactions = [tx], Head = head, Holds = [closed] };
    }

    /// <summary>Several earns in one append, with consecutive versions.</summary>
    public static LedgerAppend EarnMany(LedgerAccountKey account, LedgerAccountSnapshot snapshot, IReadOnlyList<TransactionId> ids, long amountEach, Instant at)
    {
        var current = snapshot;
        var transactions = new List<LedgerTransactionRecord>();
        var lots = new List<LedgerLotRecord>();
        LedgerAccountHead? head = null;
        foreach (var id in ids)
        {
            var one = Earn(account, current, id, amountEach, at);
            transactions.Add(one.Transactions[0]);
            lots.Add(one.Lots[0]);
            head = one.Head;
            current = new LedgerAccountSnapshot(one.Head, current.OpenLots.Append(one.Lots[0]).ToList(), current.OpenHolds);
        }

        return new LedgerAppend { Account = account, ExpectedVersion = snapshot.Version, Transactions = transactions, Head = head!, Lots = lots };
    }

    private static LedgerTransactionRecord Transaction(LedgerAccountKey account, TransactionId id, long version, LedgerTransactionKind kind, long amount, Instant at) => new()
    {
        ProgramId = account.ProgramId,
        MemberId = account.MemberId,
        Id = id,
        Version = version,
        Kind = kind,
        RecordedAt = at,
        EffectiveAt = at,
        Amount = amount,
    };

    private static LedgerAccountHead Head(
        LedgerAccountKey account, LedgerAccountSnapshot snapshot, long version, Instant at,
        IReadOnlyList<LedgerLotRecord> lots, IReadOnlyList<LedgerHoldRecord> holds)
    {
        var open = lots.Where(l => l.Remaining != 0).ToList();
        var available = open.Where(l => l.AvailableAt <= at && (l.ExpiresAt is null || l.ExpiresAt > at)).Sum(l => l.Remaining);
        var pending = open.Where(l => l.AvailableAt > at).Sum(l => l.Remaining);
        var held = holds.Sum(h => h.Amount);
        var changes = open.Select(l => l.AvailableAt).Where(i => i > at)
            .Concat(open.Where(l => l.ExpiresAt is not null).Select(l => l.ExpiresAt!.Value))
            .Concat(holds.Select(h => h.ExpiresAt))
            .Where(i => i > at)
            .ToList();
        var expiries = open.Where(l => l.ExpiresAt is not null).Select(l => l.ExpiresAt!.Value).ToList();
        var previous = snapshot.Head ?? new LedgerAccountHead { ProgramId = account.ProgramId, MemberId = account.MemberId, Version = 0, UpdatedAt = at };
        return previous with
        {
            Version = version,
            UpdatedAt = at,
            LotPoints = open.Sum(l => l.Remaining),
            AvailableSnapshot = available - held,
            PendingSnapshot = pending,
            HeldSnapshot = held,
            NextChangeAt = changes.Count == 0 ? null : changes.Min(),
            NextExpiryAt = expiries.Count == 0 ? null : expiries.Min(),
        };
    }
}
