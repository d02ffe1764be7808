using Loyalty.Core.Ledger;
using Loyalty.Core.Programs;

namespace Loyalty.Core.Coalition;

/// <summary>Business outcomes of a coalition call. The numeric values and names are stable.</summary>
public enum CoalitionErrorCode
{
    /// <summary>The partner has no agreement version in force on the day of the order, activity or redemption.</summary>
    NoAgreementInForce = 1,

    /// <summary>The partner's prepaid blocks (reserve included) hold fewer points than the earn; nothing was recorded.</summary>
    PrepaidPointsExhausted = 2,

    /// <summary>The programme refused the call; <see cref="CoalitionError.Programme"/> says why.</summary>
    ProgrammeRefused = 3,

    /// <summary>The ledger refused the redemption; <see cref="CoalitionError.Ledger"/> says why.</summary>
    LedgerRefused = 4,
}

/// <summary>A coalition business error.</summary>
/// <param name="Code">The code.</param>
/// <param name="Message">What happened and what to do.</param>
/// <param name="Programme">For <see cref="CoalitionErrorCode.ProgrammeRefused"/>, the programme's error.</param>
/// <param name="Ledger">For <see cref="CoalitionErrorCode.LedgerRefused"/>, the ledger's error.</param>
public sealed record CoalitionError(CoalitionErrorCode Code, string Message, LoyaltyError? Programme = null, LedgerError? Ledger = null)
{
    /// <summary>The code and message.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>The result of a coalition call: a value or an error.</summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <remarks>Immutable.</remarks>
public sealed class CoalitionResult<T>
    where T : class
{
    private CoalitionResult(T? value, CoalitionError? error, bool isRepeat)
    {
        Value = value;
        Error = error;
        IsRepeat = isRepeat;
    }

    /// <summary>True when the call succeeded.</summary>
    public bool Succeeded => Error is null;

    /// <summary>The value, or null on error.</summary>
    public T? Value { get; }

    /// <summary>The error, or null on success.</summary>
    public CoalitionError? Error { get; }

    /// <summary>The error code, or null on success.</summary>
    public CoalitionErrorCode? ErrorCode => Error?.Code;

    /// <summary>True when an identical call was already recorded: nothing changed.</summary>
    public bool IsRepeat { get; }

    /// <summary>The value, or an exception naming the error.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The call did not succeed.</exception>
    public T GetValueOrThrow() => Value ?? throw new InvalidOperationException($"The call did not succeed: {Error}.");

    /// <summary>The value or the error, as text.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Error is { } e ? e.ToString() : (IsRepeat ? "(repeat) " : string.Empty) + Value;

    internal static CoalitionResult<T> Success(T value, bool isRepeat = false) => new(value, null, isRepeat);

    internal static CoalitionResult<T> Failure(CoalitionError error) => new(null, error, false);
}
