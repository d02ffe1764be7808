using Loyalty.Core.Coalition;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Coalition;

/// <summary>
/// The coalition on the EF Core stores, one scope (one context) per call as in a web shop: a prepaid
/// partner whose blocks run out under racing earns, and the settlement read from the database.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EntityFrameworkCoalitionTests(PostgresServerFixture fixture)
{
    private static readonly MerchantId Grocer = MerchantId.From("grocer");
    private static readonly MerchantId Bookshop = MerchantId.From("bookshop");
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];

    [PostgresFact]
    public async Task Sixteen_racing_earns_at_one_prepaid_partner_never_issue_more_than_was_bought_on_PostgreSQL()
    {
        var database = fixture.Database("coalition", LoyaltyModelOptions.Default);
        await PrepaidRaceAsync(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
    }

    [Fact]
    public async Task Racing_earns_at_one_prepaid_partner_never_issue_more_than_was_bought_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await PrepaidRaceAsync(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
    }

    [Fact]
    public async Task Earned_at_one_partner_spent_at_another_settles_to_the_cent_on_SQLite()
    {
        using var database = new SqliteDatabase();
        var clock = new FakeClock(At(2026, 1, 2));
        await using var root = Services(database.Loyalty, o => o.UseSqlite(database.ConnectionString), clock, "miles");
        await InScopeAsync(root, async c =>
        {
            await c.Program.PublishRuleSetAsync(Rules());
            foreach (var (id, name) in new[] { (Grocer, "Grocer"), (Bookshop, "Bookshop") })
            {
                await c.RegisterPartnerAsync(new Partner { Id = id, Name = name, Currency = Currency.EUR, JoinedOn = new LocalDate(2025, 12, 1) });
                await c.AddAgreementAsync(new PartnerAgreement { Merchant = id, Version = 1, EffectiveFrom = new LocalDate(2025, 12, 1), Currency = Currency.EUR, IssuancePricePerPoint = 0.01m, RedemptionReimbursementPerPoint = 0.008m });
            }

            (await c.Program.EnrolAsync(new Enrolment(MemberId.From("alice")))).GetValueOrThrow();
        });
        clock.Reset(At(2026, 1, 5));
        await InScopeAsync(root, async c => (await c.RecordOrderAsync(Order("G-1", "alice", Grocer, 1_000m, clock))).GetValueOrThrow());
        clock.Reset(At(2026, 1, 25));
        await InScopeAsync(root, async c => (await c.RedeemAtAsync("spend-1", MemberId.From("alice"), Bookshop, Points.FromInt64(800))).GetValueOrThrow());
        clock.Reset(At(2026, 2, 2));

        var run = await InScopeAsync(root, c => c.CloseAsync(SettlementPeriod.FromMonth(2026, 1)));
        run.StatementOf(Grocer).Billed.Should().Be(10.00m);
        run.StatementOf(Bookshop).Reimbursed.Should().Be(6.40m);
        run.Reconciliation.Margin.Should().Equal(Money.FromDecimal(3.60m, Currency.EUR));
        (await InScopeAsync(root, c => c.SettleAsync(SettlementPeriod.FromMonth(2026, 1)))).Should().Be(run);
    }

    [Fact]
    public async Task Writes_committed_after_their_month_was_closed_land_in_the_next_settlement_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await LateWritesAsync(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
    }

    [PostgresFact]
    public async Task Writes_committed_after_their_month_was_closed_land_in_the_next_settlement_on_PostgreSQL()
    {
        var database = fixture.Database("coalition_late", LoyaltyModelOptions.Default);
        await LateWritesAsync(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
    }

    [Fact]
    public async Task A_refund_at_a_prepaid_partner_returns_its_points_to_the_block_once_on_SQLite()
    {
        using var database = new SqliteDatabase();
        var clock = new FakeClock(At(2026, 1, 10));
        await using var root = Services(database.Loyalty, o => o.UseSqlite(database.ConnectionString), clock, "miles");
        await InScopeAsync(root, async c =>
        {
            await c.Program.PublishRuleSetAsync(Rules());
            await c.RegisterPartnerAsync(new Partner { Id = Grocer, Name = "Grocer", Currency = Currency.EUR, JoinedOn = new LocalDate(2025, 12, 1) });
            await c.AddAgreementAsync(new PartnerAgreement { Merchant = Grocer, Version = 1, EffectiveFrom = new LocalDate(2025, 12, 1), Currency = Currency.EUR, Billing = IssuanceBilling.Prepaid });
            await c.BuyPrepaidBlockAsync(new PrepaidPointBlock { Merchant = Grocer, BlockId = "PO-1", Points = 100, PricePerPoint = 0.01m, Currency = Currency.EUR, PurchasedAt = At(2026, 1, 1) });
            (await c.Program.EnrolAsync(new Enrolment(MemberId.From("alice")))).GetValueOrThrow();
        });
        await InScopeAsync(root, async c => (await c.RecordOrderAsync(Order("G-1", "alice", Grocer, 80m, clock))).GetValueOrThrow());
        var refund = new RefundRequest(RefundId.From("R-1"), OrderId.From("G-1"), OrderRefund.ForAmount(30m));
        await InScopeAsync(root, async c => (await c.RecordRefundAsync(refund)).GetValueOrThrow());
        await InScopeAsync(root, async c => (await c.RecordRefundAsync(refund)).IsRepeat.Should().BeTrue());

        (await InScopeAsync(root, c => c.GetPrepaidBalanceAsync(Grocer))).Should().Be(new PrepaidBalance(100, 50, 50, 0));
    }

    private static async Task LateWritesAsync(LoyaltyModelOptions loyalty, Action<DbContextOptionsBuilder> provider)
    {
        var january = SettlementPeriod.FromMonth(2026, 1);
        var february = SettlementPeriod.FromMonth(2026, 2);
        var clock = new FakeClock(At(2026, 1, 2));
        await using var root = Services(loyalty, provider, clock, "miles");
        await InScopeAsync(root, async c =>
        {
            await c.Program.PublishRuleSetAsync(Rules());
            await c.RegisterPartnerAsync(new Partner { Id = Grocer, Name = "Grocer", Currency = Currency.EUR, JoinedOn = new LocalDate(2025, 12, 1) });
            await c.AddAgreementAsync(new PartnerAgreement { Merchant = Grocer, Version = 1, EffectiveFrom = new LocalDate(2025, 12, 1), Currency = Currency.EUR, IssuancePricePerPoint = 0.01m, RedemptionReimbursementPerPoint = 0.008m });
            (await c.Program.EnrolAsync(new Enrolment(MemberId.From("alice")))).GetValueOrThrow();
        });
        clock.Reset(At(2026, 1, 5));
        await InScopeAsync(root, async c => (await c.RecordOrderAsync(Order("G-1", "alice", Grocer, 1_000m, clock))).GetValueOrThrow());
        clock.Reset(At(2026, 2, 2));
        var closed = await InScopeAsync(root, c => c.CloseAsync(january));
        closed.StatementOf(Grocer).Billed.Should().Be(10.00m);

        // A clock far behind: an earn and a refund stamped January 28, committed after January was closed.
        clock.Reset(At(2026, 1, 28));
        await InScopeAsync(root, async c => (await c.RecordOrderAsync(Order("G-2", "alice", Grocer, 300m, clock))).GetValueOrThrow());
        await InScopeAsync(root, async c => (await c.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("G-1"), OrderRefund.ForAmount(125m)))).GetValueOrThrow());

        clock.Reset(At(2026, 3, 2));
        (await InScopeAsync(root, c => c.SettleAsync(january))).Should().Be(closed);
        var run = await InScopeAsync(root, c => c.SettleAsync(february));
        var statement = run.StatementOf(Grocer);
        statement.Lines.OrderBy(l => l.Kind).Select(l => (l.Kind, l.Points, l.Amount, l.Adjusts)).Should().Equal(
            (SettlementLineKind.Issued, 300L, 3.00m, (SettlementPeriod?)january),
            (SettlementLineKind.IssuanceReversed, 125L, -1.25m, (SettlementPeriod?)january));
        (statement.Billed, statement.NetDue).Should().Be((1.75m, 1.75m));
        (run.Reconciliation.OutstandingChange, run.Reconciliation.PointsBalance).Should().Be((175L, true));
        (await InScopeAsync(root, c => c.SettleAsync(february))).Should().Be(run);

        var traced = await InScopeAsync(root, c => c.TraceAsync(february, Grocer, SettlementLineKind.IssuanceReversed));
        await using (var scope = root.CreateAsyncScope())
        {
            var reversal = await scope.ServiceProvider.GetRequiredService<ILedgerStore>().FindTransactionAsync(ProgramId.From("miles"), traced.Should().ContainSingle().Subject);
            (reversal!.Kind, reversal.Amount, reversal.RecordedAt).Should().Be((LedgerTransactionKind.Reverse, 125L, At(2026, 1, 28)));
        }

        var closedFebruary = await InScopeAsync(root, c => c.CloseAsync(february));
        closedFebruary.Should().Be(run with { Status = SettlementStatus.Closed, ClosedAt = At(2026, 3, 2), Included = closedFebruary.Included });
        closedFebruary.Included.Should().HaveCount(2).And.Contain(traced);
        clock.Reset(At(2026, 4, 2));
        var march = await InScopeAsync(root, c => c.SettleAsync(SettlementPeriod.FromMonth(2026, 3)));
        (march.StatementOf(Grocer).Lines.Count, march.TransactionCount).Should().Be((0, 0L));
        (await InScopeAsync(root, c => c.TraceAsync(february, Grocer, SettlementLineKind.IssuanceReversed))).Should().Equal(traced);
    }

    private static async Task PrepaidRaceAsync(LoyaltyModelOptions loyalty, Action<DbContextOptionsBuilder> provider)
    {
        var programId = "miles-" + Guid.NewGuid().ToString("N")[..8];
        var clock = new FakeClock(At(2026, 1, 10));
        await using var root = Services(loyalty, provider, clock, programId);
        await InScopeAsync(root, async c =>
        {
            await c.Program.PublishRuleSetAsync(Rules());
            await c.RegisterPartnerAsync(new Partner { Id = Grocer, Name = "Grocer", Currency = Currency.EUR, JoinedOn = new LocalDate(2025, 12, 1) });
            await c.AddAgreementAsync(new PartnerAgreement { Merchant = Grocer, Version = 1, EffectiveFrom = new LocalDate(2025, 12, 1), Currency = Currency.EUR, Billing = IssuanceBilling.Prepaid });
            await c.BuyPrepaidBlockAsync(new PrepaidPointBlock { Merchant = Grocer, BlockId = "PO-1", Points = 500, PricePerPoint = 0.01m, Currency = Currency.EUR, PurchasedAt = At(2026, 1, 1) });
            await c.BuyPrepaidBlockAsync(new PrepaidPointBlock { Merchant = Grocer, BlockId = "RESERVE", Points = 250, PricePerPoint = 0.012m, Currency = Currency.EUR, PurchasedAt = At(2026, 1, 1), IsReserve = true });
            for (var i = 0; i < 16; i++)
            {
                (await c.Program.EnrolAsync(new Enrolment(MemberId.From("m" + i)))).GetValueOrThrow();
            }
        });

        // Sixteen members earn 100 points each at once; the blocks hold 750.
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            InScopeAsync(root, c => c.RecordOrderAsync(Order("G-" + i, "m" + i, Grocer, 100m, clock))))));

        results.Count(r => r.Succeeded).Should().Be(7);
        results.Where(r => !r.Succeeded).Should().OnlyContain(r => r.ErrorCode == CoalitionErrorCode.PrepaidPointsExhausted);
        var balance = await InScopeAsync(root, c => c.GetPrepaidBalanceAsync(Grocer));
        balance.Should().Be(new PrepaidBalance(750, 700, 50, 50));

        clock.Reset(At(2026, 2, 2));
        var statement = (await InScopeAsync(root, c => c.SettleAsync(SettlementPeriod.FromMonth(2026, 1)))).StatementOf(Grocer);
        statement.Points.Issued.Should().Be(700).And.BeLessThanOrEqualTo(750);
        statement.Billed.Should().Be(8.00m);
    }

    private static ServiceProvider Services(LoyaltyModelOptions loyalty, Action<DbContextOptionsBuilder> provider, FakeClock clock, string programId)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddSingleton(loyalty);
        services.AddDbContext<ShopContext>(provider);
        services.AddLoyalty(o =>
        {
            o.ProgramId = programId;
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.FromDays(14);
        }).UseEntityFrameworkCore<ShopContext>().AddCoalition();
        return services.BuildServiceProvider(validateScopes: true);
    }

    private static async Task<T> InScopeAsync<T>(ServiceProvider root, Func<CoalitionProgram, Task<T>> call)
    {
        await using var scope = root.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<CoalitionProgram>());
    }

    private static async Task InScopeAsync(ServiceProvider root, Func<CoalitionProgram, Task> call)
    {
        await using var scope = root.CreateAsyncScope();
        await call(scope.ServiceProvider.GetRequiredService<CoalitionProgram>());
    }

    private static Instant At(int year, int month, int day) => new LocalDateTime(year, month, day, 10, 0).InZoneLeniently(Paris).ToInstant();

    private static EarningRuleSet Rules() => new EarningRuleSetBuilder("2026-01", At(2025, 12, 1), Currency.EUR, "Europe/Paris").EarnPerUnit("base", 1m).Build();

    private static EarningOrder Order(string id, string member, MerchantId merchant, decimal amount, FakeClock clock) =>
        new(OrderId.From(id), MemberId.From(member), clock.GetCurrentInstant(), Currency.EUR, [new OrderLine("ITEM", 1, amount)], store: merchant);
}
