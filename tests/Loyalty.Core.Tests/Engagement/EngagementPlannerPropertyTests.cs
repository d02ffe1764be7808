using FsCheck.Xunit;
using Loyalty.Core.Engagement;
using Loyalty.Core.Primitives;
using NodaTime;
using static Loyalty.Core.Tests.Engagement.EngagementData;

namespace Loyalty.Core.Tests.Engagement;

/// <summary>
/// No member's plan ever exceeds any cap in any window: for every planned marketing message, every window
/// of every cap on its channel that contains it holds at most the cap's messages (those sent and those
/// planned), whatever the history, the candidates, the caps, the quiet hours and the member's time zone.
/// </summary>
public sealed class EngagementPlannerPropertyTests
{
    private static readonly DateTimeZone[] Zones =
        [Paris, DateTimeZoneProviders.Tzdb["America/New_York"], DateTimeZoneProviders.Tzdb["Australia/Lord_Howe"], DateTimeZone.Utc];

    private static readonly EngagementChannel[] Channels = [EngagementChannel.Email, EngagementChannel.Sms, EngagementChannel.Push];

    /// <summary>Caps from a small set that mixes calendar and rolling windows, per channel and across channels.</summary>
    private static ContactCapOptions[] Caps(uint v) =>
        new[]
        {
            new ContactCapOptions { Name = "email-daily", Channel = EngagementChannel.Email, MaxMessages = 1 + (int)(v % 2), CalendarDays = 1 },
            new ContactCapOptions { Name = "email-weekly", Channel = EngagementChannel.Email, MaxMessages = 2 + (int)(v / 2 % 3), CalendarDays = 7 },
            new ContactCapOptions { Name = "sms-rolling", Channel = EngagementChannel.Sms, MaxMessages = 1 + (int)(v / 6 % 2), Rolling = TimeSpan.FromHours(36 + v / 12 % 100) },
            new ContactCapOptions { Name = "all-rolling", MaxMessages = 3 + (int)(v / 1200 % 3), Rolling = TimeSpan.FromDays(3) },
            new ContactCapOptions { Name = "push-3-days", Channel = EngagementChannel.Push, MaxMessages = 1, CalendarDays = 3 },
        }.Where((_, i) => (v >> (20 + i) & 1) == 0 || i == 1).ToArray();

    [Property(MaxTest = 300 / PropertyRuns.Divisor)]
    public bool No_plan_exceeds_any_cap_in_any_window(int config, int[] history, int[] candidates)
    {
        var v = (uint)config;
        var options = Quiet();
        options.Caps = Caps(v);
        options.QuietHours = (v & 1) == 0 ? [new QuietHoursOptions { Start = new TimeOnly(21, 30), End = new TimeOnly(7, 45) }] : [];
        options.Birthday.Enabled = true;
        options.Welcome.Enabled = true;
        var planner = new EngagementPlanner(options, Paris);
        var asOf = Instant.FromUtc(2026, 3, 27, 12, 0) + Duration.FromMinutes(v % 20_000); // spans the spring DST change
        var zone = Zones[v / 7 % Zones.Length];
        var id = MemberId.From("m-1");

        var sent = (history ?? []).Take(12).Select((h, i) =>
        {
            var u = (uint)h;
            return Sent(id, "h-" + i, asOf - Duration.FromMinutes(u % (60 * 24 * 9)), Channels[u / 13_000 % 3], u % 5 == 0 ? MessageCategory.Transactional : MessageCategory.Marketing);
        }).ToArray();
        var requested = (candidates ?? []).Take(10).Select((c, i) =>
        {
            var u = (uint)c;
            return new RequestedMessage("r-" + i, "campaign", Channels[u % 3], u % 7 == 0 ? MessageCategory.Transactional : MessageCategory.Marketing,
                1 + (int)(u / 3 % 100), asOf + Duration.FromMinutes(u / 300 % (60 * 24 * 4)));
        }).ToArray();
        var member = new EngagementMember
        {
            MemberId = id,
            EnrolledAt = asOf - Duration.FromDays(v / 100 % 4),
            TimeZone = zone,
            BirthDate = new LocalDate(1990, 3, 27 + (int)(v / 5 % 3)),
            Consents = Channels.Select(c => Consent(id, c, asOf - Duration.FromDays(30))).ToArray(),
            Contacts = sent,
            Requested = requested,
        };

        var plan = planner.Plan(asOf, [member]);

        var counted = sent.Where(s => s.Category == MessageCategory.Marketing).Select(s => (SendAt: s.SentAt, s.Channel))
            .Concat(plan.Messages.Where(m => m.Category == MessageCategory.Marketing).Select(m => (m.SendAt, m.Channel)))
            .ToArray();
        foreach (var message in plan.Messages.Where(m => m.Category == MessageCategory.Marketing))
        {
            if (message.SendAt < asOf)
            {
                return false;
            }

            foreach (var cap in options.Caps.Where(c => c.Channel is null || c.Channel == message.Channel))
            {
                var mine = counted.Where(e => cap.Channel is null || e.Channel == cap.Channel).ToArray();
                if (cap.CalendarDays is { } days)
                {
                    var day = message.SendAt.InZone(zone).Date;
                    for (var k = 0; k < days; k++)
                    {
                        var first = day.PlusDays(k - days + 1);
                        var last = first.PlusDays(days - 1);
                        if (mine.Count(e => e.SendAt.InZone(zone).Date is var d && d >= first && d <= last) > cap.MaxMessages)
                        {
                            return false;
                        }
                    }
                }
                else
                {
                    // Every window [s, s + length) containing the message: the fullest start at a message.
                    var length = Duration.FromTimeSpan(cap.Rolling!.Value);
                    foreach (var start in mine.Select(e => e.SendAt).Where(s => s <= message.SendAt && message.SendAt < s + length))
                    {
                        if (mine.Count(e => e.SendAt >= start && e.SendAt < start + length) > cap.MaxMessages)
                        {
                            return false;
                        }
                    }
                }
            }
        }

        // Every candidate is placed or held with a reason, exactly once.
        var ids = plan.Messages.Select(m => m.MessageId).Concat(plan.Held.Select(h => h.MessageId)).ToArray();
        return ids.Length == ids.Distinct(StringComparer.Ordinal).Count() && requested.All(r => ids.Contains(r.MessageId));
    }
}
