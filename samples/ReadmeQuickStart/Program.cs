using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

var services = new ServiceCollection();
services.AddLoyalty(o => { o.ProgramId = "club"; o.Currency = "EUR"; o.TimeZone = "Europe/Paris"; });
using var provider = services.BuildServiceProvider();
using var scope = provider.CreateScope();                      // one scope per request, message or job
var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();

await program.PublishRuleSetAsync(new EarningRuleSetBuilder("v1", Instant.FromUtc(2026, 1, 1, 0, 0), Currency.EUR, "Europe/Paris")
    .EarnPerUnit("base", 1m)                                   // 1 point per euro
    .Activity("welcome", ActivityKind.SignUp, 100)             // a welcome bonus
    .Build());

var alice = MemberId.From("alice");
await program.EnrolAsync(new Enrolment(alice));
var order = new EarningOrder(OrderId.From("A-1001"), alice, SystemClock.Instance.GetCurrentInstant(), Currency.EUR,
    [new OrderLine("SHOE-42", quantity: 1, unitPrice: 40m)]);
var receipt = (await program.RecordOrderAsync(order)).GetValueOrThrow();  // a webhook retry earns once

Console.WriteLine($"Order A-1001 earned {receipt.Points} points:");
foreach (var line in receipt.Explanation)
{
    Console.WriteLine($"  {line.Text}");
}

var summary = (await program.GetMemberSummaryAsync(alice)).GetValueOrThrow();
Console.WriteLine($"Alice: {summary.Balance.Available} points available, {summary.Balance.Pending} pending");
