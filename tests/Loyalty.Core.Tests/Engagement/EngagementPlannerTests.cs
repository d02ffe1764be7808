using Loyalty.Core.Engagement;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Segmentation;
using Loyalty.Core.Tiers;
using NodaTime;
using static Loyalty.Core.Tests.Engagement.EngagementData;

namespace Loyalty.Core.Tests.Engagement;

public sealed class EngagementPlannerTests
{
    private static readonly Instant Thursday = At(2026, 3, 5); // Thursday 5 March 2026, 10:00 in Paris

    private static EngagementPlanner Planner(Action<EngagementOptions> configure)
    {
        var options = Quiet();
        configure(options);
        return new EngagementPlanner(options, Paris);
    }

    private static RequestedMessage Marketing(string id, Instant at, int weight = 50, EngagementChannel channel = EngagementChannel.Email) =>
        new(id, "campaign", channel, MessageCategory.Marketing, weight, at);

    // ------------------------------------------------------------------ contact pressure

    [Fact]
    public void With_a_cap_of_3_per_7_days_2_sent_and_a_planned_weight_10_message_a_weight_5_message_is_not_sent()
    {
        var planner = Planner(o =>
        {
            o.Caps = [new ContactCapOptions { Name = "email-7-days", Channel = EngagementChannel.Email, MaxMessages = 3, Rolling = TimeSpan.FromDays(7) }];
            o.PointsExpiring.Enabled = true;
            o.PointsExpiring.Weight = 10;
            o.ReviewInvitation.Enabled = true;
            o.ReviewInvitation.Weight = 5;
            o.ReviewInvitation.ValidForDays = 0;
        });
        var member = Member("m-1", m => m with
        {
            Contacts = [Sent(m.MemberId, "news-1", At(2026, 3, 3)), Sent(m.MemberId, "news-2", At(2026, 3, 4))],
            ExpiringSoon = [new ExpiringPoints(new LocalDate(2026, 3, 20), At(2026, 3, 21, 0), Points.FromInt64(200))],
            RecentOrders = [OrderPlaced(Thursday)],
        });

        var plan = planner.Plan(Thursday, [member]);

        plan.Messages.Should().ContainSingle().Which.Should().Match<PlannedMessage>(m =>
            m.MessageId == "m-1/points-expiring/2026-03-20" && m.Weight == 10 && m.SendAt == Thursday && m.Adjustments == PlanAdjustments.None);
        var held = plan.Held.Should().ContainSingle().Subject;
        held.MessageId.Should().Be("m-1/review-invitation/o-7");
        held.Reason.Should().Be(HoldReason.Superseded);
        held.Rule.Should().Be("email-7-days");
        held.SupersededBy.Should().Equal("m-1/points-expiring/2026-03-20");
        held.Explanation.Should().StartWith("superseded by heavier planned message m-1/points-expiring/2026-03-20 under cap 'email-7-days' (3 per 7 rolling days on Email)");

        // Without the heavier message the weight-5 one fits: it is the planned message, not the history, that holds it.
        planner.Plan(Thursday, [member with { ExpiringSoon = [] }]).Messages.Should().ContainSingle()
            .Which.MessageId.Should().Be("m-1/review-invitation/o-7");
    }

    [Fact]
    public void A_message_the_sent_ones_alone_cap_is_held_as_capped_naming_the_rule()
    {
        var planner = Planner(o =>
        {
            o.Caps = [new ContactCapOptions { Name = "email-daily", Channel = EngagementChannel.Email, MaxMessages = 1, CalendarDays = 1 }];
            o.ReviewInvitation.Enabled = true;
            o.ReviewInvitation.ValidForDays = 0;
        });
        var member = Member("m-1", m => m with { Contacts = [Sent(m.MemberId, "news-1", At(2026, 3, 5, 9))], RecentOrders = [OrderPlaced(Thursday)] });

        var held = planner.Plan(Thursday, [member]).Held.Should().ContainSingle().Subject;

        held.Reason.Should().Be(HoldReason.Capped);
        held.Rule.Should().Be("email-daily");
        held.Explanation.Should().Be("capped by rule 'email-daily' (1 per 1 calendar day on Email): the messages sent fill it until 2026-03-05T23:00:00Z, after which the message is no longer worth sending");
    }

    [Fact]
    public void With_a_cap_of_3_per_week_a_4th_message_is_planned_for_the_first_day_of_the_next_allowed_window()
    {
        var planner = Planner(o =>
        {
            o.Caps = [new ContactCapOptions { Name = "email-weekly", Channel = EngagementChannel.Email, MaxMessages = 3, CalendarDays = 7 }];
            o.QuietHours = [new QuietHoursOptions { Start = new TimeOnly(21, 0), End = new TimeOnly(8, 0) }];
        });
        var member = Member("m-1", m => m with
        {
            Contacts = [Sent(m.MemberId, "news-mon", At(2026, 3, 2)), Sent(m.MemberId, "news-tue", At(2026, 3, 3)), Sent(m.MemberId, "news-wed", At(2026, 3, 4))],
            Requested = [Marketing("spring-sale", Thursday)],
        });

        var message = planner.Plan(Thursday, [member]).Messages.Should().ContainSingle().Subject;

        // Monday's message leaves the 7-day window on Monday 9 March: the first allowed day, at the end of the quiet hours.
        message.SendAt.Should().Be(At(2026, 3, 9, 8));
        message.WantedAt.Should().Be(Thursday);
        message.Adjustments.Should().Be(PlanAdjustments.DeferredByCap | PlanAdjustments.MovedByQuietHours);
        message.DeferredBy.Should().Be("email-weekly");
        message.Note.Should().Be("deferred by cap 'email-weekly' (3 per 7 calendar days on Email); moved out of quiet hours 21:00–08:00");
    }

    [Fact]
    public void Transactional_messages_never_count_and_are_never_capped_or_moved()
    {
        var planner = Planner(o =>
        {
            o.Caps = [new ContactCapOptions { Name = "email-daily", Channel = EngagementChannel.Email, MaxMessages = 2, CalendarDays = 1 }];
            o.QuietHours = [new QuietHoursOptions { Start = new TimeOnly(21, 0), End = new TimeOnly(8, 0) }];
        });
        var member = Member("m-1", m => m with
        {
            Consents = [],
            Contacts =
            [
                Sent(m.MemberId, "news-1", At(2026, 3, 5, 9)),
                Sent(m.MemberId, "receipt-1", At(2026, 3, 5, 8), category: MessageCategory.Transactional),
                Sent(m.MemberId, "receipt-2", At(2026, 3, 5, 9), category: MessageCategory.Transactional),
                Sent(m.MemberId, "receipt-3", At(2026, 3, 5, 9, 30), category: MessageCategory.Transactional),
            ],
            Requested =
            [
                new RequestedMessage("statement-1", "points-statement", EngagementChannel.Email, MessageCategory.Transactional, 1, At(2026, 3, 5, 23)),
                new RequestedMessage("statement-2", "points-statement", EngagementChannel.Email, MessageCategory.Transactional, 1, At(2026, 3, 5, 23, 30)),
                new RequestedMessage("statement-3", "points-statement", EngagementChannel.Email, MessageCategory.Transactional, 1, At(2026, 3, 5, 23, 45)),
            ],
        });

        var plan = planner.Plan(Thursday, [member]);

        plan.Messages.Select(m => (m.MessageId, m.SendAt, m.Adjustments)).Should().Equal(
            ("statement-1", At(2026, 3, 5, 23), PlanAdjustments.None),
            ("statement-2", At(2026, 3, 5, 23, 30), PlanAdjustments.None),
            ("statement-3", At(2026, 3, 5, 23, 45), PlanAdjustments.None));
        plan.Held.Should().BeEmpty();

        // Three receipts and three statements later, one marketing message still fits today's cap of 2.
        var consenting = Member("m-1") with { Contacts = member.Contacts, Requested = [Marketing("spring-sale", Thursday)] };
        planner.Plan(Thursday, [consenting]).Messages.Should().ContainSingle().Which.SendAt.Should().Be(Thursday);
    }

    [Fact]
    public void A_calendar_day_cap_counts_the_days_of_the_members_time_zone_across_the_spring_DST_change()
    {
        var planner = Planner(o => o.Caps = [new ContactCapOptions { Name = "one-a-day", MaxMessages = 1, CalendarDays = 1 }]);

        // Saturday 28 March 23:30 in Paris (22:30 UTC); clocks go forward at 02:00 on Sunday 29 March.
        var asOf = At(2026, 3, 29, 0, 30); // Sunday 00:30 in Paris, still Saturday 23:30 in UTC
        var member = Member("m-1", m => m with { Contacts = [Sent(m.MemberId, "news-sat", At(2026, 3, 28, 23, 30))], Requested = [Marketing("sunday", asOf)] });

        asOf.Should().Be(Instant.FromUtc(2026, 3, 28, 23, 30));
        var message = planner.Plan(asOf, [member]).Messages.Should().ContainSingle().Subject;
        message.SendAt.Should().Be(asOf, "Sunday is another day in Paris, although the same UTC day");
        message.Adjustments.Should().Be(PlanAdjustments.None);
    }

    [Fact]
    public void A_calendar_day_cap_counts_the_25_hour_day_of_the_autumn_DST_change_as_one_day()
    {
        var planner = Planner(o => o.Caps = [new ContactCapOptions { Name = "one-a-day", MaxMessages = 1, CalendarDays = 1 }]);

        // Sunday 25 October 2026 lasts 25 hours in Paris: 00:30 and 23:30 are 24 hours apart and the same day.
        var sent = At(2026, 10, 25, 0, 30);
        var asOf = At(2026, 10, 25, 23, 30);
        (asOf - sent).Should().Be(Duration.FromHours(24));
        var member = Member("m-1", m => m with { Contacts = [Sent(m.MemberId, "news-early", sent)], Requested = [Marketing("late", asOf)] });

        var message = planner.Plan(asOf, [member]).Messages.Should().ContainSingle().Subject;

        message.SendAt.Should().Be(Instant.FromUtc(2026, 10, 25, 23, 0), "the next allowed instant is Monday 26 October 00:00 in Paris");
        message.DeferredBy.Should().Be("one-a-day");

        // A 24-hour rolling cap would let it through: the window is not the calendar day.
        var rolling = Planner(o => o.Caps = [new ContactCapOptions { Name = "24h", MaxMessages = 1, Rolling = TimeSpan.FromHours(24) }]);
        rolling.Plan(asOf, [member]).Messages.Should().ContainSingle().Which.SendAt.Should().Be(asOf);
    }

    [Fact]
    public void Quiet_hours_move_a_message_to_their_end_never_drop_it()
    {
        var planner = Planner(o =>
        {
            o.Birthday.Enabled = true;
            o.QuietHours =
            [
                new QuietHoursOptions { Channel = EngagementChannel.Email, Start = new TimeOnly(21, 0), End = new TimeOnly(8, 0) },
                new QuietHoursOptions { Channel = EngagementChannel.Email, Start = new TimeOnly(12, 0), End = new TimeOnly(14, 0) },
            ];
        });
        var member = Member("m-1", m => m with { BirthDate = new LocalDate(1990, 3, 5) });

        // The birthday message is worth sending until the end of the birthday, but at 22:00 it waits for 08:00.
        var late = planner.Plan(At(2026, 3, 5, 22), [member]).Messages.Should().ContainSingle().Subject;
        late.SendAt.Should().Be(At(2026, 3, 6, 8));
        late.Adjustments.Should().Be(PlanAdjustments.MovedByQuietHours);
        late.Note.Should().Be("moved out of quiet hours 21:00–08:00");

        planner.Plan(At(2026, 3, 5, 12, 30), [member]).Messages.Single().SendAt.Should().Be(At(2026, 3, 5, 14));
        planner.Plan(At(2026, 3, 5, 10), [member]).Messages.Single().Adjustments.Should().Be(PlanAdjustments.None);
    }

    // ------------------------------------------------------------------ consent

    [Fact]
    public void A_member_with_no_consent_on_a_channel_gets_nothing_on_it_and_the_next_channel_is_tried()
    {
        var planner = Planner(o =>
        {
            o.Birthday.Enabled = true;
            o.Birthday.Channels = [EngagementChannel.Sms, EngagementChannel.Email];
        });
        var born = new LocalDate(1990, 3, 5);
        var never = Member("m-never", m => m with { BirthDate = born, Consents = [] });
        var smsOut = Member("m-email", m => m with
        {
            BirthDate = born,
            Consents = [.. m.Consents, Consent(m.MemberId, EngagementChannel.Sms, At(2025, 1, 15)), Consent(m.MemberId, EngagementChannel.Sms, At(2026, 2, 1), ConsentStatus.Withdrawn, "stop-sms")],
        });

        var plan = planner.Plan(Thursday, [never, smsOut]);

        plan.Held.Should().ContainSingle().Which.Should().Match<HeldMessage>(h =>
            h.MemberId == MemberId.From("m-never") && h.Reason == HoldReason.NoConsent && h.Channel == null
            && h.Explanation == "no consent (Sms: never given; Email: never given)");
        plan.Messages.Should().ContainSingle().Which.Should().Match<PlannedMessage>(m => m.MemberId == MemberId.From("m-email") && m.Channel == EngagementChannel.Email);
    }

    [Fact]
    public void An_opt_out_between_two_planning_runs_stops_the_next_message()
    {
        var planner = Planner(o => o.Welcome.Enabled = true);
        var enrolled = At(2026, 3, 2, 9);
        var member = Member("m-1", m => m with { EnrolledAt = enrolled, Consents = [Consent(m.MemberId, EngagementChannel.Email, enrolled)] });

        var first = planner.Plan(enrolled, [member]);
        first.Messages.Should().ContainSingle().Which.MessageId.Should().Be("m-1/welcome/day-0");

        var optOut = Consent(member.MemberId, EngagementChannel.Email, At(2026, 3, 4, 18), ConsentStatus.Withdrawn, "unsubscribe-link");
        var after = member with { Consents = [.. member.Consents, optOut], Contacts = [Sent(member.MemberId, "m-1/welcome/day-0", enrolled)] };
        var second = planner.Plan(At(2026, 3, 5, 9), [after]);

        second.Messages.Should().BeEmpty();
        second.Held.Should().ContainSingle().Which.Should().Match<HeldMessage>(h =>
            h.MessageId == "m-1/welcome/day-3" && h.Reason == HoldReason.NoConsent
            && h.Explanation == "no consent (Email: withdrawn at 2026-03-04T17:00:00Z via unsubscribe-link)");
    }

    // ------------------------------------------------------------------ triggers

    [Fact]
    public void A_member_overdue_by_3_cycles_goes_to_win_back_not_to_the_relaunch()
    {
        var planner = Planner(o =>
        {
            o.PurchaseOverdue.Enabled = true;
            o.WinBack.Enabled = true;
        });
        var today = new LocalDate(2026, 3, 5);
        PurchaseCycle Cycle(string id, int daysSinceLast) =>
            new(MemberId.From(id), 5, 5, today.PlusDays(-daysSinceLast - 120), today.PlusDays(-daysSinceLast), 30m, today.PlusDays(-daysSinceLast + 30));

        var lapsed = Member("m-lapsed", m => m with { PurchaseCycle = Cycle("m-lapsed", 120) }); // 90 days late: 3 cycles
        var late = Member("m-late", m => m with { PurchaseCycle = Cycle("m-late", 35) });        // 5 days late

        var plan = planner.Plan(Thursday, [lapsed, late]);

        plan.Messages.Select(m => (m.MessageId, m.Trigger, m.Facts.DaysLate)).Should().Equal(
            ("m-lapsed/win-back/lapsed/2025-11-05", EngagementTrigger.WinBack, 90),
            ("m-late/purchase-overdue/2026-02-28", EngagementTrigger.PurchaseOverdue, 5));
    }

    [Fact]
    public void The_welcome_series_goes_on_days_0_3_and_10_at_the_time_of_enrolment()
    {
        var planner = Planner(o => o.Welcome.Enabled = true);
        var enrolled = At(2026, 3, 2, 15, 20);
        var member = Member("m-1", m => m with { EnrolledAt = enrolled, Consents = [Consent(m.MemberId, EngagementChannel.Email, enrolled)] });

        IEnumerable<(string, Instant)> PlanOn(Instant asOf) => planner.Plan(asOf, [member]).Messages.Select(m => (m.MessageId, m.SendAt));

        PlanOn(enrolled).Should().Equal([("m-1/welcome/day-0", enrolled)]);
        PlanOn(At(2026, 3, 4, 7)).Should().Equal([("m-1/welcome/day-0", At(2026, 3, 4, 7))], "day 0, not sent yet, is worth sending for 2 more days; day 3 is not yet due");
        PlanOn(At(2026, 3, 5, 7)).Should().Equal([("m-1/welcome/day-3", At(2026, 3, 5, 15, 20))]);
        PlanOn(At(2026, 3, 12, 7)).Should().Equal([("m-1/welcome/day-10", At(2026, 3, 12, 15, 20))]);
    }

    [Fact]
    public void Each_trigger_gives_its_template_the_facts_it_needs()
    {
        var options = new EngagementOptions();
        options.WinBack.Lapsed = false;
        var ladder = TierLadder.Create(
            [
                TierDefinition.Entry(TierId.From("bronze"), "Bronze"),
                TierDefinition.Create(TierId.From("silver"), "Silver", ThresholdCombination.AnyOf, [TierThreshold.FromPoints(500)], TierBenefits.Create(1.25m)),
            ],
            new TierPolicy { Window = QualificationWindow.RollingMonths(12), Validity = StatusValidity.FixedMonths(12), TimeZone = Paris });
        var planner = new EngagementPlanner(options, Paris, SegmentMap.Default, ladder);
        var expires = At(2026, 3, 31, 0);
        var member = Member("m-1", m => m with
        {
            BirthDate = new LocalDate(1988, 3, 5),
            AvailablePoints = Points.FromInt64(640),
            ExpiringSoon = [new ExpiringPoints(new LocalDate(2026, 3, 30), expires, Points.FromInt64(120)), new ExpiringPoints(new LocalDate(2026, 5, 30), At(2026, 5, 31, 0), Points.FromInt64(50))],
            Tier = new EngagementTierState
            {
                Current = TierId.From("silver"),
                Next = TierId.From("gold"),
                Combination = ThresholdCombination.AnyOf,
                ToNext = [new ThresholdProgress(QualifyingMetric.Points, 1500, 1430)],
                DowngradeTo = TierId.From("bronze"),
                DowngradeAt = At(2026, 3, 20, 0),
            },
            Segment = RfmpSegments.AtRisk,
            SegmentEnteredOn = new LocalDate(2026, 3, 3),
            RecentOrders = [OrderPlaced(Thursday)],
        });
        var catalog = RewardCatalog.Create(
        [
            RewardDefinition.FreeShipping(RewardId.From("free-shipping"), "Free shipping", Points.FromInt64(300)),
            RewardDefinition.AmountOffVoucher(RewardId.From("ten-off"), "10 € off", Points.FromInt64(600), Money.FromDecimal(10m, Currency.EUR)),
            RewardDefinition.AmountOffVoucher(RewardId.From("twenty-off"), "20 € off", Points.FromInt64(1200), Money.FromDecimal(20m, Currency.EUR)),
        ]);

        var plan = planner.Plan(Thursday, [member], catalog);

        var byTrigger = plan.Messages.ToDictionary(m => m.Trigger);
        plan.Held.Should().BeEmpty("no cap is configured");
        byTrigger.Keys.Should().BeEquivalentTo(new[]
        {
            EngagementTrigger.Birthday, EngagementTrigger.PointsExpiring, EngagementTrigger.DowngradeWarning, EngagementTrigger.WinBack,
            EngagementTrigger.CloseToNextTier, EngagementTrigger.AffordableReward, EngagementTrigger.ReviewInvitation,
        });
        byTrigger[EngagementTrigger.Birthday].Facts.Date.Should().Be(new LocalDate(2026, 3, 5));
        byTrigger[EngagementTrigger.PointsExpiring].Facts.Should().Match<MessageFacts>(f => f.Points == Points.FromInt64(120) && f.Date == new LocalDate(2026, 3, 30) && f.Deadline == expires);
        byTrigger[EngagementTrigger.DowngradeWarning].Facts.Should().Match<MessageFacts>(f => f.Tier == TierId.From("silver") && f.TargetTier == TierId.From("bronze") && f.Deadline == At(2026, 3, 20, 0));
        byTrigger[EngagementTrigger.WinBack].MessageId.Should().Be("m-1/win-back/At Risk/2026-03-03");
        byTrigger[EngagementTrigger.CloseToNextTier].Facts.Should().Match<MessageFacts>(f => f.TargetTier == TierId.From("gold") && f.Points == Points.FromInt64(70));
        byTrigger[EngagementTrigger.AffordableReward].Facts.Should().Match<MessageFacts>(f => f.RewardName == "10 € off" && f.Points == Points.FromInt64(640));
        byTrigger[EngagementTrigger.ReviewInvitation].Facts.Order.Should().Be(OrderId.From("o-7"));
        plan.Messages.Select(m => m.Weight).Should().BeInDescendingOrder("messages of one instant go heaviest first");
    }

    [Fact]
    public void A_disabled_trigger_proposes_nothing()
    {
        var member = Member("m-1", m => m with { BirthDate = new LocalDate(1990, 3, 5) });
        Planner(o => o.Birthday.Enabled = false).Plan(Thursday, [member]).Messages.Should().BeEmpty();
        Planner(o => o.Birthday.Enabled = true).Plan(Thursday, [member]).Messages.Should().ContainSingle();
    }

    // ------------------------------------------------------------------ determinism and repeats

    [Fact]
    public void A_message_already_sent_is_never_planned_again()
    {
        var planner = Planner(o => o.Birthday.Enabled = true);
        var member = Member("m-1", m => m with { BirthDate = new LocalDate(1990, 3, 5) });
        var first = planner.Plan(Thursday, [member]).Messages.Single();

        var again = planner.Plan(Thursday + Duration.FromHours(2), [member with { Contacts = [Sent(member.MemberId, first.MessageId, Thursday)] }]);

        again.Messages.Should().BeEmpty();
        again.Held.Should().ContainSingle().Which.Should().Match<HeldMessage>(h => h.Reason == HoldReason.AlreadySent && h.MessageId == "m-1/birthday/2026");
    }

    [Fact]
    public void The_plan_is_the_same_for_the_same_instant_whatever_the_order_of_members_or_the_threads()
    {
        var planner = Planner(o =>
        {
            o.Birthday.Enabled = true;
            o.Welcome.Enabled = true;
            o.Caps = [new ContactCapOptions { Name = "daily", MaxMessages = 1, CalendarDays = 1 }];
        });
        var members = Enumerable.Range(0, 5_000).Select(i => Member("m-" + i, m => m with
        {
            BirthDate = new LocalDate(1990, 3, 5 - (i % 3)),
            EnrolledAt = At(2026, 3, 5 - (i % 4), 8),
        })).ToArray();

        var once = planner.Plan(Thursday, members);
        var reversed = planner.Plan(Thursday, members.Reverse().ToArray());
        var parallel = planner.Plan(Thursday, members, null, 2);

        string Key(PlannedMessage m) => $"{m.MessageId}@{m.SendAt}";
        reversed.Messages.Select(Key).Order().Should().Equal(once.Messages.Select(Key).Order());
        parallel.Messages.Select(Key).Should().Equal(once.Messages.Select(Key));
        parallel.Held.Select(h => h.MessageId).Should().Equal(once.Held.Select(h => h.MessageId));
        once.Messages.Should().HaveCountGreaterThanOrEqualTo(5_000);
        once.Held.Should().Contain(h => h.Reason == HoldReason.Superseded, "a birthday and a welcome on one day meet a cap of one a day");
    }

    [Fact]
    public void Invalid_options_are_refused_when_the_planner_is_built_with_every_problem()
    {
        var options = Quiet();
        options.Caps = [new ContactCapOptions { Name = "email-daily", MaxMessages = 0, CalendarDays = 1 }];
        options.WinBack.Segments = ["Sleepers"];

        var act = () => new EngagementPlanner(options, Paris);

        act.Should().Throw<ArgumentException>().WithMessage(
            "The engagement options are invalid:\n"
            + " - Loyalty:Engagement:WinBack:Segments:0: 'Sleepers' is not a segment of the segment map; known segments: Champions, Loyal, Potential Loyalists, New, Promising, Need Attention, About to Sleep, Can't Lose Them, At Risk, Hibernating, Lost.\n"
            + " - Loyalty:Engagement:Caps:0:MaxMessages: must be at least 1 (was 0); a cap of 0 would silence the channel's marketing for good: withdraw consent or disable the triggers instead. (Parameter 'options')");
    }
}
