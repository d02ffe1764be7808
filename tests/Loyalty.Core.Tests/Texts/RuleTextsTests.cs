using System.Globalization;
using System.Reflection;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Texts;
using NodaTime;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Texts;

/// <summary>Every earning rule kind and condition kind, described for members in English and French.</summary>
public class RuleTextsTests
{
    // French as .NET formats it: a narrow no-break space between thousands, a space before "€"; the texts put a no-break space before ":" and inside « ».
    private const string Nnbsp = "\u202F";
    private const string Nbsp = "\u00A0";

    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");
    private static readonly LoyaltyTexts Texts = new();

    private static readonly PeriodCap FiveAMonth = new() { Period = CapPeriod.Month, MaxAwards = 5 };

    /// <summary>Rule id → (rule set builder step, English, French). The base spend rule "base" is always there.</summary>
    public static TheoryData<string, string, string> RuleCases() => new()
    {
        {
            "base",
            "Earn 1 point per € spent (excluding shipping, tax, gift cards and the part paid with points).",
            "Gagnez 1 point par € dépensé (hors frais de livraison, taxes, cartes cadeaux et part payée en points)."
        },
        {
            "books",
            "Earn 1.5 points per € spent on books (excluding Acme products).",
            "Gagnez 1,5 point par € dépensé sur la catégorie books (hors les produits Acme)."
        },
        { "shoes-x2", "Earn 2× points on shoes or bags.", "Gagnez 2 fois plus de points sur la catégorie shoes ou bags." },
        { "per-order", "Earn 50 bonus points per order.", "Gagnez 50 points bonus par commande." },
        { "gift-box", "Earn 30 bonus points on orders with item GIFT-BOX.", "Gagnez 30 points bonus pour toute commande avec l'article GIFT-BOX." },
        { "eco", "Earn 15 bonus points for each item of GreenCo products.", "Gagnez 15 points bonus par article acheté parmi les produits GreenCo." },
        { "big", "Earn 1,500 bonus points when your basket reaches €1,234.50.", $"Gagnez 1{Nnbsp}500 points bonus dès 1{Nnbsp}234,50 € d'achat." },
        { "first", "Earn 200 bonus points on your 1st order.", "Gagnez 200 points bonus pour votre 1re commande." },
        { "tier", "Earn your tier's points multiplier on your purchases.", "Profitez du multiplicateur de points de votre statut sur vos achats." },
        { "tier-table", "Earn more as you move up: silver ×1.5, gold ×2.", $"Gagnez plus en montant de statut{Nbsp}: silver ×1,5, gold ×2." },
        { "signup", "Earn 100 points when you join.", "Gagnez 100 points à votre inscription." },
        { "review", "Earn 20 points for each product review, at most 5 times a month.", "Gagnez 20 points pour chaque avis produit, au plus 5 fois par mois." },
        { "survey", "Earn 10 points for each survey you answer.", "Gagnez 10 points pour chaque questionnaire rempli." },
        { "birthday", "Earn 100 points on your birthday, once a year.", "Gagnez 100 points le jour de votre anniversaire, une fois par an." },
        { "referral", "Earn 500 points when a friend you referred places their first order.", "Gagnez 500 points quand un ami parrainé passe sa première commande." },
        { "newsletter", "Earn 1 point for \"newsletter\".", $"Gagnez 1 point pour «{Nbsp}newsletter{Nbsp}»." },
        {
            "weekend",
            "Earn 2 points per € spent (excluding shipping, tax, gift cards and the part paid with points) on Saturdays and Sundays, up to 300 points per order.",
            "Gagnez 2 points par € dépensé (hors frais de livraison, taxes, cartes cadeaux et part payée en points) le samedi et le dimanche, jusqu'à 300 points par commande."
        },
        {
            "spring",
            "Earn 150 bonus points per order, up to 1,000 points a week and while the campaign lasts.",
            $"Gagnez 150 points bonus par commande, jusqu'à 1{Nnbsp}000 points par semaine et dans la limite de l'enveloppe de l'opération."
        },
        { "app-reviews", "Earn 5 points for each product review, up to 5 points per activity.", "Gagnez 5 points pour chaque avis produit, jusqu'à 5 points par action." },
        { "custom", "Five points, just because.", "Five points, just because." },
    };

    /// <summary>Condition → (English, French), as the part of a description after the action.</summary>
    public static TheoryData<EarningCondition, string, string> ConditionCases() => new()
    {
        { Conditions.All(Conditions.Channel("app"), Conditions.Coupon("SPRING")), "when ordering on app and with coupon SPRING", "pour une commande sur app et avec le code promo SPRING" },
        { Conditions.Any(Conditions.Tier(TierId.From("gold")), Conditions.Segment("vip")), "(for gold members or for members in vip)", "(pour les membres gold ou pour les membres du segment vip)" },
        { Conditions.Not(Conditions.Store(MerchantId.From("paris-1"))), "not in store paris-1", "sauf dans le magasin paris-1" },
        { Conditions.Subtotal(50m, 100m), "when the basket is between €50 and €100", $"pour un panier entre 50 € et 100 €" },
        { Conditions.Subtotal(min: 49.9m), "when the basket is €49.90 or more", $"pour un panier de 49,90 € ou plus" },
        { Conditions.Subtotal(max: 20m), "when the basket is under €20", $"pour un panier de moins de 20 €" },
        { Conditions.AnyLine(LineSelector.ForCategories("shoes", "bags")), "when the basket holds shoes or bags", "si le panier contient la catégorie shoes ou bags" },
        { Conditions.Channel("web", "app"), "when ordering on web or app", "pour une commande sur web ou app" },
        { Conditions.Store(MerchantId.From("paris-1"), MerchantId.From("lyon-2")), "in store paris-1 or lyon-2", "dans le magasin paris-1 ou lyon-2" },
        { Conditions.Coupon("SPRING"), "with coupon SPRING", "avec le code promo SPRING" },
        { Conditions.Between(new LocalDate(2026, 7, 1), new LocalDate(2026, 7, 14)), "from 1 July 2026 to 14 July 2026", "du 1er juillet 2026 au 14 juillet 2026" },
        { Conditions.Between(new LocalDate(2026, 12, 24), null), "from 24 December 2026", "à partir du 24 décembre 2026" },
        { Conditions.Between(null, new LocalDate(2026, 8, 31)), "until 31 August 2026", "jusqu'au 31 août 2026" },
        { Conditions.TimeOfDay(new LocalTime(22, 0), new LocalTime(2, 0)), "between 10:00 PM and 2:00 AM", "entre 22:00 et 02:00" },
        { Conditions.DaysOfWeek(IsoDayOfWeek.Saturday, IsoDayOfWeek.Sunday), "on Saturdays and Sundays", "le samedi et le dimanche" },
        { Conditions.DaysOfWeek(IsoDayOfWeek.Monday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Friday), "on Mondays, Wednesdays and Fridays", "le lundi, le mercredi et le vendredi" },
        { Conditions.Tier(TierId.From("silver"), TierId.From("gold")), "for silver or gold members", "pour les membres silver ou gold" },
        { Conditions.Segment("vip"), "for members in vip", "pour les membres du segment vip" },
        { Conditions.OrderCount(1, 3), "after 1 to 3 earlier orders", "après 1 à 3 commandes" },
        { Conditions.OrderCount(min: 5), "after at least 5 earlier orders", "après au moins 5 commandes" },
        { Conditions.OrderCount(min: 1), "after at least 1 earlier order", "après au moins 1 commande" },
        { Conditions.OrderCount(max: 0), "after at most 0 earlier orders", "après au plus 0 commande" },
    };

    private static EarningRuleSet RuleSet() => Rules("v1")
        .EarnPerUnit("base", 1m)
        .EarnPerUnit("books", 1.5m, r => r with
        {
            Lines = LineSelector.ForCategories("books"),
            ExcludedLines = LineSelector.ForBrands("Acme"),
            IncludeShipping = true,
            IncludeTax = true,
            IncludeGiftCards = true,
            IncludePaidWithPoints = true,
        })
        .Multiply("shoes-x2", "base", 2m, LineSelector.ForCategories("shoes", "bags"))
        .FixedBonus("per-order", 50)
        .FixedBonus("gift-box", 30, BonusBasis.PerOrder, LineSelector.ForSkus("GIFT-BOX"))
        .FixedBonus("eco", 15, BonusBasis.PerUnit, LineSelector.ForBrands("GreenCo"))
        .ThresholdBonus("big", 1234.5m, 1500)
        .OrderCountBonus("first", 1, 200)
        .TierMultiplier("tier", "base")
        .TierMultiplier("tier-table", "base", [new TierMultiplier(TierId.From("silver"), 1.5m), new TierMultiplier(TierId.From("gold"), 2m)])
        .Activity("signup", ActivityKind.SignUp, 100)
        .Activity("review", ActivityKind.Review, 20, r => r with { Caps = new RuleCaps { PerMember = FiveAMonth } })
        .Activity("survey", ActivityKind.Survey, 10)
        .Activity("birthday", ActivityKind.Birthday, 100, r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Year, MaxAwards = 1 } } })
        .Activity("referral", ActivityKind.ReferralCompleted, 500)
        .CustomEvent("newsletter", "newsletter", 1)
        .EarnPerUnit("weekend", 2m, r => r with { Condition = Conditions.DaysOfWeek(IsoDayOfWeek.Saturday, IsoDayOfWeek.Sunday), Caps = new RuleCaps { PerOrder = Points.FromInt64(300) } })
        .FixedBonus("spring", 150, configure: r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Week, MaxPoints = Points.FromInt64(1000) }, CampaignBudget = Points.FromInt64(10_000) } })
        .Activity("app-reviews", ActivityKind.Review, 5, r => r with { Caps = new RuleCaps { PerOrder = Points.FromInt64(5) } })
        .FixedBonus("custom", 5, configure: r => r with { Description = "Five points, just because." })
        .Build();

    [Theory]
    [MemberData(nameof(RuleCases))]
    public void Each_rule_is_described_in_English_and_French(string rule, string english, string french)
    {
        var ruleSet = RuleSet();

        Texts.DescribeRule(ruleSet, RuleId.From(rule), English).Should().Be(english);
        Texts.DescribeRule(ruleSet, RuleId.From(rule), French).Should().Be(french);
    }

    [Theory]
    [MemberData(nameof(ConditionCases))]
    public void Each_condition_is_described_in_English_and_French(EarningCondition condition, string english, string french)
    {
        Texts.DescribeCondition(condition, Currency.EUR, English).Should().Be(english);
        Texts.DescribeCondition(condition, Currency.EUR, French).Should().Be(french);
    }

    [Fact]
    public void A_condition_follows_the_rule_action_in_the_description()
    {
        var ruleSet = Rules("v1").FixedBonus("summer", 50, configure: r => r with { Condition = Conditions.Between(new LocalDate(2026, 7, 1), new LocalDate(2026, 7, 14)) }).Build();

        Texts.DescribeRule(ruleSet, RuleId.From("summer"), English).Should().Be("Earn 50 bonus points per order from 1 July 2026 to 14 July 2026.");
        Texts.DescribeRule(ruleSet, RuleId.From("summer"), French).Should().Be("Gagnez 50 points bonus par commande du 1er juillet 2026 au 14 juillet 2026.");
    }

    [Fact]
    public void Every_rule_kind_and_condition_kind_of_the_engine_is_covered()
    {
        var ruleSet = RuleSet();
        var ruleKinds = Concrete<EarningRule>();
        ruleSet.OrderedRules.Select(r => r.GetType()).Distinct().Should().BeEquivalentTo(ruleKinds, "every rule kind needs texts in both languages");
        var describedRules = RuleCases().Select(row => (string)row[0]).ToHashSet();
        describedRules.Should().BeEquivalentTo(ruleSet.OrderedRules.Select(r => r.Id.Value), "every rule of the set has its expected texts");

        var conditions = ConditionCases().Select(row => (EarningCondition)row[0]).ToList();
        var conditionKinds = conditions.SelectMany(Flatten).Select(c => c.GetType()).Distinct();
        conditionKinds.Should().BeEquivalentTo(Concrete<EarningCondition>(), "every condition kind needs texts in both languages");
    }

    [Theory]
    [InlineData(1, "1st", "1re")]
    [InlineData(2, "2nd", "2e")]
    [InlineData(3, "3rd", "3e")]
    [InlineData(4, "4th", "4e")]
    [InlineData(11, "11th", "11e")]
    [InlineData(12, "12th", "12e")]
    [InlineData(13, "13th", "13e")]
    [InlineData(21, "21st", "21e")]
    [InlineData(102, "102nd", "102e")]
    [InlineData(111, "111th", "111e")]
    public void Ordinals_follow_each_language(int n, string english, string french)
    {
        var ruleSet = Rules("v1").OrderCountBonus("nth", n, 10).Build();

        Texts.DescribeRule(ruleSet, RuleId.From("nth"), English).Should().Be($"Earn 10 bonus points on your {english} order.");
        Texts.DescribeRule(ruleSet, RuleId.From("nth"), French).Should().Be($"Gagnez 10 points bonus pour votre {french} commande.");
    }

    [Theory]
    [InlineData(0.5, "Earn 0.5 points per € spent on books.", "Gagnez 0,5 point par € dépensé sur la catégorie books.")]
    [InlineData(1, "Earn 1 point per € spent on books.", "Gagnez 1 point par € dépensé sur la catégorie books.")]
    [InlineData(1.5, "Earn 1.5 points per € spent on books.", "Gagnez 1,5 point par € dépensé sur la catégorie books.")]
    [InlineData(2, "Earn 2 points per € spent on books.", "Gagnez 2 points par € dépensé sur la catégorie books.")]
    public void Plural_follows_each_language(double rate, string english, string french)
    {
        var ruleSet = Rules("v1").EarnPerUnit("books", (decimal)rate, r => r with
        {
            Lines = LineSelector.ForCategories("books"),
            IncludeShipping = true,
            IncludeTax = true,
            IncludeGiftCards = true,
            IncludePaidWithPoints = true,
        }).Build();

        Texts.DescribeRule(ruleSet, RuleId.From("books"), English).Should().Be(english);
        Texts.DescribeRule(ruleSet, RuleId.From("books"), French).Should().Be(french);
    }

    [Fact]
    public void Describing_every_rule_keeps_the_evaluation_order_and_names()
    {
        var ruleSet = RuleSet();

        var french = Texts.DescribeRules(ruleSet, French);

        french.Select(d => d.RuleId).Should().Equal(ruleSet.OrderedRules.Select(r => r.Id));
        french.Single(d => d.RuleId == RuleId.From("per-order")).Text.Should().Be("Gagnez 50 points bonus par commande.");
        FluentActions.Invoking(() => Texts.DescribeRule(ruleSet, RuleId.From("nope"), French))
            .Should().Throw<ArgumentException>().WithMessage("The rule set v1 has no rule \"nope\". (Parameter 'rule')");
    }

    [Fact]
    public void The_existing_English_descriptions_are_unchanged()
    {
        var ruleSet = RuleSet();

        ruleSet.Describe(RuleId.From("base")).Should().Be("Earn 1 point per EUR spent (excluding shipping, tax, gift cards and the part paid with points).");
        ruleSet.Describe(RuleId.From("big")).Should().Be("Earn 1500 bonus points when your basket reaches 1234.5 EUR.");
    }

    [Fact]
    public void A_currency_the_culture_does_not_use_is_written_with_its_code()
    {
        var ruleSet = new EarningRuleSetBuilder("v1", Start, Currency.USD, "America/New_York").ThresholdBonus("big", 50m, 100).EarnPerUnit("base", 1m).Build();

        Texts.DescribeRule(ruleSet, RuleId.From("big"), English).Should().Be("Earn 100 bonus points when your basket reaches $50.");
        Texts.DescribeRule(ruleSet, RuleId.From("big"), French).Should().Be($"Gagnez 100 points bonus dès 50 USD d'achat.");
        Texts.DescribeRule(ruleSet, RuleId.From("base"), French).Should().StartWith("Gagnez 1 point par USD dépensé");
    }

    private static IEnumerable<EarningCondition> Flatten(EarningCondition condition) => condition switch
    {
        AllCondition all => all.Conditions.SelectMany(Flatten).Prepend(all),
        AnyCondition any => any.Conditions.SelectMany(Flatten).Prepend(any),
        NotCondition not => Flatten(not.Condition!).Prepend(not),
        _ => [condition],
    };

    private static Type[] Concrete<T>() =>
        typeof(T).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(T)) && !t.IsAbstract && t.IsPublic).ToArray();
}
