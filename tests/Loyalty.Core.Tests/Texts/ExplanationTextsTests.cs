using System.Globalization;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Tests.Programs;
using Loyalty.Core.Texts;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Texts;

/// <summary>The explanation lines of an order's points, for members, in English and French, with and without the number.</summary>
public class ExplanationTextsTests
{
    private const string Nnbsp = "\u202F";
    private const string Nbsp = "\u00A0";

    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");
    private static readonly LoyaltyTexts Texts = new();

    private const string BaseEnglish = "Earn 1 point per € spent (excluding shipping, tax, gift cards and the part paid with points).";
    private const string BaseFrench = "Gagnez 1 point par € dépensé (hors frais de livraison, taxes, cartes cadeaux et part payée en points).";

    [Fact]
    public async Task An_orders_explanation_in_English_and_French()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        var receipt = (await h.Program.RecordOrderAsync(Order("A-1001", Alice, h.Now, new OrderLine("SHOE-42", 1, 120m, categories: ["shoes"]), new OrderLine("SHIRT-M", 2, 30m, categories: ["clothing"])))).GetValueOrThrow();

        var english = Texts.Explain(receipt.Explanation, English);
        english.Select(l => l.Text).Should().Equal(
            "+180 points: " + BaseEnglish,
            "+120 points: Earn 2× points on shoes.",
            "0 points: Earn your tier's points multiplier on your purchases. Nothing eligible.");

        var french = Texts.Explain(receipt.Explanation, French);
        french.Select(l => l.Text).Should().Equal(
            $"+180 points{Nbsp}: " + BaseFrench,
            $"+120 points{Nbsp}: Gagnez 2 fois plus de points sur la catégorie shoes.",
            $"0 point{Nbsp}: Profitez du multiplicateur de points de votre statut sur vos achats. Aucun achat éligible.");

        french.Select(l => (l.RuleId.Value, l.Outcome, l.Points.Value)).Should().Equal(("base", RuleOutcome.Fired, 180L), ("shoes", RuleOutcome.Fired, 120L), ("tier", RuleOutcome.NothingToEarn, 0L));
        french[2].Description.Should().Be("Profitez du multiplicateur de points de votre statut sur vos achats.");
        french[2].Reason.Should().Be("Aucun achat éligible.");
        french[0].Reason.Should().BeNull();
        french[0].Culture.Should().Be(French);

        // The English back-office line is unchanged.
        receipt.Explanation[0].Text.Should().Be("  +180  Earn 1 point per EUR spent (excluding shipping, tax, gift cards and the part paid with points).");
    }

    [Fact]
    public async Task The_text_without_the_number_and_the_template_let_a_shop_format_points_itself()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        var quote = (await h.Program.QuoteAsync(Order("Q-1", Alice, h.Now, new OrderLine("SHOE-42", 1, 1234m, categories: ["shoes"])))).GetValueOrThrow();

        var shoes = Texts.Explain(quote.Explanation, French)[1];

        shoes.Points.Should().Be(P(1234));
        shoes.Label.Should().Be("Gagnez 2 fois plus de points sur la catégorie shoes.");
        shoes.Template.Should().Be($"+{{points}} {{points:point|points}}{Nbsp}: Gagnez 2 fois plus de points sur la catégorie shoes.");
        shoes.Text.Should().Be($"+1{Nnbsp}234 points{Nbsp}: Gagnez 2 fois plus de points sur la catégorie shoes.");
        shoes.Format("<b>1.2k</b>").Should().Be($"+<b>1.2k</b> points{Nbsp}: Gagnez 2 fois plus de points sur la catégorie shoes.");

        var tier = Texts.Explain(quote.Explanation, English)[2];
        tier.Label.Should().Be("Earn your tier's points multiplier on your purchases. Nothing eligible.");
        tier.Template.Should().Be("{points} {points:point|points}: Earn your tier's points multiplier on your purchases. Nothing eligible.");
        tier.Format("zero").Should().Be("zero points: Earn your tier's points multiplier on your purchases. Nothing eligible.");
    }

    [Fact]
    public void The_word_follows_the_points_and_the_language()
    {
        var rule = new FixedBonusRule { Id = RuleId.From("bonus"), Points = P(1) };
        var one = new ExplanationLine(rule.Id, RuleOutcome.Fired, P(1), "+1  bonus") { Rule = rule, Currency = Currency.EUR };

        Texts.ExplainLine(one, English).Text.Should().Be("+1 point: Earn 1 bonus point per order.");
        Texts.ExplainLine(one, French).Text.Should().Be($"+1 point{Nbsp}: Gagnez 1 point bonus par commande.");
        Texts.ExplainLine(one, English).Format("one").Should().Be("+one point: Earn 1 bonus point per order.");
    }

    [Fact]
    public void Braces_in_a_shops_text_stay_literal_in_the_template()
    {
        var rule = new FixedBonusRule { Id = RuleId.From("promo"), Points = P(5), Description = "Code {SPRING} gives 5 points." };
        var line = new ExplanationLine(rule.Id, RuleOutcome.CapReached, P(0), "0  promo") { Rule = rule, Currency = Currency.EUR };

        var member = Texts.ExplainLine(line, English);

        member.Template.Should().Be("{points} {points:point|points}: Code {{SPRING}} gives 5 points. Limit reached.");
        member.Text.Should().Be("0 points: Code {SPRING} gives 5 points. Limit reached.");
        member.Format("nil").Should().Be("nil points: Code {SPRING} gives 5 points. Limit reached.");
    }

    [Fact]
    public void A_rule_the_rule_set_no_longer_has_is_named_by_its_id()
    {
        var line = new ExplanationLine(RuleId.From("gone"), RuleOutcome.Fired, P(10), "   +10  gone");

        Texts.ExplainLine(line, English).Text.Should().Be("+10 points: Offer gone");
        Texts.ExplainLine(line, French).Text.Should().Be($"+10 points{Nbsp}: Offre gone");
    }

    [Theory]
    [InlineData(RuleOutcome.ConditionNotMet, "Conditions not met.", "Conditions non remplies.")]
    [InlineData(RuleOutcome.OutsideWindow, "Outside the offer's dates or hours.", "En dehors des dates ou horaires de l'offre.")]
    [InlineData(RuleOutcome.NothingToEarn, "Nothing eligible.", "Aucun achat éligible.")]
    [InlineData(RuleOutcome.CapReached, "Limit reached.", "Plafond atteint.")]
    [InlineData(RuleOutcome.ExcludedByExclusiveRule, "Another offer applied that cannot be combined.", "Une offre non cumulable s'est appliquée.")]
    [InlineData(RuleOutcome.SkippedByFirstMatch, "An earlier offer of the same group applied.", "Une offre du même groupe s'est appliquée avant.")]
    [InlineData(RuleOutcome.NotBestOfGroup, "Another offer of the same group gave more.", "Une autre offre du même groupe rapportait plus.")]
    [InlineData(RuleOutcome.CurrencyMismatch, "Not available in this currency.", "Offre non disponible dans cette devise.")]
    public void Each_reason_a_rule_gave_nothing_has_a_text_in_both_languages(RuleOutcome outcome, string english, string french)
    {
        var line = new ExplanationLine(RuleId.From("r"), outcome, P(0), "0  r");

        Texts.ExplainLine(line, English).Reason.Should().Be(english);
        Texts.ExplainLine(line, French).Reason.Should().Be(french);
    }

    [Fact]
    public void Every_outcome_an_explanation_shows_is_covered()
    {
        // NotApplicable lines are left out of explanations; Fired has no reason.
        var shown = Enum.GetValues<RuleOutcome>().Where(o => o is not RuleOutcome.Fired and not RuleOutcome.NotApplicable);
        var catalog = new LoyaltyTextCatalog();

        foreach (var outcome in shown)
        {
            catalog.GetTemplate("en", TextKeys.Outcome(outcome)).Should().NotBeNullOrWhiteSpace($"{outcome} needs an English reason");
            catalog.GetTemplate("fr", TextKeys.Outcome(outcome)).Should().NotBeNullOrWhiteSpace($"{outcome} needs a French reason");
        }
    }
}
