using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Ledger;

/// <summary>Business outcomes a shop handles routinely. The numeric values and names are stable.</summary>
public enum LedgerErrorCode
{
    /// <summary>Not enough available points (pending and held points are not spendable).</summary>
    InsufficientPoints = 1,

    /// <summary>The transaction id was already used for a different request; <see cref="LedgerError.Field"/> names the first field that differs.</summary>
    IdempotencyConflict = 2,

    /// <summary>No hold with that id for this member.</summary>
    HoldNotFound = 3,

    /// <summary>The hold was already captured.</summary>
    HoldAlreadyCaptured = 4,

    /// <summary>The hold was already released.</summary>
    HoldAlreadyReleased = 5,

    /// <summary>The hold reached its expiry before being captured or released.</summary>
    HoldLapsed = 6,

    /// <summary>The capture asks for more than the hold reserved.</summary>
    CaptureExceedsHold = 7,

    /// <summary>With earlier reversals, the reversal would exceed the original transaction's amount.</summary>
    ReversalExceedsOriginal = 8,

    /// <summary>No transaction with that id for this member.</summary>
    UnknownTransaction = 9,

    /// <summary>Only earns, redemptions and captures can be reversed.</summary>
    NotReversible = 10,

    /// <summary>Concurrent writes on the account kept winning; nothing was written. Retrying later is safe.</summary>
    ConcurrencyConflict = 11,
}

/// <summary>A business error: a stable code, a message for logs, and for idempotency conflicts the differing field.</summary>
/// <param name="Code">The code.</param>
/// <param name="Message">A message saying what happened and what to do.</param>
/// <param name="Field">For <see cref="LedgerErrorCode.IdempotencyConflict"/>, the first request field that differs.</param>
public sealed record LedgerError(LedgerErrorCode Code, string Message, string? Field = null);

/// <summary>The result of a ledger write: the transaction (new or the original on a repeat) or an error.</summary>
/// <remarks>Immutable.</remarks>
public sealed class LedgerResult
{
    private LedgerResult(LedgerTransactionRecord? transaction, bool isRepeat, LedgerError? error)
    {
        Transaction = transaction;
        IsRepeat = isRepeat;
        Error = error;
    }

    /// <summary>True when the transaction is recorded (now or by an earlier identical request).</summary>
    public bool Succeeded => Error is null;

    /// <summary>The recorded transaction, or null on error.</summary>
    public LedgerTransactionRecord? Transaction { get; }

    /// <summary>True when an identical request with the same id was already recorded: nothing changed.</summary>
    public bool IsRepeat { get; }

    /// <summary>The error, or null on success.</summary>
    public LedgerError? Error { get; }

    /// <summary>The error code, or null on success.</summary>
    public LedgerErrorCode? ErrorCode => Error?.Code;

    internal static LedgerResult Success(LedgerTransactionRecord transaction, bool isRepeat) => new(transaction, isRepeat, null);

    internal static LedgerResult Failure(LedgerErrorCode code, string message, string? field = null) => new(null, false, new LedgerError(code, message, field));

    /// <summary>A one-line description.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Error is { } e
        ? $"{e.Code}: {e.Message}"
        : $"{Transaction!.Kind} {Transaction.Id} v{Transaction.Version}{(IsRepeat ? " (repeat)" : string.Empty)}";
}

/// <summary>An account's balances at an instant. Available + pending + held = earned − redeemed − expired − reversed + adjusted.</summary>
/// <remarks>Immutable. <see cref="Available"/> is negative only when a debt exists (allow-negative shortfall policy).</remarks>
public readonly record struct LedgerBalance
{
    /// <summary>The instant these figures hold at.</summary>
    public Instant AsOf { get; init; }

    /// <summary>Spendable now: available lots minus held points minus debt.</summary>
    public Points Available { get; init; }

    /// <summary>Earned but not yet spendable (the return window).</summary>
    public Points Pending { get; init; }

    /// <summary>Reserved by open holds (never more than the available lots).</summary>
    public Points Held { get; init; }

    /// <summary>Owed after a reversal under the allow-negative policy (already subtracted from <see cref="Available"/>).</summary>
    public Points Debt { get; init; }

    /// <summary>Lifetime earned.</summary>
    public Points Earned { get; init; }

    /// <summary>Lifetime redeemed, net of reversed redemptions.</summary>
    public Points Redeemed { get; init; }

    /// <summary>Lifetime expired, including lots past their expiry not yet swept by maintenance.</summary>
    public Points Expired { get; init; }

    /// <summary>Lifetime taken back by reversals of earns.</summary>
    public Points Reversed { get; init; }

    /// <summary>Lifetime net manual adjustments.</summary>
    public Points Adjusted { get; init; }

    /// <summary>Lifetime points reversals could not take back and wrote off.</summary>
    public Points WrittenOff { get; init; }

    /// <summary>The account's version these figures come from.</summary>
    public long Version { get; init; }
}

/// <summary>Points that will expire on one local date in the programme's time zone (the last day they can be spent).</summary>
/// <param name="Date">The last local date on which the points can still be spent (the date of the expiry instant minus one tick).</param>
/// <param name="ExpiresAt">The earliest expiry instant that day.</param>
/// <param name="Amount">The points.</param>
public readonly record struct ExpiringPoints(LocalDate Date, Instant ExpiresAt, Points Amount);

/// <summary>What a maintenance run did.</summary>
/// <param name="AccountsExamined">Accounts with lots due.</param>
/// <param name="TransactionsWritten">Expire transactions written (repeats and concurrent runs write none).</param>
/// <param name="PointsExpired">Points expired by this run.</param>
/// <param name="AccountsSkipped">
/// Accounts left unexpired because other writers kept changing them through every retry
/// (<see cref="LedgerOptions.MaxConcurrencyRetries"/>); zero on a normal run. Re-run the
/// maintenance for the same instant to finish them: a re-run never expires twice.
/// </param>
public readonly record struct ExpiryRunResult(int AccountsExamined, int TransactionsWritten, Points PointsExpired, int AccountsSkipped);

/// <summary>A page of an account's transactions.</summary>
/// <param name="Transactions">The transactions in order.</param>
/// <param name="ContinueAfter">Pass as <c>afterVersion</c> to read the next page, or null at the end.</param>
public sealed record LedgerHistory(IReadOnlyList<LedgerTransactionRecord> Transactions, long? ContinueAfter);
