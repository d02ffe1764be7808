using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Programs;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.EntityFrameworkCore.Tests;

public sealed class LoyaltyEntityFrameworkCoreBuilderExtensionsTests
{
    [Fact]
    public async Task An_order_and_its_points_commit_in_the_shops_own_transaction()
    {
        using var database = new SqliteDatabase();
        await using var provider = Services(database).BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

        await using (var scope = provider.CreateAsyncScope())
        {
            var shop = scope.ServiceProvider.GetRequiredService<ShopContext>();
            var ledger = scope.ServiceProvider.GetRequiredService<PointsLedger>();
            await using var transaction = await shop.Database.BeginTransactionAsync();
            shop.Orders.Add(new ShopOrder { Reference = "CMD-1001", Total = 40m });
            var earned = await ledger.EarnAsync(new EarnPoints(TransactionId.From("CMD-1001"), MemberId.From("alice"), Points.FromInt64(40)));
            earned.Succeeded.Should().BeTrue(earned.ToString());
            shop.ChangeTracker.Entries().Should().ContainSingle().Which.Entity.Should().BeOfType<ShopOrder>("the ledger's rows are never tracked");
            await shop.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        await using (var scope = provider.CreateAsyncScope())
        {
            var shop = scope.ServiceProvider.GetRequiredService<ShopContext>();
            (await shop.Orders.SingleAsync()).Reference.Should().Be("CMD-1001");
            var balance = await scope.ServiceProvider.GetRequiredService<PointsLedger>().GetBalanceAsync(MemberId.From("alice"));
            balance.Available.Should().Be(Points.FromInt64(40));
        }
    }

    [Fact]
    public async Task A_rolled_back_order_takes_its_points_with_it()
    {
        using var database = new SqliteDatabase();
        await using var provider = Services(database).BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });

        await using (var scope = provider.CreateAsyncScope())
        {
            var shop = scope.ServiceProvider.GetRequiredService<ShopContext>();
            await using var transaction = await shop.Database.BeginTransactionAsync();
            shop.Orders.Add(new ShopOrder { Reference = "CMD-1002", Total = 80m });
            (await scope.ServiceProvider.GetRequiredService<PointsLedger>()
                .EarnAsync(new EarnPoints(TransactionId.From("CMD-1002"), MemberId.From("bob"), Points.FromInt64(80)))).Succeeded.Should().BeTrue();
            await shop.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        await using (var scope = provider.CreateAsyncScope())
        {
            (await scope.ServiceProvider.GetRequiredService<ShopContext>().Orders.AnyAsync()).Should().BeFalse();
            (await scope.ServiceProvider.GetRequiredService<ILedgerStore>().FindTransactionAsync(ProgramId.From("club"), TransactionId.From("CMD-1002"))).Should().BeNull();
        }
    }

    [Fact]
    public async Task Resolving_the_programme_from_the_root_provider_fails_clearly_even_without_scope_validation()
    {
        // Production hosts do not validate scopes: without the check the programme would capture one DbContext for the
        // application's lifetime.
        using var database = new SqliteDatabase();
        await using var provider = Services(database).BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = false });

        var resolve = () => provider.GetRequiredService<LoyaltyProgram>();

        resolve.Should().Throw<InvalidOperationException>().Which.Message.Should().StartWith(
            "LoyaltyProgram is a scoped service and was resolved from the root service provider. It works inside one unit of work of the stores (with EF Core, one DbContext), so create a scope per request, message or job and resolve it there:");
        await using var scope = provider.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().Should().NotBeNull();
    }

    [Fact]
    public async Task The_programme_records_an_order_with_the_shops_order_row_in_one_transaction()
    {
        using var database = new SqliteDatabase();
        await using var provider = Services(database).BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        var placedAt = Instant.FromUtc(2026, 5, 4, 9, 0);
        await using (var scope = provider.CreateAsyncScope())
        {
            var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
            (await program.PublishRuleSetAsync(new EarningRuleSetBuilder("v1", placedAt - Duration.FromDays(30), Currency.EUR, "UTC").EarnPerUnit("base", 1m).Build())).Should().BeTrue();
            (await program.EnrolAsync(new Enrolment(MemberId.From("alice")))).Succeeded.Should().BeTrue();
        }

        foreach (var (reference, commit) in new[] { ("CMD-2001", true), ("CMD-2002", false) })
        {
            await using var scope = provider.CreateAsyncScope();
            var shop = scope.ServiceProvider.GetRequiredService<ShopContext>();
            var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
            await using var transaction = await shop.Database.BeginTransactionAsync();
            shop.Orders.Add(new ShopOrder { Reference = reference, Total = 40m });
            await shop.SaveChangesAsync();
            var order = new EarningOrder(OrderId.From(reference), MemberId.From("alice"), placedAt, Currency.EUR, [new OrderLine("SHOES", 1, 40m)]);
            var receipt = await program.RecordOrderAsync(order);
            receipt.Succeeded.Should().BeTrue(receipt.ToString());
            receipt.Value!.Points.Should().Be(Points.FromInt64(40));
            if (commit)
            {
                await transaction.CommitAsync();
            }
            else
            {
                await transaction.RollbackAsync();
            }
        }

        await using (var scope = provider.CreateAsyncScope())
        {
            (await scope.ServiceProvider.GetRequiredService<ShopContext>().Orders.Select(o => o.Reference).ToListAsync()).Should().Equal("CMD-2001");
            var members = scope.ServiceProvider.GetRequiredService<IMemberStore>();
            (await members.GetOrderAsync(ProgramId.From("club"), OrderId.From("CMD-2001"))).Should().NotBeNull();
            (await members.GetOrderAsync(ProgramId.From("club"), OrderId.From("CMD-2002"))).Should().BeNull("the rolled-back order took its loyalty record with it");
            var summary = await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().GetMemberSummaryAsync(MemberId.From("alice"));
            (summary.Value!.Balance.Available + summary.Value.Balance.Pending).Should().Be(Points.FromInt64(40));
        }
    }

    [Fact]
    public void The_EF_store_replaces_the_in_memory_default_and_lives_per_scope()
    {
        using var database = new SqliteDatabase();
        var services = Services(database);

        services.Where(d => d.ServiceType == typeof(ILedgerStore)).Should().ContainSingle().Which.Lifetime.Should().Be(ServiceLifetime.Scoped);
        services.Where(d => d.ServiceType == typeof(PointsLedger)).Should().ContainSingle().Which.Lifetime.Should().Be(ServiceLifetime.Scoped);
        foreach (var type in new[] { typeof(IMemberStore), typeof(IRuleSetStore), typeof(IRewardCatalogStore), typeof(ICampaignBudgetStore), typeof(LoyaltyProgram) })
        {
            services.Where(d => d.ServiceType == type).Should().ContainSingle().Which.Lifetime.Should().Be(ServiceLifetime.Scoped, type.Name);
        }

        using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();
        scope.ServiceProvider.GetRequiredService<ILedgerStore>().Should().BeOfType<EntityFrameworkLedgerStore>();
        scope.ServiceProvider.GetRequiredService<IMemberStore>().Should().BeOfType<EntityFrameworkMemberStore>();
        scope.ServiceProvider.GetRequiredService<IRuleSetStore>().Should().BeOfType<EntityFrameworkRuleSetStore>();
        scope.ServiceProvider.GetRequiredService<IRewardCatalogStore>().Should().BeOfType<EntityFrameworkRewardCatalogStore>();
        scope.ServiceProvider.GetRequiredService<ICampaignBudgetStore>().Should().BeOfType<EntityFrameworkCampaignBudgetStore>();
        services.Where(d => d.ServiceType == typeof(ILoyaltyUnitOfWork)).Should().ContainSingle().Which.Lifetime.Should().Be(ServiceLifetime.Scoped);
        scope.ServiceProvider.GetRequiredService<ILoyaltyUnitOfWork>().Should().BeOfType<EntityFrameworkUnitOfWork>();
    }

    [Fact]
    public void A_null_builder_is_refused()
    {
        var act = () => LoyaltyEntityFrameworkCoreBuilderExtensions.UseEntityFrameworkCore<ShopContext>(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("builder");
    }

    private static ServiceCollection Services(SqliteDatabase database)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(Instant.FromUtc(2026, 5, 4, 10, 0)));
        services.AddSingleton(database.Loyalty);
        services.AddDbContext<ShopContext>(o => o.UseSqlite(database.ConnectionString));
        services.AddLoyalty(o => o.ProgramId = "club").UseEntityFrameworkCore<ShopContext>();
        return services;
    }
}
