using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Programs;

/// <summary>The results and exceptions every capability of the programme answers with, worded once.</summary>
internal static class ProgramResults
{
    /// <summary>How many times a write refused for a concurrent change of the member is tried.</summary>
    internal const int MaxUpdateAttempts = 16;

    internal static LoyaltyResult<T> NotEnrolled<T>(MemberId memberId)
        where T : class =>
        LoyaltyResult<T>.Failure(LoyaltyErrorCode.MemberNotFound, $"Member '{memberId}' is not enrolled in the programme; enrol them first.");

    internal static LoyaltyResult<T> NoRules<T>(Instant at)
        where T : class =>
        LoyaltyResult<T>.Failure(LoyaltyErrorCode.NoRuleSetInForce, $"No earning rule set is in force at {at}; publish one whose effective instant is at or before it.");

    internal static LoyaltyResult<T> Conflict<T>(string message, string? field = null)
        where T : class =>
        LoyaltyResult<T>.Failure(LoyaltyErrorCode.IdempotencyConflict, message, field);

    /// <summary>A short random pause before retrying after a conflict (longer as attempts add up), so racing writers spread out.</summary>
    internal static Task PauseAsync(int attempt, CancellationToken cancellationToken) =>
        attempt == 0 ? Task.CompletedTask : Task.Delay(Random.Shared.Next(1, 2 << Math.Min(attempt, 6)), cancellationToken);

    internal static LoyaltyStoreException HistoryKeptChanging(string what, MemberId memberId) =>
        new($"{what} could not be written after {MaxUpdateAttempts} attempts because the history of member '{memberId}' kept changing (other orders, refunds or activities being recorded); retry it.", isTransient: true);

    /// <summary>The field's name in a difference such as <c>PlacedAt (… recorded, … now)</c>.</summary>
    internal static string? FieldOf(string? difference) => difference is null ? null : difference.Split(" (")[0];

    internal static LoyaltyResult<T> Insufficient<T>(MemberId memberId, Points needed, Points available)
        where T : class =>
        LoyaltyResult<T>.Failure(LoyaltyErrorCode.InsufficientPoints, $"Member '{memberId}' has {available} points available; {needed} are needed.");

    /// <summary>
    /// A ledger refusal as the programme's result: every business code has its own
    /// <see cref="LoyaltyErrorCode"/> (an idempotency conflict keeps the differing field); an account
    /// still busy after the ledger's retries is a transient <see cref="LoyaltyStoreException"/>.
    /// </summary>
    internal static LoyaltyResult<T> FromLedger<T>(LedgerResult result)
        where T : class
    {
        var error = result.Error!;
        var code = error.Code switch
        {
            LedgerErrorCode.InsufficientPoints => LoyaltyErrorCode.InsufficientPoints,
            LedgerErrorCode.IdempotencyConflict => LoyaltyErrorCode.IdempotencyConflict,
            LedgerErrorCode.HoldNotFound => LoyaltyErrorCode.HoldNotFound,
            LedgerErrorCode.HoldAlreadyCaptured => LoyaltyErrorCode.HoldAlreadyCaptured,
            LedgerErrorCode.HoldAlreadyReleased => LoyaltyErrorCode.HoldAlreadyReleased,
            LedgerErrorCode.HoldLapsed => LoyaltyErrorCode.HoldLapsed,
            LedgerErrorCode.CaptureExceedsHold => LoyaltyErrorCode.CaptureExceedsHold,
            LedgerErrorCode.ReversalExceedsOriginal => LoyaltyErrorCode.ReversalExceedsOriginal,
            LedgerErrorCode.UnknownTransaction => LoyaltyErrorCode.TransactionNotFound,
            LedgerErrorCode.NotReversible => LoyaltyErrorCode.NotReversible,
            LedgerErrorCode.ConcurrencyConflict => throw new LoyaltyStoreException($"The points account stayed busy with concurrent writes after the ledger's retries; nothing was written, retry the call. ({error.Message})", isTransient: true),
            _ => throw new LoyaltyStoreException($"The ledger answered with an unknown code {(int)error.Code}: {error.Message}", isTransient: false),
        };
        return LoyaltyResult<T>.Failure(code, error.Message, error.Field);
    }
}
