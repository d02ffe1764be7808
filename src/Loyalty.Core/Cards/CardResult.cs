namespace Loyalty.Core.Cards;

/// <summary>The stable codes of the card outcomes a shop handles routinely.</summary>
public enum CardErrorCode
{
    /// <summary>The input is not a card number of the programme's scheme (length, prefix, check digit, characters).</summary>
    InvalidCardNumber = 1,

    /// <summary>The number is valid but no card has it (not linked yet, or never issued).</summary>
    CardNotFound = 2,

    /// <summary>The card is blocked (lost, stolen, replaced, erased): any use of it is refused.</summary>
    CardBlocked = 3,

    /// <summary>The number is not in an imported physical range, so it cannot be linked.</summary>
    CardNotInRange = 4,

    /// <summary>The card is already linked to a member (another one, or the same in another way).</summary>
    CardAlreadyLinked = 5,

    /// <summary>The member is not enrolled in the programme.</summary>
    MemberNotFound = 6,

    /// <summary>The range shares serials with an imported range, or its id is taken by another range.</summary>
    RangeOverlaps = 7,

    /// <summary>No virtual range has a serial left; import one.</summary>
    NoVirtualNumbersLeft = 8,
}

/// <summary>A card outcome: a value, or an error with a stable <see cref="CardErrorCode"/> and a message saying what to do.</summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <remarks>Immutable.</remarks>
public sealed class CardResult<T>
{
    private CardResult(T? value, CardErrorCode? code, string? message, bool isRepeat)
    {
        Value = value;
        ErrorCode = code;
        ErrorMessage = message;
        IsRepeat = isRepeat;
    }

    /// <summary>Whether the call succeeded.</summary>
    public bool Succeeded => ErrorCode is null;

    /// <summary>The value, when it succeeded.</summary>
    public T? Value { get; }

    /// <summary>The error code, when it did not.</summary>
    public CardErrorCode? ErrorCode { get; }

    /// <summary>What went wrong and what to do, when it did not.</summary>
    public string? ErrorMessage { get; }

    /// <summary>Whether the call repeated one already done (nothing changed).</summary>
    public bool IsRepeat { get; }

    /// <summary>A success.</summary>
    /// <param name="value">The value.</param>
    /// <param name="isRepeat">Whether nothing changed because it was done before.</param>
    /// <returns>The result.</returns>
    public static CardResult<T> Success(T value, bool isRepeat = false) => new(value, null, null, isRepeat);

    /// <summary>A failure.</summary>
    /// <param name="code">The code.</param>
    /// <param name="message">What went wrong and what to do.</param>
    /// <returns>The result.</returns>
    public static CardResult<T> Failure(CardErrorCode code, string message) => new(default, code, message, false);

    /// <summary>The value, or an exception naming the error.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The call did not succeed.</exception>
    public T GetValueOrThrow() => Succeeded ? Value! : throw new InvalidOperationException($"The call did not succeed: {ErrorCode}: {ErrorMessage}");

    /// <inheritdoc />
    public override string ToString() => Succeeded ? (IsRepeat ? "(repeat) " : string.Empty) + Value : $"{ErrorCode}: {ErrorMessage}";
}
