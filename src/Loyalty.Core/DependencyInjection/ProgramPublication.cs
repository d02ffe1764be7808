using Loyalty.Core.Configuration;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.Core.DependencyInjection;

/// <summary>What <see cref="ProgramPublicationExtensions.PublishLoyaltyProgrammeAsync(IServiceProvider, CancellationToken)"/> changed in the stores.</summary>
/// <param name="RuleSetsAdded">Rule set versions published now.</param>
/// <param name="RuleSetsUnchanged">Rule set versions that were already published, identical.</param>
/// <param name="RewardsPublished">Rewards added to the catalogue or replaced (their configuration changed).</param>
/// <param name="RewardsUnchanged">Rewards already in the catalogue, identical.</param>
public sealed record ProgramPublication(int RuleSetsAdded, int RuleSetsUnchanged, int RewardsPublished, int RewardsUnchanged)
{
    /// <summary>A one-line summary, e.g. <c>rule sets: 1 added, 1 unchanged; rewards: 5 published, 0 unchanged</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        $"rule sets: {RuleSetsAdded} added, {RuleSetsUnchanged} unchanged; rewards: {RewardsPublished} published, {RewardsUnchanged} unchanged";
}

/// <summary>Publishes the configured programme (<see cref="ProgramDefinition"/>) into the stores.</summary>
public static class ProgramPublicationExtensions
{
    /// <summary>
    /// Publishes the configured rule set versions and rewards through <paramref name="program"/>, with the same checks as
    /// publishing from code (<see cref="LoyaltyProgram.PublishRuleSetAsync"/>, <see cref="LoyaltyProgram.PublishRewardAsync"/>).
    /// Idempotent: a version already published identically and an unchanged reward are left alone, so it runs at every start.
    /// </summary>
    /// <param name="program">The programme (of a scope).</param>
    /// <param name="definition">The configured programme.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What changed.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A configured version has the label or effective instant of another version already published with other rules (a published version never changes: give the new rules a new version).</exception>
    public static async Task<ProgramPublication> PublishAsync(this LoyaltyProgram program, ProgramDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(definition);
        int added = 0, same = 0, published = 0, unchanged = 0;
        foreach (var ruleSet in definition.RuleSets)
        {
            if (await program.PublishRuleSetAsync(ruleSet, cancellationToken).ConfigureAwait(false))
            {
                added++;
            }
            else
            {
                same++;
            }
        }

        var catalog = await program.GetCatalogAsync(cancellationToken).ConfigureAwait(false);
        foreach (var reward in definition.Rewards.Rewards)
        {
            if (catalog.Find(reward.Id) is { } existing && SameReward(existing, reward))
            {
                unchanged++;
                continue;
            }

            await program.PublishRewardAsync(reward, cancellationToken).ConfigureAwait(false);
            published++;
        }

        return new ProgramPublication(added, same, published, unchanged);
    }

    /// <summary>
    /// Publishes the configured programme (<c>Loyalty:RuleSets</c>, <c>Loyalty:Rewards</c>) in a scope of its own: call it
    /// once at start-up, after the database exists (after migrations), e.g. <c>await host.Services.PublishLoyaltyProgrammeAsync();</c>.
    /// </summary>
    /// <param name="services">The root provider (a scope is created).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What changed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid (every problem is listed).</exception>
    /// <exception cref="ArgumentException">A configured version conflicts with one already published (see <see cref="PublishAsync"/>).</exception>
    public static async Task<ProgramPublication> PublishLoyaltyProgrammeAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var scope = services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var provider = scope.ServiceProvider;
            return await provider.GetRequiredService<LoyaltyProgram>().PublishAsync(provider.GetRequiredService<ProgramDefinition>(), cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool SameReward(RewardDefinition a, RewardDefinition b) =>
        a.Id == b.Id && a.Name == b.Name && a.Kind == b.Kind && a.Cost == b.Cost && a.AmountOff == b.AmountOff
        && a.Percentage == b.Percentage && a.GiftSku == b.GiftSku && a.RequiredTier == b.RequiredTier && a.Stock == b.Stock
        && a.ValidFrom == b.ValidFrom && a.ValidUntil == b.ValidUntil && a.CostToShop == b.CostToShop
        && string.Equals(a.PayWithPointsTerms?.ToString(), b.PayWithPointsTerms?.ToString(), StringComparison.Ordinal)
        && a.PayWithPointsTerms?.RateWorth == b.PayWithPointsTerms?.RateWorth;
}
