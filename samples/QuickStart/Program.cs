using System.Globalization;
using Loyalty.Core.Achievements;
using Loyalty.Core.Cards;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Texts;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
Instant At(int year, int month, int day, int hour = 10) => new LocalDateTime(year, month, day, hour, 0).InZoneLeniently(paris).ToInstant();

// 1. Register the programme: in memory, a settable clock instead of the system clock.
var clock = new ShopClock(At(2026, 3, 2));
var services = new ServiceCollection();
services.AddSingleton<IClock>(clock);
services.AddLoyalty(o =>
{
    o.ProgramId = "club-privilege";
    o.DisplayName = "Club Privilège";
    o.Currency = "EUR";
    o.TimeZone = "Europe/Paris";
    o.Ledger.PendingPeriod = TimeSpan.FromDays(14);                                  // the return window
    o.Ledger.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Months = 12 };
    o.Referral.RefereePoints = 50;                                                   // the friend's thank-you
    o.Referral.MinimumOrderAmount = 20m;
})
.UseInMemoryStores()
.UseTiers(TierLadder.Create(
    [
        TierDefinition.Entry(TierId.From("bronze"), "Bronze"),
        TierDefinition.Create(TierId.From("silver"), "Silver", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(500)], TierBenefits.Create(1.25m, "free-shipping")),
        TierDefinition.Create(TierId.From("gold"), "Gold", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(1500)], TierBenefits.Create(1.5m, "free-shipping", "private-sales")),
    ],
    new TierPolicy { Window = QualificationWindow.RollingMonths(12), Validity = StatusValidity.FixedMonths(12), TimeZone = paris }))
.AddCards(o =>                                                                       // EAN-13 cards, printable as retail barcodes
{
    o.Prefix = "290012";
    o.CheckDigit = CheckDigitAlgorithm.Ean13;
})
.AddAchievements(AchievementSet.FromJson("""
    { "achievements": [
        { "id": "big-spender", "name": "Big spender", "kind": "spendThreshold", "amount": 1000, "validity": "calendarYear", "bonusPoints": 100 },
        { "id": "regular", "name": "Regular", "kind": "streak", "target": 3 } ] }
    """));

using var provider = services.BuildServiceProvider(validateScopes: true);
using var scope = provider.CreateScope(); // LoyaltyProgram is scoped: one scope per request, message or job
var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
var cards = scope.ServiceProvider.GetRequiredService<LoyaltyCards>();
var texts = scope.ServiceProvider.GetRequiredService<LoyaltyTexts>();   // member-facing texts, English and French
var french = CultureInfo.GetCultureInfo("fr-FR");

// 2. Configure the programme as data: 1 point per euro, shoes earn double, a welcome bonus,
//    a referral reward, the tier multiplier; two rewards.
await program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-01", At(2026, 1, 1, 0), Currency.EUR, "Europe/Paris")
    .EarnPerUnit("base", 1m, r => r with { Name = "1 point per euro" })
    .Multiply("shoes", "base", 2m, LineSelector.ForCategories("shoes"), r => r with { Name = "shoes earn double" })
    .TierMultiplier("tier", "base", configure: r => r with { Name = "tier multiplier" })
    .Activity("welcome", ActivityKind.SignUp, 100, r => r with { Name = "welcome bonus" })
    .Activity("referral", ActivityKind.ReferralCompleted, 200, r => r with { Name = "referral reward" })
    .Activity("birthday", ActivityKind.Birthday, 50, r => r with { Name = "birthday gift" })
    .Build());
await program.PublishRewardAsync(RewardDefinition.AmountOffVoucher(RewardId.From("voucher-5"), "5 € voucher", Points.FromInt64(500), Money.FromDecimal(5m, Currency.EUR)).WithStock(100));
await program.PublishRewardAsync(RewardDefinition.GiftProduct(RewardId.From("gold-tote"), "Gold tote bag", Points.FromInt64(300), "TOTE-GOLD").WithRequiredTier(TierId.From("gold")));

var alice = MemberId.From("alice");
var bob = MemberId.From("bob");
Console.WriteLine($"{program.Settings.DisplayName}: {string.Join(", ", (await program.GetCatalogAsync()).Rewards)}");

// 3. Alice joins and earns her welcome bonus.
var aliceProfile = (await program.EnrolAsync(new Enrolment(alice) { BirthDate = new LocalDate(1990, 3, 20) })).GetValueOrThrow();
Step($"Alice enrols (welcome bonus {aliceProfile.WelcomePoints} points, referral code {aliceProfile.ReferralCode})");
await Statement(alice);

// 3b. The shop imports a print batch of plastic cards; the till hands Alice one and links it.
var batch = (await cards.ImportRangeAsync("print-2026-03", cards.Scheme.FromSerial(100_000).Value, cards.Scheme.FromSerial(100_999).Value, CardKind.Physical)).GetValueOrThrow();
var aliceCard = (await cards.LinkCardAsync(cards.Scheme.FromSerial(100_042).Value, alice, "linked at till 2")).GetValueOrThrow();
Step($"The till links card {aliceCard.Number} (batch {batch.RangeId}, {batch.Count} cards) to Alice; barcode {cards.GetBarcode(aliceCard.Number.Value)}");

// 4. Alice orders shoes and a shirt: 180 €.
Step("Alice orders shoes (120 €) and a shirt (60 €)");
var firstOrder = (await program.RecordOrderAsync(Order("A-1001", alice, clock.GetCurrentInstant(),
    new OrderLine("SHOE-42", 1, 120m, categories: ["shoes"]),
    new OrderLine("SHIRT-M", 2, 30m, categories: ["clothing"])))).GetValueOrThrow();
Print(firstOrder);
Console.WriteLine("  what Alice reads on her account page (fr-FR):");
foreach (var line in texts.Explain(firstOrder.Explanation, french))
{
    Console.WriteLine($"    {line.Text}");
}

await Statement(alice);

// 5. Bob joins with Alice's code, then places his first order: the referral completes.
clock.AdvanceDays(3);
var bobProfile = (await program.EnrolAsync(new Enrolment(bob) { ReferralCode = aliceProfile.ReferralCode })).GetValueOrThrow();
Step($"Bob enrols with Alice's code {aliceProfile.ReferralCode} (welcome bonus {bobProfile.WelcomePoints} points)");
Step("Bob orders a jacket (85 €): his first order completes the referral");
var bobOrder = (await program.RecordOrderAsync(Order("B-2001", bob, clock.GetCurrentInstant(), new OrderLine("JACKET-L", 1, 85m, categories: ["clothing"])))).GetValueOrThrow();
Print(bobOrder);
await Statement(bob);
await Statement(alice);

// 6. The webhook is delivered again: nothing changes.
var retry = await program.RecordOrderAsync(Order("B-2001", bob, bobOrder.Earning.OccurredAt, new OrderLine("JACKET-L", 1, 85m, categories: ["clothing"])));
Step($"The shop's webhook delivers order B-2001 again: repeat = {retry.IsRepeat}, {retry.Value!.Points} points, no new transaction");

// 7. Alice buys a watch at the shop: the till scans her card (a mistyped number is refused), she
//    becomes Gold and unlocks "Big spender" (1,000 € this year, +100 points); she returns one shirt.
clock.AdvanceDays(2);
var typo = await cards.FindMemberAsync(aliceCard.Number.Value[..^2] + (char)('0' + ((aliceCard.Number.Value[^2] - '0' + 1) % 10)) + aliceCard.Number.Value[^1]);
Step($"The till scans a mistyped number: {typo}");
var scan = (await cards.FindMemberAsync(aliceCard.Number.Value)).GetValueOrThrow();
Step($"The till scans card {scan.Card.Number}: member {scan.MemberId}; Alice orders a watch (1,250 €)");
Print((await program.RecordOrderAsync(Order("A-1002", scan.MemberId, clock.GetCurrentInstant(), new OrderLine("WATCH-01", 1, 1250m, categories: ["watches"])))).GetValueOrThrow());
foreach (var achievement in (await program.GetMemberSummaryAsync(alice)).GetValueOrThrow().Achievements)
{
    Console.WriteLine($"  achievement {achievement.Name}: {achievement.Progress}/{achievement.Target}{(achievement.UnlockedAt is { } at ? $", unlocked {Day(at)}" : string.Empty)}{(achievement.ValidUntil is { } until ? $", valid until {Day(until)}" : string.Empty)}");
}
Step("Alice returns one of the two shirts of order A-1001 (partial refund of 30 €)");
var refund = (await program.RecordRefundAsync(new RefundRequest(RefundId.From("R-1001-1"), OrderId.From("A-1001"), OrderRefund.ForLines(new LineRefund(1, 1))))).GetValueOrThrow();
Console.WriteLine($"  {refund.PointsReversed} points reversed ({refund.PointsTakenBack} taken back), tier {refund.Tier}");
await Statement(alice);

// 8. After the return window Alice's points are spendable; she redeems the voucher and the Gold gift.
clock.AdvanceDays(15);
var report = await program.RunMaintenanceAsync(clock.GetCurrentInstant());
Step($"Daily maintenance: {string.Join(", ", report.Activated.Select(a => $"{a.MemberId} +{a.Points} points now spendable"))}");
foreach (var birthday in report.Birthdays)
{
    Console.WriteLine($"  birthday: {birthday.MemberId} {birthday.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} +{birthday.Points} points");
}
var voucher = (await program.RedeemRewardAsync(alice, RewardId.From("voucher-5"), RedemptionId.From("RD-1"))).GetValueOrThrow();
Step($"Alice redeems: {voucher}");
var tote = (await program.RedeemRewardAsync(alice, RewardId.From("gold-tote"), RedemptionId.From("RD-2"))).GetValueOrThrow();
Step($"Alice redeems: {tote}");
var refused = await program.RedeemRewardAsync(bob, RewardId.From("gold-tote"), RedemptionId.From("RD-3"));
Step($"Bob tries the Gold gift: {refused.Error}");
Console.WriteLine($"  Bob reads: {texts.ErrorMessage(refused.Error!.Code, french)}");
Step("Alice, now Gold, orders a scarf (40 €): the Gold multiplier applies");
Print((await program.RecordOrderAsync(Order("A-1003", alice, clock.GetCurrentInstant(), new OrderLine("SCARF-01", 1, 40m, categories: ["accessories"])))).GetValueOrThrow());
await Statement(alice);

// 9. Eleven months later the shop's reminder e-mails: points about to expire, a tier about to drop.
clock.AdvanceDays(335);
var reminders = await program.RunMaintenanceAsync(clock.GetCurrentInstant());
Step("Maintenance: reminders to send");
foreach (var warning in reminders.ExpiringSoon)
{
    Console.WriteLine($"  {warning.MemberId}: {warning.Total} points expire by {string.Join(", ", warning.Schedule.Select(e => e.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))}");
}

foreach (var warning in reminders.DowngradeWarnings)
{
    Console.WriteLine($"  {warning.MemberId}: {warning.Current} drops to {warning.Projected} on {(warning.At is { } d ? Day(d) : "-")} unless requalified");
}

// 10. A month later: unspent points expire, and Alice, who did not requalify, drops a tier.
clock.AdvanceDays(30);
var yearLater = await program.RunMaintenanceAsync(clock.GetCurrentInstant());
Step($"Maintenance: {yearLater.PointsExpired} points expired");
foreach (var change in yearLater.TierChanges)
{
    Console.WriteLine($"  tier change: {change.MemberId} {change.From} -> {change.To} ({change.Reason})");
}

foreach (var birthday in yearLater.Birthdays)
{
    Console.WriteLine($"  birthday: {birthday.MemberId} {birthday.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} +{birthday.Points} points");
}

await Statement(alice);
await Statement(bob);

EarningOrder Order(string id, MemberId member, Instant placedAt, params OrderLine[] lines) =>
    new(OrderId.From(id), member, placedAt, Currency.EUR, lines);

void Step(string text) => Console.WriteLine($"{Environment.NewLine}== {Day(clock.GetCurrentInstant())}  {text}");

string Day(Instant instant) => instant.InZone(paris).Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

void Print(OrderReceipt receipt)
{
    Console.WriteLine($"  order {receipt.OrderId}: +{receipt.Points} points (rules {receipt.RuleSetVersion}, pending until {(receipt.AvailableAt is { } a ? Day(a) : "-")}), tier {receipt.Tier}{(receipt.CompletedReferral ? ", referral completed" : string.Empty)}");
    foreach (var line in receipt.Explanation)
    {
        Console.WriteLine($"  {line.Text}");
    }
}

async Task Statement(MemberId member)
{
    var s = (await program.GetMemberSummaryAsync(member, expiringWithinDays: 60)).GetValueOrThrow();
    var b = s.Balance;
    var next = s.Tier.NextTierProgress is { } p ? $", {p.Thresholds[0].Remaining:0} qualifying points to {p.Tier.Name}" : string.Empty;
    Console.WriteLine($"  [{member}] available {b.Available}, pending {b.Pending}, earned {b.Earned}, redeemed {b.Redeemed}, expired {b.Expired}; tier {s.Tier.Tier.Name}{next}; perks: {(s.Perks.Count == 0 ? "none" : string.Join(", ", s.Perks.Order()))}");
}

/// <summary>A clock the story moves forward by hand (tests use NodaTime.Testing's FakeClock).</summary>
internal sealed class ShopClock(Instant now) : IClock
{
    private Instant now = now;

    public Instant GetCurrentInstant() => now;

    public void AdvanceDays(int days) => now += Duration.FromDays(days);
}
