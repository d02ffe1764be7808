using System.Globalization;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Texts;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Texts;

/// <summary>A shop overrides one text, adds a language, or brings its own provider; the culture comes from the call or the current UI culture.</summary>
public class LoyaltyTextCatalogTests
{
    private const string Nnbsp = "\u202F";

    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");

    private static readonly EarningRuleSet RuleSet = Rules("v1").EarnPerUnit("base", 1m).FixedBonus("bonus", 1500).Build();

    private static Points P(long value) => Points.FromInt64(value);

    [Fact]
    public void A_shop_overrides_one_key_in_one_language()
    {
        var catalog = new LoyaltyTextCatalog().Set("fr", "Error.InsufficientPoints", "Solde de points insuffisant.");
        var texts = new LoyaltyTexts(catalog);

        texts.ErrorMessage(LoyaltyErrorCode.InsufficientPoints, French).Should().Be("Solde de points insuffisant.");
        texts.ErrorMessage(LoyaltyErrorCode.InsufficientPoints, CultureInfo.GetCultureInfo("fr-BE")).Should().Be("Solde de points insuffisant.", "fr-BE falls back to fr");
        texts.ErrorMessage(LoyaltyErrorCode.InsufficientPoints, English).Should().Be("You do not have enough points.");
        texts.ErrorMessage(LoyaltyErrorCode.RewardCodeExpired, French).Should().Be("Ce code a expiré.", "the other keys keep their texts");
    }

    [Fact]
    public void An_override_may_reorder_and_drop_placeholders()
    {
        var catalog = new LoyaltyTextCatalog()
            .Set("fr", "Rule.FixedBonus.PerOrder", "{points} {points:point offert|points offerts} à chaque commande")
            .Set("fr-CA", "Rule.FixedBonus.PerOrder", "Boni de commande");
        var texts = new LoyaltyTexts(catalog);

        texts.DescribeRule(RuleSet, RuleId.From("bonus"), French).Should().Be($"1{Nnbsp}500 points offerts à chaque commande.");
        texts.DescribeRule(RuleSet, RuleId.From("bonus"), CultureInfo.GetCultureInfo("fr-CA")).Should().Be("Boni de commande.", "the most specific language wins");
    }

    [Fact]
    public void A_shop_describes_one_rule_in_its_own_words_per_language()
    {
        var catalog = new LoyaltyTextCatalog().Set("fr", TextKeys.RuleText(RuleId.From("base")), "Un point par euro, {{toujours}}.");
        var texts = new LoyaltyTexts(catalog);

        texts.DescribeRule(RuleSet, RuleId.From("base"), French).Should().Be("Un point par euro, {toujours}.");
        texts.DescribeRule(RuleSet, RuleId.From("base"), English).Should().StartWith("Earn 1 point per € spent", "an English reader does not get the French text");
    }

    [Fact]
    public void A_shop_adds_a_third_language()
    {
        var catalog = new LoyaltyTextCatalog().AddLanguage("es", new Dictionary<string, string>
        {
            ["Plural.One"] = "=1",
            ["List.And"] = " y ",
            ["Rule.FixedBonus.PerOrder"] = "Gana {points} {points:punto|puntos} extra por pedido",
            ["Error.InsufficientPoints"] = "No tienes suficientes puntos.",
            ["Points"] = "{points} {points:punto|puntos}",
        });
        var texts = new LoyaltyTexts(catalog);
        var spanish = CultureInfo.GetCultureInfo("es-ES");

        catalog.Languages.Should().Equal("en", "es", "fr");
        texts.ErrorMessage(LoyaltyErrorCode.InsufficientPoints, spanish).Should().Be("No tienes suficientes puntos.");
        texts.DescribeRule(RuleSet, RuleId.From("bonus"), spanish).Should().Be("Gana 1.500 puntos extra por pedido.");
        texts.FormatPoints(P(1), spanish).Should().Be("1 punto");
        texts.ErrorMessage(LoyaltyErrorCode.RewardCodeExpired, spanish).Should().Be("This code has expired.", "a key the language lacks falls back to English");
        catalog.MissingKeys("es").Should().Contain("Error.RewardCodeExpired").And.NotContain("Error.InsufficientPoints");
        catalog.MissingKeys("de").Should().Equal(LoyaltyTextCatalog.BuiltInKeys);
    }

    [Fact]
    public void French_has_every_key_but_the_English_ordinal_endings()
    {
        var catalog = new LoyaltyTextCatalog();

        catalog.MissingKeys("fr").Should().Equal("Ordinal.Last1.1", "Ordinal.Last1.2", "Ordinal.Last1.3", "Ordinal.Last2.11", "Ordinal.Last2.12", "Ordinal.Last2.13");
        catalog.MissingKeys("en").Should().BeEmpty();
    }

    [Fact]
    public void The_current_UI_culture_is_used_when_no_culture_is_given()
    {
        var texts = new LoyaltyTexts();
        var saved = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = French;
            texts.ErrorMessage(LoyaltyErrorCode.InsufficientPoints).Should().Be("Vous n'avez pas assez de points.");
            texts.DescribeRule(RuleSet, RuleId.From("bonus")).Should().Be($"Gagnez 1{Nnbsp}500 points bonus par commande.");
            texts.FormatPoints(P(1234)).Should().Be($"1{Nnbsp}234 points");

            CultureInfo.CurrentUICulture = English;
            texts.ErrorMessage(LoyaltyErrorCode.InsufficientPoints).Should().Be("You do not have enough points.");

            // A language without texts falls back to English words, with the culture's own number format.
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
            texts.ErrorMessage(LoyaltyErrorCode.InsufficientPoints).Should().Be("You do not have enough points.");
            texts.DescribeRule(RuleSet, RuleId.From("bonus")).Should().Be("Earn 1.500 bonus points per order.");
            texts.FormatPoints(P(1)).Should().Be("1 point");

            CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
            texts.ErrorMessage(LoyaltyErrorCode.InsufficientPoints).Should().Be("You do not have enough points.");
            texts.DescribeRule(RuleSet, RuleId.From("bonus")).Should().Be("Earn 1,500 bonus points per order.");
        }
        finally
        {
            CultureInfo.CurrentUICulture = saved;
        }
    }

    [Theory]
    [InlineData("en-US", "EUR", "€1,234.50")]
    [InlineData("fr-FR", "EUR", "1\u202F234,50 €")]
    [InlineData("fr-FR", "USD", "1\u202F234,50 USD")]
    [InlineData("en-US", "USD", "$1,234.50")]
    [InlineData("en-GB", "GBP", "£1,234.50")]
    [InlineData("", "EUR", "1,234.50 EUR")]
    public void Money_is_formatted_with_the_culture(string culture, string currency, string expected)
    {
        LoyaltyTexts.FormatMoney(Money.FromDecimal(1234.5m, currency), CultureInfo.GetCultureInfo(culture)).Should().Be(expected);
    }

    [Fact]
    public void Dates_are_formatted_with_the_language()
    {
        var texts = new LoyaltyTexts();

        texts.FormatDate(new LocalDate(2026, 7, 1), French).Should().Be("1er juillet 2026");
        texts.FormatDate(new LocalDate(2026, 7, 14), French).Should().Be("14 juillet 2026");
        texts.FormatDate(new LocalDate(2026, 7, 1), English).Should().Be("1 July 2026");
        texts.FormatDate(new LocalDate(2026, 7, 1), CultureInfo.InvariantCulture).Should().Be("2026-07-01");
    }

    public static TheoryData<string, string, string, string> InvalidTexts() => new()
    {
        { "fr", "Rule.Spnd", "x", "The text for language \"fr\" is invalid: \"Rule.Spnd\" is not a text key; use one of LoyaltyTextCatalog.BuiltInKeys (e.g. \"Rule.Spend\", \"Error.InsufficientPoints\"), \"RuleText.<rule id>\", \"RewardName.<reward id>\" or an ordinal key (\"Ordinal.Exact.1\", \"Ordinal.Last1.2\", \"Ordinal.Last2.11\"). (Parameter 'template')" },
        { "fr", "Rule.Spend", "Gagnez {pts} points", "The text for language \"fr\" is invalid: the template of \"Rule.Spend\" uses {pts}, which this text does not provide; it may use {points}, {currency}. (Parameter 'template')" },
        { "fr", "Rule.Spend", "Gagnez {points points", "The text for language \"fr\" is invalid: the template of \"Rule.Spend\" is malformed: the placeholder opened at position 7 is not closed; write '{{' for a literal brace. (Parameter 'template')" },
        { "fr", "Rule.Spend", "Gagnez {points:point} points", "The text for language \"fr\" is invalid: the template of \"Rule.Spend\" is malformed: the plural choice at position 7 must have two forms, one|other (was \"{points:point}\"), e.g. {points:point|points}. (Parameter 'template')" },
        { "fr", "Error.HouseholdFull", "Foyer {complet}", "The text for language \"fr\" is invalid: the template of \"Error.HouseholdFull\" uses {complet} but this text takes no placeholder; write braces as {{ and }}. (Parameter 'template')" },
        { "fr", "Plural.One", "one", "The text for language \"fr\" is invalid: \"Plural.One\" must be \"=1\" (singular for exactly 1, as in English), \"<2\" (singular below 2, as in French) or \"none\" (no singular) (was \"one\"). (Parameter 'template')" },
        { "fr", "Ordinal.Exact.x", "{n}", "The text for language \"fr\" is invalid: \"Ordinal.Exact.x\" is not a text key; use one of LoyaltyTextCatalog.BuiltInKeys (e.g. \"Rule.Spend\", \"Error.InsufficientPoints\"), \"RuleText.<rule id>\", \"RewardName.<reward id>\" or an ordinal key (\"Ordinal.Exact.1\", \"Ordinal.Last1.2\", \"Ordinal.Last2.11\"). (Parameter 'template')" },
        { "xx-Nowhere", "Error.HouseholdFull", "x", "language must be a culture name such as \"fr\", \"fr-CA\" or \"de\" (was \"xx-Nowhere\"). (Parameter 'language')" },
        { "", "Error.HouseholdFull", "x", "language must be a culture name such as \"fr\", \"fr-CA\" or \"de\", not the invariant culture; invariant texts fall back to English. (Parameter 'language')" },
    };

    [Theory]
    [MemberData(nameof(InvalidTexts))]
    public void An_invalid_text_is_refused_with_what_to_fix(string language, string key, string template, string message)
    {
        var catalog = new LoyaltyTextCatalog();

        FluentActions.Invoking(() => catalog.Set(language, key, template)).Should().Throw<ArgumentException>().WithMessage(message.Replace("*", "\\*", StringComparison.Ordinal).Replace("?", "\\?", StringComparison.Ordinal));
        catalog.GetTemplate("fr", key).Should().Be(key.StartsWith("Error.", StringComparison.Ordinal) || key.StartsWith("Rule.Spend", StringComparison.Ordinal) || key == "Plural.One" ? new LoyaltyTextCatalog().GetTemplate("fr", key) : null);
    }

    [Fact]
    public void An_invalid_date_pattern_is_refused()
    {
        FluentActions.Invoking(() => new LoyaltyTextCatalog().Set("fr", "Format.Date", "d MMMM yyyy %"))
            .Should().Throw<ArgumentException>().WithMessage("The text for language \"fr\" is invalid: \"Format.Date\" must be a NodaTime date pattern such as \"d MMMM yyyy\" (was \"d MMMM yyyy %\"): *");
    }

    [Fact]
    public void A_language_with_several_problems_lists_them_all_and_adds_nothing()
    {
        var catalog = new LoyaltyTextCatalog();

        FluentActions.Invoking(() => catalog.AddLanguage("de", new Dictionary<string, string>
        {
            ["Error.HouseholdFull"] = "Der Haushalt ist voll.",
            ["Rule.Spend"] = "Sammle {punkte} Punkte",
            ["Rule.Unknown"] = "?",
        })).Should().Throw<ArgumentException>().WithMessage(
            "The texts for language \"de\" are invalid (2 problem(s)): the template of \"Rule.Spend\" uses {punkte}, which this text does not provide; it may use {points}, {currency}. \"Rule.Unknown\" is not a text key; *");
        catalog.Languages.Should().Equal("en", "fr");
    }

    [Fact]
    public void A_shops_own_ordinals_apply_to_its_language()
    {
        var catalog = new LoyaltyTextCatalog().AddLanguage("de", new Dictionary<string, string> { ["Ordinal.Other"] = "{n}.", ["Rule.OrderCountBonus"] = "{points} Bonuspunkte für deine {ordinal} Bestellung" });
        var texts = new LoyaltyTexts(catalog);
        var rules = Rules("v1").OrderCountBonus("third", 3, 50).Build();

        texts.DescribeRule(rules, RuleId.From("third"), CultureInfo.GetCultureInfo("de-DE")).Should().Be("50 Bonuspunkte für deine 3. Bestellung.");
    }

    [Fact]
    public void The_catalogue_registered_by_AddLoyalty_takes_the_shops_changes()
    {
        var services = new ServiceCollection();
        services.AddLoyalty()
            .ConfigureTexts(c => c.Set("fr", "Error.InsufficientPoints", "Solde insuffisant."))
            .ConfigureTexts(c => c.AddLanguage("it", new Dictionary<string, string> { ["Error.InsufficientPoints"] = "Punti insufficienti." }));
        using var provider = services.BuildServiceProvider();

        var texts = provider.GetRequiredService<LoyaltyTexts>();
        texts.ErrorMessage(LoyaltyErrorCode.InsufficientPoints, French).Should().Be("Solde insuffisant.");
        texts.ErrorMessage(LoyaltyErrorCode.InsufficientPoints, CultureInfo.GetCultureInfo("it-IT")).Should().Be("Punti insufficienti.");
        provider.GetRequiredService<ILoyaltyTextProvider>().Should().BeSameAs(provider.GetRequiredService<LoyaltyTextCatalog>());

        // Changed at run time: seen by the next text.
        provider.GetRequiredService<LoyaltyTextCatalog>().Set("fr", "Error.InsufficientPoints", "Pas assez de points.");
        texts.ErrorMessage(LoyaltyErrorCode.InsufficientPoints, French).Should().Be("Pas assez de points.");
    }

    [Fact]
    public void An_invalid_text_in_the_registration_fails_when_the_texts_are_resolved()
    {
        var services = new ServiceCollection();
        services.AddLoyalty().ConfigureTexts(c => c.Set("fr", "Error.Nope", "x"));
        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<LoyaltyTexts>()).Should().Throw<ArgumentException>().WithMessage("The text for language \"fr\" is invalid: \"Error.Nope\" is not a text key; *");
    }

    [Fact]
    public void A_shops_own_provider_answers_first_and_the_built_in_texts_fill_the_rest()
    {
        var services = new ServiceCollection();
        services.AddLoyalty().UseTextProvider<CmsTexts>();
        using var provider = services.BuildServiceProvider();

        var texts = provider.GetRequiredService<LoyaltyTexts>();
        texts.ErrorMessage(LoyaltyErrorCode.RewardCodeExpired, French).Should().Be("Code périmé (CMS).");
        texts.ErrorMessage(LoyaltyErrorCode.RewardCodeUsed, French).Should().Be("Ce code a déjà été utilisé.");
        texts.ErrorMessage(LoyaltyErrorCode.RewardCodeExpired, English).Should().Be("This code has expired.");
    }

    [Fact]
    public void A_malformed_text_from_a_shops_provider_names_its_key_and_culture()
    {
        var texts = new LoyaltyTexts(new BrokenTexts());

        FluentActions.Invoking(() => texts.ErrorMessage(LoyaltyErrorCode.HouseholdFull, French))
            .Should().Throw<InvalidOperationException>().WithMessage("The text \"Error.HouseholdFull\" for culture \"fr-FR\" is malformed: a lone '}' at position 5; write '}}' for a literal brace.");
    }

    private sealed class CmsTexts : ILoyaltyTextProvider
    {
        public string? GetTemplate(string language, string key) =>
            language == "fr" && key == TextKeys.Error(LoyaltyErrorCode.RewardCodeExpired) ? "Code périmé (CMS)." : null;
    }

    private sealed class BrokenTexts : ILoyaltyTextProvider
    {
        public string? GetTemplate(string language, string key) => language == "fr" && key == "Error.HouseholdFull" ? "Plein}" : null;
    }
}
