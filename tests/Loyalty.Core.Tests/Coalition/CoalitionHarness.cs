using Loyalty.Core.Coalition;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.Tests.Coalition;

/// <summary>
/// A coalition in memory with a fake clock: programme "miles", EUR, Paris, a 14-day return window,
/// points expiring 3 months after they are earned, 1 point per euro everywhere.
/// </summary>
public sealed class CoalitionHarness : IDisposable
{
    public static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];

    public static readonly MerchantId Grocer = MerchantId.From("grocer");

    public static readonly MerchantId Bookshop = MerchantId.From("bookshop");

    public static readonly MerchantId Travel = MerchantId.From("travel");

    private readonly ServiceProvider provider;
    private readonly IServiceScope scope;

    public CoalitionHarness(int expiryMonths = 3, Action<LoyaltyOptions>? configure = null, Action<SettlementOptions>? coalition = null, Loyalty.Core.Tiers.TierLadder? tiers = null)
    {
        Clock = new FakeClock(At(2026, 1, 1, 9));
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(Clock);
        var builder = services.AddLoyalty(o =>
        {
            o.ProgramId = "miles";
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.FromDays(14);
            o.Ledger.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Months = expiryMonths };
            configure?.Invoke(o);
        })
        .UseInMemoryStores();
        if (tiers is not null)
        {
            builder.UseTiers(tiers);
        }

        builder.AddCoalition(coalition);
        provider = services.BuildServiceProvider(validateScopes: true);
        scope = provider.CreateScope();
        Coalition = scope.ServiceProvider.GetRequiredService<CoalitionProgram>();
    }

    public FakeClock Clock { get; }

    public CoalitionProgram Coalition { get; }

    public LoyaltyProgram Program => Coalition.Program;

    public PointsLedger Ledger => scope.ServiceProvider.GetRequiredService<PointsLedger>();

    public ILedgerStore LedgerStore => scope.ServiceProvider.GetRequiredService<ILedgerStore>();

    public IPartnerStore Partners => scope.ServiceProvider.GetRequiredService<IPartnerStore>();

    public ISettlementStore Settlements => scope.ServiceProvider.GetRequiredService<ISettlementStore>();

    public static EarningRuleSet Rules { get; } = new EarningRuleSetBuilder("2026-01", At(2025, 12, 1, 0), Currency.EUR, "Europe/Paris")
        .EarnPerUnit("base", 1m)
        .Build();

    public static Instant At(int year, int month, int day, int hour = 10) => new LocalDateTime(year, month, day, hour, 0).InZoneLeniently(Paris).ToInstant();

    public static Points P(long value) => Points.FromInt64(value);

    public static SettlementPeriod January => SettlementPeriod.FromMonth(2026, 1);

    public static SettlementPeriod February => SettlementPeriod.FromMonth(2026, 2);

    public static Partner PartnerOf(MerchantId id, string name, Currency currency, LocalDate? joined = null) =>
        new() { Id = id, Name = name, Currency = currency, JoinedOn = joined ?? new LocalDate(2025, 12, 1) };

    public static PartnerAgreement PerPoint(MerchantId id, Currency currency, decimal price, decimal percentage = 100m, decimal reimbursement = 0m, int version = 1) => new()
    {
        Merchant = id,
        Version = version,
        EffectiveFrom = new LocalDate(2025, 12, 1),
        Currency = currency,
        IssuancePricePerPoint = price,
        BillingPercentage = percentage,
        RedemptionReimbursementPerPoint = reimbursement,
    };

    /// <summary>Publishes the rules and registers the partners with their agreements.</summary>
    public async Task<CoalitionHarness> ConfigureAsync(params (Partner Partner, PartnerAgreement Agreement)[] partners)
    {
        await Program.PublishRuleSetAsync(Rules);
        foreach (var (partner, agreement) in partners)
        {
            await Coalition.RegisterPartnerAsync(partner);
            await Coalition.AddAgreementAsync(agreement);
        }

        return this;
    }

    public async Task EnrolAsync(MemberId member) => (await Program.EnrolAsync(new Enrolment(member))).GetValueOrThrow();

    public EarningOrder Order(string id, MemberId member, MerchantId merchant, decimal amount) =>
        new(OrderId.From(id), member, Clock.GetCurrentInstant(), Currency.EUR, [new OrderLine("ITEM", 1, amount)], store: merchant);

    public async Task<OrderReceipt> EarnAsync(string id, MemberId member, MerchantId merchant, decimal amount) =>
        (await Coalition.RecordOrderAsync(Order(id, member, merchant, amount))).GetValueOrThrow();

    public void AdvanceTo(Instant instant) => Clock.Reset(instant);

    /// <summary>The outstanding points of every account: lot points minus debt, read from the heads.</summary>
    public async Task<long> OutstandingAsync(IEnumerable<MemberId> members)
    {
        long total = 0;
        foreach (var member in members)
        {
            if (await LedgerStore.GetHeadAsync(new LedgerAccountKey(ProgramId.From("miles"), member)) is { } head)
            {
                total += head.LotPoints - head.Debt;
            }
        }

        return total;
    }

    public void Dispose()
    {
        scope.Dispose();
        provider.Dispose();
    }
}
