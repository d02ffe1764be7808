using Loyalty.Core.Ledger;
using NodaTime;

namespace Loyalty.Core.Tests.Ledger;

/// <summary>
/// A deliberately naive model of the ledger rules for one member in UTC with a rolling expiry
/// of <see cref="ExpiryDays"/> days: plain lists, linear scans, no projections, no store.
/// Property tests drive it side by side with <see cref="PointsLedger"/>.
/// </summary>
internal sealed class ReferenceLedger(ShortfallPolicy shortfall)
{
    public const int ExpiryDays = 30;
    public static readonly Duration HoldLifetime = Duration.FromHours(2);

    private readonly List<RLot> lots = [];
    private readonly List<RHold> holds = [];
    private readonly Dictionary<string, string> signatures = [];
    private readonly Dictionary<string, (string Kind, long Amount, List<(string Lot, long Amount)> Allocation)> recorded = [];
    private readonly Dictionary<string, long> reversedOf = [];
    private readonly Dictionary<string, Dictionary<string, long>> restoredOf = [];
    private int sequence;

    public long Debt { get; private set; }

    public long Earned { get; private set; }

    public long Redeemed { get; private set; }

    public long ExpiredSwept { get; private set; }

    public long Reversed { get; private set; }

    public long Adjusted { get; private set; }

    public long WrittenOff { get; private set; }

    /// <summary>The allocation the model expects for the last successful redeem or capture.</summary>
    public List<(string Lot, long Amount)> LastAllocation { get; private set; } = [];

    public LedgerErrorCode? Earn(string id, long amount, Duration pending, Instant now)
        => Idempotent(id, $"Earn|{amount}|{pending}", () =>
        {
            var lot = new RLot(id, ++sequence, amount, now + pending, now + Duration.FromDays(ExpiryDays));
            var repay = Math.Min(Debt, amount);
            Debt -= repay;
            lot.Remaining = amount - repay;
            lots.Add(lot);
            Earned += amount;
            recorded[id] = ("Earn", amount, []);
            return null;
        });

    public LedgerErrorCode? Redeem(string id, long amount, Instant now)
        => Idempotent(id, $"Redeem|{amount}", () =>
        {
            if (amount > Spendable(now, null))
            {
                return LedgerErrorCode.InsufficientPoints;
            }

            var allocation = Take(SpendingOrder(now), amount);
            Redeemed += amount;
            recorded[id] = ("Redeem", amount, allocation);
            return null;
        });

    public LedgerErrorCode? Hold(string id, long amount, Instant now)
        => Idempotent(id, $"Hold|{amount}", () =>
        {
            if (amount > Spendable(now, null))
            {
                return LedgerErrorCode.InsufficientPoints;
            }

            holds.Add(new RHold(id, amount, now + HoldLifetime));
            recorded[id] = ("Hold", amount, []);
            ++sequence;
            return null;
        });

    public LedgerErrorCode? Capture(string id, string holdId, long? amount, Instant now)
        => Idempotent(id, $"Capture|{holdId}|{amount?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all"}", () =>
        {
            var hold = holds.Find(h => h.Id == holdId);
            var state = HoldState(hold, now);
            if (state is not null)
            {
                return state;
            }

            var take = amount ?? hold!.Amount;
            if (take > hold!.Amount)
            {
                return LedgerErrorCode.CaptureExceedsHold;
            }

            if (take > Spendable(now, hold))
            {
                return LedgerErrorCode.InsufficientPoints;
            }

            var allocation = Take(SpendingOrder(now), take);
            hold.State = "captured";
            Redeemed += take;
            recorded[id] = ("Capture", take, allocation);
            return null;
        });

    public LedgerErrorCode? Release(string id, string holdId, Instant now)
        => Idempotent(id, $"Release|{holdId}", () =>
        {
            var hold = holds.Find(h => h.Id == holdId);
            var state = HoldState(hold, now);
            if (state is not null)
            {
                return state;
            }

            hold!.State = "released";
            recorded[id] = ("Release", hold.Amount, []);
            return null;
        });

    public LedgerErrorCode? Reverse(string id, string originalId, long amount, Instant now)
        => Idempotent(id, $"Reverse|{originalId}|{amount}", () =>
        {
            if (!recorded.TryGetValue(originalId, out var original))
            {
                return LedgerErrorCode.UnknownTransaction;
            }

            if (original.Kind is not ("Earn" or "Redeem" or "Capture"))
            {
                return LedgerErrorCode.NotReversible;
            }

            var before = reversedOf.GetValueOrDefault(originalId);
            if (before + amount > original.Amount)
            {
                return LedgerErrorCode.ReversalExceedsOriginal;
            }

            reversedOf[originalId] = before + amount;
            recorded[id] = ("Reverse", amount, []);
            if (original.Kind == "Earn")
            {
                var own = lots.Single(l => l.Id == originalId);
                var rest = amount;
                if (own.ExpiresAt > now)
                {
                    var t = Math.Min(rest, own.Remaining);
                    own.Remaining -= t;
                    rest -= t;
                }

                var candidates = new List<RLot>();
                if (shortfall != ShortfallPolicy.OnlyPending)
                {
                    candidates.AddRange(SpendingOrder(now).Where(l => l != own));
                }

                candidates.AddRange(lots.Where(l => l != own && l.Remaining > 0 && l.AvailableAt > now && l.ExpiresAt > now)
                    .OrderBy(l => l.AvailableAt).ThenBy(l => l.Sequence));
                rest -= Take(candidates, rest).Sum(a => a.Amount);
                var debt = shortfall == ShortfallPolicy.AllowNegative ? rest : 0;
                Debt += debt;
                WrittenOff += rest - debt;
                Reversed += amount - rest + debt;
                return null;
            }

            var restored = restoredOf.TryGetValue(originalId, out var r) ? r : restoredOf[originalId] = [];
            var left = amount;
            for (var i = original.Allocation.Count - 1; i >= 0 && left > 0; i--)
            {
                var (lotId, given) = original.Allocation[i];
                var put = Math.Min(left, given - restored.GetValueOrDefault(lotId));
                if (put > 0)
                {
                    lots.Single(l => l.Id == lotId).Remaining += put;
                    restored[lotId] = restored.GetValueOrDefault(lotId) + put;
                    left -= put;
                }
            }

            Redeemed -= amount;
            return null;
        });

    public LedgerErrorCode? Adjust(string id, long signedAmount, Instant now)
        => Idempotent(id, $"Adjust|{signedAmount}", () =>
        {
            if (signedAmount > 0)
            {
                var lot = new RLot(id, ++sequence, signedAmount, now, now + Duration.FromDays(ExpiryDays));
                var repay = Math.Min(Debt, signedAmount);
                Debt -= repay;
                lot.Remaining = signedAmount - repay;
                lots.Add(lot);
            }
            else
            {
                if (-signedAmount > Spendable(now, null))
                {
                    return LedgerErrorCode.InsufficientPoints;
                }

                Take(SpendingOrder(now), -signedAmount);
                ++sequence;
            }

            Adjusted += signedAmount;
            recorded[id] = ("Adjust", signedAmount, []);
            return null;
        });

    public long ExpireDue(Instant asOf)
    {
        long expired = 0;
        foreach (var lot in lots.Where(l => l.Remaining > 0 && l.ExpiresAt <= asOf))
        {
            expired += lot.Remaining;
            lot.Remaining = 0;
        }

        ExpiredSwept += expired;
        return expired;
    }

    public LedgerBalance Balance(Instant t)
    {
        long available = 0, pending = 0, unswept = 0;
        foreach (var lot in lots)
        {
            if (lot.ExpiresAt <= t)
            {
                unswept += lot.Remaining;
            }
            else if (lot.AvailableAt <= t)
            {
                available += lot.Remaining;
            }
            else
            {
                pending += lot.Remaining;
            }
        }

        var heldActive = holds.Where(h => h.State == "open" && h.ExpiresAt > t).Sum(h => h.Amount);
        var held = Math.Min(heldActive, available);
        return new LedgerBalance
        {
            AsOf = t,
            Available = LedgerHarness.P(available - held - Debt),
            Pending = LedgerHarness.P(pending),
            Held = LedgerHarness.P(held),
            Debt = LedgerHarness.P(Debt),
            Earned = LedgerHarness.P(Earned),
            Redeemed = LedgerHarness.P(Redeemed),
            Expired = LedgerHarness.P(ExpiredSwept + unswept),
            Reversed = LedgerHarness.P(Reversed),
            Adjusted = LedgerHarness.P(Adjusted),
            WrittenOff = LedgerHarness.P(WrittenOff),
        };
    }

    private LedgerErrorCode? Idempotent(string id, string signature, Func<LedgerErrorCode?> apply)
    {
        if (signatures.TryGetValue(id, out var existing))
        {
            return existing == signature ? null : LedgerErrorCode.IdempotencyConflict;
        }

        var code = apply();
        if (code is null)
        {
            signatures[id] = signature;
        }

        return code;
    }

    private static LedgerErrorCode? HoldState(RHold? hold, Instant now) => hold switch
    {
        null => LedgerErrorCode.HoldNotFound,
        { State: "captured" } => LedgerErrorCode.HoldAlreadyCaptured,
        { State: "released" } => LedgerErrorCode.HoldAlreadyReleased,
        _ when hold.ExpiresAt <= now => LedgerErrorCode.HoldLapsed,
        _ => null,
    };

    private long Spendable(Instant now, RHold? excluding)
    {
        var available = lots.Where(l => l.AvailableAt <= now && l.ExpiresAt > now).Sum(l => l.Remaining);
        var heldActive = holds.Where(h => h != excluding && h.State == "open" && h.ExpiresAt > now).Sum(h => h.Amount);
        return available - Math.Min(heldActive, available) - Debt;
    }

    private List<RLot> SpendingOrder(Instant now)
        => lots.Where(l => l.Remaining > 0 && l.AvailableAt <= now && l.ExpiresAt > now)
            .OrderBy(l => l.ExpiresAt).ThenBy(l => l.Sequence).ToList();

    private List<(string Lot, long Amount)> Take(IEnumerable<RLot> ordered, long amount)
    {
        var allocation = new List<(string, long)>();
        foreach (var lot in ordered)
        {
            if (amount == 0)
            {
                break;
            }

            var t = Math.Min(amount, lot.Remaining);
            if (t > 0)
            {
                lot.Remaining -= t;
                amount -= t;
                allocation.Add((lot.Id, t));
            }
        }

        LastAllocation = allocation;
        return allocation;
    }

    private sealed class RLot(string id, int sequence, long amount, Instant availableAt, Instant expiresAt)
    {
        public string Id { get; } = id;

        public int Sequence { get; } = sequence;

        public long Amount { get; } = amount;

        public Instant AvailableAt { get; } = availableAt;

        public Instant ExpiresAt { get; } = expiresAt;

        public long Remaining { get; set; }
    }

    private sealed class RHold(string id, long amount, Instant expiresAt)
    {
        public string Id { get; } = id;

        public long Amount { get; } = amount;

        public Instant ExpiresAt { get; } = expiresAt;

        public string State { get; set; } = "open";
    }
}
