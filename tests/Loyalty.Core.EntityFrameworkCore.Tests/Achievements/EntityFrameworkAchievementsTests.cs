using Loyalty.Core.Achievements;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Achievements;

/// <summary>Achievements on the EF Core stores: the unlock is written in the order's transaction, once under parallel deliveries.</summary>
[Collection(PostgresCollection.Name)]
public sealed class EntityFrameworkAchievementsTests(PostgresServerFixture fixture)
{
    private static readonly Instant Now = Instant.FromUtc(2026, 3, 2, 10, 0);
    private static readonly MemberId Alice = MemberId.From("alice");

    [Fact]
    public async Task An_unlock_commits_and_rolls_back_with_the_order_and_happens_once_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await ScenarioAsync(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
    }

    [PostgresFact]
    public async Task An_unlock_commits_and_rolls_back_with_the_order_and_happens_once_on_PostgreSQL()
    {
        var database = fixture.Database("achievements", LoyaltyModelOptions.Default);
        await ScenarioAsync(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
    }

    private static async Task ScenarioAsync(LoyaltyModelOptions loyalty, Action<DbContextOptionsBuilder> provider)
    {
        var programId = ProgramId.From("club-" + Guid.NewGuid().ToString("N")[..8]);
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(Now));
        services.AddSingleton(loyalty);
        services.AddDbContext<ShopContext>(provider);
        services.AddLoyalty(o =>
        {
            o.ProgramId = programId.Value;
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.Zero;
        })
            .UseEntityFrameworkCore<ShopContext>()
            .AddAchievements(AchievementSet.Create(
                [new AchievementDefinition { Id = "big", Name = "Big spender", Kind = AchievementKind.SpendThreshold, Amount = 100m, BonusPoints = 50 }],
                AchievementRefundPolicy.Keep));
        await using var root = services.BuildServiceProvider(validateScopes: true);
        var order = new EarningOrder(OrderId.From("o-1"), Alice, Now, Currency.EUR, [new OrderLine("SKU", 1, 120m)]);
        await using (var scope = root.CreateAsyncScope())
        {
            var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
            await program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-03", Now - Duration.FromDays(1), Currency.EUR, "Europe/Paris").EarnPerUnit("base", 1m).Build());
            (await program.EnrolAsync(new Enrolment(Alice))).Succeeded.Should().BeTrue();

            // The shop's own transaction around the order, rolled back: neither the order nor the unlock is kept.
            var context = scope.ServiceProvider.GetRequiredService<ShopContext>();
            await using (var transaction = await context.Database.BeginTransactionAsync())
            {
                (await program.RecordOrderAsync(order)).Succeeded.Should().BeTrue();
                (await scope.ServiceProvider.GetRequiredService<IAchievementStore>().GetAsync(programId, Alice))!.Unlocks.Should().ContainSingle();
                await transaction.RollbackAsync();
            }

            (await scope.ServiceProvider.GetRequiredService<IAchievementStore>().GetAsync(programId, Alice)).Should().BeNull();
            (await program.GetMemberSummaryAsync(Alice)).GetValueOrThrow().Balance.Earned.Value.Should().Be(0);
        }

        // The same order delivered eight times at once, each in a scope of its own: one unlock, one bonus.
        using var start = new ManualResetEventSlim();
        var deliveries = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await using var scope = root.CreateAsyncScope();
            var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
            start.Wait();
            return await program.RecordOrderAsync(order);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(deliveries);

        results.Should().OnlyContain(r => r.Succeeded);
        await using var after = root.CreateAsyncScope();
        var summary = (await after.ServiceProvider.GetRequiredService<LoyaltyProgram>().GetMemberSummaryAsync(Alice)).GetValueOrThrow();
        summary.Achievements.Should().ContainSingle(a => a.AchievementId == "big" && a.IsUnlocked);
        summary.Balance.Earned.Value.Should().Be(120 + 50);
        var state = (await after.ServiceProvider.GetRequiredService<IAchievementStore>().GetAsync(programId, Alice))!;
        state.Unlocks.Should().ContainSingle().Which.CausedBy.Should().Be("order:o-1");
    }
}
