using System.Globalization;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Texts;

/// <summary>
/// One line of an order's (activity's, quote's) points for members, in one language: what the
/// rule is, what it gave or why not, with the points as data so a shop can format them itself.
/// </summary>
/// <remarks>Immutable. Made by <see cref="LoyaltyTexts.Explain(IReadOnlyList{Programs.ExplanationLine}, CultureInfo?)"/>.</remarks>
public sealed class MemberExplanationLine
{
    private readonly PluralRule plural;
    private readonly CultureInfo culture;
    private readonly TextTemplate parsed;

    internal MemberExplanationLine(RuleId ruleId, RuleOutcome outcome, Points points, string description, string? reason, string label, string template, PluralRule plural, CultureInfo culture)
    {
        RuleId = ruleId;
        Outcome = outcome;
        Points = points;
        Description = description;
        Reason = reason;
        Label = label;
        Template = template;
        this.plural = plural;
        this.culture = culture;

        // Parsed once for this line, not cached: the template holds the line's own text.
        parsed = TextTemplate.Parse(template, out var error) ?? throw new InvalidOperationException($"The explanation template is malformed: {error}");
        Text = Format(TextFormat.Number(points.Value, culture));
    }

    /// <summary>The rule.</summary>
    public RuleId RuleId { get; }

    /// <summary>Fired, or why not.</summary>
    public RuleOutcome Outcome { get; }

    /// <summary>The points the rule gave (0 unless it fired).</summary>
    public Points Points { get; }

    /// <summary>The rule described for members, e.g. <c>Earn 1 point per € spent.</c></summary>
    public string Description { get; }

    /// <summary>Why the rule gave nothing, e.g. <c>Limit reached.</c>; null when it gave points.</summary>
    public string? Reason { get; }

    /// <summary>The line without the number: the description, and the reason when the rule gave nothing.</summary>
    public string Label { get; }

    /// <summary>
    /// The line as a template whose only placeholder is the points: <c>{points}</c> for the number
    /// and <c>{points:point|points}</c> for the word, e.g. <c>+{points} {points:point|points}: Earn 1 point per € spent.</c>;
    /// other braces are doubled. <see cref="Format"/> fills it.
    /// </summary>
    public string Template { get; }

    /// <summary>The whole line with the points in the culture's number format, e.g. <c>+1 234 points : Gagnez …</c>.</summary>
    public string Text { get; }

    /// <summary>The culture the line is written for.</summary>
    public CultureInfo Culture => culture;

    /// <summary>The line with the points written as the shop wants (e.g. bold, or <c>1.2k</c>); the word's singular or plural follows <see cref="Points"/>.</summary>
    /// <param name="points">The points as the shop formats them.</param>
    /// <returns>The line.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="points"/> is null.</exception>
    public string Format(string points)
    {
        ArgumentNullException.ThrowIfNull(points);
        return parsed.Format(plural, [new TextArg("points", points, Points.Value)]);
    }

    /// <summary>The line's text.</summary>
    /// <returns><see cref="Text"/>.</returns>
    public override string ToString() => Text;
}
