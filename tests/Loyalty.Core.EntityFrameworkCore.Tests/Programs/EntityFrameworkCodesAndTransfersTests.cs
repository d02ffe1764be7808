using Loyalty.Core.DependencyInjection;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Households;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Transfers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Programs;

/// <summary>
/// Reward codes, transfers and households on the EF Core stores, one scope (one context) per call as in
/// a web shop: eight checkouts racing with one single-use code, and transfers racing in both directions
/// between three members, on SQLite and PostgreSQL.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EntityFrameworkCodesAndTransfersTests(PostgresServerFixture fixture)
{
    private static readonly Instant Now = Instant.FromUtc(2026, 3, 2, 10, 0);
    private static readonly MemberId Alice = MemberId.From("alice");
    private static readonly MemberId Bob = MemberId.From("bob");
    private static readonly MemberId Carol = MemberId.From("carol");
    private static readonly RewardDefinition Voucher = RewardDefinition.AmountOffVoucher(RewardId.From("voucher-5"), "5 € voucher", Points.FromInt64(500), Money.FromDecimal(5m, Currency.EUR))
        .WithCodeLifecycle(RewardCodeValidity.DaysAfterIssue(30), uses: 1, returnPointsOnExpiry: true);

    [Fact]
    public async Task Eight_checkouts_with_one_single_use_code_use_it_once_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await CodeScenarioAsync(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
    }

    [PostgresFact]
    public async Task Eight_checkouts_with_one_single_use_code_use_it_once_on_PostgreSQL()
    {
        var database = fixture.Database("codes", LoyaltyModelOptions.Default);
        await CodeScenarioAsync(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
    }

    [Fact]
    public async Task Racing_transfers_never_overspend_either_side_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await TransferScenarioAsync(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
    }

    [PostgresFact]
    public async Task Racing_transfers_never_overspend_either_side_on_PostgreSQL()
    {
        var database = fixture.Database("transfers", LoyaltyModelOptions.Default);
        await TransferScenarioAsync(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
    }

    [Fact]
    public async Task Pooled_tier_qualification_is_held_and_maintained_on_SQLite()
    {
        using var database = new SqliteDatabase();
        var clock = new FakeClock(Now);
        await using var root = Build(database.Loyalty, o => o.UseSqlite(database.ConnectionString), clock, pooled: true);
        var martin = HouseholdId.From("martin");
        async Task<T> InScope<T>(Func<IServiceProvider, Task<T>> call)
        {
            await using var scope = root.CreateAsyncScope();
            return await call(scope.ServiceProvider);
        }

        async Task OrderAsync(string id, MemberId member, decimal amount) =>
            (await InScope(s => s.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(new Earning.EarningOrder(OrderId.From(id), member, clock.GetCurrentInstant(), Currency.EUR, [new Earning.OrderLine("SKU-" + id, 1, amount)])))).Succeeded.Should().BeTrue();

        async Task<(string Tier, long Points, string? Stored)> TierAsync(MemberId member) => await InScope(async s =>
        {
            var program = s.GetRequiredService<LoyaltyProgram>();
            var tier = (await program.GetMemberSummaryAsync(member)).GetValueOrThrow().Tier;
            var stored = (await s.GetRequiredService<IMemberStore>().GetMemberAsync(program.Settings.ProgramId, member))!.TierStatus?.Tier.Value;
            return (tier.Tier.Id.Value, tier.QualifyingValue.Points, stored);
        });

        await InScope(async s =>
        {
            var program = s.GetRequiredService<LoyaltyProgram>();
            await program.PublishRuleSetAsync(new Earning.EarningRuleSetBuilder("base", Now - Duration.FromDays(1), Currency.EUR, "Europe/Paris").EarnPerUnit("base", 1m).Build());
            (await program.EnrolAsync(new Enrolment(Alice))).Succeeded.Should().BeTrue();
            (await program.EnrolAsync(new Enrolment(Bob))).Succeeded.Should().BeTrue();
            return (await s.GetRequiredService<HouseholdService>().CreateHouseholdAsync(martin, Alice)).Succeeded.Should().BeTrue();
        });
        await OrderAsync("B-1", Bob, 100m);
        clock.Advance(Duration.FromDays(1));
        (await InScope(s => s.GetRequiredService<HouseholdService>().JoinHouseholdAsync(martin, Bob))).Succeeded.Should().BeTrue();
        clock.Advance(Duration.FromDays(1));
        await OrderAsync("B-2", Bob, 300m);
        await OrderAsync("A-1", Alice, 250m);

        (await TierAsync(Alice)).Should().Be(("silver", 550L, "silver"));
        (await TierAsync(Bob)).Should().Be(("silver", 650L, "bronze"));
        var report = await InScope(s => s.GetRequiredService<LoyaltyProgram>().RunMaintenanceAsync(clock.GetCurrentInstant()));
        report.TierChanges.Should().Equal(new MemberTierChange(Bob, TierId.From("bronze"), TierId.From("silver"), Tiers.TierChangeReason.Upgraded));
        (await InScope(s => s.GetRequiredService<LoyaltyProgram>().RunMaintenanceAsync(clock.GetCurrentInstant()))).TierChanges.Should().BeEmpty();

        (await InScope(s => s.GetRequiredService<HouseholdService>().LeaveHouseholdAsync(martin, Bob))).Succeeded.Should().BeTrue();
        (await TierAsync(Alice)).Should().Be(("bronze", 250L, "bronze"));
        (await TierAsync(Bob)).Should().Be(("bronze", 400L, "bronze"));
    }

    private static async Task CodeScenarioAsync(LoyaltyModelOptions loyalty, Action<DbContextOptionsBuilder> provider)
    {
        var clock = new FakeClock(Now);
        await using var root = Build(loyalty, provider, clock);
        string code;
        await using (var scope = root.CreateAsyncScope())
        {
            var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
            await program.PublishRewardAsync(Voucher);
            await EnrolAsync(scope, 1000, Alice);
            code = (await program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("r-1"))).GetValueOrThrow().Code;
            (await program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("r-2"))).Succeeded.Should().BeTrue();
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            await using var scope = root.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().ConsumeCodeAsync(code, Alice, OrderId.From("o-" + i));
        })));

        results.Count(r => r.Succeeded).Should().Be(1, "one checkout uses the code; {0}", string.Join("; ", results.Select(r => r.ToString())));
        results.Where(r => !r.Succeeded).Should().OnlyContain(r => r.ErrorCode == LoyaltyErrorCode.RewardCodeUsed);

        // The other code expires unused and gives its 500 points back, once.
        clock.Reset(Now + Duration.FromDays(32));
        await using (var scope = root.CreateAsyncScope())
        {
            var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
            (await program.ExpireRewardCodesAsync(clock.GetCurrentInstant())).Should().Be(new RewardCodeExpiryReport(clock.GetCurrentInstant(), 1, 1, Points.FromInt64(500)));
            (await program.ExpireRewardCodesAsync(clock.GetCurrentInstant())).CodesExpired.Should().Be(0);
            (await program.GetMemberSummaryAsync(Alice)).Value!.Balance.Available.Should().Be(Points.FromInt64(500));
            (await program.CancelRedemptionAsync(RedemptionId.From("r-1"))).ErrorCode.Should().Be(LoyaltyErrorCode.RewardCodeUsed);
        }
    }

    private static async Task TransferScenarioAsync(LoyaltyModelOptions loyalty, Action<DbContextOptionsBuilder> provider)
    {
        await using var root = Build(loyalty, provider, new FakeClock(Now));
        await using (var scope = root.CreateAsyncScope())
        {
            await EnrolAsync(scope, 900, Alice, Bob, Carol);
        }

        var calls = Enumerable.Range(0, 8).Select(i => (Id: "ab-" + i, From: Alice, To: Bob, Points: 300L))
            .Concat(Enumerable.Range(0, 8).Select(i => (Id: "bc-" + i, From: Bob, To: Carol, Points: 250L)))
            .Select(c => Task.Run(async () =>
            {
                // A transient store fault (a deadlock between two transfers in opposite directions) is retried with the same id, as a shop would.
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        await using var scope = root.CreateAsyncScope();
                        return await scope.ServiceProvider.GetRequiredService<PointsTransferService>()
                            .TransferAsync(new PointsTransfer(TransferId.From(c.Id), c.From, c.To, Points.FromInt64(c.Points)));
                    }
                    catch (LoyaltyStoreException ex) when (ex.IsTransient && attempt < 20)
                    {
                        await Task.Delay(Random.Shared.Next(5, 50));
                    }
                }
            }));
        var results = await Task.WhenAll(calls);

        results.Where(r => !r.Succeeded).Should().OnlyContain(r => r.ErrorCode == LoyaltyErrorCode.InsufficientPoints);
        var aliceGave = results.Where(r => r.Succeeded && r.Value!.From == Alice).Sum(r => r.Value!.Points.Value);
        var bobGave = results.Where(r => r.Succeeded && r.Value!.From == Bob).Sum(r => r.Value!.Points.Value);
        aliceGave.Should().Be(900, "Alice's 900 points make exactly three gifts of 300");
        await using (var scope = root.CreateAsyncScope())
        {
            var ledger = scope.ServiceProvider.GetRequiredService<PointsLedger>();
            (await ledger.GetBalanceAsync(Alice)).Available.Should().Be(Points.FromInt64(900 - aliceGave));
            (await ledger.GetBalanceAsync(Bob)).Available.Should().Be(Points.FromInt64(900 + aliceGave - bobGave)).And.BeGreaterThanOrEqualTo(Points.Zero);
            (await ledger.GetBalanceAsync(Carol)).Available.Should().Be(Points.FromInt64(900 + bobGave));
            var store = scope.ServiceProvider.GetRequiredService<IPointsTransferStore>();
            (await store.ListMemberTransfersAsync(ProgramIdOf(scope), Carol)).Should().OnlyContain(t => t.Status == PointsTransferStatus.Completed);
        }
    }

    private static ProgramId ProgramIdOf(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().Settings.ProgramId;

    private static async Task EnrolAsync(AsyncServiceScope scope, long points, params MemberId[] members)
    {
        var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
        var ledger = scope.ServiceProvider.GetRequiredService<PointsLedger>();
        foreach (var member in members)
        {
            (await program.EnrolAsync(new Enrolment(member))).Succeeded.Should().BeTrue();
            (await ledger.AdjustAsync(new AdjustPoints(TransactionId.From("open-" + member), member, AdjustmentDirection.Credit, Points.FromInt64(points), "opening balance", "test"))).Succeeded.Should().BeTrue();
        }
    }

    private static ServiceProvider Build(LoyaltyModelOptions loyalty, Action<DbContextOptionsBuilder> provider, FakeClock clock, bool pooled = false)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddSingleton(loyalty);
        services.AddDbContext<ShopContext>(provider);
        services.AddLoyalty(o =>
        {
            o.ProgramId = "club-" + Guid.NewGuid().ToString("N")[..8];
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.Zero;
        })
            .AddPointsTransfers()
            .AddHouseholds(o => { o.SpendingOrder = HouseholdSpendingOrder.OwnerFirst; o.PooledTierQualification = pooled; })
            .UseEntityFrameworkCore<ShopContext>()
            .UseTiers(Tiers.TierLadder.Create(
                [
                    Tiers.TierDefinition.Entry(TierId.From("bronze"), "Bronze"),
                    Tiers.TierDefinition.Create(TierId.From("silver"), "Silver", Tiers.ThresholdCombination.AnyOf, [Tiers.TierThreshold.FromPoints(500)], Tiers.TierBenefits.None),
                ],
                new Tiers.TierPolicy { Window = Tiers.QualificationWindow.RollingMonths(12), Validity = Tiers.StatusValidity.FixedMonths(12), TimeZone = DateTimeZoneProviders.Tzdb["Europe/Paris"] }));
        return services.BuildServiceProvider(validateScopes: true);
    }
}
