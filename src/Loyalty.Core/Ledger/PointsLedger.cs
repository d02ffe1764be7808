using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Loyalty.Core.Configuration;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Loyalty.Core.Ledger;

/// <summary>
/// The append-only points ledger of one programme: earn, redeem, hold / capture / release,
/// reverse, adjust, expire; balances now and as of any past instant; history.
/// </summary>
/// <remarks>
/// <para>Thread-safe. Every write is one transaction whose caller-given id is its idempotency
/// key: the same id with the same request returns the original transaction
/// (<see cref="LedgerResult.IsRepeat"/>) and changes nothing; the same id with a different
/// request returns <see cref="LedgerErrorCode.IdempotencyConflict"/> naming the field that
/// differs. Writes use optimistic concurrency per account and are retried up to
/// <see cref="LedgerOptions.MaxConcurrencyRetries"/> times.</para>
/// <para>Bad arguments throw <see cref="ArgumentException"/>s; business outcomes come back as
/// <see cref="LedgerResult"/> errors; store faults surface as <see cref="LoyaltyStoreException"/>.</para>
/// </remarks>
public sealed partial class PointsLedger
{
    private const int MaxTextLength = 500;
    private readonly IClock clock;
    private readonly ILedgerStore store;
    private readonly ProgramSettings settings;
    private readonly LedgerOptions options;
    private readonly ExpiryPolicy policy;
    private readonly Duration pendingPeriod;
    private readonly Duration holdLifetime;
    private readonly AccountStateCache? cache;
    private readonly IAccountStateKeeper? keeper;

    /// <summary>Creates the ledger service.</summary>
    /// <param name="clock">The clock every write and balance read is timed with.</param>
    /// <param name="store">The store.</param>
    /// <param name="settings">The programme (id and time zone).</param>
    /// <param name="options">The ledger options.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public PointsLedger(IClock clock, ILedgerStore store, ProgramSettings settings, IOptions<LedgerOptions> options)
        : this(clock, store, settings, options, AccountStateCache.DefaultSlots)
    {
    }

    /// <summary>
    /// Creates the ledger service with an account-state cache of <paramref name="cacheSlots"/> slots (0: no cache,
    /// every write decodes the store's snapshot). Over a store that keeps the account states itself
    /// (<see cref="IAccountStateKeeper"/>, the in-memory store), any positive value uses the store's instead.
    /// </summary>
    internal PointsLedger(IClock clock, ILedgerStore store, ProgramSettings settings, IOptions<LedgerOptions> options, int cacheSlots)
        : this(clock, store, settings, options, cacheSlots, validated: false)
    {
    }

    /// <summary>
    /// Creates the ledger service; with <paramref name="validated"/> true the options were already
    /// validated (the DI registration validates every option once, at start-up) and are not checked again.
    /// </summary>
    internal PointsLedger(IClock clock, ILedgerStore store, ProgramSettings settings, IOptions<LedgerOptions> options, int cacheSlots, bool validated)
    {
        this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        this.settings = settings ?? throw new ArgumentNullException(nameof(settings));
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value ?? throw new ArgumentNullException(nameof(options));
        if (!validated)
        {
            var failures = new List<string>();
            LedgerOptionsValidator.AddFailures(this.options, LedgerOptions.ConfigurationPath, failures);
            if (failures.Count > 0)
            {
                throw new ArgumentException("Invalid ledger options: " + string.Join(" ", failures), nameof(options));
            }
        }

        policy = this.options.Expiry.ToPolicy();
        pendingPeriod = Duration.FromTimeSpan(this.options.PendingPeriod);
        holdLifetime = Duration.FromTimeSpan(this.options.HoldLifetime);
        keeper = cacheSlots > 0 ? store as IAccountStateKeeper : null;
        cache = cacheSlots > 0 && keeper is null ? new AccountStateCache(cacheSlots) : null;
    }

    /// <summary>Account states index their lots once they have this many (tests set 0 to index every state).</summary>
    internal int IndexLotsFrom { get; set; } = AccountState.DefaultIndexFrom;

    /// <summary>
    /// Whether each transaction is sealed into the account's hash chain (true, always, for a programme's
    /// ledger). A backtest's private ledger, replayed in memory and thrown away, turns it off: it never
    /// verifies its chain, and the SHA-256 per transaction was the largest part of its writes.
    /// </summary>
    internal bool Chained { get; set; } = true;

    /// <summary>Where the ledger logs its retries on account version conflicts (DI sets the programme's logger); no logs by default.</summary>
    internal Microsoft.Extensions.Logging.ILogger Logger { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>Whether the logs may show member ids (<see cref="Diagnostics.LoyaltyDiagnosticsOptions.LogMemberIds"/>).</summary>
    internal bool LogMemberIds { get; set; }

    /// <summary>The ledger's options (validated).</summary>
    internal LedgerOptions Options => options;

    /// <summary>
    /// Forgets every account state cached for writes: called when a unit of work that wrote through
    /// this ledger rolled back, so that no later write starts from a state the store no longer has.
    /// </summary>
    /// <remarks>A store that keeps the states itself never undoes an append, so what it keeps stays true.</remarks>
    internal void ForgetCachedAccounts() => cache?.Clear();

    /// <summary>The slots of the ledger's own account-state cache (0 when it has none: no cache, or the store keeps the states).</summary>
    internal int CacheSlots => cache?.SlotCount ?? 0;

    /// <summary>
    /// The steps of a unit of work, forgetting the cached account states before every run but the
    /// first: a store may run a unit again when the writes it held back were refused, and the states
    /// the first run cached were never written.
    /// </summary>
    internal Func<CancellationToken, Task<T>> ForgettingOnRerun<T>(Func<CancellationToken, Task<T>> work)
    {
        var runs = 0;
        return cancellationToken =>
        {
            if (Interlocked.Increment(ref runs) > 1)
            {
                ForgetCachedAccounts();
            }

            return work(cancellationToken);
        };
    }

    /// <summary>The expiry policy in force.</summary>
    public ExpiryPolicy ExpiryPolicy => policy;

    /// <summary>Earns points: a new lot, pending until the pending period ends, then available until it expires.</summary>
    /// <param name="command">The earn.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recorded transaction, or an error.</returns>
    /// <exception cref="ArgumentException">A field is default, the amount is not positive or would overflow, the pending period is negative, or the points would expire before they become available.</exception>
    public Task<LedgerResult> EarnAsync(EarnPoints command, CancellationToken cancellationToken = default)
    {
        var amount = CheckEarn(command);
        var shape = new Shape(LedgerTransactionKind.Earn, amount) { PendingPeriod = command.PendingPeriod, ExpiresAt = command.ExpiresAt, Merchant = command.Merchant };
        return WriteAsync(command.MemberId, command.Id, shape, (command, amount), DecideEarn, cancellationToken);
    }

    /// <summary>The checks of <see cref="EarnAsync"/> on the command alone; returns the amount.</summary>
    private static long CheckEarn(EarnPoints command)
    {
        ArgumentNullException.ThrowIfNull(command);
        CheckIds(command.Id, command.MemberId);
        var amount = CheckAmount(command.Amount);
        if (command.PendingPeriod is { } p && p < Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(command), $"PendingPeriod must not be negative (was {p}); use Duration.Zero for points available at once.");
        }

        CheckMerchant(command.Merchant);
        return amount;
    }

    /// <summary>The decision of an earn on the account's state (see <see cref="EarnAsync"/>).</summary>
    private static Decision DecideEarn(PointsLedger self, AccountState state, Instant now, (EarnPoints Command, long Amount) arg)
    {
        var (command, amount) = arg;
        var availableAt = now + (command.PendingPeriod ?? self.pendingPeriod);
        var expiresAt = command.ExpiresAt ?? self.policy.ExpiresAt(now, self.settings.TimeZone);
        var limit = expiresAt ?? self.policy.InactivityDeadline(now, self.settings.TimeZone);
        if (limit is { } e && e <= availableAt)
        {
            throw new ArgumentException(
                $"The points would expire at {e} before they become available at {availableAt}; shorten the pending period or choose a later expiry.",
                nameof(command));
        }

        CheckNoOverflow(state.Earned, amount, "lifetime earned");
        CheckNoOverflow(state.LotPoints, amount, "balance");
        var repay = Math.Min(state.Debt, amount);
        return Decided(new LedgerTransactionRecord
        {
            ProgramId = self.settings.ProgramId,
            MemberId = state.Key.MemberId,
            Id = command.Id,
            Version = state.Version + 1,
            Kind = LedgerTransactionKind.Earn,
            RecordedAt = now,
            EffectiveAt = now,
            Amount = amount,
            PendingPeriod = command.PendingPeriod,
            RequestedExpiresAt = command.ExpiresAt,
            AvailableAt = availableAt,
            ExpiresAt = expiresAt,
            DebtChange = -repay,
            Movements = [new LedgerLotMovement(command.Id, amount - repay)],
        });
    }

    /// <summary>Redeems available points, soonest-expiry-first, ties by age; the transaction records which lot gave how much.</summary>
    /// <param name="command">The redemption.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recorded transaction, or <see cref="LedgerErrorCode.InsufficientPoints"/>.</returns>
    /// <exception cref="ArgumentException">A field is default or the amount is not positive.</exception>
    public Task<LedgerResult> RedeemAsync(RedeemPoints command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        CheckIds(command.Id, command.MemberId);
        var amount = CheckAmount(command.Amount);
        CheckMerchant(command.Merchant);
        return WriteAsync(command.MemberId, command.Id, new Shape(LedgerTransactionKind.Redeem, amount) { Merchant = command.Merchant }, (command, amount), DecideRedeem, cancellationToken);
    }

    /// <summary>The decision of a redemption on the account's state (see <see cref="RedeemAsync"/>).</summary>
    private static Decision DecideRedeem(PointsLedger self, AccountState state, Instant now, (RedeemPoints Command, long Amount) arg)
    {
        var (command, amount) = arg;
        var spendable = state.Spendable(now);
        if (amount > spendable)
        {
            return Failed(Insufficient(command.MemberId, spendable, amount));
        }

        var movements = new List<LedgerLotMovement>(1);
        state.TakeInSpendingOrder(now, amount, movements);
        return Decided(self.Record(state, command.Id, LedgerTransactionKind.Redeem, now, amount, movements));
    }

    /// <summary>
    /// A new, empty account state of <paramref name="memberId"/> under this ledger's expiry policy, zone and
    /// lot indexing, for a caller that keeps the account itself and writes to it with <see cref="EarnInto"/>
    /// and <see cref="RedeemFrom"/> (a backtest's private replay).
    /// </summary>
    internal AccountState NewAccountState(MemberId memberId)
    {
        CheckId(memberId, nameof(memberId));
        return new AccountState(new LedgerAccountKey(settings.ProgramId, memberId), policy, settings.TimeZone, IndexLotsFrom);
    }

    /// <summary>
    /// Earns on an account state the caller owns and keeps itself, with no store: the checks and the
    /// decision of <see cref="EarnAsync"/> at the clock's instant, the transaction applied to
    /// <paramref name="state"/> as a write applies it (not settled: the caller reads the lots it moved, then
    /// calls <see cref="AccountState.Settle"/>). Ids are not checked for reuse: the caller's ids are unique.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="EarnAsync"/>, or the state is another member's.</exception>
    internal LedgerResult EarnInto(AccountState state, EarnPoints command)
    {
        var amount = CheckEarn(command);
        return WriteInto(state, DecideEarn(this, CheckOwn(state, command.MemberId), clock.GetCurrentInstant(), (command, amount)), command.Merchant);
    }

    /// <summary>
    /// Redeems from an account state the caller owns and keeps itself, with no store: the checks and the
    /// decision of <see cref="RedeemAsync"/> at the clock's instant, applied to <paramref name="state"/> as
    /// <see cref="EarnInto"/> applies an earn.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="RedeemAsync"/>, or the state is another member's.</exception>
    internal LedgerResult RedeemFrom(AccountState state, RedeemPoints command)
    {
        ArgumentNullException.ThrowIfNull(command);
        CheckIds(command.Id, command.MemberId);
        var amount = CheckAmount(command.Amount);
        CheckMerchant(command.Merchant);
        return WriteInto(state, DecideRedeem(this, CheckOwn(state, command.MemberId), clock.GetCurrentInstant(), (command, amount)), command.Merchant);
    }

    private AccountState CheckOwn(AccountState state, MemberId memberId)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Key == new LedgerAccountKey(settings.ProgramId, memberId)
            ? state
            : throw new ArgumentException($"The account state is {state.Key}'s, not member '{memberId}''s of programme '{settings.ProgramId}'.", nameof(state));
    }

    /// <summary>Applies a decision to a state the caller keeps (see <see cref="EarnInto"/>).</summary>
    private LedgerResult WriteInto(AccountState state, Decision decision, MerchantId? merchant)
    {
        if (decision.Error is { } error)
        {
            return LedgerResult.Failure(error.Code, error.Message, error.Field);
        }

        var record = Sealed(state, decision.Record!, merchant);
        state.Apply(record);
        return LedgerResult.Success(record, isRepeat: false);
    }

    /// <summary>
    /// A decided record with the command's merchant (when the decision left it unset), sealed into the chain when the
    /// ledger chains. Every decision builds its record afresh and shares it with no one, so it is sealed in place.
    /// </summary>
    private LedgerTransactionRecord Sealed(AccountState state, LedgerTransactionRecord decided, MerchantId? merchant)
    {
        if (decided.Merchant is null && merchant is { } m)
        {
            decided = decided with { Merchant = m };
        }

        return SealNew(state, decided);
    }

    /// <summary>Reserves available points until captured, released, or lapsed after <see cref="LedgerOptions.HoldLifetime"/>.</summary>
    /// <param name="command">The hold.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recorded hold, or <see cref="LedgerErrorCode.InsufficientPoints"/>.</returns>
    /// <exception cref="ArgumentException">A field is default or the amount is not positive.</exception>
    public Task<LedgerResult> HoldAsync(HoldPoints command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        CheckIds(command.Id, command.MemberId);
        var amount = CheckAmount(command.Amount);
        CheckMerchant(command.Merchant);
        return WriteAsync(command.MemberId, command.Id, new Shape(LedgerTransactionKind.Hold, amount) { Merchant = command.Merchant }, (command, amount), static (self, state, now, arg) =>
        {
            var (command, amount) = arg;
            var spendable = state.Spendable(now);
            return amount > spendable
                ? Failed(Insufficient(command.MemberId, spendable, amount))
                : Decided(self.Record(state, command.Id, LedgerTransactionKind.Hold, now, amount) with { ExpiresAt = now + self.holdLifetime });
        }, cancellationToken);
    }

    /// <summary>Captures all or part of a hold as a redemption; the uncaptured remainder is given back.</summary>
    /// <param name="command">The capture.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recorded capture, or an error (hold not found, already captured / released, lapsed, capture exceeds hold, insufficient points).</returns>
    /// <exception cref="ArgumentException">A field is default or the amount is not positive.</exception>
    public Task<LedgerResult> CaptureAsync(CaptureHold command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        CheckIds(command.Id, command.MemberId);
        CheckId(command.HoldId, nameof(command.HoldId));
        long? requested = command.Amount is { } a ? CheckAmount(a) : null;
        CheckMerchant(command.Merchant);
        var shape = new Shape(LedgerTransactionKind.Capture, requested ?? 0) { RelatedId = command.HoldId, IsWholeCapture = requested is null, Merchant = command.Merchant };
        return WriteLookingUpAsync(command.MemberId, command.Id, shape, async (state, now) =>
        {
            var (hold, error) = await OpenHoldAsync(state, command.MemberId, command.HoldId, now, cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                return Failed(error);
            }

            var amount = requested ?? hold!.Amount;
            if (amount > hold!.Amount)
            {
                return Failed(new LedgerError(LedgerErrorCode.CaptureExceedsHold,
                    $"Hold '{hold.Id}' reserved {hold.Amount} points; a capture of {amount} exceeds it. Capture at most {hold.Amount}, or place a new hold."));
            }

            var spendable = state.Spendable(now, hold.Id);
            if (amount > spendable)
            {
                return Failed(Insufficient(command.MemberId, spendable, amount));
            }

            var movements = new List<LedgerLotMovement>();
            state.TakeInSpendingOrder(now, amount, movements);
            return Decided(Record(state, command.Id, LedgerTransactionKind.Capture, now, amount) with
            {
                RelatedId = hold.Id,
                IsWholeCapture = requested is null,
                Movements = movements,
            });
        }, cancellationToken);
    }

    /// <summary>Releases a hold without spending.</summary>
    /// <param name="command">The release.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recorded release, or an error (hold not found, already captured / released, lapsed).</returns>
    /// <exception cref="ArgumentException">A field is default.</exception>
    public Task<LedgerResult> ReleaseAsync(ReleaseHold command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        CheckIds(command.Id, command.MemberId);
        CheckId(command.HoldId, nameof(command.HoldId));
        var shape = new Shape(LedgerTransactionKind.Release, 0) { RelatedId = command.HoldId, IgnoreAmount = true };
        return WriteLookingUpAsync(command.MemberId, command.Id, shape, async (state, now) =>
        {
            var (hold, error) = await OpenHoldAsync(state, command.MemberId, command.HoldId, now, cancellationToken).ConfigureAwait(false);
            return error is not null
                ? Failed(error)
                : Decided(Record(state, command.Id, LedgerTransactionKind.Release, now, hold!.Amount) with { RelatedId = hold.Id });
        }, cancellationToken);
    }

    /// <summary>
    /// Reverses all or part of an earn, redemption or capture. An earn's reversal takes back from
    /// its own lot first, then applies <see cref="LedgerOptions.ShortfallPolicy"/>; a redemption's
    /// reversal puts the points back into the lots it drew from, with their original expiry.
    /// </summary>
    /// <param name="command">The reversal.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recorded reversal, or an error (unknown transaction, not reversible, reversal exceeds original).</returns>
    /// <exception cref="ArgumentException">A field is default, the amount is not positive, or the reason is too long.</exception>
    public Task<LedgerResult> ReverseAsync(ReversePoints command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        CheckIds(command.Id, command.MemberId);
        CheckId(command.OriginalId, nameof(command.OriginalId));
        var amount = CheckAmount(command.Amount);
        if (command.Reason is { Length: > MaxTextLength })
        {
            throw new ArgumentException($"Reason must be at most {MaxTextLength} characters (was {command.Reason.Length}).", nameof(command));
        }

        CheckMerchant(command.Merchant);
        var shape = new Shape(LedgerTransactionKind.Reverse, amount) { RelatedId = command.OriginalId, Reason = command.Reason, Merchant = command.Merchant };
        return WriteLookingUpAsync(command.MemberId, command.Id, shape, async (state, now) =>
        {
            var original = await store.FindTransactionAsync(settings.ProgramId, command.OriginalId, cancellationToken).ConfigureAwait(false);
            if (original is null || original.MemberId != command.MemberId)
            {
                return Failed(new LedgerError(LedgerErrorCode.UnknownTransaction,
                    $"Member '{command.MemberId}' has no transaction '{command.OriginalId}'; check the id of the earn or redemption to reverse."));
            }

            if (original.Kind is not (LedgerTransactionKind.Earn or LedgerTransactionKind.Redeem or LedgerTransactionKind.Capture))
            {
                return Failed(new LedgerError(LedgerErrorCode.NotReversible,
                    $"Transaction '{original.Id}' is a {original.Kind}; only an Earn, a Redeem or a Capture can be reversed (use an adjustment otherwise)."));
            }

            var earlier = await store.FindRelatedAsync(state.Key, original.Id, cancellationToken).ConfigureAwait(false);
            long reversedBefore = 0;
            foreach (var r in earlier)
            {
                if (r.Kind == LedgerTransactionKind.Reverse)
                {
                    reversedBefore += r.Amount;
                }
            }

            if (amount > original.Amount - reversedBefore)
            {
                return Failed(new LedgerError(LedgerErrorCode.ReversalExceedsOriginal,
                    $"Transaction '{original.Id}' was for {original.Amount} points and {reversedBefore} are already reversed; at most {original.Amount - reversedBefore} more can be reversed (requested {amount})."));
            }

            var record = Record(state, command.Id, LedgerTransactionKind.Reverse, now, amount) with { RelatedId = original.Id, Reason = command.Reason, Merchant = command.Merchant ?? original.Merchant };
            var movements = new List<LedgerLotMovement>();
            if (original.Kind == LedgerTransactionKind.Earn)
            {
                await LoadLotsAsync(state, [original.Id], cancellationToken).ConfigureAwait(false);
                var deadline = state.InactivityDeadline;
                var own = state.Lots[original.Id];
                var ownLive = !(state.EffectiveExpiry(own, deadline) is { } oe && oe <= now);
                var rest = ownLive ? LotAllocator.Take([own], amount, movements) : amount;
                if (rest > 0)
                {
                    var others = new List<Lot>();
                    if (options.ShortfallPolicy != ShortfallPolicy.OnlyPending)
                    {
                        others.AddRange(state.SpendingOrder(now).Where(l => l.Id != own.Id));
                    }

                    var pending = state.Lots.Values
                        .Where(l => l.Id != own.Id && l.Remaining > 0 && l.AvailableAt > now && !(state.EffectiveExpiry(l, deadline) is { } e && e <= now))
                        .OrderBy(l => l.AvailableAt).ThenBy(l => l.Sequence);
                    others.AddRange(pending);
                    rest = LotAllocator.Take(others, rest, movements);
                }

                var debt = options.ShortfallPolicy == ShortfallPolicy.AllowNegative ? rest : 0;
                return Decided(record with { Movements = movements, Applied = amount - rest + debt, DebtChange = debt, WrittenOff = rest - debt });
            }

            // A redemption or capture: put back into the lots it drew from, latest-drawn first,
            // never more into a lot than it gave minus what earlier reversals put back.
            var restorable = new Dictionary<TransactionId, long>();
            var order = new List<TransactionId>();
            foreach (var m in original.Movements)
            {
                restorable[m.LotId] = restorable.GetValueOrDefault(m.LotId) - m.Delta;
                order.Add(m.LotId);
            }

            foreach (var r in earlier)
            {
                foreach (var m in r.Movements)
                {
                    restorable[m.LotId] = restorable.GetValueOrDefault(m.LotId) - m.Delta;
                }
            }

            await LoadLotsAsync(state, order, cancellationToken).ConfigureAwait(false);
            var left = amount;
            for (var i = order.Count - 1; i >= 0 && left > 0; i--)
            {
                var put = Math.Min(left, restorable[order[i]]);
                if (put > 0)
                {
                    movements.Add(new LedgerLotMovement(order[i], put));
                    restorable[order[i]] -= put;
                    left -= put;
                }
            }

            return Decided(record with { Movements = movements });
        }, cancellationToken);
    }

    /// <summary>A manual credit (a new lot, available at once, expiring per policy) or debit (from available points).</summary>
    /// <param name="command">The adjustment.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recorded adjustment, or <see cref="LedgerErrorCode.InsufficientPoints"/> for a debit.</returns>
    /// <exception cref="ArgumentException">A field is default, the amount is not positive or would overflow, the direction is unknown, or the reason or actor is empty or too long.</exception>
    public Task<LedgerResult> AdjustAsync(AdjustPoints command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        CheckIds(command.Id, command.MemberId);
        var amount = CheckAmount(command.Amount);
        if (!Enum.IsDefined(command.Direction))
        {
            throw new ArgumentOutOfRangeException(nameof(command), $"Direction must be Credit or Debit (was {(int)command.Direction}).");
        }

        CheckText(command.Reason, nameof(command.Reason), "e.g. \"goodwill after a late delivery\"");
        CheckText(command.Actor, nameof(command.Actor), "e.g. the support agent's login");
        var signed = command.Direction == AdjustmentDirection.Credit ? amount : -amount;
        CheckMerchant(command.Merchant);
        var shape = new Shape(LedgerTransactionKind.Adjust, signed) { Reason = command.Reason, Actor = command.Actor, Merchant = command.Merchant };
        return WriteAsync(command.MemberId, command.Id, shape, (command, amount, signed), static (self, state, now, arg) =>
        {
            var (command, amount, signed) = arg;
            var record = self.Record(state, command.Id, LedgerTransactionKind.Adjust, now, signed) with { Reason = command.Reason, Actor = command.Actor };
            if (signed > 0)
            {
                CheckNoOverflow(state.LotPoints, amount, "balance");
                CheckNoOverflow(Math.Abs(state.Adjusted), amount, "lifetime adjusted");
                var repay = Math.Min(state.Debt, amount);
                return Decided(record with
                {
                    AvailableAt = now,
                    ExpiresAt = self.policy.ExpiresAt(now, self.settings.TimeZone),
                    DebtChange = -repay,
                    Movements = [new LedgerLotMovement(command.Id, amount - repay)],
                });
            }

            var spendable = state.Spendable(now);
            if (amount > spendable)
            {
                return Failed(Insufficient(command.MemberId, spendable, amount));
            }

            var movements = new List<LedgerLotMovement>();
            state.TakeInSpendingOrder(now, amount, movements);
            return Decided(record with { Movements = movements });
        }, cancellationToken);
    }

    /// <summary>
    /// The member's balances now. O(1) from the account head until the next time-driven change
    /// (a lot becoming available or expiring, a hold lapsing); then computed from the open lots.
    /// Lots past their expiry never count, whether maintenance swept them or not.
    /// </summary>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The balances (all zero for a member with no transaction).</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default.</exception>
    public async Task<LedgerBalance> GetBalanceAsync(MemberId memberId, CancellationToken cancellationToken = default)
    {
        CheckId(memberId, nameof(memberId));
        var now = clock.GetCurrentInstant();
        var key = new LedgerAccountKey(settings.ProgramId, memberId);
        var head = await store.GetHeadAsync(key, cancellationToken).ConfigureAwait(false);
        if (head is null)
        {
            return new LedgerBalance { AsOf = now };
        }

        if (now >= head.UpdatedAt && (head.NextChangeAt is null || now < head.NextChangeAt))
        {
            return AccountState.FromHead(head, now);
        }

        var state = await ReadStateAsync(key, head, cancellationToken).ConfigureAwait(false);
        var balance = state.Balance(now);
        Keep(state);
        return balance;
    }

    /// <summary>The member's balances as they were at <paramref name="asOf"/>, by replaying the log (O(history)).</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="asOf">The instant; transactions written after it are ignored, lots expired by it never count.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The balances.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default.</exception>
    public async Task<LedgerBalance> GetBalanceAsOfAsync(MemberId memberId, Instant asOf, CancellationToken cancellationToken = default)
    {
        CheckId(memberId, nameof(memberId));
        var key = new LedgerAccountKey(settings.ProgramId, memberId);
        var state = new AccountState(key, policy, settings.TimeZone);
        long after = 0;
        while (true)
        {
            var page = await store.ReadHistoryAsync(key, after, 1000, cancellationToken).ConfigureAwait(false);
            foreach (var tx in page.Transactions)
            {
                if (tx.RecordedAt > asOf)
                {
                    return state.Balance(asOf);
                }

                state.Apply(tx);
            }

            if (page.NextAfterVersion is not { } next)
            {
                return state.Balance(asOf);
            }

            after = next;
        }
    }

    /// <summary>Points that will expire over the next <paramref name="days"/> days, per local date (the last day they can be spent) in the programme's time zone.</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="days">1 to 3,660.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The schedule in date order; pending points are included, holds are not subtracted.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default or <paramref name="days"/> is out of range.</exception>
    public Task<IReadOnlyList<ExpiringPoints>> GetExpiryScheduleAsync(MemberId memberId, int days, CancellationToken cancellationToken = default)
        => GetExpiryScheduleAsOfAsync(memberId, days, clock.GetCurrentInstant(), cancellationToken);

    /// <summary>
    /// Points that will expire over the <paramref name="days"/> days after <paramref name="asOf"/>,
    /// per local date in the programme's time zone — what maintenance run "as of" an instant
    /// warns members about.
    /// </summary>
    /// <param name="memberId">The member.</param>
    /// <param name="days">1 to 3,660.</param>
    /// <param name="asOf">The instant the horizon starts from; lots already expired by then are left out.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The schedule in date order; pending points are included, holds are not subtracted.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default or <paramref name="days"/> is out of range.</exception>
    public async Task<IReadOnlyList<ExpiringPoints>> GetExpiryScheduleAsOfAsync(MemberId memberId, int days, Instant asOf, CancellationToken cancellationToken = default)
    {
        CheckId(memberId, nameof(memberId));
        Internal.Preconditions.CheckInRange(days, 1, 3660);
        var key = new LedgerAccountKey(settings.ProgramId, memberId);
        var head = await store.GetHeadAsync(key, cancellationToken).ConfigureAwait(false);

        // The head keeps the soonest effective expiry of an open lot: none, or none within the horizon, needs no lot.
        if (head?.NextExpiryAt is not { } soonest || soonest > HorizonEnd(asOf, days))
        {
            return [];
        }

        var state = await ReadStateAsync(key, head, cancellationToken).ConfigureAwait(false);
        var schedule = ExpirySchedule(state, days, asOf);
        Keep(state);
        return schedule;
    }

    /// <summary>The expiry schedule of <see cref="GetExpiryScheduleAsOfAsync"/>, from an account snapshot already read (batch runs read a page of accounts at once).</summary>
    internal IReadOnlyList<ExpiringPoints> ExpirySchedule(LedgerAccountKey key, LedgerAccountSnapshot snapshot, int days, Instant asOf)
    {
        return snapshot.Head is null ? [] : ExpirySchedule(AccountState.FromSnapshot(key, snapshot, policy, settings.TimeZone, IndexLotsFrom), days, asOf);
    }

    /// <summary>The end of the expiry-schedule horizon: the start of the local day <paramref name="days"/> + 1 days after <paramref name="asOf"/>'s.</summary>
    private Instant HorizonEnd(Instant asOf, int days)
        => Internal.LocalCalendar.StartOfDay(asOf.InZone(settings.TimeZone).Date.PlusDays(days + 1), settings.TimeZone);

    private List<ExpiringPoints> ExpirySchedule(AccountState state, int days, Instant asOf)
    {
        // The lots come in expiry order, so the local dates only grow: one group per run of equal dates.
        var zone = settings.TimeZone;
        var schedule = new List<ExpiringPoints>();
        LocalDate date = default;
        Instant first = default;
        long amount = 0;
        foreach (var (at, points) in state.Expiring(asOf, HorizonEnd(asOf, days)))
        {
            var day = (at - Duration.Epsilon).InZone(zone).Date;
            if (amount != 0 && day != date)
            {
                schedule.Add(new ExpiringPoints(date, first, Points.FromInt64(amount)));
                amount = 0;
            }

            if (amount == 0)
            {
                date = day;
                first = at;
            }

            amount = checked(amount + points);
        }

        if (amount != 0)
        {
            schedule.Add(new ExpiringPoints(date, first, Points.FromInt64(amount)));
        }

        return schedule;
    }

    /// <summary>A page of the member's transactions in order.</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="afterVersion">0 for the first page, then the previous page's <see cref="LedgerHistory.ContinueAfter"/>.</param>
    /// <param name="pageSize">1 to 1,000.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default, or a number is out of range.</exception>
    public async Task<LedgerHistory> GetHistoryAsync(MemberId memberId, long afterVersion = 0, int pageSize = 100, CancellationToken cancellationToken = default)
    {
        CheckId(memberId, nameof(memberId));
        Internal.Preconditions.CheckNotNegative(afterVersion);
        Internal.Preconditions.CheckInRange(pageSize, 1, 1000);
        var page = await store.ReadHistoryAsync(new LedgerAccountKey(settings.ProgramId, memberId), afterVersion, pageSize, cancellationToken).ConfigureAwait(false);
        return new LedgerHistory(page.Transactions, page.NextAfterVersion);
    }

    /// <summary>Looks a transaction up by id.</summary>
    /// <param name="transactionId">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The transaction, or null.</returns>
    /// <exception cref="ArgumentException"><paramref name="transactionId"/> is default.</exception>
    public async Task<LedgerTransactionRecord?> FindTransactionAsync(TransactionId transactionId, CancellationToken cancellationToken = default)
    {
        CheckId(transactionId, nameof(transactionId));
        return await store.FindTransactionAsync(settings.ProgramId, transactionId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Maintenance: writes explicit expire transactions for every lot whose expiry is at or
    /// before <paramref name="asOf"/>. Transaction ids are derived from the account, its version
    /// and the expiry instant, so a re-run, or two runs at once, never expire twice; a concurrent
    /// redemption simply makes the run re-read the account.
    /// </summary>
    /// <param name="asOf">The instant; must not be after the clock's current instant.</param>
    /// <param name="cancellationToken">Cancels the run between accounts.</param>
    /// <returns>What the run did.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="asOf"/> is in the future.</exception>
    public async Task<ExpiryRunResult> ExpireDueAsync(Instant asOf, CancellationToken cancellationToken = default)
    {
        var now = clock.GetCurrentInstant();
        if (asOf > now)
        {
            throw new ArgumentOutOfRangeException(nameof(asOf), asOf,
                $"asOf ({asOf}) must not be after the current instant ({now}); expiring in advance would take points members can still spend.");
        }

        int accounts = 0, written = 0, skipped = 0;
        long expired = 0;
        MemberId? after = null;
        while (true)
        {
            var due = await store.FindAccountsDueAsync(settings.ProgramId, asOf, after, options.ExpiryBatchSize, cancellationToken).ConfigureAwait(false);
            foreach (var key in due)
            {
                accounts++;
                var (count, points, gaveUp) = await ExpireAccountAsync(key, asOf, cancellationToken).ConfigureAwait(false);
                written += count;
                expired += points;
                skipped += gaveUp ? 1 : 0;
            }

            if (due.Count < options.ExpiryBatchSize)
            {
                return new ExpiryRunResult(accounts, written, Points.FromInt64(expired), skipped);
            }

            after = due[^1].MemberId;
        }
    }

    /// <summary>
    /// Expires one account's lots due by <paramref name="asOf"/> (see <see cref="ExpireDueAsync"/>);
    /// the caller has checked that <paramref name="asOf"/> is not in the future.
    /// </summary>
    internal ValueTask<(int Count, long Points, bool GaveUp)> ExpireAccountAsync(LedgerAccountKey key, Instant asOf, CancellationToken cancellationToken)
        => ExpireAccountAsync(key, asOf, null, null, cancellationToken);

    /// <summary>
    /// Expires one account's lots due by <paramref name="asOf"/>, deciding the first attempt on
    /// <paramref name="snapshot"/> when the caller has just read it (a batch run reads a page of
    /// accounts at once); a stale snapshot is refused by the append's version check and the account
    /// is read again. Completes synchronously with a synchronous store (nothing allocated for the
    /// call itself); each expiry transaction is built once, sealed in place, and keeps the movements
    /// array its group was gathered in. With <paramref name="scratch"/> (a run's, used by one call at a
    /// time), the account is decoded into the state the run's previous account was decoded into.
    /// </summary>
    internal async ValueTask<(int Count, long Points, bool GaveUp)> ExpireAccountAsync(LedgerAccountKey key, Instant asOf, LedgerAccountSnapshot? snapshot, ExpiryScratch? scratch, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var now = clock.GetCurrentInstant();
            snapshot ??= await store.GetAccountAsync(key, cancellationToken).ConfigureAwait(false);
            var state = scratch?.State?.Reload(key, snapshot) ?? AccountState.FromSnapshot(key, snapshot, policy, settings.TimeZone, IndexLotsFrom);
            if (scratch is not null)
            {
                scratch.State = state;
            }

            snapshot = null;
            var groups = state.DueForExpiry(asOf);
            if (groups.Count == 0)
            {
                return (0, 0, false);
            }

            var expectedVersion = state.Version;
            var transactions = new LedgerTransactionRecord[groups.Count];
            long points = 0;
            for (var i = 0; i < groups.Count; i++)
            {
                var (instant, movements) = groups[i];
                long amount = 0;
                for (var m = 0; m < movements.Length; m++)
                {
                    amount = checked(amount - movements[m].Delta);
                }

                var tx = SealNew(state, new LedgerTransactionRecord
                {
                    ProgramId = settings.ProgramId,
                    MemberId = key.MemberId,
                    Id = ExpiryId(key, expectedVersion, instant),
                    Version = state.Version + 1,
                    Kind = LedgerTransactionKind.Expire,
                    RecordedAt = now,
                    EffectiveAt = instant,
                    Amount = amount,
                    Movements = movements,
                });
                state.Apply(tx);
                transactions[i] = tx;
                points += amount;
            }

            var result = await AppendAsync(state, expectedVersion, transactions, now, cancellationToken).ConfigureAwait(false);
            switch (result.Status)
            {
                case LedgerAppendStatus.Appended:
                    return (transactions.Length, points, false);
                case LedgerAppendStatus.Duplicate:
                    return (0, 0, false);
                default:
                    if (attempt >= options.MaxConcurrencyRetries)
                    {
                        return (0, 0, true);
                    }

                    LogRetry(LedgerTransactionKind.Expire, attempt + 1, key.MemberId);
                    break;
            }
        }
    }

    /// <summary>
    /// What a run expiring account after account keeps between accounts (see <see cref="ExpireAccountAsync(LedgerAccountKey, Instant, LedgerAccountSnapshot?, ExpiryScratch?, CancellationToken)"/>):
    /// one account state, decoded again for each account. One per run and ledger; not thread-safe.
    /// </summary>
    internal sealed class ExpiryScratch
    {
        public AccountState? State { get; set; }
    }

    /// <summary>Logs a retry after a lost race on an account's version (event 1004, Debug).</summary>
    private void LogRetry(LedgerTransactionKind kind, int retry, MemberId memberId)
    {
        if (Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
        {
            Diagnostics.LoyaltyLog.LedgerConflictRetry(Logger, kind.ToString(), retry, options.MaxConcurrencyRetries, LogMemberIds ? memberId.Value : "(hidden)");
        }
    }

    /// <summary>Seals a record this ledger has just built (see <see cref="LedgerChain.SealNew"/>), or returns it as is when the chain is off.</summary>
    private LedgerTransactionRecord SealNew(AccountState state, LedgerTransactionRecord record) => Chained ? LedgerChain.SealNew(state, record) : record;

    /// <summary>
    /// The id of an expiry write: <c>expire:{version}:{instant ticks}:{member}</c> — the account's
    /// version the run decided on, the expiry instant and the member, so two runs deciding on the same
    /// version of the same account derive the same id (the store refuses the second as a duplicate),
    /// and different decisions never share one: the text is injective (the version and the ticks
    /// contain no colon, the member comes last). Nothing is hashed; only when the member id is too
    /// long for the 128-character limit is the same text hashed (SHA-256) into
    /// <c>expire:{32 hex digits}</c>. Ids of the earlier scheme (<c>expire-{hex}</c>) have no colon
    /// and cannot collide with either form.
    /// </summary>
    internal static TransactionId ExpiryId(LedgerAccountKey key, long version, Instant instant)
    {
        var member = key.MemberId.Value;
        Span<char> head = stackalloc char[48];
        var ok = head.TryWrite(CultureInfo.InvariantCulture, $"expire:{version}:{instant.ToUnixTimeTicks()}:", out var written);
        System.Diagnostics.Debug.Assert(ok, "48 characters hold the prefix, a long and a long.");
        if (written + member.Length <= Identifier.MaxLength)
        {
            return TransactionId.From(string.Concat(head[..written], member));
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(head[..written], member)));
        return TransactionId.From("expire:" + Convert.ToHexString(hash.AsSpan(0, 16)).ToLowerInvariant());
    }

    /// <summary>A write decided from the account state alone; <paramref name="decide"/> is a static lambda given <paramref name="arg"/>, so nothing is captured.</summary>
    private Task<LedgerResult> WriteAsync<TArg>(MemberId memberId, TransactionId id, Shape shape, TArg arg, Func<PointsLedger, AccountState, Instant, TArg, Decision> decide, CancellationToken cancellationToken)
        => WriteCoreAsync(memberId, id, shape, arg, decide, null, cancellationToken);

    /// <summary>A write whose decision reads the store.</summary>
    private Task<LedgerResult> WriteLookingUpAsync(MemberId memberId, TransactionId id, Shape shape, Func<AccountState, Instant, Task<Decision>> decide, CancellationToken cancellationToken)
        => WriteCoreAsync<object?>(memberId, id, shape, null, null, decide, cancellationToken);

    /// <summary>
    /// The write loop. Exactly one of <paramref name="decideNow"/> (decisions from the account
    /// state alone) and <paramref name="decideLookingUp"/> (decisions that read the store) is set.
    /// </summary>
    private async Task<LedgerResult> WriteCoreAsync<TArg>(
        MemberId memberId,
        TransactionId id,
        Shape shape,
        TArg arg,
        Func<PointsLedger, AccountState, Instant, TArg, Decision>? decideNow,
        Func<AccountState, Instant, Task<Decision>>? decideLookingUp,
        CancellationToken cancellationToken)
    {
        // No look-up of the id before writing: the store refuses a used id (Duplicate) and the
        // original is read then. Only a refused write (a business error or a bad argument) looks
        // the id up first, because a repeat answers with the original whatever the account says now.
        var key = new LedgerAccountKey(settings.ProgramId, memberId);
        var conflicts = 0;
        var trustCache = true;
        while (true)
        {
            var now = clock.GetCurrentInstant();

            // The state is owned by this call until it is handed back to the cache: a failed or
            // throwing decision, a duplicate or a version conflict simply drops it. A cached state is
            // used without re-reading the head: the append's version check refuses it if it is stale,
            // and a refusal decided on it is confirmed against the head before it is returned.
            var (state, verified) = await LoadStateAsync(key, trustCache, cancellationToken).ConfigureAwait(false);
            var expectedVersion = state.Version;
            Decision decision;
            try
            {
                decision = decideNow is not null
                    ? decideNow(this, state, now, arg)
                    : await decideLookingUp!(state, now).ConfigureAwait(false);
            }
            catch (ArgumentException)
            {
                if (await RepeatOfAsync(id, memberId, shape, cancellationToken).ConfigureAwait(false) is { } repeat)
                {
                    return repeat;
                }

                if (!verified && !await IsCurrentAsync(state, cancellationToken).ConfigureAwait(false))
                {
                    trustCache = false;
                    continue;
                }

                throw;
            }

            if (decision.Error is { } error)
            {
                if (await RepeatOfAsync(id, memberId, shape, cancellationToken).ConfigureAwait(false) is { } repeat)
                {
                    return repeat;
                }

                if (!verified && !await IsCurrentAsync(state, cancellationToken).ConfigureAwait(false))
                {
                    trustCache = false;
                    continue;
                }

                Keep(state);
                return LedgerResult.Failure(error.Code, error.Message, error.Field);
            }

            var record = Sealed(state, decision.Record!, shape.Merchant);
            state.Apply(record);
            var result = await AppendAsync(state, expectedVersion, [record], now, cancellationToken).ConfigureAwait(false);
            switch (result.Status)
            {
                case LedgerAppendStatus.Appended:
                    Keep(state);
                    return LedgerResult.Success(record, isRepeat: false);
                case LedgerAppendStatus.Duplicate:
                    var existing = await store.FindTransactionAsync(settings.ProgramId, id, cancellationToken).ConfigureAwait(false)
                        ?? throw new LoyaltyStoreException($"The store reported transaction id '{id}' as a duplicate but cannot find it.", isTransient: true);
                    return Repeat(existing, memberId, shape);
                default:
                    if (!verified)
                    {
                        // The cached state was stale (another ledger or process wrote): not a lost race.
                        trustCache = false;
                        continue;
                    }

                    if (conflicts++ >= options.MaxConcurrencyRetries)
                    {
                        return await RepeatOfAsync(id, memberId, shape, cancellationToken).ConfigureAwait(false)
                            ?? LedgerResult.Failure(LedgerErrorCode.ConcurrencyConflict,
                                $"Account {key} changed concurrently {conflicts} times in a row; nothing was written. Retry later with the same transaction id.");
                    }

                    LogRetry(shape.Kind, conflicts, memberId);
                    break;
            }
        }
    }

    /// <summary>The original transaction when <paramref name="id"/> is already used (as a repeat or an idempotency conflict), else null.</summary>
    private async Task<LedgerResult?> RepeatOfAsync(TransactionId id, MemberId memberId, Shape shape, CancellationToken cancellationToken)
    {
        var existing = await store.FindTransactionAsync(settings.ProgramId, id, cancellationToken).ConfigureAwait(false);
        return existing is null ? null : Repeat(existing, memberId, shape);
    }

    /// <summary>Whether the store's head is still at <paramref name="state"/>'s version.</summary>
    private async Task<bool> IsCurrentAsync(AccountState state, CancellationToken cancellationToken)
    {
        var head = await store.GetHeadAsync(state.Key, cancellationToken).ConfigureAwait(false);
        return (head?.Version ?? 0) == state.Version;
    }

    private ValueTask<LedgerAppendResult> AppendAsync(AccountState state, long expectedVersion, IReadOnlyList<LedgerTransactionRecord> transactions, Instant now, CancellationToken cancellationToken)
    {
        var changedHolds = 0;
        foreach (var (_, hold) in state.Holds)
        {
            if (hold.Status == LedgerHoldStatus.Open && hold.ExpiresAt <= now)
            {
                hold.Status = LedgerHoldStatus.Lapsed;
                hold.Changed = true;
            }

            if (hold.Changed)
            {
                changedHolds++;
            }
        }

        var holds = changedHolds == 0 ? [] : new LedgerHoldRecord[changedHolds];
        if (changedHolds > 0)
        {
            var i = 0;
            foreach (var (_, hold) in state.Holds)
            {
                if (hold.Changed)
                {
                    holds[i++] = hold.ToRecord();
                }
            }
        }

        var lots = state.ChangedLotRecords();
        if (expectedVersion == 0)
        {
            // A new account: its first append names the incarnation the state keeps for its next ones.
            state.Incarnation ??= new object();
        }

        return store.AppendAsync(
            new LedgerAppend
            {
                Account = state.Key,
                ExpectedVersion = expectedVersion,
                Transactions = transactions,
                Head = state.ToHead(now),
                Lots = lots,
                Holds = holds,
                Incarnation = state.Incarnation,
            },
            cancellationToken);
    }

    /// <summary>
    /// The account's state for a read, current as of <paramref name="head"/>: the cached one when its
    /// version is the head's, otherwise decoded from the store's snapshot. The caller owns it and hands
    /// it back to the cache when done.
    /// </summary>
    private async ValueTask<AccountState> ReadStateAsync(LedgerAccountKey key, LedgerAccountHead head, CancellationToken cancellationToken)
    {
        if (Kept(key) is { } cached && cached.Version == head.Version)
        {
            return cached;
        }

        var snapshot = await store.GetAccountAsync(key, cancellationToken).ConfigureAwait(false);
        return AccountState.FromSnapshot(key, snapshot, policy, settings.TimeZone, IndexLotsFrom);
    }

    /// <summary>
    /// The account's state: the cached one, when there is one and <paramref name="trustCache"/>
    /// (not verified: its version may be behind the store's), otherwise decoded from the store's
    /// snapshot (verified: current as of the read).
    /// </summary>
    private async ValueTask<(AccountState State, bool Verified)> LoadStateAsync(LedgerAccountKey key, bool trustCache, CancellationToken cancellationToken)
    {
        if (Kept(key) is { } cached && trustCache)
        {
            return (cached, false);
        }

        var snapshot = await store.GetAccountAsync(key, cancellationToken).ConfigureAwait(false);
        return (AccountState.FromSnapshot(key, snapshot, policy, settings.TimeZone, IndexLotsFrom), true);
    }

    /// <summary>Takes the account's kept state (the store's or the cache's), or null when none is kept for this ledger.</summary>
    private AccountState? Kept(LedgerAccountKey key)
    {
        if (keeper is null)
        {
            return cache?.Take(key.MemberId);
        }

        // Ledgers with other options may share the store: a state decoded under theirs is not used.
        return keeper.TakeState(key) is { } kept && kept.DecodedUnder(policy, settings.TimeZone, IndexLotsFrom) ? kept : null;
    }

    /// <summary>Hands a state that matches the store back to the store or the cache; the caller must not use it afterwards.</summary>
    private void Keep(AccountState state)
    {
        if (keeper is null)
        {
            cache?.Return(state);
            return;
        }

        state.Settle();
        keeper.KeepState(state);
    }

    private async Task<(Hold? Hold, LedgerError? Error)> OpenHoldAsync(AccountState state, MemberId memberId, TransactionId holdId, Instant now, CancellationToken cancellationToken)
    {
        if (!state.Holds.TryGetValue(holdId, out var hold))
        {
            var record = await store.GetHoldAsync(state.Key, holdId, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                return (null, new LedgerError(LedgerErrorCode.HoldNotFound, $"Member '{memberId}' has no hold '{holdId}'; check the id returned when the hold was placed."));
            }

            hold = Hold.From(record);
        }

        return hold.Status switch
        {
            LedgerHoldStatus.Captured => (null, new LedgerError(LedgerErrorCode.HoldAlreadyCaptured, $"Hold '{holdId}' was already captured by '{hold.ClosedBy}'.")),
            LedgerHoldStatus.Released => (null, new LedgerError(LedgerErrorCode.HoldAlreadyReleased, $"Hold '{holdId}' was already released by '{hold.ClosedBy}'.")),
            LedgerHoldStatus.Lapsed => (null, Lapsed(hold)),
            _ when hold.ExpiresAt <= now => (null, Lapsed(hold)),
            _ => (hold, null),
        };

        static LedgerError Lapsed(Hold hold) => new(LedgerErrorCode.HoldLapsed,
            $"Hold '{hold.Id}' lapsed at {hold.ExpiresAt}; its points were never spent. Place a new hold.");
    }

    private async ValueTask LoadLotsAsync(AccountState state, IReadOnlyCollection<TransactionId> ids, CancellationToken cancellationToken)
    {
        var missing = ids.Where(id => !state.Lots.ContainsKey(id)).Distinct().ToList();
        if (missing.Count == 0)
        {
            return;
        }

        foreach (var lot in await store.GetLotsAsync(state.Key, missing, cancellationToken).ConfigureAwait(false))
        {
            if (!state.Lots.ContainsKey(lot.LotId))
            {
                state.AddLoaded(Lot.From(lot));
            }
        }

        foreach (var id in missing)
        {
            if (!state.Lots.ContainsKey(id))
            {
                throw new LoyaltyStoreException($"Lot '{id}' of account {state.Key} is referenced by the log but missing from the store.", isTransient: false);
            }
        }
    }

    private LedgerResult Repeat(LedgerTransactionRecord existing, MemberId memberId, Shape shape)
    {
        var field = Differs(existing, memberId, shape);
        if (field is null)
        {
            return LedgerResult.Success(existing, isRepeat: true);
        }

        return LedgerResult.Failure(LedgerErrorCode.IdempotencyConflict,
            $"Transaction id '{existing.Id}' was already used for a {existing.Kind} of {existing.Amount} points for member '{existing.MemberId}'; this request differs in {field}. Use a new transaction id for a new operation.",
            field);
    }

    private static string? Differs(LedgerTransactionRecord r, MemberId memberId, Shape s)
    {
        if (r.MemberId != memberId)
        {
            return "MemberId";
        }

        if (r.Kind != s.Kind)
        {
            return "Kind";
        }

        if (r.RelatedId != s.RelatedId)
        {
            return r.Kind == LedgerTransactionKind.Reverse ? "OriginalId" : "HoldId";
        }

        if (r.Kind == LedgerTransactionKind.Adjust && Math.Sign(r.Amount) != Math.Sign(s.Amount))
        {
            return "Direction";
        }

        if (!s.IgnoreAmount && (r.IsWholeCapture != s.IsWholeCapture || (!s.IsWholeCapture && r.Amount != s.Amount)))
        {
            return "Amount";
        }

        if (r.PendingPeriod != s.PendingPeriod)
        {
            return "PendingPeriod";
        }

        if (r.RequestedExpiresAt != s.ExpiresAt)
        {
            return "ExpiresAt";
        }

        if (!string.Equals(r.Reason, s.Reason, StringComparison.Ordinal))
        {
            return "Reason";
        }

        if (!string.Equals(r.Actor, s.Actor, StringComparison.Ordinal))
        {
            return "Actor";
        }

        // A reversal without a merchant takes its original's: only a merchant given must match.
        return r.Merchant == s.Merchant || (r.Kind == LedgerTransactionKind.Reverse && s.Merchant is null) ? null : "Merchant";
    }

    private static void CheckMerchant(MerchantId? merchant)
    {
        if (merchant is { IsDefault: true })
        {
            throw new ArgumentException("Merchant must be a merchant id or null for the programme's own shop, not default(MerchantId).", "command");
        }
    }

    private LedgerTransactionRecord Record(AccountState state, TransactionId id, LedgerTransactionKind kind, Instant now, long amount, IReadOnlyList<LedgerLotMovement>? movements = null) => new()
    {
        ProgramId = settings.ProgramId,
        MemberId = state.Key.MemberId,
        Id = id,
        Version = state.Version + 1,
        Kind = kind,
        RecordedAt = now,
        EffectiveAt = now,
        Amount = amount,
        Movements = movements ?? [],
    };

    private static Decision Decided(LedgerTransactionRecord record) => new(record, null);

    private static Decision Failed(LedgerError error) => new(null, error);

    private static LedgerError Insufficient(MemberId memberId, long spendable, long amount) => new(LedgerErrorCode.InsufficientPoints,
        $"Member '{memberId}' has {Math.Max(0, spendable)} available points; {amount} were requested. Pending and held points cannot be spent.");

    private static void CheckIds(TransactionId id, MemberId memberId)
    {
        CheckId(id, "Id");
        CheckId(memberId, "MemberId");
    }

    private static void CheckId<T>(T id, string name)
        where T : struct, IIdentifier<T>
    {
        if (id.IsDefault)
        {
            throw new ArgumentException($"{name} must not be default; create one with {typeof(T).Name}.From(...).", name);
        }
    }

    private static long CheckAmount(Points amount)
        => amount.IsPositive
            ? amount.Value
            : throw new ArgumentOutOfRangeException("Amount", amount.Value, $"Amount must be greater than 0 points (was {amount.Value}).");

    private static void CheckNoOverflow(long current, long amount, string what)
    {
        if (current > long.MaxValue - amount)
        {
            throw new ArgumentOutOfRangeException("Amount", amount, $"Amount {amount} would overflow the member's {what} points ({current}); split the operation or check the amount.");
        }
    }

    private static void CheckText(string? value, string name, string example)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{name} must not be empty; say {(name == "Reason" ? "why" : "who")}, {example}.", name);
        }

        if (value.Length > MaxTextLength)
        {
            throw new ArgumentException($"{name} must be at most {MaxTextLength} characters (was {value.Length}).", name);
        }
    }

    private readonly record struct Decision(LedgerTransactionRecord? Record, LedgerError? Error);

    private readonly record struct Shape(LedgerTransactionKind Kind, long Amount)
    {
        public TransactionId? RelatedId { get; init; }

        public Duration? PendingPeriod { get; init; }

        public Instant? ExpiresAt { get; init; }

        public bool IsWholeCapture { get; init; }

        public bool IgnoreAmount { get; init; }

        public string? Reason { get; init; }

        public string? Actor { get; init; }

        public MerchantId? Merchant { get; init; }
    }
}
