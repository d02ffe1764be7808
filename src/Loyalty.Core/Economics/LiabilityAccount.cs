using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Economics;

/// <summary>One open lot as the liability sees it: points left, when they become spendable and when they expire.</summary>
/// <param name="Points">The points left in the lot, 0 or more.</param>
/// <param name="AvailableAt">When the points become spendable (pending before).</param>
/// <param name="ExpiresAt">When they expire (exclusive), or null for no date.</param>
/// <param name="Merchant">The merchant that issued the lot (coalition), or null for the programme's own shop.</param>
public readonly record struct LiabilityLot(long Points, Instant AvailableAt, Instant? ExpiresAt, MerchantId? Merchant = null);

/// <summary>
/// One account's outstanding points as input to <see cref="LiabilityCalculator"/>: its open lots,
/// held points, debt, inactivity deadline, tier. Build it from the store's current snapshot
/// (<see cref="FromSnapshot"/>) or, for a past instant, by replaying the account's history
/// (<see cref="FromHistory"/>) with the ledger's own logic.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class LiabilityAccount
{
    private readonly LiabilityLot[] lots;

    /// <summary>Creates an account.</summary>
    /// <param name="member">The member.</param>
    /// <param name="lots">The open lots.</param>
    /// <param name="heldAtOpenHolds">Points reserved by holds open at the instant the liability is computed for (capped by the available lots).</param>
    /// <param name="debt">Points owed after a reversal, 0 or more.</param>
    /// <param name="inactivityDeadline">When the whole balance lapses under an inactivity policy, or null.</param>
    /// <param name="tier">The member's tier, or null.</param>
    /// <exception cref="ArgumentException">The member is default or a number is negative.</exception>
    public LiabilityAccount(MemberId member, IEnumerable<LiabilityLot> lots, long heldAtOpenHolds = 0, long debt = 0, Instant? inactivityDeadline = null, TierId? tier = null)
    {
        Internal.Preconditions.CheckNotDefault(member.IsDefault, nameof(MemberId), nameof(member));
        ArgumentNullException.ThrowIfNull(lots);
        this.lots = lots.ToArray();
        foreach (var lot in this.lots)
        {
            Internal.Preconditions.CheckNotNegative(lot.Points, "lots[].Points");
        }

        Member = member;
        Held = Internal.Preconditions.CheckNotNegative(heldAtOpenHolds, nameof(heldAtOpenHolds));
        Debt = Internal.Preconditions.CheckNotNegative(debt, nameof(debt));
        InactivityDeadline = inactivityDeadline;
        Tier = tier;
    }

    private LiabilityAccount(MemberId member, LiabilityLot[] lots, long held, long debt, Instant? deadline, TierId? tier)
    {
        Member = member;
        this.lots = lots;
        Held = held;
        Debt = debt;
        InactivityDeadline = deadline;
        Tier = tier;
    }

    /// <summary>The member.</summary>
    public MemberId Member { get; }

    /// <summary>The open lots.</summary>
    public IReadOnlyList<LiabilityLot> Lots => lots;

    /// <summary>Points reserved by open holds.</summary>
    public long Held { get; }

    /// <summary>Points owed.</summary>
    public long Debt { get; }

    /// <summary>The inactivity deadline, or null.</summary>
    public Instant? InactivityDeadline { get; }

    /// <summary>The member's tier, or null.</summary>
    public TierId? Tier { get; }

    internal ReadOnlySpan<LiabilityLot> LotSpan => lots;

    /// <summary>A copy with the tier set.</summary>
    /// <param name="tier">The tier, or null.</param>
    /// <returns>The copy.</returns>
    public LiabilityAccount WithTier(TierId? tier) => new(Member, lots, Held, Debt, InactivityDeadline, tier);

    /// <summary>The account as the store holds it now (open lots and holds), for a liability at or after the snapshot's last write.</summary>
    /// <param name="snapshot">The store's snapshot.</param>
    /// <param name="policy">The programme's expiry policy (for the inactivity deadline).</param>
    /// <param name="zone">The programme's time zone.</param>
    /// <param name="asOf">The instant the liability is computed for: holds lapsed by then are not held.</param>
    /// <param name="tier">The member's tier, or null.</param>
    /// <param name="merchantOf">The merchant of a lot (coalition), or null: every lot is the programme's own.</param>
    /// <returns>The account.</returns>
    /// <exception cref="ArgumentException">The snapshot has no head (an account with no transaction).</exception>
    public static LiabilityAccount FromSnapshot(LedgerAccountSnapshot snapshot, ExpiryPolicy policy, DateTimeZone zone, Instant asOf, TierId? tier = null, Func<LedgerLotRecord, MerchantId?>? merchantOf = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(zone);
        var head = snapshot.Head ?? throw new ArgumentException("The snapshot has no head: the account has no transaction and owes nothing; skip it.", nameof(snapshot));
        var key = new LedgerAccountKey(head.ProgramId, head.MemberId);
        var state = AccountState.FromSnapshot(key, snapshot, policy, zone);
        return FromState(state, asOf, tier, merchantOf is null ? null : id => merchantOf(snapshot.OpenLots.First(l => l.LotId == id)));
    }

    /// <summary>
    /// The account as it was at <paramref name="asOf"/>, by replaying its history with the ledger's
    /// own logic (the same replay as <see cref="PointsLedger.GetBalanceAsOfAsync"/>): transactions
    /// written after <paramref name="asOf"/> are ignored.
    /// </summary>
    /// <param name="history">The account's transactions in version order.</param>
    /// <param name="asOf">The instant.</param>
    /// <param name="policy">The programme's expiry policy.</param>
    /// <param name="zone">The programme's time zone.</param>
    /// <param name="tier">The member's tier at that instant, or null.</param>
    /// <returns>The account, or null when it had no transaction by then.</returns>
    public static LiabilityAccount? FromHistory(IEnumerable<LedgerTransactionRecord> history, Instant asOf, ExpiryPolicy policy, DateTimeZone zone, TierId? tier = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(zone);
        AccountState? state = null;
        foreach (var tx in history)
        {
            if (tx.RecordedAt > asOf)
            {
                break;
            }

            state ??= new AccountState(new LedgerAccountKey(tx.ProgramId, tx.MemberId), policy, zone);
            state.Apply(tx);
        }

        return state is null ? null : FromState(state, asOf, tier, null);
    }

    /// <summary>
    /// The account from its head and lot records (open or spent) as a store keeps them, for an account
    /// with no open hold: the same lots, order, debt and inactivity deadline as <see cref="FromSnapshot"/>
    /// gives, without decoding the account's state.
    /// </summary>
    internal static LiabilityAccount FromLots(LedgerAccountHead head, IReadOnlyList<LedgerLotRecord> lots, ExpiryPolicy policy, DateTimeZone zone, TierId? tier)
    {
        // One array of the open lots' exact number, sorted in place as List.Sort sorts.
        LiabilityLot[]? scratch = null;
        var open = OpenLots(lots, ref scratch);
        var array = open.IsEmpty ? [] : open.ToArray();
        if (array.Length > 1)
        {
            Array.Sort(array, ByExpiryThenAvailability);
        }

        return new LiabilityAccount(head.MemberId, array, 0, head.Debt, DeadlineOf(head, policy, zone), tier);
    }

    /// <summary>The open lots (points remaining) of <paramref name="lots"/>, in their order, as liability lots in <paramref name="scratch"/> (grown when too short).</summary>
    internal static ReadOnlySpan<LiabilityLot> OpenLots(IReadOnlyList<LedgerLotRecord> lots, ref LiabilityLot[]? scratch)
    {
        if (scratch is null || scratch.Length < lots.Count)
        {
            scratch = new LiabilityLot[Math.Max(lots.Count, scratch is null ? 8 : scratch.Length * 2)];
        }

        var n = 0;
        for (var i = 0; i < lots.Count; i++)
        {
            var lot = lots[i];
            if (lot.Remaining > 0)
            {
                scratch[n++] = new LiabilityLot(lot.Remaining, lot.AvailableAt, lot.ExpiresAt);
            }
        }

        return scratch.AsSpan(0, n);
    }

    /// <summary>The open lots (points remaining) of an account's state, as liability lots in <paramref name="scratch"/> (grown when too short).</summary>
    internal static ReadOnlySpan<LiabilityLot> OpenLots(AccountState state, ref LiabilityLot[]? scratch)
    {
        var lots = state.Lots;
        if (scratch is null || scratch.Length < lots.Count)
        {
            scratch = new LiabilityLot[Math.Max(lots.Count, scratch is null ? 8 : scratch.Length * 2)];
        }

        var n = 0;
        foreach (var lot in lots.Values)
        {
            if (lot.Remaining > 0)
            {
                scratch[n++] = new LiabilityLot(lot.Remaining, lot.AvailableAt, lot.ExpiresAt);
            }
        }

        return scratch.AsSpan(0, n);
    }

    /// <summary>The account's inactivity deadline from its head, or null.</summary>
    internal static Instant? DeadlineOf(LedgerAccountHead head, ExpiryPolicy policy, DateTimeZone zone) =>
        head.LastActivityAt is { } last ? policy.InactivityDeadline(last, zone) : null;

    private static readonly Comparison<LiabilityLot> ByExpiryThenAvailability =
        (a, b) => LotAllocator.Compare(a.ExpiresAt, a.AvailableAt.ToUnixTimeTicks(), b.ExpiresAt, b.AvailableAt.ToUnixTimeTicks());

    internal static LiabilityAccount FromState(AccountState state, Instant asOf, TierId? tier, Func<TransactionId, MerchantId?>? merchantOf)
    {
        var list = new List<LiabilityLot>(state.Lots.Count);
        foreach (var lot in state.Lots.Values)
        {
            if (lot.Remaining > 0)
            {
                list.Add(new LiabilityLot(lot.Remaining, lot.AvailableAt, lot.ExpiresAt, merchantOf?.Invoke(lot.Id)));
            }
        }

        list.Sort((a, b) => LotAllocator.Compare(a.ExpiresAt, a.AvailableAt.ToUnixTimeTicks(), b.ExpiresAt, b.AvailableAt.ToUnixTimeTicks()));
        var held = state.Compute(asOf).Held;
        return new LiabilityAccount(state.Key.MemberId, list.ToArray(), held, state.Debt, state.InactivityDeadline, tier);
    }
}
