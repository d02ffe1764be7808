using System.Collections.Concurrent;
using System.Globalization;
using Loyalty.Core.Cards;
using Loyalty.Core.Earning;
using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using NodaTime;
using NodaTime.Text;

namespace Loyalty.Core.Texts;

/// <summary>
/// Member-facing texts in the member's language: rule descriptions, explanation lines of an
/// order's points, reward names and benefits, and error messages; numbers, money and dates
/// formatted with the culture (French: <c>1 234,50 €</c>, <c>1er juillet 2026</c>).
/// </summary>
/// <remarks>
/// <para>Every method takes an optional culture; when it is null the current UI culture
/// (<see cref="CultureInfo.CurrentUICulture"/>) is used. Texts are looked up for the culture, then its
/// parents (<c>fr-CA</c>, <c>fr</c>), then English, first in the <see cref="ILoyaltyTextProvider"/>, then in
/// the built-in texts; the numbers keep the requested culture's format even when the words fall
/// back to English.</para>
/// <para>The English texts that the programme's results already carry (<see cref="EarningRuleSet.Describe"/>,
/// <see cref="ExplanationLine.Text"/>, <see cref="RewardDefinition.DescribeBenefit()"/>, <see cref="LoyaltyError.Message"/>)
/// are unchanged: they are for logs and back office, with ISO codes and dates.</para>
/// <para>Thread-safe; registered as a singleton by <c>AddLoyalty</c>.</para>
/// </remarks>
public sealed partial class LoyaltyTexts
{
    private readonly ILoyaltyTextProvider provider;

    /// <summary>Texts from a provider, falling back to the built-in English and French.</summary>
    /// <param name="provider">The provider, e.g. a <see cref="LoyaltyTextCatalog"/> with the shop's texts.</param>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is null.</exception>
    public LoyaltyTexts(ILoyaltyTextProvider provider) => this.provider = Preconditions.CheckNotNull(provider);

    /// <summary>Texts from a new <see cref="LoyaltyTextCatalog"/>: the built-in English and French only.</summary>
    public LoyaltyTexts()
        : this(new LoyaltyTextCatalog())
    {
    }

    /// <summary>The template of a key for a culture, after fallback (culture, its parents, English; provider then built-in).</summary>
    /// <param name="key">The key, e.g. <c>Rule.Spend</c>.</param>
    /// <param name="culture">The culture, or null for the current UI culture.</param>
    /// <returns>The template, or null when no language has a text for the key.</returns>
    public string? GetTemplate(string key, CultureInfo? culture = null)
    {
        Preconditions.CheckNotNull(key);
        return new Scope(this, culture).Find(key);
    }

    /// <summary>Points in words, e.g. <c>1,234 points</c> or <c>1 234 points</c>, <c>1 point</c>.</summary>
    /// <param name="points">The points.</param>
    /// <param name="culture">The culture, or null for the current UI culture.</param>
    /// <returns>The text.</returns>
    public string FormatPoints(Points points, CultureInfo? culture = null)
    {
        var scope = new Scope(this, culture);
        return scope.Format("Points", scope.PointsArg("points", points.Value));
    }

    /// <summary>
    /// Money in the culture's currency format with the money's own currency, e.g. <c>€1,234.50</c> in
    /// English and <c>1 234,50 €</c> in French; whole amounts have no decimals (<c>5 €</c>). The symbol
    /// is the culture's own when its region uses the currency, <c>€</c> or <c>£</c> for the euro and the
    /// pound, otherwise the ISO code (<c>1 234,50 USD</c> in France).
    /// </summary>
    /// <param name="money">The money.</param>
    /// <param name="culture">The culture, or null for the current UI culture.</param>
    /// <returns>The text.</returns>
    public static string FormatMoney(Money money, CultureInfo? culture = null) =>
        TextFormat.Money(money.Amount, money.Currency, culture ?? CultureInfo.CurrentUICulture);

    /// <summary>A date in the language's date format, e.g. <c>14 July 2026</c> or <c>1er juillet 2026</c>.</summary>
    /// <param name="date">The date.</param>
    /// <param name="culture">The culture, or null for the current UI culture.</param>
    /// <returns>The text.</returns>
    public string FormatDate(LocalDate date, CultureInfo? culture = null) => new Scope(this, culture).Date(date);

    /// <summary>
    /// The member-facing message of an error code, e.g. <c>You do not have enough points.</c> /
    /// <c>Vous n'avez pas assez de points.</c> A code without a text (one added after these texts)
    /// gets the <c>Error.Other</c> text.
    /// </summary>
    /// <param name="code">The code, e.g. <c>result.Error.Code</c>; <see cref="LoyaltyError.Message"/> stays the text for logs and support.</param>
    /// <param name="culture">The culture, or null for the current UI culture.</param>
    /// <returns>The message.</returns>
    public string ErrorMessage(LoyaltyErrorCode code, CultureInfo? culture = null)
    {
        var scope = new Scope(this, culture);
        return scope.Format(Enum.IsDefined(code) ? TextKeys.Error(code) : "Error.Other");
    }

    /// <summary>
    /// The member-facing message of a loyalty card error code, e.g. <c>This card is blocked. …</c> /
    /// <c>Cette carte est bloquée. …</c>; a code without a text gets the <c>Error.Other</c> text.
    /// </summary>
    /// <param name="code">The code; <see cref="CardResult{T}.ErrorMessage"/> stays the text for logs and the till.</param>
    /// <param name="culture">The culture, or null for the current UI culture.</param>
    /// <returns>The message.</returns>
    public string CardErrorMessage(CardErrorCode code, CultureInfo? culture = null)
    {
        var scope = new Scope(this, culture);
        return scope.Format(Enum.IsDefined(code) ? TextKeys.CardError(code) : "Error.Other");
    }

    /// <summary>
    /// The reward's name for members: the shop's text for this reward (<c>RewardName.&lt;id&gt;</c>) when the
    /// language has one, otherwise the name made from its kind, e.g. <c>€5 voucher</c> / <c>Bon d'achat de 5 €</c>,
    /// <c>10% off</c> / <c>10 % de réduction</c>, <c>Free shipping</c> / <c>Livraison offerte</c>.
    /// </summary>
    /// <param name="reward">The reward.</param>
    /// <param name="culture">The culture, or null for the current UI culture.</param>
    /// <returns>The name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reward"/> is null.</exception>
    public string RewardName(RewardDefinition reward, CultureInfo? culture = null)
    {
        Preconditions.CheckNotNull(reward);
        var scope = new Scope(this, culture);
        return scope.FindOwn(TextKeys.RewardName(reward.Id)) ?? scope.Format($"Reward.{reward.Kind}.Name", RewardArgs(scope, reward));
    }

    /// <summary>What the reward gives, e.g. <c>€5 off your order</c> / <c>5 € de réduction sur votre commande</c>.</summary>
    /// <param name="reward">The reward.</param>
    /// <param name="culture">The culture, or null for the current UI culture.</param>
    /// <returns>The text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reward"/> is null.</exception>
    public string DescribeBenefit(RewardDefinition reward, CultureInfo? culture = null)
    {
        Preconditions.CheckNotNull(reward);
        var scope = new Scope(this, culture);
        return scope.Format($"Reward.{reward.Kind}.Benefit", RewardArgs(scope, reward));
    }

    /// <summary>The reward as offered in the catalogue, e.g. <c>€5 voucher: 500 points</c> / <c>Bon d'achat de 5 € : 500 points</c>; pay-with-points shows its terms instead of a cost.</summary>
    /// <param name="reward">The reward.</param>
    /// <param name="culture">The culture, or null for the current UI culture.</param>
    /// <returns>The text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reward"/> is null.</exception>
    public string DescribeOffer(RewardDefinition reward, CultureInfo? culture = null)
    {
        var name = RewardName(reward, culture);
        var scope = new Scope(this, culture);
        return reward.Kind == RewardKind.PayWithPoints
            ? scope.Format("Reward.Offer.PayWithPoints", new TextArg("name", name), new TextArg("benefit", DescribeBenefit(reward, culture)))
            : scope.Format("Reward.Offer", new TextArg("name", name), scope.PointsArg("cost", reward.Cost.Value));
    }

    private static TextArg[] RewardArgs(Scope scope, RewardDefinition reward)
    {
        var args = new List<TextArg>(6);
        if (reward.AmountOff is { } amount)
        {
            args.Add(new TextArg("amount", TextFormat.Money(amount.Amount, amount.Currency, scope.Culture)));
        }

        if (reward.Percentage is { } percentage)
        {
            args.Add(new TextArg("percent", TextFormat.Percent(percentage / 100m, scope.Culture)));
        }

        if (reward.GiftSku is { } sku)
        {
            args.Add(new TextArg("sku", sku));
        }

        if (reward.PayWithPointsTerms is { } terms)
        {
            args.Add(scope.PointsArg("points", terms.RatePoints.Value));
            args.Add(new TextArg("worth", TextFormat.Money(terms.RateWorth.Amount, terms.RateWorth.Currency, scope.Culture)));
            args.Add(scope.PointsArg("minimum", terms.MinimumPoints.Value));
            args.Add(new TextArg("share", TextFormat.Percent(terms.MaximumShareOfOrder, scope.Culture)));
        }

        return [.. args];
    }

    /// <summary>One culture's view of the texts: the lookup chain and the plural rule.</summary>
    internal readonly struct Scope
    {
        // Read-only cultures (CultureInfo.GetCultureInfo, the thread's cultures) are shared and never change: their
        // lookup chains and parsed date patterns are kept; the patterns are few (keys × languages × cultures used).
        private static readonly ConcurrentDictionary<string, (string[] Chain, int OwnLength)> Chains = new(StringComparer.Ordinal);
        private static readonly ConcurrentDictionary<(string Pattern, CultureInfo Culture), LocalDatePattern> DatePatterns = new();
        private static readonly ConcurrentDictionary<(string Pattern, CultureInfo Culture), LocalTimePattern> TimePatterns = new();

        private readonly LoyaltyTexts owner;
        private readonly string[] chain;
        private readonly int ownLength;

        public Scope(LoyaltyTexts owner, CultureInfo? culture)
        {
            this.owner = owner;
            Culture = culture ?? CultureInfo.CurrentUICulture;
            if (Culture.IsReadOnly)
            {
                (chain, ownLength) = Chains.GetOrAdd(Culture.Name, static (_, c) => (Chain(c, out var own), own), Culture);
            }
            else
            {
                chain = Chain(Culture, out ownLength);
            }
            Plural = PluralRules.TryParse(Find("Plural.One") ?? PluralRules.ExactlyOne, out var rule) ? rule : PluralRule.ExactlyOne;
        }

        public CultureInfo Culture { get; }

        public PluralRule Plural { get; }

        /// <summary>The template after fallback, or null.</summary>
        public string? Find(string key)
        {
            foreach (var language in chain)
            {
                if ((owner.provider.GetTemplate(language, key) ?? BuiltIn(language, key)) is { } template)
                {
                    return template;
                }
            }

            return null;
        }

        /// <summary>A shop's text for one rule or reward in the culture or its parents (never the English fallback of another language), or null.</summary>
        public string? FindOwn(string key)
        {
            for (var i = 0; i < ownLength; i++)
            {
                if (owner.provider.GetTemplate(chain[i], key) is { } template)
                {
                    return FormatTemplate(key, template, []);
                }
            }

            return null;
        }

        public string Format(string key, params ReadOnlySpan<TextArg> args)
        {
            var template = Find(key) ?? throw new InvalidOperationException($"No language has a text for \"{key}\"; the text provider removed a built-in key.");
            return FormatTemplate(key, template, args);
        }

        public string Partial(string key, params ReadOnlySpan<TextArg> args)
        {
            var template = Find(key) ?? throw new InvalidOperationException($"No language has a text for \"{key}\"; the text provider removed a built-in key.");
            return Parse(key, template).Partial(Plural, args);
        }

        public TextArg PointsArg(string name, decimal value) => new(name, TextFormat.Number(value, Culture), value);

        public TextArg NumberArg(string name, decimal value) => new(name, TextFormat.Number(value, Culture), value);

        public string Date(LocalDate date)
        {
            if (Culture.Name.Length == 0)
            {
                return LocalDatePattern.Iso.Format(date);
            }

            var pattern = Find(date.Day == 1 ? "Format.Date.FirstOfMonth" : "Format.Date")!;
            return (Culture.IsReadOnly ? DatePatterns.GetOrAdd((pattern, Culture), static k => LocalDatePattern.Create(k.Pattern, k.Culture)) : LocalDatePattern.Create(pattern, Culture)).Format(date);
        }

        public string Time(LocalTime time)
        {
            if (Culture.Name.Length == 0)
            {
                return time.ToString("HH:mm", CultureInfo.InvariantCulture);
            }

            var pattern = Find("Format.Time")!;
            return (Culture.IsReadOnly ? TimePatterns.GetOrAdd((pattern, Culture), static k => LocalTimePattern.Create(k.Pattern, k.Culture)) : LocalTimePattern.Create(pattern, Culture)).Format(time);
        }

        public string List(IReadOnlyList<string> items, string lastSeparatorKey)
        {
            if (items.Count == 0)
            {
                return string.Empty;
            }

            if (items.Count == 1)
            {
                return items[0];
            }

            return string.Join(Format("List.Separator"), items.Take(items.Count - 1)) + Format(lastSeparatorKey) + items[^1];
        }

        /// <summary>An ordinal: the first of Ordinal.Exact.n, Ordinal.Last2.nn, Ordinal.Last1.d, Ordinal.Other found, language by language.</summary>
        public string Ordinal(int n)
        {
            string[] keys =
            [
                "Ordinal.Exact." + n.ToString(CultureInfo.InvariantCulture),
                "Ordinal.Last2." + (n % 100).ToString("00", CultureInfo.InvariantCulture),
                "Ordinal.Last1." + (n % 10).ToString(CultureInfo.InvariantCulture),
                "Ordinal.Other",
            ];
            foreach (var language in chain)
            {
                foreach (var key in keys)
                {
                    if ((owner.provider.GetTemplate(language, key) ?? BuiltIn(language, key)) is { } template)
                    {
                        return FormatTemplate(key, template, [new TextArg("n", TextFormat.Number(n, Culture), n)]);
                    }
                }
            }

            return TextFormat.Number(n, Culture);
        }

        private string FormatTemplate(string key, string template, ReadOnlySpan<TextArg> args) => Parse(key, template).Format(Plural, args);

        private TextTemplate Parse(string key, string template)
        {
            try
            {
                return TextTemplate.Get(template);
            }
            catch (FormatException ex)
            {
                throw new InvalidOperationException($"The text \"{key}\" for culture \"{Culture.Name}\" is malformed: {ex.Message}", ex);
            }
        }

        private static string? BuiltIn(string language, string key) => language switch
        {
            BuiltInTexts.English => BuiltInTexts.EnglishTexts.GetValueOrDefault(key),
            BuiltInTexts.French => BuiltInTexts.FrenchTexts.GetValueOrDefault(key),
            _ => null,
        };

        private static string[] Chain(CultureInfo culture, out int ownLength)
        {
            var names = new List<string>(4);
            for (var c = culture; c.Name.Length > 0; c = c.Parent)
            {
                names.Add(c.Name);
            }

            ownLength = names.Count;

            if (!names.Contains(BuiltInTexts.English, StringComparer.OrdinalIgnoreCase))
            {
                names.Add(BuiltInTexts.English);
            }

            if (ownLength == 0)
            {
                ownLength = names.Count;
            }

            return [.. names];
        }
    }
}
