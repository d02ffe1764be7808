using Loyalty.Core.Achievements;
using Loyalty.Core.Configuration;
using Loyalty.Core.DataRights;
using Loyalty.Core.Ledger;
using Loyalty.Core.Storage.InMemory;
using Loyalty.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;

namespace Loyalty.Core.DependencyInjection;

/// <summary>Adds achievements (badges) and recognition to a <see cref="LoyaltyBuilder"/>.</summary>
public static class LoyaltyAchievementsBuilderExtensions
{
    /// <summary>
    /// Registers the programme's achievements: every order, refund and activity then moves the member's
    /// achievements forward in the same unit of work, unlocks credit their bonus, and the member summary lists
    /// them. Also registers <see cref="LoyaltyAchievements"/> (progress, display names, opt-out, leaderboards)
    /// and, unless a store package chose one, the in-memory achievement store. Calling it again replaces the set.
    /// </summary>
    /// <param name="builder">The loyalty builder.</param>
    /// <param name="achievements">The checked set, e.g. from <see cref="AchievementSet.FromJson"/>.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static LoyaltyBuilder AddAchievements(this LoyaltyBuilder builder, AchievementSet achievements)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(achievements);
        var services = builder.Services;
        services.RemoveAll<AchievementSet>();
        services.AddSingleton(achievements);
        services.TryAddSingleton<IAchievementStore, InMemoryAchievementStore>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IMemberDataParticipant, AchievementParticipant>());
        var scoped = services.Any(d => d.ServiceType == typeof(IMemberStore) && d.Lifetime == ServiceLifetime.Scoped);
        services.TryAdd(new ServiceDescriptor(typeof(LoyaltyAchievements), CreateService, scoped ? ServiceLifetime.Scoped : ServiceLifetime.Singleton));
        return builder;
    }

    /// <summary>The tracker the programme calls, when achievements are registered; built in the programme's scope.</summary>
    internal static AchievementTracker? TrackerOf(IServiceProvider services) =>
        services.GetService<AchievementSet>() is { } set
            ? new AchievementTracker(set, services.GetRequiredService<IAchievementStore>(), services.GetRequiredService<PointsLedger>(), services.GetRequiredService<ProgramSettings>())
            : null;

    internal static LoyaltyAchievements CreateService(IServiceProvider services) => new(
        services.GetRequiredService<IClock>(),
        services.GetRequiredService<ProgramSettings>(),
        services.GetRequiredService<AchievementSet>(),
        services.GetRequiredService<IAchievementStore>());
}
