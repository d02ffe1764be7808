using Loyalty.Core.Cards;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Cards;

/// <summary>
/// Cards on the EF Core stores, one scope (one context) per call as at a till: racing replacements of one
/// card among scans of both cards, and racing imports of overlapping ranges.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EntityFrameworkCardsTests(PostgresServerFixture fixture)
{
    private const string Published = "4006381333931";
    private static readonly Instant Now = Instant.FromUtc(2026, 3, 2, 10, 0);
    private static readonly MemberId Alice = MemberId.From("alice");

    [Fact]
    public async Task Racing_replacements_and_scans_exactly_one_replacement_wins_and_the_member_keeps_the_balance_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await ReplacementScenarioAsync(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
    }

    [PostgresFact]
    public async Task Racing_replacements_and_scans_exactly_one_replacement_wins_and_the_member_keeps_the_balance_on_PostgreSQL()
    {
        var database = fixture.Database("cards", LoyaltyModelOptions.Default);
        await ReplacementScenarioAsync(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
    }

    [PostgresFact]
    public async Task Racing_imports_of_overlapping_ranges_add_exactly_one_on_PostgreSQL()
    {
        var database = fixture.Database("cards", LoyaltyModelOptions.Default);
        await using var root = Build(database.Loyalty, o => o.UseNpgsql(database.ConnectionString), "club-" + Guid.NewGuid().ToString("N")[..8]);
        var scheme = root.GetRequiredService<CardNumberScheme>();
        using var start = new ManualResetEventSlim();
        var imports = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            await using var scope = root.CreateAsyncScope();
            var cards = scope.ServiceProvider.GetRequiredService<LoyaltyCards>();
            start.Wait();
            return await cards.ImportRangeAsync($"batch-{i}", scheme.FromSerial(1000 + (i * 10)).Value, scheme.FromSerial(1999 + (i * 10)).Value, CardKind.Physical);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(imports);

        results.Count(r => r.Succeeded).Should().Be(1);
        results.Where(r => !r.Succeeded).Should().OnlyContain(r => r.ErrorCode == CardErrorCode.RangeOverlaps);
        await using var check = root.CreateAsyncScope();
        (await check.ServiceProvider.GetRequiredService<LoyaltyCards>().ListRangesAsync()).Should().ContainSingle();
    }

    private static ServiceProvider Build(LoyaltyModelOptions loyalty, Action<DbContextOptionsBuilder> provider, string programId)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(Now));
        services.AddSingleton(loyalty);
        services.AddDbContext<ShopContext>(provider);

        // Cards added before the EF Core stores: the card service becomes scoped with them.
        services.AddLoyalty(o =>
        {
            o.ProgramId = programId;
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.Zero;
        })
            .AddCards(o =>
            {
                o.Prefix = "400638";
                o.Length = 13;
                o.CheckDigit = CheckDigitAlgorithm.Ean13;
            })
            .UseEntityFrameworkCore<ShopContext>();
        return services.BuildServiceProvider(validateScopes: true);
    }

    private static async Task ReplacementScenarioAsync(LoyaltyModelOptions loyalty, Action<DbContextOptionsBuilder> provider)
    {
        await using var root = Build(loyalty, provider, "club-" + Guid.NewGuid().ToString("N")[..8]);
        var scheme = root.GetRequiredService<CardNumberScheme>();
        long points;
        await using (var scope = root.CreateAsyncScope())
        {
            var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
            var cards = scope.ServiceProvider.GetRequiredService<LoyaltyCards>();
            await program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-03", Now - Duration.FromDays(1), Currency.EUR, "Europe/Paris").EarnPerUnit("base", 1m).Build());
            (await cards.ImportRangeAsync("print-2026-03", scheme.FromSerial(133000).Value, scheme.FromSerial(133999).Value, CardKind.Physical)).Succeeded.Should().BeTrue();
            (await program.EnrolAsync(new Enrolment(Alice))).Succeeded.Should().BeTrue();
            (await cards.LinkCardAsync(Published, Alice, "till 4")).Succeeded.Should().BeTrue();
            var scan = (await cards.FindMemberAsync(Published)).GetValueOrThrow();
            (await program.RecordOrderAsync(new EarningOrder(OrderId.From("o-1"), scan.MemberId, Now, Currency.EUR, [new OrderLine("SKU", 1, 60m)]))).Succeeded.Should().BeTrue();
            points = (await program.GetMemberSummaryAsync(Alice)).GetValueOrThrow().Balance.Earned.Value;
        }

        points.Should().Be(60);
        using var start = new ManualResetEventSlim();
        var replacements = Enumerable.Range(1, 8).Select(i => Task.Run(async () =>
        {
            await using var scope = root.CreateAsyncScope();
            var cards = scope.ServiceProvider.GetRequiredService<LoyaltyCards>();
            start.Wait();
            return await cards.ReplaceCardAsync(Published, scheme.FromSerial(133000 + i).Value, "stolen");
        })).ToList();
        var scans = Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            await using var scope = root.CreateAsyncScope();
            var cards = scope.ServiceProvider.GetRequiredService<LoyaltyCards>();
            start.Wait();
            return await cards.FindMemberAsync(i % 2 == 0 ? Published : scheme.FromSerial(133001 + (i % 8)).Value);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(replacements);
        var scanned = await Task.WhenAll(scans);

        results.Count(r => r.Succeeded).Should().Be(1);
        results.Where(r => !r.Succeeded).Should().OnlyContain(r => r.ErrorCode == CardErrorCode.CardBlocked);
        scanned.Should().OnlyContain(s => (s.Succeeded && s.Value!.MemberId == Alice) || s.ErrorCode == CardErrorCode.CardBlocked || s.ErrorCode == CardErrorCode.CardNotFound);
        var winner = results.Single(r => r.Succeeded).Value!.Replacement.Number.Value;
        await using var after = root.CreateAsyncScope();
        var afterCards = after.ServiceProvider.GetRequiredService<LoyaltyCards>();
        (await afterCards.FindMemberAsync(Published)).ErrorCode.Should().Be(CardErrorCode.CardBlocked);
        (await afterCards.FindMemberAsync(winner)).GetValueOrThrow().MemberId.Should().Be(Alice);
        (await afterCards.ListCardsAsync(Alice)).Select(c => (c.Number.Value, c.Status)).Should().Equal((Published, CardStatus.Blocked), (winner, CardStatus.Active));
        (await after.ServiceProvider.GetRequiredService<LoyaltyProgram>().GetMemberSummaryAsync(Alice)).GetValueOrThrow().Balance.Earned.Value.Should().Be(points);
    }
}
