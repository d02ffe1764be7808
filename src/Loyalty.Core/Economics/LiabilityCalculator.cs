using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Economics;

/// <summary>When outstanding points expire, relative to the month of the liability's instant (in the programme's zone).</summary>
public enum ExpiryBucket
{
    /// <summary>They expire before the start of next month.</summary>
    ThisMonth = 0,

    /// <summary>They expire in the next two months (within 3 months counting this one).</summary>
    WithinThreeMonths = 1,

    /// <summary>They expire in months 4 to 12 counting this one.</summary>
    WithinTwelveMonths = 2,

    /// <summary>They expire after that.</summary>
    Later = 3,

    /// <summary>They have no expiry date.</summary>
    Never = 4,
}

/// <summary>One line of a liability split: points and their value.</summary>
/// <param name="Points">The points.</param>
/// <param name="Value">Their value: points × cost per point, rounded.</param>
public readonly record struct LiabilityFigure(long Points, Money Value);

/// <summary>The liability of outstanding points at an instant, valued and split.</summary>
/// <remarks>
/// Immutable. Every value is points × cost per point rounded to the money decimals, midpoint away
/// from zero, each line on its own, so the lines of a split may differ from the total by at most
/// half a minor unit each. Points are exact.
/// </remarks>
public sealed record LiabilityReport
{
    /// <summary>The instant.</summary>
    public required Instant AsOf { get; init; }

    /// <summary>The valuation used.</summary>
    public required PointValuation Valuation { get; init; }

    /// <summary>Accounts with points outstanding or owed.</summary>
    public required int Accounts { get; init; }

    /// <summary>Spendable points (available lots − held − debt).</summary>
    public required LiabilityFigure Available { get; init; }

    /// <summary>Points not yet spendable (return window).</summary>
    public required LiabilityFigure Pending { get; init; }

    /// <summary>Points reserved by open holds.</summary>
    public required LiabilityFigure Held { get; init; }

    /// <summary>Points owed by members (reported, not netted out of the lots' splits).</summary>
    public required long Debt { get; init; }

    /// <summary>Outstanding points: available + pending + held (= open lots − debt): the liability.</summary>
    public required LiabilityFigure Outstanding { get; init; }

    /// <summary>Open lot points (available, held or pending, before debt) by expiry bucket, every bucket present.</summary>
    public required IReadOnlyDictionary<ExpiryBucket, LiabilityFigure> ByExpiry { get; init; }

    /// <summary>Outstanding points by the member's tier; accounts with no tier are under <c>default(TierId)</c>.</summary>
    public required IReadOnlyDictionary<TierId, LiabilityFigure> ByTier { get; init; }

    /// <summary>Open lot points by issuing merchant; the programme's own lots are under <c>default(MerchantId)</c> (one merchant until coalition data exists).</summary>
    public required IReadOnlyDictionary<MerchantId, LiabilityFigure> ByMerchant { get; init; }
}

/// <summary>
/// The liability of outstanding points as of an instant: a pure, single-pass computation over
/// account snapshots (<see cref="LiabilityAccount"/>), which the shop streams from its ledger store
/// (<see cref="Storage.ILedgerSnapshotSource"/>) or from a replay.
/// </summary>
/// <remarks>Thread-safe; pure. Lots expired by the instant never count, whether maintenance swept them or not.</remarks>
public static class LiabilityCalculator
{
    /// <summary>Computes the liability.</summary>
    /// <param name="accounts">The accounts (each once).</param>
    /// <param name="asOf">The instant.</param>
    /// <param name="zone">The programme's time zone (for the expiry buckets' month boundaries).</param>
    /// <param name="valuation">The cost per point.</param>
    /// <param name="decimals">Money decimals, 0 to 4.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">An argument is null or out of range.</exception>
    public static LiabilityReport Compute(IEnumerable<LiabilityAccount> accounts, Instant asOf, DateTimeZone zone, PointValuation valuation, int decimals = 2)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(valuation);
        EconomicsGuard.Decimals(decimals, nameof(decimals));
        var totals = new LiabilityTotals(asOf, zone);
        foreach (var account in accounts)
        {
            ArgumentNullException.ThrowIfNull(account, nameof(accounts));
            totals.Add(account);
        }

        return totals.Report(valuation, decimals);
    }
}

/// <summary>
/// The sums <see cref="LiabilityCalculator"/> reports, account by account: sums of the accounts'
/// figures, so that sets of accounts summed apart (a replay's partitions, in parallel) and then added
/// together give the report one pass over every account gives.
/// </summary>
internal sealed class LiabilityTotals
{
    private readonly long[] buckets = new long[5];
    private readonly Dictionary<TierId, long> byTier = [];
    private readonly Dictionary<MerchantId, long> byMerchant = [];
    private readonly Instant b1;
    private readonly Instant b3;
    private readonly Instant b12;
    private long available, pending, held, debt, ownLots;
    private int count;

    // The points of the last run of accounts of one tier, not yet in byTier (a dictionary write per run, not per account).
    private TierId lastTier;
    private long lastTierPoints;
    private bool inRun;

    /// <summary>Empty sums at <paramref name="asOf"/>.</summary>
    public LiabilityTotals(Instant asOf, DateTimeZone zone)
    {
        AsOf = asOf;
        var month = asOf.InZone(zone).Date;
        var first = new LocalDate(month.Year, month.Month, 1);
        b1 = Internal.LocalCalendar.StartOfDay(first.PlusMonths(1), zone);
        b3 = Internal.LocalCalendar.StartOfDay(first.PlusMonths(3), zone);
        b12 = Internal.LocalCalendar.StartOfDay(first.PlusMonths(12), zone);
    }

    /// <summary>The instant of the sums.</summary>
    public Instant AsOf { get; }

    /// <summary>Adds one account (each account once).</summary>
    public void Add(LiabilityAccount account) => Add(account.LotSpan, account.Held, account.Debt, account.InactivityDeadline, account.Tier);

    /// <summary>Adds one account given by its figures (each account once): its open lots in any order, held points, debt, inactivity deadline and tier.</summary>
    public void Add(ReadOnlySpan<LiabilityLot> lots, long accountHeldAtOpenHolds, long accountDebt, Instant? deadline, TierId? accountTier)
    {
        var asOf = AsOf;
        long availableLots = 0, pendingLots = 0;
        foreach (ref readonly var lot in lots)
        {
            var expires = lot.ExpiresAt;
            if (deadline is { } d && (expires is null || d < expires.GetValueOrDefault()))
            {
                expires = d;
            }

            int bucket;
            if (expires is { } e)
            {
                if (e <= asOf)
                {
                    continue;
                }

                bucket = e <= b1 ? 0 : e <= b3 ? 1 : e <= b12 ? 2 : 3;
            }
            else
            {
                bucket = 4;
            }

            buckets[bucket] = checked(buckets[bucket] + lot.Points);
            if (lot.AvailableAt <= asOf)
            {
                availableLots = checked(availableLots + lot.Points);
            }
            else
            {
                pendingLots = checked(pendingLots + lot.Points);
            }

            if (lot.Merchant is { } merchant)
            {
                byMerchant[merchant] = checked(byMerchant.GetValueOrDefault(merchant) + lot.Points);
            }
            else
            {
                ownLots = checked(ownLots + lot.Points);
            }
        }

        var accountHeld = Math.Min(accountHeldAtOpenHolds, availableLots);
        if (availableLots + pendingLots == 0 && accountDebt == 0)
        {
            return;
        }

        count++;
        held = checked(held + accountHeld);
        available = checked(available + availableLots - accountHeld - accountDebt);
        pending = checked(pending + pendingLots);
        debt = checked(debt + accountDebt);
        var outstanding = availableLots + pendingLots - accountDebt;
        var tier = accountTier ?? default;
        if (inRun && tier == lastTier)
        {
            lastTierPoints = checked(lastTierPoints + outstanding);
        }
        else
        {
            FlushRun();
            lastTier = tier;
            lastTierPoints = outstanding;
            inRun = true;
        }
    }

    private void FlushRun()
    {
        if (inRun)
        {
            byTier[lastTier] = checked(byTier.GetValueOrDefault(lastTier) + lastTierPoints);
            inRun = false;
        }
    }

    /// <summary>Adds the sums of another set of accounts at the same instant.</summary>
    public void Add(LiabilityTotals other)
    {
        if (other.AsOf != AsOf)
        {
            throw new ArgumentException($"Liability sums at {other.AsOf} cannot be added to sums at {AsOf}.", nameof(other));
        }

        FlushRun();
        other.FlushRun();

        for (var i = 0; i < buckets.Length; i++)
        {
            buckets[i] = checked(buckets[i] + other.buckets[i]);
        }

        foreach (var (tier, points) in other.byTier)
        {
            byTier[tier] = checked(byTier.GetValueOrDefault(tier) + points);
        }

        foreach (var (merchant, points) in other.byMerchant)
        {
            byMerchant[merchant] = checked(byMerchant.GetValueOrDefault(merchant) + points);
        }

        available = checked(available + other.available);
        pending = checked(pending + other.pending);
        held = checked(held + other.held);
        debt = checked(debt + other.debt);
        ownLots = checked(ownLots + other.ownLots);
        count += other.count;
    }

    /// <summary>The report of the sums.</summary>
    public LiabilityReport Report(PointValuation valuation, int decimals = 2)
    {
        FlushRun();
        var merchants = new Dictionary<MerchantId, long>(byMerchant);
        if (ownLots != 0)
        {
            merchants[default] = checked(merchants.GetValueOrDefault(default) + ownLots);
        }

        LiabilityFigure F(long points) => new(points, valuation.Value(points, decimals));
        var expiry = new Dictionary<ExpiryBucket, LiabilityFigure>(5);
        for (var i = 0; i < 5; i++)
        {
            expiry[(ExpiryBucket)i] = F(buckets[i]);
        }

        return new LiabilityReport
        {
            AsOf = AsOf,
            Valuation = valuation,
            Accounts = count,
            Available = F(available),
            Pending = F(pending),
            Held = F(held),
            Debt = debt,
            Outstanding = F(checked(available + pending + held)),
            ByExpiry = expiry,
            ByTier = byTier.OrderBy(p => p.Key).ToDictionary(p => p.Key, p => F(p.Value)),
            ByMerchant = merchants.Where(p => p.Value != 0).OrderBy(p => p.Key).ToDictionary(p => p.Key, p => F(p.Value)),
        };
    }
}
