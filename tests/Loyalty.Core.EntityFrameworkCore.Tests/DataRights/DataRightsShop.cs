using Loyalty.Core.DataRights;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.EntityFrameworkCore.Tests.DataRights;

/// <summary>
/// A shop with members' data rights, on the EF Core stores (SQLite or PostgreSQL) or in memory, one scope
/// per call as in a web shop, each instance in a programme of its own. Alice (an e-mail as member id) has
/// a birth date, referred Bob (whose first order completed the referral), orders with lines and a coupon,
/// a refund, a review, an adjustment naming her, an open hold and a released one.
/// </summary>
public sealed class DataRightsShop : IAsyncDisposable
{
    public static readonly MemberId Alice = MemberId.From("alice@example.com");
    public static readonly MemberId Bob = MemberId.From("bob@example.com");
    public static readonly LocalDate AliceBirthDate = new(1987, 11, 23);
    public static readonly Instant Start = Instant.FromUtc(2026, 3, 2, 9, 0);

    private readonly ServiceProvider root;

    private DataRightsShop(Action<LoyaltyBuilder> stores, Action<DataRightsOptions>? rights = null)
    {
        ProgramId = ProgramId.From("club-" + Guid.NewGuid().ToString("N")[..8]);
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(Clock);
        var builder = services.AddLoyalty(o =>
        {
            o.ProgramId = ProgramId.Value;
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.Zero;
            o.Referral.RefereePoints = 50;
            o.Referral.MinimumOrderAmount = 20m;
        });
        stores(builder);
        builder.AddDataRights(rights);
        root = services.BuildServiceProvider(validateScopes: true);
    }

    public FakeClock Clock { get; } = new(Start);

    public ProgramId ProgramId { get; }

    public Instant Now => Clock.GetCurrentInstant();

    public static EarningRuleSet Rules { get; } = new EarningRuleSetBuilder("2024-01", Instant.FromUtc(2024, 1, 1, 0, 0), Currency.EUR, "Europe/Paris")
        .EarnPerUnit("base", 1m)
        .Activity("welcome", ActivityKind.SignUp, 100)
        .Activity("referral", ActivityKind.ReferralCompleted, 200)
        .Activity("review", ActivityKind.Review, 10)
        .Build();

    /// <summary>The shop on the in-memory stores.</summary>
    public static DataRightsShop InMemory() => new(b => b.UseInMemoryStores());

    /// <summary>
    /// The shop on the EF Core stores of <see cref="ShopContext"/>, registered with <c>AddDbContext</c> as a
    /// shop does: EF Core then caches one model per context type, so every such shop uses one table placement
    /// (the tests use <see cref="LoyaltyModelOptions.Default"/>).
    /// </summary>
    public static DataRightsShop EntityFramework(LoyaltyModelOptions loyalty, Action<DbContextOptionsBuilder> provider, Action<DataRightsOptions>? rights = null) => new(b =>
    {
        b.Services.AddSingleton(loyalty);
        b.Services.AddDbContext<ShopContext>(provider);
        b.UseEntityFrameworkCore<ShopContext>();

        // Campaign budgets take part in data rights through ICampaignBudgetDataStore; the rules here have
        // no budget, so a store without it is kept in memory (empty) rather than refused.
        if (!typeof(ICampaignBudgetDataStore).IsAssignableFrom(typeof(EntityFrameworkCampaignBudgetStore)))
        {
            b.Services.Replace(ServiceDescriptor.Singleton<ICampaignBudgetStore, InMemoryCampaignBudgetStore>());
        }
    }, rights);

    /// <summary>Runs <paramref name="work"/> in a scope of its own (one context, as one request of a web shop).</summary>
    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = root.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    /// <summary>Runs <paramref name="work"/> in a scope of its own.</summary>
    public async Task InScopeAsync(Func<IServiceProvider, Task> work)
    {
        await using var scope = root.CreateAsyncScope();
        await work(scope.ServiceProvider);
    }

    public Task<DataRightsResult> EraseAsync(MemberId member, string requestId)
        => InScopeAsync(sp => sp.GetRequiredService<DataRightsService>().EraseAsync(member, Request(requestId)));

    public Task<DataRightsResult> RectifyAsync(MemberId member, MemberId newId, string requestId)
        => InScopeAsync(sp => sp.GetRequiredService<DataRightsService>().RectifyAsync(member, newId, Request(requestId)));

    public Task<DataRightsResult> MergeAsync(MemberId member, MemberId into, string requestId)
        => InScopeAsync(sp => sp.GetRequiredService<DataRightsService>().MergeBalancesAsync(member, into, Request(requestId)));

    public Task<LedgerBalance> BalanceAsync(MemberId member)
        => InScopeAsync(sp => sp.GetRequiredService<PointsLedger>().GetBalanceAsync(member));

    public Task<MemberRecord?> MemberAsync(MemberId member)
        => InScopeAsync(sp => sp.GetRequiredService<IMemberStore>().GetMemberAsync(ProgramId, member).AsTask());

    public Task<MemberHistory> HistoryAsync(MemberId member)
        => InScopeAsync(sp => sp.GetRequiredService<IMemberStore>().GetHistoryAsync(ProgramId, member).AsTask());

    public Task<LedgerAccountContents> ContentsAsync(MemberId member)
        => InScopeAsync(sp => ((ILedgerDataStore)sp.GetRequiredService<ILedgerStore>()).ReadAccountContentsAsync(new LedgerAccountKey(ProgramId, member)).AsTask());

    public Task<IReadOnlyList<LedgerTransactionRecord>> TransactionsAsync(MemberId member)
        => InScopeAsync(async sp =>
        {
            var page = await sp.GetRequiredService<ILedgerStore>().ReadHistoryAsync(new LedgerAccountKey(ProgramId, member), 0, int.MaxValue);
            return page.Transactions;
        });

    public Task<LedgerVerificationReport> VerifyProgramAsync()
        => InScopeAsync(sp => sp.GetRequiredService<PointsLedger>().VerifyProgramAsync());

    public Task<LedgerVerification> VerifyAccountAsync(MemberId member)
        => InScopeAsync(sp => sp.GetRequiredService<PointsLedger>().VerifyAccountAsync(member));

    public static DataRightsRequest Request(string id) => new(id, "dpo@shop.example");

    /// <summary>Alice with every kind of member and ledger record, and Bob, whom she referred, with his own.</summary>
    public async Task SeedAsync()
    {
        await InScopeAsync(sp => sp.GetRequiredService<LoyaltyProgram>().PublishRuleSetAsync(Rules));
        MemberProfile alice = null!;
        await InScopeAsync(async sp =>
        {
            var program = sp.GetRequiredService<LoyaltyProgram>();
            alice = (await program.EnrolAsync(new Enrolment(Alice) { BirthDate = AliceBirthDate })).GetValueOrThrow();
            (await program.EnrolAsync(new Enrolment(Bob) { ReferralCode = alice.ReferralCode })).GetValueOrThrow();
        });
        await InScopeAsync(async sp => (await sp.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(new EarningOrder(
            OrderId.From("A-1"), Alice, Now, Currency.EUR,
            [new OrderLine("SKU-DRESS", 1, 600m, categories: ["clothing"], brand: "Maison"), new OrderLine("SKU-SCARF", 2, 25m)],
            coupons: ["ALICE10"]))).GetValueOrThrow());
        await InScopeAsync(async sp => (await sp.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(new EarningOrder(
            OrderId.From("B-1"), Bob, Now, Currency.EUR, [new OrderLine("SKU-SHOES", 1, 80m)]))).GetValueOrThrow());
        Clock.Advance(Duration.FromDays(1));
        await InScopeAsync(async sp => (await sp.GetRequiredService<LoyaltyProgram>().RecordRefundAsync(
            new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(1, 1))))).GetValueOrThrow());
        await InScopeAsync(async sp => (await sp.GetRequiredService<LoyaltyProgram>().RecordActivityAsync(
            ActivityId.From("review-alice-1"), new ActivityInput(ActivityKind.Review, Alice, Now))).GetValueOrThrow());
        await InScopeAsync(async sp =>
        {
            var ledger = sp.GetRequiredService<PointsLedger>();
            (await ledger.AdjustAsync(new AdjustPoints(TransactionId.From("goodwill-alice@example.com"), Alice, AdjustmentDirection.Credit, Points.FromInt64(25), "late parcel for alice@example.com", "support:alice-desk"))).Succeeded.Should().BeTrue();
            (await ledger.HoldAsync(new HoldPoints(TransactionId.From("hold-A-2"), Alice, Points.FromInt64(200)))).Succeeded.Should().BeTrue();
            (await ledger.HoldAsync(new HoldPoints(TransactionId.From("hold-A-3"), Alice, Points.FromInt64(30)))).Succeeded.Should().BeTrue();
            (await ledger.ReleaseAsync(new ReleaseHold(TransactionId.From("release-A-3"), Alice, TransactionId.From("hold-A-3")))).Succeeded.Should().BeTrue();
        });
    }

    /// <summary>Every account's figures added up, and the number of accounts.</summary>
    public Task<(long Outstanding, long Earned, long Redeemed, long Held, long Adjusted, int Accounts)> TotalsAsync()
        => InScopeAsync(async sp =>
        {
            var source = (ILedgerSnapshotSource)sp.GetRequiredService<ILedgerStore>();
            long outstanding = 0, earned = 0, redeemed = 0, held = 0, adjusted = 0;
            var accounts = 0;
            foreach (var head in await HeadsAsync(source))
            {
                outstanding += head.LotPoints - head.Debt;
                earned += head.Earned;
                redeemed += head.Redeemed;
                held += head.HeldSnapshot;
                adjusted += head.Adjusted;
                accounts++;
            }

            return (outstanding, earned, redeemed, held, adjusted, accounts);
        });

    /// <summary>The member ids of every ledger account of the programme.</summary>
    public Task<IReadOnlyList<MemberId>> AccountsAsync()
        => InScopeAsync(async sp => (IReadOnlyList<MemberId>)(await HeadsAsync((ILedgerSnapshotSource)sp.GetRequiredService<ILedgerStore>())).Select(h => h.MemberId).ToList());

    private async Task<List<LedgerAccountHead>> HeadsAsync(ILedgerSnapshotSource source)
    {
        var heads = new List<LedgerAccountHead>();
        for (MemberId? after = null; ;)
        {
            var page = await source.ReadAccountSnapshotsAsync(ProgramId, after, 100);
            heads.AddRange(page.Select(s => s.Head!));
            if (page.Count < 100)
            {
                return heads;
            }

            after = page[^1].Head!.MemberId;
        }
    }

    public ValueTask DisposeAsync() => root.DisposeAsync();
}
