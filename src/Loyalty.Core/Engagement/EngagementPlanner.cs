using System.Globalization;
using System.Text;
using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Segmentation;
using Loyalty.Core.Tiers;
using NodaTime;
using NodaTime.TimeZones;

namespace Loyalty.Core.Engagement;

/// <summary>
/// Decides who gets which message when: evaluates the triggers of each member, then places the
/// candidates heaviest first under the contact-pressure caps, consent and quiet hours, and gives a
/// reason for every candidate not placed. Pure: no clock, no I/O.
/// </summary>
/// <remarks>
/// <para>Immutable and thread-safe: one planner can plan many pages concurrently. Deterministic: the
/// same instant and members give the same plan, with the same message ids.</para>
/// <para>A marketing candidate is placed at the first instant, from when its trigger wants it until it
/// is no longer worth sending, that is outside the quiet hours of its channel and where, for every cap
/// on the channel, every window containing it holds fewer than the cap's messages (those sent, and those
/// already placed in this run, which are heavier). When none exists it is held: <see cref="HoldReason.Capped"/>
/// when the messages sent alone fill the cap, <see cref="HoldReason.Superseded"/> when heavier planned
/// ones take the room. Transactional messages are placed as asked, never counted.</para>
/// </remarks>
public sealed class EngagementPlanner
{
    private const int MaxSteps = 4_096;
    private static readonly ZoneLocalMappingResolver Lenient = Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    private readonly EngagementOptions o;
    private readonly DateTimeZone programmeZone;
    private readonly TierLadder? ladder;
    private readonly Cap[] caps;
    private readonly Quiet[] quiet;
    private readonly HashSet<string> winBackSegments;
    private readonly int[] welcomeDays;
    private readonly Duration historyWindow;

    /// <summary>Creates a planner for one configuration.</summary>
    /// <param name="options">The configuration; validated now and copied.</param>
    /// <param name="programmeZone">The programme's time zone, for members without one of their own.</param>
    /// <param name="segmentMap">The segment map the win-back segments belong to; <see cref="SegmentMap.Default"/> when null.</param>
    /// <param name="ladder">The tier ladder, to offer tier-gated rewards only to members whose tier admits them; when null such rewards are never offered.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="programmeZone"/> is null.</exception>
    /// <exception cref="ArgumentException">The configuration is invalid; the message lists every problem with its path.</exception>
    public EngagementPlanner(EngagementOptions options, DateTimeZone programmeZone, SegmentMap? segmentMap = null, TierLadder? ladder = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(programmeZone);
        var failures = EngagementOptionsValidator.GetFailures(options, segmentMap ?? SegmentMap.Default);
        if (failures.Count > 0)
        {
            throw new ArgumentException("The engagement options are invalid:" + string.Concat(failures.Select(f => "\n - " + f)), nameof(options));
        }

        o = Copy(options);
        this.programmeZone = programmeZone;
        this.ladder = ladder;
        caps = o.Caps.Select(c => new Cap(c)).ToArray();
        quiet = o.QuietHours.Select(q => new Quiet(q)).ToArray();
        winBackSegments = new HashSet<string>(o.WinBack.Segments, StringComparer.Ordinal);
        welcomeDays = o.Welcome.Days.Order().ToArray();
        historyWindow = Duration.FromDays(o.ContactHistoryDays);
    }

    internal EngagementOptions Options => o;

    /// <summary>How far back the contact history must be read for a plan as of an instant (<see cref="EngagementOptions.ContactHistoryDays"/>).</summary>
    public Duration ContactHistoryWindow => historyWindow;

    /// <summary>Plans the members as of an instant on one thread, without rewards (the affordable-reward trigger proposes nothing).</summary>
    /// <param name="asOf">The planning instant: nothing is planned before it.</param>
    /// <param name="members">The members, each at most once.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="members"/> or one of them is null.</exception>
    public EngagementPlan Plan(Instant asOf, IReadOnlyList<EngagementMember> members) => Plan(asOf, members, null, 1);

    /// <summary>Plans the members as of an instant on one thread.</summary>
    /// <param name="asOf">The planning instant: nothing is planned before it.</param>
    /// <param name="members">The members, each at most once.</param>
    /// <param name="rewards">The rewards catalogue, for the affordable-reward trigger; none when null.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="members"/> or one of them is null.</exception>
    public EngagementPlan Plan(Instant asOf, IReadOnlyList<EngagementMember> members, RewardCatalog? rewards) => Plan(asOf, members, rewards, 1);

    /// <summary>Plans the members as of an instant, in chunks on up to <paramref name="maxDegreeOfParallelism"/> threads; the plan is the same as on one thread.</summary>
    /// <param name="asOf">The planning instant: nothing is planned before it.</param>
    /// <param name="members">The members, each at most once.</param>
    /// <param name="rewards">The rewards catalogue, for the affordable-reward trigger; none when null.</param>
    /// <param name="maxDegreeOfParallelism">The most threads, at least 1.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="members"/> or one of them is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is less than 1.</exception>
    public EngagementPlan Plan(Instant asOf, IReadOnlyList<EngagementMember> members, RewardCatalog? rewards, int maxDegreeOfParallelism)
    {
        ArgumentNullException.ThrowIfNull(members);
        Preconditions.CheckInRange(maxDegreeOfParallelism, 1, 1024);
        var affordable = AffordableRewards(rewards, asOf);
        const int chunk = 2_048;
        var chunks = (members.Count + chunk - 1) / chunk;
        if (maxDegreeOfParallelism == 1 || chunks <= 1)
        {
            var run = new Run(this, asOf, affordable);
            for (var i = 0; i < members.Count; i++)
            {
                run.PlanMember(members[i] ?? throw new ArgumentNullException(nameof(members), $"members[{i}] is null."));
            }

            return new EngagementPlan(asOf, run.Messages, run.Held, members.Count);
        }

        var runs = new Run[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, c =>
        {
            var run = new Run(this, asOf, affordable);
            var end = Math.Min(members.Count, (c + 1) * chunk);
            for (var i = c * chunk; i < end; i++)
            {
                run.PlanMember(members[i] ?? throw new ArgumentNullException(nameof(members), $"members[{i}] is null."));
            }

            runs[c] = run;
        });
        var messages = new List<PlannedMessage>(runs.Sum(r => r.Messages.Count));
        var held = new List<HeldMessage>(runs.Sum(r => r.Held.Count));
        foreach (var run in runs)
        {
            messages.AddRange(run.Messages);
            held.AddRange(run.Held);
        }

        return new EngagementPlan(asOf, messages, held, members.Count);
    }

    private RewardDefinition[] AffordableRewards(RewardCatalog? rewards, Instant asOf)
    {
        if (rewards is null || !o.AffordableReward.Enabled)
        {
            return [];
        }

        // Most expensive first, then by id: the first the balance pays for is the one to announce.
        return rewards.Rewards
            .Where(r => r.Cost.IsPositive && (r.ValidFrom is not { } from || from <= asOf) && (r.ValidUntil is not { } until || asOf < until))
            .OrderByDescending(r => r.Cost.Value).ThenBy(r => r.Id.Value, StringComparer.Ordinal)
            .ToArray();
    }

    private static EngagementOptions Copy(EngagementOptions s)
    {
        static T Clone<T>(T trigger)
            where T : TriggerOptions
        {
            var copy = (T)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(typeof(T));
            foreach (var property in typeof(T).GetProperties().Where(p => p.CanWrite))
            {
                var value = property.GetValue(trigger);
                property.SetValue(copy, value is Array array ? array.Clone() : value);
            }

            return copy;
        }

        return new EngagementOptions
        {
            PointsExpiring = Clone(s.PointsExpiring),
            CloseToNextTier = Clone(s.CloseToNextTier),
            DowngradeWarning = Clone(s.DowngradeWarning),
            PurchaseOverdue = Clone(s.PurchaseOverdue),
            WinBack = Clone(s.WinBack),
            Birthday = Clone(s.Birthday),
            Welcome = Clone(s.Welcome),
            ReviewInvitation = Clone(s.ReviewInvitation),
            AffordableReward = Clone(s.AffordableReward),
            Caps = s.Caps.Select(c => new ContactCapOptions { Name = c.Name, Channel = c.Channel, MaxMessages = c.MaxMessages, CalendarDays = c.CalendarDays, Rolling = c.Rolling }).ToArray(),
            QuietHours = s.QuietHours.Select(q => new QuietHoursOptions { Channel = q.Channel, Start = q.Start, End = q.End }).ToArray(),
            ContactHistoryDays = s.ContactHistoryDays,
        };
    }

    private static string Slug(EngagementTrigger trigger) => trigger switch
    {
        EngagementTrigger.PointsExpiring => "points-expiring",
        EngagementTrigger.CloseToNextTier => "close-to-next-tier",
        EngagementTrigger.DowngradeWarning => "downgrade-warning",
        EngagementTrigger.PurchaseOverdue => "purchase-overdue",
        EngagementTrigger.WinBack => "win-back",
        EngagementTrigger.Birthday => "birthday",
        EngagementTrigger.Welcome => "welcome",
        EngagementTrigger.ReviewInvitation => "review-invitation",
        EngagementTrigger.AffordableReward => "affordable-reward",
        _ => "requested",
    };

    private static string Iso(LocalDate date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A cap compiled: the window as local days or a duration.</summary>
    private sealed class Cap
    {
        public Cap(ContactCapOptions options)
        {
            Name = options.Name;
            Channel = options.Channel;
            Max = options.MaxMessages;
            Days = options.CalendarDays ?? 0;
            Rolling = options.Rolling is { } rolling ? Duration.FromTimeSpan(rolling) : Duration.Zero;
            var window = Days > 0
                ? $"{Days} calendar day{(Days == 1 ? "" : "s")}"
                : Rolling.BclCompatibleTicks % NodaConstants.TicksPerDay == 0 ? $"{Rolling.Days} rolling day{(Rolling.Days == 1 ? "" : "s")}"
                : $"rolling {Rolling.TotalHours.ToString("0.##", CultureInfo.InvariantCulture)} h";
            Description = $"'{Name}' ({Max} per {window}{(Channel is { } c ? " on " + c : " on every channel")})";
        }

        public string Name { get; }

        public EngagementChannel? Channel { get; }

        public int Max { get; }

        public int Days { get; }

        public Duration Rolling { get; }

        public string Description { get; }

        public bool Applies(EngagementChannel channel) => Channel is not { } c || c == channel;
    }

    /// <summary>Quiet hours compiled to local times.</summary>
    private readonly struct Quiet
    {
        public Quiet(QuietHoursOptions options)
        {
            Channel = options.Channel;
            Start = LocalTime.FromTimeOnly(options.Start);
            End = LocalTime.FromTimeOnly(options.End);
            Text = $"{Start:HH':'mm}–{End:HH':'mm}";
        }

        public EngagementChannel? Channel { get; }

        public LocalTime Start { get; }

        public LocalTime End { get; }

        public string Text { get; }

        public bool Wraps => End < Start;

        public bool Contains(LocalTime time) => Wraps ? time >= Start || time < End : time >= Start && time < End;
    }

    /// <summary>A message sent or placed, as the caps count it.</summary>
    private struct Event
    {
        public Instant At;
        public LocalDate Date;
        public EngagementChannel Channel;
        public string? PlannedId;
    }

    /// <summary>A message a trigger proposes.</summary>
    private sealed class Candidate
    {
        public required EngagementTrigger Trigger { get; init; }

        public required string MessageId { get; init; }

        public required string MessageType { get; init; }

        public required int Weight { get; init; }

        public required EngagementChannel[] Channels { get; init; }

        public required MessageCategory Category { get; init; }

        public required Instant WantedAt { get; init; }

        public required Instant Until { get; init; }

        public required MessageFacts Facts { get; init; }
    }

    /// <summary>One thread's pass over a run of members.</summary>
    private sealed class Run(EngagementPlanner planner, Instant asOf, RewardDefinition[] rewards)
    {
        private readonly EngagementOptions o = planner.o;
        private readonly List<Candidate> candidates = [];
        private readonly List<Event> events = [];
        private readonly List<PlannedMessage> memberPlan = [];
        private readonly LocalDate programmeToday = asOf.InZone(planner.programmeZone).Date;
        private DateTimeZone zone = planner.programmeZone;
        private LocalDate today;

        public List<PlannedMessage> Messages { get; } = [];

        public List<HeldMessage> Held { get; } = [];

        public void PlanMember(EngagementMember member)
        {
            zone = member.TimeZone ?? planner.programmeZone;
            today = member.TimeZone is null ? programmeToday : asOf.InZone(zone).Date;
            candidates.Clear();
            Collect(member);
            foreach (var requested in member.Requested)
            {
                ContactRecord.CheckMessageId(requested.MessageId, nameof(member));
                candidates.Add(new Candidate
                {
                    Trigger = EngagementTrigger.Requested,
                    MessageId = requested.MessageId,
                    MessageType = requested.MessageType,
                    Weight = requested.Weight,
                    Channels = [requested.Channel],
                    Category = requested.Category,
                    WantedAt = requested.At,
                    Until = Instant.MaxValue,
                    Facts = requested.Facts ?? new MessageFacts(),
                });
            }

            if (candidates.Count == 0)
            {
                return;
            }

            // Heaviest first; ties by trigger, then id, so that the plan never depends on input order.
            candidates.Sort(static (a, b) =>
            {
                var byWeight = b.Weight.CompareTo(a.Weight);
                if (byWeight != 0)
                {
                    return byWeight;
                }

                var byTrigger = a.Trigger.CompareTo(b.Trigger);
                return byTrigger != 0 ? byTrigger : string.CompareOrdinal(a.MessageId, b.MessageId);
            });

            events.Clear();
            foreach (var contact in member.Contacts)
            {
                if (contact.Category == MessageCategory.Marketing)
                {
                    events.Add(new Event { At = contact.SentAt, Date = contact.SentAt.InZone(zone).Date, Channel = contact.Channel });
                }
            }

            memberPlan.Clear();
            foreach (var candidate in candidates)
            {
                Place(member, candidate);
            }

            memberPlan.Sort(static (a, b) =>
            {
                var byTime = a.SendAt.CompareTo(b.SendAt);
                if (byTime != 0)
                {
                    return byTime;
                }

                var byWeight = b.Weight.CompareTo(a.Weight);
                return byWeight != 0 ? byWeight : string.CompareOrdinal(a.MessageId, b.MessageId);
            });
            Messages.AddRange(memberPlan);
        }

        private void Collect(EngagementMember member)
        {
            var id = member.MemberId;
            if (id.IsDefault)
            {
                throw new ArgumentException("A member to plan has no id (MemberId is default).", "members");
            }

            if (member.EnrolledAt > asOf)
            {
                return;
            }

            var enrolled = member.EnrolledAt.InZone(zone);

            // Welcome series: each day after enrolment, at the enrolment's time of day.
            var welcome = o.Welcome;
            if (welcome.Enabled)
            {
                foreach (var day in planner.welcomeDays)
                {
                    var date = enrolled.Date.PlusDays(day);
                    if (date <= today && today <= date.PlusDays(welcome.ValidForDays))
                    {
                        Add(member, EngagementTrigger.Welcome, welcome, "day-" + day.ToString(CultureInfo.InvariantCulture),
                            day == 0 ? member.EnrolledAt : At(enrolled.LocalDateTime.PlusDays(day)), StartOfDay(date.PlusDays(welcome.ValidForDays + 1)),
                            new MessageFacts { Step = day });
                    }
                }
            }

            // Birthday: from DaysBefore days before until the end of the day (29 February is 28 February in other years).
            var birthday = o.Birthday;
            if (birthday.Enabled && member.BirthDate is { } born)
            {
                for (var year = today.Year; year <= today.Year + 1; year++)
                {
                    var date = new LocalDate(year, born.Month, Math.Min(born.Day, CalendarSystem.Iso.GetDaysInMonth(year, born.Month)));
                    var from = date.PlusDays(-birthday.DaysBefore);
                    if (from <= today && today <= date)
                    {
                        Add(member, EngagementTrigger.Birthday, birthday, year.ToString(CultureInfo.InvariantCulture), StartOfDay(from), StartOfDay(date.PlusDays(1)), new MessageFacts { Date = date });
                    }
                }
            }

            // Points expiring: one message per first expiry date, with everything expiring within the horizon.
            var expiring = o.PointsExpiring;
            if (expiring.Enabled && member.ExpiringSoon.Count > 0)
            {
                var horizon = today.PlusDays(expiring.WithinDays);
                long total = 0;
                ExpiringPointsInfo first = default;
                foreach (var entry in member.ExpiringSoon)
                {
                    if (entry.Date <= horizon && entry.ExpiresAt > asOf && entry.Amount.IsPositive)
                    {
                        total = checked(total + entry.Amount.Value);
                        if (!first.Found || entry.ExpiresAt < first.ExpiresAt)
                        {
                            first = new ExpiringPointsInfo(true, entry.Date, entry.ExpiresAt);
                        }
                    }
                }

                if (first.Found && total >= expiring.MinimumPoints)
                {
                    Add(member, EngagementTrigger.PointsExpiring, expiring, Iso(first.Date), asOf, first.ExpiresAt,
                        new MessageFacts { Points = Points.FromInt64(total), Date = first.Date, Deadline = first.ExpiresAt });
                }
            }

            if (member.Tier is { } tier)
            {
                CollectTier(member, tier, enrolled.Date);
            }

            CollectCycle(member);
            CollectReviews(member);

            // Affordable reward: the most expensive one the balance pays for, once per period.
            var affordable = o.AffordableReward;
            if (affordable.Enabled && member.AvailablePoints.IsPositive)
            {
                foreach (var reward in rewards)
                {
                    if (reward.Cost.Value > member.AvailablePoints.Value)
                    {
                        continue;
                    }

                    if (reward.RequiredTier is { } required && (planner.ladder is null || member.Tier is not { } t || !planner.ladder.GrantsAccess(t.Current, required)))
                    {
                        continue;
                    }

                    Add(member, EngagementTrigger.AffordableReward, affordable, $"{reward.Id.Value}/{Iso(Period(enrolled.Date, affordable.RepeatAfterDays))}", asOf, Soon(affordable),
                        new MessageFacts { Points = member.AvailablePoints, Reward = reward.Id, RewardName = reward.Name });
                    break;
                }
            }
        }

        private void CollectTier(EngagementMember member, EngagementTierState tier, LocalDate enrolment)
        {
            var close = o.CloseToNextTier;
            if (close.Enabled && tier.Next is { } next && tier.ToNext.Count > 0)
            {
                ThresholdProgress? near = null;
                var all = true;
                foreach (var threshold in tier.ToNext)
                {
                    if (threshold.IsMet)
                    {
                        continue;
                    }

                    var max = threshold.Metric switch
                    {
                        QualifyingMetric.Points => close.MaxPointsAway,
                        QualifyingMetric.Spend => close.MaxAmountAway,
                        _ => close.MaxOrdersAway,
                    };
                    if (max is { } m && threshold.Remaining <= m)
                    {
                        near ??= threshold;
                    }
                    else
                    {
                        all = false;
                    }
                }

                if (near is { } found && (tier.Combination == ThresholdCombination.AnyOf || all))
                {
                    Add(member, EngagementTrigger.CloseToNextTier, close, $"{next.Value}/{Iso(Period(enrolment, close.RepeatAfterDays))}", asOf, Soon(close),
                        new MessageFacts { Tier = tier.Current, TargetTier = next, Threshold = found, Points = found.Metric == QualifyingMetric.Points ? Points.FromInt64((long)Math.Ceiling(found.Remaining)) : null });
                }
            }

            var downgrade = o.DowngradeWarning;
            if (downgrade.Enabled && tier.DowngradeTo is { } to && tier.DowngradeAt is { } at && at > asOf)
            {
                var date = at.InZone(zone).Date;
                if (date <= today.PlusDays(downgrade.WithinDays))
                {
                    Add(member, EngagementTrigger.DowngradeWarning, downgrade, $"{tier.Current.Value}/{Iso(date)}", asOf, at,
                        new MessageFacts { Tier = tier.Current, TargetTier = to, Deadline = at, Date = date });
                }
            }
        }

        private void CollectCycle(EngagementMember member)
        {
            var winBack = o.WinBack;
            var segmentWinBack = false;
            if (winBack.Enabled && member.Segment is { } segment && member.SegmentEnteredOn is { } entered
                && planner.winBackSegments.Contains(segment) && entered <= today && today <= entered.PlusDays(winBack.ValidForDays))
            {
                Add(member, EngagementTrigger.WinBack, winBack, $"{segment}/{Iso(entered)}", asOf, StartOfDay(entered.PlusDays(winBack.ValidForDays + 1)),
                    new MessageFacts { Segment = segment, Date = entered });
                segmentWinBack = true;
            }

            if (member.PurchaseCycle is not { } cycle || cycle.MedianIntervalDays <= 0)
            {
                return;
            }

            var overdue = o.PurchaseOverdue;
            var late = cycle.DaysOverdue(today);
            if (late < overdue.MinDaysLate)
            {
                return;
            }

            if (late / cycle.MedianIntervalDays <= overdue.MaxLatenessCycles)
            {
                if (overdue.Enabled && late <= overdue.MinDaysLate + overdue.ValidForDays)
                {
                    Add(member, EngagementTrigger.PurchaseOverdue, overdue, Iso(cycle.ExpectedNextPurchase), asOf,
                        StartOfDay(cycle.ExpectedNextPurchase.PlusDays(overdue.MinDaysLate + overdue.ValidForDays + 1)),
                        new MessageFacts { Date = cycle.ExpectedNextPurchase, DaysLate = late });
                }
            }
            else if (winBack.Enabled && winBack.Lapsed && !segmentWinBack)
            {
                var since = NodaTime.Period.DaysBetween(cycle.LastPurchase, today);
                if (since <= winBack.MaxDaysSinceLastPurchase)
                {
                    Add(member, EngagementTrigger.WinBack, winBack, "lapsed/" + Iso(cycle.LastPurchase), asOf,
                        StartOfDay(cycle.LastPurchase.PlusDays(winBack.MaxDaysSinceLastPurchase + 1)),
                        new MessageFacts { Date = cycle.LastPurchase, DaysLate = late });
                }
            }
        }

        private void CollectReviews(EngagementMember member)
        {
            var review = o.ReviewInvitation;
            if (!review.Enabled)
            {
                return;
            }

            foreach (var order in member.RecentOrders)
            {
                if (order.PlacedAt > asOf || order.OrderId.IsDefault)
                {
                    continue;
                }

                var placed = order.PlacedAt.InZone(zone);
                var date = placed.Date.PlusDays(review.DaysAfterOrder);
                if (date <= today && today <= date.PlusDays(review.ValidForDays))
                {
                    Add(member, EngagementTrigger.ReviewInvitation, review, order.OrderId.Value, At(placed.LocalDateTime.PlusDays(review.DaysAfterOrder)),
                        StartOfDay(date.PlusDays(review.ValidForDays + 1)), new MessageFacts { Order = order.OrderId, Date = placed.Date });
                }
            }
        }

        private void Add(EngagementMember member, EngagementTrigger trigger, TriggerOptions options, string occasion, Instant wanted, Instant until, MessageFacts facts)
        {
            var slug = Slug(trigger);
            var id = new StringBuilder(member.MemberId.Value.Length + slug.Length + occasion.Length + 2)
                .Append(member.MemberId.Value).Append('/').Append(slug).Append('/').Append(occasion).ToString();
            candidates.Add(new Candidate
            {
                Trigger = trigger,
                MessageId = id,
                MessageType = options.MessageType,
                Weight = options.Weight,
                Channels = options.Channels,
                Category = MessageCategory.Marketing,
                WantedAt = wanted,
                Until = until,
                Facts = facts,
            });
        }

        private void Place(EngagementMember member, Candidate candidate)
        {
            foreach (var contact in member.Contacts)
            {
                if (string.Equals(contact.MessageId, candidate.MessageId, StringComparison.Ordinal))
                {
                    Hold(member, candidate, contact.Channel, HoldReason.AlreadySent, null, [],
                        $"already sent on {contact.Channel} at {contact.SentAt}");
                    return;
                }
            }

            var wanted = candidate.WantedAt < asOf ? asOf : candidate.WantedAt;
            if (candidate.Category == MessageCategory.Transactional)
            {
                memberPlan.Add(Planned(member, candidate, candidate.Channels[0], wanted, wanted, PlanAdjustments.None, null, null));
                return;
            }

            EngagementChannel? channel = null;
            foreach (var c in candidate.Channels)
            {
                if (Consented(member, c))
                {
                    channel = c;
                    break;
                }
            }

            if (channel is not { } on)
            {
                Hold(member, candidate, null, HoldReason.NoConsent, null, [], NoConsentText(member, candidate.Channels));
                return;
            }

            var (at, adjustments, block, quietText) = Find(wanted, candidate.Until, on, withPlanned: true);
            if (at is { } sendAt)
            {
                var note = adjustments == PlanAdjustments.None ? null
                    : string.Join("; ", new[]
                    {
                        (adjustments & PlanAdjustments.DeferredByCap) != 0 ? $"deferred by cap {block!.Description}" : null,
                        (adjustments & PlanAdjustments.MovedByQuietHours) != 0 ? $"moved out of quiet hours {quietText}" : null,
                    }.Where(s => s is not null));
                memberPlan.Add(Planned(member, candidate, on, sendAt, wanted, adjustments, (adjustments & PlanAdjustments.DeferredByCap) != 0 ? block!.Name : null, note));
                events.Add(new Event { At = sendAt, Date = sendAt.InZone(zone).Date, Channel = on, PlannedId = candidate.MessageId });
                return;
            }

            var (alone, _, aloneBlock, _) = Find(wanted, candidate.Until, on, withPlanned: false);
            if (alone is { } free)
            {
                // The sent messages leave room; heavier planned ones take it.
                var (cap, ids) = Blocking(free, on);
                Hold(member, candidate, on, HoldReason.Superseded, cap?.Name, ids,
                    $"superseded by heavier planned message{(ids.Count == 1 ? "" : "s")} {string.Join(", ", ids)} under cap {cap?.Description} until {candidate.Until}");
                return;
            }

            var capped = aloneBlock ?? block;
            Hold(member, candidate, on, HoldReason.Capped, capped?.Name, [],
                capped is null
                    ? $"no allowed instant before {candidate.Until}"
                    : $"capped by rule {capped.Description}: the messages sent fill it until {candidate.Until}, after which the message is no longer worth sending");
        }

        /// <summary>
        /// The first allowed instant from <paramref name="from"/>, how it was moved, and the last cap that blocked.
        /// A cap may defer the message only to instants before <paramref name="until"/>; quiet hours then move
        /// it to their end even past <paramref name="until"/> (quiet hours move a message, they never drop it).
        /// </summary>
        private (Instant? At, PlanAdjustments Adjustments, Cap? Block, string? QuietText) Find(Instant from, Instant until, EngagementChannel channel, bool withPlanned)
        {
            var adjustments = PlanAdjustments.None;
            Cap? block = null;
            var raw = from;
            var (t, quietText) = OutOfQuietHours(raw, channel);
            if (quietText is not null)
            {
                adjustments |= PlanAdjustments.MovedByQuietHours;
            }

            for (var step = 0; step < MaxSteps; step++)
            {
                if (raw >= until)
                {
                    return (null, adjustments, block, quietText);
                }

                Instant? next = null;
                foreach (var cap in planner.caps)
                {
                    if (cap.Applies(channel) && Escape(cap, t, channel, withPlanned, null) is { } escape)
                    {
                        block = cap;
                        next = next is { } n && n > escape ? n : escape;
                    }
                }

                if (next is not { } later)
                {
                    return (t, adjustments, block, quietText);
                }

                adjustments |= PlanAdjustments.DeferredByCap;
                raw = later;
                var (moved, text) = OutOfQuietHours(later, channel);
                t = moved;
                if (text is not null)
                {
                    adjustments |= PlanAdjustments.MovedByQuietHours;
                    quietText = text;
                }
            }

            return (null, adjustments, block, quietText);
        }

        /// <summary>
        /// Null when a message at <paramref name="t"/> keeps every window of the cap that contains it under
        /// the cap; otherwise the earliest instant that can escape the full windows (a lower bound of the next allowed instant).
        /// </summary>
        private Instant? Escape(Cap cap, Instant t, EngagementChannel channel, bool withPlanned, List<string>? ids)
        {
            if (cap.Days > 0)
            {
                var day = t.InZone(zone).Date;
                for (var k = 0; k < cap.Days; k++)
                {
                    var first = day.PlusDays(k - cap.Days + 1);
                    var last = first.PlusDays(cap.Days - 1);
                    var count = 0;
                    foreach (var e in events)
                    {
                        if ((withPlanned || e.PlannedId is null) && cap.Applies(e.Channel) && e.Date >= first && e.Date <= last)
                        {
                            count++;
                        }
                    }

                    if (count >= cap.Max)
                    {
                        if (ids is not null)
                        {
                            ids.AddRange(events.Where(e => e.PlannedId is not null && cap.Applies(e.Channel) && e.Date >= first && e.Date <= last).Select(e => e.PlannedId!));
                        }

                        return StartOfDay(day.PlusDays(1));
                    }
                }

                return null;
            }

            Instant? escape = null;
            var length = cap.Rolling;
            for (var s = -1; s < events.Count; s++)
            {
                Instant start;
                if (s < 0)
                {
                    start = t;
                }
                else
                {
                    var anchor = events[s];
                    if (!(withPlanned || anchor.PlannedId is null) || !cap.Applies(anchor.Channel) || anchor.At <= t - length || anchor.At > t)
                    {
                        continue;
                    }

                    start = anchor.At;
                }

                var end = start + length;
                var count = 0;
                Instant? firstAfter = null;
                foreach (var e in events)
                {
                    if ((withPlanned || e.PlannedId is null) && cap.Applies(e.Channel) && e.At >= start && e.At < end)
                    {
                        count++;
                        if (e.At >= t && (firstAfter is not { } f || e.At < f))
                        {
                            firstAfter = e.At;
                        }
                    }
                }

                if (count >= cap.Max)
                {
                    ids?.AddRange(events.Where(e => e.PlannedId is not null && cap.Applies(e.Channel) && e.At >= start && e.At < end).Select(e => e.PlannedId!));

                    // A window anchored at an earlier message is escaped when it ends; one anchored here only
                    // after the first message inside it.
                    var candidate = s < 0 ? (firstAfter ?? t) + Duration.Epsilon : end;
                    escape = escape is { } x && x <= candidate ? x : candidate;
                }
            }

            return escape;
        }

        private (Cap? Cap, IReadOnlyList<string> Ids) Blocking(Instant at, EngagementChannel channel)
        {
            foreach (var cap in planner.caps)
            {
                var ids = new List<string>();
                if (cap.Applies(channel) && Escape(cap, at, channel, withPlanned: true, ids) is not null)
                {
                    return (cap, ids.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray());
                }
            }

            return (null, []);
        }

        private (Instant At, string? QuietText) OutOfQuietHours(Instant t, EngagementChannel channel)
        {
            string? text = null;
            for (var step = 0; step <= planner.quiet.Length; step++)
            {
                var local = t.InZone(zone).LocalDateTime;
                var moved = false;
                foreach (var range in planner.quiet)
                {
                    if ((range.Channel is not { } c || c == channel) && range.Contains(local.TimeOfDay))
                    {
                        var endDate = range.Wraps && local.TimeOfDay >= range.Start ? local.Date.PlusDays(1) : local.Date;
                        var end = zone.ResolveLocal(endDate + range.End, Lenient).ToInstant();
                        t = end > t ? end : t + Duration.Epsilon;
                        text = range.Text;
                        moved = true;
                        break;
                    }
                }

                if (!moved)
                {
                    break;
                }
            }

            return (t, text);
        }

        private bool Consented(EngagementMember member, EngagementChannel channel)
        {
            ConsentRecord? latest = null;
            foreach (var record in member.Consents)
            {
                // The latest record at or before the planning instant decides; at the same instant an opt-out wins.
                if (record.Channel == channel && record.At <= asOf
                    && (latest is null || record.At > latest.At || (record.At == latest.At && record.Status == ConsentStatus.Withdrawn)))
                {
                    latest = record;
                }
            }

            return latest is { Status: ConsentStatus.Granted };
        }

        private string NoConsentText(EngagementMember member, EngagementChannel[] channels)
        {
            var parts = new List<string>(channels.Length);
            foreach (var channel in channels)
            {
                var latest = member.Consents.Where(r => r.Channel == channel && r.At <= asOf).OrderBy(r => r.At).ThenBy(r => r.Status).LastOrDefault();
                parts.Add(latest is null ? $"{channel}: never given" : $"{channel}: withdrawn at {latest.At} via {latest.Source}");
            }

            return "no consent (" + string.Join("; ", parts) + ")";
        }

        private PlannedMessage Planned(EngagementMember member, Candidate c, EngagementChannel channel, Instant at, Instant wanted, PlanAdjustments adjustments, string? deferredBy, string? note) => new()
        {
            MessageId = c.MessageId,
            MemberId = member.MemberId,
            Trigger = c.Trigger,
            MessageType = c.MessageType,
            Category = c.Category,
            Channel = channel,
            Weight = c.Weight,
            SendAt = at,
            WantedAt = wanted,
            Adjustments = adjustments,
            DeferredBy = deferredBy,
            Facts = c.Facts,
            Note = note,
        };

        private void Hold(EngagementMember member, Candidate c, EngagementChannel? channel, HoldReason reason, string? rule, IReadOnlyList<string> supersededBy, string explanation) =>
            Held.Add(new HeldMessage
            {
                MessageId = c.MessageId,
                MemberId = member.MemberId,
                Trigger = c.Trigger,
                MessageType = c.MessageType,
                Weight = c.Weight,
                Channel = channel,
                Reason = reason,
                Rule = rule,
                SupersededBy = supersededBy,
                Explanation = explanation,
                Facts = c.Facts,
            });

        private Instant StartOfDay(LocalDate date) => LocalCalendar.StartOfDay(date, zone);

        private Instant At(LocalDateTime local) => zone.ResolveLocal(local, Lenient).ToInstant();

        private Instant Soon(TriggerOptions options) => StartOfDay(today.PlusDays(options.ValidForDays + 1));

        /// <summary>The first day of the period of <paramref name="days"/> days, counted from enrolment, that holds today.</summary>
        private LocalDate Period(LocalDate enrolment, int days)
        {
            var since = NodaTime.Period.DaysBetween(enrolment, today);
            return enrolment.PlusDays(since < 0 ? 0 : since / days * days);
        }
    }

    private readonly record struct ExpiringPointsInfo(bool Found, LocalDate Date, Instant ExpiresAt);
}
