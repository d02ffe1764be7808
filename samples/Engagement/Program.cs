using System.Globalization;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Engagement;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
Instant At(LocalDate date, int hour, int minute = 0) => date.At(new LocalTime(hour, minute)).InZoneLeniently(paris).ToInstant();
string Local(Instant instant) => instant.InZone(paris).ToString("ddd dd MMM HH:mm", CultureInfo.InvariantCulture);
var first = new LocalDate(2026, 3, 1);

// 1. Register a small shop's programme in memory, with the engagement planner: a cap of one marketing
//    e-mail a day and three in any 7 days, at most one SMS a week, quiet hours 21:00–08:00.
var clock = new ShopClock(At(first, 9));
var services = new ServiceCollection();
services.AddSingleton<IClock>(clock);
services.AddLoyalty(o =>
    {
        o.ProgramId = "la-boutique";
        o.DisplayName = "La Boutique";
        o.Currency = "EUR";
        o.TimeZone = "Europe/Paris";
    })
    .UseInMemoryStores()
    .UseTiers(TierLadder.Create(
        [
            TierDefinition.Entry(TierId.From("bronze"), "Bronze"),
            TierDefinition.Create(TierId.From("silver"), "Silver", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(300)], TierBenefits.Create(1.25m)),
        ],
        new TierPolicy { Window = QualificationWindow.RollingMonths(12), Validity = StatusValidity.FixedMonths(12), TimeZone = paris }))
    .AddEngagement(o =>
    {
        o.Caps =
        [
            new ContactCapOptions { Name = "email-daily", Channel = EngagementChannel.Email, MaxMessages = 1, CalendarDays = 1 },
            new ContactCapOptions { Name = "email-weekly", Channel = EngagementChannel.Email, MaxMessages = 3, CalendarDays = 7 },
            new ContactCapOptions { Name = "sms-weekly", Channel = EngagementChannel.Sms, MaxMessages = 1, Rolling = TimeSpan.FromDays(7) },
        ];
        o.QuietHours = [new QuietHoursOptions { Start = new TimeOnly(21, 0), End = new TimeOnly(8, 0) }];
        o.Birthday.Channels = [EngagementChannel.Sms, EngagementChannel.Email];
        o.CloseToNextTier.MaxPointsAway = 80;
        o.ReviewInvitation.DaysAfterOrder = 5;
    });
using var provider = services.BuildServiceProvider(validateScopes: true);
using var scope = provider.CreateScope(); // LoyaltyProgram is scoped: one scope per request, message or job
var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
var engagement = provider.GetRequiredService<EngagementService>();

// 2. Rules and rewards as data: 1 point per euro, 50 points to sign up; a 5 € voucher for 200 points.
await program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-01", At(new LocalDate(2026, 1, 1), 0), Currency.EUR, "Europe/Paris")
    .EarnPerUnit("base", 1m)
    .Activity("welcome", ActivityKind.SignUp, 50)
    .Build());
await program.PublishRewardAsync(RewardDefinition.AmountOffVoucher(RewardId.From("voucher-5"), "5 € voucher", Points.FromInt64(200), Money.FromDecimal(5m, Currency.EUR)));

// 3. Generated members and their month: enrolments, birthdays, orders; consents as they were given.
var random = new Random(2026);
string[] names = ["ines", "hugo", "lea", "jules", "chloe", "adam", "manon", "louis", "zoe", "nathan", "camille", "theo"];
var enrolOn = names.ToDictionary(n => n, n => first.PlusDays(-random.Next(0, 200) / (n is "zoe" or "theo" ? 40 : 1)));
enrolOn["nathan"] = first.PlusDays(6); // joins during the month: the welcome series
var events = new List<(Instant At, string What, Func<Task> Do)>();
foreach (var name in names)
{
    var member = MemberId.From(name);
    var enrolled = At(enrolOn[name], 11, random.Next(60));
    var birthDate = new LocalDate(1975 + random.Next(30), 3, 1 + random.Next(28));
    events.Add((enrolled, $"{name} joins", async () => (await program.EnrolAsync(new Enrolment(member) { EnrolledAt = enrolled, BirthDate = birthDate })).GetValueOrThrow()));
    if (name != "adam")
    {
        // Adam never ticked the box: no marketing for him on any channel.
        events.Add((enrolled, "", () => engagement.RecordConsentAsync(member, EngagementChannel.Email, ConsentStatus.Granted, "signup-form", enrolled)));
    }

    if (random.Next(3) == 0)
    {
        events.Add((enrolled, "", () => engagement.RecordConsentAsync(member, EngagementChannel.Sms, ConsentStatus.Granted, "signup-form", enrolled)));
    }

    var orders = name == "nathan" ? 0 : random.Next(1, 5);
    var day = enrolOn[name] < first.PlusDays(-60) ? first.PlusDays(-60) : enrolOn[name];
    for (var o = 0; o < orders; o++)
    {
        day = day.PlusDays(random.Next(7, 30));
        var placed = At(day, 14, random.Next(60));
        var amount = 20m + random.Next(0, 180);
        var order = new EarningOrder(OrderId.From($"{name}-{o + 1}"), member, placed, Currency.EUR, [new OrderLine("SKU-" + random.Next(100), 1, amount)]);
        events.Add((placed, $"{name} orders {amount} €", async () => (await program.RecordOrderAsync(order)).GetValueOrThrow()));
    }
}

// Léa unsubscribes from the e-mails on 12 March: it takes effect at once.
events.Add((At(first.PlusDays(11), 19), "lea unsubscribes (e-mail)", () => engagement.RecordConsentAsync(MemberId.From("lea"), EngagementChannel.Email, ConsentStatus.Withdrawn, "unsubscribe-link", At(first.PlusDays(11), 19))));
events.Sort((a, b) => a.At.CompareTo(b.At));

// 4. The month, day by day: what happened, then the plan at 09:00, the messages due before tomorrow's
//    run sent (and recorded), and why the others were held back.
var pending = new Queue<(Instant At, string What, Func<Task> Do)>(events);
var totals = new Dictionary<string, int>();
for (var date = first; date < first.PlusMonths(1); date = date.PlusDays(1))
{
    var run = At(date, 9);
    while (pending.Count > 0 && pending.Peek().At < run)
    {
        var (at, what, act) = pending.Dequeue();
        clock.Now = at;
        await act();
        if (what.Length > 0 && at >= At(first, 0))
        {
            Console.WriteLine($"    {Local(at)}  {what}");
        }
    }

    clock.Now = run;
    var plan = await engagement.PlanAsync(run);
    Console.WriteLine($"== {date:dddd d MMMM}: {plan.Messages.Count} planned, {plan.Held.Count(h => h.Reason != HoldReason.AlreadySent)} held back");
    foreach (var message in plan.DueBefore(At(date.PlusDays(1), 9)))
    {
        await engagement.RecordSentAsync(message, message.SendAt);
        totals[message.MessageType] = totals.GetValueOrDefault(message.MessageType) + 1;
        var facts = message.Facts switch
        {
            { Points: { } p, Deadline: { } d } => $" ({p} points by {Local(d)})",
            { RewardName: { } r } => $" ({r})",
            { TargetTier: { } t, Points: { } p } => $" ({p} points to {t})",
            { Order: { } o } => $" (order {o})",
            { Step: { } s } => $" (day {s})",
            _ => "",
        };
        Console.WriteLine($"   sent  {Local(message.SendAt)}  {message.MemberId,-8} {message.Channel,-5} {message.MessageType}{facts}{(message.Note is { } n ? " — " + n : "")}");
    }

    foreach (var held in plan.Held.Where(h => h.Reason != HoldReason.AlreadySent))
    {
        Console.WriteLine($"   held  {held.MemberId,-8} {held.MessageType}: {held.Reason} — {held.Explanation}");
    }
}

Console.WriteLine();
Console.WriteLine("Messages sent in March: " + string.Join(", ", totals.OrderByDescending(t => t.Value).Select(t => $"{t.Key} {t.Value}")));

/// <summary>A settable clock: the sample replays a month in a few seconds.</summary>
internal sealed class ShopClock(Instant now) : IClock
{
    public Instant Now { get; set; } = now;

    public Instant GetCurrentInstant() => Now;
}
