namespace Loyalty.Core.Texts;

/// <summary>
/// A source of member-facing text templates, by language and key. <see cref="LoyaltyTexts"/> asks it
/// for the member's culture, then that culture's parents (<c>fr-CA</c>, then <c>fr</c>), then English,
/// and falls back to the built-in texts for every language the provider does not answer.
/// </summary>
/// <remarks>
/// <para>The default provider is the <see cref="LoyaltyTextCatalog"/> registered by <c>AddLoyalty</c>
/// (built-in English and French, plus what the shop sets). A shop may register its own provider
/// (e.g. texts kept in its CMS); it only has to return what it changes.</para>
/// <para>Implementations must be thread-safe; they are called on every text produced.</para>
/// </remarks>
public interface ILoyaltyTextProvider
{
    /// <summary>The template of <paramref name="key"/> in exactly <paramref name="language"/>, without any fallback.</summary>
    /// <param name="language">A culture name, e.g. <c>fr</c>, <c>fr-CA</c> or <c>en</c>.</param>
    /// <param name="key">The text key, e.g. <c>Rule.Spend</c> or <c>Error.InsufficientPoints</c> (see <see cref="LoyaltyTextCatalog.BuiltInKeys"/>).</param>
    /// <returns>The template, or null when the provider has none for this language and key.</returns>
    string? GetTemplate(string language, string key);
}
