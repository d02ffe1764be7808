using System.Globalization;
using Loyalty.Core.Cards;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tests.Programs;
using Loyalty.Core.Texts;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Texts;

/// <summary>Reward names and benefits, and the error messages members see, in English and French.</summary>
public class RewardAndErrorTextsTests
{
    private const string Nbsp = "\u00A0";

    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");
    private static readonly LoyaltyTexts Texts = new();

    private static readonly RewardId Id = RewardId.From("r");

    public static TheoryData<RewardDefinition, string, string, string, string> Rewards() => new()
    {
        {
            RewardDefinition.AmountOffVoucher(Id, "5 € voucher", P(500), Money.FromDecimal(5m, Currency.EUR)),
            "€5 voucher", "€5 off your order",
            "Bon d'achat de 5 €", "5 € de réduction sur votre commande"
        },
        {
            RewardDefinition.AmountOffVoucher(Id, "7.50 € voucher", P(750), Money.FromDecimal(7.5m, Currency.EUR)),
            "€7.50 voucher", "€7.50 off your order",
            "Bon d'achat de 7,50 €", "7,50 € de réduction sur votre commande"
        },
        {
            RewardDefinition.PercentageDiscount(Id, "10 % off", P(800), 12.5m),
            "12.5% off", "12.5% off your order",
            "12,5 % de réduction", "12,5 % de réduction sur votre commande"
        },
        {
            RewardDefinition.FreeShipping(Id, "Free delivery", P(200)),
            "Free shipping", "free shipping on your order",
            "Livraison offerte", "livraison offerte sur votre commande"
        },
        {
            RewardDefinition.GiftProduct(Id, "Tote", P(300), "TOTE-GOLD"),
            "Free gift: TOTE-GOLD", "TOTE-GOLD free with your order",
            $"Cadeau{Nbsp}: TOTE-GOLD", "TOTE-GOLD offert avec votre commande"
        },
        {
            RewardDefinition.PayWithPoints(Id, "Pay with points", PayWithPointsTerms.Create(P(100), Money.FromDecimal(1m, Currency.EUR), P(200), 0.5m)),
            "Pay with your points", "100 points = €1 at checkout, from 200 points, up to 50% of the order",
            "Payez avec vos points", "100 points = 1 € au paiement, dès 200 points, jusqu'à 50 % de la commande"
        },
    };

    [Theory]
    [MemberData(nameof(Rewards))]
    public void Each_reward_kind_has_a_name_and_a_benefit_in_English_and_French(RewardDefinition reward, string englishName, string englishBenefit, string frenchName, string frenchBenefit)
    {
        Texts.RewardName(reward, English).Should().Be(englishName);
        Texts.DescribeBenefit(reward, English).Should().Be(englishBenefit);
        Texts.RewardName(reward, French).Should().Be(frenchName);
        Texts.DescribeBenefit(reward, French).Should().Be(frenchBenefit);
    }

    [Fact]
    public void Every_reward_kind_is_covered()
    {
        Rewards().Select(row => ((RewardDefinition)row[0]).Kind).Distinct().Should().BeEquivalentTo(Enum.GetValues<RewardKind>());
    }

    [Fact]
    public void A_reward_as_offered_in_the_catalogue()
    {
        Texts.DescribeOffer(Voucher, English).Should().Be("€5 voucher: 500 points");
        Texts.DescribeOffer(Voucher, French).Should().Be($"Bon d'achat de 5 €{Nbsp}: 500 points");
        Texts.DescribeOffer(PayWithPoints, French).Should().Be($"Payez avec vos points{Nbsp}: 100 points = 1 € au paiement, dès 200 points, jusqu'à 50 % de la commande");
    }

    [Fact]
    public void A_shop_names_one_reward_in_a_language_and_the_others_keep_the_kinds_name()
    {
        var catalog = new LoyaltyTextCatalog().Set("fr", TextKeys.RewardName(Voucher.Id), "Chèque fidélité 5 €");
        var texts = new LoyaltyTexts(catalog);

        texts.RewardName(Voucher, French).Should().Be("Chèque fidélité 5 €");
        texts.RewardName(Voucher, CultureInfo.GetCultureInfo("fr-CA")).Should().Be("Chèque fidélité 5 €");
        texts.RewardName(Voucher, English).Should().Be("€5 voucher", "the French name is not shown to English readers");
        texts.DescribeOffer(Voucher, French).Should().Be($"Chèque fidélité 5 €{Nbsp}: 500 points");
        texts.RewardName(GoldTote, French).Should().Be($"Cadeau{Nbsp}: TOTE-GOLD");
    }

    [Fact]
    public void Every_error_code_has_a_member_message_in_English_and_French()
    {
        var catalog = new LoyaltyTextCatalog();
        var missing = new List<string>();
        foreach (var code in Enum.GetValues<LoyaltyErrorCode>())
        {
            var english = catalog.GetTemplate("en", TextKeys.Error(code));
            var french = catalog.GetTemplate("fr", TextKeys.Error(code));
            if (string.IsNullOrWhiteSpace(english) || string.IsNullOrWhiteSpace(french) || english == french)
            {
                missing.Add(code.ToString());
                continue;
            }

            Texts.ErrorMessage(code, English).Should().Be(english);
            Texts.ErrorMessage(code, French).Should().Be(french);
        }

        missing.Should().BeEmpty("every LoyaltyErrorCode needs an \"Error.<code>\" text in English and in French (BuiltInTexts)");
    }

    [Fact]
    public void Every_card_error_code_has_a_member_message_in_English_and_French()
    {
        var catalog = new LoyaltyTextCatalog();
        var missing = new List<string>();
        foreach (var code in Enum.GetValues<CardErrorCode>())
        {
            var english = catalog.GetTemplate("en", TextKeys.CardError(code));
            var french = catalog.GetTemplate("fr", TextKeys.CardError(code));
            if (string.IsNullOrWhiteSpace(english) || string.IsNullOrWhiteSpace(french) || english == french)
            {
                missing.Add(code.ToString());
                continue;
            }

            Texts.CardErrorMessage(code, English).Should().Be(english);
            Texts.CardErrorMessage(code, French).Should().Be(french);
        }

        missing.Should().BeEmpty("every CardErrorCode needs a \"CardError.<code>\" text in English and in French (BuiltInTexts)");
        Texts.CardErrorMessage(CardErrorCode.CardBlocked, French).Should().Be("Cette carte est bloquée. Veuillez utiliser votre nouvelle carte ou nous contacter.");
        Texts.CardErrorMessage(CardErrorCode.InvalidCardNumber, English).Should().Be("This is not a valid card number. Please check it.");
        Texts.CardErrorMessage((CardErrorCode)99, French).Should().Be("Une erreur s'est produite. Veuillez réessayer ou nous contacter.");
    }

    [Theory]
    [InlineData(LoyaltyErrorCode.InsufficientPoints, "You do not have enough points.", "Vous n'avez pas assez de points.")]
    [InlineData(LoyaltyErrorCode.RewardCodeExpired, "This code has expired.", "Ce code a expiré.")]
    [InlineData(LoyaltyErrorCode.RewardCodeUsed, "This code has already been used.", "Ce code a déjà été utilisé.")]
    [InlineData(LoyaltyErrorCode.RewardOutOfStock, "This reward is out of stock.", "Cette récompense est épuisée.")]
    [InlineData(LoyaltyErrorCode.RewardRequiresHigherTier, "This reward is reserved for a higher tier.", "Cette récompense est réservée à un statut supérieur.")]
    public void Error_messages_members_see_most(LoyaltyErrorCode code, string english, string french)
    {
        Texts.ErrorMessage(code, English).Should().Be(english);
        Texts.ErrorMessage(code, French).Should().Be(french);
    }

    [Fact]
    public async Task A_refused_redemption_has_its_member_message()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);

        var result = await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1"));

        result.ErrorCode.Should().Be(LoyaltyErrorCode.InsufficientPoints);
        Texts.ErrorMessage(result.Error!.Code, French).Should().Be("Vous n'avez pas assez de points.");
    }

    [Fact]
    public void A_code_without_a_text_gets_the_general_message()
    {
        Texts.ErrorMessage((LoyaltyErrorCode)9999, English).Should().Be("Something went wrong. Please try again or contact us.");
        Texts.ErrorMessage((LoyaltyErrorCode)9999, French).Should().Be("Une erreur s'est produite. Veuillez réessayer ou nous contacter.");
    }
}
