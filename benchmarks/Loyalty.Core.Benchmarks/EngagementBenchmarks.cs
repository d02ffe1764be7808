using BenchmarkDotNet.Attributes;
using Loyalty.Core.Engagement;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// Planning 1,000,000 members from the state nightly maintenance leaves (balance, expiry schedule, tier
/// outlook, recent orders, consents, the last week's sends), in Europe/Paris, with five triggers (welcome
/// 0/3/10, birthday, points expiring, close to the next tier, review invitation), caps of 1 e-mail a calendar
/// day and 3 per 7 calendar days, quiet hours 21:00–08:00. Baseline: a straightforward LINQ planner of the
/// same rules (candidates per member, then day by day until each fits, re-converting every send to the zone
/// and recounting every window); the set of messages planned, their instants included, is checked equal.
/// </summary>
[MemoryDiagnoser]
public class EngagementBenchmarks
{
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    private static readonly ProgramId Club = ProgramId.From("club");

    private EngagementPlanner planner = null!;
    private EngagementOptions options = null!;
    private EngagementMember[] members = [];
    private Instant asOf;

    /// <summary>The members planned.</summary>
    [Params(1_000_000)]
    public int Members { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        options = new EngagementOptions
        {
            Caps =
            [
                new ContactCapOptions { Name = "email-daily", Channel = EngagementChannel.Email, MaxMessages = 1, CalendarDays = 1 },
                new ContactCapOptions { Name = "email-weekly", Channel = EngagementChannel.Email, MaxMessages = 3, CalendarDays = 7 },
            ],
            QuietHours = [new QuietHoursOptions { Start = new TimeOnly(21, 0), End = new TimeOnly(8, 0) }],
        };
        options.DowngradeWarning.Enabled = false;
        options.PurchaseOverdue.Enabled = false;
        options.WinBack.Enabled = false;
        options.AffordableReward.Enabled = false;
        options.CloseToNextTier.MaxAmountAway = null;
        planner = new EngagementPlanner(options, Paris);
        asOf = new LocalDateTime(2026, 6, 10, 10, 0).InZoneStrictly(Paris).ToInstant();
        var today = asOf.InZone(Paris).Date;

        var random = new Random(42);
        members = new EngagementMember[Members];
        for (var i = 0; i < Members; i++)
        {
            var id = MemberId.From(i);
            var enrolled = random.Next(100) < 2 ? asOf - Duration.FromMinutes(random.Next(0, 12 * 24 * 60)) : asOf - Duration.FromDays(random.Next(20, 900));
            var contacts = new ContactRecord[random.Next(0, 4)];
            for (var c = 0; c < contacts.Length; c++)
            {
                contacts[c] = new ContactRecord
                {
                    ProgramId = Club,
                    MessageId = $"{i}/newsletter/{c}",
                    MemberId = id,
                    Channel = EngagementChannel.Email,
                    Category = random.Next(4) == 0 ? MessageCategory.Transactional : MessageCategory.Marketing,
                    MessageType = "newsletter",
                    SentAt = asOf - Duration.FromMinutes(random.Next(60, 7 * 24 * 60)),
                };
            }

            var expiring = random.Next(100) < 30
                ? new[] { new ExpiringPoints(today.PlusDays(random.Next(0, 60)), default, Points.FromInt64(random.Next(10, 500))) }
                    .Select(e => e with { ExpiresAt = e.Date.PlusDays(1).AtStartOfDayInZone(Paris).ToInstant() }).ToArray()
                : [];
            var points = random.Next(0, 1_000);
            members[i] = new EngagementMember
            {
                MemberId = id,
                EnrolledAt = enrolled,
                BirthDate = random.Next(100) < 70 ? new LocalDate(1960 + random.Next(45), 1 + random.Next(12), 1 + random.Next(28)) : null,
                AvailablePoints = Points.FromInt64(points),
                ExpiringSoon = expiring,
                Tier = new EngagementTierState
                {
                    Current = TierId.From("bronze"),
                    Next = TierId.From("silver"),
                    Combination = ThresholdCombination.AnyOf,
                    ToNext = [new ThresholdProgress(QualifyingMetric.Points, 1_000, points)],
                },
                RecentOrders = random.Next(100) < 15 ? [new RecentOrder(OrderId.From(i), asOf - Duration.FromHours(random.Next(0, 20 * 24)))] : [],
                Consents = random.Next(100) < 80
                    ? [new ConsentRecord { ProgramId = Club, MemberId = id, Channel = EngagementChannel.Email, Status = ConsentStatus.Granted, At = enrolled, Source = "signup" }]
                    : [],
                Contacts = contacts,
            };
        }

        var fast = Keys(Planner());
        var naive = Naive();
        var twoThreads = Keys(PlannerOnTwoThreads());
        if (!fast.Order(StringComparer.Ordinal).SequenceEqual(naive.Order(StringComparer.Ordinal)) || !fast.SequenceEqual(twoThreads))
        {
            throw new InvalidOperationException($"Plans differ: planner {fast.Count}, naive {naive.Count}, two threads {twoThreads.Count}; first difference {fast.Except(naive).Concat(naive.Except(fast)).FirstOrDefault()}.");
        }

        Console.WriteLine($"// {fast.Count:N0} messages planned for {Members:N0} members.");
    }

    /// <summary>A straightforward planner of the same rules, member by member, day by day, with LINQ.</summary>
    [Benchmark(Baseline = true)]
    public List<string> Naive()
    {
        var planned = new List<string>();
        foreach (var member in members)
        {
            var today = asOf.InZone(Paris).Date;
            var candidates = new List<(EngagementTrigger Trigger, string Id, int Weight, Instant Wanted, Instant Until)>();
            var enrolled = member.EnrolledAt.InZone(Paris);
            foreach (var day in options.Welcome.Days)
            {
                var date = enrolled.Date.PlusDays(day);
                if (date <= today && today <= date.PlusDays(options.Welcome.ValidForDays))
                {
                    candidates.Add((EngagementTrigger.Welcome, $"{member.MemberId.Value}/welcome/day-{day}", options.Welcome.Weight,
                        day == 0 ? member.EnrolledAt : enrolled.LocalDateTime.PlusDays(day).InZoneLeniently(Paris).ToInstant(),
                        date.PlusDays(options.Welcome.ValidForDays + 1).AtStartOfDayInZone(Paris).ToInstant()));
                }
            }

            if (member.BirthDate is { } born && new LocalDate(today.Year, born.Month, born.Day) == today)
            {
                candidates.Add((EngagementTrigger.Birthday, $"{member.MemberId.Value}/birthday/{today.Year}", options.Birthday.Weight,
                    today.AtStartOfDayInZone(Paris).ToInstant(), today.PlusDays(1).AtStartOfDayInZone(Paris).ToInstant()));
            }

            var due = member.ExpiringSoon.Where(e => e.Date <= today.PlusDays(options.PointsExpiring.WithinDays) && e.ExpiresAt > asOf).ToList();
            if (due.Sum(e => e.Amount.Value) >= options.PointsExpiring.MinimumPoints && due.Count > 0)
            {
                var first = due.OrderBy(e => e.ExpiresAt).First();
                candidates.Add((EngagementTrigger.PointsExpiring, $"{member.MemberId.Value}/points-expiring/{first.Date:yyyy-MM-dd}", options.PointsExpiring.Weight, asOf, first.ExpiresAt));
            }

            var near = member.Tier!.ToNext.FirstOrDefault(t => !t.IsMet && t.Remaining <= options.CloseToNextTier.MaxPointsAway);
            if (near.Required > 0)
            {
                var since = Period.DaysBetween(enrolled.Date, today);
                var period = enrolled.Date.PlusDays(since / options.CloseToNextTier.RepeatAfterDays * options.CloseToNextTier.RepeatAfterDays);
                candidates.Add((EngagementTrigger.CloseToNextTier, $"{member.MemberId.Value}/close-to-next-tier/silver/{period:yyyy-MM-dd}", options.CloseToNextTier.Weight, asOf,
                    today.PlusDays(options.CloseToNextTier.ValidForDays + 1).AtStartOfDayInZone(Paris).ToInstant()));
            }

            foreach (var order in member.RecentOrders)
            {
                var placed = order.PlacedAt.InZone(Paris);
                var date = placed.Date.PlusDays(options.ReviewInvitation.DaysAfterOrder);
                if (date <= today && today <= date.PlusDays(options.ReviewInvitation.ValidForDays))
                {
                    candidates.Add((EngagementTrigger.ReviewInvitation, $"{member.MemberId.Value}/review-invitation/{order.OrderId.Value}", options.ReviewInvitation.Weight,
                        placed.LocalDateTime.PlusDays(options.ReviewInvitation.DaysAfterOrder).InZoneLeniently(Paris).ToInstant(),
                        date.PlusDays(options.ReviewInvitation.ValidForDays + 1).AtStartOfDayInZone(Paris).ToInstant()));
                }
            }

            var consent = member.Consents.Where(c => c.Channel == EngagementChannel.Email && c.At <= asOf).OrderBy(c => c.At).LastOrDefault();
            var counted = member.Contacts.Where(c => c.Category == MessageCategory.Marketing).Select(c => c.SentAt).ToList();
            foreach (var candidate in candidates.OrderByDescending(c => c.Weight).ThenBy(c => c.Trigger).ThenBy(c => c.Id, StringComparer.Ordinal))
            {
                if (member.Contacts.Any(c => c.MessageId == candidate.Id) || consent?.Status != ConsentStatus.Granted)
                {
                    continue;
                }

                var raw = candidate.Wanted < asOf ? asOf : candidate.Wanted;
                while (raw < candidate.Until)
                {
                    var local = raw.InZone(Paris);
                    var t = local.TimeOfDay >= new LocalTime(21, 0) ? local.Date.PlusDays(1).At(new LocalTime(8, 0)).InZoneLeniently(Paris).ToInstant()
                        : local.TimeOfDay < new LocalTime(8, 0) ? local.Date.At(new LocalTime(8, 0)).InZoneLeniently(Paris).ToInstant()
                        : raw;
                    var day = t.InZone(Paris).Date;
                    var full = options.Caps.Any(cap => Enumerable.Range(0, cap.CalendarDays!.Value).Any(k =>
                        counted.Count(s => s.InZone(Paris).Date is var d && d >= day.PlusDays(k - cap.CalendarDays.Value + 1) && d <= day.PlusDays(k)) >= cap.MaxMessages));
                    if (!full)
                    {
                        counted.Add(t);
                        planned.Add($"{candidate.Id}@{t}");
                        break;
                    }

                    raw = day.PlusDays(1).AtStartOfDayInZone(Paris).ToInstant();
                }
            }
        }

        return planned;
    }

    /// <summary>The planner on one thread.</summary>
    [Benchmark]
    public EngagementPlan Planner() => planner.Plan(asOf, members);

    /// <summary>The planner on two threads (chunks of members).</summary>
    [Benchmark]
    public EngagementPlan PlannerOnTwoThreads() => planner.Plan(asOf, members, null, 2);

    private static List<string> Keys(EngagementPlan plan) => plan.Messages.Select(m => $"{m.MessageId}@{m.SendAt}").ToList();
}
