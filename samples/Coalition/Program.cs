// A coalition programme ("Miles", EUR, Paris): an operator and three partners, a grocer, a
// bookshop and a travel site. Members earn in one shop and spend in another over two months;
// then the operator settles both months with every partner and prints the statements.
using Loyalty.Core.Coalition;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Spectre.Console;

var paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
Instant At(int month, int day, int hour = 10) => new LocalDateTime(2026, month, day, hour, 0).InZoneLeniently(paris).ToInstant();
var clock = new FakeClock(At(1, 1, 9)); // a fixed clock, so the sample prints the same figures every run

// 1. Register the programme and the coalition.
var services = new ServiceCollection();
services.AddSingleton<IClock>(clock);
services.AddLoyalty(o =>
{
    o.ProgramId = "miles";
    o.Currency = "EUR";
    o.TimeZone = "Europe/Paris";
    o.Ledger.PendingPeriod = TimeSpan.FromDays(7);
}).AddCoalition();
using var provider = services.BuildServiceProvider();
using var scope = provider.CreateScope(); // the coalition is scoped, like the programme it runs
var coalition = scope.ServiceProvider.GetRequiredService<CoalitionProgram>();

// 2. One points currency: 1 point per euro everywhere (the coalition-wide rules).
var grocer = MerchantId.From("grocer");
var bookshop = MerchantId.From("bookshop");
var travel = MerchantId.From("travel");
await coalition.Program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-01", At(1, 1, 0), Currency.EUR, "Europe/Paris")
    .EarnPerUnit("base", 1m)
    .Build());

// 3. Partners and their agreements: what each pays per point issued, what it is paid back per point spent.
var joined = new LocalDate(2026, 1, 1);
await coalition.RegisterPartnerAsync(new Partner { Id = grocer, Name = "Le Marché", Currency = Currency.EUR, JoinedOn = joined });
await coalition.RegisterPartnerAsync(new Partner { Id = bookshop, Name = "La Page", Currency = Currency.EUR, JoinedOn = joined });
await coalition.RegisterPartnerAsync(new Partner { Id = travel, Name = "Voyages.example", Currency = Currency.EUR, JoinedOn = joined });
await coalition.AddAgreementAsync(new PartnerAgreement { Merchant = grocer, Version = 1, EffectiveFrom = joined, Currency = Currency.EUR, IssuancePricePerPoint = 0.01m, RedemptionReimbursementPerPoint = 0.008m });
await coalition.AddAgreementAsync(new PartnerAgreement { Merchant = bookshop, Version = 1, EffectiveFrom = joined, Currency = Currency.EUR, IssuancePricePerPoint = 0.012m, BillingPercentage = 90m, RedemptionReimbursementPerPoint = 0.009m });
await coalition.AddAgreementAsync(new PartnerAgreement { Merchant = travel, Version = 1, EffectiveFrom = joined, Currency = Currency.EUR, Billing = IssuanceBilling.Prepaid, RedemptionReimbursementPerPoint = 0.007m });
await coalition.BuyPrepaidBlockAsync(new PrepaidPointBlock { Merchant = travel, BlockId = "PO-2026-001", Points = 2_000, PricePerPoint = 0.011m, Currency = Currency.EUR, PurchasedAt = At(1, 1, 9) });

// The bookshop's own earning rules, versioned by the bookshop, on top of the coalition-wide rules: +20 points per order.
await coalition.PublishMerchantRuleSetAsync(bookshop, new EarningRuleSetBuilder("la-page-1", At(1, 1, 0), Currency.EUR, "Europe/Paris")
    .FixedBonus("reader-bonus", 20)
    .Build());

// 4. Two months of members earning in one shop and spending in another.
foreach (var name in new[] { "alice", "bruno", "chloe" })
{
    (await coalition.Program.EnrolAsync(new Enrolment(MemberId.From(name)))).GetValueOrThrow();
}

async Task Order(int month, int day, string id, string member, MerchantId shop, decimal amount)
{
    clock.Reset(At(month, day));
    var receipt = (await coalition.RecordOrderAsync(new EarningOrder(OrderId.From(id), MemberId.From(member), clock.GetCurrentInstant(), Currency.EUR, [new OrderLine("ITEM", 1, amount)], store: shop))).GetValueOrThrow();
    var own = receipt.MerchantRuleSetVersion is { } version ? $", with {shop}'s own rules {version}" : "";
    Console.WriteLine($"{clock.GetCurrentInstant().InZone(paris).Date:yyyy-MM-dd}  {member,-6} earns {receipt.Points,5} points at {shop} (order {id}, {amount:0.00} EUR{own})");
}

async Task Spend(int month, int day, string id, string member, MerchantId shop, long points)
{
    clock.Reset(At(month, day));
    (await coalition.RedeemAtAsync(id, MemberId.From(member), shop, Points.FromInt64(points))).GetValueOrThrow();
    Console.WriteLine($"{clock.GetCurrentInstant().InZone(paris).Date:yyyy-MM-dd}  {member,-6} spends {points,4} points at {shop}");
}

await Order(1, 4, "M-101", "alice", grocer, 420m);
await Order(1, 6, "P-201", "bruno", bookshop, 85m);
await Order(1, 9, "V-301", "chloe", travel, 1_250m);
await Spend(1, 20, "S-1", "alice", bookshop, 300);
await Spend(1, 22, "S-2", "chloe", grocer, 1_000);
await Order(1, 28, "M-102", "bruno", grocer, 160m);
await Order(2, 3, "V-302", "alice", travel, 640m);
clock.Reset(At(2, 5));
(await coalition.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("M-102"), OrderRefund.ForAmount(60m)))).GetValueOrThrow();
Console.WriteLine("2026-02-05  bruno  returns 60.00 EUR of January's order M-102 (a late reversal)");
await Spend(2, 14, "S-3", "alice", travel, 700);
await Spend(2, 20, "S-4", "bruno", grocer, 120);

// 5. Settle and close both months, then print every statement.
clock.Reset(At(2, 2));
var january = await coalition.CloseAsync(SettlementPeriod.FromMonth(2026, 1));
clock.Reset(At(3, 2));
var february = await coalition.CloseAsync(SettlementPeriod.FromMonth(2026, 2));
foreach (var run in new[] { january, february })
{
    AnsiConsole.Write(new Rule($"Settlement {run.Period} ({run.Status}, {run.TransactionCount} ledger transactions)"));
    foreach (var s in run.Statements)
    {
        var table = new Table().Title($"{s.PartnerName} ({s.Merchant})")
            .AddColumns("line", "version", "points", "unit price", "amount", "transactions");
        foreach (var line in s.Lines)
        {
            var label = line.Kind + (line.Adjusts is { } adjusts ? $" (adjusts {adjusts})" : "") + (line.BlockId is { } block ? $" {block}" : "");
            table.AddRow(label, line.AgreementVersion?.ToString() ?? "", line.Points.ToString("N0"), line.UnitPrice.ToString("0.####"), line.Amount.ToString("0.00"), line.TransactionCount.ToString());
        }

        table.AddRow("[bold]billed / reimbursed / net due[/]", "", "", "", $"[bold]{s.Billed:0.00} / {s.Reimbursed:0.00} / {s.NetDue:0.00} {s.Currency}[/]", "");
        AnsiConsole.Write(table);
    }

    var r = run.Reconciliation;
    Console.WriteLine($"Reconciliation: partners {r.Partners.OutstandingChange:+#;-#;0} + programme {r.Operator.OutstandingChange:+#;-#;0} = outstanding change {r.OutstandingChange:+#;-#;0} points ({(r.PointsBalance ? "balanced" : "NOT balanced")}); operator margin {string.Join(", ", r.Margin)}");
    Console.WriteLine();
}
