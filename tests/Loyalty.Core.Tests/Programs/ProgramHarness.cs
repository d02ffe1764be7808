using System.Diagnostics.Metrics;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.Tests.Programs;

/// <summary>
/// The shop of the examples, wired through DI with a fake clock: Club Privilège, EUR, Paris,
/// a 14-day return window, 12-month rolling expiry, Bronze / Silver (500) / Gold (1500).
/// </summary>
public sealed class ProgramHarness : IDisposable
{
    public static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];

    private readonly ServiceProvider provider;
    private readonly IServiceScope scope;

    public ProgramHarness(Action<LoyaltyOptions>? configure = null, IMeterFactory? meterFactory = null, Action<IServiceCollection>? replace = null)
    {
        Clock = new FakeClock(At(2026, 3, 2));
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(Clock);
        if (meterFactory is not null)
        {
            services.AddSingleton(meterFactory);
        }

        services.AddLoyalty(o =>
        {
            o.ProgramId = "club";
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.FromDays(14);
            o.Ledger.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Months = 12 };
            o.Referral.RefereePoints = 50;
            o.Referral.MinimumOrderAmount = 20m;
            configure?.Invoke(o);
        })
        .UseInMemoryStores()
        .UseTiers(Ladder);
        replace?.Invoke(services);
        provider = services.BuildServiceProvider(validateScopes: true);
        scope = provider.CreateScope();
        Program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
    }

    public static TierLadder Ladder { get; } = TierLadder.Create(
        [
            TierDefinition.Entry(TierId.From("bronze"), "Bronze"),
            TierDefinition.Create(TierId.From("silver"), "Silver", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(500)], TierBenefits.Create(1.25m, "free-shipping")),
            TierDefinition.Create(TierId.From("gold"), "Gold", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(1500)], TierBenefits.Create(1.5m, "free-shipping", "private-sales")),
        ],
        new TierPolicy { Window = QualificationWindow.RollingMonths(12), Validity = StatusValidity.FixedMonths(12), TimeZone = Paris });

    public static EarningRuleSet Rules { get; } = new EarningRuleSetBuilder("2026-01", At(2026, 1, 1, 0), Currency.EUR, "Europe/Paris")
        .EarnPerUnit("base", 1m)
        .Multiply("shoes", "base", 2m, LineSelector.ForCategories("shoes"))
        .TierMultiplier("tier", "base")
        .Activity("welcome", ActivityKind.SignUp, 100)
        .Activity("referral", ActivityKind.ReferralCompleted, 200)
        .Activity("birthday", ActivityKind.Birthday, 50)
        .Activity("review", ActivityKind.Review, 10)
        .Build();

    public static RewardDefinition Voucher { get; } = RewardDefinition.AmountOffVoucher(RewardId.From("voucher-5"), "5 € voucher", Points.FromInt64(500), Money.FromDecimal(5m, Currency.EUR)).WithStock(100);

    public static RewardDefinition GoldTote { get; } = RewardDefinition.GiftProduct(RewardId.From("gold-tote"), "Gold tote bag", Points.FromInt64(300), "TOTE-GOLD").WithRequiredTier(TierId.From("gold"));

    public static RewardDefinition PayWithPoints { get; } = RewardDefinition.PayWithPoints(
        RewardId.From("points-pay"), "Pay with points", PayWithPointsTerms.Create(Points.FromInt64(100), Money.FromDecimal(1m, Currency.EUR), Points.FromInt64(200), 0.5m));

    public static readonly MemberId Alice = MemberId.From("alice");

    public static readonly MemberId Bob = MemberId.From("bob");

    public FakeClock Clock { get; }

    public LoyaltyProgram Program { get; }

    public IServiceProvider Services => scope.ServiceProvider;

    /// <summary>The harness scope's services (where the scoped programme and its companions resolve).</summary>
    public IServiceProvider ScopedServices => scope.ServiceProvider;

    public IMemberStore Members => provider.GetRequiredService<IMemberStore>();

    public IRewardCatalogStore Rewards => provider.GetRequiredService<IRewardCatalogStore>();

    public IRuleSetStore RuleSets => provider.GetRequiredService<IRuleSetStore>();

    public PointsLedger Ledger => provider.GetRequiredService<PointsLedger>();

    public ILedgerStore LedgerStore => provider.GetRequiredService<ILedgerStore>();

    public Instant Now => Clock.GetCurrentInstant();

    public static Instant At(int year, int month, int day, int hour = 10) => new LocalDateTime(year, month, day, hour, 0).InZoneLeniently(Paris).ToInstant();

    public static Points P(long value) => Points.FromInt64(value);

    public static EarningOrder Order(string id, MemberId member, Instant placedAt, params OrderLine[] lines) =>
        new(OrderId.From(id), member, placedAt, Currency.EUR, lines);

    public static OrderLine Line(string sku, int quantity, decimal unitPrice, string category = "clothing") =>
        new(sku, quantity, unitPrice, categories: [category]);

    /// <summary>Publishes the rules and the three rewards.</summary>
    public async Task<ProgramHarness> ConfigureAsync()
    {
        await Program.PublishRuleSetAsync(Rules);
        await Program.PublishRewardAsync(Voucher);
        await Program.PublishRewardAsync(GoldTote);
        await Program.PublishRewardAsync(PayWithPoints);
        return this;
    }

    public async Task<MemberProfile> EnrolAsync(MemberId member) =>
        (await Program.EnrolAsync(new Enrolment(member))).GetValueOrThrow();

    public async Task<OrderReceipt> OrderAsync(string id, MemberId member, decimal amount, string category = "clothing") =>
        (await Program.RecordOrderAsync(Order(id, member, Now, Line("SKU-" + id, 1, amount, category)))).GetValueOrThrow();

    public async Task<LedgerBalance> BalanceAsync(MemberId member) => await Ledger.GetBalanceAsync(member);

    public void Advance(Duration duration) => Clock.Advance(duration);

    public void AdvanceDays(int days) => Clock.Advance(Duration.FromDays(days));

    public void Dispose()
    {
        scope.Dispose();
        provider.Dispose();
    }
}
