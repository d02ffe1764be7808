namespace Loyalty.Core.Cards;

/// <summary>
/// The programme's card settings, bound from configuration (section <see cref="SectionName"/>) or set in
/// code through <c>AddCards(o =&gt; …)</c>: the card-number scheme and whether enrolment issues a virtual card.
/// </summary>
/// <remarks>A plain, mutable options object, validated once at start-up; services read the immutable <see cref="CardNumberScheme"/>.</remarks>
public sealed class CardOptions
{
    /// <summary>The configuration section: <c>Loyalty:Cards</c>.</summary>
    public const string SectionName = "Loyalty:Cards";

    /// <summary>The digits every card number starts with; may be empty. Default empty.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>The number of digits, check digit included: 8 to 19, exactly 13 for EAN-13. Default 13.</summary>
    public int Length { get; set; } = 13;

    /// <summary>The check digit: <see cref="CheckDigitAlgorithm.Luhn"/> or <see cref="CheckDigitAlgorithm.Ean13"/>. Default EAN-13.</summary>
    public CheckDigitAlgorithm CheckDigit { get; set; } = CheckDigitAlgorithm.Ean13;

    /// <summary>Whether <see cref="LoyaltyCards.EnrolAsync"/> issues a virtual card from an imported virtual range. Default false.</summary>
    public bool IssueVirtualCardAtEnrolment { get; set; }

    /// <summary>Every problem with these options, each prefixed with its configuration path.</summary>
    /// <returns>The messages; empty when valid.</returns>
    public IReadOnlyList<string> GetFailures() =>
        CardNumberScheme.Problems(Prefix, Length, CheckDigit, SectionName + ":" + nameof(Prefix), SectionName + ":" + nameof(Length), SectionName + ":" + nameof(CheckDigit));

    /// <summary>The scheme these options describe.</summary>
    /// <returns>The scheme.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem with its path.</exception>
    public CardNumberScheme ToScheme()
    {
        var failures = GetFailures();
        return failures.Count > 0
            ? throw new ArgumentException("Invalid card options: " + string.Join(" ", failures), "options")
            : CardNumberScheme.Create(Prefix, Length, CheckDigit);
    }
}
