using Loyalty.Core.Internal;
using Loyalty.Core.Texts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Loyalty.Core.DependencyInjection;

/// <summary>Configures the member-facing texts of a <see cref="LoyaltyBuilder"/>.</summary>
public static class LoyaltyTextsBuilderExtensions
{
    /// <summary>
    /// Changes the <see cref="LoyaltyTextCatalog"/> that <c>AddLoyalty</c> registers (built-in English and
    /// French): override a key, add a language. The delegates run once, in order, when the catalogue is
    /// first resolved; an invalid text fails there with the catalogue's message. The catalogue stays
    /// open to changes at run time (resolve it and call <see cref="LoyaltyTextCatalog.Set"/>).
    /// </summary>
    /// <param name="builder">The loyalty builder.</param>
    /// <param name="configure">Changes to the catalogue, e.g. <c>c =&gt; c.Set("fr", "Rule.Spend", "…")</c>.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static LoyaltyBuilder ConfigureTexts(this LoyaltyBuilder builder, Action<LoyaltyTextCatalog> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddSingleton(new TextCatalogChange(configure));
        return builder;
    }

    /// <summary>
    /// Uses <typeparamref name="TProvider"/> (e.g. texts kept in the shop's CMS) instead of the catalogue;
    /// <see cref="LoyaltyTexts"/> still falls back to the built-in texts for what it does not answer.
    /// </summary>
    /// <typeparam name="TProvider">The provider, registered as a singleton.</typeparam>
    /// <param name="builder">The loyalty builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static LoyaltyBuilder UseTextProvider<TProvider>(this LoyaltyBuilder builder)
        where TProvider : class, ILoyaltyTextProvider
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<ILoyaltyTextProvider>();
        builder.Services.AddSingleton<ILoyaltyTextProvider, TProvider>();
        return builder;
    }

    internal static void AddTextServices(IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
        {
            var catalog = new LoyaltyTextCatalog();
            foreach (var change in sp.GetServices<TextCatalogChange>())
            {
                change.Configure(catalog);
            }

            return catalog;
        });
        services.TryAddSingleton<ILoyaltyTextProvider>(sp => sp.GetRequiredService<LoyaltyTextCatalog>());
        services.TryAddSingleton(sp => new LoyaltyTexts(sp.GetRequiredService<ILoyaltyTextProvider>()));
    }

    private sealed class TextCatalogChange(Action<LoyaltyTextCatalog> configure)
    {
        public Action<LoyaltyTextCatalog> Configure { get; } = Preconditions.CheckNotNull(configure);
    }
}
